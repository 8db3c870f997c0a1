#include "ingesttcpserver.h"

#include "ingestserver.h"

#include <QCoreApplication>
#include <QEvent>
#include <QTcpSocket>
#include <QThread>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace perfwatch {

namespace {

/// A refused connection still sending what it started lingers at most this many linger times.
constexpr int kMaxLingers = 4;

/// Bytes a refused connection may still send us (read and dropped) before it is cut.
constexpr qint64 kMaxDrainBytes = 16 * 1024 * 1024;

/// Read buffer beyond the header limit and the reserved bodies: room for the start of a body
/// (or of the next pipelined request) while the guard decides.
constexpr qint64 kReadSlack = 64 * 1024;

/// Read buffer of a refused connection: what it still sends is read in chunks of this and dropped.
constexpr qint64 kDrainBuffer = 4 * 1024 * 1024;

std::string durationText(qint64 ms)
{
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

void closeDescriptor(qintptr handle)
{
#ifdef Q_OS_UNIX
    ::close(int(handle));
#else
    Q_UNUSED(handle);
#endif
}

} // namespace

/// An accepted socket descriptor on its way to the server of another ingest thread. Posted
/// events die with their receiver, so one never delivered closes its descriptor.
class IngestTcpServer::Handover final : public QEvent
{
public:
    explicit Handover(qintptr handle)
        : QEvent(eventType())
        , m_handle(handle)
    { }
    ~Handover() override
    {
        if (m_handle >= 0)
            closeDescriptor(m_handle);
    }
    Q_DISABLE_COPY_MOVE(Handover)

    static QEvent::Type eventType()
    {
        static const auto type = QEvent::Type(QEvent::registerEventType());
        return type;
    }
    qintptr take() { return std::exchange(m_handle, -1); }

private:
    qintptr m_handle;
};

enum class IngestTcpServer::CloseKind : quint8
{
    Open, ///< handed to the HTTP server, guard watching
    Refusing, ///< answered by us: draining input until the peer closes or the linger time ends
    Closing, ///< idle: disconnectFromHost() called, waiting for the write buffer to drain
};

struct IngestTcpServer::Connection
{
    explicit Connection(const RequestGuardLimits &limits)
        : guard(limits)
    { }

