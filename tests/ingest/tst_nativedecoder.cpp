#include "nativedecoder.h"
#include "rfc3339.h"

#include <QTest>
#include <cmath>
#include <string>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kNow = 1'700'000'000'000; // 2023-11-14T22:13:20Z
constexpr qint64 kHour = 3'600'000;

QString sv(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QStringList messages(const DecodedBatch &batch)
{
    QStringList out;
    for (const auto &e : batch.errors())
        out << QString::fromStdString(e.message);
    return out;
}

QByteArray nested(int depth)
{
    return QByteArray(depth, '[') + QByteArray(depth, ']');
}

QByteArray apiEvent(int i = 0)
{
    return R"({"type":"api","method":"GET","route":"/api/trips","duration_ms":)" + QByteArray::number(i)
        + R"(,"status":200})";
}

QByteArray arrayOf(int count, const QByteArray &event)
{
    QByteArray body;
    body.reserve(count * (event.size() + 1) + 2);
    body += '[';
    for (int i = 0; i < count; ++i) {
        if (i)
            body += ',';
        body += event;
    }
    body += ']';
    return body;
}

} // namespace

class tst_NativeDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesEveryType_data();
    void decodesEveryType();
    void rejectsInvalidEvents_data();
    void rejectsInvalidEvents();
    void refusesHostileBodies_data();
    void refusesHostileBodies();
    void acceptsEveryLayout_data();
    void acceptsEveryLayout();
    void keepsValidEventsOfPartialBatches();
    void capsBatchSize_data();
    void capsBatchSize();
    void limitsStringLength();
    void limitsDepthAtExactly64();
    void acceptsTimestampsInsideTheWindow_data();
    void acceptsTimestampsInsideTheWindow();
    void parsesRfc3339_data();
    void parsesRfc3339();
    void decodesInPlaceWhenCapacityAllows();
    void reusesBatches();
    void keepsNdjsonStringsAcrossLines();
    void composesInterleavedKeys();
};

void tst_NativeDecoder::decodesEveryType_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("requestId");
    QTest::addColumn<QString>("fields");
    QTest::addColumn<qint64>("timestampMs");
    QTest::addColumn<double>("value");
    QTest::addColumn<quint64>("items");
    QTest::addColumn<quint64>("misses");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("error");

    QTest::newRow("api") << QByteArray(R"({"type":"api","service":"trips","method":"get","route":"/api/trips/{id}",
        "duration_ms":12.5,"status":201,"request_id":"r-1","timestamp":1699999999000})")
                         << int(MetricKind::Api) << u"GET:/api/trips/{id}"_s << u"trips"_s << u"r-1"_s << QString()
                         << qint64(1'699'999'999'000) << 12.5 << quint64(0) << quint64(0) << 201 << false;
    QTest::newRow("api 5xx is an error, raw path normalised")
        << QByteArray(
               R"({"type":"api","method":"Post","route":"/api/trips/42/stops/7?x=1","duration_ms":0,"status":503})")
        << int(MetricKind::Api) << u"POST:/api/trips/{id}/stops/{id}"_s << QString() << QString() << QString()
        << qint64(0) << 0.0 << quint64(0) << quint64(0) << 503 << true;
    QTest::newRow("api 499 is not an error")
        << QByteArray(R"({"type":"api","method":"GET","route":"/","duration_ms":1,"status":499})")
        << int(MetricKind::Api) << u"GET:/"_s << QString() << QString() << QString() << qint64(0) << 1.0 << quint64(0)
        << quint64(0) << 499 << false;
    QTest::newRow("db") << QByteArray(R"({"type":"db","operation":"find","collection":"trips","duration_ms":3,
        "fields":["user_id","start_time","user_id"],"documents":7,"error":true,"service":"svc",
        "timestamp":"2023-11-14T22:13:20.5Z"})")
                        << int(MetricKind::Db) << u"find:trips"_s << u"svc"_s << QString() << u"user_id,start_time"_s
                        << qint64(kNow + 500) << 3.0 << quint64(7) << quint64(0) << 0 << true;
    QTest::newRow("db defaults") << QByteArray(
        R"({"type":"db","operation":"aggregate","collection":"users","duration_ms":250.25})")
                                 << int(MetricKind::Db) << u"aggregate:users"_s << QString() << QString() << QString()
                                 << qint64(0) << 250.25 << quint64(0) << quint64(0) << 0 << false;
    QTest::newRow("processing") << QByteArray(
        R"({"type":"processing","name":"data_validation","duration_ms":40,"items_processed":250})")
                                << int(MetricKind::Processing) << u"data_validation"_s << QString() << QString()
                                << QString() << qint64(0) << 40.0 << quint64(250) << quint64(0) << 0 << false;
    QTest::newRow("processing items default 1")
        << QByteArray(R"({"type":"processing","name":"step","duration_ms":1.5})") << int(MetricKind::Processing)
        << u"step"_s << QString() << QString() << QString() << qint64(0) << 1.5 << quint64(1) << quint64(0) << 0
        << false;
    QTest::newRow("gauge negative") << QByteArray(
        R"({"type":"gauge","name":"db.pool.in_use","value":-3.5,"timestamp":"2023-11-14T23:13:20+01:00"})")
                                    << int(MetricKind::Gauge) << u"db.pool.in_use"_s << QString() << QString()
                                    << QString() << kNow << -3.5 << quint64(0) << quint64(0) << 0 << false;
    QTest::newRow("cache") << QByteArray(R"({"type":"cache","name":"trip_cache","hits":90,"misses":10})")
                           << int(MetricKind::Cache) << u"trip_cache"_s << QString() << QString() << QString()
                           << qint64(0) << 0.0 << quint64(90) << quint64(10) << 0 << false;
    QTest::newRow("null optionals are absent, unknown fields ignored")
        << QByteArray(R"({"type":"cache","name":"c","hits":1,"misses":0,"service":null,"timestamp":null,
            "extra":{"deep":[1,2,{"x":null}]},"version":"1.2"})")
        << int(MetricKind::Cache) << u"c"_s << QString() << QString() << QString() << qint64(0) << 0.0 << quint64(1)
        << quint64(0) << 0 << false;
    QTest::newRow("escaped keys and strings")
        << QByteArray(R"({"typ\u0065":"gauge","name":"caf\u00e9 \"q\"","value":1e3})") << int(MetricKind::Gauge)
        << u"café \"q\""_s << QString() << QString() << QString() << qint64(0) << 1000.0 << quint64(0) << quint64(0)
        << 0 << false;
    QTest::newRow("escapes past the first eight bytes of a key")
        << QByteArray(R"({"type":"api","method":"GET","route":"/x","duration\u005fms":5,"statu\u0073":200,)"
                      R"("an_unknown_long_key_\u0041":1})")
        << int(MetricKind::Api) << u"GET:/x"_s << QString() << QString() << QString() << qint64(0) << 5.0 << quint64(0)
        << quint64(0) << 200 << false;
    QTest::newRow("timestamp 0 means time received")
        << QByteArray(R"({"type":"gauge","name":"g","value":0,"timestamp":0})") << int(MetricKind::Gauge) << u"g"_s
        << QString() << QString() << QString() << qint64(0) << 0.0 << quint64(0) << quint64(0) << 0 << false;
    // The bounds themselves are accepted (valuebounds.h); counts up to 2^64 - 1 are taken whole.
    QTest::newRow("duration at the bound 1e12 ms")
        << QByteArray(R"({"type":"processing","name":"p","duration_ms":1e12,"items_processed":18446744073709551615})")
        << int(MetricKind::Processing) << u"p"_s << QString() << QString() << QString() << qint64(0) << 1e12
        << quint64(18446744073709551615ULL) << quint64(0) << 0 << false;
    QTest::newRow("gauge at the bound -1e300")
        << QByteArray(R"({"type":"gauge","name":"g","value":-1e300})") << int(MetricKind::Gauge) << u"g"_s << QString()
        << QString() << QString() << qint64(0) << -1e300 << quint64(0) << quint64(0) << 0 << false;
    QTest::newRow("cache counts 2^63") << QByteArray(
        R"({"type":"cache","name":"c","hits":9223372036854775808,"misses":9223372036854775808})")
                                       << int(MetricKind::Cache) << u"c"_s << QString() << QString() << QString()
                                       << qint64(0) << 0.0 << quint64(1ULL << 63) << quint64(1ULL << 63) << 0 << false;
}

