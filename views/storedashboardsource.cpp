#include "storedashboardsource.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace perfwatch {

StoreDashboardSource::StoreDashboardSource(MetricStore &store)
    : m_store(store)
{ }

void StoreDashboardSource::setAnalysisFunction(AnalysisFunction fn)
{
    std::lock_guard lock(m_mutex);
    m_analysis = std::move(fn);
    m_latestMs = 0;
}

void StoreDashboardSource::setApdexFunction(ApdexFunction fn)
{
    std::lock_guard lock(m_mutex);
    m_apdex = std::move(fn);
}

void StoreDashboardSource::setAnalysisIntervalMs(qint64 ms)
{
    std::lock_guard lock(m_mutex);
    m_intervalMs = ms;
}

std::vector<KeyMeta> StoreDashboardSource::keys() const
{
    return m_store.keys();
}

QStringList StoreDashboardSource::services() const
{
    return m_store.services();
}

StoreCounters StoreDashboardSource::storeCounters() const
{
    return m_store.counters();
}

std::vector<KeyAggregate> StoreDashboardSource::window(qint64 fromMs, qint64 toMs) const
{
    return m_store.window(fromMs, toMs);
}

std::vector<TimePoint> StoreDashboardSource::keySeries(
    const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    return m_store.keySeries(key.id, fromMs, toMs, stepMs);
}

std::vector<TimePoint> StoreDashboardSource::kindSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    return m_store.kindSeries(kind, services, fromMs, toMs, stepMs);
}

std::vector<RawSample> StoreDashboardSource::rawSamples(KeyId key, int maxCount) const
{
    return m_store.rawSamples(key, maxCount);
}

AnalysisResult StoreDashboardSource::analysis(qint64 nowMs) const
{
    std::lock_guard lock(m_mutex);
    if (!m_analysis)
        return {};
    if (m_latestMs != 0 && nowMs - m_latestMs < m_intervalMs)
        return m_latest;
    m_latest = m_analysis(m_store, nowMs);
    m_latestMs = nowMs;
    if (m_scores.empty() || m_scores.back().timestampMs < nowMs)
        m_scores.push_back(ScorePoint { nowMs, m_latest.score.value, m_latest.score.band });
    return m_latest;
}

std::vector<ScorePoint> StoreDashboardSource::scoreHistory(qint64 fromMs, qint64 toMs) const
{
    std::lock_guard lock(m_mutex);
    auto cmp = [](const ScorePoint &p, qint64 ms) { return p.timestampMs < ms; };
    auto begin = std::lower_bound(m_scores.begin(), m_scores.end(), fromMs, cmp);
    auto end = std::lower_bound(begin, m_scores.end(), toMs, cmp);
    return { begin, end };
}

AnalyzerConfig StoreDashboardSource::thresholds() const
{
    std::lock_guard lock(m_mutex);
    return m_thresholds;
}

void StoreDashboardSource::setThresholds(const AnalyzerConfig &config)
{
    std::lock_guard lock(m_mutex);
    m_thresholds = config;
    m_latestMs = 0;
}

double StoreDashboardSource::apdex(const Aggregate &agg, const AnalyzerConfig &config) const
{
    std::lock_guard lock(m_mutex);
    return m_apdex ? m_apdex(agg, config) : std::numeric_limits<double>::quiet_NaN();
}

PersistenceStatus StoreDashboardSource::persistenceStatus() const
{
    return {};
}

LogBook::Snapshot StoreDashboardSource::logs(qint64 nowMs) const
{
    return m_logs ? m_logs->snapshot(nowMs) : LogBook::Snapshot {};
}

void StoreDashboardSource::addScoreHistory(const std::vector<ScorePoint> &points)
{
    std::lock_guard lock(m_mutex);
    m_scores.insert(m_scores.end(), points.begin(), points.end());
    std::sort(m_scores.begin(), m_scores.end(),
        [](const ScorePoint &a, const ScorePoint &b) { return a.timestampMs < b.timestampMs; });
}

} // namespace perfwatch
