#pragma once

#include "dashboardsource.h"
#include "reportcsv.h"
#include "reportdata.h"
#include "reportpdfwriter.h"
#include "reportrenderer.h"

#include <QCoreApplication>
#include <QMetaType>
#include <QStringList>
#include <memory>

namespace perfwatch {

struct EngineConfig;

enum class ReportFormat : quint8
{
    Pdf, ///< one PDF file
    Csv, ///< one CSV file (ReportExportRequest::csvFile; the API table by default)
    CsvFolder, ///< every CSV file into a folder
};

/// One export: what to write where.
struct ReportExportRequest
{
    ReportFormat format = ReportFormat::Pdf;
    QString path; ///< the file, or the folder for CsvFolder
    ReportRequest report; ///< period and time
    ReportPdfOptions pdf;
    ReportCsv::File csvFile = ReportCsv::File::ApiRequests;
};

/// How an export went.
struct ReportExportResult
{
    bool ok = false;
    bool cancelled = false;
    bool empty = false; ///< the period had no data at all (the files say so)
    QString error; ///< one line when !ok
    QStringList files; ///< written, in order
};

/// The entry points' common path: build a ReportData once, then write the PDF or the CSV files.
/// Used by the window (on a worker), the scheduler, the command line and the REST API.
class ReportExporter
{
    Q_DECLARE_TR_FUNCTIONS(ReportExporter)
public:
    /// What a path asks for: "*.pdf" a PDF, "*.csv" the API table, an existing folder, a path
    /// ending in "/" or one without an extension all the CSV files. False (with a one-line
    /// error) for any other extension.
    static bool formatForPath(const QString &path, ReportFormat &format, QString *error = nullptr);

    /// Reads the report from `source` and writes it. Files appear whole or not at all.
    static ReportExportResult run(
        const DashboardSource &source, const ReportExportRequest &request, const ReportProgress &progress = {});
    /// Writes an already built report.
    static ReportExportResult write(
        const ReportData &data, const ReportExportRequest &request, const ReportProgress &progress = {});
    /// Writes the report from the persisted history in `config.dataDir`, without a window or a
    /// server: a read-only engine over the history. Fails with "no history in DIR: nothing to
    /// report" when the folder holds no history, and says so when the period has no data.
    static ReportExportResult runFromHistory(const EngineConfig &config, const ReportExportRequest &request);

    /// "perfwatch-report-2024-01-20.pdf": the UTC date of `nowMs`; `suffix` goes before the extension.
    static QString attachmentName(qint64 nowMs, const QString &extension, const QString &suffix = {});
    /// "perfwatch-report-20240120T150000Z.pdf": the UTC time of `nowMs` (scheduled reports).
    static QString timestampedName(qint64 nowMs, const QString &extension);

    /// The renderer behind GET /api/performance/report?format=pdf|csv, reading `source`.
    static ReportRenderer makeRenderer(std::shared_ptr<const DashboardSource> source, ReportPdfOptions pdf);
};

} // namespace perfwatch

Q_DECLARE_METATYPE(perfwatch::ReportExportResult)
