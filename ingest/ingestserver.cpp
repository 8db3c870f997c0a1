#include "ingestserver.h"

#include "ingesttcpserver.h"
#include "listenerror.h"
#include "otlptraceendpoint.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QTcpSocket>
#include <QThread>
#include <QUrl>
#include <algorithm>
#include <exception>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

QByteArray sha256(QByteArrayView bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

/// Compares two digests of equal length without an early exit.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

/// The method Qt 6.4's request parser gives `name` (QHttpServerRequestPrivate::parseRequestLine).
QHttpServerRequest::Method methodFromName(std::string_view name)
{
    using Method = QHttpServerRequest::Method;
    static constexpr std::pair<std::string_view, Method> kMethods[] = { { "GET", Method::Get }, { "PUT", Method::Put },
        { "DELETE", Method::Delete }, { "POST", Method::Post }, { "HEAD", Method::Head },
        { "OPTIONS", Method::Options }, { "PATCH", Method::Patch }, { "CONNECT", Method::Connect } };
    for (const auto &[n, method] : kMethods) {
        if (n == name)
            return method;
    }
    return Method::Unknown;
}

std::string toStd(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    return std::string(utf8.constData(), std::size_t(utf8.size()));
}

} // namespace

IngestServer::IngestServer(const IngestConfig &config, IngestShared &shared, int threadIndex, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_config(config)
    , m_shared(shared)
    , m_threadIndex(threadIndex)
{
    // Bound to loopback, only local clients can connect, but a web page can still reach us through
    // DNS rebinding (evil.example resolving to 127.0.0.1): the Host header tells the two apart.
    m_config.limits.loopbackHostOnly = m_config.address.isLoopback();
    // Hashing both sides makes the comparison independent of the token's length as well.
    if (!config.token.isEmpty())
        m_tokenDigest = sha256(config.token);
}

IngestServer::~IngestServer() = default;

void IngestServer::addRoute(const QString &path, QHttpServerRequest::Method method, Handler handler, RouteKind kind)
{
    m_routes[path].push_back(Route { method, std::move(handler), kind });
}

quint16 IngestServer::start(QString *error)
{
    const QString address = m_config.address.toString();
    if (!m_config.address.isLoopback() && m_config.token.isEmpty()) {
        if (error)
            *error = u"binding %1 requires a token; set one with --token or PERFWATCH_TOKEN"_s.arg(address);
        return 0;
    }
    auto *tcp = new IngestTcpServer(m_config, m_shared, this);
    if (!tcp->listen(m_config.address, m_config.port)) {
        if (error) {
            if (tcp->serverError() == QAbstractSocket::AddressInUseError)
                *error
                    = u"port %1 on %2 is already in use; choose another with --port"_s.arg(m_config.port).arg(address);
            else if (tcp->serverError() == QAbstractSocket::SocketAddressNotAvailableError)
                *error = addressNotOnThisHostError(m_config.address);
            else
                *error = u"cannot listen on %1 port %2: %3"_s.arg(address).arg(m_config.port).arg(tcp->errorString());
        }
        delete tcp;
        return 0;
    }
    attach(tcp);
    m_tcp = tcp;
    const quint16 port = tcp->serverPort();

    // Bound to 127.0.0.1 (the default), also answer on [::1] at the same port when it is free:
    // clients that resolve "localhost" to ::1 first and do not fall back (Node 18's fetch/http, so
    // an OpenTelemetry JS exporter with its default endpoint) would otherwise be refused. Best
    // effort: without IPv6, or with the port taken there, IPv4 alone serves as before.
    if (m_config.address == QHostAddress(QHostAddress::LocalHost)) {
        auto *tcp6 = new IngestTcpServer(m_config, m_shared, this);
        if (tcp6->listen(QHostAddress::LocalHostIPv6, port)) {
            attach(tcp6);
            m_tcp6 = tcp6;
        } else {
            delete tcp6;
        }
    }
    return port;
}

bool IngestServer::startWorker(qintptr listeningDescriptor, QString *error)
{
    auto *tcp = new IngestTcpServer(m_config, m_shared, this);
    QString why;
    if (!tcp->shareListener(listeningDescriptor, &why)) {
        if (error)
            *error = u"cannot start ingest thread %1: %2"_s.arg(m_threadIndex).arg(why);
        delete tcp;
        return false;
    }
    attach(tcp);
    m_tcp = tcp;
    return true;
}

void IngestServer::attach(IngestTcpServer *tcp)
{
    tcp->setHttpServer(this);
    if (!m_tokenDigest.isEmpty())
        tcp->setAuthorizer([this](const RequestHead &head) { return headAuthorized(head); });
    bind(tcp);
}

std::vector<IngestServer::RouteInfo> IngestServer::routes() const
{
    std::vector<RouteInfo> out;
    for (auto it = m_routes.constBegin(); it != m_routes.constEnd(); ++it) {
        for (const Route &r : it.value())
            out.push_back(RouteInfo { it.key(), r.method, r.kind });
    }
    return out;
}

QByteArray IngestServer::methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QByteArrayLiteral("GET");
    case QHttpServerRequest::Method::Put:
        return QByteArrayLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QByteArrayLiteral("DELETE");
    case QHttpServerRequest::Method::Post:
        return QByteArrayLiteral("POST");
    case QHttpServerRequest::Method::Head:
        return QByteArrayLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QByteArrayLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QByteArrayLiteral("PATCH");
    case QHttpServerRequest::Method::Connect:
        return QByteArrayLiteral("CONNECT");
    case QHttpServerRequest::Method::Trace:
        return QByteArrayLiteral("TRACE");
    default:
        return QByteArrayLiteral("UNKNOWN");
    }
}

