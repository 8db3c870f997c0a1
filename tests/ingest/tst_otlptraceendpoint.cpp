#include "metricstore.h"
#include "testserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray ns(qint64 ms)
{
    return '"' + QByteArray::number(ms * 1'000'000) + '"';
}

QByteArray attr(const QByteArray &key, const QByteArray &value)
{
    return R"({"key":")" + key + R"(","value":{"stringValue":")" + value + R"("}})";
}

QByteArray exportOf(const QByteArray &spans, const QByteArray &service = "trip-service")
{
    return R"({"resourceSpans":[{"resource":{"attributes":[)" + attr("service.name", service)
        + R"(]},"scopeSpans":[{"spans":[)" + spans + "]}]}]}";
}

/// A server span and `dbSpans` identical db spans under it, all of one trace.
QByteArray traceWithQueries(const QByteArray &traceId, int dbSpans)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QByteArray spans = R"({"traceId":")" + traceId + R"(","spanId":"00000000000000aa","name":"GET /api/trips/{id}",)"
        + R"("kind":2,"startTimeUnixNano":)" + ns(now - 40) + R"(,"endTimeUnixNano":)" + ns(now) + R"(,"attributes":[)"
        + attr("http.request.method", "GET") + ',' + attr("http.route", "/api/trips/{id}")
        + R"(,{"key":"http.response.status_code","value":{"intValue":"200"}}]})";
    for (int i = 0; i < dbSpans; ++i) {
        spans += R"(,{"traceId":")" + traceId + R"(","spanId":"00000000000000b)" + QByteArray::number(i)
            + R"(","parentSpanId":"00000000000000aa","name":"find trips","kind":3,"startTimeUnixNano":)" + ns(now - 30)
            + R"(,"endTimeUnixNano":)" + ns(now - 28) + R"(,"attributes":[)" + attr("db.system", "mongodb") + ','
            + attr("db.operation", "find") + ',' + attr("db.mongodb.collection", "trips") + "]}";
    }
    return spans;
}

} // namespace

class tst_OtlpTraceEndpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void acceptsAnExport();
    void answersPartialSuccess();
    void refusesMalformedJson();
    void refusesProtobufAndCompression_data();
    void refusesProtobufAndCompression();
    void refusesTooManySpans();
    void shedsLoadWithRetryAfter();
    void answersOtherSignalsAndMethods();
    void findsNPlusOneInATrace();

private:
    QStringList storedNames() const;
    TestServer m_server;
};

void tst_OtlpTraceEndpoint::init()
{
    QVERIFY(m_server.start());
}

void tst_OtlpTraceEndpoint::cleanup()
{
    m_server.stop();
}

QStringList tst_OtlpTraceEndpoint::storedNames() const
{
    QStringList names;
    for (const KeyMeta &meta : m_server.engine->store().keys())
        names << meta.service + u'/' + meta.name;
    names.sort();
    return names;
}

void tst_OtlpTraceEndpoint::acceptsAnExport()
{
    const auto reply = m_server.post("/v1/traces", exportOf(traceWithQueries("5b8efff798038103d269b633813fc60c", 2)));
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(reply->body, QByteArray("{}"));
    QCOMPARE(storedNames(), QStringList({ u"trip-service/GET:/api/trips/{id}"_s, u"trip-service/find:trips"_s }));
    const auto health = m_server.get("/api/performance/health");
    QVERIFY(health);
    QCOMPARE(health->json().value(u"ingest"_s).toObject().value(u"accepted_events"_s).toInt(), 3);
}

void tst_OtlpTraceEndpoint::answersPartialSuccess()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QByteArray body = exportOf(R"({"name":"ok","startTimeUnixNano":)" + ns(now - 1) + R"(,"endTimeUnixNano":)"
        + ns(now) + R"(},{"name":"no start","endTimeUnixNano":)" + ns(now) + "}");
    const auto reply = m_server.post("/v1/traces", body, "application/json; charset=utf-8");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const QByteArray expected = R"({"partialSuccess":{"rejectedSpans":1,"errorMessage":"1 span could not be )"
                                R"(used: span 1: \"startTimeUnixNano\" is required"}})";
    QCOMPARE(reply->body, expected);
    QCOMPARE(storedNames(), QStringList({ u"trip-service/ok"_s }));
}

void tst_OtlpTraceEndpoint::refusesMalformedJson()
{
    const auto reply = m_server.post("/v1/traces", R"({"resourceSpans":[)");
    QVERIFY(reply);
    QCOMPARE(reply->status, 400);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    const QJsonObject json = reply->json();
    QCOMPARE(json.value(u"code"_s).toInt(), 3); // google.rpc.Code INVALID_ARGUMENT
    QCOMPARE(json.value(u"error"_s).toString(), u"malformed_body"_s);
    QVERIFY(json.value(u"message"_s).toString().startsWith(u"malformed JSON"_s));
    QVERIFY(storedNames().isEmpty());
}