    QTcpSocket *socket = nullptr;
    RequestGuard guard;
    CloseKind state = CloseKind::Open;
    bool admitted = true; ///< counted against the cap; false for sockets refused at the cap
    bool refusedAfterAdmission = false; ///< admitted, then refused: closing, no longer under the cap
    bool continueSent = false; ///< "100 Continue" written for the current request
    bool refusePending = false; ///< violation behind complete requests; refuse once Qt answered them
    bool halfClosed = false;
    bool cut = false; ///< aborted; only waiting for the socket to be deleted
    qint64 lastActivityMs = 0; ///< accepted, or the last request completed
    qint64 requestStartMs = 0; ///< the current request's first byte
    qint64 closeDeadlineMs = 0; ///< Refusing/Closing: abort after this
    qint64 lingerLimitMs = 0; ///< Refusing: the deadline never moves past this
    qint64 unreadSeen = 0; ///< bytes still unread in the socket that the guard has already seen
    quint64 handled = 0; ///< requests the HTTP server answered
    quint64 completeBeforeViolation = 0; ///< requests to let Qt answer before refusing
    bool refuseBusy = false; ///< the pending refusal is a 503 for the body budget, not a violation
    bool refusedHead = false; ///< the request refused from its head is a HEAD: answer without a body
    qint64 drained = 0;
    std::uint64_t announcedSeen = 0; ///< the guard's bodyBytesAnnounced() already reserved
    std::uint64_t reserved = 0; ///< bytes held in the body budget
    /// Reservations in request order: (the last request number they cover, bytes); released
    /// once Qt answered that request.
    std::deque<std::pair<quint64, std::uint64_t>> reservations;
    /// How to answer each request whose head passed the guard and that Qt has not answered yet.
    std::deque<ReplyConnection> replies;
};

IngestTcpServer::IngestTcpServer(const IngestConfig &config, IngestShared &shared, QObject *parent)
    : QTcpServer(parent)
    , m_config(config)
    , m_shared(shared)
    , m_counters(shared.counters)
    , m_bodies(shared.bodies)
{
    m_clock.start();
    // Qt listens with a backlog of 50: a burst of more clients connecting at once overflows it,
    // and the kernel resets some of them. Room for every connection the cap allows.
    setListenBacklogSize(std::max(50, config.maxConnections));
    m_sweeper.setInterval(int(std::clamp<qint64>(config.sweepIntervalMs, 10, 60'000)));
    connect(&m_sweeper, &QTimer::timeout, this, &IngestTcpServer::sweep);
    m_sweeper.start();
}

IngestTcpServer::~IngestTcpServer()
{
    m_sweeper.stop();
    // Sockets are our children; delete them while the bookkeeping they report to still exists.
    auto connections = std::move(m_connections);
    m_connections.clear();
    for (auto &[socket, connection] : connections) {
        disconnect(socket, nullptr, this, nullptr);
        socket->abort();
        delete socket;
        releaseBodies(*connection, true);
        if (connection->admitted)
            m_counters.openConnections.fetch_sub(1, std::memory_order_relaxed);
        else if (connection->refusedAfterAdmission)
            m_shared.refusedClosing.fetch_sub(1, std::memory_order_relaxed);
        else
            m_shared.refusingConnections.fetch_sub(1, std::memory_order_relaxed);
    }
}

bool IngestTcpServer::shareListener(qintptr listeningDescriptor, QString *error)
{
#ifdef Q_OS_UNIX
    const int copy = ::fcntl(int(listeningDescriptor), F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    if (!setSocketDescriptor(copy)) {
        if (error)
            *error = errorString();
        ::close(copy);
        return false;
    }
    // Accepting is the listening server's job; this one only adopts what it is handed.
    pauseAccepting();
    m_isWorker = true;
    return true;
#else
    Q_UNUSED(listeningDescriptor);
    if (error)
        *error = QStringLiteral("several ingest threads need a Unix system");
    return false;
#endif
}

void IngestTcpServer::setWorkers(std::vector<IngestTcpServer *> workers)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_workers = std::move(workers);
    m_nextWorker = 0;
}

QTcpSocket *IngestTcpServer::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    if (m_isWorker)
        pauseAccepting();
    return socket;
}

void IngestTcpServer::incomingConnection(qintptr handle)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_workers.size() > 1) {
        IngestTcpServer *target = m_workers[m_nextWorker];
        m_nextWorker = (m_nextWorker + 1) % m_workers.size();
        if (target != this) {
            QCoreApplication::postEvent(target, new Handover(handle));
            return;
        }
    }
    adopt(handle);
}

bool IngestTcpServer::event(QEvent *event)
{
    if (event->type() == Handover::eventType()) {
        adopt(static_cast<Handover *>(event)->take());
        return true;
    }
    return QTcpServer::event(event);
}

void IngestTcpServer::adopt(qintptr handle)
{
    Q_ASSERT(QThread::currentThread() == thread());
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        closeDescriptor(handle);
        return;
    }
    // Qt keeps a request's bytes in a read transaction until it is complete. Until a body is
    // reserved in the budget, only headers (and the start of a body) are read from the kernel;
    // reserveAnnouncedBody() makes room for the body.
    socket->setReadBufferSize(qint64(m_config.limits.maxHeaderBytes) + kReadSlack);

    auto owned = std::make_unique<Connection>(m_config.limits);
    Connection *c = owned.get();
    c->socket = socket;
    c->lastActivityMs = now();
    c->guard.setHeadCheck([this, c](const RequestHead &head) { return checkHead(*c, head); });
    m_connections.emplace(socket, std::move(owned));
    connect(socket, &QObject::destroyed, this, [this, socket] { forget(socket); });

