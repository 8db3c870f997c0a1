#include "engine.h"
#include "httptestclient.h"
#include "ingestserver.h"
#include "ingestservice.h"
#include "metricstore.h"
#include "performanceroutes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <memory>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray postRequest(
    const QByteArray &body, const QByteArray &contentType = "application/json", const QByteArray &extraHeaders = {})
{
    QByteArray request = "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!contentType.isEmpty())
        request += "Content-Type: " + contentType + "\r\n";
    request += extraHeaders;
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return request;
}

QByteArray getRequest(const QByteArray &path, const QByteArray &extraHeaders = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

QByteArray gauge(const QByteArray &name, double value = 1)
{
    return R"({"type":"gauge","name":")" + name + R"(","value":)" + QByteArray::number(value) + '}';
}

} // namespace

class tst_IngestServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void ingestsThroughQNetworkAccessManager();
    void loopbackAlsoAnswersOnIpv6();
    void answersIngest_data();
    void answersIngest();
    void answers404And405WithJson();
    void refusesOversizedBodyBeforeReadingIt();
    void refusesOversizedChunkedBody();
    void refusesOversizedHeaders();
    void refusesBadFraming_data();
    void refusesBadFraming();
    void closesStalledClients();
    void closesIdleConnections();
    void capsConnections();
    void requiresTheTokenWhenConfigured();
    void requiresATokenOffLoopback();
    void reportsABusyPort();
    void reportsAnAddressNotOnThisHost();
    void shedsTooManyRequests();
    void shedsWhenBusy();
    void servesKeepAliveAndPipelinedRequests();
    void honoursConnectionClose();
    void closesHttp10UnlessKeepAlive();
    void answersHeadLikeGet();
    void cutsClientsThatDoNotRead();
    void answersExpectContinue();
    void acceptsChunkedBodies();
    void countsEverything();
    void spreadsConnectionsOverThreads();
    void sharesCapAndCountersAcrossThreads();
    void servesOnOneThread();

    void answersHealth();
    void answersMetrics();
    void answersSummary();
    void summaryKeepsServicesApart();
    void summaryMarksTheOverflowKey();
    void readsNeverWrite();
    void validatesSummaryHours_data();
    void validatesSummaryHours();
    void answersReport();
    void refusesReportFormatsNotBuiltYet_data();
    void refusesReportFormatsNotBuiltYet();
    void answers405OnReadRoutes();

private:
    /// GETs a route and returns its JSON, failing the test unless the status is `status`.
    QJsonObject getJson(const QByteArray &path, int status = 200);
    void post(const QByteArray &body);
    IngestConfig testConfig() const;
    void startServer(const IngestConfig &config, const EngineConfig &engineConfig = {});
    QStringList storedNames() const;
    /// After a hostile request: the server still answers on a new connection and the data
    /// accepted before is intact.
    void verifyStillServing();

    std::unique_ptr<PerformanceEngine> m_engine;
    std::unique_ptr<IngestService> m_service;
    quint16 m_port = 0;
    int m_alive = 0;
};

IngestConfig tst_IngestServer::testConfig() const
{
    IngestConfig config;
    config.port = 0;
    config.sweepIntervalMs = 50;
    config.lingerMs = 500;
    return config;
}

void tst_IngestServer::startServer(const IngestConfig &config, const EngineConfig &engineConfig)
{
    m_service.reset();
    m_engine = std::make_unique<PerformanceEngine>(engineConfig);
    QString error;
    QVERIFY2(m_engine->start(&error), qPrintable(error));
    PerformanceEngine *engine = m_engine.get();
    m_service = std::make_unique<IngestService>(
        [engine](IngestServer &server) { PerformanceRoutes::install(server, *engine); });
    m_port = m_service->start(config, &error);
    QVERIFY2(m_port != 0, qPrintable(error));
}

QStringList tst_IngestServer::storedNames() const
{
    QStringList names;
    for (const KeyMeta &meta : m_engine->store().keys())
        names << meta.name;
    return names;
}

void tst_IngestServer::verifyStillServing()
{
    const QStringList before = storedNames();
    const QByteArray name = "alive." + QByteArray::number(++m_alive);
    HttpTestClient client(m_port);
    auto reply = client.request(postRequest(gauge(name)));
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    reply = client.request(getRequest("/api/performance/health"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    // Everything accepted so far is still there, as the summary shows it.
    reply = client.request(getRequest("/api/performance/summary?hours=1"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const QJsonObject summary = reply->json();
    QStringList shown;
    for (const char *section : { "api_requests", "database_operations", "processing", "cache", "resources" })
        shown += summary.value(QLatin1StringView(section)).toObject().keys();
    for (const QString &n : before)
        QVERIFY2(shown.contains(n), qPrintable(n));
    QVERIFY(shown.contains(QString::fromUtf8(name)));
}

void tst_IngestServer::init()
{
    QTest::failOnWarning(QRegularExpression(u"^ingest:"_s));
    startServer(testConfig());
    // Something accepted before each test, to check it survives whatever the test sends.
    HttpTestClient client(m_port);
    const auto reply = client.request(postRequest(gauge("before.test")));
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
}

void tst_IngestServer::cleanup()
{
    m_service.reset();
    m_engine.reset();
}

void tst_IngestServer::ingestsThroughQNetworkAccessManager()
{
    QNetworkAccessManager manager;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/api/performance/ingest"_s.arg(m_port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    QNetworkReply *reply = manager.post(request,
        QByteArray(R"([{"type":"api","method":"GET","route":"/api/trips/42","duration_ms":12.5,"status":200},)"
                   R"({"type":"db","operation":"find","collection":"trips","duration_ms":3}])"));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 202);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(), u"application/json"_s);
    QCOMPARE(reply->readAll(), QByteArray(R"({"accepted":2,"rejected":0,"errors":[]})"));
    reply->deleteLater();
    QVERIFY(storedNames().contains(u"GET:/api/trips/{id}"_s));
    QVERIFY(storedNames().contains(u"find:trips"_s));
}

void tst_IngestServer::answersIngest_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<int>("stored");

    const QByteArray api = R"({"type":"api","method":"GET","route":"/r","duration_ms":1,"status":200})";
    QTest::newRow("one event") << QByteArray("application/json") << api << 202
                               << QByteArray(R"({"accepted":1,"rejected":0,"errors":[]})") << 1;
    QTest::newRow("partial batch")
        << QByteArray("application/json")
        << '[' + api + R"(,{"type":"api","method":"GET","route":"/r","duration_ms":1}])" << 202
        << QByteArray(R"({"accepted":1,"rejected":1,"errors":[{"index":1,"error":"event 1: \"status\" is required"}]})")
        << 1;
    QTest::newRow("nothing valid") << QByteArray("application/json") << QByteArray(R"([{"type":"x"},{}])") << 400
                                   << QByteArray(
                                          R"({"error":"no_valid_events","detail":"none of the 2 events is valid",)"
                                          R"("accepted":0,"rejected":2,"errors":[{"index":0,"error":"event 0: )"
                                          R"(\"type\" must be one of \"api\", \"db\", \"processing\", \"gauge\", )"
                                          R"(\"cache\""},{"index":1,"error":"event 1: \"type\" is required"}]})")
                                   << 0;
    QTest::newRow("malformed") << QByteArray("application/json") << '[' + api << 400
                               << QByteArray(
                                      R"({"error":"malformed_body","detail":"malformed JSON: unterminated array )"
                                      R"x(or object (truncated body?)","accepted":0,"rejected":0,"errors":[]})x")
                               << 0;
    QTest::newRow("empty") << QByteArray("application/json") << QByteArray() << 400
                           << QByteArray(R"({"error":"malformed_body","detail":"the body is empty","accepted":0,)"
                                         R"("rejected":0,"errors":[]})")
                           << 0;
    QTest::newRow("text/plain") << QByteArray("text/plain") << api << 415
                                << QByteArray(
                                       R"({"error":"unsupported_media_type","detail":"Content-Type text/plain is )"
                                       R"(not supported; send application/json or application/x-ndjson"})")
                                << 0;
    QTest::newRow("form, as curl -d sends")
        << QByteArray("application/x-www-form-urlencoded") << api << 415
        << QByteArray(R"({"error":"unsupported_media_type","detail":"Content-Type application/x-www-form-urlencoded )"
                      R"(is not supported; send application/json or application/x-ndjson"})")
        << 0;
    QTest::newRow("json with charset") << QByteArray("Application/JSON; charset=utf-8") << api << 202
                                       << QByteArray(R"({"accepted":1,"rejected":0,"errors":[]})") << 1;
    QTest::newRow("no Content-Type") << QByteArray() << api << 202
                                     << QByteArray(R"({"accepted":1,"rejected":0,"errors":[]})") << 1;
    QTest::newRow("ndjson") << QByteArray("application/x-ndjson") << api + '\n' + gauge("g") + '\n'
                            << 202 << QByteArray(R"({"accepted":2,"rejected":0,"errors":[]})") << 2;
    QByteArray big = "[";
    for (int i = 0; i < 50'001; ++i)
        big += (i ? "," : "") + gauge("g");
    big += ']';
    QTest::newRow("50001 events") << QByteArray("application/json") << big << 413
                                  << QByteArray(R"({"error":"payload_too_large","detail":"the batch holds more than )"
                                                R"(50000 events; send at most 50000 per request","accepted":0,)"
                                                R"("rejected":0,"errors":[]})")
                                  << 0;
}

