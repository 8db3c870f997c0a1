#include "otlptracedecoder.h"

#include <QDateTime>
#include <QTest>
#include <string>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000;

/// Nanoseconds as the JSON string OTLP uses for fixed64.
QByteArray ns(qint64 ms, qint64 extraNs = 0)
{
    return '"' + QByteArray::number(ms * 1'000'000 + extraNs) + '"';
}

QByteArray attr(const QByteArray &key, const QByteArray &anyValue)
{
    return R"({"key":")" + key + R"(","value":)" + anyValue + '}';
}
QByteArray str(const QByteArray &v)
{
    return R"({"stringValue":")" + v + R"("})";
}

QByteArray span(const QByteArray &fields)
{
    return '{' + fields + '}';
}

/// An export request of one resource (service) with one scope holding `spans`.
QByteArray request(const QByteArray &spans, const QByteArray &service = "trips")
{
    return R"({"resourceSpans":[{"resource":{"attributes":[)" + attr("service.name", str(service))
        + R"(]},"scopeSpans":[{"scope":{"name":"test"},"spans":[)" + spans + "]}]}]}";
}

QString name(const IngestEvent &e)
{
    return QString::fromUtf8(e.name.data(), qsizetype(e.name.size()));
}
QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace

class tst_OtlpTraceDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapsServerSpans_data();
    void mapsServerSpans();
    void mapsDatabaseSpans_data();
    void mapsDatabaseSpans();
    void mapsOtherSpansToProcessing();
    void foldsSpansThatArePartOfARequest();
    void readsTimestampsAsStringsOrNumbers();
    void usesTheResourceServiceAndTraceAsRequest();
    void readsAResourceAfterItsSpans();
    void rejectsBadSpansOnly();
    void rejectsDurationsBeyondTheBound();
    void refusesMalformedBodies_data();
    void refusesMalformedBodies();
    void refusesTooManySpans();
    void acceptsEmptyExports();

private:
    OtlpTraceDecoder m_decoder;
    DecodedBatch m_batch;
};

void tst_OtlpTraceDecoder::mapsServerSpans_data()
{
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("error");

    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 1000) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    QTest::newRow("stable names, numeric kind") << QByteArray(R"("name":"GET /api/trips/{id}","kind":2,)" + times
        + R"(,"attributes":[)" + attr("http.request.method", str("GET")) + ','
        + attr("http.route", str("/api/trips/{id}")) + ',' + attr("url.path", str("/api/trips/42")) + ','
        + attr("http.response.status_code", R"({"intValue":"200"})") + "]")
                                                << u"GET:/api/trips/{id}"_s << 200 << false;
    QTest::newRow("old names, kind by name, intValue as number")
        << QByteArray(R"("name":"HTTP GET","kind":"SPAN_KIND_SERVER",)" + times + R"(,"attributes":[)"
               + attr("http.method", str("get")) + ',' + attr("http.target", str("/api/trips/42?page=2")) + ','
               + attr("http.status_code", R"({"intValue":503})") + "]")
        << u"GET:/api/trips/{id}"_s << 503 << true;
    QTest::newRow("url.path normalised") << QByteArray(R"("name":"GET","kind":2,)" + times + R"(,"attributes":[)"
        + attr("http.request.method", str("POST")) + ','
        + attr("url.path", str("/api/users/3fa85f64-5717-4562-b3fc-2c963f66afa6/trips/")) + ','
        + attr("http.response.status_code", R"({"intValue":"201"})") + "]")
                                         << u"POST:/api/users/{id}/trips"_s << 201 << false;
    QTest::newRow("http.url absolute") << QByteArray(R"("name":"GET","kind":2,)" + times + R"(,"attributes":[)"
        + attr("http.method", str("GET")) + ',' + attr("http.url", str("https://example.test:8443/health?x=1")) + "]")
                                       << u"GET:/health"_s << 200 << false;
    QTest::newRow("route from the span name, error status without a code") << QByteArray(
        R"("name":"DELETE /api/trips/{id}","kind":2,)" + times
        + R"(,"status":{"code":2,"message":"boom"},"attributes":[)" + attr("http.request.method", str("DELETE"))
        + "]") << u"DELETE:/api/trips/{id}"_s << 500 << true;
    QTest::newRow("status as a double and a string status code") << QByteArray(R"("name":"x","kind":2,)" + times
        + R"(,"status":{"code":"STATUS_CODE_OK"},"attributes":[)" + attr("http.request.method", str("GET")) + ','
        + attr("http.route", str("/r")) + ',' + attr("http.response.status_code", R"({"doubleValue":404.0})") + "]")
                                                                 << u"GET:/r"_s << 404 << false;
}

