#pragma once

#include "aggregate.h"
#include "analyzer.h"
#include "engine.h"
#include "logbook.h"
#include "metricstore.h"

#include <QStringList>
#include <vector>

namespace perfwatch {

/// What the dashboard reads each tick: the engine's query functions behind one seam.
///
/// Called only from the dashboard's worker thread (setThresholds() from the GUI thread), so an
/// implementation may take as long as its data needs (history reads for long ranges) without
/// ever stalling the window. Implementations must be thread-safe against ingest.
class DashboardSource
{
public:
    virtual ~DashboardSource() = default;

    virtual std::vector<KeyMeta> keys() const = 0;
    virtual QStringList services() const = 0;
    virtual StoreCounters storeCounters() const = 0;

    /// Per-key aggregates of [fromMs, toMs); reads persisted history where memory ends.
    virtual std::vector<KeyAggregate> window(qint64 fromMs, qint64 toMs) const = 0;
    /// Series of one key / one kind over any range (memory plus history).
    virtual std::vector<TimePoint> keySeries(const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const = 0;
    virtual std::vector<TimePoint> kindSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const = 0;
    /// The most recent raw samples of a live key, newest last.
    virtual std::vector<RawSample> rawSamples(KeyId key, int maxCount) const = 0;

    /// The latest score, recommendations and trends.
    virtual AnalysisResult analysis(qint64 nowMs) const = 0;
    virtual std::vector<ScorePoint> scoreHistory(qint64 fromMs, qint64 toMs) const = 0;
    /// Recommendations a previous run saved to the history (reports fall back to them when the
    /// latest analysis has no data); none by default.
    virtual std::vector<Recommendation> persistedRecommendations() const { return {}; }
    virtual AnalyzerConfig thresholds() const = 0;
    virtual void setThresholds(const AnalyzerConfig &config) = 0;
    /// Apdex of one API key's aggregate with T = config.slowApiMs (Analyzer::apdex); NaN when unknown.
    virtual double apdex(const Aggregate &agg, const AnalyzerConfig &config) const = 0;

    virtual PersistenceStatus persistenceStatus() const = 0;
    /// OpenTelemetry log records counted per service (LogBook); none by default.
    virtual LogBook::Snapshot logs(qint64 nowMs) const
    {
        Q_UNUSED(nowMs);
        return {};
    }
};

} // namespace perfwatch