void tst_IngestServer::answersIngest()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, answer);
    QFETCH(int, stored);

    const std::size_t keysBefore = m_engine->store().keyCount();
    const quint64 eventsBefore = m_engine->store().counters().events;
    HttpTestClient client(m_port);
    const auto reply = client.request(postRequest(body, contentType));
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(reply->body, answer);
    QCOMPARE(m_engine->store().counters().events - eventsBefore, quint64(stored));
    if (stored == 0)
        QCOMPARE(m_engine->store().keyCount(), keysBefore);
    verifyStillServing();
}

void tst_IngestServer::answers404And405WithJson()
{
    HttpTestClient client(m_port);
    auto reply = client.request(getRequest("/nope?x=1"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 404);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    const QByteArray expected = R"({"error":"not_found","detail":"no route for /nope"})";
    QCOMPARE(reply->body, expected);

    // Same connection: errors keep it alive.
    reply = client.request(getRequest("/api/performance/ingest"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 405);
    QCOMPARE(reply->header("Allow"), QByteArray("POST"));
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(reply->json().value(u"error"_s).toString(), u"method_not_allowed"_s);
    QCOMPARE(reply->json().value(u"detail"_s).toString(), u"GET is not allowed on /api/performance/ingest; use POST"_s);

    reply = client.request("DELETE /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, 405);
    QCOMPARE(reply->header("Allow"), QByteArray("POST"));
    QVERIFY(reply->header("Access-Control-Allow-Origin").isEmpty());
    verifyStillServing();
}

void tst_IngestServer::refusesOversizedBodyBeforeReadingIt()
{
    const auto before = m_service->counters();
    HttpTestClient client(m_port);
    // Only the header and 4 KiB of an 8 MiB + 1 body: the answer must come without the rest.
    QVERIFY(client.send("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Content-Length: 8388609\r\n\r\n"
        + QByteArray(4096, ' ')));
    const auto reply = client.read(5000);
    QVERIFY2(reply, "no answer before the body was sent");
    QCOMPARE(reply->status, 413);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(reply->header("Connection"), QByteArray("close"));
    const QByteArray expected = R"({"error":"payload_too_large","detail":"Content-Length 8388609 exceeds )"
                                R"(the limit of 8388608 bytes"})";
    QCOMPARE(reply->body, expected);
    // The client keeps sending; the server drops it and closes.
    client.socket().write(QByteArray(256 * 1024, ' '));
    QVERIFY(client.waitForClosed(5000));

    const auto after = m_service->counters();
    QCOMPARE(after.refusedRequests - before.refusedRequests, 1u);
    QCOMPARE(after.acceptedEvents, before.acceptedEvents);
    verifyStillServing();
}

void tst_IngestServer::refusesOversizedChunkedBody()
{
    HttpTestClient client(m_port);
    const auto reply = client.request("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
                                      "chunked\r\n\r\n100000\r\n"
        + QByteArray(1024 * 1024, ' ') + "\r\n700001\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QCOMPARE(reply->json().value(u"detail"_s).toString(), u"the chunked body exceeds the limit of 8388608 bytes"_s);
    QVERIFY(client.waitForClosed(5000));
    verifyStillServing();
}

void tst_IngestServer::refusesOversizedHeaders()
{
    HttpTestClient client(m_port);
    const auto reply = client.request("GET /api/performance/health HTTP/1.1\r\nX-Big: " + QByteArray(16 * 1024, 'x'));
    QVERIFY(reply);
    QCOMPARE(reply->status, 431);
    const QByteArray expected = R"({"error":"header_too_large","detail":"the request header block exceeds )"
                                R"(16384 bytes"})";
    QCOMPARE(reply->body, expected);
    QVERIFY(client.waitForClosed(5000));
    verifyStillServing();
}

void tst_IngestServer::refusesBadFraming_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("detail");
    QTest::newRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                                    << u"unsupported HTTP version (HTTP/1.1 or HTTP/1.0 expected)"_s;
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01 hello\r\n") << u"malformed request line"_s;
    QTest::newRow("length and chunked") << QByteArray(
        "POST /api/performance/ingest HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
                                        << u"both Content-Length and Transfer-Encoding"_s;
    QTest::newRow("conflicting lengths") << QByteArray(
        "POST /api/performance/ingest HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")
                                         << u"conflicting Content-Length fields"_s;
    QTest::newRow("gzip") << QByteArray("POST /api/performance/ingest HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
                          << u"only \"Transfer-Encoding: chunked\" is supported"_s;
    QTest::newRow("bad after a good request") << postRequest(gauge("piped")) + "NOT HTTP\r\n\r\n"
                                              << u"malformed request line"_s;
}

void tst_IngestServer::refusesBadFraming()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, detail);
    HttpTestClient client(m_port);
    QVERIFY(client.send(request));
    auto reply = client.read();
    QVERIFY(reply);
    if (reply->status == 202) // the good request before the bad one is answered first
        reply = client.read();
    QVERIFY(reply);
    QCOMPARE(reply->status, 400);
    QCOMPARE(reply->json().value(u"error"_s).toString(), u"bad_request"_s);
    QCOMPARE(reply->json().value(u"detail"_s).toString(), detail);
    QVERIFY(client.waitForClosed(5000));
    verifyStillServing();
}

