#include "aggregate.h"
#include "decodedbatch.h"
#include "metricstore.h"
#include "otlpmetricsdecoder.h"
#include "otlpmetricsstate.h"

#include <QDateTime>
#include <QTest>
#include <limits>
#include <string>

using namespace perfwatch;

namespace {

std::string attr(const char *key, const char *value)
{
    return std::string(R"({"key":")") + key + R"(","value":{"stringValue":")" + value + R"("}})";
}

/// One http.server.request.duration histogram point (seconds) of service "svc".
std::string histogramExport(int temporality, qint64 startNs, qint64 timeNs, const char *status, quint64 count,
    double sum, const std::string &buckets, const char *service = "svc")
{
    return std::string(R"({"resourceMetrics":[{"resource":{"attributes":[)") + attr("service.name", service)
        + R"(]},"scopeMetrics":[{"metrics":[{"name":"http.server.request.duration","unit":"s","histogram":{)"
        + R"("aggregationTemporality":)" + std::to_string(temporality) + R"(,"dataPoints":[{"attributes":[)"
        + attr("http.request.method", "GET") + "," + attr("http.route", "/api/trips/{id}")
        + R"(,{"key":"http.response.status_code","value":{"intValue":")" + status + R"("}}],)"
        + R"("startTimeUnixNano":")" + std::to_string(startNs) + R"(","timeUnixNano":")" + std::to_string(timeNs)
        + R"(","count":")" + std::to_string(count) + R"(","sum":)" + std::to_string(sum) + R"(,"bucketCounts":)"
        + buckets + R"(,"explicitBounds":[0.005,0.01,0.025,0.05,0.1,0.25]}]}}]}]}]})";
}

Aggregate apiWindow(const MetricStore &store, qint64 nowMs, bool *approximate = nullptr)
{
    Aggregate total;
    for (const KeyAggregate &k : store.window(nowMs - 3'600'000, nowMs + 1)) {
        if (k.meta.kind != MetricKind::Api)
            continue;
        if (k.meta.name != u"GET:/api/trips/{id}")
            qFatal("unexpected key");
        total.merge(k.agg);
        if (approximate)
            *approximate = k.meta.approximate;
    }
    return total;
}

/// The one reason a body of one data point was rejected with, or what happened instead.
QString rejectionOf(OtlpMetricsDecoder &decoder, const std::string &body, qint64 nowMs, DecodedBatch &batch)
{
    if (!decoder.decodeJson(body, nowMs, batch))
        return u"refused: "_qs + QString::fromStdString(batch.refusal());
    if (batch.accepted() != 0 || batch.rejected() != 1)
        return u"accepted %1, rejected %2"_qs.arg(batch.accepted()).arg(batch.rejected());
    return QString::fromStdString(batch.errors().front().message);
}

} // namespace

