// Security of the ingest port (docs/DESIGN.md §14, issue 6 item 7): the Host check against DNS rebinding
// on loopback, the token on every route, the token file's permissions, and no CORS headers.
// Servers listen on port 0 and are driven over real HTTP with raw bytes.

#include "appsettings.h"
#include "engine.h"
#include "httptestclient.h"
#include "ingestserver.h"
#include "ingestservice.h"
#include "performanceroutes.h"
#include "requestguard.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <sys/stat.h>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kToken = "s3cret-token-0123456789-abcdefghijklmnopqrstuv";

/// Requests that match no route: auth comes before routing, so an unknown path or a wrong method
/// must not tell a client without the token anything either. The routes themselves come from the
/// server (IngestServer::routes()), so a route added later is covered too.
const QList<QPair<QByteArray, QByteArray>> kNoRoutes {
    { "DELETE", "/api/performance/health" },
    { "GET", "/no/such/route" },
    { "OPTIONS", "/api/performance/ingest" },
};

/// The web page's static files: served without the token (the page then asks for it).
const QStringList kPublicPaths { u"/"_s, u"/performance"_s, u"/performance/"_s };

QByteArray requestFor(const QByteArray &method, const QByteArray &path, const QByteArray &headers)
{
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers;
    if (method == "POST") {
        const QByteArray body = path == "/api/performance/ingest" ? R"({"type":"gauge","name":"g","value":1})" : "{}";
        return r + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
            + body;
    }
    return r + "\r\n";
}

int fileMode(const QString &path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

} // namespace

class tst_Security : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void loopbackHostNames_data();
    void loopbackHostNames();
    void hostHeaderOnLoopback_data();
    void hostHeaderOnLoopback();
    void rebindingRequestStoresNothing();
    void offLoopbackHasNoHostCheckButNeedsTheToken();
    void tokenOnEveryRoute_data();
    void tokenOnEveryRoute();
    void offLoopbackWithoutTokenDoesNotStart();
    void tokenFileIsPrivate();
    void noCorsHeaders();

private:
    quint16 start(const QHostAddress &address, const QByteArray &token = {});
    int storedEvents() const;

    std::unique_ptr<PerformanceEngine> m_engine;
    std::unique_ptr<IngestService> m_service;
    std::vector<IngestServer::RouteInfo> m_routes; ///< as registered on the first ingest thread
};

void tst_Security::init()
{
    m_engine = std::make_unique<PerformanceEngine>(EngineConfig {});
    QVERIFY(m_engine->start());
}

void tst_Security::cleanup()
{
    m_service.reset();
    m_engine.reset();
}

quint16 tst_Security::start(const QHostAddress &address, const QByteArray &token)
{
    m_service = std::make_unique<IngestService>([this, engine = m_engine.get()](IngestServer &server) {
        PerformanceRoutes::install(server, *engine);
        if (server.threadIndex() == 0)
            m_routes = server.routes();
    });
    IngestConfig config;
    config.address = address;
    config.port = 0;
    config.token = token;
    QString error;
    const quint16 port = m_service->start(config, &error);
    if (port == 0)
        qWarning("cannot start: %s", qPrintable(error));
    return port;
}

int tst_Security::storedEvents() const
{
    return int(m_engine->store().counters().events);
}