void tst_OtlpTraceDecoder::mapsServerSpans()
{
    QFETCH(QByteArray, fields);
    QFETCH(QString, key);
    QFETCH(int, status);
    QFETCH(bool, error);

    QVERIFY(m_decoder.decode(request(span(fields)).toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.rejected(), 0u);
    QCOMPARE(m_batch.accepted(), 1u);
    const IngestEvent &e = m_batch.events()[0];
    QCOMPARE(e.kind, MetricKind::Api);
    QCOMPARE(name(e), key);
    QCOMPARE(int(e.status), status);
    QCOMPARE(e.error, error);
    QCOMPARE(e.value, 1000.0);
    QCOMPARE(e.timestampMs, kNowMs);
}

void tst_OtlpTraceDecoder::mapsDatabaseSpans_data()
{
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("error");

    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 5) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    QTest::newRow("stable names") << QByteArray(R"("name":"find trips","kind":3,)" + times + R"(,"attributes":[)"
        + attr("db.system.name", str("mongodb")) + ',' + attr("db.operation.name", str("find")) + ','
        + attr("db.collection.name", str("trips")) + "]")
                                  << u"find:trips"_s << false;
    QTest::newRow("old names, statement and table") << QByteArray(R"("name":"SELECT","kind":"SPAN_KIND_CLIENT",)"
        + times + R"(,"attributes":[)" + attr("db.system", str("postgresql")) + ','
        + attr("db.statement", str("SELECT * FROM trips WHERE id=$1")) + ',' + attr("db.sql.table", str("trips")) + "]")
                                                    << u"SELECT:trips"_s << false;
    QTest::newRow("old mongodb names, failed") << QByteArray(R"("name":"mongodb.update","kind":3,)" + times
        + R"(,"status":{"code":"STATUS_CODE_ERROR"},"attributes":[)" + attr("db.system", str("mongodb")) + ','
        + attr("db.operation", str("update")) + ',' + attr("db.mongodb.collection", str("users")) + "]")
                                               << u"update:users"_s << true;
    QTest::newRow("query text names the table") << QByteArray(R"("name":"INSERT app","kind":1,)" + times
        + R"(,"status":{"code":2},"attributes":[)" + attr("db.system.name", str("mysql")) + ','
        + attr("db.query.text", str("insert into orders values (?)")) + "]")
                                                << u"insert:orders"_s << true;
    // instrumentation-pg names its spans after the database ("SELECT postgres"): the statement wins.
    QTest::newRow("pg: statement, not the database name") << QByteArray(R"("name":"SELECT postgres","kind":3,)" + times
        + R"(,"attributes":[)" + attr("db.system", str("postgresql")) + ',' + attr("db.name", str("postgres")) + ','
        + attr("db.statement", str("SELECT id, fare FROM public.\\\"trips\\\" t WHERE t.id = $1")) + "]")
                                                          << u"SELECT:trips"_s << false;
    QTest::newRow("update and join") << QByteArray(R"("name":"UPDATE","kind":3,)" + times + R"(,"attributes":[)"
        + attr("db.system", str("postgresql")) + ','
        + attr("db.statement", str("update  users set seen = now() where id = $1")) + "]")
                                     << u"update:users"_s << false;
    QTest::newRow("subquery in FROM: the first named table") << QByteArray(R"("name":"SELECT","kind":3,)" + times
        + R"(,"attributes":[)" + attr("db.system", str("postgresql")) + ','
        + attr("db.statement", str("SELECT count(*) FROM (SELECT 1) x JOIN fares f ON true")) + "]")
                                                             << u"SELECT:fares"_s << false;
    QTest::newRow("operation only: the system names the collection") << QByteArray(
        R"("name":"GET","kind":3,)" + times + R"(,"attributes":[)" + attr("db.system", str("redis")) + "]")
                                                                     << u"GET:redis"_s << false;
}

