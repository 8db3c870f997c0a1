// ReportBuilder: the one place a report's numbers come from.

#include "reportbuilder.h"
#include "reporttestdata.h"
#include "snapshotbuilder.h"

#include <QTest>
#include <cmath>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

/// A source whose analysis has no data (nothing in the score window) and whose history kept a
/// score and recommendations: the report must say where its score comes from.
class StaleSource final : public DashboardSource
{
public:
    explicit StaleSource(MetricStore &store)
        : m_inner(reportSource(store))
    { }
    std::vector<KeyMeta> keys() const override { return m_inner->keys(); }
    QStringList services() const override { return m_inner->services(); }
    StoreCounters storeCounters() const override { return m_inner->storeCounters(); }
    std::vector<KeyAggregate> window(qint64 fromMs, qint64 toMs) const override
    {
        return m_inner->window(fromMs, toMs);
    }
    std::vector<TimePoint> keySeries(const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const override
    {
        return m_inner->keySeries(key, fromMs, toMs, stepMs);
    }
    std::vector<TimePoint> kindSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const override
    {
        return m_inner->kindSeries(kind, services, fromMs, toMs, stepMs);
    }
    std::vector<RawSample> rawSamples(KeyId, int) const override { return {}; }
    AnalysisResult analysis(qint64) const override { return {}; } // Band::NoData
    std::vector<ScorePoint> scoreHistory(qint64 fromMs, qint64 toMs) const override
    {
        std::vector<ScorePoint> out;
        for (const ScorePoint &p : scores) {
            if (p.timestampMs >= fromMs && p.timestampMs < toMs)
                out.push_back(p);
        }
        return out;
    }
    std::vector<Recommendation> persistedRecommendations() const override { return saved; }
    AnalyzerConfig thresholds() const override { return {}; }
    void setThresholds(const AnalyzerConfig &) override { }
    double apdex(const Aggregate &agg, const AnalyzerConfig &c) const override { return Analyzer(c).apdex(agg); }
    PersistenceStatus persistenceStatus() const override { return {}; }

    std::vector<ScorePoint> scores;
    std::vector<Recommendation> saved;

private:
    std::shared_ptr<StoreDashboardSource> m_inner;
};

ReportData build(const DashboardSource &source, double hours, qint64 now = kReportNow)
{
    ReportRequest request;
    request.hours = hours;
    request.nowMs = now;
    return ReportBuilder::build(source, request);
}

} // namespace

