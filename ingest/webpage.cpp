#include "webpage.h"

#include "ingestserver.h"

#include <QFile>
#include <QHttpServerRequest>

namespace perfwatch {

using namespace Qt::StringLiterals;

QByteArray WebPage::html()
{
    // Read once: the resource is compiled in and never changes.
    static const QByteArray bytes = [] {
        QFile file(u":/perfwatch/web/performance.html"_s);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }();
    return bytes;
}

HttpResponse WebPage::page()
{
    const QByteArray body = html();
    if (body.isEmpty())
        return HttpResponse::error(500, "internal_error", "the web page is missing from this build");
    HttpResponse response;
    response.status = 200;
    response.mimeType = QByteArrayLiteral("text/html; charset=utf-8");
    response.body = body;
    // Everything the page needs is inline; it talks only to this server.
    response
        .withHeader(QByteArrayLiteral("Content-Security-Policy"),
            QByteArrayLiteral("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                              "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                              "frame-ancestors 'none'"))
        .withHeader(QByteArrayLiteral("X-Content-Type-Options"), QByteArrayLiteral("nosniff"))
        .withHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"))
        .withHeader(QByteArrayLiteral("Referrer-Policy"), QByteArrayLiteral("no-referrer"));
    return response;
}

void WebPage::install(IngestServer &server)
{
    const auto get = QHttpServerRequest::Method::Get;
    const auto servePage = [](const QHttpServerRequest &) { return page(); };
    server.addRoute(u"/performance"_s, get, servePage, IngestServer::RouteKind::Public);
    server.addRoute(u"/performance/"_s, get, servePage, IngestServer::RouteKind::Public);
    server.addRoute(
        u"/"_s, get,
        [](const QHttpServerRequest &) {
            HttpResponse response;
            response.status = 302;
            response.mimeType = QByteArrayLiteral("text/plain; charset=utf-8");
            response.body = QByteArrayLiteral("See /performance\n");
            response.withHeader(QByteArrayLiteral("Location"), QByteArrayLiteral("/performance"));
            return response;
        },
        IngestServer::RouteKind::Public);
}

} // namespace perfwatch
