#include "analyzer.h"
#include "dashboardcontroller.h"
#include "detailpane.h"
#include "emptystatewidget.h"
#include "keyfilterproxymodel.h"
#include "keystatsmodel.h"
#include "keytablepage.h"
#include "kpitile.h"
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