void tst_OtlpTraceDecoder::mapsDatabaseSpans()
{
    QFETCH(QByteArray, fields);
    QFETCH(QString, key);
    QFETCH(bool, error);

    QVERIFY(m_decoder.decode(request(span(fields)).toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.rejected(), 0u);
    QCOMPARE(m_batch.accepted(), 1u);
    const IngestEvent &e = m_batch.events()[0];
    QCOMPARE(e.kind, MetricKind::Db);
    QCOMPARE(name(e), key);
    QCOMPARE(e.error, error);
    QCOMPARE(e.value, 5.0);
}

void tst_OtlpTraceDecoder::mapsOtherSpansToProcessing()
{
    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 250) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    // An internal span, outgoing HTTP calls (stable and old names, a URL only, nothing), a server
    // span that is not HTTP (gRPC), consumers named after their destination (stable and old
    // names; without one, after the span).
    const QByteArray body = request(span(R"("name":"data_validation","kind":1,)" + times) + ','
        + span(R"("name":"GET","kind":3,)" + times + R"(,"attributes":[)" + attr("http.request.method", str("GET"))
            + ',' + attr("server.address", str("api.example.com"))
            + R"(,{"key":"server.port","value":{"intValue":"8443"}}])")
        + ','
        + span(R"("name":"HTTP POST","kind":3,)" + times + R"(,"attributes":[)" + attr("http.method", str("post")) + ','
            + attr("net.peer.name", str("billing")) + "]")
        + ','
        + span(R"("name":"GET","kind":3,)" + times + R"(,"attributes":[)" + attr("http.request.method", str("GET"))
            + ',' + attr("url.full", str("https://maps.example.org:444/v1/route?x=1")) + "]")
        + ','
        + span(
            R"("name":"GET","kind":3,)" + times + R"(,"attributes":[)" + attr("http.request.method", str("GET")) + "]")
        + ',' + span(R"("name":"trips.TripService/Get","kind":2,)" + times) + ','
        + span(R"("name":"orders process","kind":5,)" + times + R"(,"attributes":[)" + attr("db.system", str("x")) + ','
            + attr("messaging.destination.name", str("orders")) + "]")
        + ','
        + span(R"("name":"receive","kind":5,)" + times + R"(,"attributes":[)"
            + attr("messaging.destination", str("billing-events")) + "]")
        + ',' + span(R"("name":"poll inbox","kind":5,)" + times));
    QVERIFY(m_decoder.decode(body.toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 9u);
    QStringList names;
    for (const IngestEvent &e : m_batch.events()) {
        QCOMPARE(e.kind, MetricKind::Processing);
        QCOMPARE(e.items, 1u);
        QCOMPARE(e.value, 250.0);
        names << name(e);
    }
    QCOMPARE(names,
        QStringList({ u"data_validation"_s, u"GET api.example.com:8443"_s, u"POST billing"_s,
            u"GET maps.example.org:444"_s, u"GET unknown host"_s, u"trips.TripService/Get"_s, u"orders"_s,
            u"billing-events"_s, u"poll inbox"_s }));
}

void tst_OtlpTraceDecoder::foldsSpansThatArePartOfARequest()
{
    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 20) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    const auto ids = [](const char *id, const char *parent) -> QByteArray {
        return QByteArray(R"("traceId":"aa","spanId":")") + id + R"(","parentSpanId":")" + parent + R"(",)";
    };
    // Express under a server span: middleware (express.type), a request handler, a user's own
    // INTERNAL span under the handler; a pool connect; and an INTERNAL span of a background job.
    const QByteArray spans
        = span(ids("01", "") + R"("name":"GET /api/trips/{id}","kind":2,)" + times + R"(,"attributes":[)"
              + attr("http.request.method", str("GET")) + ',' + attr("http.route", str("/api/trips/{id}")) + "]")
        + ','
        + span(ids("02", "01") + R"("name":"middleware - query","kind":1,)" + times + R"(,"attributes":[)"
            + attr("express.type", str("middleware")) + "]")
        + ','
        + span(ids("03", "01") + R"("name":"request handler - /api/trips/:id","kind":1,)" + times + R"(,"attributes":[)"
            + attr("express.type", str("request_handler")) + "]")
        + ',' + span(ids("04", "03") + R"("name":"load trip","kind":1,)" + times) + ','
        + span(ids("05", "04") + R"("name":"pg-pool.connect","kind":3,)" + times + R"(,"attributes":[)"
            + attr("db.system", str("postgresql")) + ',' + attr("db.name", str("app")) + "]")
        + ','
        + span(ids("06", "04") + R"("name":"pg.query:SELECT app","kind":3,)" + times + R"(,"attributes":[)"
            + attr("db.system", str("postgresql")) + ','
            + attr("db.statement", str("SELECT * FROM trips WHERE id = $1")) + "]")
        + ',' + span(ids("07", "") + R"("name":"nightly cleanup","kind":1,)" + times) + ','
        + span(ids("08", "07") + R"("name":"delete expired","kind":1,)" + times);
    QVERIFY(m_decoder.decode(request(spans).toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.rejected(), 0u);
    QStringList names;
    for (const IngestEvent &e : m_batch.events())
        names << name(e);
    QCOMPARE(
        names, QStringList({ u"GET:/api/trips/{id}"_s, u"SELECT:trips"_s, u"nightly cleanup"_s, u"delete expired"_s }));

    // A framework's scope marks its spans too, without the attribute.
    const QByteArray scoped = R"({"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":)"
                              R"("@opentelemetry/instrumentation-koa"},"spans":[)"
        + span(R"("name":"middleware - bodyParser","kind":1,)" + times) + "]}]}]}";
    QVERIFY(m_decoder.decode(scoped.toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 0u);
    QCOMPARE(m_batch.rejected(), 0u);

    // The runtime's plumbing folds even outside a request: the SDK's resource detectors look up
    // metadata hosts at start-up (dns.lookup, tcp.connect), which no user means as a step.
    for (const char *scope : { "@opentelemetry/instrumentation-dns", "@opentelemetry/instrumentation-net" }) {
        const QByteArray plumbing
            = R"({"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":")" + QByteArray(scope)
            + R"("},"spans":[)" + span(R"("name":"dns.lookup","kind":3,)" + times) + ','
            + span(R"("name":"tcp.connect","kind":1,)" + times) + "]}]}]}";
        QVERIFY(m_decoder.decode(plumbing.toStdString(), kNowMs, m_batch));
        QCOMPARE(m_batch.accepted(), 0u);
        QCOMPARE(m_decoder.foldedCount(), 2u);
    }
}

void tst_OtlpTraceDecoder::readsTimestampsAsStringsOrNumbers()
{
    const qint64 startNs = (kNowMs - 2) * 1'000'000 + 250'000;
    const qint64 endNs = kNowMs * 1'000'000 + 750'000;
    const QByteArray variants[] = {
        R"("startTimeUnixNano":")" + QByteArray::number(startNs) + R"(","endTimeUnixNano":")"
            + QByteArray::number(endNs) + '"',
        R"("startTimeUnixNano":)" + QByteArray::number(startNs) + R"(,"endTimeUnixNano":)" + QByteArray::number(endNs),
        R"("startTimeUnixNano":)" + QByteArray::number(startNs) + R"(,"endTimeUnixNano":")" + QByteArray::number(endNs)
            + '"',
    };
    for (const QByteArray &times : variants) {
        QVERIFY(m_decoder.decode(request(span(R"("name":"step",)" + times)).toStdString(), kNowMs, m_batch));
        QCOMPARE(m_batch.accepted(), 1u);
        QCOMPARE(m_batch.events()[0].value, 2.5);
        QCOMPARE(m_batch.events()[0].timestampMs, kNowMs);
    }
}