void tst_Security::loopbackHostNames_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("127.0.0.1:4318") << QByteArray("127.0.0.1:4318") << true;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << true;
    QTest::newRow("localhost:4318") << QByteArray("localhost:4318") << true;
    QTest::newRow("LocalHost:1") << QByteArray("LocalHost:1") << true;
    QTest::newRow("[::1]:4318") << QByteArray("[::1]:4318") << true;
    QTest::newRow("[::1]") << QByteArray("[::1]") << true;
    QTest::newRow("127.8.9.10:65535") << QByteArray("127.8.9.10:65535") << true;
    QTest::newRow("empty") << QByteArray("") << false;
    QTest::newRow("evil.example:4318") << QByteArray("evil.example:4318") << false;
    QTest::newRow("localhost.evil.example") << QByteArray("localhost.evil.example") << false;
    QTest::newRow("127.0.0.1.nip.io:4318") << QByteArray("127.0.0.1.nip.io:4318") << false;
    QTest::newRow("localhost.:4318 (trailing dot)") << QByteArray("localhost.:4318") << false;
    QTest::newRow("port 65536") << QByteArray("127.0.0.1:65536") << false;
    QTest::newRow("empty port") << QByteArray("localhost:") << false;
    QTest::newRow("port with letters") << QByteArray("localhost:43a8") << false;
    QTest::newRow("user info") << QByteArray("evil@127.0.0.1:4318") << false;
    QTest::newRow("0.0.0.0") << QByteArray("0.0.0.0:4318") << false;
    QTest::newRow("LAN address") << QByteArray("192.168.1.20:4318") << false;
    QTest::newRow("[::2]") << QByteArray("[::2]:4318") << false;
    QTest::newRow("[::1] junk") << QByteArray("[::1]x") << false;
    QTest::newRow("unclosed bracket") << QByteArray("[::1:4318") << false;
    QTest::newRow("leading zero") << QByteArray("127.0.0.01") << false;
    QTest::newRow("octet 256") << QByteArray("127.0.0.256") << false;
    QTest::newRow("three octets") << QByteArray("127.0.1") << false;
    QTest::newRow("five octets") << QByteArray("127.0.0.1.1") << false;
    QTest::newRow("decimal form") << QByteArray("2130706433") << false;
}

void tst_Security::loopbackHostNames()
{
    QFETCH(QByteArray, host);
    QFETCH(bool, loopback);
    QCOMPARE(isLoopbackHost(std::string_view(host.constData(), std::size_t(host.size()))), loopback);
}

void tst_Security::hostHeaderOnLoopback_data()
{
    QTest::addColumn<QByteArray>("head"); // request line and headers, without the final CRLF
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("error");
    const QByteArray get = "GET /api/performance/health HTTP/1.1\r\n";
    QTest::newRow("127.0.0.1:PORT") << get + "Host: 127.0.0.1:PORT\r\n" << 200 << QByteArray();
    QTest::newRow("localhost:PORT") << get + "Host: localhost:PORT\r\n" << 200 << QByteArray();
    QTest::newRow("[::1]:PORT") << get + "Host: [::1]:PORT\r\n" << 200 << QByteArray();
    QTest::newRow("HTTP/1.0 without Host")
        << QByteArray("GET /api/performance/health HTTP/1.0\r\n") << 200 << QByteArray();
    QTest::newRow("HTTP/1.1 without Host") << get << 400 << QByteArray("bad_request");
    QTest::newRow("rebound name") << get + "Host: evil.example:PORT\r\n" << 421 << QByteArray("misdirected_request");
    QTest::newRow("rebound name, HTTP/1.0")
        << QByteArray("GET /api/performance/health HTTP/1.0\r\nHost: evil.example\r\n") << 421
        << QByteArray("misdirected_request");
    QTest::newRow("LAN address") << get + "Host: 192.168.0.7:PORT\r\n" << 421 << QByteArray("misdirected_request");
    QTest::newRow("two Hosts") << get + "Host: 127.0.0.1:PORT\r\nHost: evil.example\r\n"
                               << 400 << QByteArray("bad_request");
    QTest::newRow("absolute-form target")
        << QByteArray("GET http://evil.example/api/performance/health HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n") << 421
        << QByteArray("misdirected_request");
    QTest::newRow("unknown path, rebound")
        << QByteArray("GET /nope HTTP/1.1\r\nHost: evil.example\r\n") << 421 << QByteArray("misdirected_request");
}