void tst_NativeDecoder::decodesEveryType()
{
    QFETCH(QByteArray, body);
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY2(decoder.decode(body, IngestFormat::Json, kNow, batch), batch.refusal().c_str());
    QCOMPARE(messages(batch), QStringList());
    QCOMPARE(batch.accepted(), 1u);
    QCOMPARE(batch.rejected(), 0u);
    const IngestEvent &e = batch.events()[0];
    QTEST(int(e.kind), "kind");
    QTEST(sv(e.name), "name");
    QTEST(sv(e.service), "service");
    QTEST(sv(e.requestId), "requestId");
    QTEST(sv(e.fields), "fields");
    QTEST(e.timestampMs, "timestampMs");
    QTEST(e.value, "value");
    QTEST(quint64(e.items), "items");
    QTEST(quint64(e.misses), "misses");
    QTEST(int(e.status), "status");
    QTEST(e.error, "error");
}

void tst_NativeDecoder::rejectsInvalidEvents_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");

    const auto api = [](const char *fields) -> QByteArray {
        return QByteArray(R"({"type":"api","method":"GET","route":"/r",)") + fields + '}';
    };
    QTest::newRow("type missing") << QByteArray(R"({"name":"x"})") << uR"(event 0: "type" is required)"_s;
    QTest::newRow("type unknown") << QByteArray(R"({"type":"trace"})")
                                  << uR"(event 0: "type" must be one of "api", "db", "processing", "gauge", "cache")"_s;
    QTest::newRow("type not a string") << QByteArray(
        R"({"type":1})") << uR"(event 0: "type" must be one of "api", "db", "processing", "gauge", "cache")"_s;
    QTest::newRow("not an object") << QByteArray(R"([42])") << u"event 0: must be a JSON object"_s;
    QTest::newRow("api method missing") << QByteArray(R"({"type":"api","route":"/","duration_ms":1,"status":200})")
                                        << uR"(event 0: "method" is required)"_s;
    QTest::newRow("api method not a string")
        << QByteArray(R"({"type":"api","method":["GET"],"route":"/","duration_ms":1,"status":200})")
        << uR"(event 0: "method" must be a string)"_s;
    QTest::newRow("api method empty") << QByteArray(
        R"({"type":"api","method":"","route":"/","duration_ms":1,"status":200})")
                                      << uR"(event 0: "method" must not be empty)"_s;
    QTest::newRow("api method not a token")
        << QByteArray(R"({"type":"api","method":"GE T","route":"/","duration_ms":1,"status":200})")
        << uR"(event 0: "method" must be an HTTP method such as "GET")"_s;
    QTest::newRow("api route missing") << QByteArray(R"({"type":"api","method":"GET","duration_ms":1,"status":200})")
                                       << uR"(event 0: "route" is required)"_s;
    QTest::newRow("duration missing") << api(R"("status":200)") << uR"(event 0: "duration_ms" is required)"_s;
    QTest::newRow("duration null") << api(R"("duration_ms":null,"status":200)")
                                   << uR"(event 0: "duration_ms" is required)"_s;
    QTest::newRow("duration negative") << api(R"("duration_ms":-0.5,"status":200)")
                                       << uR"(event 0: "duration_ms" must be a finite number >= 0)"_s;
    QTest::newRow("duration 1e400") << api(R"("duration_ms":1e400,"status":200)")
                                    << uR"(event 0: "duration_ms" must be a finite number >= 0)"_s;
    QTest::newRow("duration string") << api(R"("duration_ms":"12","status":200)")
                                     << uR"(event 0: "duration_ms" must be a finite number >= 0)"_s;
    QTest::newRow("duration object") << api(R"("duration_ms":{"ms":1},"status":200)")
                                     << uR"(event 0: "duration_ms" must be a finite number >= 0)"_s;
    // Finite but no real duration: two of them would sum past DBL_MAX.
    QTest::newRow("duration 1e308") << api(R"("duration_ms":1e308,"status":200)")
                                    << uR"(event 0: "duration_ms" must be at most 1e12 (ms, about 31.7 years))"_s;
    QTest::newRow("duration just above 1e12")
        << api(R"("duration_ms":1000000000000.001,"status":200)")
        << uR"(event 0: "duration_ms" must be at most 1e12 (ms, about 31.7 years))"_s;
    QTest::newRow("db duration 1e308") << QByteArray(
        R"({"type":"db","operation":"find","collection":"c","duration_ms":1e308})")
                                       << uR"(event 0: "duration_ms" must be at most 1e12 (ms, about 31.7 years))"_s;
    QTest::newRow("processing duration 1e13")
        << QByteArray(R"({"type":"processing","name":"n","duration_ms":1e13})")
        << uR"(event 0: "duration_ms" must be at most 1e12 (ms, about 31.7 years))"_s;
    QTest::newRow("status missing") << api(R"("duration_ms":1)") << uR"(event 0: "status" is required)"_s;
    QTest::newRow("status 99") << api(R"("duration_ms":1,"status":99)")
                               << uR"(event 0: "status" must be an integer from 100 to 599)"_s;
    QTest::newRow("status 600") << api(R"("duration_ms":1,"status":600)")
                                << uR"(event 0: "status" must be an integer from 100 to 599)"_s;
    QTest::newRow("status float") << api(R"("duration_ms":1,"status":200.0)")
                                  << uR"(event 0: "status" must be an integer from 100 to 599)"_s;
    QTest::newRow("status string") << api(R"("duration_ms":1,"status":"200")")
                                   << uR"(event 0: "status" must be an integer from 100 to 599)"_s;
    QTest::newRow("status huge") << api(R"("duration_ms":1,"status":99999999999999999999999)")
                                 << uR"(event 0: "status" must be an integer from 100 to 599)"_s;
    QTest::newRow("db operation missing")
        << QByteArray(R"({"type":"db","collection":"c","duration_ms":1})") << uR"(event 0: "operation" is required)"_s;
    QTest::newRow("db collection missing") << QByteArray(R"({"type":"db","operation":"find","duration_ms":1})")
                                           << uR"(event 0: "collection" is required)"_s;
    QTest::newRow("db fields not an array")
        << QByteArray(R"({"type":"db","operation":"find","collection":"c","duration_ms":1,"fields":"a,b"})")
        << uR"(event 0: "fields" must be an array of at most 64 non-empty field names without commas, at most 1024 bytes joined)"_s;
    QTest::newRow("db fields with a number")
        << QByteArray(R"({"type":"db","operation":"find","collection":"c","duration_ms":1,"fields":["a",1]})")
        << uR"(event 0: "fields" must be an array of at most 64 non-empty field names without commas, at most 1024 bytes joined)"_s;
    QTest::newRow("db error not bool") << QByteArray(
        R"({"type":"db","operation":"find","collection":"c","duration_ms":1,"error":"yes"})")
                                       << uR"(event 0: "error" must be true or false)"_s;
    QTest::newRow("db documents negative")
        << QByteArray(R"({"type":"db","operation":"find","collection":"c","duration_ms":1,"documents":-1})")
        << uR"(event 0: "documents" must be a non-negative integer)"_s;
    QTest::newRow("processing name missing")
        << QByteArray(R"({"type":"processing","duration_ms":1})") << uR"(event 0: "name" is required)"_s;
    QTest::newRow("processing items float")
        << QByteArray(R"({"type":"processing","name":"n","duration_ms":1,"items_processed":1.5})")
        << uR"(event 0: "items_processed" must be a non-negative integer)"_s;
    QTest::newRow("gauge value missing") << QByteArray(R"({"type":"gauge","name":"g"})")
                                         << uR"(event 0: "value" is required)"_s;
    QTest::newRow("gauge value string") << QByteArray(R"({"type":"gauge","name":"g","value":"1"})")
                                        << uR"(event 0: "value" must be a finite number)"_s;
    QTest::newRow("gauge value -1e400") << QByteArray(R"({"type":"gauge","name":"g","value":-1e400})")
                                        << uR"(event 0: "value" must be a finite number)"_s;
    QTest::newRow("gauge value 1e308") << QByteArray(R"({"type":"gauge","name":"g","value":1e308})")
                                       << uR"(event 0: "value" must be from -1e300 to 1e300)"_s;
    QTest::newRow("gauge value -1.1e300") << QByteArray(R"({"type":"gauge","name":"g","value":-1.1e300})")
                                          << uR"(event 0: "value" must be from -1e300 to 1e300)"_s;
    QTest::newRow("cache hits missing") << QByteArray(R"({"type":"cache","name":"c","misses":1})")
                                        << uR"(event 0: "hits" is required)"_s;
    QTest::newRow("cache misses negative") << QByteArray(R"({"type":"cache","name":"c","hits":1,"misses":-1})")
                                           << uR"(event 0: "misses" must be a non-negative integer)"_s;
    QTest::newRow("cache hits 2^64") << QByteArray(
        R"({"type":"cache","name":"c","hits":18446744073709551616,"misses":1})")
                                     << uR"(event 0: "hits" must be a non-negative integer)"_s;
    QTest::newRow("service not a string") << QByteArray(R"({"type":"gauge","name":"g","value":1,"service":7})")
                                          << uR"(event 0: "service" must be a string)"_s;
    QTest::newRow("request_id not a string") << QByteArray(R"({"type":"gauge","name":"g","value":1,"request_id":{}})")
                                             << uR"(event 0: "request_id" must be a string)"_s;
    QTest::newRow("timestamp garbage")
        << QByteArray(R"({"type":"gauge","name":"g","value":1,"timestamp":"yesterday"})")
        << uR"(event 0: "timestamp" must be an RFC 3339 date-time or Unix milliseconds)"_s;
    QTest::newRow("timestamp bool") << QByteArray(R"({"type":"gauge","name":"g","value":1,"timestamp":true})")
                                    << uR"(event 0: "timestamp" must be an RFC 3339 date-time or Unix milliseconds)"_s;
    QTest::newRow("timestamp in seconds")
        << QByteArray(R"({"type":"gauge","name":"g","value":1,"timestamp":1700000000})")
        << uR"(event 0: "timestamp" is more than 48 h in the past (Unix milliseconds or RFC 3339 expected))"_s;
    QTest::newRow("timestamp far future")
        << QByteArray(R"({"type":"gauge","name":"g","value":1,"timestamp":"2030-01-01T00:00:00Z"})")
        << uR"(event 0: "timestamp" is more than 5 min in the future)"_s;
    QTest::newRow("wrong type of an irrelevant field is ignored, the relevant one reported")
        << QByteArray(R"({"type":"gauge","name":"g","status":"x","value":false})")
        << uR"(event 0: "value" must be a finite number)"_s;
}

