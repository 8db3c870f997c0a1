#pragma once

#include "dashboardsource.h"

namespace perfwatch {

class PerformanceEngine;

/// The dashboard's view of a running PerformanceEngine (memory, history and analysis).
class EngineDashboardSource final : public DashboardSource
{
public:
    explicit EngineDashboardSource(PerformanceEngine &engine);
    Q_DISABLE_COPY_MOVE(EngineDashboardSource)

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
    std::vector<Recommendation> persistedRecommendations() const override;
    AnalyzerConfig thresholds() const override;
    void setThresholds(const AnalyzerConfig &config) override;
    double apdex(const Aggregate &agg, const AnalyzerConfig &config) const override;
    PersistenceStatus persistenceStatus() const override;
    LogBook::Snapshot logs(qint64 nowMs) const override;

private:
    PerformanceEngine &m_engine;
};

} // namespace perfwatch