void tst_Security::hostHeaderOnLoopback()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    QFETCH(QByteArray, error);
    const quint16 port = start(QHostAddress(QHostAddress::LocalHost));
    QVERIFY(port != 0);
    HttpTestClient client(port);
    const auto reply = client.request(head.replace("PORT", QByteArray::number(port)) + "\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    if (status != 200) {
        QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(reply->json().value(u"error"_s).toString().toUtf8(), error);
        QVERIFY(!reply->json().value(u"detail"_s).toString().isEmpty());
        QVERIFY(client.waitForClosed()); // refused at the framing layer: the connection ends
    } else {
        QVERIFY(reply->json().contains(u"performance_score"_s));
    }
}

void tst_Security::rebindingRequestStoresNothing()
{
    const quint16 port = start(QHostAddress(QHostAddress::LocalHost));
    QVERIFY(port != 0);
    const QByteArray body = R"({"type":"api","method":"GET","route":"/x","duration_ms":5,"status":200})";
    const QByteArray tail = "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body;
    {
        HttpTestClient client(port);
        const auto reply = client.request(
            "POST /api/performance/ingest HTTP/1.1\r\nHost: attacker.example:" + QByteArray::number(port) + tail);
        QVERIFY(reply);
        QCOMPARE(reply->status, 421);
    }
    QCOMPARE(storedEvents(), 0);
    HttpTestClient client(port);
    const auto reply
        = client.request("POST /api/performance/ingest HTTP/1.1\r\nHost: localhost:" + QByteArray::number(port) + tail);
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    QCOMPARE(storedEvents(), 1);
}

