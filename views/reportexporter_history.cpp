// ReportExporter::runFromHistory lives apart from reportexporter.cpp on purpose: it pulls in the
// PerformanceEngine and its SQLite history, which the window's tests, built on a bare MetricStore,
// must not need (as mainwindow_engine.cpp).
#include "enginedashboardsource.h"
#include "historydatabase.h"
#include "reportbuilder.h"
#include "reportexporter.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>

namespace perfwatch {

ReportExportResult ReportExporter::runFromHistory(const EngineConfig &config, const ReportExportRequest &request)
{
    ReportExportResult result;
    const QString dir = QDir::toNativeSeparators(config.dataDir);
    {
        // Look before opening: opening would create an empty history in a folder without one.
        const HistoryDatabase probe(config.dataDir, QStringLiteral("perfwatch-report-probe"));
        if (!QFileInfo(probe.path()).isFile()) {
            result.empty = true;
            result.error = tr("no history in %1: nothing to report").arg(dir);
            return result;
        }
    }
    EngineConfig readOnly = config;
    readOnly.readOnly = true;
    PerformanceEngine engine(readOnly);
    QString error;
    if (!engine.start(&error)) {
        result.error = error;
        return result;
    }
    const EngineDashboardSource source(engine);
    ReportRequest period = request.report;
    period.preferSavedAdvice = true; // made by the running PerfWatch, with fields and traces
    bool cancelled = false;
    const ReportData data = ReportBuilder::build(source, period, {}, &cancelled);
    if (data.isEmpty()) {
        engine.stop();
        result.empty = true;
        result.error = tr("no data in the last %1 hours in %2: nothing to report")
                           .arg(QLocale().toString(request.report.hours, 'g', 6), dir);
        return result;
    }
    result = write(data, request);
    engine.stop();
    return result;
}

} // namespace perfwatch