    // The cap counts the connections of every ingest thread.
    if (m_counters.openConnections.fetch_add(1, std::memory_order_relaxed) >= m_config.maxConnections) {
        m_counters.openConnections.fetch_sub(1, std::memory_order_relaxed);
        c->admitted = false;
        // Sockets refused at the cap that are still closing have a bound of their own (the cap
        // again: 500 clients at once all get their 503); beyond, new ones are dropped without an
        // answer so a connection flood cannot hold file descriptors for the linger time.
        if (m_shared.refusingConnections.fetch_add(1, std::memory_order_relaxed) >= m_config.maxConnections) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        connect(socket, &QTcpSocket::readyRead, this, [this, c] { discardInput(*c); });
        connect(socket, &QTcpSocket::bytesWritten, this, [this, c] { halfCloseWhenFlushed(*c); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        refuse(*c,
            HttpResponse::error(503, "server_busy",
                "too many open connections (the limit is " + std::to_string(m_config.maxConnections)
                    + "); retry after 1 s")
                .withHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")));
        return;
    }

    // Order matters: our slot first, then QAbstractHttpServer's (connected inside
    // addPendingConnection()), then ours again to note what Qt left unread.
    connect(socket, &QTcpSocket::readyRead, this, [this, c] { beforeHttp(*c); });
    addPendingConnection(socket);
    connect(socket, &QTcpSocket::readyRead, this, [this, c] { afterHttp(*c); });
    connect(socket, &QTcpSocket::bytesWritten, this, [this, c] { halfCloseWhenFlushed(*c); });
}

bool IngestTcpServer::checkHead(Connection &c, const RequestHead &head)
{
    if (m_authorizer && !m_authorizer(head)) {
        c.refusedHead = head.method == "HEAD";
        return false;
    }
    // RFC 9112 §9.3: HTTP/1.0 closes after each answer unless it asked for keep-alive.
    if (head.connectionClose || (head.http10 && !head.connectionKeepAlive))
        c.replies.push_back(ReplyConnection::Close);
    else
        c.replies.push_back(head.http10 ? ReplyConnection::KeepAliveHttp10 : ReplyConnection::KeepAlive);
    return true;
}

std::optional<IngestTcpServer::ReplyConnection> IngestTcpServer::replyConnection(QTcpSocket *socket) const
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return std::nullopt;
    const std::deque<ReplyConnection> &replies = it->second->replies;
    return replies.empty() ? ReplyConnection::KeepAlive : replies.front();
}

void IngestTcpServer::beforeHttp(Connection &c)
{
    if (!c.socket->isOpen())
        return;
    if (c.state != CloseKind::Open) {
        discardInput(c);
        return;
    }
    // Qt reads inside a transaction and re-emits readyRead for pipelined leftovers, so unread
    // bytes may include some the guard already saw: feed only the new tail.
    QTcpSocket *socket = c.socket;
    const qint64 available = socket->bytesAvailable();
    if (available <= c.unreadSeen) {
        c.unreadSeen = available;
        return;
    }
    if (m_peek.size() < available)
        m_peek.resize(available);
    const qint64 peeked = socket->peek(m_peek.data(), available);
    if (peeked <= c.unreadSeen)
        return;
    const qint64 fresh = peeked - c.unreadSeen;
    const char *freshBytes = m_peek.constData() + c.unreadSeen;
    c.unreadSeen = peeked;
    m_counters.bytesReceived.fetch_add(quint64(fresh), std::memory_order_relaxed);

    const bool wasInRequest = c.guard.inRequest();
    const RequestGuard::Progress progress = c.guard.feed(freshBytes, std::size_t(fresh));
    const qint64 t = now();
    if (progress.completed > 0) {
        c.lastActivityMs = t;
        c.continueSent = false;
    }
    if (c.guard.inRequest() && (!wasInRequest || progress.completed > 0))
        c.requestStartMs = t;

    if (c.guard.hasViolation() || !reserveAnnouncedBody(c)) {
        // Requests completed before the bad one are Qt's to answer first (it parses one request
        // per readyRead and re-emits for the rest); refuse after it did. A body refused for the
        // budget may belong to a request that is already complete: Qt must not answer that one.
        const bool refusedComplete = c.refuseBusy && !c.guard.inBody();
        c.completeBeforeViolation = c.guard.requestsCompleted() - (refusedComplete ? 1 : 0);
        if (c.handled >= c.completeBeforeViolation)
            refuseViolation(c);
        else
            c.refusePending = true;
        return;
    }
    sendContinueIfAwaited(c);
}

void IngestTcpServer::sendContinueIfAwaited(Connection &c)
{
    // Qt 6.4 never answers "Expect: 100-continue"; without this, curl waits a second before
    // sending the body. Only once Qt answered every earlier request, so the interim answer
    // cannot overtake a final one.
    if (c.guard.awaitsContinue() && !c.continueSent && c.handled >= c.guard.requestsCompleted()) {
        c.socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
        c.continueSent = true;
    }
}

void IngestTcpServer::afterHttp(Connection &c)
{
    if (c.state != CloseKind::Open)
        return;
    // A client that sends requests but does not read the answers must not grow our write buffer
    // without bound.
    if (c.socket->bytesToWrite() > m_config.maxUnsentBytes) {
        cut(c);
        return;
    }
    c.unreadSeen = c.socket->bytesAvailable();
    if (c.refusePending && c.handled >= c.completeBeforeViolation)
        refuseViolation(c);
    else
        sendContinueIfAwaited(c);
}

void IngestTcpServer::detachFromHttpServer(Connection &c)
{
    // Qt must not parse (or buffer) anything more from this socket.
    QTcpSocket *socket = c.socket;
    if (m_httpServer && !disconnect(socket, &QTcpSocket::readyRead, m_httpServer, nullptr) && c.admitted)
        qWarning("ingest: could not detach a connection from the HTTP server");
    if (socket->isTransactionStarted())
        socket->commitTransaction();
}

void IngestTcpServer::cut(Connection &c)
{
    // Once is enough: the sweep may find a connection cut from afterHttp() before its socket
    // is gone (a second detach found nothing to detach and warned, seen under ASan timing).
    if (c.cut)
        return;
    c.cut = true;
    detachFromHttpServer(c);
    c.state = CloseKind::Closing;
    c.socket->abort();
    // Qt's HTTP server deletes a socket on disconnected() only when it is not handling a request
    // on it at that moment; make sure it goes.
    c.socket->deleteLater();
}

void IngestTcpServer::requestHandled(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection &c = *it->second;
    ++c.handled;
    if (!c.replies.empty())
        c.replies.pop_front();
    c.lastActivityMs = now();
    releaseBodies(c, false);
    // A limit below what is buffered only stops further reads until Qt takes it.
    socket->setReadBufferSize(qint64(m_config.limits.maxHeaderBytes) + kReadSlack + qint64(c.reserved));
}

bool IngestTcpServer::reserveAnnouncedBody(Connection &c)
{
    const std::uint64_t announced = c.guard.bodyBytesAnnounced();
    if (announced == c.announcedSeen)
        return true;
    const std::uint64_t bytes = announced - c.announcedSeen;
    c.announcedSeen = announced;
    if (!m_bodies.tryReserve(bytes)) {
        c.refuseBusy = true;
        return false;
    }
    c.reserved += bytes;
    c.reservations.emplace_back(c.guard.requestsStarted(), bytes);
    m_counters.bufferedBodyBytes.store(m_bodies.inUse(), std::memory_order_relaxed);
    c.socket->setReadBufferSize(qint64(m_config.limits.maxHeaderBytes) + kReadSlack + qint64(c.reserved));
    return true;
}

void IngestTcpServer::releaseBodies(Connection &c, bool all)
{
    if (c.reservations.empty())
        return;
    while (!c.reservations.empty() && (all || c.reservations.front().first <= c.handled)) {
        m_bodies.release(c.reservations.front().second);
        c.reserved -= c.reservations.front().second;
        c.reservations.pop_front();
    }
    m_counters.bufferedBodyBytes.store(m_bodies.inUse(), std::memory_order_relaxed);
}

void IngestTcpServer::refuseViolation(Connection &c)
{
    c.refusePending = false;
    if (c.refuseBusy) {
        refuse(c,
            HttpResponse::error(503, "server_busy",
                "request bodies of " + std::to_string(m_bodies.capacity() / (1024 * 1024))
                    + " MiB are waiting to be processed; retry after 1 s")
                .withHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")));
        return;
    }
    const RequestGuard &g = c.guard;
    if (g.violation() == RequestGuard::Violation::Unauthorized) {
        refuse(c, HttpResponse::unauthorized());
        return;
    }
    refuse(c, HttpResponse::error(g.violationStatus(), g.violationError(), g.violationDetail()));
}

void IngestTcpServer::refuse(Connection &c, const HttpResponse &response)
{
    QTcpSocket *socket = c.socket;
    detachFromHttpServer(c);
    releaseBodies(c, true); // what still comes is read and dropped, not kept
    socket->setReadBufferSize(kDrainBuffer);
    c.state = CloseKind::Refusing;
    c.closeDeadlineMs = now() + m_config.lingerMs;
    c.lingerLimitMs = now() + kMaxLingers * m_config.lingerMs;
    if (c.admitted) {
        // Closing now: it no longer holds one of the connections the cap allows, so a client
        // that reconnects at once is not refused for a connection it already gave up. The
        // closing ones have a bound of their own: beyond it they get no linger time.
        c.admitted = false;
        c.refusedAfterAdmission = true;
        m_counters.openConnections.fetch_sub(1, std::memory_order_relaxed);
        if (m_shared.refusedClosing.fetch_add(1, std::memory_order_relaxed) >= m_config.maxConnections)
            c.closeDeadlineMs = c.lingerLimitMs = now();
    }
    m_counters.requests.fetch_add(1, std::memory_order_relaxed);
    m_counters.refusedRequests.fetch_add(1, std::memory_order_relaxed);
    socket->write(response.serialize(true, c.refusedHead));
    socket->flush();
    discardInput(c);
    halfCloseWhenFlushed(c);
}

void IngestTcpServer::discardInput(Connection &c)
{
    if (!c.socket->isOpen())
        return;
    // Reading and dropping what the client still sends lets our answer reach it: closing a
    // socket with unread input makes the kernel send RST, which can destroy the answer in flight.
    QTcpSocket *socket = c.socket;
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    const qint64 available = socket->bytesAvailable();
    if (available <= 0)
        return;
    socket->skip(available);
    c.drained += available;
    // The linger time counts from the last byte: a client still sending the body it started
    // before our answer reached it finishes (up to kMaxDrainBytes) and then reads the answer,
    // instead of getting a reset mid-send because a busy thread drained it slowly. A client
    // trickling bytes cannot keep it open: kMaxLingers bounds it.
    if (c.state == CloseKind::Refusing)
        c.closeDeadlineMs = std::max(c.closeDeadlineMs, std::min(now() + m_config.lingerMs, c.lingerLimitMs));
    m_counters.bytesReceived.fetch_add(quint64(available), std::memory_order_relaxed);
    if (c.drained > kMaxDrainBytes)
        cut(c);
}

void IngestTcpServer::halfCloseWhenFlushed(Connection &c)
{
    if (c.state != CloseKind::Refusing || c.halfClosed || c.socket->bytesToWrite() > 0)
        return;
    c.halfClosed = true;
#ifdef Q_OS_UNIX
    // Our answer is complete: send FIN but keep reading until the client closes too (or the
    // linger time ends). QTcpSocket has no half-close of its own.
    ::shutdown(int(c.socket->socketDescriptor()), SHUT_WR);
#else
    c.socket->disconnectFromHost();
#endif
}

void IngestTcpServer::closeIdle(Connection &c)
{
    c.state = CloseKind::Closing;
    c.closeDeadlineMs = now() + m_config.lingerMs;
    c.socket->disconnectFromHost();
}

void IngestTcpServer::sweep()
{
    const qint64 t = now();
    std::vector<Connection *> pendingTooLong, timedOut, idle, expired;
    for (auto &[socket, connection] : m_connections) {
        Connection &c = *connection;
        switch (c.state) {
        case CloseKind::Open:
            if (c.refusePending && t - c.requestStartMs > m_config.requestTimeoutMs)
                pendingTooLong.push_back(&c); // Qt never got to the requests before the bad one
            else if (c.guard.inRequest() && t - c.requestStartMs > m_config.requestTimeoutMs)
                timedOut.push_back(&c);
            else if (!c.guard.inRequest() && t - c.lastActivityMs > m_config.idleTimeoutMs)
                idle.push_back(&c);
            break;
        case CloseKind::Refusing:
        case CloseKind::Closing:
            if (t > c.closeDeadlineMs)
                expired.push_back(&c);
            break;
        }
    }
    for (Connection *c : pendingTooLong)
        refuseViolation(*c);
    for (Connection *c : expired)
        cut(*c);
    for (Connection *c : timedOut)
        refuse(*c,
            HttpResponse::error(408, "request_timeout",
                "the request was not complete within " + durationText(m_config.requestTimeoutMs)));
    for (Connection *c : idle)
        closeIdle(*c);
}

void IngestTcpServer::forget(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    releaseBodies(*it->second, true); // the socket is being destroyed: do not touch it
    if (it->second->admitted)
        m_counters.openConnections.fetch_sub(1, std::memory_order_relaxed);
    else if (it->second->refusedAfterAdmission)
        m_shared.refusedClosing.fetch_sub(1, std::memory_order_relaxed);
    else
        m_shared.refusingConnections.fetch_sub(1, std::memory_order_relaxed);
    m_connections.erase(it);
}

} // namespace perfwatch
