#include "analyzer.h"
#include "snapshotbuilder.h"
#include "storedashboardsource.h"
#include "viewtestdata.h"

#include <QTest>
#include <cmath>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

const KeyRow *findRow(const DashboardSnapshot &s, MetricKind kind, const QString &name)
{
    for (const KeyRow &r : s.rowsOf(kind)) {
        if (r.key.name == name)
            return &r;
    }
    return nullptr;
}

double sumY(const QList<QPointF> &points)
{
    double sum = 0;
    for (const QPointF &p : points)
        sum += p.y();
    return sum;
}

} // namespace

class TestSnapshotBuilder : public QObject
{
    Q_OBJECT

    MetricStore m_store;
    std::shared_ptr<StoreDashboardSource> m_source;

private Q_SLOTS:
    void initTestCase()
    {
        EventBatch b;
        // Current 15 min: GET:/a 60 x 10 ms (3 of them 500s), GET:/b 30 x 900 ms, find:x 20 x 50 ms (1 failed).
        for (int i = 0; i < 60; ++i)
            b.api("GET:/a", 10, i < 3 ? 500 : 200, kNow - 10 * kMinute + i * 5 * kSecond);
        for (int i = 0; i < 30; ++i)
            b.api("GET:/b", 900, 200, kNow - 8 * kMinute + i * 10 * kSecond);
        for (int i = 0; i < 20; ++i)
            b.add(MetricKind::Db, "find:x", 50, kNow - 5 * kMinute + i * kSecond).error = i == 0;
        IngestEvent &cache = b.add(MetricKind::Cache, "trip_cache", 0, kNow - 2 * kMinute);
        cache.items = 80;
        cache.misses = 20;
        b.add(MetricKind::Gauge, "db.pool.in_use", 7, kNow - 3 * kMinute);
        b.add(MetricKind::Gauge, "db.pool.in_use", 9, kNow - 1 * kMinute);
        // The 15 min before: GET:/a 30 x 20 ms.
        for (int i = 0; i < 30; ++i)
            b.api("GET:/a", 20, 200, kNow - 25 * kMinute + i * 10 * kSecond);
        b.insertInto(m_store, kNow);

        m_source = std::make_shared<StoreDashboardSource>(m_store);
        m_source->setApdexFunction(
            [](const Aggregate &agg, const AnalyzerConfig &c) { return Analyzer(c).apdex(agg); });
        m_source->setAnalysisFunction([](const MetricStore &, qint64 now) {
            AnalysisResult r;
            r.score.value = 72;
            r.score.band = Band::Good;
            r.score.computedAtMs = now;
            return r;
        });
        m_source->addScoreHistory({ { kNow - 20 * kMinute, 90, Band::Excellent },
            { kNow - 10 * kMinute, 70, Band::Good }, { kNow - 5 * kMinute, 0, Band::NoData } });
    }

    void tableRowsHaveExactFigures()
    {
        SnapshotBuilder builder(m_source, nullptr);
        DashboardRequest request;
        request.range = TimeRange::Minutes15;
        request.nowMs = kNow;
        const DashboardSnapshotPtr s = builder.build(request);

        QCOMPARE(s->windowSeconds, 900.0);
        QCOMPARE(s->rowsOf(MetricKind::Api).size(), std::size_t(2));
        const KeyRow *a = findRow(*s, MetricKind::Api, QStringLiteral("GET:/a"));
        QVERIFY(a);
        QCOMPARE(a->count, quint64(60));
        QCOMPARE(a->errors, quint64(3));
        QCOMPARE(a->errorRate, 0.05);
        QCOMPARE(a->ratePerSec, 60.0 / 900.0);
        QCOMPARE(a->p50, 10.0); // one value: quantiles clamp to the exact min and max
        QCOMPARE(a->p95, 10.0);
        QCOMPARE(a->max, 10.0);
        QCOMPARE(a->apdex, 57.0 / 60.0); // the three 500s are frustrated
        const KeyRow *b = findRow(*s, MetricKind::Api, QStringLiteral("GET:/b"));
        QVERIFY(b);
        QCOMPARE(b->apdex, 0.5); // 900 ms: tolerating with T = 500 ms
        QCOMPARE(b->avg, 900.0);

        const KeyRow *db = findRow(*s, MetricKind::Db, QStringLiteral("find:x"));
        QVERIFY(db);
        QCOMPARE(db->count, quint64(20));
        QCOMPARE(db->errors, quint64(1));
        QVERIFY(std::isnan(db->apdex));

        const KeyRow *cache = findRow(*s, MetricKind::Cache, QStringLiteral("trip_cache"));
        QVERIFY(cache);
        QCOMPARE(cache->hits, quint64(80));
        QCOMPARE(cache->misses, quint64(20));
        QCOMPARE(cache->hitRate, 0.8);
        QCOMPARE(cache->ratePerSec, 100.0 / 900.0);

        const KeyRow *gauge = findRow(*s, MetricKind::Gauge, QStringLiteral("db.pool.in_use"));
        QVERIFY(gauge);
        QCOMPARE(gauge->last, 9.0);
        QCOMPARE(gauge->min, 7.0);
        QCOMPARE(gauge->max, 9.0);
        QCOMPARE(gauge->avg, 8.0);
        QVERIFY(s->hasData);
        QCOMPARE(s->services, QStringList { QStringLiteral("svc") });
    }

