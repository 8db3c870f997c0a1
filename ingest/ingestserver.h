#pragma once

#include "bodybudget.h"
#include "httpresponse.h"
#include "ingestconfig.h"
#include "ingestcounters.h"
#include "overloadpolicy.h"
#include "requestguard.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHttpServerRequest>
#include <QString>
#include <atomic>
#include <functional>
#include <vector>

namespace perfwatch {

class IngestTcpServer;

/// What the servers of all ingest threads share, so that limits and counters are global: the
/// counters (the open-connection count is also what the connection cap is checked against), the
/// overload policy, and the sockets refused at the cap that are still closing. Owned by
/// IngestService; outlives every server.
struct IngestShared
{
    IngestShared(IngestCounters &counters, const IngestConfig &config, int threads)
        : counters(counters)
        , overload(config.maxIngestRequestsPerSecond, config.maxBusyFraction, threads)
        , bodies(config.maxBufferedBodyBytes)
        , threads(threads)
    { }
    Q_DISABLE_COPY_MOVE(IngestShared)

    IngestCounters &counters;
    OverloadPolicy overload;
    std::atomic<int> refusingConnections { 0 }; ///< refused at the cap, still closing
    std::atomic<int> refusedClosing { 0 }; ///< admitted, then refused (limits, body budget), still closing
    BodyBudget bodies; ///< request bodies held in memory over every thread
    const int threads;
};

/// The HTTP server of one ingest thread: routing, auth, load shedding and replies.
///
/// Routing is our own (a path -> method -> handler table) rather than QHttpServer's, so a wrong
/// method on a known path is 405 with an Allow header, an unknown path 404, and every error the
/// same JSON shape. Handlers run synchronously on this server's thread (Qt 6.4's asynchronous
/// replies are unsafe) and return an HttpResponse that is written through makeResponder() with
/// an explicit MIME type. Limits below HTTP (body size, header size, timeouts, connection cap)
/// are IngestTcpServer's.
///
/// HEAD is answered on every GET route as GET would be, without the body (RFC 9110 §9.3.2). A
/// token, when configured, is checked twice: from the request's head by IngestTcpServer (401
/// and close before the body is read) and again here.
///
/// Every ingest thread has one, with the same routes. The server of thread 0 listens (start());
/// the others (startWorker()) serve the connections it hands over to them.
class IngestServer final : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Handler = std::function<HttpResponse(const QHttpServerRequest &request)>;
    /// Write routes are subject to the overload policy; reads never are. Public routes (the
    /// static files of the web page) are served without the bearer token, so a browser can load
    /// the page that then asks for the token.
    enum class RouteKind : quint8
    {
        Read,
        Write,
        Public
    };

    /// `threadIndex`: the ingest thread this server runs on (0 listens).
    IngestServer(const IngestConfig &config, IngestShared &shared, int threadIndex = 0, QObject *parent = nullptr);
    ~IngestServer() override;

    void addRoute(
        const QString &path, QHttpServerRequest::Method method, Handler handler, RouteKind kind = RouteKind::Read);

    /// Listens on the configured address and port. Returns the port, or 0 with a one-line error
    /// (a busy port names the --port flag).
    quint16 start(QString *error);
    /// Serves connections that the listening server hands over (see IngestTcpServer), sharing its
    /// listening socket `listeningDescriptor`. False with a one-line error when that fails.
    bool startWorker(qintptr listeningDescriptor, QString *error);

    const IngestConfig &config() const { return m_config; }
    IngestCounters &counters() { return m_shared.counters; }
    IngestTcpServer *tcpServer() const { return m_tcp; }
    /// Which ingest thread this server runs on; 0 is the one that listens. Route installers use
    /// it for what must exist once per process rather than once per thread.
    int threadIndex() const { return m_threadIndex; }

    /// One registered route, for tests that must cover every route (auth, Host check).
    struct RouteInfo
    {
        QString path;
        QHttpServerRequest::Method method;
        RouteKind kind;
    };
    /// Every route added so far. Read it after start() (routes are added before listening).
    std::vector<RouteInfo> routes() const;

    /// Upper-case method name ("GET"), as used in Allow headers.
    static QByteArray methodName(QHttpServerRequest::Method method);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Route
    {
        QHttpServerRequest::Method method;
        Handler handler;
        RouteKind kind;
    };

    HttpResponse dispatch(const QHttpServerRequest &request);
    bool authorized(const QHttpServerRequest &request) const;
    /// Whether `authorization` (an Authorization header value) carries the token.
    bool tokenMatches(QByteArrayView authorization) const;
    /// Whether `method` on `path` is a public route (HEAD counts as the GET it stands for).
    bool isPublic(const QString &path, QHttpServerRequest::Method method) const;
    /// IngestTcpServer's check of a request's head, before its body is read.
    bool headAuthorized(const RequestHead &head) const;
    /// Connects `tcp` to this server: the HTTP server it hands sockets to, the head check.
    void attach(IngestTcpServer *tcp);
    void reply(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response);

    IngestConfig m_config;
    IngestShared &m_shared;
    int m_threadIndex;
    QHash<QString, std::vector<Route>> m_routes;
    QByteArray m_tokenDigest; ///< SHA-256 of the token; empty when no auth is needed
    IngestTcpServer *m_tcp = nullptr;
    IngestTcpServer *m_tcp6 = nullptr; ///< [::1] at the same port, when bound to 127.0.0.1
};

} // namespace perfwatch