void tst_OtlpTraceDecoder::usesTheResourceServiceAndTraceAsRequest()
{
    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 1) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    const QByteArray trace = R"("traceId":"5b8efff798038103d269b633813fc60c",)";
    const QByteArray body = request(span(trace + R"("spanId":"a","name":"q","kind":3,)" + times + R"(,"attributes":[)"
                                        + attr("db.system", str("mongodb")) + ',' + attr("db.operation", str("find"))
                                        + ',' + attr("db.mongodb.collection", str("trips")) + "]")
            + ','
            + span(trace + R"("spanId":"b","name":"GET /r","kind":2,)" + times + R"(,"attributes":[)"
                + attr("http.method", str("GET")) + "]"),
        "trip-service");
    QVERIFY(m_decoder.decode(body.toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 2u);
    for (const IngestEvent &e : m_batch.events()) {
        QCOMPARE(text(e.service), u"trip-service"_s);
        QCOMPARE(text(e.requestId), u"trip-service/5b8efff798038103d269b633813fc60c"_s);
    }
}

void tst_OtlpTraceDecoder::readsAResourceAfterItsSpans()
{
    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 1) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    const QByteArray body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a",)" + times
        + R"(}]}],"resource":{"attributes":[{"value":{"stringValue":"late"},"key":"service.name"}]}},)"
        + R"({"scopeSpans":[{"spans":[{"name":"b",)" + times + R"(}]}]}]})";
    QVERIFY(m_decoder.decode(body.toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 2u);
    QCOMPARE(text(m_batch.events()[0].service), u"late"_s);
    QCOMPARE(text(m_batch.events()[1].service), QString()); // no resource: "default"
}

