#pragma once

#include "httpresponse.h"
#include "ingestconfig.h"
#include "ingestcounters.h"
#include "overloadpolicy.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHttpServerRequest>
#include <QString>
#include <functional>
#include <vector>

namespace perfwatch {

class IngestTcpServer;

/// The HTTP server of the ingest port: routing, auth, load shedding and replies.
///
/// Routing is our own (a path -> method -> handler table) rather than QHttpServer's, so a wrong
/// method on a known path is 405 with an Allow header, an unknown path 404, and every error the
/// same JSON shape. Handlers run synchronously on the ingest thread (Qt 6.4's asynchronous
/// replies are unsafe) and return an HttpResponse that is written through makeResponder() with
/// an explicit MIME type. Limits below HTTP (body size, header size, timeouts, connection cap)
/// are IngestTcpServer's.
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

    IngestServer(const IngestConfig &config, IngestCounters &counters, QObject *parent = nullptr);
    ~IngestServer() override;

    void addRoute(
        const QString &path, QHttpServerRequest::Method method, Handler handler, RouteKind kind = RouteKind::Read);

    /// Listens on the configured address and port. Returns the port, or 0 with a one-line error
    /// (a busy port names the --port flag).
    quint16 start(QString *error);

    const IngestConfig &config() const { return m_config; }
    IngestCounters &counters() { return m_counters; }
    IngestTcpServer *tcpServer() const { return m_tcp; }

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
    void reply(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response);

    IngestConfig m_config;
    IngestCounters &m_counters;
    QHash<QString, std::vector<Route>> m_routes;
    QByteArray m_tokenDigest; ///< SHA-256 of the token; empty when no auth is needed
    OverloadPolicy m_overload;
    IngestTcpServer *m_tcp = nullptr;
};

} // namespace perfwatch