bool IngestServer::authorized(const QHttpServerRequest &request) const
{
    return m_tokenDigest.isEmpty() || tokenMatches(request.value(QByteArrayLiteral("Authorization")));
}

bool IngestServer::tokenMatches(QByteArrayView authorization) const
{
    const QByteArrayView header = authorization.trimmed();
    constexpr QByteArrayView scheme = "bearer ";
    if (header.size() <= scheme.size() || header.first(scheme.size()).toByteArray().toLower() != scheme)
        return false;
    return constantTimeEquals(sha256(header.sliced(scheme.size()).trimmed()), m_tokenDigest);
}

bool IngestServer::isPublic(const QString &path, QHttpServerRequest::Method method) const
{
    if (method == QHttpServerRequest::Method::Head)
        method = QHttpServerRequest::Method::Get;
    const auto it = m_routes.constFind(path);
    return it != m_routes.constEnd() && std::any_of(it->begin(), it->end(), [&](const Route &r) {
        return r.kind == RouteKind::Public && r.method == method;
    });
}

bool IngestServer::headAuthorized(const RequestHead &head) const
{
    if (m_tokenDigest.isEmpty())
        return true;
    // The path as Qt's parser will give it to dispatch() (QUrl::fromEncoded, decoded path).
    const QByteArray target(head.target.data(), qsizetype(head.target.size()));
    const QString path = QUrl::fromEncoded(target).path();
    return isPublic(path, methodFromName(head.method))
        || tokenMatches(QByteArrayView(head.authorization.data(), qsizetype(head.authorization.size())));
}