void tst_OtlpTraceDecoder::rejectsBadSpansOnly()
{
    const QByteArray ok = R"("startTimeUnixNano":)" + ns(kNowMs - 1) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    const QByteArray body = request(span(R"("name":"good",)" + ok) + ','
        + span(R"("name":"no end","startTimeUnixNano":)" + ns(kNowMs)) + ','
        + span(R"("name":"backwards","startTimeUnixNano":)" + ns(kNowMs) + R"(,"endTimeUnixNano":)" + ns(kNowMs - 1))
        + ','
        + span(R"("name":"old","startTimeUnixNano":)" + ns(kNowMs - 49LL * 3600 * 1000) + R"(,"endTimeUnixNano":)"
            + ns(kNowMs - 49LL * 3600 * 1000 + 1))
        + ','
        + span(R"("name":"bad status","kind":2,)" + ok + R"(,"attributes":[)" + attr("http.method", str("GET")) + ','
            + attr("http.status_code", R"({"intValue":"2000"})") + "]")
        + ',' + span(R"("name":"bad time","startTimeUnixNano":"12x","endTimeUnixNano":)" + ns(kNowMs)) + ",42");
    QVERIFY(m_decoder.decode(body.toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 1u);
    QCOMPARE(m_batch.rejected(), 6u);
    QCOMPARE(m_decoder.spanCount(), 7u);
    QStringList errors;
    for (const EventError &e : m_batch.errors())
        errors << QString::fromStdString(e.message);
    QCOMPARE(errors,
        QStringList({
            u"span 1: \"endTimeUnixNano\" is required"_s,
            u"span 2: \"endTimeUnixNano\" is before \"startTimeUnixNano\""_s,
            u"span 3: ends more than 48 h in the past"_s,
            u"span 4: \"http.response.status_code\" must be an integer from 100 to 599"_s,
            u"span 5: \"startTimeUnixNano\" must be Unix nanoseconds (a string or a number)"_s,
            u"span 6: must be a JSON object"_s,
        }));
}

void tst_OtlpTraceDecoder::rejectsDurationsBeyondTheBound()
{
    // A span that "started" at the epoch lasts 54 years: rejected with the reason, so no sum of
    // durations can run past DBL_MAX. Exactly the bound (1e12 ms) is kept.
    const QByteArray end = R"(,"endTimeUnixNano":)" + ns(kNowMs);
    const QByteArray body = request(span(R"("name":"epoch","startTimeUnixNano":"1")" + end) + ','
        + span(R"("name":"at the bound","startTimeUnixNano":)" + ns(kNowMs - 1'000'000'000'000) + end) + ','
        + span(R"("name":"just above","startTimeUnixNano":)" + ns(kNowMs - 1'000'000'000'000, -1000) + end));
    QVERIFY(m_decoder.decode(body.toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 1u);
    QCOMPARE(m_batch.rejected(), 2u);
    QCOMPARE(name(m_batch.events()[0]), u"at the bound"_s);
    QCOMPARE(m_batch.events()[0].value, 1e12);
    QStringList errors;
    for (const EventError &e : m_batch.errors())
        errors << QString::fromStdString(e.message);
    QCOMPARE(errors,
        QStringList({
            u"span 0: lasts more than 1e12 ms (about 31.7 years)"_s,
            u"span 2: lasts more than 1e12 ms (about 31.7 years)"_s,
        }));
}

void tst_OtlpTraceDecoder::refusesMalformedBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QByteArray() << u"the body is empty"_s;
    QTest::newRow("truncated") << QByteArray(R"({"resourceSpans":[{"scopeSpans":[)") << u"malformed JSON: "_s;
    QTest::newRow("trailing comma") << QByteArray(R"({"resourceSpans":[],})") << u"malformed JSON: "_s;
    QTest::newRow("array root") << QByteArray("[]") << u"the body must be a JSON ExportTraceServiceRequest object"_s;
    QTest::newRow("resourceSpans not an array")
        << QByteArray(R"({"resourceSpans":{}})") << u"\"resourceSpans\" must be an array"_s;
    QTest::newRow("scopeSpans not an array")
        << QByteArray(R"({"resourceSpans":[{"scopeSpans":"x"}]})") << u"\"scopeSpans\" must be an array"_s;
    QTest::newRow("spans not an array") << QByteArray(R"({"resourceSpans":[{"scopeSpans":[{"spans":1}]}]})")
                                        << u"\"spans\" must be an array"_s;
    QTest::newRow("invalid UTF-8") << QByteArray("{\"resourceSpans\":[],\"x\":\"\xff\"}")
                                   << u"the body is not valid UTF-8"_s;
    QTest::newRow("too deep") << QByteArray(R"({"resourceSpans":[],"x":)") + QByteArray(100, '[') + QByteArray(100, ']')
            + '}' << u"the JSON nests deeper than 64 levels"_s;
    QTest::newRow("protobuf bytes") << QByteArray("\x0a\x0f\x0a\x0d\x12\x0b", 6) << u"malformed JSON: "_s;
}

void tst_OtlpTraceDecoder::refusesMalformedBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    QVERIFY(!m_decoder.decode(body.toStdString(), kNowMs, m_batch));
    QVERIFY(m_batch.isRefused());
    QVERIFY(!m_batch.isRefusedAsTooLarge());
    QCOMPARE(m_batch.accepted(), 0u);
    QVERIFY2(QString::fromStdString(m_batch.refusal()).startsWith(reason), m_batch.refusal().c_str());
}