void tst_NativeDecoder::rejectsInvalidEvents()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY2(decoder.decode(body, IngestFormat::Json, kNow, batch), batch.refusal().c_str());
    QCOMPARE(batch.accepted(), 0u);
    QCOMPARE(batch.rejected(), 1u);
    QCOMPARE(messages(batch), QStringList { error });
    QCOMPARE(batch.errors()[0].index, 0u);
}

void tst_NativeDecoder::refusesHostileBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("refusal");

    const int json = int(IngestFormat::Json);
    const int ndjson = int(IngestFormat::NdJson);
    const QByteArray ok = apiEvent(1);
    QTest::newRow("empty") << QByteArray() << json << u"the body is empty"_s;
    QTest::newRow("whitespace") << QByteArray(" \n\t ") << json << u"the body is empty"_s;
    QTest::newRow("empty array") << QByteArray("[]") << json << u"the batch holds no events"_s;
    QTest::newRow("blank ndjson") << QByteArray("\n \r\n\n") << ndjson << u"the batch holds no events"_s;
    QTest::newRow("number") << QByteArray("42") << json << u"the body must be a JSON object or an array of objects"_s;
    QTest::newRow("string") << QByteArray(R"("api")") << json
                            << u"the body must be a JSON object or an array of objects"_s;
    QTest::newRow("truncated in a string") << ok.left(40) << json << u"malformed JSON: a string is not closed"_s;
    QTest::newRow("truncated array") << '[' + ok + ',' << json
                                     << u"malformed JSON: unterminated array or object (truncated body?)"_s;
    QTest::newRow("trailing garbage") << ok + " x" << json
                                      << u"malformed JSON at byte 80: content after the document"_s;
    QTest::newRow("two arrays") << QByteArray("[] []") << json
                                << u"malformed JSON at byte 3: content after the document"_s;
    const QString token = u"malformed JSON: unexpected token (a missing or extra comma, brace or quote? NaN and "
                          u"Infinity are not JSON)"_s;
    QTest::newRow("truncated object") << ok.chopped(1) << json << token;
    QTest::newRow("NaN") << QByteArray(R"({"type":"gauge","name":"g","value":NaN})") << json << token;
    QTest::newRow("Infinity") << QByteArray(R"({"type":"gauge","name":"g","value":Infinity})") << json << token;
    QTest::newRow("-Infinity") << QByteArray(R"({"type":"gauge","name":"g","value":-Infinity})") << json
                               << u"malformed JSON: invalid number"_s;
    QTest::newRow("1.2.3") << QByteArray(R"({"type":"gauge","name":"g","value":1.2.3})") << json
                           << u"malformed JSON: invalid number"_s;
    QTest::newRow("missing comma") << QByteArray(R"({"type":"gauge" "name":"g"})") << json << token;
    QTest::newRow("mismatched bracket in an unknown field")
        << QByteArray(R"({"type":"gauge","name":"g","value":1,"x":[1}})") << json << token;
    QTest::newRow("bad literal in an unknown field")
        << QByteArray(R"({"type":"gauge","name":"g","value":1,"x":tru})") << json
        << u"malformed JSON: invalid literal (expected true, false or null)"_s;
    QTest::newRow("bad literal where a number belongs")
        << QByteArray(R"({"type":"gauge","name":"g","value":nul})") << json
        << u"malformed JSON: invalid literal (expected true, false or null)"_s;
    QTest::newRow("invalid UTF-8") << QByteArray("{\"type\":\"gauge\",\"name\":\"g\xff\xfe\",\"value\":1}") << json
                                   << u"the body is not valid UTF-8"_s;
    QTest::newRow("overlong UTF-8") << QByteArray("{\"type\":\"gauge\",\"name\":\"\xc0\xaf\",\"value\":1}") << json
                                    << u"the body is not valid UTF-8"_s;
    QTest::newRow("invalid UTF-8 in an unknown key")
        << QByteArray("{\"\xed\xa0\x80\":1}") << json << u"the body is not valid UTF-8"_s;
    QTest::newRow("lone surrogate escape") << QByteArray(R"({"type":"gauge","name":"\ud800","value":1})") << json
                                           << u"malformed JSON: invalid string escape"_s;
    QTest::newRow("control character") << QByteArray("{\"type\":\"gauge\",\"name\":\"a\x01\",\"value\":1}") << json
                                       << u"malformed JSON: control character inside a string"_s;
    QTest::newRow("100k-deep arrays") << nested(100'000) << json << u"the JSON nests deeper than 64 levels"_s;
    QTest::newRow("100k-deep objects") << QByteArray(R"({"a":)").repeated(100'000) + '1' + QByteArray(100'000, '}')
                                       << json << u"the JSON nests deeper than 64 levels"_s;
    QTest::newRow("100k-deep inside an event") << QByteArray(R"([{"type":"gauge","name":"g","value":1,"x":)")
            + nested(100'000) + "}]" << json << u"the JSON nests deeper than 64 levels"_s;
    QTest::newRow("unclosed 100k-deep") << QByteArray(100'000, '[') << json
                                        << u"malformed JSON: unterminated array or object (truncated body?)"_s;
    QTest::newRow("ndjson malformed line") << ok + "\n\n{\"type\":\n"
                                           << ndjson
                                           << u"line 3: malformed JSON: unexpected token (a missing or extra comma, "
                                              u"brace or quote? NaN and Infinity are not JSON)"_s;
    QTest::newRow("ndjson two values on a line")
        << ok + ' ' + ok << ndjson << u"line 1: malformed JSON: more than one value on the line"_s;
    QTest::newRow("ndjson deep line") << ok + '\n' + nested(100'000) << ndjson
                                      << u"line 2: the JSON nests deeper than 64 levels"_s;
}

void tst_NativeDecoder::refusesHostileBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(int, format);
    QFETCH(QString, refusal);
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY(!decoder.decode(body, IngestFormat(format), kNow, batch));
    QVERIFY(batch.isRefused());
    QCOMPARE(QString::fromStdString(batch.refusal()), refusal);
    QCOMPARE(batch.accepted(), 0u);
    QCOMPARE(batch.rejected(), 0u);
    QVERIFY(batch.errors().empty());
}

void tst_NativeDecoder::acceptsEveryLayout_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("count");

    const QByteArray a = apiEvent(1);
    const QByteArray g = R"({"type":"gauge","name":"g","value":2})";
    QTest::newRow("object") << a << int(IngestFormat::Json) << 1;
    QTest::newRow("array") << '[' + a + ',' + g + ']' << int(IngestFormat::Json) << 2;
    QTest::newRow("array with whitespace") << "\n [\n  " + a + " ,\r\n\t" + g + "\n ]\n"
                                           << int(IngestFormat::Json) << 2;
    QTest::newRow("ndjson") << a + '\n' + g + '\n' << int(IngestFormat::NdJson) << 2;
    QTest::newRow("ndjson CRLF, blank lines, no final newline")
        << "\r\n" + a + "\r\n\r\n   \n" + g << int(IngestFormat::NdJson) << 2;
    QTest::newRow("ndjson single object") << a << int(IngestFormat::NdJson) << 1;
}

void tst_NativeDecoder::acceptsEveryLayout()
{
    QFETCH(QByteArray, body);
    QFETCH(int, format);
    QFETCH(int, count);
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY2(decoder.decode(body, IngestFormat(format), kNow, batch), batch.refusal().c_str());
    QCOMPARE(int(batch.accepted()), count);
    QCOMPARE(sv(batch.events()[0].name), u"GET:/api/trips"_s);
    QCOMPARE(batch.events()[0].value, 1.0);
    if (count > 1) {
        QCOMPARE(sv(batch.events()[1].name), u"g"_s);
        QCOMPARE(batch.events()[1].value, 2.0);
    }
}

void tst_NativeDecoder::keepsValidEventsOfPartialBatches()
{
    // 30 events: every 6th valid (5 valid), the rest invalid in turn; only 20 errors are listed.
    QByteArray body = "[";
    for (int i = 0; i < 30; ++i) {
        if (i)
            body += ',';
        body += i % 6 == 0 ? apiEvent(i) : QByteArray(R"({"type":"api","method":"GET","route":"/","status":200})");
    }
    body += ']';
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode(body, IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.accepted(), 5u);
    QCOMPARE(batch.rejected(), 25u);
    QCOMPARE(batch.errors().size(), DecodedBatch::kMaxListedErrors);
    QCOMPARE(batch.errors()[0].index, 1u);
    QCOMPARE(QString::fromStdString(batch.errors()[0].message), uR"(event 1: "duration_ms" is required)"_s);
    QCOMPARE(batch.errors()[5].index, 7u);
    QCOMPARE(batch.errors()[19].index, 23u);
    for (std::size_t i = 0; i < batch.accepted(); ++i)
        QCOMPARE(batch.events()[i].value, double(i * 6));

    // The same in NDJSON gives the same indices.
    QByteArray lines = body.mid(1).chopped(1).replace("},{", "}\n{");
    QVERIFY(decoder.decode(lines, IngestFormat::NdJson, kNow, batch));
    QCOMPARE(batch.accepted(), 5u);
    QCOMPARE(batch.rejected(), 25u);
    QCOMPARE(batch.errors()[19].index, 23u);
}

void tst_NativeDecoder::capsBatchSize_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("json 50000") << int(IngestFormat::Json) << 50'000 << true;
    QTest::newRow("json 50001") << int(IngestFormat::Json) << 50'001 << false;
    QTest::newRow("ndjson 50000") << int(IngestFormat::NdJson) << 50'000 << true;
    QTest::newRow("ndjson 50001") << int(IngestFormat::NdJson) << 50'001 << false;
}

void tst_NativeDecoder::capsBatchSize()
{
    QFETCH(int, format);
    QFETCH(int, count);
    QFETCH(bool, accepted);
    const QByteArray event = R"({"type":"gauge","name":"g","value":1})";
    QByteArray body
        = IngestFormat(format) == IngestFormat::Json ? arrayOf(count, event) : QByteArray(event + '\n').repeated(count);
    NativeDecoder decoder;
    DecodedBatch batch;
    QCOMPARE(decoder.decode(body, IngestFormat(format), kNow, batch), accepted);
    if (accepted) {
        QCOMPARE(int(batch.accepted()), count);
    } else {
        QCOMPARE(batch.accepted(), 0u);
        QCOMPARE(QString::fromStdString(batch.refusal()),
            u"the batch holds more than 50000 events; send at most 50000 per request"_s);
    }
}

void tst_NativeDecoder::limitsStringLength()
{
    NativeDecoder decoder;
    DecodedBatch batch;
    const auto gauge = [](const QByteArray &name, const QByteArray &service = "s") -> QByteArray {
        return R"({"type":"gauge","name":")" + name + R"(","service":")" + service + R"(","value":1})";
    };
    QVERIFY(decoder.decode(gauge(QByteArray(1024, 'n')), IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.accepted(), 1u);
    QCOMPARE(batch.events()[0].name.size(), 1024u);

    QVERIFY(decoder.decode(gauge(QByteArray(1025, 'n')), IngestFormat::Json, kNow, batch));
    QCOMPARE(messages(batch), QStringList { uR"(event 0: "name" must be at most 1024 bytes)"_s });
    QVERIFY(decoder.decode(gauge("n", QByteArray(1025, 's')), IngestFormat::Json, kNow, batch));
    QCOMPARE(messages(batch), QStringList { uR"(event 0: "service" must be at most 1024 bytes)"_s });

    // The limit counts bytes after unescaping: 1024 "é" escapes are 2048 bytes of UTF-8.
    QVERIFY(decoder.decode(gauge(QByteArray("\\u00e9").repeated(1024)), IngestFormat::Json, kNow, batch));
    QCOMPARE(messages(batch), QStringList { uR"(event 0: "name" must be at most 1024 bytes)"_s });

    // Composed keys obey the limit too.
    const QByteArray longRoute = '/' + QByteArray(1020, 'r');
    QVERIFY(
        decoder.decode(R"({"type":"api","method":"GET","route":")" + longRoute + R"(","duration_ms":1,"status":200})",
            IngestFormat::Json, kNow, batch));
    QCOMPARE(
        messages(batch), QStringList { uR"(event 0: "method" and "route" together must be at most 1024 bytes)"_s });
}

void tst_NativeDecoder::limitsDepthAtExactly64()
{
    NativeDecoder decoder;
    DecodedBatch batch;
    // array (1) > event (2) > 62 nested arrays (3..64)
    const QByteArray prefix = R"([{"type":"gauge","name":"g","value":1,"x":)";
    QVERIFY2(decoder.decode(prefix + nested(62) + "}]", IngestFormat::Json, kNow, batch), batch.refusal().c_str());
    QCOMPARE(batch.accepted(), 1u);
    QVERIFY(!decoder.decode(prefix + nested(63) + "}]", IngestFormat::Json, kNow, batch));
    QCOMPARE(QString::fromStdString(batch.refusal()), u"the JSON nests deeper than 64 levels"_s);
    // The same limit where a known field holds the container.
    QVERIFY(!decoder.decode(
        R"([{"type":"gauge","name":"g","value":)" + nested(63) + "}]", IngestFormat::Json, kNow, batch));
    QVERIFY(
        decoder.decode(R"([{"type":"gauge","name":"g","value":)" + nested(62) + "}]", IngestFormat::Json, kNow, batch));
    QCOMPARE(messages(batch), QStringList { uR"(event 0: "value" must be a finite number)"_s });
}

void tst_NativeDecoder::acceptsTimestampsInsideTheWindow_data()
{
    QTest::addColumn<qint64>("timestamp");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("now") << kNow << true;
    QTest::newRow("48 h ago") << kNow - 48 * kHour << true;
    QTest::newRow("48 h and 1 ms ago") << kNow - 48 * kHour - 1 << false;
    QTest::newRow("5 min ahead") << kNow + 300'000 << true;
    QTest::newRow("5 min and 1 ms ahead") << kNow + 300'001 << false;
    QTest::newRow("negative") << qint64(-5) << false;
}

void tst_NativeDecoder::acceptsTimestampsInsideTheWindow()
{
    QFETCH(qint64, timestamp);
    QFETCH(bool, accepted);
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode(R"({"type":"gauge","name":"g","value":1,"timestamp":)" + QByteArray::number(timestamp) + '}',
        IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.accepted(), accepted ? 1u : 0u);
    if (accepted)
        QCOMPARE(batch.events()[0].timestampMs, timestamp);
    // A fractional millisecond number is truncated.
    QVERIFY(decoder.decode(R"({"type":"gauge","name":"g","value":1,"timestamp":)" + QByteArray::number(kNow) + ".75}",
        IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.events()[0].timestampMs, kNow);
}

void tst_NativeDecoder::parsesRfc3339_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("Z") << QByteArray("2023-11-14T22:13:20Z") << true << kNow;
    QTest::newRow("lower case") << QByteArray("2023-11-14t22:13:20z") << true << kNow;
    QTest::newRow("space") << QByteArray("2023-11-14 22:13:20Z") << true << kNow;
    QTest::newRow("millis") << QByteArray("2023-11-14T22:13:20.123Z") << true << kNow + 123;
    QTest::newRow("one digit fraction") << QByteArray("2023-11-14T22:13:20.1Z") << true << kNow + 100;
    QTest::newRow("nanos truncated") << QByteArray("2023-11-14T22:13:20.123999999Z") << true << kNow + 123;
    QTest::newRow("positive offset") << QByteArray("2023-11-15T00:43:20+02:30") << true << kNow;
    QTest::newRow("negative offset") << QByteArray("2023-11-14T17:13:20-05:00") << true << kNow;
    QTest::newRow("leap day") << QByteArray("2024-02-29T00:00:00Z") << true << qint64(1'709'164'800'000);
    QTest::newRow("epoch") << QByteArray("1970-01-01T00:00:00Z") << true << qint64(0);
    QTest::newRow("no leap day") << QByteArray("2023-02-29T00:00:00Z") << false << qint64(0);
    QTest::newRow("no offset") << QByteArray("2023-11-14T22:13:20") << false << qint64(0);
    QTest::newRow("date only") << QByteArray("2023-11-14") << false << qint64(0);
    QTest::newRow("month 13") << QByteArray("2023-13-14T22:13:20Z") << false << qint64(0);
    QTest::newRow("hour 24") << QByteArray("2023-11-14T24:00:00Z") << false << qint64(0);
    QTest::newRow("empty fraction") << QByteArray("2023-11-14T22:13:20.Z") << false << qint64(0);
    QTest::newRow("short offset") << QByteArray("2023-11-14T22:13:20+02") << false << qint64(0);
    QTest::newRow("trailing") << QByteArray("2023-11-14T22:13:20Zx") << false << qint64(0);
    QTest::newRow("signs in fields") << QByteArray("2023-+1-14T22:13:20Z") << false << qint64(0);
}

void tst_NativeDecoder::parsesRfc3339()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QFETCH(qint64, ms);
    qint64 out = -1;
    QCOMPARE(parseRfc3339(std::string_view(text.constData(), std::size_t(text.size())), out), valid);
    if (valid)
        QCOMPARE(out, ms);
}

void tst_NativeDecoder::decodesInPlaceWhenCapacityAllows()
{
    QByteArray body = arrayOf(3, apiEvent(7));
    body.reserve(body.size() + 256);
    const char *const data = body.constData();
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode(body, IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.accepted(), 3u);
    QCOMPARE(batch.events()[2].value, 7.0);
    QCOMPARE(body.constData(), data); // not detached or copied by the decoder
    // Without spare room the decoder copies; the result is the same.
    QByteArray tight = arrayOf(3, apiEvent(7));
    tight.squeeze();
    QVERIFY(decoder.decode(tight, IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.accepted(), 3u);
    QCOMPARE(sv(batch.events()[1].name), u"GET:/api/trips"_s);
}

void tst_NativeDecoder::reusesBatches()
{
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode(arrayOf(100, R"({"type":"gauge","name":"bad"})"), IngestFormat::Json, kNow, batch));
    QCOMPARE(batch.rejected(), 100u);
    QVERIFY(!decoder.decode(QByteArray("[1"), IngestFormat::Json, kNow, batch));
    QVERIFY(batch.isRefused());
    QVERIFY(decoder.decode(apiEvent(3), IngestFormat::Json, kNow, batch));
    QVERIFY(!batch.isRefused());
    QCOMPARE(batch.accepted(), 1u);
    QCOMPARE(batch.rejected(), 0u);
    QVERIFY(batch.errors().empty());
    QCOMPARE(batch.events()[0].value, 3.0);
}

void tst_NativeDecoder::keepsNdjsonStringsAcrossLines()
{
    // Every line is parsed on its own, reusing the parser's string buffer: earlier events'
    // strings must survive later lines.
    QByteArray body;
    for (int i = 0; i < 50; ++i)
        body += R"({"type":"db","service":"svc-)" + QByteArray::number(i) + R"(","operation":"op\u0041)"
            + QByteArray::number(i) + R"(","collection":"c","duration_ms":1,"request_id":"req-)" + QByteArray::number(i)
            + R"(","fields":["f)" + QByteArray::number(i) + R"("]})" + '\n';
    NativeDecoder decoder;
    DecodedBatch batch;
    QVERIFY2(decoder.decode(body, IngestFormat::NdJson, kNow, batch), batch.refusal().c_str());
    QCOMPARE(batch.accepted(), 50u);
    for (int i = 0; i < 50; ++i) {
        const IngestEvent &e = batch.events()[std::size_t(i)];
        QCOMPARE(sv(e.service), u"svc-"_s + QString::number(i));
        QCOMPARE(sv(e.name), u"opA"_s + QString::number(i) + u":c"_s);
        QCOMPARE(sv(e.requestId), u"req-"_s + QString::number(i));
        QCOMPARE(sv(e.fields), u"f"_s + QString::number(i));
    }
}

