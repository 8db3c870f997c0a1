#pragma once

#include "dashboardsource.h"
#include "reportdata.h"

namespace perfwatch {

/// Reads a ReportData from a DashboardSource: the one place a report's numbers come from.
///
/// Thread-safe as far as the source is (DashboardSource implementations are); runs on whatever
/// thread asks — a worker for the window and the scheduler, the ingest thread for the REST API,
/// the main thread for the command line.
class ReportBuilder
{
public:
    /// Builds the report of `request.hours` up to `request.nowMs`. Reports 0-60 % to `progress`;
    /// when progress returns false, stops and sets *cancelled (the data is then incomplete).
    static ReportData build(const DashboardSource &source, const ReportRequest &request,
        const ReportProgress &progress = {}, bool *cancelled = nullptr);

    /// The chart step for a span: the smallest of 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6 h giving at
    /// most 300 points.
    static qint64 stepFor(qint64 spanMs);
};

} // namespace perfwatch