void tst_IngestServer::closesStalledClients()
{
    IngestConfig config = testConfig();
    config.requestTimeoutMs = 300;
    startServer(config);
    HttpTestClient client(m_port);
    // Headers and 10 of 100 body bytes, then nothing.
    QVERIFY(client.send(
        "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n[{\"type\":"));
    const auto reply = client.read(10'000);
    QVERIFY(reply);
    QCOMPARE(reply->status, 408);
    const QByteArray expected = R"({"error":"request_timeout","detail":"the request was not complete within )"
                                R"(300 ms"})";
    QCOMPARE(reply->body, expected);
    QVERIFY(client.waitForClosed(10'000));

    // A header trickling in byte by byte is a slow request too.
    HttpTestClient slow(m_port);
    QVERIFY(slow.send("GET /api/performance/health HTTP/1.1\r\n"));
    for (int i = 0; i < 3 && slow.isConnected(); ++i) {
        QTest::qWait(150);
        slow.send("X");
    }
    QVERIFY(slow.waitForClosed(10'000));
    verifyStillServing();
}

void tst_IngestServer::closesIdleConnections()
{
    IngestConfig config = testConfig();
    config.idleTimeoutMs = 300;
    startServer(config);
    HttpTestClient silent(m_port);
    QVERIFY(silent.isConnected());
    QVERIFY(silent.waitForClosed(10'000));

    // Kept alive after a request, then idle.
    HttpTestClient keepAlive(m_port);
    const auto reply = keepAlive.request(postRequest(gauge("once")));
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    QVERIFY(keepAlive.waitForClosed(10'000));
    QTRY_COMPARE_WITH_TIMEOUT(m_service->counters().openConnections, 0, 10'000);
    verifyStillServing();
}

void tst_IngestServer::capsConnections()
{
    IngestConfig config = testConfig();
    config.maxConnections = 3;
    startServer(config);
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 3; ++i)
        clients.push_back(std::make_unique<HttpTestClient>(m_port));
    QTRY_COMPARE_WITH_TIMEOUT(m_service->counters().openConnections, 3, 5000);

    HttpTestClient fourth(m_port);
    const auto reply = fourth.read(5000);
    QVERIFY(reply);
    QCOMPARE(reply->status, 503);
    QCOMPARE(reply->header("Retry-After"), QByteArray("1"));
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    const QByteArray expected = R"({"error":"server_busy","detail":"too many open connections (the limit is 3); )"
                                R"(retry after 1 s"})";
    QCOMPARE(reply->body, expected);
    QVERIFY(fourth.waitForClosed(5000));

    // The admitted ones still work; closing one makes room.
    const auto ok = clients[0]->request(postRequest(gauge("capped")));
    QVERIFY(ok);
    QCOMPARE(ok->status, 202);
    clients[1].reset();
    QTRY_COMPARE_WITH_TIMEOUT(m_service->counters().openConnections, 2, 5000);
    verifyStillServing();
}

void tst_IngestServer::requiresTheTokenWhenConfigured()
{
    IngestConfig config = testConfig();
    config.token = "s3cret-token";
    startServer(config);
    const QByteArray expected
        = R"({"error":"unauthorized","detail":"send the token as \"Authorization: Bearer <token>\""})";
    // Refused from the headers (issue 13 §3): 401, and the connection closed.
    const auto refused = [&](const QByteArray &request) {
        HttpTestClient client(m_port);
        const bool head = request.startsWith("HEAD ");
        QVERIFY(client.send(request));
        const auto reply = head ? client.readHeadReply() : client.read();
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
        QCOMPARE(reply->header("WWW-Authenticate"), QByteArray("Bearer realm=\"perfwatch\""));
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QCOMPARE(reply->header("Content-Length"), QByteArray::number(expected.size()));
        QCOMPARE(reply->body, head ? QByteArray() : expected);
        QVERIFY(client.waitForClosed(5000));
        QCOMPARE(client.unparsed(), QByteArray()); // a HEAD answer has no body
    };
    refused(postRequest(gauge("g")));
    refused(postRequest(gauge("g"), "application/json", "Authorization: Bearer s3cret-tokeN\r\n"));
    refused(postRequest(gauge("g"), "application/json", "Authorization: Basic czNjcmV0LXRva2Vu\r\n"));
    // Two Authorization fields are one joined value to Qt, so not the token.
    refused(postRequest(gauge("g"), "application/json",
        "Authorization: Bearer s3cret-token\r\nAuthorization: Bearer s3cret-token\r\n"));
    // Unknown paths do not leak past the check either, nor HEAD.
    refused(getRequest("/nope"));
    refused("HEAD /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    if (QTest::currentTestFailed())
        return;

    HttpTestClient client(m_port);
    auto reply = client.request(postRequest(gauge("g"), "application/json", "authorization: bearer s3cret-token\r\n"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    QVERIFY(storedNames().contains(u"g"_s));
    // The web page is public, by GET and HEAD, and keeps the connection.
    reply = client.request(getRequest("/performance"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QVERIFY(client.send("HEAD /performance HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    reply = client.readHeadReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QVERIFY(client.isConnected());
}

void tst_IngestServer::requiresATokenOffLoopback()
{
    IngestService service([](IngestServer &) {});
    IngestConfig config = testConfig();
    config.address = QHostAddress(QHostAddress::AnyIPv4);
    QString error;
    QCOMPARE(service.start(config, &error), quint16(0));
    QCOMPARE(error, u"binding 0.0.0.0 requires a token; set one with --token or PERFWATCH_TOKEN"_s);

    config.token = "t";
    const quint16 port = service.start(config, &error);
    QVERIFY2(port != 0, qPrintable(error));
    HttpTestClient client(port);
    const auto reply = client.request(getRequest("/nope"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 401);
}

void tst_IngestServer::reportsABusyPort()
{
    IngestService second([](IngestServer &) {});
    IngestConfig config = testConfig();
    config.port = m_port;
    QString error;
    QCOMPARE(second.start(config, &error), quint16(0));
    QCOMPARE(error, u"port %1 on 127.0.0.1 is already in use; choose another with --port"_s.arg(m_port));
    QVERIFY(!second.isRunning());
    second.stop();
    verifyStillServing();
}

void tst_IngestServer::reportsAnAddressNotOnThisHost()
{
    IngestService service([](IngestServer &) {});
    IngestConfig config = testConfig();
    config.address = QHostAddress(u"192.0.2.1"_s); // TEST-NET-1 (RFC 5737): on no interface of this machine
    config.token = "t";
    QString error;
    QCOMPARE(service.start(config, &error), quint16(0));
    QCOMPARE(error,
        u"cannot listen on 192.0.2.1: it is not an address of this host; choose another with --bind (127.0.0.1 for "
        u"this host only, 0.0.0.0 for every interface)"_s);
    QVERIFY(!service.isRunning());
}

void tst_IngestServer::shedsTooManyRequests()
{
    IngestConfig config = testConfig();
    config.maxIngestRequestsPerSecond = 2;
    startServer(config);
    HttpTestClient client(m_port);
    QCOMPARE(client.request(postRequest(gauge("a")))->status, 202);
    QCOMPARE(client.request(postRequest(gauge("b")))->status, 202);
    // "The last second" is a sliding estimate over one-second buckets: a request just after a
    // boundary may still fit, so send until one is shed (well within the second).
    const char *const more[] = { "c", "d", "e" };
    const char *shedName = nullptr;
    std::optional<HttpTestReply> reply;
    for (const char *name : more) {
        reply = client.request(postRequest(gauge(name)));
        QVERIFY(reply);
        if (reply->status != 202) {
            shedName = name;
            break;
        }
    }
    QVERIFY2(shedName, "no request was shed");
    QCOMPARE(reply->status, 429);
    QCOMPARE(reply->header("Retry-After"), QByteArray("1"));
    QCOMPARE(reply->json().value(u"error"_s).toString(), u"too_many_requests"_s);
    QVERIFY(!storedNames().contains(QString::fromLatin1(shedName)));
    QVERIFY(storedNames().contains(u"b"_s));
    // Reads are not shed.
    QCOMPARE(client.request(getRequest("/api/performance/health"))->status, 200);
}

void tst_IngestServer::shedsWhenBusy()
{
    IngestConfig config = testConfig();
    config.maxBusyFraction = 0; // any work in the last second counts as saturated
    startServer(config);
    HttpTestClient client(m_port);
    QCOMPARE(client.request(postRequest(gauge("a")))->status, 202);
    const auto reply = client.request(postRequest(gauge("b")));
    QVERIFY(reply);
    QCOMPARE(reply->status, 503);
    QCOMPARE(reply->header("Retry-After"), QByteArray("1"));
    const QByteArray expected = R"({"error":"server_busy","detail":"the store is not keeping up; retry after 1 s"})";
    QCOMPARE(reply->body, expected);
}

void tst_IngestServer::servesKeepAliveAndPipelinedRequests()
{
    HttpTestClient client(m_port);
    for (int i = 0; i < 3; ++i) {
        const auto reply = client.request(postRequest(gauge("seq." + QByteArray::number(i))));
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
    }
    // Three requests in one write, the last split in two writes.
    const QByteArray third = postRequest(gauge("pipe.2"));
    QVERIFY(client.send(postRequest(gauge("pipe.0")) + getRequest("/nope") + third.left(20)));
    QTest::qWait(50);
    QVERIFY(client.send(third.mid(20)));
    const auto first = client.read();
    const auto second = client.read();
    const auto last = client.read();
    QVERIFY(first && second && last);
    QCOMPARE(first->status, 202);
    QCOMPARE(second->status, 404);
    QCOMPARE(last->status, 202);
    QVERIFY(storedNames().contains(u"pipe.0"_s));
    QVERIFY(storedNames().contains(u"pipe.2"_s));
    QVERIFY(client.isConnected());
}

void tst_IngestServer::honoursConnectionClose()
{
    HttpTestClient client(m_port);
    const auto reply = client.request(getRequest("/api/performance/health", "Connection: close\r\n"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Connection"), QByteArray("close"));
    QVERIFY(client.waitForClosed(5000));
    verifyStillServing();
}

void tst_IngestServer::closesHttp10UnlessKeepAlive()
{
    // RFC 9112 §9.3: an HTTP/1.0 connection closes after the answer unless it asked for keep-alive.
    {
        HttpTestClient client(m_port);
        const auto reply = client.request("GET /api/performance/health HTTP/1.0\r\n\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClosed(5000));
    }
    {
        HttpTestClient client(m_port);
        const QByteArray body = gauge("http10.post");
        const auto reply = client.request("POST /api/performance/ingest HTTP/1.0\r\nContent-Type: application/json\r\n"
                                          "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClosed(5000));
        QVERIFY(storedNames().contains(u"http10.post"_s));
    }
    {
        // Asked for: kept, and the answer says so (an HTTP/1.0 client keeps it only then).
        HttpTestClient client(m_port);
        for (int i = 0; i < 2; ++i) {
            const auto reply = client.request("GET /api/performance/health HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->header("Connection"), QByteArray("keep-alive"));
        }
        // HTTP/1.1 on the same connection: persistent by default, nothing said.
        const auto reply = client.request(getRequest("/api/performance/health"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY(reply->header("Connection").isEmpty());
        QTest::qWait(100);
        QVERIFY(client.isConnected());
    }
    verifyStillServing();
}

void tst_IngestServer::answersHeadLikeGet()
{
    // RFC 9110 §9.3.2: HEAD is GET without the body, same status and headers.
    HttpTestClient client(m_port);
    // The web page is static: its GET and HEAD answers compare header for header.
    const auto got = client.request(getRequest("/performance"));
    QVERIFY(got);
    QCOMPARE(got->status, 200);
    QVERIFY(got->body.size() > 1000);
    QVERIFY(client.send("HEAD /performance HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const auto head = client.readHeadReply();
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->headers, got->headers);
    QCOMPARE(head->header("Content-Length"), QByteArray::number(got->body.size()));

    // A JSON route; no body follows, so the next answer on the connection parses right after.
    QVERIFY(client.send("HEAD /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const auto health = client.readHeadReply();
    QVERIFY(health);
    QCOMPARE(health->status, 200);
    QCOMPARE(health->header("Content-Type"), QByteArray("application/json"));
    QVERIFY(health->header("Content-Length").toInt() > 0);
    QCOMPARE(client.unparsed(), QByteArray());
    const auto next = client.request(getRequest("/nope"));
    QVERIFY(next);
    QCOMPARE(next->status, 404);
    QCOMPARE(client.unparsed(), QByteArray());

    // Where GET is not allowed, HEAD is not either; GET routes now list HEAD.
    QVERIFY(client.send("HEAD /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const auto notAllowed = client.readHeadReply();
    QVERIFY(notAllowed);
    QCOMPARE(notAllowed->status, 405);
    QCOMPARE(notAllowed->header("Allow"), QByteArray("POST"));
    const auto post = client.request(postRequest("{}").replace("/api/performance/ingest", "/api/performance/health"));
    QVERIFY(post);
    QCOMPARE(post->status, 405);
    QCOMPARE(post->header("Allow"), QByteArray("GET, HEAD"));
    QCOMPARE(
        post->json().value(u"detail"_s).toString(), u"POST is not allowed on /api/performance/health; use GET, HEAD"_s);
    QVERIFY(client.isConnected());
    verifyStillServing();
}

void tst_IngestServer::cutsClientsThatDoNotRead()
{
    IngestConfig config = testConfig();
    config.maxUnsentBytes = 64 * 1024;
    config.idleTimeoutMs = config.requestTimeoutMs = 60'000; // only the cap may close it here
    startServer(config);
    HttpTestClient client(m_port);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->counters().openConnections, 1, 5000);
    client.socket().setReadBufferSize(1); // our side takes answers from the kernel one byte at a time...
    // ...and never reads them: thousands of pipelined requests whose answers pile up.
    const QByteArray request = getRequest("/api/performance/health");
    client.socket().write(request.repeated(20'000));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_service->counters().openConnections == 0 || (client.socket().waitForBytesWritten(10), false), 10'000);
    verifyStillServing();
}

void tst_IngestServer::answersExpectContinue()
{
    HttpTestClient client(m_port);
    const QByteArray body = gauge("continued");
    QVERIFY(client.send("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Expect: 100-continue\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n"));
    const auto interim = client.read(5000);
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    const auto reply = client.request(body);
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);

    // Behind a pipelined request, the interim answer waits for that request's final one.
    QVERIFY(client.send(getRequest("/api/performance/health")
        + "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Expect: 100-continue\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n"));
    const auto health = client.read(5000);
    QVERIFY(health);
    QCOMPARE(health->status, 200);
    const auto second = client.read(5000);
    QVERIFY(second);
    QCOMPARE(second->status, 100);
    QCOMPARE(client.request(body)->status, 202);
}

void tst_IngestServer::acceptsChunkedBodies()
{
    HttpTestClient client(m_port);
    const QByteArray body = '[' + gauge("chunked.a") + ',' + gauge("chunked.b") + ']';
    QByteArray request
        = "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          "Transfer-Encoding: chunked\r\n\r\n";
    for (qsizetype from = 0; from < body.size(); from += 16) {
        const QByteArray piece = body.mid(from, 16);
        request += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    request += "0\r\n\r\n";
    const auto reply = client.request(request);
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    const QByteArray expected = R"({"accepted":2,"rejected":0,"errors":[]})";
    QCOMPARE(reply->body, expected);
    QVERIFY(storedNames().contains(u"chunked.b"_s));
}

void tst_IngestServer::countsEverything()
{
    const auto before = m_service->counters();
    HttpTestClient client(m_port);
    const QByteArray good = postRequest('[' + gauge("c1") + ",{}]");
    QCOMPARE(client.request(good)->status, 202); // 1 accepted, 1 rejected
    const QByteArray bad = postRequest("[{}]");
    QCOMPARE(client.request(bad)->status, 400); // 1 rejected
    const QByteArray missing = getRequest("/missing");
    QCOMPARE(client.request(missing)->status, 404);
    QCOMPARE(m_service->counters().openConnections, 1);

    const auto after = m_service->counters();
    QCOMPARE(after.requests - before.requests, 3u);
    QCOMPARE(after.acceptedEvents - before.acceptedEvents, 1u);
    QCOMPARE(after.rejectedEvents - before.rejectedEvents, 2u);
    QCOMPARE(after.refusedRequests - before.refusedRequests, 2u);
    QCOMPARE(after.bytesReceived - before.bytesReceived, quint64(good.size() + bad.size() + missing.size()));
}

void tst_IngestServer::spreadsConnectionsOverThreads()
{
    if (IngestService::effectiveThreadCount(2) < 2)
        QSKIP("needs two CPUs");
    // Every thread gets the same routes; this one tells which thread answered.
    IngestService service([](IngestServer &server) {
        server.addRoute(u"/thread"_s, QHttpServerRequest::Method::Get, [&server](const QHttpServerRequest &) {
            return HttpResponse::json(200,
                '"' + QThread::currentThread()->objectName().toUtf8() + '/' + QByteArray::number(server.threadIndex())
                    + '"');
        });
    });
    IngestConfig config = testConfig();
    config.ingestThreads = 2;
    QString error;
    const quint16 port = service.start(config, &error);
    QVERIFY2(port != 0, qPrintable(error));
    QCOMPARE(service.threadCount(), 2);

    // Connections go round-robin, starting with the listening thread; a connection stays on its
    // thread for all its requests.
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 4; ++i)
        clients.push_back(std::make_unique<HttpTestClient>(port));
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 4; ++i) {
            const auto reply = clients[std::size_t(i)]->request(getRequest("/thread"));
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->body, i % 2 == 0 ? QByteArray(R"("ingest-0/0")") : QByteArray(R"("ingest-1/1")"));
        }
    }
    QCOMPARE(service.counters().openConnections, 4);
    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(service.counters().openConnections, 0, 5000);
}

void tst_IngestServer::sharesCapAndCountersAcrossThreads()
{
    if (IngestService::effectiveThreadCount(2) < 2)
        QSKIP("needs two CPUs");
    IngestConfig config = testConfig();
    config.ingestThreads = 2;
    config.maxConnections = 4;
    startServer(config);
    QCOMPARE(m_service->threadCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->counters().openConnections, 0, 5000); // init()'s client
    const auto before = m_service->counters();

    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 4; ++i)
        clients.push_back(std::make_unique<HttpTestClient>(m_port));
    QTRY_COMPARE_WITH_TIMEOUT(m_service->counters().openConnections, 4, 5000);
    // The cap counts the connections of both threads: the fifth is refused, whichever thread
    // it was handed to.
    HttpTestClient fifth(m_port);
    const auto refused = fifth.read(5000);
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QVERIFY(fifth.waitForClosed(5000));

    for (std::size_t i = 0; i < clients.size(); ++i) {
        const auto reply = clients[i]->request(postRequest('[' + gauge("t" + QByteArray::number(i)) + ",{}]"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
    }
    const auto after = m_service->counters();
    QCOMPARE(after.requests - before.requests, 5u); // four answers plus the refusal
    QCOMPARE(after.refusedRequests - before.refusedRequests, 1u);
    QCOMPARE(after.acceptedEvents - before.acceptedEvents, 4u);
    QCOMPARE(after.rejectedEvents - before.rejectedEvents, 4u);
    QCOMPARE(after.openConnections, 4);
    for (const QString &name : { u"t0"_s, u"t1"_s, u"t2"_s, u"t3"_s })
        QVERIFY(storedNames().contains(name));
}

void tst_IngestServer::servesOnOneThread()
{
    IngestConfig config = testConfig();
    config.ingestThreads = 1;
    startServer(config);
    QCOMPARE(m_service->threadCount(), 1);
    HttpTestClient a(m_port);
    HttpTestClient b(m_port);
    QCOMPARE(a.request(postRequest(gauge("one.a")))->status, 202);
    QCOMPARE(b.request(postRequest(gauge("one.b")))->status, 202);
    QVERIFY(storedNames().contains(u"one.a"_s));
    QVERIFY(storedNames().contains(u"one.b"_s));
    verifyStillServing();
}

QJsonObject tst_IngestServer::getJson(const QByteArray &path, int status)
{
    HttpTestClient client(m_port);
    const auto reply = client.request(getRequest(path));
    if (!reply) {
        QTest::qFail("no answer", __FILE__, __LINE__);
        return {};
    }
    if (reply->status != status || reply->header("Content-Type") != "application/json") {
        QTest::qFail(qPrintable(u"%1: status %2, %3"_s.arg(QString::fromUtf8(path))
                                    .arg(reply->status)
                                    .arg(QString::fromUtf8(reply->body))),
            __FILE__, __LINE__);
        return {};
    }
    return reply->json();
}

void tst_IngestServer::post(const QByteArray &body)
{
    HttpTestClient client(m_port);
    const auto reply = client.request(postRequest(body));
    QVERIFY(reply);
    QVERIFY2(reply->status == 202, reply->body.constData());
}

void tst_IngestServer::answersHealth()
{
    QJsonObject health = getJson("/api/performance/health");
    QCOMPARE(health.value(u"status"_s).toString(), u"no_data"_s); // a gauge alone is not scored
    QCOMPARE(health.value(u"performance_score"_s).toInt(), 0);

    QByteArray batch = "[";
    for (int i = 0; i < 20; ++i)
        batch += (i ? "," : "")
            + QByteArray(R"({"type":"api","method":"GET","route":"/api/trips","duration_ms":20,"status":200})");
    post(batch + ']');
    health = getJson("/api/performance/health");
    QCOMPARE(health.value(u"performance_score"_s).toInt(), 100);
    QCOMPARE(health.value(u"status"_s).toString(), u"excellent"_s);
    QCOMPARE(health.value(u"recommendations_count"_s).toInt(), 0);
    const QString timestamp = health.value(u"timestamp"_s).toString();
    QVERIFY2(QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"_s).match(timestamp).hasMatch(),
        qPrintable(timestamp));
    QVERIFY(
        qAbs(QDateTime::fromString(timestamp, Qt::ISODate).toMSecsSinceEpoch() - QDateTime::currentMSecsSinceEpoch())
        < 60'000);
    const QJsonObject breakdown = health.value(u"score_breakdown"_s).toObject();
    QCOMPARE(breakdown.value(u"api_requests"_s).toInt(), 20);
    QCOMPARE(breakdown.value(u"api_points_lost"_s).toDouble(), 0.0);
    const QJsonObject ingest = health.value(u"ingest"_s).toObject();
    QCOMPARE(ingest.value(u"accepted_events"_s).toInt(), 21); // + the gauge of init()
    QCOMPARE(ingest.value(u"rejected_events"_s).toInt(), 0);
    QVERIFY(ingest.value(u"open_connections"_s).toInt() >= 1); // at least this request's
    QVERIFY(ingest.value(u"requests"_s).toInt() >= 3);
    QVERIFY(ingest.contains(u"refused_requests"_s));
    QVERIFY(ingest.value(u"bytes_received"_s).toInt() > 2000);
    const QJsonObject persistence = health.value(u"persistence"_s).toObject();
    QCOMPARE(persistence.value(u"enabled"_s).toBool(), false);
    QCOMPARE(persistence.value(u"healthy"_s).toBool(), true);
    QVERIFY(persistence.value(u"last_error"_s).isNull());
}

void tst_IngestServer::answersMetrics()
{
    post(R"([{"type":"api","method":"GET","route":"/a","duration_ms":10,"status":200},
             {"type":"api","method":"POST","route":"/b","duration_ms":20,"status":201},
             {"type":"api","method":"GET","route":"/a","duration_ms":30.5,"status":503},
             {"type":"db","operation":"find","collection":"c","duration_ms":5},
             {"type":"db","operation":"insert","collection":"c","duration_ms":15,"error":true}])");
    const QJsonObject metrics = getJson("/api/performance/metrics");
    QVERIFY(metrics.value(u"timestamp"_s).toString().endsWith(u'Z'));
    const QJsonObject minute = metrics.value(u"last_minute"_s).toObject();
    QCOMPARE(minute.value(u"api_requests"_s).toInt(), 3);
    QCOMPARE(minute.value(u"api_avg_duration_ms"_s).toDouble(), 20.167);
    QCOMPARE(minute.value(u"database_operations"_s).toInt(), 2);
    QCOMPARE(minute.value(u"db_avg_duration_ms"_s).toDouble(), 10.0);
    QCOMPARE(minute.value(u"api_error_count"_s).toInt(), 1);
    QCOMPARE(minute.value(u"db_error_count"_s).toInt(), 1);
    const QJsonObject system = metrics.value(u"system_health"_s).toObject();
    // 2 errors of 5 (40 %) lose all 35 error points.
    QCOMPARE(system.value(u"performance_score"_s).toInt(), 65);
    QCOMPARE(system.value(u"total_optimization_metrics"_s).toInt(), 6);
}

void tst_IngestServer::answersSummary()
{
    // 100 requests of 1..100 ms, two of them 5xx; a db key, a processing step, a cache, a gauge.
    QByteArray batch = "[";
    for (int i = 1; i <= 100; ++i) {
        batch += R"({"type":"api","method":"GET","route":"/api/trips/)" + QByteArray::number(i) + R"(","duration_ms":)"
            + QByteArray::number(i) + R"(,"status":)" + (i % 50 == 0 ? "500" : "200") + "},";
    }
    batch += R"({"type":"db","operation":"find","collection":"trips","duration_ms":4,"documents":10},
                {"type":"db","operation":"find","collection":"trips","duration_ms":8.25,"documents":5,"error":true},
                {"type":"processing","name":"map_matching","duration_ms":500,"items_processed":250},
                {"type":"processing","name":"map_matching","duration_ms":1500,"items_processed":750},
                {"type":"cache","name":"trip_cache","hits":90,"misses":10},
                {"type":"cache","name":"trip_cache","hits":60,"misses":40},
                {"type":"gauge","name":"db.pool.in_use","value":3},
                {"type":"gauge","name":"db.pool.in_use","value":7.5}])";
    post(batch);

    const QJsonObject summary = getJson("/api/performance/summary");
    QCOMPARE(summary.value(u"time_period_hours"_s).toDouble(), 24.0);

    const QJsonObject api = summary.value(u"api_requests"_s).toObject();
    QCOMPARE(api.keys(), QStringList { u"GET:/api/trips/{id}"_s });
    const QJsonObject trips = api.value(u"GET:/api/trips/{id}"_s).toObject();
    QCOMPARE(trips.value(u"request_count"_s).toInt(), 100);
    QCOMPARE(trips.value(u"avg_duration_ms"_s).toDouble(), 50.5);
    QCOMPARE(trips.value(u"min_duration_ms"_s).toDouble(), 1.0);
    QCOMPARE(trips.value(u"max_duration_ms"_s).toDouble(), 100.0);
    // Sketch quantiles are within 1 % of the exact ranks (q * (n - 1)).
    QVERIFY(qAbs(trips.value(u"p50_duration_ms"_s).toDouble() - 50.5) <= 0.51 + 1);
    QVERIFY(qAbs(trips.value(u"p95_duration_ms"_s).toDouble() - 95.05) <= 0.96 + 1);
    QVERIFY(qAbs(trips.value(u"p99_duration_ms"_s).toDouble() - 99.01) <= 1.0 + 1);
    QCOMPARE(trips.value(u"error_count"_s).toInt(), 2);
    QCOMPARE(trips.value(u"error_rate"_s).toDouble(), 0.02);
    QCOMPARE(trips.value(u"apdex"_s).toDouble(), 0.98); // all under 500 ms, the two 5xx frustrated
    QCOMPARE(trips.value(u"service"_s).toString(), u"default"_s);

    const QJsonObject db = summary.value(u"database_operations"_s).toObject().value(u"find:trips"_s).toObject();
    QCOMPARE(db.value(u"operation_count"_s).toInt(), 2);
    QCOMPARE(db.value(u"avg_duration_ms"_s).toDouble(), 6.125);
    QCOMPARE(db.value(u"min_duration_ms"_s).toDouble(), 4.0);
    QCOMPARE(db.value(u"max_duration_ms"_s).toDouble(), 8.25);
    QCOMPARE(db.value(u"error_count"_s).toInt(), 1);
    QCOMPARE(db.value(u"error_rate"_s).toDouble(), 0.5);
    QCOMPARE(db.value(u"documents"_s).toInt(), 15);
    for (const QString &field : { u"p50_duration_ms"_s, u"p95_duration_ms"_s, u"p99_duration_ms"_s })
        QVERIFY2(db.value(field).isDouble(), qPrintable(field));

    const QJsonObject step = summary.value(u"processing"_s).toObject().value(u"map_matching"_s).toObject();
    QCOMPARE(step.value(u"operation_count"_s).toInt(), 2);
    QCOMPARE(step.value(u"avg_duration_ms"_s).toDouble(), 1000.0);
    QCOMPARE(step.value(u"items_processed"_s).toInt(), 1000);
    QCOMPARE(step.value(u"items_per_second"_s).toDouble(), 500.0); // 1000 items in 2 s

    const QJsonObject cache = summary.value(u"cache"_s).toObject().value(u"trip_cache"_s).toObject();
    QCOMPARE(cache.value(u"hits"_s).toInt(), 150);
    QCOMPARE(cache.value(u"misses"_s).toInt(), 50);
    QCOMPARE(cache.value(u"hit_rate"_s).toDouble(), 0.75);

    const QJsonObject pool = summary.value(u"resources"_s).toObject().value(u"db.pool.in_use"_s).toObject();
    QCOMPARE(pool.value(u"last"_s).toDouble(), 7.5);
    QCOMPARE(pool.value(u"min"_s).toDouble(), 3.0);
    QCOMPARE(pool.value(u"max"_s).toDouble(), 7.5);
    QCOMPARE(pool.value(u"avg"_s).toDouble(), 5.25);

    // Milliseconds are rounded to 3 decimals.
    post(R"({"type":"api","method":"GET","route":"/round","duration_ms":1.23456789,"status":200})");
    const QJsonObject rounded = getJson("/api/performance/summary?hours=0.5")
                                    .value(u"api_requests"_s)
                                    .toObject()
                                    .value(u"GET:/round"_s)
                                    .toObject();
    QCOMPARE(rounded.value(u"avg_duration_ms"_s).toDouble(), 1.235);
}

void tst_IngestServer::summaryKeepsServicesApart()
{
    post(R"([{"type":"api","service":"a","method":"GET","route":"/x","duration_ms":1,"status":200},
             {"type":"api","service":"b","method":"GET","route":"/x","duration_ms":3,"status":200},
             {"type":"api","service":"a","method":"GET","route":"/only-a","duration_ms":2,"status":200}])");
    const QJsonObject api = getJson("/api/performance/summary").value(u"api_requests"_s).toObject();
    QCOMPARE(api.keys(), (QStringList { u"GET:/only-a"_s, u"GET:/x@a"_s, u"GET:/x@b"_s }));
    QCOMPARE(api.value(u"GET:/x@b"_s).toObject().value(u"avg_duration_ms"_s).toDouble(), 3.0);
    QCOMPARE(api.value(u"GET:/only-a"_s).toObject().value(u"service"_s).toString(), u"a"_s);
}

void tst_IngestServer::summaryMarksTheOverflowKey()
{
    // 10 keys: a service holds at most 3 api keys; the rest of its names share the overflow key,
    // which a real route named "other" does not join.
    EngineConfig engine;
    engine.store.maxKeys = 10;
    startServer(testConfig(), engine);
    QByteArray batch = R"([{"type":"api","method":"GET","route":"other","duration_ms":5,"status":200})";
    for (int i = 0; i < 6; ++i)
        batch += R"(,{"type":"api","method":"GET","route":"/orders/)" + QByteArray::number(9000 + i)
            + R"(x","duration_ms":2000,"status":500})";
    post(batch + ']');
    const QJsonObject api = getJson("/api/performance/summary").value(u"api_requests"_s).toObject();
    QCOMPARE(api.keys(), (QStringList { QString(), u"GET:/orders/9000x"_s, u"GET:/orders/9001x"_s, u"GET:other"_s }));
    const QJsonObject overflow = api.value(QString()).toObject();
    QCOMPARE(overflow.value(u"overflow"_s).toBool(), true);
    QCOMPARE(overflow.value(u"request_count"_s).toInt(), 4);
    QCOMPARE(overflow.value(u"error_count"_s).toInt(), 4);
    QVERIFY(!api.value(u"GET:other"_s).toObject().contains(u"overflow"_s));
    QCOMPARE(api.value(u"GET:other"_s).toObject().value(u"request_count"_s).toInt(), 1);
    // The advice says which pattern took the keys.
    const QJsonArray recs = getJson("/api/performance/report").value(u"recommendations"_s).toArray();
    QJsonObject cardinality;
    for (const QJsonValue &r : recs) {
        if (r.toObject().value(u"type"_s).toString() == u"api"
            && r.toObject().value(u"id"_s).toString().startsWith(u"key_cardinality:"))
            cardinality = r.toObject();
    }
    QVERIFY2(!cardinality.isEmpty(), QJsonDocument(recs).toJson().constData());
    const QJsonArray patterns = cardinality.value(u"evidence"_s).toObject().value(u"patterns"_s).toArray();
    QCOMPARE(patterns.size(), 2);
    QCOMPARE(patterns[0].toObject().value(u"pattern"_s).toString(), u"GET:/orders/{n}x"_s);
    QCOMPARE(patterns[0].toObject().value(u"keys"_s).toInt(), 2);
}

void tst_IngestServer::readsNeverWrite()
{
    // GETs answer from an analysis as fresh as the last batch, but only the engine's schedule
    // records score points and hands advice to the history.
    EngineConfig engine;
    engine.analysisIntervalMs = 3600'000;
    startServer(testConfig(), engine);
    QByteArray batch = "[";
    for (int i = 0; i < 20; ++i)
        batch += (i ? "," : "")
            + QByteArray(R"({"type":"api","method":"GET","route":"/api/slow","duration_ms":3000,"status":200})");
    post(batch + ']');
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(getJson("/api/performance/health").value(u"performance_score"_s).toInt() < 100, true);
        QCOMPARE(getJson("/api/performance/report").value(u"recommendations"_s).toArray().size(), 1);
    }
    QCOMPARE(m_engine->scoreHistory(0, QDateTime::currentMSecsSinceEpoch() + 1).size(), 0u);
    QCOMPARE(m_engine->latestAnalysis().recommendations.size(), 0u); // the schedule has not run yet
    // The engine's own analysis is what records.
    m_engine->analyzeNow(QDateTime::currentMSecsSinceEpoch());
    QCOMPARE(m_engine->scoreHistory(0, QDateTime::currentMSecsSinceEpoch() + 1).size(), 1u);
}

void tst_IngestServer::validatesSummaryHours_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<int>("status");
    QTest::addColumn<double>("hours");
    QTest::newRow("default") << QByteArray() << 200 << 24.0;
    QTest::newRow("48") << QByteArray("?hours=48") << 200 << 48.0;
    QTest::newRow("fraction") << QByteArray("?hours=0.25") << 200 << 0.25;
    QTest::newRow("0") << QByteArray("?hours=0") << 400 << 0.0;
    QTest::newRow("negative") << QByteArray("?hours=-1") << 400 << 0.0;
    QTest::newRow("49") << QByteArray("?hours=49") << 400 << 0.0;
    QTest::newRow("48.01") << QByteArray("?hours=48.01") << 400 << 0.0;
    QTest::newRow("text") << QByteArray("?hours=day") << 400 << 0.0;
    QTest::newRow("empty") << QByteArray("?hours=") << 400 << 0.0;
    QTest::newRow("nan") << QByteArray("?hours=nan") << 400 << 0.0;
    QTest::newRow("inf") << QByteArray("?hours=inf") << 400 << 0.0;
}

void tst_IngestServer::validatesSummaryHours()
{
    QFETCH(QByteArray, query);
    QFETCH(int, status);
    QFETCH(double, hours);
    const QJsonObject answer = getJson("/api/performance/summary" + query, status);
    if (status == 200) {
        QCOMPARE(answer.value(u"time_period_hours"_s).toDouble(), hours);
    } else {
        QCOMPARE(answer.value(u"error"_s).toString(), u"bad_request"_s);
        QCOMPARE(answer.value(u"detail"_s).toString(), u"hours must be a number greater than 0 and at most 48"_s);
    }
}

void tst_IngestServer::answersReport()
{
    QByteArray batch = "[";
    for (int i = 0; i < 20; ++i)
        batch += (i ? "," : "")
            + QByteArray(R"({"type":"api","method":"GET","route":"/slow","duration_ms":900,"status":200})");
    post(batch + ']');
    const QJsonObject report = getJson("/api/performance/report");
    QVERIFY(report.value(u"generated_at"_s).toString().endsWith(u'Z'));
    // p95 900 ms against T_api 500: (900 - 500) / 1500 * 40 = 10.67 points lost.
    QCOMPARE(report.value(u"performance_score"_s).toInt(), 89);
    QCOMPARE(report.value(u"status"_s).toString(), u"excellent"_s);
    QVERIFY(report.value(u"score_breakdown"_s).toObject().contains(u"api_p95_ms"_s));
    const QJsonObject summary = report.value(u"summary"_s).toObject();
    QCOMPARE(summary.value(u"time_period_hours"_s).toDouble(), 24.0);
    QCOMPARE(
        summary.value(u"api_requests"_s).toObject().value(u"GET:/slow"_s).toObject().value(u"request_count"_s).toInt(),
        20);
    const QJsonArray recommendations = report.value(u"recommendations"_s).toArray();
    QVERIFY(!recommendations.isEmpty());
    QCOMPARE(recommendations.first().toObject().value(u"rule"_s).toString(), u"slow_endpoint"_s);
    QCOMPARE(recommendations.first().toObject().value(u"target"_s).toString(), u"GET:/slow"_s);
    QVERIFY(report.value(u"trends"_s).isArray());
    QVERIFY(report.value(u"score_history"_s).isArray());
    QCOMPARE(getJson("/api/performance/report?format=json").value(u"performance_score"_s).toInt(), 89);
}

void tst_IngestServer::refusesReportFormatsNotBuiltYet_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detail");
    // This server has no report renderer (the app injects the views library's; tests/reports cover it).
    QTest::newRow("csv") << QByteArray("csv") << 501
                         << u"this build of PerfWatch has no report renderer; leave out format for JSON"_s;
    QTest::newRow("pdf") << QByteArray("pdf") << 501
                         << u"this build of PerfWatch has no report renderer; leave out format for JSON"_s;
    QTest::newRow("xml") << QByteArray("xml") << 400 << u"format must be json, csv or pdf"_s;
}

void tst_IngestServer::refusesReportFormatsNotBuiltYet()
{
    QFETCH(QByteArray, format);
    QFETCH(int, status);
    QFETCH(QString, detail);
    const QJsonObject answer = getJson("/api/performance/report?format=" + format, status);
    QCOMPARE(answer.value(u"error"_s).toString(), status == 501 ? u"not_implemented"_s : u"bad_request"_s);
    QCOMPARE(answer.value(u"detail"_s).toString(), detail);
}

void tst_IngestServer::answers405OnReadRoutes()
{
    HttpTestClient client(m_port);
    for (const QByteArray path : { "/api/performance/health", "/api/performance/metrics", "/api/performance/summary",
             "/api/performance/report" }) {
        const auto reply = client.request(postRequest("{}").replace("/api/performance/ingest", path));
        QVERIFY(reply);
        QCOMPARE(reply->status, 405);
        QCOMPARE(reply->header("Allow"), QByteArray("GET, HEAD"));
        QCOMPARE(reply->json().value(u"error"_s).toString(), u"method_not_allowed"_s);
    }
}

void tst_IngestServer::loopbackAlsoAnswersOnIpv6()
{
    // Bound to 127.0.0.1, the same port answers on [::1]: clients that resolve "localhost" to ::1
    // first reach PerfWatch too.
    if (QTcpServer probe; !probe.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback on this machine");
    HttpTestClient client(m_port, QHostAddress(QHostAddress::LocalHostIPv6));
    QVERIFY(client.isConnected());
    const QByteArray body = gauge("over.ipv6");
    const auto reply = client.request("POST /api/performance/ingest HTTP/1.1\r\nHost: [::1]:"
        + QByteArray::number(m_port) + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    QVERIFY(storedNames().contains(u"over.ipv6"_s));
    // A second request on the same connection: the connection's bookkeeping follows its server.
    const auto health = client.request("GET /api/performance/health HTTP/1.1\r\nHost: localhost:"
        + QByteArray::number(m_port) + "\r\n\r\n");
    QVERIFY(health);
    QCOMPARE(health->status, 200);
}

QTEST_GUILESS_MAIN(tst_IngestServer)
#include "tst_ingestserver.moc"