void tst_OtlpTraceDecoder::refusesTooManySpans()
{
    NativeDecoderLimits limits;
    limits.maxEvents = 2;
    OtlpTraceDecoder decoder(limits);
    const QByteArray times = R"("startTimeUnixNano":)" + ns(kNowMs - 1) + R"(,"endTimeUnixNano":)" + ns(kNowMs);
    const QByteArray one = span(R"("name":"s",)" + times);
    QVERIFY(decoder.decode(request(one + ',' + one).toStdString(), kNowMs, m_batch));
    QCOMPARE(m_batch.accepted(), 2u);
    QVERIFY(!decoder.decode(request(one + ',' + one + ',' + one).toStdString(), kNowMs, m_batch));
    QVERIFY(m_batch.isRefusedAsTooLarge());
    QCOMPARE(m_batch.refusal(), std::string("the request holds more than 2 spans; send at most 2 per request"));
}

void tst_OtlpTraceDecoder::acceptsEmptyExports()
{
    for (const char *body : { "{}", R"({"resourceSpans":[]})", R"({"resourceSpans":[{"scopeSpans":[]}]})",
             R"({"resourceSpans":[{"scopeSpans":[{"spans":[]}]}]})" }) {
        QVERIFY2(m_decoder.decode(body, kNowMs, m_batch), body);
        QCOMPARE(m_batch.accepted(), 0u);
        QCOMPARE(m_batch.rejected(), 0u);
    }
}

QTEST_GUILESS_MAIN(tst_OtlpTraceDecoder)
#include "tst_otlptracedecoder.moc"
