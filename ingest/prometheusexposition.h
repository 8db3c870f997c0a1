#pragma once

#include "aggregate.h"
#include "analyzer.h"
#include "ingestcounters.h"
#include "metricstore.h"
#include "statsdcounters.h"

#include <QByteArray>
#include <optional>
#include <string_view>
#include <vector>

namespace perfwatch {

/// What GET /metrics shows, gathered by the route from the engine and the servers.
struct PrometheusInput
{
    std::vector<KeyTotals> totals; ///< every key since start: counters, summary _sum and _count
    std::vector<KeyAggregate> window; ///< the score window: summary quantiles, last gauge values
    Band band = Band::NoData;
    int score = 0;
    std::vector<Recommendation> recommendations;
    IngestCountersSnapshot ingest;
    StoreCounters store;
    std::optional<StatsdCountersSnapshot> statsd; ///< absent when StatsD is not running
};

/// Renders the Prometheus text exposition format 0.0.4 (docs/DESIGN.md §6), lint-clean for promtool.
///
/// Latencies are summaries: quantiles 0.5/0.95/0.99 over the score window (from the mergeable
/// sketch, 1% relative error) with `_sum`/`_count` since start. A histogram would need cumulative
/// bucket counts since start, which the store does not keep (its sketches are per time bucket);
/// a summary says exactly what we know. Units are seconds. User-chosen names (routes, tables,
/// gauge names) only ever appear as label values, escaped: as metric names they could collide
/// with ours or break naming rules ("_ms", "_total"), so the metric names are fixed and valid.
class PrometheusExposition
{
public:
    static constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

    static QByteArray render(const PrometheusInput &input);

    /// A label value with backslash, double quote and line feed escaped.
    static QByteArray escapeLabelValue(std::string_view value);
    /// A sample value: shortest round-trip form, NaN, +Inf, -Inf.
    static QByteArray formatValue(double value);
};

} // namespace perfwatch
