#pragma once

#include "dashboardsnapshot.h"
#include "keystatsmodel.h"

#include <QList>
#include <QPointF>
#include <QStringList>
#include <array>
#include <functional>
#include <vector>

namespace perfwatch {

/// Reports progress in percent (0-100) from a worker; returns false when the export should stop.
using ReportProgress = std::function<bool(int percent)>;

/// What a report covers.
struct ReportRequest
{
    double hours = 24; ///< the period, ending at nowMs
    qint64 nowMs = 0; ///< 0: the wall clock (tests pin it)
    /// Prefer the recommendations the history holds over a fresh analysis. For a source that just
    /// opened a history another PerfWatch wrote (the command line): its analysis sees only the
    /// rollups, while the saved advice was made with the queried fields and request traces
    /// (index statements, N+1, which queries slow an endpoint).
    bool preferSavedAdvice = false;
};

/// Where the score on a report's cover comes from.
enum class ReportScoreSource : quint8
{
    LatestAnalysis, ///< the analysis of the last score window (15 min): it had data
    ScoreHistory, ///< no data in the score window: the last score point recorded in the period
    None, ///< no score in the period at all
};

/// Where the recommendations come from.
enum class ReportAdviceSource : quint8
{
    LatestAnalysis,
    Saved, ///< what the PerfWatch writing the history saved from its latest analysis
    History, ///< no data in the score window: what the last run saved to the history
};

/// Totals of one kind over the whole period (the cover's figures).
struct ReportTotals
{
    quint64 apiRequests = 0;
    quint64 apiErrors = 0;
    double apiP95Ms = KeyRow::kNaN;
    double apiAvgMs = KeyRow::kNaN;
    quint64 dbOperations = 0;
    quint64 dbErrors = 0;
    double dbAvgMs = KeyRow::kNaN;
    quint64 processingRuns = 0;
    quint64 itemsProcessed = 0;
    quint64 cacheLookups = 0;
    double cacheHitRate = KeyRow::kNaN;
    double scoreAverage = KeyRow::kNaN; ///< of the score points in the period
    int scoreMin = -1; ///< -1 without score points
    int scoreMax = -1;
    qint64 firstDataMs = 0; ///< start of the first minute with data; 0 without data
};

/// Everything a report shows, read once from a DashboardSource: the PDF, the CSV files and every
/// entry point (window, command line, REST API, scheduler) render this, never the source itself.
///
/// Key rows are the window's rows (SnapshotBuilder::makeRow) over the whole period, so a report
/// and the 24 h view of the window agree to the digit.
struct ReportData
{
    qint64 generatedAtMs = 0;
    qint64 fromMs = 0; ///< the period: [fromMs, toMs)
    qint64 toMs = 0;
    double hours = 24;
    double windowSeconds = 0; ///< what per-second rates divide by
    QStringList services;

    ReportScoreSource scoreSource = ReportScoreSource::None;
    Score score; ///< breakdown only with ReportScoreSource::LatestAnalysis
    qint64 scoreAtMs = 0;
    AnalyzerConfig thresholds;
    ReportTotals totals;

    /// Rows with data in the period, by table. API endpoints, database operations and processing
    /// steps are sorted by p95 (slowest first), gauges by name, caches by hit rate (lowest first).
    std::vector<KeyRow> api;
    std::vector<KeyRow> database;
    std::vector<KeyRow> processing;
    std::vector<KeyRow> gauges;
    std::vector<KeyRow> caches;

    /// Time series over [chartFromMs, toMs) in steps of stepMs; x is the step's start in ms since
    /// the epoch (UTC). The charts start at the first data of the period.
    qint64 chartFromMs = 0;
    qint64 stepMs = 60'000;
    std::array<QList<QPointF>, 3> latency; ///< API p50, p95, p99 in ms
    std::array<QList<QPointF>, 3> throughput; ///< requests/s, db operations/s, items processed/s
    std::array<QList<QPointF>, 2> errorRate; ///< API 5xx and failed db operations, as fractions
    QList<QPointF> scoreSeries; ///< score points averaged per step

    ReportAdviceSource adviceSource = ReportAdviceSource::LatestAnalysis;
    qint64 adviceAtMs = 0;
    std::vector<Recommendation> recommendations; ///< high priority first, then by impact
    std::vector<Trend> trends;

    /// The rows of one of the window's tables.
    const std::vector<KeyRow> &rowsOf(KeyStatsModel::Table table) const;
    /// Nothing at all in the period: no key with data and no score point.
    bool isEmpty() const;
};

} // namespace perfwatch
