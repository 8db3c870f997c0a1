#pragma once

#include "appsettings.h"
#include "dashboardsnapshot.h"
#include "keystatsmodel.h"

#include <QMainWindow>
#include <QPointer>
#include <array>
#include <functional>
#include <memory>

class QAction;
class QButtonGroup;
class QProgressDialog;
class QToolBar;
class QComboBox;
class QLabel;
class QSettings;
class QStackedWidget;
class QToolButton;

namespace perfwatch {

class DashboardController;
class DashboardSource;
class DetailPane;
class EmptyStateWidget;
class KeyTablePage;
class NavButton;
class OverviewPage;
class PerformanceEngine;
class RecommendationsPage;
class ReportJob;
class TrayAlerts;
struct ReportExportResult;

/// PerfWatch's live dashboard window.
///
/// Reads the engine through a DashboardController (snapshots built on a worker thread, applied
/// here once per tick); the app owns the engine and the ingest server and reacts to
/// settingsChanged() (restarting the server on an address or port change).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    enum class Page
    {
        Overview,
        Api,
        Database,
        Processing,
        Resources,
        Recommendations,
    };

    /// The app's constructor: a running engine, the ingest counters (may be null) and the ingest
    /// base address ("http://127.0.0.1:4318").
    MainWindow(PerformanceEngine &engine, const IngestCounters *ingestCounters, const QString &ingestAddress,
        QWidget *parent = nullptr);
    /// Any data source (tests and the views dev tool use a store without the engine).
    MainWindow(std::shared_ptr<DashboardSource> source, const IngestCounters *ingestCounters,
        const QString &ingestAddress, QWidget *parent = nullptr);
    ~MainWindow() override;

    void setIngestAddress(const QString &address);
    QString ingestAddress() const { return m_ingestAddress; }
    /// The effective settings (after command line and environment); the dialog starts from them.
    void setSettings(const AppSettings &settings);
    const AppSettings &settings() const { return m_settings; }
    /// Where the settings dialog saves; nullptr (default): the application's QSettings.
    void setSettingsStore(QSettings *store);

    /// Writes overview.png, api.png, database.png, processing.png, resources.png and
    /// recommendations.png into dir. Returns the files written; sets error on failure.
    QStringList saveScreenshots(const QString &dir, QString *error = nullptr);

    void showPage(Page page);
    /// Selects the time range as if the user clicked it.
    void setRange(TimeRange range);
    Page currentPage() const { return m_page; }
    void openSettings();

    DashboardController *controller() const { return m_controller; }
    OverviewPage *overview() const { return m_overview; }
    KeyTablePage *tablePage(KeyStatsModel::Table table) const;
    DetailPane *detailPane() const { return m_detail; }
    RecommendationsPage *recommendations() const { return m_recommendations; }
    EmptyStateWidget *emptyState() const { return m_empty; }
    bool isShowingEmptyState() const;
    /// How long the last applySnapshot() took on the GUI thread, in microseconds.
    qint64 lastApplyMicros() const { return m_lastApplyMicros; }

    /// Applies one snapshot to every model, chart and label (the GUI half of a tick).
    void applySnapshot(const DashboardSnapshot &snapshot);

    /// Exports on a worker thread with a progress dialog; exportFinished() tells how it went.
    /// False (nothing started) while another export runs. The report covers settings().reportHours
    /// on settings().reportPageSize pages.
    bool exportReport(const QString &pdfPath);
    /// The table on screen as the user sees it (filter, service and sort order) as CSV; on the
    /// Resources page gauges and caches together. False on the overview.
    bool exportTable(const QString &csvPath);
    /// Every CSV file of a report into `folder`.
    bool exportAll(const QString &folder);
    bool isExporting() const;
    /// The actions of the Export menu (tests, shortcuts).
    QAction *exportReportAction() const { return m_exportReport; }
    QAction *exportTableAction() const { return m_exportTable; }
    QAction *exportAllAction() const { return m_exportAll; }
    /// Shows a scheduled report's outcome in the status bar (a path, or the error when `failed`).
    void showScheduledReport(const QString &pathOrError, bool failed);

Q_SIGNALS:
    /// The user saved new settings in the dialog (already written to QSettings).
    void settingsChanged(const perfwatch::AppSettings &settings);
    /// An export started from the window finished, was cancelled or failed.
    void exportFinished(const perfwatch::ReportExportResult &result);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildToolBar();
    void buildStatusBar();
    QWidget *buildDashboard();
    void applySettingsToUi();
    void onKeySelected(const KeyRef &key);
    void clearSelection();
    void updateStyleSheet();
    void updateStatusBar(const DashboardSnapshot &snapshot);
    void updateServiceFilter(const QStringList &services);
    void updatePauseUi(bool paused);
    bool waitForSnapshot(int timeoutMs);
    void buildExportMenu(QToolBar *bar);
    void chooseReportFile();
    void chooseTableFile();
    void chooseExportFolder();
    QString exportFolder() const;
    bool startExport(const QString &label, std::function<ReportExportResult(const std::function<bool(int)> &)> task);
    void onExportFinished(const ReportExportResult &result);
    void updateExportActions();

    std::shared_ptr<DashboardSource> m_source;
    DashboardController *m_controller = nullptr;
    QString m_ingestAddress;
    AppSettings m_settings;
    QSettings *m_settingsStore = nullptr;

    QStackedWidget *m_root = nullptr;
    EmptyStateWidget *m_empty = nullptr;
    QStackedWidget *m_pages = nullptr;
    QStackedWidget *m_tableStack = nullptr;
    OverviewPage *m_overview = nullptr;
    std::array<KeyTablePage *, 4> m_tables {};
    DetailPane *m_detail = nullptr;
    RecommendationsPage *m_recommendations = nullptr;
    std::array<NavButton *, 6> m_nav {};
    Page m_page = Page::Overview;

    QButtonGroup *m_rangeGroup = nullptr;
    QComboBox *m_service = nullptr;
    QWidget *m_serviceBox = nullptr;
    QComboBox *m_refresh = nullptr;
    QToolButton *m_pause = nullptr;
    QLabel *m_live = nullptr;

    QLabel *m_statusIngest = nullptr;
    QLabel *m_statusRate = nullptr;
    QLabel *m_statusTotal = nullptr;
    QLabel *m_statusRejected = nullptr;
    QLabel *m_statusConnections = nullptr;
    QLabel *m_statusHistory = nullptr;
    QLabel *m_statusReport = nullptr;

    QToolButton *m_export = nullptr;
    QAction *m_exportReport = nullptr;
    QAction *m_exportTable = nullptr;
    QAction *m_exportAll = nullptr;
    QPointer<ReportJob> m_job;
    QPointer<QProgressDialog> m_progress;
    QString m_lastExportDir;

    TrayAlerts *m_tray = nullptr;
    bool m_hasData = false;
    bool m_toldAboutTray = false;
    qint64 m_lastAnalysisMs = -1;
    qint64 m_lastApplyMicros = 0;
    QStringList m_services;
};

} // namespace perfwatch
