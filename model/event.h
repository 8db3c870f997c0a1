#pragma once

#include <QtGlobal>
#include <string_view>

namespace perfwatch {

class LatencySketch;

/// What an ingested event measures; decides which fields it carries and how its key is shown.
enum class MetricKind : quint8
{
    Api = 0,
    Db = 1,
    Processing = 2,
    Gauge = 3,
    Cache = 4,
};
inline constexpr int kMetricKindCount = 5;

/// Stable lower-case wire name of a kind ("api", "db", ...), as used in JSON and SQLite.
constexpr std::string_view kindName(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Api:
        return "api";
    case MetricKind::Db:
        return "db";
    case MetricKind::Processing:
        return "processing";
    case MetricKind::Gauge:
        return "gauge";
    case MetricKind::Cache:
        return "cache";
    }
    return "api";
}

/// Parses a wire name; returns false when the name is unknown.
constexpr bool kindFromName(std::string_view name, MetricKind &kind)
{
    for (int i = 0; i < kMetricKindCount; ++i) {
        if (kindName(MetricKind(i)) == name) {
            kind = MetricKind(i);
            return true;
        }
    }
    return false;
}

/// Whether events of this kind carry a latency (duration) that goes into a sketch.
constexpr bool kindHasLatency(MetricKind kind)
{
    return kind == MetricKind::Api || kind == MetricKind::Db || kind == MetricKind::Processing;
}

/// One validated event on its way into the store.
///
/// String members are views into memory owned by the caller (usually the request body or a
/// per-batch arena); they only need to live until MetricStore::insert() returns. All strings
/// are valid UTF-8 and at most 1 KiB (the decoder enforces both).
struct IngestEvent
{
    MetricKind kind = MetricKind::Api;
    std::string_view service; ///< empty means "default"
    std::string_view name; ///< user-visible key: "GET:/api/trips", "find:trips", step, gauge or cache name
    std::string_view requestId; ///< groups the db events of one request; may be empty
    std::string_view fields; ///< db only: queried field names in the client's order, comma-joined ("user_id,start_time")
    qint64 timestampMs = 0; ///< Unix milliseconds; 0 means "time received"
    double value = 0; ///< duration in ms (api/db/processing) or gauge value
    quint64 items = 0; ///< processing: items processed; db: documents; cache: hits
    quint64 misses = 0; ///< cache: misses
    quint16 status = 0; ///< api: HTTP status
    bool error = false; ///< api: status >= 500; db: failed operation
    /// Several requests or operations at once (an OTLP histogram data point): their durations
    /// in ms (count, exact min and max, the distribution); `value` is then their exact sum and
    /// `error` applies to all of them. nullptr for a single event.
    const LatencySketch *histogram = nullptr;
    /// The histogram's distribution was interpolated inside explicit buckets: its quantiles are
    /// approximate (the key says so).
    bool approximate = false;

    /// How many requests or operations the event stands for.
    quint64 weight() const;
};

} // namespace perfwatch
