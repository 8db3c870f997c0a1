// MainWindow's Export menu: the report as PDF, the table on screen as CSV, every table as CSV.
// Rows are copied from the models here on the GUI thread; reading the engine, formatting and
// writing happen on a ReportJob's worker while a progress dialog can cancel.
#include "dashboardsource.h"
#include "keyfilterproxymodel.h"
#include "keytablepage.h"
#include "mainwindow.h"
#include "recommendationmodel.h"
#include "recommendationspage.h"
#include "reportexporter.h"
#include "reportjob.h"
#include "theme.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTime>
#include <QTimeZone>
#include <QToolBar>
#include <QToolButton>

namespace perfwatch {

namespace {

/// The rows a key table shows, in the order shown.
std::vector<KeyRow> visibleRows(const KeyTablePage &page, int section)
{
    std::vector<KeyRow> rows;
    const QSortFilterProxyModel *proxy = page.proxy(section);
    const KeyStatsModel *model = page.model(section);
    rows.reserve(std::size_t(proxy->rowCount()));
    for (int r = 0; r < proxy->rowCount(); ++r)
        rows.push_back(model->rowAt(proxy->mapToSource(proxy->index(r, 0)).row()));
    return rows;
}

QString withSuffix(QString path, const QString &suffix)
{
    if (!path.isEmpty() && QFileInfo(path).suffix().compare(suffix, Qt::CaseInsensitive) != 0)
        path += u'.' + suffix;
    return path;
}

ReportExportResult writeBytes(const QString &path, const QByteArray &bytes)
{
    ReportExportResult result;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) < 0 || !file.commit()) {
        result.error = ReportExporter::tr("cannot write %1: %2").arg(path, file.errorString());
        return result;
    }
    result.ok = true;
    result.files << path;
    return result;
}

} // namespace

void MainWindow::buildExportMenu(QToolBar *bar)
{
    auto *menu = new QMenu(this);
    m_exportReport = menu->addAction(Theme::icon(QStringLiteral("export")), tr("Export report (PDF)…"));
    m_exportReport->setObjectName(QStringLiteral("exportReport"));
    m_exportReport->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportTable = menu->addAction(tr("Export table (CSV)…"));
    m_exportTable->setObjectName(QStringLiteral("exportTable"));
    m_exportTable->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportAll = menu->addAction(tr("Export all (CSV)…"));
    m_exportAll->setObjectName(QStringLiteral("exportAll"));
    for (QAction *action : { m_exportReport, m_exportTable, m_exportAll })
        addAction(action); // shortcuts work while the menu is closed
    connect(m_exportReport, &QAction::triggered, this, &MainWindow::chooseReportFile);
    connect(m_exportTable, &QAction::triggered, this, &MainWindow::chooseTableFile);
    connect(m_exportAll, &QAction::triggered, this, &MainWindow::chooseExportFolder);

    m_export = new QToolButton(bar);
    m_export->setObjectName(QStringLiteral("export"));
    m_export->setIcon(Theme::icon(QStringLiteral("export")));
    m_export->setText(tr("Export"));
    m_export->setToolTip(tr("Export the report as PDF, or tables as CSV"));
    m_export->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_export->setPopupMode(QToolButton::InstantPopup);
    m_export->setMenu(menu);
    bar->addWidget(m_export);
}

void MainWindow::updateExportActions()
{
    if (!m_exportTable)
        return;
    const bool busy = isExporting();
    const bool hasTable = m_page != Page::Overview;
    m_exportReport->setEnabled(!busy);
    m_exportAll->setEnabled(!busy);
    m_exportTable->setEnabled(!busy && hasTable);
    m_exportTable->setToolTip(hasTable ? tr("Writes the table on screen, filtered and sorted as shown")
                                       : tr("Open a table page (API endpoints, database, …) first"));
}

bool MainWindow::isExporting() const
{
    return m_job && m_job->isRunning();
}

QString MainWindow::exportFolder() const
{
    if (!m_lastExportDir.isEmpty())
        return m_lastExportDir;
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return documents.isEmpty() ? QDir::homePath() : documents;
}

void MainWindow::chooseReportFile()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString suggested = QDir(exportFolder()).filePath(ReportExporter::attachmentName(now, QStringLiteral("pdf")));
    const QString path = withSuffix(
        QFileDialog::getSaveFileName(this, tr("Export report (PDF)"), suggested, tr("PDF documents (*.pdf)")),
        QStringLiteral("pdf"));
    if (!path.isEmpty())
        exportReport(path);
}

