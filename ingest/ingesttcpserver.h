#pragma once

#include "bodybudget.h"
#include "httpresponse.h"
#include "ingestconfig.h"
#include "ingestcounters.h"
#include "requestguard.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

class QTcpSocket;

namespace perfwatch {

struct IngestShared;

/// The listening socket under the ingest HTTP server: enforces the limits Qt 6.4's server lacks.
///
/// Every accepted socket gets a RequestGuard whose readyRead slot is connected before the socket
/// is handed to QAbstractHttpServer (addPendingConnection() makes the server connect its own
/// slot right away), so the guard sees every byte before Qt parses it. On a violation (431, 413,
/// 401, 400) the guard disconnects the socket from the HTTP server, answers itself and drains the
/// rest without buffering it. Connections beyond the cap get 503; idle and slow ones are closed
/// by one sweep timer. Lives on its ingest thread like the HTTP server it feeds. With an
/// authorizer (a token is configured), a request without the token is answered 401 from its
/// headers and the connection closed: its body is never read into memory nor reserved.
///
/// With several ingest threads, thread 0's server listens and accepts; it hands each accepted
/// socket descriptor round-robin to one of the servers (itself included), and each adopts its
/// sockets on its own thread: the guard, cap and timeouts run there and its HTTP server answers.
/// The cap and the counters are global (IngestShared).
class IngestTcpServer final : public QTcpServer
{
    Q_OBJECT
public:
    IngestTcpServer(const IngestConfig &config, IngestShared &shared, QObject *parent = nullptr);
    ~IngestTcpServer() override;

    /// Makes this a worker: it shares the listening socket `listeningDescriptor` (a duplicate
    /// descriptor, so QAbstractHttpServer::bind() sees a listening server) but never accepts on it;
    /// it only adopts the sockets handed to it. False with a one-line error when that fails.
    bool shareListener(qintptr listeningDescriptor, QString *error);
    /// Listening server only: the servers accepted sockets are handed to in turn, this one
    /// included. Call on this server's thread; the others must outlive it.
    void setWorkers(std::vector<IngestTcpServer *> workers);
    /// A worker's accepting stays paused (QTcpServer's own version resumes it).
    QTcpSocket *nextPendingConnection() override;

    /// The HTTP server the sockets are handed to; its readyRead connections are cut on refusal.
    void setHttpServer(QObject *httpServer) { m_httpServer = httpServer; }
    /// Decides from a request's head whether it carries what the route needs (the token); a
    /// request it refuses gets 401 before its body is read. Unset: every request goes on.
    using Authorizer = std::function<bool(const RequestHead &head)>;
    void setAuthorizer(Authorizer authorizer) { m_authorizer = std::move(authorizer); }
    /// Told by the HTTP server after it answered a request on `socket`.
    void requestHandled(QTcpSocket *socket);

    /// What the answer to the next request on a connection says about the connection.
    enum class ReplyConnection : quint8
    {
        KeepAlive, ///< HTTP/1.1: persistent unless told otherwise, nothing to say
        KeepAliveHttp10, ///< HTTP/1.0 that asked for keep-alive: "Connection: keep-alive"
        Close, ///< "Connection: close", or HTTP/1.0 without keep-alive: close after the answer
    };
    /// For the request the HTTP server answers next on `socket`; nullopt when the socket is not
    /// this server's.
    std::optional<ReplyConnection> replyConnection(QTcpSocket *socket) const;

protected:
    void incomingConnection(qintptr handle) override;
    bool event(QEvent *event) override;

private:
    struct Connection;
    enum class CloseKind : quint8;
    class Handover;

    /// Takes on an accepted socket: cap, guard, timeouts, then the HTTP server.
    void adopt(qintptr handle);
    bool checkHead(Connection &c, const RequestHead &head);
    void beforeHttp(Connection &c);
    void afterHttp(Connection &c);
    void sendContinueIfAwaited(Connection &c);
    void detachFromHttpServer(Connection &c);
    /// Closes at once (RST); for clients that broke the rules of a graceful close.
    void cut(Connection &c);
    void refuse(Connection &c, const HttpResponse &response);
    void refuseViolation(Connection &c);
    bool reserveAnnouncedBody(Connection &c);
    void releaseBodies(Connection &c, bool all);
    void discardInput(Connection &c);
    void halfCloseWhenFlushed(Connection &c);
    void closeIdle(Connection &c);
    void sweep();
    void forget(QTcpSocket *socket);
    qint64 now() const { return m_clock.elapsed(); }

    IngestConfig m_config;
    IngestShared &m_shared;
    IngestCounters &m_counters;
    QObject *m_httpServer = nullptr;
    Authorizer m_authorizer;
    std::unordered_map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;
    std::vector<IngestTcpServer *> m_workers; ///< listening server: hand-over targets, in turn
    std::size_t m_nextWorker = 0;
    bool m_isWorker = false;
    QTimer m_sweeper;
    QElapsedTimer m_clock;
    QByteArray m_peek; ///< reused buffer for peeking at unread bytes
    BodyBudget &m_bodies; ///< shared by every ingest thread (IngestShared)
};

} // namespace perfwatch