    void hugeCacheCountsDoNotWrap()
    {
        // 2^63 hits + 2^63 misses: the lookups saturate instead of wrapping to 0 lookups per second.
        MetricStore store;
        EventBatch b;
        for (int i = 0; i < 2; ++i) {
            IngestEvent &cache = b.add(MetricKind::Cache, "huge_cache", 0, kNow - kMinute);
            cache.items = quint64(1) << 62;
            cache.misses = quint64(1) << 62;
        }
        b.insertInto(store, kNow);
        auto source = std::make_shared<StoreDashboardSource>(store);
        SnapshotBuilder builder(source, nullptr);
        DashboardRequest request;
        request.range = TimeRange::Minutes15;
        request.nowMs = kNow;
        const DashboardSnapshotPtr s = builder.build(request);
        const KeyRow *cache = findRow(*s, MetricKind::Cache, QStringLiteral("huge_cache"));
        QVERIFY(cache);
        QCOMPARE(cache->hits, quint64(1) << 63);
        QCOMPARE(cache->misses, quint64(1) << 63);
        QCOMPARE(cache->hitRate, 0.5);
        QCOMPARE(cache->ratePerSec, double(UINT64_MAX) / 900.0);
    }

    void unchangedKeysReuseTheirRows()
    {
        // Quantiles and Apdex are computed for keys whose window changed; the others keep their row
        // and only the rates follow the window's length.
        MetricStore store;
        EventBatch b;
        for (int i = 0; i < 10; ++i) {
            b.api("GET:/a", 100 + i, 200, kNow - 5 * kMinute + i * kSecond);
            b.api("GET:/b", 700, 200, kNow - 4 * kMinute + i * kSecond);
        }
        b.insertInto(store, kNow);
        auto source = std::make_shared<StoreDashboardSource>(store);
        int apdexCalls = 0;
        source->setApdexFunction([&apdexCalls](const Aggregate &agg, const AnalyzerConfig &c) {
            ++apdexCalls;
            return Analyzer(c).apdex(agg);
        });
        SnapshotBuilder builder(source, nullptr);
        DashboardRequest request;
        request.range = TimeRange::Minutes15;
        request.nowMs = kNow + 10 * kSecond;
        const DashboardSnapshotPtr first = builder.build(request);
        QCOMPARE(apdexCalls, 2);

        request.nowMs = kNow + 20 * kSecond;
        const DashboardSnapshotPtr same = builder.build(request);
        QCOMPARE(apdexCalls, 2);
        const KeyRow *a = findRow(*same, MetricKind::Api, QStringLiteral("GET:/a"));
        QVERIFY(a);
        QVERIFY(!a->sameValues(*findRow(*first, MetricKind::Api, QStringLiteral("GET:/a")))); // the rate moved
        QCOMPARE(a->ratePerSec, 10.0 / 920.0);
        QCOMPARE(a->p95, findRow(*first, MetricKind::Api, QStringLiteral("GET:/a"))->p95);
        QCOMPARE(a->apdex, 1.0);

        // One more request to /b: only its row is computed again.
        b.api("GET:/b", 3000, 200, kNow + 25 * kSecond);
        b.insertInto(store, kNow + 25 * kSecond);
        request.nowMs = kNow + 30 * kSecond;
        const DashboardSnapshotPtr changed = builder.build(request);
        QCOMPARE(apdexCalls, 3);
        const KeyRow *rowB = findRow(*changed, MetricKind::Api, QStringLiteral("GET:/b"));
        QCOMPARE(rowB->count, quint64(11));
        QCOMPARE(rowB->max, 3000.0);
        QCOMPARE(rowB->apdex, 5.0 / 11.0); // ten tolerating, one frustrated

        // Another threshold changes every Apdex.
        AnalyzerConfig thresholds = source->thresholds();
        thresholds.slowApiMs = 800;
        source->setThresholds(thresholds);
        const DashboardSnapshotPtr rethresholded = builder.build(request);
        QCOMPARE(apdexCalls, 5);
        QCOMPARE(findRow(*rethresholded, MetricKind::Api, QStringLiteral("GET:/b"))->apdex,
            10.5 / 11.0); // 3 s is within 4 T: tolerating
    }

