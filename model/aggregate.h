#pragma once

#include "event.h"
#include "latencysketch.h"
#include "saturating.h"

#include <QString>
#include <cmath>
#include <cstdint>
#include <limits>

namespace perfwatch {

/// Dense identifier of a metric key inside one store; ids are never reused.
using KeyId = quint32;

/// Additive statistics of one time bucket, or of several merged. Counters saturate at
/// UINT64_MAX instead of wrapping and sums stay finite (saturating.h).
struct MetricStats
{
    quint64 count = 0;
    quint64 errors = 0;
    double sum = 0; ///< durations (ms) or gauge values
    double min = 0; ///< valid when count > 0
    double max = 0; ///< valid when count > 0
    quint64 items = 0; ///< processing: items; db: documents; cache: hits
    quint64 misses = 0; ///< cache: misses
    double last = 0; ///< gauges: the value with the latest timestamp
    qint64 lastMs = 0; ///< timestamp of `last`

    void add(const IngestEvent &e, qint64 timestampMs)
    {
        if (e.histogram) {
            addHistogram(e, timestampMs);
            return;
        }
        if (count == 0) {
            min = e.value;
            max = e.value;
        } else {
            min = e.value < min ? e.value : min;
            max = e.value > max ? e.value : max;
        }
        count = saturatingAdd(count, 1);
        errors = saturatingAdd(errors, e.error ? 1 : 0);
        sum = finiteAdd(sum, e.value);
        items = saturatingAdd(items, e.items);
        misses = saturatingAdd(misses, e.misses);
        if (timestampMs >= lastMs) {
            last = e.value;
            lastMs = timestampMs;
        }
    }

    /// An event standing for many (IngestEvent::histogram): exact count, sum, min and max.
    void addHistogram(const IngestEvent &e, qint64 timestampMs)
    {
        const quint64 n = e.histogram->count();
        if (n == 0)
            return;
        const double lo = e.histogram->min();
        const double hi = e.histogram->max();
        if (count == 0) {
            min = lo;
            max = hi;
        } else {
            min = lo < min ? lo : min;
            max = hi > max ? hi : max;
        }
        count = saturatingAdd(count, n);
        errors = saturatingAdd(errors, e.error ? n : 0);
        sum = finiteAdd(sum, e.value);
        items = saturatingAdd(items, e.items);
        misses = saturatingAdd(misses, e.misses);
        if (timestampMs >= lastMs) {
            last = e.value / double(n);
            lastMs = timestampMs;
        }
    }

    void merge(const MetricStats &o)
    {
        if (o.count == 0)
            return;
        if (count == 0) {
            min = o.min;
            max = o.max;
        } else {
            min = o.min < min ? o.min : min;
            max = o.max > max ? o.max : max;
        }
        count = saturatingAdd(count, o.count);
        errors = saturatingAdd(errors, o.errors);
        sum = finiteAdd(sum, o.sum);
        items = saturatingAdd(items, o.items);
        misses = saturatingAdd(misses, o.misses);
        if (o.lastMs >= lastMs) {
            last = o.last;
            lastMs = o.lastMs;
        }
    }

    double avg() const { return count ? sum / double(count) : std::numeric_limits<double>::quiet_NaN(); }
    double errorRate() const { return count ? double(errors) / double(count) : 0.0; }
    /// Processing throughput: items per second of the step's own processing time (docs/DESIGN.md §12 rule 7).
    /// NaN when no time was measured.
    double itemsPerProcessingSecond() const
    {
        return sum > 0 ? double(items) / (sum / 1000.0) : std::numeric_limits<double>::quiet_NaN();
    }
    /// Cache lookups: hits + misses, saturating at UINT64_MAX.
    quint64 lookups() const { return saturatingAdd(items, misses); }
    /// Cache hit rate in [0, 1]; NaN without lookups. From the hits and misses themselves, not
    /// from the saturated lookups, so 2^63 hits and 2^63 misses are 0.5.
    double hitRate() const
    {
        return lookups() ? double(items) / (double(items) + double(misses)) : std::numeric_limits<double>::quiet_NaN();
    }
};

/// Statistics plus the latency distribution of one bucket or window.
struct Aggregate
{
    MetricStats stats;
    LatencySketch sketch; ///< empty for gauges and caches

    void merge(const Aggregate &o)
    {
        stats.merge(o.stats);
        sketch.merge(o.sketch);
    }
    double quantile(double q) const { return sketch.quantile(q); }
};

/// Who a key is: kind, reporting service and the name users see.
struct KeyMeta
{
    KeyId id = 0;
    MetricKind kind = MetricKind::Api;
    QString service;
    QString name;
    /// Some of the key's data came as explicit-bucket histograms (OTLP metrics): its quantiles
    /// are interpolated inside buckets, so approximate. Count, sum, min and max stay exact.
    bool approximate = false;

    /// The key of a service and kind that holds the events of names beyond the key caps. Its name
    /// is empty, which no decoder accepts for a real key, so it cannot merge with one; it is
    /// shown as "other keys" and only its counts mean something.
    bool isOverflow() const { return name.isEmpty(); }
};

inline quint64 IngestEvent::weight() const
{
    return histogram ? histogram->count() : 1;
}

/// One key's aggregate over a window.
struct KeyAggregate
{
    KeyMeta meta;
    Aggregate agg;
};

/// One point of a time series: the bucket [startMs, startMs + stepMs).
struct TimePoint
{
    qint64 startMs = 0;
    Aggregate agg;
};

/// A recent raw measurement of one key, for drill-down.
struct RawSample
{
    qint64 timestampMs = 0;
    double value = 0;
    quint16 status = 0;
    bool error = false;
    quint64 items = 0;
};

/// How often a db key was queried with one set of fields.
struct FieldSetCount
{
    QString fields; ///< sorted, comma-joined
    quint64 count = 0;
};

/// One finished request whose db events were correlated through its request_id.
struct RequestTrace
{
    qint64 timestampMs = 0;
    KeyId apiKey = 0;
    bool hasApi = false; ///< false when only db events carried this request_id
    double apiMs = 0;
    double dbMs = 0; ///< total duration of the request's db events
    struct DbUse
    {
        KeyId key = 0;
        quint32 count = 0;
        double totalMs = 0;
    };
    std::vector<DbUse> db; ///< per db key, most time first
};

} // namespace perfwatch
