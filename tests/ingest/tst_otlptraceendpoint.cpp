#include "metricstore.h"
#include "otlptestspans.h"
#include "rpcstatus.h"
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

/// The same trace as traceWithQueries(id, n), for the protobuf tests.
QList<OtlpTestResource> protoTrace(const QByteArray &traceIdHex, int dbSpans)
{
    return tripTrace(
        "trip-service", QByteArray::fromHex(traceIdHex), dbSpans, quint64(QDateTime::currentMSecsSinceEpoch()));
}

/// google.rpc.Status or ExportTracePartialSuccess fields: varint 1 and string 2.
std::pair<quint64, QByteArray> codeAndMessage(const QByteArray &message)
{
    std::pair<quint64, QByteArray> out;
    ProtoReader r(std::string_view(message.constData(), std::size_t(message.size())));
    while (r.next()) {
        if (r.field() == 1 && r.isVarint())
            out.first = r.value();
        else if (r.field() == 2 && r.isLength())
            out.second = QByteArray(r.bytes().data(), qsizetype(r.bytes().size()));
    }
    return r.failed() ? std::pair<quint64, QByteArray> { 999, "unreadable" } : out;
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
    void refusesOtherMediaTypesAndEncodings_data();
    void refusesOtherMediaTypesAndEncodings();
    void acceptsProtobuf();
    void answersPartialSuccessInProtobuf();
    void refusesMalformedProtobufInProtobuf();
    void acceptsGzip_data();
    void acceptsGzip();
    void refusesAGzipBombCheaply();
    void refusesDamagedGzip();
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

void tst_OtlpTraceEndpoint::refusesOtherMediaTypesAndEncodings_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QString>("message");
    QTest::newRow("text") << QByteArray("Content-Type: text/plain\r\n") << QByteArray("application/json")
                          << u"Content-Type text/plain is not OTLP/HTTP; send application/x-protobuf (the SDKs' "
                             u"default) or application/json"_s;
    QTest::newRow("brotli json") << QByteArray("Content-Type: application/json\r\nContent-Encoding: br\r\n")
                                 << QByteArray("application/json")
                                 << u"Content-Encoding br is not supported; send gzip or no compression "
                                    u"(OTEL_EXPORTER_OTLP_COMPRESSION=gzip or none)"_s;
    QTest::newRow("brotli protobuf") << QByteArray("Content-Type: application/x-protobuf\r\nContent-Encoding: br\r\n")
                                     << QByteArray("application/x-protobuf")
                                     << u"Content-Encoding br is not supported; send gzip or no compression "
                                        u"(OTEL_EXPORTER_OTLP_COMPRESSION=gzip or none)"_s;
}

void tst_OtlpTraceEndpoint::refusesOtherMediaTypesAndEncodings()
{
    QFETCH(QByteArray, headers);
    QFETCH(QByteArray, type);
    QFETCH(QString, message);
    const auto reply = m_server.post("/v1/traces", QByteArray("\x0a\x02\x0a\x00", 4), {}, headers);
    QVERIFY(reply);
    QCOMPARE(reply->status, 415);
    QCOMPARE(reply->header("Content-Type"), type);
    if (type == "application/json") {
        QCOMPARE(reply->json().value(u"message"_s).toString(), message);
        QCOMPARE(reply->json().value(u"error"_s).toString(), u"unsupported_media_type"_s);
    } else {
        const auto [code, text] = codeAndMessage(reply->body);
        QCOMPARE(code, 3u); // INVALID_ARGUMENT
        QCOMPARE(QString::fromUtf8(text), message);
    }
    QVERIFY(storedNames().isEmpty());
}

void tst_OtlpTraceEndpoint::acceptsProtobuf()
{
    const auto reply = m_server.post(
        "/v1/traces", protoRequest(protoTrace("5b8efff798038103d269b633813fc60c", 2)), "application/x-protobuf");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/x-protobuf"));
    QCOMPARE(reply->body, QByteArray()); // an ExportTraceServiceResponse with nothing to say
    QCOMPARE(storedNames(), QStringList({ u"trip-service/GET:/api/trips/{id}"_s, u"trip-service/find:trips"_s }));
    const auto health = m_server.get("/api/performance/health");
    QVERIFY(health);
    QCOMPARE(health->json().value(u"ingest"_s).toObject().value(u"accepted_events"_s).toInt(), 3);
}

void tst_OtlpTraceEndpoint::answersPartialSuccessInProtobuf()
{
    QList<OtlpTestResource> trace = protoTrace("01", 1);
    trace[0].spans[1].startNs = 0; // no start: rejected
    const auto reply = m_server.post("/v1/traces", protoRequest(trace), "application/x-protobuf");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1), error_message (2) } }
    ProtoReader r(std::string_view(reply->body.constData(), std::size_t(reply->body.size())));
    QVERIFY(r.next());
    QCOMPARE(r.field(), 1u);
    QVERIFY(r.isLength());
    const auto [rejected, message] = codeAndMessage(QByteArray(r.bytes().data(), qsizetype(r.bytes().size())));
    QCOMPARE(rejected, 1u);
    QCOMPARE(message, QByteArray("1 span could not be used: span 1: start_time_unix_nano is required"));
    QVERIFY(!r.next() && !r.failed());
    QCOMPARE(storedNames(), QStringList({ u"trip-service/GET:/api/trips/{id}"_s }));
}