HttpResponse IngestServer::dispatch(const QHttpServerRequest &request)
{
    const QString path = request.url().path();
    const auto it = m_routes.constFind(path);
    if (!isPublic(path, request.method()) && !authorized(request))
        return HttpResponse::unauthorized();
    if (it == m_routes.constEnd())
        return HttpResponse::error(404, "not_found", "no route for " + toStd(path));
    const Route *route = nullptr;
    const Route *get = nullptr;
    bool hasHead = false;
    QByteArray allow;
    for (const Route &r : *it) {
        if (r.method == request.method())
            route = &r;
        if (r.method == QHttpServerRequest::Method::Get)
            get = &r;
        hasHead = hasHead || r.method == QHttpServerRequest::Method::Head;
        allow += (allow.isEmpty() ? "" : ", ") + methodName(r.method);
    }
    // HEAD is GET without the body (RFC 9110 §9.3.2): reply() leaves the body out.
    if (get && !hasHead) {
        allow += ", HEAD";
        if (!route && request.method() == QHttpServerRequest::Method::Head)
            route = get;
    }
    if (!route) {
        return HttpResponse::error(405, "method_not_allowed",
            methodName(request.method()).toStdString() + " is not allowed on " + toStd(path) + "; use "
                + allow.toStdString())
            .withHeader(QByteArrayLiteral("Allow"), allow);
    }

    if (route->kind == RouteKind::Write) {
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        // OTLP exporters read the answer in their own encoding (google.rpc.Status with RetryInfo).
        const bool otlp = path.startsWith(u"/v1/");
        const auto shed = [&](int status, std::string_view error, const std::string &detail) {
            return otlp ? OtlpTraceEndpoint::retryLater(request, status, error, detail, 1)
                        : HttpResponse::error(status, error, detail)
                              .withHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1"));
        };
        switch (m_shared.overload.admit(nowMs)) {
        case OverloadPolicy::Verdict::Admit:
            break;
        case OverloadPolicy::Verdict::TooManyRequests:
            return shed(429, "too_many_requests",
                "more than " + std::to_string(m_config.maxIngestRequestsPerSecond)
                    + " ingest requests per second; batch more events per request");
        case OverloadPolicy::Verdict::Busy:
            return shed(503, "server_busy", "the store is not keeping up; retry after 1 s");
        }
        QElapsedTimer busy;
        busy.start();
        HttpResponse response = route->handler(request);
        m_shared.overload.recordWork(QDateTime::currentMSecsSinceEpoch(), busy.nsecsElapsed());
        return response;
    }
    return route->handler(request);
}

bool IngestServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    Q_ASSERT(QThread::currentThread() == thread());
    HttpResponse response;
    try {
        response = dispatch(request);
    } catch (const std::bad_alloc &) {
        response = HttpResponse::error(503, "server_busy", "out of memory; retry later")
                       .withHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5"));
    } catch (const std::exception &e) {
        response = HttpResponse::error(500, "internal_error", e.what());
    }
    reply(request, socket, response);
    return true;
}

void IngestServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Not reached: handleRequest() answers everything. Kept total for safety.
    reply(request, socket, HttpResponse::error(404, "not_found", "no route for " + toStd(request.url().path())));
}

void IngestServer::reply(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response)
{
    // Qt 6.4 ignores "Connection: close" and HTTP/1.0's default of closing; honour both so such
    // clients are not left waiting for an end that never comes. The guard saw the version.
    IngestTcpServer::ReplyConnection connection = IngestTcpServer::ReplyConnection::KeepAlive;
    for (IngestTcpServer *tcp : { m_tcp, m_tcp6 }) {
        if (const auto known = tcp ? tcp->replyConnection(socket) : std::nullopt)
            connection = *known;
    }
    const bool close = connection == IngestTcpServer::ReplyConnection::Close
        || request.value(QByteArrayLiteral("Connection")).toLower().contains("close");
    {
        QHttpServerResponder responder = makeResponder(request, socket);
        responder.writeStatusLine(QHttpServerResponder::StatusCode(response.status));
        responder.writeHeader(QByteArrayLiteral("Content-Type"), response.mimeType);
        for (const auto &[name, value] : response.headers)
            responder.writeHeader(name, value);
        responder.writeHeader(QByteArrayLiteral("Content-Length"), QByteArray::number(response.body.size()));
        if (close)
            responder.writeHeader(QByteArrayLiteral("Connection"), QByteArrayLiteral("close"));
        else if (connection == IngestTcpServer::ReplyConnection::KeepAliveHttp10)
            responder.writeHeader(QByteArrayLiteral("Connection"), QByteArrayLiteral("keep-alive"));
        // A HEAD answer has the headers of the GET answer, Content-Length included, and no body.
        responder.writeBody(request.method() == QHttpServerRequest::Method::Head ? QByteArray() : response.body);
    }
    if (close)
        socket->disconnectFromHost();

    m_shared.counters.requests.fetch_add(1, std::memory_order_relaxed);
    if (response.status >= 400)
        m_shared.counters.refusedRequests.fetch_add(1, std::memory_order_relaxed);
    for (IngestTcpServer *tcp : { m_tcp, m_tcp6 }) {
        if (tcp)
            tcp->requestHandled(socket); // a no-op on the server the socket does not belong to
    }
}

} // namespace perfwatch
