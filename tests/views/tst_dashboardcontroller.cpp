#include "dashboardcontroller.h"
#include "storedashboardsource.h"
#include "viewtestdata.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <atomic>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

/// A store source whose window() can be held until the test releases it: a slow tick on demand.
class GatedSource final : public DashboardSource
{
public:
    explicit GatedSource(MetricStore &store)
        : m_inner(store)
    { }

    std::atomic<bool> gate { false };
    std::atomic<int> windows { 0 };
    QSemaphore entered;
    QSemaphore release;

    std::vector<KeyMeta> keys() const override { return m_inner.keys(); }
    QStringList services() const override { return m_inner.services(); }
    StoreCounters storeCounters() const override { return m_inner.storeCounters(); }
    std::vector<KeyAggregate> window(qint64 fromMs, qint64 toMs) const override
    {
        ++const_cast<GatedSource *>(this)->windows;
        if (gate) {
            const_cast<QSemaphore &>(entered).release();
            const_cast<QSemaphore &>(release).acquire();
        }
        return m_inner.window(fromMs, toMs);
    }
    std::vector<TimePoint> keySeries(const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const override
    {
        return m_inner.keySeries(key, fromMs, toMs, stepMs);
    }
    std::vector<TimePoint> kindSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const override
    {
        return m_inner.kindSeries(kind, services, fromMs, toMs, stepMs);
    }
    std::vector<RawSample> rawSamples(KeyId key, int maxCount) const override
    {
        return m_inner.rawSamples(key, maxCount);
    }
    AnalysisResult analysis(qint64 nowMs) const override { return m_inner.analysis(nowMs); }
    std::vector<ScorePoint> scoreHistory(qint64 fromMs, qint64 toMs) const override
    {
        return m_inner.scoreHistory(fromMs, toMs);
    }
    AnalyzerConfig thresholds() const override { return m_inner.thresholds(); }
    void setThresholds(const AnalyzerConfig &config) override { m_inner.setThresholds(config); }
    double apdex(const Aggregate &agg, const AnalyzerConfig &config) const override
    {
        return m_inner.apdex(agg, config);
    }
    PersistenceStatus persistenceStatus() const override { return {}; }

private:
    StoreDashboardSource m_inner;
};

} // namespace

class TestDashboardController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void buildsOnTheWorkerAndDeliversOnTheGuiThread()
    {
        MetricStore store;
        DashboardController controller(std::make_shared<StoreDashboardSource>(store), nullptr);
        QSignalSpy ready(&controller, &DashboardController::snapshotReady);
        controller.setRange(TimeRange::Hour1);
        QTRY_COMPARE(ready.count(), 1);
        const auto snapshot = ready.at(0).at(0).value<DashboardSnapshotPtr>();
        QVERIFY(snapshot);
        QCOMPARE(snapshot->request.range, TimeRange::Hour1);
        QCOMPARE(controller.lastSnapshot(), snapshot);
        QVERIFY(!controller.isBusy());
    }

    void skipsTicksWhileASnapshotIsBeingBuilt()
    {
        MetricStore store;
        auto source = std::make_shared<GatedSource>(store);
        DashboardController controller(source, nullptr);
        QSignalSpy ready(&controller, &DashboardController::snapshotReady);
        QSignalSpy requested(&controller, &DashboardController::buildRequested);
        controller.setRefreshIntervalMs(100);

        source->gate = true;
        controller.start(); // builds one at once, then ticks every 100 ms
        source->entered.acquire(); // the worker is inside window()
        QVERIFY(controller.isBusy());
        QTRY_VERIFY(controller.skippedTicks() >= 3);
        QCOMPARE(requested.count(), 1); // ticks were skipped, not queued
        QCOMPARE(ready.count(), 0);

        source->gate = false;
        source->release.release();
        QTRY_VERIFY(ready.count() >= 1);
        controller.setPaused(true);
        QVERIFY(controller.isPaused());
        QTRY_VERIFY(!controller.isBusy());
    }

    void aChangeWhileBusyIsBuiltNextAndTheStaleSnapshotDropped()
    {
        MetricStore store;
        auto source = std::make_shared<GatedSource>(store);
        DashboardController controller(source, nullptr);
        controller.setPaused(true);
        QSignalSpy ready(&controller, &DashboardController::snapshotReady);

        source->gate = true;
        controller.refreshNow();
        source->entered.acquire();
        controller.setRange(TimeRange::Minutes5); // while busy: remembered, not queued
        source->gate = false;
        source->release.release();
        QTRY_COMPARE(ready.count(), 1);
        QCOMPARE(ready.at(0).at(0).value<DashboardSnapshotPtr>()->request.range, TimeRange::Minutes5);
        QCOMPARE(source->windows.load(), 2);
    }
};

QTEST_GUILESS_MAIN(TestDashboardController)
#include "tst_dashboardcontroller.moc"