void tst_OtlpTraceEndpoint::refusesMalformedProtobufInProtobuf()
{
    const auto reply = m_server.post("/v1/traces", R"({"resourceSpans":[]})", "application/x-protobuf");
    QVERIFY(reply);
    QCOMPARE(reply->status, 400);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/x-protobuf"));
    const auto [code, message] = codeAndMessage(reply->body);
    QCOMPARE(code, 3u); // INVALID_ARGUMENT
    QCOMPARE(message, QByteArray("malformed protobuf: the body is not an ExportTraceServiceRequest"));
}

void tst_OtlpTraceEndpoint::acceptsGzip_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("protobuf") << QByteArray("application/x-protobuf")
                              << protoRequest(protoTrace("5b8efff798038103d269b633813fc60c", 2));
    QTest::newRow("json") << QByteArray("application/json")
                          << exportOf(traceWithQueries("5b8efff798038103d269b633813fc60c", 2));
}

void tst_OtlpTraceEndpoint::acceptsGzip()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, body);
    const QByteArray compressed = gzip(body);
    QVERIFY(!compressed.isEmpty());
    const auto reply = m_server.post("/v1/traces", compressed, type, "Content-Encoding: gzip\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Content-Type"), type);
    QCOMPARE(storedNames(), QStringList({ u"trip-service/GET:/api/trips/{id}"_s, u"trip-service/find:trips"_s }));
    // Two gzip members one after the other are one body (RFC 1952).
    const QByteArray twice = gzip(body.first(body.size() / 2)) + gzip(body.sliced(body.size() / 2));
    const auto again = m_server.post("/v1/traces", twice, type, "Content-Encoding: gzip\r\n");
    QVERIFY(again);
    QCOMPARE(again->status, 200);
}

void tst_OtlpTraceEndpoint::refusesAGzipBombCheaply()
{
    // 10 MB of zeros compress to about 10 KB; the body limit (8 MiB) applies to what they inflate to.
    const QByteArray bomb = gzip(QByteArray(10'000'000, '\0'));
    QVERIFY(bomb.size() < 20'000);
    for (const QByteArray &type : { QByteArray("application/x-protobuf"), QByteArray("application/json") }) {
        const auto reply = m_server.post("/v1/traces", bomb, type, "Content-Encoding: gzip\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 413);
        const QByteArray expected = "the body decompresses to more than the limit of 8388608 bytes";
        if (type == "application/json") {
            QCOMPARE(reply->json().value(u"code"_s).toInt(), 8); // RESOURCE_EXHAUSTED
            QCOMPARE(reply->json().value(u"message"_s).toString().toUtf8(), expected);
        } else {
            QCOMPARE(codeAndMessage(reply->body), std::make_pair(quint64(8), expected));
        }
    }
    QVERIFY(storedNames().isEmpty());
}

void tst_OtlpTraceEndpoint::refusesDamagedGzip()
{
    const QByteArray body = gzip(protoRequest(protoTrace("01", 1)));
    const auto cut = m_server.post(
        "/v1/traces", body.first(body.size() - 6), "application/x-protobuf", "Content-Encoding: gzip\r\n");
    QVERIFY(cut);
    QCOMPARE(cut->status, 400);
    QCOMPARE(codeAndMessage(cut->body), std::make_pair(quint64(3), QByteArray("the gzip body is cut short")));
    const auto plain
        = m_server.post("/v1/traces", R"({"resourceSpans":[]})", "application/json", "Content-Encoding: gzip\r\n");
    QVERIFY(plain);
    QCOMPARE(plain->status, 400);
    QVERIFY2(plain->json().value(u"message"_s).toString().startsWith(u"the body is not valid gzip"_s), plain->body);
    QVERIFY(storedNames().isEmpty());
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
    QCOMPARE(second->json().value(u"code"_s).toInt(), 14); // UNAVAILABLE: an exporter retries it

    // A protobuf exporter gets the answer in protobuf: google.rpc.Status with RetryInfo.
    QByteArray protobuf = request;
    protobuf.replace("application/json", "application/x-protobuf");
    const auto third = client.request(protobuf);
    QVERIFY(third);
    QCOMPARE(third->status, 429);
    QCOMPARE(third->header("Retry-After"), QByteArray("1"));
    QCOMPARE(third->header("Content-Type"), QByteArray("application/x-protobuf"));
    const RpcStatus status = parseRpcStatus(std::string_view(third->body.constData(), std::size_t(third->body.size())));
    QVERIFY(status.valid);
    QCOMPARE(status.code, 14);
    QCOMPARE(status.message, std::string("more than 1 ingest requests per second; batch more events per request"));
    QCOMPARE(status.detailType, std::string("type.googleapis.com/google.rpc.RetryInfo"));
    QCOMPARE(status.retrySeconds, 1);
}

void tst_OtlpTraceEndpoint::answersOtherSignalsAndMethods()
{
    const auto reply = m_server.post("/v1/metrics", "{}");
    QVERIFY(reply);
    QCOMPARE(reply->status, 501);
    QCOMPARE(reply->json().value(u"code"_s).toInt(), 12); // UNIMPLEMENTED
    QVERIFY(reply->json().value(u"message"_s).toString().contains(u"OTEL_METRICS_EXPORTER=none"_s));
    // Logs are counted (tst_otlplogs).
    const auto logs = m_server.post("/v1/logs", "{}");
    QVERIFY(logs);
    QCOMPARE(logs->status, 200);
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
