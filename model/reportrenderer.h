#pragma once

#include <QByteArray>
#include <QString>
#include <functional>

namespace perfwatch {

/// What GET /api/performance/report?format=pdf|csv asks for.
struct ReportFileRequest
{
    QString format; ///< "pdf" or "csv"
    double hours = 24; ///< the period, ending now
    QString
        table; ///< csv only: "api" (default), "database", "processing", "resources", "recommendations", "timeseries"
};

/// A rendered report file, or why there is none.
struct ReportFile
{
    int status = 200; ///< 200, or the HTTP status of the failure (400 unknown table, 501 cannot render here)
    QByteArray mimeType; ///< "application/pdf", "text/csv; charset=utf-8"
    QByteArray body;
    QString fileName; ///< "perfwatch-report-2024-01-20.pdf"
    QString error; ///< one sentence when status is not 200
};

/// Renders report files. The views library provides one (makeReportRenderer()); the app passes it
/// to the REST routes, so the ingest library serves PDF and CSV without depending on views.
using ReportRenderer = std::function<ReportFile(const ReportFileRequest &request)>;

} // namespace perfwatch
