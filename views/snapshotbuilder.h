#pragma once

#include "dashboardsnapshot.h"
#include "dashboardsource.h"

#include <QHash>
#include <memory>
#include <vector>

namespace perfwatch {

/// Builds one DashboardSnapshot from a DashboardSource: the whole of a tick's reading and arithmetic.
///
/// Plain class so tests and benchmarks can call build() directly; the dashboard runs it on its
/// worker thread. Not thread-safe itself (it remembers the previous tick's event count).
class SnapshotBuilder
{
public:
    SnapshotBuilder(std::shared_ptr<DashboardSource> source, const IngestCounters *ingestCounters);

    DashboardSnapshotPtr build(const DashboardRequest &request);

    const std::shared_ptr<DashboardSource> &source() const { return m_source; }

    /// One table row from a key's aggregate over a window of windowSeconds.
    static KeyRow makeRow(const KeyAggregate &key, double windowSeconds, double apdex);

private:
    void buildCharts(DashboardSnapshot &snap, const QStringList &services);
    void buildKeyCharts(DashboardSnapshot &snap);
    void buildKpis(DashboardSnapshot &snap, const QStringList &services);
    void buildStatus(DashboardSnapshot &snap);

    /// A key's row with the stats it was computed from: quantiles and Apdex scan the whole sketch,
    /// so keys whose window did not change since the last tick reuse them.
    struct CachedRow
    {
        MetricStats stats;
        KeyRow row;
        quint64 build = 0; ///< the build() that last saw the key; only the previous one's rows are reused
    };
    KeyRow rowFor(const KeyAggregate &key, double windowSeconds, const AnalyzerConfig &thresholds);

    std::shared_ptr<DashboardSource> m_source;
    /// Live keys by store id (dense, never reused), checked against the key itself; keys only the
    /// history knows (kNoLiveKey) by KeyRef.
    std::vector<CachedRow> m_rowsById;
    QHash<KeyRef, CachedRow> m_rowCache;
    QHash<KeyRef, CachedRow> m_nextRowCache;
    quint64 m_build = 1;
    TimeRange m_cacheRange = TimeRange::Minutes15;
    double m_cacheSlowApiMs = 0;
    const IngestCounters *m_ingestCounters = nullptr;
    qint64 m_lastStatusMs = 0;
    quint64 m_lastEvents = 0;
    double m_eventsPerSec = 0;
};

} // namespace perfwatch
