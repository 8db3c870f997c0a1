// What the fuzz targets found, kept as ordinary tests so every build (gcc, the asan preset with
// UndefinedBehaviorSanitizer) replays it. The inputs are also in the seed corpora (fuzz/corpus).

#include "aggregate.h" // IngestEvent::weight()
#include "decodedbatch.h"
#include "otlpmetricsdecoder.h"
#include "statsdtranslator.h"

#include <QTest>
#include <vector>

using namespace perfwatch;

class tst_FuzzFindings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hugeCacheCounterDoesNotOverflow_data();
    void hugeCacheCounterDoesNotOverflow();
    void metricAttributeWithoutAValueIsAbsent();
};

void tst_FuzzFindings::hugeCacheCounterDoesNotOverflow_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<quint64>("misses");
    // fuzz_statsd: converting 8.9e299 misses to an integer count was undefined behaviour. Such
    // lines are malformed now (a counter beyond 2^53, a rate below 1e-6: valuebounds.h), but
    // the largest accepted line still scales to 9e21, past what one interval counts.
    QTest::newRow("2^53 at the rate floor")
        << QByteArray("trip_cache.misses:9007199254740992|c|@0.000001") << quint64(1e15);
    QTest::newRow("three of them") << QByteArray("trip_cache.misses:9007199254740992|c|@0.000001\n"
                                                 "trip_cache.misses:9007199254740992|c|@0.000001\n"
                                                 "trip_cache.misses:9007199254740992|c|@0.000001")
                                   << quint64(1e15);
    QTest::newRow("ordinary") << QByteArray("trip_cache.misses:7|c") << quint64(7);
}

void tst_FuzzFindings::hugeCacheCounterDoesNotOverflow()
{
    QFETCH(QByteArray, datagram);
    QFETCH(quint64, misses);
    StatsdTranslator translator;
    std::vector<IngestEvent> events;
    translator.translate(std::string_view(datagram.constData(), std::size_t(datagram.size())), events);
    translator.flush(1'700'000'000'000, events);
    QCOMPARE(events.size(), std::size_t(1));
    QCOMPARE(events[0].kind, MetricKind::Cache);
    QCOMPARE(events[0].misses, misses);
    // The excess is dropped, not carried into the next interval.
    events.clear();
    translator.flush(1'700'000'010'000, events);
    QCOMPARE(events.size(), std::size_t(0));
}

// fuzz_otlpmetrics: an OTLP/JSON attribute with a key but no "value" (on the resource or on a
// data point) was read as a value anyway, reading past the parsed document.
void tst_FuzzFindings::metricAttributeWithoutAValueIsAbsent()
{
    const auto body = [](const std::string &resourceAttr, const std::string &pointAttr) {
        return R"({"resourceMetrics":[{"resource":{"attributes":[)" + resourceAttr
            + R"(]},"scopeMetrics":[{"metrics":[{"name":"http.server.request.duration","unit":"s","histogram":{)"
              R"("aggregationTemporality":1,"dataPoints":[{"attributes":[)"
              R"({"key":"http.request.method","value":{"stringValue":"GET"}},)"
            + pointAttr
            + R"(],"startTimeUnixNano":"1699999999000000000","timeUnixNano":"1700000000000000000","count":"3",)"
              R"("sum":0.3,"bucketCounts":["0","3"],"explicitBounds":[0.25]}]}}]}]}]})";
    };
    const auto keysOf = [](const std::string &json, std::size_t &accepted, std::size_t &rejected) {
        OtlpMetricsDecoder decoder(NativeDecoderLimits {});
        DecodedBatch batch;
        if (!decoder.decodeJson(json, 1'700'000'000'000, batch))
            return QStringList { QStringLiteral("refused") };
        accepted = batch.accepted();
        rejected = batch.rejected();
        QStringList keys;
        for (const IngestEvent &e : batch.events())
            keys << QString::fromUtf8(e.service) + u'/' + QString::fromUtf8(e.name) + u' '
                    + QString::number(e.status) + u' ' + QString::number(e.weight());
        return keys;
    };
    std::size_t accepted = 0, rejected = 0, acceptedBare = 0, rejectedBare = 0;
    const QStringList keys
        = keysOf(body(R"({"key":"service.name"})", R"({"key":"http.route"},{"key":"http.response.status_code"})"),
            accepted, rejected);
    const QStringList bare = keysOf(body("", R"({"key":"url.scheme","value":{"stringValue":"http"}})"),
        acceptedBare, rejectedBare);
    QCOMPARE(keys, bare);
    QCOMPARE(accepted, acceptedBare);
    QCOMPARE(rejected, rejectedBare);
    QCOMPARE(accepted + rejected, std::size_t(1));
}

QTEST_GUILESS_MAIN(tst_FuzzFindings)
#include "tst_fuzzfindings.moc"