void MainWindow::chooseTableFile()
{
    static const char *const names[]
        = { "", "api_requests", "database_operations", "processing", "resources", "recommendations" };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString base
        = QStringLiteral("perfwatch-%1-%2.csv")
              .arg(QString::fromLatin1(names[int(m_page)]),
                  QDateTime::fromMSecsSinceEpoch(now, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd")));
    const QString path = withSuffix(QFileDialog::getSaveFileName(this, tr("Export table (CSV)"),
                                        QDir(exportFolder()).filePath(base), tr("CSV files (*.csv)")),
        QStringLiteral("csv"));
    if (!path.isEmpty())
        exportTable(path);
}

void MainWindow::chooseExportFolder()
{
    const QString parent
        = QFileDialog::getExistingDirectory(this, tr("Export all tables (CSV) into a new folder in…"), exportFolder());
    if (parent.isEmpty())
        return;
    // A folder of its own, so no earlier export is overwritten.
    const QString name = ReportExporter::timestampedName(QDateTime::currentMSecsSinceEpoch(), QStringLiteral("csv"));
    exportAll(QDir(parent).filePath(name.chopped(4)));
}

bool MainWindow::exportReport(const QString &pdfPath)
{
    ReportExportRequest request;
    request.format = ReportFormat::Pdf;
    request.path = pdfPath;
    request.report.hours = m_settings.reportHours;
    ReportPdfWriter::pageSizeFromName(m_settings.reportPageSize, request.pdf.pageSize);
    std::shared_ptr<const DashboardSource> source = m_source;
    return startExport(tr("Writing the report of the last %n hour(s)…", nullptr, m_settings.reportHours),
        [source, request](const ReportProgress &progress) { return ReportExporter::run(*source, request, progress); });
}

bool MainWindow::exportAll(const QString &folder)
{
    ReportExportRequest request;
    request.format = ReportFormat::CsvFolder;
    request.path = folder;
    request.report.hours = m_settings.reportHours;
    std::shared_ptr<const DashboardSource> source = m_source;
    return startExport(tr("Writing every table of the last %n hour(s)…", nullptr, m_settings.reportHours),
        [source, request](const ReportProgress &progress) { return ReportExporter::run(*source, request, progress); });
}

bool MainWindow::exportTable(const QString &csvPath)
{
    if (m_page == Page::Overview)
        return false;
    // Copies of what is on screen; the worker formats and writes them.
    std::function<QByteArray()> render;
    if (m_page == Page::Recommendations) {
        std::vector<Recommendation> recommendations;
        const QSortFilterProxyModel *proxy = m_recommendations->proxy();
        for (int r = 0; r < proxy->rowCount(); ++r)
            recommendations.push_back(
                m_recommendations->model()->recommendationAt(proxy->mapToSource(proxy->index(r, 0)).row()));
        render = [recommendations] { return ReportCsv::recommendations(recommendations); };
    } else {
        const KeyTablePage *page = m_tables[std::size_t(int(m_page) - int(Page::Api))];
        if (page->sectionCount() == 1) {
            const KeyStatsModel::Table table = page->model(0)->table();
            render = [table, rows = visibleRows(*page, 0)] { return ReportCsv::keyTable(table, rows); };
        } else {
            std::vector<KeyRow> gauges;
            std::vector<KeyRow> caches;
            for (int s = 0; s < page->sectionCount(); ++s)
                (page->model(s)->table() == KeyStatsModel::Table::Caches ? caches : gauges) = visibleRows(*page, s);
            render = [gauges, caches] { return ReportCsv::resources(gauges, caches); };
        }
    }
    return startExport(tr("Writing the table…"), [render, csvPath](const ReportProgress &progress) {
        if (!progress(10)) {
            ReportExportResult cancelled;
            cancelled.cancelled = true;
            cancelled.error = ReportExporter::tr("cancelled");
            return cancelled;
        }
        return writeBytes(csvPath, render());
    });
}

bool MainWindow::startExport(
    const QString &label, std::function<ReportExportResult(const std::function<bool(int)> &)> task)
{
    if (isExporting())
        return false;
    delete m_job;
    m_job = new ReportJob(std::move(task), this);
    // Not modal: the dashboard keeps updating and stays usable while the file is written.
    auto *dialog = new QProgressDialog(label, tr("Cancel"), 0, 100, this);
    dialog->setWindowTitle(tr("Export"));
    dialog->setWindowModality(Qt::NonModal);
    dialog->setMinimumDuration(400);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setValue(0);
    m_progress = dialog;
    connect(dialog, &QProgressDialog::canceled, m_job, [this, dialog] {
        dialog->setLabelText(tr("Cancelling…"));
        m_job->cancel();
    });
    connect(m_job, &ReportJob::progressChanged, dialog, [dialog](int percent) {
        if (!dialog->wasCanceled())
            dialog->setValue(std::min(percent, 99));
    });
    connect(m_job, &ReportJob::finished, this, &MainWindow::onExportFinished);
    m_job->start();
    updateExportActions();
    return true;
}

void MainWindow::onExportFinished(const ReportExportResult &result)
{
    if (m_progress) {
        m_progress->close();
        m_progress->deleteLater();
    }
    updateExportActions();
    if (result.ok) {
        const QString first = result.files.value(0);
        const QString where = result.files.size() == 1 ? first : QFileInfo(first).absolutePath();
        m_lastExportDir = QFileInfo(result.files.size() == 1 ? first : where).absolutePath();
        const QString text = result.files.size() == 1
            ? tr("Saved %1").arg(QDir::toNativeSeparators(first))
            : tr("Saved %n file(s) in %1", nullptr, int(result.files.size())).arg(QDir::toNativeSeparators(where));
        statusBar()->showMessage(text, 15'000);
    } else if (result.cancelled) {
        statusBar()->showMessage(tr("Export cancelled; nothing was written"), 8'000);
    } else {
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Export failed"),
            tr("The export could not be written:\n%1").arg(result.error), QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        statusBar()->showMessage(tr("Export failed: %1").arg(result.error), 15'000);
    }
    Q_EMIT exportFinished(result);
}

void MainWindow::showScheduledReport(const QString &pathOrError, bool failed)
{
    const QString time = QLocale().toString(QTime::currentTime(), QLocale::ShortFormat);
    QPalette pal = m_statusReport->palette();
    if (failed) {
        m_statusReport->setText(tr("Scheduled report failed"));
        m_statusReport->setToolTip(tr("At %1: %2").arg(time, pathOrError));
        pal.setColor(QPalette::WindowText, Theme::severityColor(Theme::Severity::Critical, palette()));
        statusBar()->showMessage(tr("Scheduled report failed: %1").arg(pathOrError), 30'000);
    } else {
        m_statusReport->setText(tr("Report saved %1").arg(time));
        m_statusReport->setToolTip(QDir::toNativeSeparators(pathOrError));
        pal.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
    }
    m_statusReport->setPalette(pal);
    m_statusReport->setVisible(true);
}

} // namespace perfwatch
