// The window's Export menu (on a worker, with progress), the ReportJob underneath and the
// scheduler of PDF reports.

#include "dashboardcontroller.h"
#include "keyfilterproxymodel.h"
#include "keytablepage.h"
#include "mainwindow.h"
#include "reportjob.h"
#include "reportscheduler.h"
#include "reporttestdata.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <atomic>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

qint64 wallClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool nextSnapshot(MainWindow &window)
{
    QSignalSpy ready(window.controller(), &DashboardController::snapshotReady);
    window.controller()->refreshNow();
    return ready.wait(10'000);
}

ReportExportResult waitForExport(QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(60'000))
        return {};
    return spy.takeFirst().at(0).value<ReportExportResult>();
}

AppSettings reportSettings()
{
    AppSettings s;
    s.reportHours = 1;
    return s;
}

} // namespace

class TestReportWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ReportExportResult>();
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void exportsTheReportOnAWorker()
    {
        MetricStore store;
        addTraffic(store, wallClock(), 60);
        MainWindow window(reportSource(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.setSettings(reportSettings());
        QVERIFY(window.exportReportAction()->isEnabled());
        QVERIFY(!window.exportTableAction()->isEnabled()); // the overview has no table

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.pdf"));
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        QVERIFY(window.exportReport(path));
        // Returned at once: the worker writes while the window keeps handling events.
        QVERIFY(window.isExporting());
        QVERIFY(!window.exportReportAction()->isEnabled());
        QVERIFY(!window.exportReport(dir.filePath(QStringLiteral("second.pdf")))); // one at a time
        QVERIFY(window.findChild<QProgressDialog *>());
        const ReportExportResult result = waitForExport(finished);
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.files, QStringList { path });
        QVERIFY(!window.isExporting());
        QVERIFY(window.exportReportAction()->isEnabled());
        QFile pdf(path);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        if (havePoppler())
            QVERIFY(pdfPages(path) >= 2);
    }

    void exportsTheTableOnScreenAsFiltered()
    {
        MetricStore store;
        addTraffic(store, wallClock(), 12);
        MainWindow window(reportSource(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.showPage(MainWindow::Page::Overview);
        QVERIFY(!window.exportTable(QStringLiteral("/tmp/never.csv")));
        window.showPage(MainWindow::Page::Api);
        QVERIFY(nextSnapshot(window));
        QVERIFY(window.exportTableAction()->isEnabled());
        KeyTablePage *page = window.tablePage(KeyStatsModel::Table::Api);
        page->filterEdit()->setText(QStringLiteral("resource00"));
        QTRY_COMPARE(page->proxy()->rowCount(), 10); // resource000 ... resource009

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("api.csv"));
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        QVERIFY(window.exportTable(path));
        const ReportExportResult result = waitForExport(finished);
        QVERIFY2(result.ok, qPrintable(result.error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QString error;
        const QList<QStringList> records = parseCsv(file.readAll(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(records.size(), 1 + 10);
        QCOMPARE(records[0][0], QStringLiteral("endpoint"));
        for (int r = 0; r < 10; ++r) {
            // The rows the view shows, in its order.
            QCOMPARE(records[r + 1][0], page->proxy()->index(r, 0).data().toString());
            QVERIFY(records[r + 1][0].contains(QLatin1String("resource00")));
        }
    }

    void exportsResourcesAndRecommendationsPages()
    {
        MetricStore store;
        addTraffic(store, wallClock());
        MainWindow window(reportSource(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        QTemporaryDir dir;
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        const auto exported = [&](MainWindow::Page page, const QString &name) {
            window.showPage(page);
            if (!nextSnapshot(window))
                return QList<QStringList>();
            const QString path = dir.filePath(name);
            if (!window.exportTable(path) || !waitForExport(finished).ok)
                return QList<QStringList>();
            QFile file(path);
            file.open(QIODevice::ReadOnly);
            QString error;
            return parseCsv(file.readAll(), &error);
        };
        // Gauges and caches of the Resources page in one file.
        const QList<QStringList> resources = exported(MainWindow::Page::Resources, QStringLiteral("resources.csv"));
        QCOMPARE(resources.size(), 1 + 2 + 1);
        QCOMPARE(resources[0].mid(0, 3),
            QStringList({ QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("service") }));
        QCOMPARE(resources.last()[0], QStringLiteral("cache"));
        const QList<QStringList> advice
            = exported(MainWindow::Page::Recommendations, QStringLiteral("recommendations.csv"));
        QVERIFY(advice.size() > 1);
        QCOMPARE(advice[0][0], QStringLiteral("priority"));
    }

    void exportsEveryTableIntoAFolder()
    {
        MetricStore store;
        addTraffic(store, wallClock());
        MainWindow window(reportSource(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.setSettings(reportSettings());
        QTemporaryDir dir;
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        QVERIFY(window.exportAll(dir.filePath(QStringLiteral("all"))));
        const ReportExportResult result = waitForExport(finished);
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.files.size(), 6);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("all"))).entryList(QDir::Files).size(), 6);
    }

    void aFailureIsReportedClearly()
    {
        MetricStore store;
        addTraffic(store, wallClock());
        MainWindow window(reportSource(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.setSettings(reportSettings());
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        QVERIFY(window.exportReport(dir.filePath(QStringLiteral("file/report.pdf")))); // a file is in the way
        const ReportExportResult result = waitForExport(finished);
        QVERIFY(!result.ok);
        QVERIFY(!result.cancelled);
        QVERIFY(!result.error.isEmpty());
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        QVERIFY(box->text().contains(result.error));
        box->close();
    }

    void jobsCancel()
    {
        std::atomic_int steps = 0;
        ReportJob job([&](const ReportProgress &progress) {
            ReportExportResult result;
            while (progress(steps.fetch_add(1) % 100))
                QThread::msleep(1);
            result.cancelled = true;
            return result;
        });
        QSignalSpy progress(&job, &ReportJob::progressChanged);
        QSignalSpy finished(&job, &ReportJob::finished);
        job.start();
        QVERIFY(progress.wait(5000));
        job.cancel();
        QVERIFY(finished.wait(5000));
        QVERIFY(finished.at(0).at(0).value<ReportExportResult>().cancelled);
        QVERIFY(!job.isRunning());
    }

    void schedulerSlotsAreWholeUtcMultiples()
    {
        constexpr qint64 h = 3'600'000;
        const qint64 at = 1'700'000'040'000; // 22:14 UTC
        QCOMPARE(ReportScheduler::nextSlot(at, 6), (at / (6 * h) + 1) * 6 * h);
        QCOMPARE(
            QDateTime::fromMSecsSinceEpoch(ReportScheduler::nextSlot(at, 6), QTimeZone::utc()).time(), QTime(0, 0));
        QCOMPARE(
            QDateTime::fromMSecsSinceEpoch(ReportScheduler::nextSlot(at, 1), QTimeZone::utc()).time(), QTime(23, 0));
        QCOMPARE(ReportScheduler::nextSlot(22 * h, 24), 24 * h);

        MetricStore store;
        ReportScheduler off(reportSource(store));
        off.setSettings(AppSettings {});
        QVERIFY(!off.isEnabled()); // off by default
        QCOMPARE(off.nextDueMs(), 0);
    }

    void schedulerWritesTimestampedPdfsAndReportsFailures()
    {
        MetricStore store;
        addTraffic(store, kReportNow);
        QTemporaryDir dir;
        AppSettings settings = reportSettings();
        settings.scheduledReports = true;
        settings.scheduledReportEveryHours = 6;
        settings.scheduledReportDir = dir.filePath(QStringLiteral("reports"));
        ReportScheduler scheduler(reportSource(store));
        scheduler.setSettings(settings);
        QVERIFY(scheduler.isEnabled());
        QVERIFY(scheduler.nextDueMs() > wallClock());
        QCOMPARE(scheduler.nextDueMs() % (6 * 3'600'000), 0);

        QSignalSpy written(&scheduler, &ReportScheduler::reportWritten);
        QSignalSpy failed(&scheduler, &ReportScheduler::reportFailed);
        QVERIFY(scheduler.runNow(kReportNow));
        QVERIFY(written.wait(60'000));
        QCOMPARE(written.at(0).at(0).toString(),
            QDir(settings.scheduledReportDir).filePath(QStringLiteral("perfwatch-report-20231114T221400Z.pdf")));
        QVERIFY(QFileInfo::exists(written.at(0).at(0).toString()));
        QCOMPARE(failed.count(), 0);

        // A file where the folder should be: the failure is reported, nothing crashes.
        QFile blocker(dir.filePath(QStringLiteral("blocked")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        settings.scheduledReportDir = blocker.fileName();
        scheduler.setSettings(settings);
        QVERIFY(scheduler.runNow(kReportNow));
        QVERIFY(failed.wait(60'000));
        QVERIFY(!failed.at(0).at(0).toString().isEmpty());
    }

    void scheduledOutcomeInTheStatusBar()
    {
        MetricStore store;
        MainWindow window(reportSource(store), nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        auto *label = window.findChild<QLabel *>(QStringLiteral("reportStatus"));
        QVERIFY(label);
        QVERIFY(label->isHidden());
        window.showScheduledReport(QStringLiteral("cannot write /x: Permission denied"), true);
        QVERIFY(!label->isHidden());
        QCOMPARE(label->text(), QStringLiteral("Scheduled report failed"));
        QVERIFY(label->toolTip().contains(QLatin1String("Permission denied")));
        window.showScheduledReport(QStringLiteral("/reports/perfwatch-report-20231114T180000Z.pdf"), false);
        QVERIFY(label->text().startsWith(QLatin1String("Report saved")));
    }
};

QTEST_MAIN(TestReportWindow)
#include "tst_reportwindow.moc"
