#pragma once

#include "event.h"
#include "statsdparser.h"
#include "stringarena.h"

#include <QtGlobal>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace perfwatch {

/// Bounds of the StatsD translator's state (names are remembered for gauges and counters).
struct StatsdTranslatorLimits
{
    std::size_t maxGauges = 10'000; ///< gauge values remembered for +/- deltas
    std::size_t maxCounters = 10'000; ///< counters and caches accumulated between flushes
    int maxCopies = 1000; ///< a sampled timer counts at most this many times (rate 0.001)
    std::size_t maxStringBytes = 1024; ///< composed keys, service names
};

/// Turns StatsD metrics into PerfWatch events (README "StatsD"):
///  - `|ms`, `|h`, `|d`: durations in ms. With tags `method` and `route` (optional `status`,
///    default 200) an `api` event; with tags `operation` and `collection` (optional `error`) a
///    `db` event; otherwise a `processing` event named after the metric. A sample rate r counts
///    the sample round(1/r) times, so counts and percentiles stay those of the full traffic.
///  - `|g`: a `gauge` event; "+N"/"-N" adjusts the last value of that gauge (a delta that would
///    carry it past +-1e300 is malformed and the gauge keeps its value).
///  - `|c`: counters accumulate (scaled by 1/r) and are flushed once per interval: a counter
///    named `<cache>.hit(s)` or `<cache>.miss(es)` becomes a `cache` event of <cache>; any other
///    counter X becomes two gauges, X (its running total since PerfWatch started) and
///    X.per_second (its rate over the interval; one 0 after it goes quiet).
///  - `|s` sets, DogStatsD events and service checks are counted as ignored.
/// A `service` tag sets the service. Not thread-safe; owned by the StatsD thread.
class StatsdTranslator
{
public:
    struct Counts
    {
        std::size_t lines = 0;
        std::size_t accepted = 0;
        std::size_t malformed = 0;
        std::size_t ignored = 0;
    };

    explicit StatsdTranslator(StatsdTranslatorLimits limits = {});

    /// Translates one datagram. Timer and gauge events are appended to `out`; they point into
    /// `datagram` and into scratch memory kept until clearScratch().
    Counts translate(std::string_view datagram, std::vector<IngestEvent> &out);
    /// Appends the counter and cache events of the interval that ends at nowMs. Their strings
    /// live as long as the translator.
    void flush(qint64 nowMs, std::vector<IngestEvent> &out);
    /// What flush() would store for the counters and caches that translate() changed since the
    /// previous call (or flush()), as of nowMs, for the ingest journal to hold until the flush
    /// (README "Durability"): per cache the lookups not held yet this interval (whole ones, so the
    /// holds of an interval add up to what its flush stores), per counter its running total and
    /// its rate so far. Appended to `out`; their strings live as long as the translator.
    void takeChanged(qint64 nowMs, std::vector<IngestEvent> &out);
    /// Frees what the events of translate() point into; call after storing them.
    void clearScratch() { m_arena.reset(); }

private:
    enum class Outcome : quint8
    {
        Accepted,
        Ignored,
        Malformed
    };
    struct Counter
    {
        std::string service;
        std::string name;
        std::string rateName;
        double total = 0;
        double interval = 0;
        bool active = false; ///< counted since the last flush
        bool quietReported = true; ///< a 0 rate was flushed after the last activity
        bool changed = false; ///< listed in m_changedCounters
    };
    struct Cache
    {
        std::string service;
        std::string name;
        double hits = 0; ///< not yet flushed (fractions carry over)
        double misses = 0;
        quint64 heldHits = 0; ///< whole hits handed to takeChanged() this interval
        quint64 heldMisses = 0;
        bool changed = false; ///< listed in m_changedCaches
    };

    Outcome add(const StatsdMetric &metric, std::vector<IngestEvent> &out);
    Outcome addDuration(const StatsdMetric &metric, std::string_view service, std::vector<IngestEvent> &out);
    Outcome addCounter(const StatsdMetric &metric, std::string_view service);
    Outcome addGauge(const StatsdMetric &metric, std::string_view service, std::vector<IngestEvent> &out);
    std::string_view compose(std::string_view a, std::string_view b, bool upperA);
    /// Seconds from the last flush to nowMs; 0 before the first flush.
    double secondsSinceFlush(qint64 nowMs) const;
    /// A counter's gauges as flush() writes them: its running total (when withTotal) and, after
    /// the first flush, its rate over the interval so far.
    static void appendCounter(
        const Counter &c, qint64 nowMs, double seconds, bool withTotal, std::vector<IngestEvent> &out);
    static void appendCache(const Cache &c, quint64 hits, quint64 misses, qint64 nowMs, std::vector<IngestEvent> &out);

    StatsdTranslatorLimits m_limits;
    StringArena m_arena;
    std::vector<StatsdMetric> m_metrics;
    std::string m_key;
    std::string m_route;
    std::unordered_map<std::string, double> m_gauges;
    std::map<std::string, Counter> m_counters; ///< ordered: flushes come out in a stable order
    std::map<std::string, Cache> m_caches;
    qint64 m_lastFlushMs = 0;
    std::vector<Counter *> m_changedCounters; ///< since takeChanged() (map nodes do not move)
    std::vector<Cache *> m_changedCaches;
};

} // namespace perfwatch
