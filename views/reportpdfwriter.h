#pragma once

#include "reportdata.h"

#include <QCoreApplication>
#include <QString>

class QIODevice;

namespace perfwatch {

enum class ReportPageSize : quint8
{
    A4,
    Letter,
};

struct ReportPdfOptions
{
    ReportPageSize pageSize = ReportPageSize::A4;
    /// Rows per key table (the slowest first); 0 shows every row. The CSV files always hold all.
    int maxTableRows = 200;
    /// Recommendations shown in full (with evidence and suggestion); the others are listed in a
    /// table of maxTableRows. 0 shows every one in full.
    int maxRecommendationCards = 40;
};

/// Renders a ReportData as a PDF with QPdfWriter and QPainter: vector text and charts.
///
/// A cover (title, services, period, generation time, the score in its band colour with the
/// points-lost breakdown, the period's figures, key findings and contents), the charts (latency
/// percentiles, throughput, error rate, score history), recommendations with evidence and
/// suggestions, latency trends, the key tables (API endpoints by p95 with every column of the
/// window, database operations, processing steps, gauges and caches) and how to read the report.
/// Tables break across pages with their header repeated; every page but the cover has a running
/// header, every page "Page n of N". Text follows the installed translation and QLocale.
///
/// Needs a QGuiApplication (fonts come from the platform plugin; "offscreen" will do) and runs
/// on any thread.
class ReportPdfWriter
{
    Q_DECLARE_TR_FUNCTIONS(ReportPdfWriter)
public:
    /// Writes the PDF into an open device. Returns false with a one-line error, or when `progress`
    /// cancels (error "cancelled"); progress goes from 60 to 100 %.
    static bool write(const ReportData &data, QIODevice *device, const ReportPdfOptions &options,
        QString *error = nullptr, const ReportProgress &progress = {});
    /// Whether PDFs can be rendered in this process; `why` says what is missing.
    static bool canRender(QString *why = nullptr);
    /// "A4" or "Letter" (case-insensitive); false for anything else.
    static bool pageSizeFromName(const QString &name, ReportPageSize &size);
};

} // namespace perfwatch