class TestReportBuilder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void periodAndRowsMatchTheWindow()
    {
        MetricStore store;
        addTraffic(store, kReportNow);
        auto source = reportSource(store);
        const ReportData d = build(*source, 1);
        QCOMPARE(d.generatedAtMs, kReportNow);
        QCOMPARE(d.fromMs, kReportNow - 60 * kMin);
        QCOMPARE(d.toMs, kReportNow + 1);
        QCOMPARE(d.windowSeconds, 3600.0);
        QCOMPARE(
            d.services, QStringList({ QStringLiteral("trips-api"), QStringLiteral("trips-worker"), kAwkwardService }));

        // Exactly the rows the window computes from the same aggregates.
        for (const KeyAggregate &k : source->window(d.fromMs, d.toMs)) {
            if (k.meta.kind != MetricKind::Api)
                continue;
            const KeyRow expected = SnapshotBuilder::makeRow(k, d.windowSeconds, Analyzer().apdex(k.agg));
            auto it = std::find_if(d.api.begin(), d.api.end(), [&](const KeyRow &r) { return r.key == expected.key; });
            QVERIFY(it != d.api.end());
            QVERIFY(it->sameValues(expected));
        }
        QCOMPARE(d.database.size(), std::size_t(1));
        QCOMPARE(d.processing.size(), std::size_t(1));
        QCOMPARE(d.gauges.size(), std::size_t(2));
        QCOMPARE(d.caches.size(), std::size_t(1));
        // API endpoints by p95, slowest first.
        for (std::size_t i = 1; i < d.api.size(); ++i)
            QVERIFY(d.api[i - 1].p95 >= d.api[i].p95);
        QCOMPARE(d.totals.apiRequests, quint64(360));
        QCOMPARE(d.totals.apiErrors, quint64(15));
        QCOMPARE(d.totals.dbOperations, quint64(120));
        QCOMPARE(d.totals.cacheHitRate, 0.6);
    }

    void seriesStartAtTheFirstDataInWholeSteps()
    {
        MetricStore store;
        addTraffic(store, kReportNow);
        auto source = reportSource(store);
        const ReportData d = build(*source, 24);
        // A day of which ten minutes have data: the charts show those minutes, in minute steps.
        QCOMPARE(d.stepMs, 60'000);
        QCOMPARE(d.chartFromMs, kReportNow - 10 * kMin);
        QCOMPARE(d.latency[1].size(), 10);
        QCOMPARE(d.throughput[0].size(), 10);
        QCOMPARE(d.throughput[0].front().y(), 36.0 / 60.0); // 3 endpoints x 12 requests in the minute
        QVERIFY(d.latency[1].back().x() <= double(kReportNow - kMin)); // the step still filling is left out
        QCOMPARE(d.totals.firstDataMs, kReportNow - 10 * kMin);
    }

    void scoreComesFromTheLatestAnalysis()
    {
        MetricStore store;
        addTraffic(store, kReportNow);
        auto source = reportSource(store);
        const ReportData d = build(*source, 1);
        QCOMPARE(d.scoreSource, ReportScoreSource::LatestAnalysis);
        const AnalysisResult expected = Analyzer().analyze(store, kReportNow);
        QCOMPARE(d.score.value, expected.score.value);
        QCOMPARE(d.score.breakdown.apiRequests, expected.score.breakdown.apiRequests);
        QCOMPARE(d.recommendations.size(), expected.recommendations.size());
        QVERIFY(!d.recommendations.empty());
        QCOMPARE(d.adviceSource, ReportAdviceSource::LatestAnalysis);
    }

    void withoutCurrentDataTheLastScorePointAndSavedAdvice()
    {
        MetricStore store;
        addTraffic(store, kReportNow - 3 * 60 * kMin); // three hours ago: nothing in the score window
        StaleSource source(store);
        source.scores = { { kReportNow - 200 * kMin, 55, Band::Fair }, { kReportNow - 181 * kMin, 48, Band::Fair } };
        Recommendation saved;
        saved.id = QStringLiteral("slow_endpoint:trips-api:GET:/x");
        saved.message = QStringLiteral("GET:/x is slow");
        saved.lastSeenMs = kReportNow - 181 * kMin;
        source.saved = { saved };
        const ReportData d = build(source, 24);
        QCOMPARE(d.scoreSource, ReportScoreSource::ScoreHistory);
        QCOMPARE(d.score.value, 48);
        QCOMPARE(d.scoreAtMs, kReportNow - 181 * kMin);
        QCOMPARE(d.adviceSource, ReportAdviceSource::History);
        QCOMPARE(d.adviceAtMs, kReportNow - 181 * kMin);
        QCOMPARE(d.recommendations.size(), std::size_t(1));
        QCOMPARE(d.totals.scoreMin, 48);
        QCOMPARE(d.totals.scoreMax, 55);
        QVERIFY(!d.isEmpty());

        StaleSource nothing(store);
        const ReportData empty = build(nothing, 1); // the last hour: no rows, no score
        QCOMPARE(empty.scoreSource, ReportScoreSource::None);
        QVERIFY(empty.isEmpty());
    }

    void savedAdviceWhenAskedFor()
    {
        // The command line opens a history the running PerfWatch wrote: its own analysis sees only
        // rollups, the saved advice had the fields and traces. Asked to, the report takes that.
        MetricStore store;
        addTraffic(store, kReportNow);
        StaleSource source(store);
        Recommendation saved;
        saved.id = QStringLiteral("slow_query:trips-api:find:trips");
        saved.message = QStringLiteral("find:trips is slow");
        saved.suggestion = QStringLiteral("Add an index: create index on trips(user_id)");
        saved.lastSeenMs = kReportNow - 20 * kSec;
        source.saved = { saved };
        auto live = reportSource(store);
        // A source whose analysis has data: the stale one above with a live analysis.
        class Live final : public DashboardSource
        {
        public:
            Live(const StaleSource &history, const StoreDashboardSource &analysis)
                : m_history(history)
                , m_analysis(analysis)
            { }
            std::vector<KeyMeta> keys() const override { return m_history.keys(); }
            QStringList services() const override { return m_history.services(); }
            StoreCounters storeCounters() const override { return m_history.storeCounters(); }
            std::vector<KeyAggregate> window(qint64 f, qint64 t) const override { return m_history.window(f, t); }
            std::vector<TimePoint> keySeries(const KeyMeta &k, qint64 f, qint64 t, qint64 s) const override
            {
                return m_history.keySeries(k, f, t, s);
            }
            std::vector<TimePoint> kindSeries(
                MetricKind k, const QStringList &sv, qint64 f, qint64 t, qint64 s) const override
            {
                return m_history.kindSeries(k, sv, f, t, s);
            }
            std::vector<RawSample> rawSamples(KeyId, int) const override { return {}; }
            AnalysisResult analysis(qint64 now) const override { return m_analysis.analysis(now); }
            std::vector<ScorePoint> scoreHistory(qint64, qint64) const override { return {}; }
            std::vector<Recommendation> persistedRecommendations() const override
            {
                return m_history.persistedRecommendations();
            }
            AnalyzerConfig thresholds() const override { return {}; }
            void setThresholds(const AnalyzerConfig &) override { }
            double apdex(const Aggregate &a, const AnalyzerConfig &c) const override { return Analyzer(c).apdex(a); }
            PersistenceStatus persistenceStatus() const override { return {}; }

        private:
            const StaleSource &m_history;
            const StoreDashboardSource &m_analysis;
        } both(source, *live);

        ReportRequest request;
        request.hours = 1;
        request.nowMs = kReportNow;
        const ReportData fresh = ReportBuilder::build(both, request);
        QCOMPARE(fresh.adviceSource, ReportAdviceSource::LatestAnalysis);
        QVERIFY(fresh.recommendations.size() > 1);
        request.preferSavedAdvice = true;
        const ReportData kept = ReportBuilder::build(both, request);
        QCOMPARE(kept.scoreSource, ReportScoreSource::LatestAnalysis); // the score is still computed
        QCOMPARE(kept.adviceSource, ReportAdviceSource::Saved);
        QCOMPARE(kept.recommendations.size(), std::size_t(1));
        QCOMPARE(kept.recommendations.front().suggestion, saved.suggestion);
        QCOMPARE(kept.adviceAtMs, saved.lastSeenMs);
    }

    void stepsStayReadable_data()
    {
        QTest::addColumn<qint64>("span");
        QTest::addColumn<qint64>("step");
        QTest::newRow("10 min") << 10 * kMin << kMin;
        QTest::newRow("5 h") << 300 * kMin << kMin;
        QTest::newRow("6 h") << 360 * kMin << 2 * kMin;
        QTest::newRow("24 h") << 24 * 60 * kMin << 5 * kMin;
        QTest::newRow("48 h") << 48 * 60 * kMin << 10 * kMin;
        QTest::newRow("90 d") << 90 * 24 * 60 * kMin << 12 * 60 * kMin;
    }
    void stepsStayReadable()
    {
        QFETCH(qint64, span);
        QFETCH(qint64, step);
        QCOMPARE(ReportBuilder::stepFor(span), step);
    }

    void cancelStopsEarly()
    {
        MetricStore store;
        addTraffic(store, kReportNow);
        auto source = reportSource(store);
        bool cancelled = false;
        int calls = 0;
        ReportRequest request;
        request.nowMs = kReportNow;
        ReportBuilder::build(
            *source, request,
            [&](int) {
                ++calls;
                return false;
            },
            &cancelled);
        QVERIFY(cancelled);
        QCOMPARE(calls, 1);
    }
};

QTEST_MAIN(TestReportBuilder)
#include "tst_reportbuilder.moc"
