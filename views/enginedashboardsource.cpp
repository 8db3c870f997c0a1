#include "enginedashboardsource.h"

#include "engine.h"

namespace perfwatch {

namespace {
constexpr qint64 kHourMs = 3600 * 1000;
}

EngineDashboardSource::EngineDashboardSource(PerformanceEngine &engine)
    : m_engine(engine)
{ }

std::vector<KeyMeta> EngineDashboardSource::keys() const
{
    return m_engine.store().keys();
}

QStringList EngineDashboardSource::services() const
{
    return m_engine.store().services();
}

StoreCounters EngineDashboardSource::storeCounters() const
{
    return m_engine.store().counters();
}

std::vector<KeyAggregate> EngineDashboardSource::window(qint64 fromMs, qint64 toMs) const
{
    // summary() covers [now - hours, now + 1) and reads history only where memory ends.
    const qint64 now = toMs - 1;
    return m_engine.summary(double(now - fromMs) / double(kHourMs), now).keys;
}

std::vector<TimePoint> EngineDashboardSource::keySeries(
    const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    return m_engine.keySeries(key, fromMs, toMs, stepMs);
}

std::vector<TimePoint> EngineDashboardSource::kindSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    return m_engine.kindSeries(kind, services, fromMs, toMs, stepMs);
}

std::vector<RawSample> EngineDashboardSource::rawSamples(KeyId key, int maxCount) const
{
    return m_engine.store().rawSamples(key, maxCount);
}

AnalysisResult EngineDashboardSource::analysis(qint64) const
{
    // The engine recomputes on its own thread every analysisIntervalMs; a tick only reads it.
    return m_engine.latestAnalysis();
}

std::vector<ScorePoint> EngineDashboardSource::scoreHistory(qint64 fromMs, qint64 toMs) const
{
    return m_engine.scoreHistory(fromMs, toMs);
}

std::vector<Recommendation> EngineDashboardSource::persistedRecommendations() const
{
    return m_engine.persistedRecommendations();
}

AnalyzerConfig EngineDashboardSource::thresholds() const
{
    return m_engine.analyzerConfig();
}

void EngineDashboardSource::setThresholds(const AnalyzerConfig &config)
{
    m_engine.setAnalyzerConfig(config);
}

double EngineDashboardSource::apdex(const Aggregate &agg, const AnalyzerConfig &config) const
{
    return perfwatch::apdex(agg, config.slowApiMs);
}

LogBook::Snapshot EngineDashboardSource::logs(qint64 nowMs) const
{
    return m_engine.logs().snapshot(nowMs);
}

PersistenceStatus EngineDashboardSource::persistenceStatus() const
{
    return m_engine.persistenceStatus();
}

} // namespace perfwatch