void tst_OtlpTraceEndpoint::refusesProtobufAndCompression_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QString>("hint");
    QTest::newRow("protobuf") << QByteArray("Content-Type: application/x-protobuf\r\n")
                              << u"OTEL_EXPORTER_OTLP_PROTOCOL=http/json"_s;
    QTest::newRow("text") << QByteArray("Content-Type: text/plain\r\n") << u"OTEL_EXPORTER_OTLP_PROTOCOL=http/json"_s;
    QTest::newRow("gzip") << QByteArray("Content-Type: application/json\r\nContent-Encoding: gzip\r\n")
                          << u"OTEL_EXPORTER_OTLP_COMPRESSION=none"_s;
}

void tst_OtlpTraceEndpoint::refusesProtobufAndCompression()
{
    QFETCH(QByteArray, headers);
    QFETCH(QString, hint);
    const auto reply = m_server.post("/v1/traces", QByteArray("\x0a\x02\x0a\x00", 4), {}, headers);
    QVERIFY(reply);
    QCOMPARE(reply->status, 415);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
    QVERIFY2(reply->json().value(u"message"_s).toString().contains(hint), reply->body.constData());
    QCOMPARE(reply->json().value(u"error"_s).toString(), u"unsupported_media_type"_s);
}

void tst_OtlpTraceEndpoint::refusesTooManySpans()
{
    IngestConfig config = TestServer::defaultConfig();
    config.decoder.maxEvents = 3;
    QVERIFY(m_server.start(config));
    const auto reply = m_server.post("/v1/traces", exportOf(traceWithQueries("01", 3)));
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QCOMPARE(reply->json().value(u"code"_s).toInt(), 8); // RESOURCE_EXHAUSTED
    QCOMPARE(reply->json().value(u"message"_s).toString(),
        u"the request holds more than 3 spans; send at most 3 per request"_s);
    QVERIFY(storedNames().isEmpty());
}

void tst_OtlpTraceEndpoint::shedsLoadWithRetryAfter()
{
    IngestConfig config = TestServer::defaultConfig();
    config.maxIngestRequestsPerSecond = 1;
    QVERIFY(m_server.start(config));
    const QByteArray body = exportOf(traceWithQueries("02", 1));
    HttpTestClient client(m_server.port);
    const QByteArray request = "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    auto first = client.request(request);
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    auto second = client.request(request);
    QVERIFY(second);
    QCOMPARE(second->status, 429);
    QCOMPARE(second->header("Retry-After"), QByteArray("1"));
}

void tst_OtlpTraceEndpoint::answersOtherSignalsAndMethods()
{
    for (const char *path : { "/v1/metrics", "/v1/logs" }) {
        const auto reply = m_server.post(path, "{}");
        QVERIFY(reply);
        QCOMPARE(reply->status, 501);
        QCOMPARE(reply->json().value(u"code"_s).toInt(), 12); // UNIMPLEMENTED
        QVERIFY(reply->json().value(u"message"_s).toString().contains(u"POST /v1/traces"_s));
    }
    const auto get = m_server.get("/v1/traces");
    QVERIFY(get);
    QCOMPARE(get->status, 405);
    QCOMPARE(get->header("Allow"), QByteArray("POST"));
}

void tst_OtlpTraceEndpoint::findsNPlusOneInATrace()
{
    // One request of the trace runs the same query six times; another trace only once.
    const QByteArray body
        = exportOf(traceWithQueries("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 6) + ',' + traceWithQueries("bbbb", 1));
    const auto reply = m_server.post("/v1/traces", body);
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const auto report = m_server.get("/api/performance/report");
    QVERIFY(report);
    QJsonObject nPlusOne;
    for (const QJsonValue r : report->json().value(u"recommendations"_s).toArray()) {
        if (r.toObject().value(u"rule"_s).toString() == u"n_plus_one"_s)
            nPlusOne = r.toObject();
    }
    QVERIFY2(!nPlusOne.isEmpty(), report->body.constData());
    QCOMPARE(nPlusOne.value(u"target"_s).toString(), u"GET:/api/trips/{id}"_s);
    QCOMPARE(nPlusOne.value(u"service"_s).toString(), u"trip-service"_s);
    const QJsonObject evidence = nPlusOne.value(u"evidence"_s).toObject();
    QCOMPARE(evidence.value(u"db_operation"_s).toString(), u"find:trips"_s);
    QCOMPARE(evidence.value(u"max_queries_per_request"_s).toInt(), 6);
    QCOMPARE(evidence.value(u"occurrences"_s).toInt(), 1);
}

QTEST_GUILESS_MAIN(tst_OtlpTraceEndpoint)
#include "tst_otlptraceendpoint.moc"