    void kpisCompareWithThePreviousWindow()
    {
        SnapshotBuilder builder(m_source, nullptr);
        DashboardRequest request;
        request.range = TimeRange::Minutes15;
        request.nowMs = kNow;
        const DashboardSnapshotPtr s = builder.build(request);
        QCOMPARE(s->fromMs, kNow - 15 * kMinute);
        QCOMPARE(s->current.requestsPerSec, 90.0 / 900.0);
        QCOMPARE(s->current.errorRate, 4.0 / 110.0);
        QCOMPARE(s->current.dbAvgMs, 50.0);
        QCOMPARE(s->current.cacheHitRate, 0.8);
        QVERIFY(std::abs(s->current.apiP95Ms - 900.0) <= 9.0); // the sketch's 1 %
        QCOMPARE(s->previous.requestsPerSec, 30.0 / 900.0);
        QCOMPARE(s->previous.apiP95Ms, 20.0);
        QCOMPARE(s->previous.errorRate, 0.0);
        QVERIFY(std::isnan(s->previous.dbAvgMs));
        QVERIFY(std::isnan(s->previous.cacheHitRate));
    }

    void chartsCoverTheRangeWithCappedPoints()
    {
        SnapshotBuilder builder(m_source, nullptr);
        DashboardRequest request;
        request.range = TimeRange::Minutes15;
        request.nowMs = kNow;
        const DashboardSnapshotPtr s = builder.build(request);
        QCOMPARE(s->stepMs, 5 * kSecond);
        // Every complete 5 s step from the first request on, zero-filled: requests/s x 5 s adds up to
        // the requests. Before the first request there is no line (nothing was measured), not zeros.
        QCOMPARE(s->throughput[0].size(), 120);
        QCOMPARE(s->throughput[0].front().x(), double(kNow - 10 * kMinute));
        QCOMPARE(s->throughput[0].back().x(), double(kNow - 5 * kSecond));
        QCOMPARE(sumY(s->throughput[0]) * 5.0, 90.0);
        QCOMPARE(sumY(s->throughput[1]) * 5.0, 20.0);
        // Latency points only where requests were: GET:/a fills 60 steps, GET:/b 12 more.
        QCOMPARE(s->latency[1].size(), 72);
        QCOMPARE(s->errorRate[0].size(), 72);
        QCOMPARE(s->errorRate[0].front().y(), 100.0); // the first request was a 500

        // Score history: analyses of the range (this tick's included), without "no data" points.
        QCOMPARE(s->score.size(), 2);
        QCOMPARE(s->score.at(0), QPointF(double(kNow - 10 * kMinute), 70.0));
        QCOMPARE(s->score.at(1), QPointF(double(kNow), 72.0));
        QCOMPARE(s->analysis.score.value, 72);

        for (TimeRange range : kTimeRanges) {
            request.range = range;
            const DashboardSnapshotPtr r = builder.build(request);
            for (const auto &series : r->throughput)
                QVERIFY2(series.size() <= kMaxChartPoints, qPrintable(QString::number(series.size())));
            QVERIFY(!r->throughput[0].isEmpty());
            QVERIFY(r->throughput[0].front().x() >= double(r->fromMs));
            QVERIFY(r->throughput[0].back().x() <= double(kNow));
        }
    }

    void selectedKeyDrivesTheCharts()
    {
        SnapshotBuilder builder(m_source, nullptr);
        DashboardRequest request;
        request.range = TimeRange::Minutes15;
        request.nowMs = kNow;
        const DashboardSnapshotPtr all = builder.build(request);
        const KeyRow *b = findRow(*all, MetricKind::Api, QStringLiteral("GET:/b"));
        QVERIFY(b);

        request.selected = b->key;
        const DashboardSnapshotPtr s = builder.build(request);
        QCOMPARE(s->latencyMode, LatencyMode::Latency);
        QVERIFY(!s->latency[1].isEmpty());
        for (const QPointF &p : s->latency[1])
            QCOMPARE(p.y(), 900.0);
        // A key's finest buckets are 10 s: its throughput counts in 10 s steps.
        QCOMPARE(sumY(s->throughput[0]) * 10.0, 30.0);
        QCOMPARE(s->rawKey, b->key);
        QCOMPARE(s->rawSamples.size(), std::size_t(30));
        QCOMPARE(s->rawSamples.back().value, 900.0);
        // KPIs stay on all traffic.
        QCOMPARE(s->current.requestsPerSec, 90.0 / 900.0);

        const KeyRow *cache = findRow(*all, MetricKind::Cache, QStringLiteral("trip_cache"));
        request.selected = cache->key;
        const DashboardSnapshotPtr c = builder.build(request);
        QCOMPARE(c->latencyMode, LatencyMode::HitRate);
        QCOMPARE(c->latency[0].size(), 1);
        QCOMPARE(c->latency[0].front().y(), 80.0);
    }

    void noDataBeforeAnythingArrives()
    {
        MetricStore empty;
        SnapshotBuilder builder(std::make_shared<StoreDashboardSource>(empty), nullptr);
        DashboardRequest request;
        request.nowMs = kNow;
        const DashboardSnapshotPtr s = builder.build(request);
        QVERIFY(!s->hasData);
        QCOMPARE(s->analysis.score.band, Band::NoData);
        QVERIFY(std::isnan(s->current.apiP95Ms));
        for (const auto &rows : s->rows)
            QVERIFY(rows.empty());
    }
};

QTEST_GUILESS_MAIN(TestSnapshotBuilder)
#include "tst_snapshotbuilder.moc"
