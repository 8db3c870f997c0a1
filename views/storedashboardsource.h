#pragma once

#include "dashboardsource.h"

#include <functional>
#include <mutex>

namespace perfwatch {

/// The dashboard's view of a bare MetricStore: no persisted history, analysis supplied by the caller.
///
/// For tests and the views dev tool, which run without the engine's SQLite history. The analysis
/// and Apdex come from functions given by the owner (the Analyzer once it is linked, or a fixed
/// result in tests); the score history is what this source's analyses produced.
class StoreDashboardSource final : public DashboardSource
{
public:
    using AnalysisFunction = std::function<AnalysisResult(const MetricStore &store, qint64 nowMs)>;
    using ApdexFunction = std::function<double(const Aggregate &agg, const AnalyzerConfig &config)>;

    explicit StoreDashboardSource(MetricStore &store);
    Q_DISABLE_COPY_MOVE(StoreDashboardSource)

    void setAnalysisFunction(AnalysisFunction fn);
    void setApdexFunction(ApdexFunction fn);
    /// How often analysis() recomputes (like the engine's analysisIntervalMs); 0: every call.
    void setAnalysisIntervalMs(qint64 ms);

    std::vector<KeyMeta> keys() const override;
    QStringList services() const override;
    StoreCounters storeCounters() const override;
    std::vector<KeyAggregate> window(qint64 fromMs, qint64 toMs) const override;
    std::vector<TimePoint> keySeries(const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const override;
    std::vector<TimePoint> kindSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const override;
    std::vector<RawSample> rawSamples(KeyId key, int maxCount) const override;
    AnalysisResult analysis(qint64 nowMs) const override;
    std::vector<ScorePoint> scoreHistory(qint64 fromMs, qint64 toMs) const override;
    AnalyzerConfig thresholds() const override;
    void setThresholds(const AnalyzerConfig &config) override;
    double apdex(const Aggregate &agg, const AnalyzerConfig &config) const override;
    PersistenceStatus persistenceStatus() const override;
    LogBook::Snapshot logs(qint64 nowMs) const override;

    /// Log counts to show (the dev tool's simulated logs, tests); none when not set.
    void setLogBook(const LogBook *logs) { m_logs = logs; }
    /// Adds score points as if earlier analyses had produced them (dev tool back-fill, tests).
    void addScoreHistory(const std::vector<ScorePoint> &points);

private:
    MetricStore &m_store;
    mutable std::mutex m_mutex;
    AnalysisFunction m_analysis;
    ApdexFunction m_apdex;
    AnalyzerConfig m_thresholds;
    qint64 m_intervalMs = 0;
    mutable AnalysisResult m_latest;
    mutable qint64 m_latestMs = 0;
    mutable std::vector<ScorePoint> m_scores;
    const LogBook *m_logs = nullptr;
};

} // namespace perfwatch
