// The store-facing half of the Analyzer, kept apart so the analysis (analyzer.cpp, score.cpp, rules_*.cpp) stays a
// pure function of its input.

#include "analyzer.h"
#include "metricstore.h"
#include "routenormalizer.h"

#include <map>

namespace perfwatch {

namespace {

/// Which services and kinds overflowed in the window, and the name patterns that took their keys.
void collectOverflows(AnalyzerInput &input, const std::vector<KeyMeta> &keys, int limit)
{
    for (const KeyAggregate &k : input.current) {
        if (!k.meta.isOverflow() || k.agg.stats.count == 0)
            continue;
        KeyOverflow o;
        o.service = k.meta.service;
        o.kind = k.meta.kind;
        o.events = k.agg.stats.count;
        o.limit = limit;
        for (const KeyAggregate &other : input.current) {
            if (other.meta.kind == o.kind && other.meta.service == o.service)
                o.allEvents += other.agg.stats.count;
        }
        std::map<std::string, KeyOverflow::Pattern> patterns;
        for (const KeyMeta &meta : keys) {
            if (meta.kind != o.kind || meta.service != o.service || meta.isOverflow())
                continue;
            ++o.keys;
            KeyOverflow::Pattern &p = patterns[namePattern(meta.name.toStdString())];
            if (p.keys++ == 0)
                p.example = meta.name;
        }
        for (auto &[pattern, p] : patterns) {
            p.pattern = QString::fromStdString(pattern);
            o.patterns.push_back(std::move(p));
        }
        std::stable_sort(o.patterns.begin(), o.patterns.end(),
            [](const KeyOverflow::Pattern &a, const KeyOverflow::Pattern &b) { return a.keys > b.keys; });
        if (o.patterns.size() > 3)
            o.patterns.resize(3);
        input.overflows.push_back(std::move(o));
    }
}

} // namespace

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

    const std::vector<KeyMeta> keys = store.keys();
    for (const KeyMeta &meta : keys) {
        if (meta.kind != MetricKind::Gauge || meta.isOverflow()) // an overflow gauge mixes many
            continue;
        std::vector<TimePoint> points = store.keySeries(meta.id, nowMs - kGaugeRangeMs, nowMs, StoreTiers::kMinuteMs);
        if (!points.empty())
            input.gauges.push_back(GaugeSeries { meta, std::move(points) });
    }

    input.traces = store.traces(windowStart, nowMs);
    collectOverflows(input, keys, store.caps().perService);

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