class TestOtlpMetrics : public QObject
{
    Q_OBJECT

private slots:
    void deltaHistogramKeepsCountSumMinMaxExact()
    {
        MetricStore store;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        OtlpMetricsState state(store, now - 60'000);
        OtlpMetricsDecoder decoder({}, &state);
        DecodedBatch batch;
        std::string body = histogramExport(
            1, (now - 1000) * 1'000'000, now * 1'000'000, "200", 7, 0.7, R"(["0","0","0","0","3","2","2"])");
        // min and max as the SDK sends them
        body.insert(body.find(R"("bucketCounts")"), R"("min":0.06,"max":0.2,)");
        QVERIFY(decoder.decodeJson(body, now, batch));
        QCOMPARE(batch.accepted(), std::size_t(1));
        QCOMPARE(batch.rejected(), std::size_t(0));
        state.submit(batch.events(), now);
        state.releaseDue(now + OtlpMetricsState::kHoldMs); // no spans from svc: stored after the hold
        bool approximate = false;
        const Aggregate a = apiWindow(store, now + OtlpMetricsState::kHoldMs, &approximate);
        QCOMPARE(a.stats.count, quint64(7));
        QCOMPARE(a.stats.errors, quint64(0));
        QCOMPARE(a.stats.sum, 700.0);
        QCOMPARE(a.stats.min, 60.0);
        QCOMPARE(a.stats.max, 200.0);
        QVERIFY(approximate);
        // Interpolated inside (100, 250] ms: the median lies in the 50-100 bucket's top or above.
        const double p50 = a.quantile(0.5);
        QVERIFY2(p50 > 60 && p50 < 200, qPrintable(QString::number(p50)));
        QCOMPARE(a.quantile(1.0), 200.0);
    }

    void cumulativeBecomesDeltasAndOldStreamsAreABaseline()
    {
        MetricStore store;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 started = now - 120'000;
        OtlpMetricsState state(store, started);
        OtlpMetricsDecoder decoder({}, &state);
        DecodedBatch batch;
        const qint64 startNs = (started + 1000) * 1'000'000; // began after PerfWatch: counted from zero
        QVERIFY(decoder.decodeJson(
            histogramExport(2, startNs, (now - 60'000) * 1'000'000, "500", 4, 0.4, R"(["0","0","0","0","4","0","0"])"),
            now, batch));
        QCOMPARE(batch.accepted(), std::size_t(1));
        state.submit(batch.events(), now);
        QVERIFY(decoder.decodeJson(
            histogramExport(2, startNs, now * 1'000'000, "500", 10, 1.3, R"(["0","0","0","0","7","3","0"])"), now,
            batch));
        QCOMPARE(batch.accepted(), std::size_t(1));
        state.submit(batch.events(), now);
        // The same point again: nothing new.
        QVERIFY(decoder.decodeJson(
            histogramExport(2, startNs, now * 1'000'000, "500", 10, 1.3, R"(["0","0","0","0","7","3","0"])"), now,
            batch));
        QCOMPARE(batch.accepted(), std::size_t(0));
        QCOMPARE(decoder.quietCount(), std::size_t(1));
        state.releaseDue(now, true);
        const Aggregate a = apiWindow(store, now);
        QCOMPARE(a.stats.count, quint64(10)); // 4, then 6 more: never 14
        QCOMPARE(a.stats.errors, quint64(10));
        QVERIFY(qAbs(a.stats.sum - 1300.0) < 1e-6);

        // A stream older than PerfWatch: its first point is only the baseline.
        QVERIFY(decoder.decodeJson(histogramExport(2, (started - 3'600'000) * 1'000'000, now * 1'000'000, "200", 1000,
                                       50, R"(["0","0","0","0","1000","0","0"])", "old"),
            now, batch));
        QCOMPARE(batch.accepted(), std::size_t(0));
        QCOMPARE(state.counters().baselines, quint64(1));
    }

    void spansWinOverMetricsOfTheSameService()
    {
        MetricStore store;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        OtlpMetricsState state(store, now - 60'000);
        OtlpMetricsDecoder decoder({}, &state);
        DecodedBatch batch;
        const std::string body = histogramExport(
            1, (now - 1000) * 1'000'000, now * 1'000'000, "200", 5, 0.5, R"(["0","0","0","0","5","0","0"])");

        // Metrics first (as at an SDK's shutdown), the spans a moment later: counted once.
        QVERIFY(decoder.decodeJson(body, now, batch));
        state.submit(batch.events(), now);
        QCOMPARE(state.counters().held, quint64(1));
        IngestEvent span;
        span.kind = MetricKind::Api;
        span.service = "svc";
        span.name = "GET:/api/trips/{id}";
        span.value = 100;
        span.timestampMs = now;
        store.insert({ &span, 1 }, now + 500);
        state.noteSpans({ &span, 1 }, now + 500);
        state.releaseDue(now + OtlpMetricsState::kHoldMs);
        QCOMPARE(state.counters().held, quint64(0));
        QCOMPARE(state.counters().coveredBySpans, quint64(5));
        QCOMPARE(apiWindow(store, now + OtlpMetricsState::kHoldMs).stats.count, quint64(1));

        // Spans known already: the metric is dropped at once.
        QVERIFY(decoder.decodeJson(body, now + 20'000, batch));
        state.submit(batch.events(), now + 20'000);
        QCOMPARE(state.counters().held, quint64(0));
        QCOMPARE(state.counters().coveredBySpans, quint64(10));
        QCOMPARE(apiWindow(store, now + 20'000).stats.count, quint64(1));
    }

    void malformedPointsAreRejectedWithAReason()
    {
        MetricStore store;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        OtlpMetricsState state(store, now - 60'000);
        OtlpMetricsDecoder decoder({}, &state);
        DecodedBatch batch;
        // Five counts for six bounds.
        QVERIFY(decoder.decodeJson(
            histogramExport(1, (now - 1000) * 1'000'000, now * 1'000'000, "200", 5, 0.5, R"(["0","0","0","5","0"])"),
            now, batch));
        QCOMPARE(batch.accepted(), std::size_t(0));
        QCOMPARE(batch.rejected(), std::size_t(1));
        QCOMPARE(QString::fromStdString(batch.errors().front().message),
            u"data point 0: \"bucket_counts\" must hold one more count than \"explicit_bounds\""_qs);
        QVERIFY(!decoder.decodeJson("{", now, batch));
        QVERIFY(!decoder.decodeProtobuf(std::string_view("\x0a\x05\x01", 3), now, batch));
    }

    void pointsBeyondTheValueBoundsAreRejectedWithAReason()
    {
        MetricStore store;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        OtlpMetricsState state(store, now - 60'000);
        OtlpMetricsDecoder decoder({}, &state);
        DecodedBatch batch;
        const auto rejection = [&](const std::string &body) { return rejectionOf(decoder, body, now, batch); };
        const qint64 startNs = (now - 1000) * 1'000'000;
        // A largest duration of 1e10 s (1e13 ms): no request lasts that long.
        std::string body
            = histogramExport(1, startNs, now * 1'000'000, "200", 7, 0.7, R"(["0","0","0","0","3","2","2"])");
        body.insert(body.find(R"("bucketCounts")"), R"("min":0.06,"max":1e10,)");
        QCOMPARE(rejection(body), u"data point 0: holds a duration above 1e12 ms (about 31.7 years)"_qs);
        // 7 requests whose sum (1e10 s) is more than 7 times the bound.
        QCOMPARE(
            rejection(histogramExport(1, startNs, now * 1'000'000, "200", 7, 1e10, R"(["0","0","0","0","3","2","2"])")),
            u"data point 0: \"sum\" must be at most \"count\" times 1e12 ms"_qs);
        // A gauge of 1e308 (finite, but two of them sum to infinity).
        const std::string gauge = std::string("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":")
            + "\"queue.depth\",\"gauge\":{\"dataPoints\":[{\"timeUnixNano\":\"" + std::to_string(now) + "000000"
            + "\",\"asDouble\":1e308}]}}]}]}]}";
        QCOMPARE(rejection(gauge), u"data point 0: the value must be from -1e300 to 1e300"_qs);
        QCOMPARE(store.window(now - 3'600'000, now + 1).size(), std::size_t(0));
    }

    void histogramCountsSaturateInsteadOfWrapping()
    {
        // Two delta points of 2^63 requests each: the key counts 2^64 - 1, not 0.
        MetricStore store;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        OtlpMetricsState state(store, now - 60'000);
        OtlpMetricsDecoder decoder({}, &state);
        DecodedBatch batch;
        const quint64 half = quint64(1) << 63;
        for (int i = 0; i < 2; ++i) {
            const qint64 timeMs = now - 2000 + i * 1000;
            QVERIFY(decoder.decodeJson(histogramExport(1, (timeMs - 1000) * 1'000'000, timeMs * 1'000'000, "200", half,
                                           1.0, R"(["0","0","0","0","0","0",")" + std::to_string(half) + R"("])"),
                now, batch));
            QCOMPARE(batch.accepted(), std::size_t(1));
            state.submit(batch.events(), now);
        }
        state.releaseDue(now + OtlpMetricsState::kHoldMs);
        const Aggregate a = apiWindow(store, now + OtlpMetricsState::kHoldMs);
        QCOMPARE(a.stats.count, std::numeric_limits<quint64>::max());
        QCOMPARE(a.sketch.count(), std::numeric_limits<quint64>::max());
        QCOMPARE(a.stats.sum, 2000.0);
        QCOMPARE(a.quantile(0.5), 250.0); // the overflow bucket's lower bound, as Prometheus reads it
    }
};

QTEST_GUILESS_MAIN(TestOtlpMetrics)
#include "tst_otlpmetrics.moc"