void tst_NativeDecoder::composesInterleavedKeys()
{
    // Keys are composed once per batch and reused by later events with the same raw parts; the
    // same parts under another kind, or split differently, are other keys.
    const auto api = [](const QByteArray &method, const QByteArray &route) -> QByteArray {
        return R"({"type":"api","method":")" + method + R"(","route":")" + route + R"(","duration_ms":1,"status":200})";
    };
    const auto db = [](const QByteArray &operation, const QByteArray &collection) -> QByteArray {
        return R"({"type":"db","operation":")" + operation + R"(","collection":")" + collection
            + R"(","duration_ms":1})";
    };
    NativeDecoder decoder;
    DecodedBatch batch;
    {
        const QByteArray body = '[' + api("get", "/a/42") + ',' + db("get", "/a/42") + ',' + api("get", "/a/43") + ','
            + api("ge", "t/a/42") + ',' + db("get", "/a/42") + ',' + api("get", "/a/42") + ']';
        QVERIFY2(decoder.decode(body, IngestFormat::Json, kNow, batch), batch.refusal().c_str());
        QStringList names;
        for (const IngestEvent &e : batch.events())
            names << sv(e.name);
        QCOMPARE(names,
            QStringList({ u"GET:/a/{id}"_s, u"get:/a/42"_s, u"GET:/a/{id}"_s, u"GE:t/a/{id}"_s, u"get:/a/42"_s,
                u"GET:/a/{id}"_s }));
    }
    // Many more distinct keys than the decoder remembers, interleaved, in a fresh body (the
    // previous one is gone): every name is still composed from its own event.
    QByteArray body = "[";
    for (int i = 0; i < 2000; ++i) {
        const int key = (i * 7919) % 600;
        if (i > 0)
            body += ',';
        body += key % 2 ? api("get", "/r" + QByteArray::number(key)) : db("find", "c" + QByteArray::number(key));
    }
    body += ']';
    QVERIFY2(decoder.decode(body, IngestFormat::Json, kNow, batch), batch.refusal().c_str());
    QCOMPARE(batch.accepted(), 2000u);
    for (int i = 0; i < 2000; ++i) {
        const int key = (i * 7919) % 600;
        const QString expected = key % 2 ? u"GET:/r"_s + QString::number(key) : u"find:c"_s + QString::number(key);
        QCOMPARE(sv(batch.events()[std::size_t(i)].name), expected);
    }
}

QTEST_GUILESS_MAIN(tst_NativeDecoder)
#include "tst_nativedecoder.moc"