void tst_Security::offLoopbackHasNoHostCheckButNeedsTheToken()
{
    // Off loopback the server is reached by whatever name the network gives it; the token guards it.
    const quint16 port = start(QHostAddress(QHostAddress::AnyIPv4), kToken);
    QVERIFY(port != 0);
    HttpTestClient client(port);
    auto reply = client.request("GET /api/performance/health HTTP/1.1\r\nHost: perfwatch.lan:"
        + QByteArray::number(port) + "\r\nAuthorization: Bearer " + kToken + "\r\n\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    reply = client.request(
        "GET /api/performance/health HTTP/1.1\r\nHost: perfwatch.lan:" + QByteArray::number(port) + "\r\n\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, 401);
}

void tst_Security::tokenOnEveryRoute_data()
{
    QTest::addColumn<bool>("offLoopback");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<bool>("allowed");
    for (const bool off : { false, true }) {
        const char *where = off ? "0.0.0.0" : "127.0.0.1";
        QTest::addRow("%s, no header", where) << off << QByteArray() << false;
        QTest::addRow("%s, right token", where) << off << "Bearer " + kToken << true;
        QTest::addRow("%s, scheme in lower case", where) << off << "bearer " + kToken << true;
        QTest::addRow("%s, same length, last byte wrong", where)
            << off << "Bearer " + kToken.first(kToken.size() - 1) + 'w' << false;
        QTest::addRow("%s, prefix of the token", where) << off << "Bearer " + kToken.first(10) << false;
        QTest::addRow("%s, token plus one byte", where) << off << "Bearer " + kToken + 'x' << false;
        QTest::addRow("%s, empty token", where) << off << QByteArray("Bearer ") << false;
        QTest::addRow("%s, Basic scheme", where) << off << "Basic " + kToken << false;
        QTest::addRow("%s, token without scheme", where) << off << kToken << false;
    }
}

void tst_Security::tokenOnEveryRoute()
{
    QFETCH(bool, offLoopback);
    QFETCH(QByteArray, authorization);
    QFETCH(bool, allowed);
    const quint16 port
        = start(offLoopback ? QHostAddress(QHostAddress::AnyIPv4) : QHostAddress(QHostAddress::LocalHost), kToken);
    QVERIFY(port != 0);
    const QByteArray header = authorization.isNull() ? QByteArray() : "Authorization: " + authorization + "\r\n";
    QList<QPair<QByteArray, QByteArray>> requests = kNoRoutes;
    QStringList publicPaths;
    for (const IngestServer::RouteInfo &route : m_routes) {
        if (route.kind == IngestServer::RouteKind::Public) {
            publicPaths << route.path;
            continue;
        }
        const QByteArray query = route.path == u"/api/performance/summary"_s ? "?hours=1" : "";
        requests.append({ IngestServer::methodName(route.method), route.path.toUtf8() + query });
    }
    // Everything docs/DESIGN.md §6 lists is there, and only the web page is public.
    QVERIFY(requests.size() >= 13);
    publicPaths.sort();
    QCOMPARE(publicPaths, kPublicPaths);

    for (const auto &[method, path] : requests) {
        HttpTestClient client(port);
        const auto reply = client.request(requestFor(method, path, header));
        const QByteArray what = method + ' ' + path;
        QVERIFY2(reply, what.constData());
        if (allowed) {
            QVERIFY2(reply->status != 401, what.constData());
            continue;
        }
        QVERIFY2(reply->status == 401, QByteArray(what + " -> " + QByteArray::number(reply->status)).constData());
        QCOMPARE(reply->header("WWW-Authenticate"), QByteArray("Bearer realm=\"perfwatch\""));
        QCOMPARE(reply->json().value(u"error"_s).toString(), u"unauthorized"_s);
    }
    for (const QString &path : kPublicPaths) {
        HttpTestClient client(port);
        const auto reply = client.request(requestFor("GET", path.toUtf8(), header));
        QVERIFY(reply);
        QVERIFY2(reply->status == 200 || reply->status == 302, qPrintable(path));
    }
    QCOMPARE(storedEvents(), allowed ? 1 : 0);
}

void tst_Security::offLoopbackWithoutTokenDoesNotStart()
{
    QCOMPARE(start(QHostAddress(QHostAddress::AnyIPv4)), quint16(0));
    m_service = std::make_unique<IngestService>(nullptr);
    IngestConfig config;
    config.address = QHostAddress(QHostAddress::AnyIPv6);
    config.port = 0;
    QString error;
    QCOMPARE(m_service->start(config, &error), quint16(0));
    QCOMPARE(error, u"binding :: requires a token; set one with --token or PERFWATCH_TOKEN"_s);
}

void tst_Security::tokenFileIsPrivate()
{
    QTemporaryDir dir;
    const QString path = QDir(dir.path()).filePath(u"token"_s);
    QString error;
    const QString token = loadOrCreateToken(dir.path(), &error);
    QVERIFY2(!token.isEmpty(), qPrintable(error));
    QVERIFY(token.size() >= 43); // 32 random bytes, base64url
    QCOMPARE(fileMode(path), 0600);

    // Someone loosened it: the next start tightens it again and keeps the token.
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    QCOMPARE(loadOrCreateToken(dir.path(), &error), token);
    QCOMPARE(fileMode(path), 0600);

    // Two folders never share a token.
    QTemporaryDir other;
    QVERIFY(loadOrCreateToken(other.path(), &error) != token);
}

void tst_Security::noCorsHeaders()
{
    const quint16 port = start(QHostAddress(QHostAddress::LocalHost));
    QVERIFY(port != 0);
    const QByteArray origin = "Origin: http://evil.example\r\n";
    const QList<QByteArray> requests {
        requestFor("GET", "/api/performance/health", origin),
        requestFor("GET", "/api/performance/summary", origin),
        requestFor("POST", "/api/performance/ingest", origin),
        requestFor("OPTIONS", "/api/performance/ingest",
            origin + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n"),
        requestFor("GET", "/no/such/route", origin),
        requestFor("GET", "/performance", origin),
        requestFor("GET", "/metrics", origin),
        requestFor("POST", "/v1/traces", origin),
    };
    for (const QByteArray &request : requests) {
        HttpTestClient client(port);
        const auto reply = client.request(request);
        QVERIFY(reply);
        QVERIFY(reply->status != 0);
        for (const auto &[name, value] : reply->headers)
            QVERIFY2(!name.toLower().startsWith("access-control-"), QByteArray(name + ": " + value).constData());
    }
}

QTEST_GUILESS_MAIN(tst_Security)
#include "tst_security.moc"
