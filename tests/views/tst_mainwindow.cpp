#include "analyzer.h"
#include "dashboardcontroller.h"
#include "detailpane.h"
#include "emptystatewidget.h"
#include "keyfilterproxymodel.h"
#include "keystatsmodel.h"
#include "keytablepage.h"
#include "kpitile.h"
#include "latencysketch.h"
#include "logbook.h"
#include "mainwindow.h"
#include "overviewpage.h"
#include "rawsamplemodel.h"
#include "scorecard.h"
#include "storedashboardsource.h"
#include "timeserieschart.h"
#include "viewtestdata.h"

#include <QDateTime>
#include <QImage>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <span>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// Two endpoints with very different latencies over the last ten minutes.
void addTraffic(MetricStore &store, qint64 at)
{
    EventBatch b;
    for (int i = 0; i < 120; ++i) {
        b.api("GET:/fast", 10, 200, at - 10 * kMinute + i * 5 * kSecond);
        b.api("GET:/slow", 800 + i % 7, i % 10 == 0 ? 503 : 200, at - 10 * kMinute + i * 5 * kSecond);
    }
    b.insertInto(store, at);
}

QList<QPointF> points(const TimeSeriesChart *chart, int series)
{
    return chart->series(series)->points();
}

/// Waits for the next snapshot the window applies.
bool nextSnapshot(MainWindow &window)
{
    QSignalSpy ready(window.controller(), &DashboardController::snapshotReady);
    window.controller()->refreshNow();
    return ready.wait(10'000);
}

std::shared_ptr<StoreDashboardSource> sourceFor(MetricStore &store)
{
    auto source = std::make_shared<StoreDashboardSource>(store);
    source->setApdexFunction([](const Aggregate &agg, const AnalyzerConfig &c) { return Analyzer(c).apdex(agg); });
    source->setAnalysisFunction([](const MetricStore &s, qint64 at) { return Analyzer().analyze(s, at); });
    return source;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void emptyStateUntilDataArrives()
    {
        MetricStore store;
        MainWindow window(sourceFor(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.show();
        QVERIFY(nextSnapshot(window));
        QVERIFY(window.isShowingEmptyState());
        QVERIFY(window.emptyState()->isVisible());
        QVERIFY(!window.overview()->isVisible());
        QVERIFY(window.emptyState()->curlCommand().startsWith(
            QStringLiteral("curl -X POST http://127.0.0.1:4318/api/performance/ingest")));
        QCOMPARE(window.emptyState()->otlpEndpoint(), QStringLiteral("http://127.0.0.1:4318/v1/traces"));
        QCOMPARE(EmptyStateWidget::pythonSnippet(), QStringLiteral("from perfwatch_client import log_request_timing"));

        window.setIngestAddress(QStringLiteral("http://127.0.0.1:5000"));
        QCOMPARE(window.emptyState()->otlpEndpoint(), QStringLiteral("http://127.0.0.1:5000/v1/traces"));
        QCOMPARE(window.windowTitle(), QStringLiteral("PerfWatch — http://127.0.0.1:5000"));

        addTraffic(store, now());
        QVERIFY(nextSnapshot(window));
        QVERIFY(!window.isShowingEmptyState());
        QVERIFY(window.overview()->isVisible());
        QCOMPARE(window.overview()->kpiTile(0)->valueText().isEmpty(), false);
        QVERIFY(window.overview()->scoreCard()->gauge()->band() != Band::NoData);
    }

    void ticksInsertAndUpdateRowsWithoutReset()
    {
        MetricStore store;
        addTraffic(store, now());
        MainWindow window(sourceFor(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.show();
        QVERIFY(nextSnapshot(window));
        KeyStatsModel *api = window.tablePage(KeyStatsModel::Table::Api)->model();
        QCOMPARE(api->rowCount(), 2);
        QSignalSpy reset(api, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(api, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(api, &QAbstractItemModel::dataChanged);

        EventBatch b;
        b.api("GET:/new", 5, 200, now() - kSecond);
        b.api("GET:/fast", 5, 200, now() - kSecond);
        b.insertInto(store, now());
        QVERIFY(nextSnapshot(window));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 2);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(api->rowCount(), 3);
    }

    void selectingARowDrillsTheChartsDown()
    {
        MetricStore store;
        addTraffic(store, now());
        MainWindow window(sourceFor(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.show();
        QVERIFY(nextSnapshot(window));
        TimeSeriesChart *latency = window.overview()->latencyChart();
        const QList<QPointF> allTraffic = points(latency, 1);
        QVERIFY(!allTraffic.isEmpty());
        QVERIFY(!window.detailPane()->showsKey());

        window.showPage(MainWindow::Page::Api);
        KeyTablePage *page = window.tablePage(KeyStatsModel::Table::Api);
        int fastRow = -1;
        for (int r = 0; r < page->proxy()->rowCount(); ++r) {
            if (page->proxy()->index(r, page->model()->sectionOf(KeyStatsModel::Name)).data()
                == QStringLiteral("GET:/fast"))
                fastRow = r;
        }
        QVERIFY(fastRow >= 0);
        QSignalSpy ready(window.controller(), &DashboardController::snapshotReady);
        QVERIFY(page->selectRow(0, fastRow));
        QVERIFY(ready.wait(10'000));
        QCOMPARE(window.controller()->request().selected.name, QStringLiteral("GET:/fast"));

        // The p95 series now follows GET:/fast: 10 ms everywhere, where all traffic was far above.
        const QList<QPointF> drilled = points(latency, 1);
        QVERIFY(!drilled.isEmpty());
        QVERIFY(drilled != allTraffic);
        for (const QPointF &p : drilled)
            QCOMPARE(p.y(), 10.0);
        QCOMPARE(latency->title(), QStringLiteral("Latency · GET:/fast"));
        QCOMPARE(points(window.detailPane()->chart(), 1), drilled);
        QVERIFY(window.detailPane()->showsKey());
        QCOMPARE(window.detailPane()->samples()->rowCount(), 120);
        QCOMPARE(window.detailPane()->samples()->sampleAt(0).value, 10.0);

        // Clearing the selection returns the charts to all traffic.
        page->clearSelection();
        QTRY_VERIFY(!window.controller()->request().selected.isValid());
        QVERIFY(nextSnapshot(window));
        QCOMPARE(latency->title(), QStringLiteral("Latency · all traffic"));
        QVERIFY(points(latency, 1) != drilled);
    }

    void showsErrorLogsAndApproximatePercentiles()
    {
        MetricStore store;
        addTraffic(store, now());
        // A metrics-only endpoint: one histogram event for 40 requests, interpolated percentiles.
        LatencySketch sketch;
        for (int i = 0; i < 40; ++i)
            sketch.add(100.0 + i);
        IngestEvent e;
        e.kind = MetricKind::Api;
        e.service = "checkout";
        e.name = "GET:/api/cart";
        e.value = 40 * 119.5;
        e.status = 200;
        e.histogram = &sketch;
        e.approximate = true;
        e.timestampMs = now() - kMinute;
        store.insert(std::span(&e, 1), now());
        LogBook logs;
        logs.add("checkout", LogBook::Info, 30, now() - 8 * kMinute); // counting for longer than 5 min
        logs.add("checkout", LogBook::Error, 6, now() - kMinute);
        auto source = sourceFor(store);
        source->setLogBook(&logs);
        MainWindow window(source, nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.resize(1280, 720);
        window.show();
        QVERIFY(nextSnapshot(window));

        KpiTile *tile = window.overview()->errorLogsTile();
        QVERIFY(tile->isVisible());
        QCOMPARE(tile->valueText(), QStringLiteral("1.2/min")); // 6 in the last 5 minutes
        QCOMPARE(tile->trendText(), QStringLiteral("6 in 5 min"));
        QVERIFY2(tile->toolTip().contains(QStringLiteral("most from checkout")), qPrintable(tile->toolTip()));

        window.showPage(MainWindow::Page::Api);
        QVERIFY(nextSnapshot(window));
        const QTableView *table = window.tablePage(KeyStatsModel::Table::Api)->view();
        QVERIFY(table);
        QStringList p95;
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            const QModelIndex name = table->model()->index(r, 0);
            const int p95Column = 6; // Name, Service, Count, Rate, Avg, P50, P95
            p95 << name.data().toString() + u'=' + table->model()->index(r, p95Column).data().toString();
        }
        QVERIFY2(p95.filter(QStringLiteral("GET:/api/cart=≈ ")).size() == 1, qPrintable(p95.join(u", ")));
        QVERIFY2(p95.filter(QStringLiteral("GET:/fast=≈")).isEmpty(), qPrintable(p95.join(u", ")));
        if (const QString dir = qEnvironmentVariable("PERFWATCH_SHOTS"); !dir.isEmpty()) {
            window.grab().save(dir + QStringLiteral("/api-approximate.png"));
            window.showPage(MainWindow::Page::Overview);
            QVERIFY(nextSnapshot(window));
            window.grab().save(dir + QStringLiteral("/overview-error-logs.png"));
        }
    }

    void savesScreenshots()
    {
        MetricStore store;
        addTraffic(store, now());
        MainWindow window(sourceFor(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        QTemporaryDir dir;
        QString error;
        const QStringList files = window.saveScreenshots(dir.path(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList names;
        for (const QString &f : files) {
            names << QFileInfo(f).fileName();
            const QImage image(f);
            QVERIFY(!image.isNull());
            QVERIFY(image.width() >= 1000);
        }
        QCOMPARE(names,
            (QStringList { QStringLiteral("overview.png"), QStringLiteral("api.png"), QStringLiteral("database.png"),
                QStringLiteral("processing.png"), QStringLiteral("resources.png"),
                QStringLiteral("recommendations.png") }));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
