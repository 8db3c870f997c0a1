// Arithmetic on the real REST path (README "Validation"): what a sender writes can neither wrap
// a counter nor overflow a sum into null or 0 in what PerfWatch answers.

#include "jsonwriter.h"
#include "testserver.h"

#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_IngestArithmetic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void cacheLookupsSaturate();
    void itemsSaturate();
    void durationsNoRequestCanHaveAreRejected();
    void gaugesBeyondTheBoundAreRejected();
    void largeNumbersAreWrittenNotNulled();

private:
    /// POSTs a native batch and returns the answer's body; fails the test on another status.
    QByteArray ingest(const QByteArray &body, int status = 202);
    QByteArray summary();

    TestServer m_server;
};

void tst_IngestArithmetic::init()
{
    QVERIFY(m_server.start());
}

void tst_IngestArithmetic::cleanup()
{
    m_server.stop();
}

QByteArray tst_IngestArithmetic::ingest(const QByteArray &body, int status)
{
    const auto reply = m_server.post("/api/performance/ingest", body);
    if (!reply) {
        QTest::qFail("no answer", __FILE__, __LINE__);
        return {};
    }
    if (reply->status != status)
        QTest::qFail(
            qPrintable(u"status %1: %2"_s.arg(reply->status).arg(QString::fromUtf8(reply->body))), __FILE__, __LINE__);
    return reply->body;
}

QByteArray tst_IngestArithmetic::summary()
{
    const auto reply = m_server.get("/api/performance/summary");
    if (!reply || reply->status != 200) {
        QTest::qFail("no summary", __FILE__, __LINE__);
        return {};
    }
    return reply->body;
}

void tst_IngestArithmetic::cacheLookupsSaturate()
{
    // 2^63 hits + 2^63 misses wrapped to 0 lookups and a hit rate of 0.
    ingest(R"({"type":"cache","name":"c","hits":9223372036854775808,"misses":9223372036854775808})");
    QVERIFY(summary().contains(R"("c":{"hits":9223372036854775808,"misses":9223372036854775808,)"
                               R"("lookups":18446744073709551615,"hit_rate":0.5,)"));
    // Two more: hits and misses saturate too, the rate stays what they say.
    ingest(R"([{"type":"cache","name":"c","hits":9223372036854775808,"misses":0},)"
           R"({"type":"cache","name":"c","hits":0,"misses":9223372036854775808}])");
    QVERIFY(summary().contains(R"("c":{"hits":18446744073709551615,"misses":18446744073709551615,)"
                               R"("lookups":18446744073709551615,"hit_rate":0.5,)"));
}

void tst_IngestArithmetic::itemsSaturate()
{
    ingest(R"([{"type":"processing","name":"p","duration_ms":1000,"items_processed":18446744073709551615},)"
           R"({"type":"processing","name":"p","duration_ms":1000,"items_processed":18446744073709551615}])");
    const QByteArray body = summary();
    QVERIFY2(body.contains(R"("items_processed":18446744073709551615,)"), body.constData());
    // The Prometheus counter since start saturates as well: 2^64 - 1 as a double is 2^64.
    const auto metrics = m_server.get("/metrics");
    QVERIFY(metrics && metrics->status == 200);
    QVERIFY2(
        metrics->body.contains(R"(perfwatch_processing_items_total{service="default",step="p"} 18446744073709551616)"),
        metrics->body.constData());
}

void tst_IngestArithmetic::durationsNoRequestCanHaveAreRejected()
{
    // Two durations of 1e308 summed to infinity: avg 0 and null percentiles. Each is rejected
    // with the reason; a real one in the same batch is kept.
    const QByteArray answer
        = ingest(R"([{"type":"api","method":"GET","route":"/slow","duration_ms":1e308,"status":200},)"
                 R"({"type":"api","method":"GET","route":"/slow","duration_ms":1e308,"status":200},)"
                 R"({"type":"api","method":"GET","route":"/slow","duration_ms":1e12,"status":200}])");
    // Not raw strings: moc misreads a raw string holding \" inside a macro's arguments.
    const QByteArray reason = "\\\"duration_ms\\\" must be at most 1e12 (ms, about 31.7 years)";
    const QByteArray expected = "{\"accepted\":1,\"rejected\":2,\"errors\":[{\"index\":0,\"error\":\"event 0: " + reason
        + "\"},{\"index\":1,\"error\":\"event 1: " + reason + "\"}]}";
    QCOMPARE(answer, expected);
    const QJsonObject slow = QJsonDocument::fromJson(summary())
                                 .object()
                                 .value(u"api_requests"_s)
                                 .toObject()
                                 .value(u"GET:/slow"_s)
                                 .toObject();
    QCOMPARE(slow.value(u"request_count"_s).toInteger(), 1);
    for (const QString &field : { u"avg_duration_ms"_s, u"min_duration_ms"_s, u"max_duration_ms"_s,
             u"p50_duration_ms"_s, u"p95_duration_ms"_s, u"p99_duration_ms"_s })
        QCOMPARE(slow.value(field).toDouble(), 1e12);
}

void tst_IngestArithmetic::gaugesBeyondTheBoundAreRejected()
{
    const QByteArray answer = ingest(R"([{"type":"gauge","name":"g","value":1e308},)"
                                     R"({"type":"gauge","name":"g","value":1e300},)"
                                     R"({"type":"gauge","name":"g","value":1e300}])");
    QCOMPARE(answer,
        QByteArray("{\"accepted\":2,\"rejected\":1,\"errors\":[{\"index\":0,\"error\":\"event 0: "
                   "\\\"value\\\" must be from -1e300 to 1e300\"}]}"));
    const QJsonObject g
        = QJsonDocument::fromJson(summary()).object().value(u"resources"_s).toObject().value(u"g"_s).toObject();
    QCOMPARE(g.value(u"samples"_s).toInteger(), 2);
    QCOMPARE(g.value(u"avg"_s).toDouble(), 1e300); // the sum 2e300 is finite
    QCOMPARE(g.value(u"last"_s).toDouble(), 1e300);
}

void tst_IngestArithmetic::largeNumbersAreWrittenNotNulled()
{
    // Rounding to 3 decimals multiplied 1e308 by 1000: infinity, written as null.
    JsonWriter json;
    json.beginObject().field("big", 1e308, 3).field("max", std::numeric_limits<double>::max(), 3).endObject();
    QCOMPARE(json.data(), QByteArray(R"({"big":1e+308,"max":1.7976931348623157e+308})"));
}

QTEST_GUILESS_MAIN(tst_IngestArithmetic)
#include "tst_ingestarithmetic.moc"
