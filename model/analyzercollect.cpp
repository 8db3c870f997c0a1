// The store-facing half of the Analyzer, kept apart so analyzer.cpp stays a pure function of its input.

#include "analyzer.h"
#include "metricstore.h"

namespace perfwatch {

AnalyzerInput Analyzer::collect(const MetricStore &store, qint64 nowMs) const
{
    constexpr qint64 kHourMs = 3'600'000;
    // Gauge series cover everything the minute tier holds: the window and the hour before it.
    constexpr qint64 kGaugeRangeMs = StoreTiers::kMinuteSlots * StoreTiers::kMinuteMs;

    AnalyzerInput input;
    input.nowMs = nowMs;
    input.windowMs = m_config.windowMs;
    const qint64 windowStart = nowMs - m_config.windowMs;
    input.current = store.window(windowStart, nowMs);
    input.previous = store.window(windowStart - kHourMs, windowStart);

    for (const KeyMeta &meta : store.keys()) {
        if (meta.kind != MetricKind::Gauge)
            continue;
        std::vector<TimePoint> points = store.keySeries(meta.id, nowMs - kGaugeRangeMs, nowMs, StoreTiers::kMinuteMs);
        if (!points.empty())
            input.gauges.push_back(GaugeSeries { meta, std::move(points) });
    }

    input.traces = store.traces(windowStart, nowMs);

    for (const KeyAggregate &k : input.current) {
        if (k.meta.kind != MetricKind::Db)
            continue;
        std::vector<FieldSetCount> sets = store.fieldSets(k.meta.id);
        if (!sets.empty())
            input.fieldSets.emplace(k.meta.id, std::move(sets));
    }
    return input;
}

AnalysisResult Analyzer::analyze(const MetricStore &store, qint64 nowMs)
{
    return analyze(collect(store, nowMs));
}

} // namespace perfwatch
