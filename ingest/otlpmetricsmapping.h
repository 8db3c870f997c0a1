#pragma once

#include "decodedbatch.h"
#include "latencysketch.h"
#include "nativedecoder.h"
#include "otlpspanmapping.h"

#include <QtGlobal>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

namespace perfwatch {

class OtlpMetricsState;

namespace otlp {

/// The kind of an OTLP metric (the `data` oneof of opentelemetry.proto.metrics.v1.Metric).
enum class MetricType : quint8
{
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
    Summary,
};

/// One data point with what the mapping needs of its metric, resource and scope: the in-memory
/// form both decoders (protobuf, JSON) hand to MetricMapper. Views point into the request body
/// or the decoder's buffers and live for one map() call.
struct MetricPoint
{
    std::string_view service; ///< resource service.name; empty = "default"
    /// What makes the point's stream unique besides its name: the resource's attributes, the
    /// scope and the point's attributes, as bytes that are equal exactly when those are.
    std::string_view resourceIdentity;
    std::string_view scope;
    std::string_view attributesIdentity;
    std::string_view name;
    std::string_view unit;
    MetricType type = MetricType::Gauge;
    bool cumulative = false; ///< AGGREGATION_TEMPORALITY_CUMULATIVE (else delta; gauges have none)
    bool monotonic = false; ///< Sum.is_monotonic
    bool noRecordedValue = false; ///< DataPointFlags NO_RECORDED_VALUE: a stale marker, skipped
    AnyValue attrs[AttrCount];
    quint64 startNs = 0;
    quint64 timeNs = 0;
    double value = 0; ///< Gauge, Sum
    quint64 count = 0; ///< Histogram, ExponentialHistogram, Summary
    double sum = 0;
    bool hasSum = false;
    double min = 0;
    double max = 0;
    bool hasMin = false;
    bool hasMax = false;
    std::span<const double> bounds; ///< Histogram: explicit_bounds, ascending
    std::span<const quint64> buckets; ///< Histogram: bucket_counts (bounds.size() + 1)
    qint32 scale = 0; ///< ExponentialHistogram
    quint64 zeroCount = 0;
    qint32 offset = 0; ///< of the positive buckets
    std::span<const quint64> positive;
};

/// Turns OTLP metric data points into PerfWatch events: the one mapping behind OTLP/JSON,
/// OTLP/protobuf and OTLP/gRPC metrics (README "OpenTelemetry metrics").
///
/// - `http.server.request.duration` (s) and `http.server.duration` (ms) histograms become api
///   keys "METHOD:route" (as server spans do; without http.route "METHOD:*");
///   `db.client.operation.duration` (and `db.client.duration`) db keys "operation:collection".
///   One event per data point stands for all its requests: count, sum, min and max exact;
///   exponential buckets go into the sketch at their midpoints; explicit buckets are spread
///   over the bucket (linear interpolation) and the key is marked approximate.
/// - `db.client.connection.count{state=used}` / `.max` / `.pending_requests` (and the older
///   `db.client.connections.usage` / `.max` / `.pending_requests`) become the pool gauges
///   db.pool.in_use, db.pool.size and db.pool.waiting; `state=idle` db.pool.idle.
/// - process memory (`process.memory.usage`, `process.memory.rss`, `process.runtime.*.memory.rss`...)
///   becomes `process.memory.rss_bytes`.
/// - Any other gauge or sum becomes a gauge named after the metric (a monotonic sum its
///   increase per export, an up-down sum its level); any other histogram or summary a gauge of
///   its mean.
///
/// Cumulative points (the SDKs' default) become deltas per stream in OtlpMetricsState.
/// Not thread-safe: one per thread; begin() locks the state until end().
class MetricMapper
{
public:
    MetricMapper(const NativeDecoderLimits &limits, OtlpMetricsState *state);
    ~MetricMapper();
    Q_DISABLE_COPY_MOVE(MetricMapper)

    /// Starts a request: its events go to `batch`.
    void begin(DecodedBatch &batch, qint64 nowMs);
    /// Maps data point `index` (counted across the request), or rejects it with a reason.
    void map(const MetricPoint &point, std::size_t index);
    /// Ends the request (releases the state's lock).
    void end();
    /// "data point <index>: <what>".
    void reject(std::size_t index, std::string_view what);

    /// Data points of this request that were read but gave no event yet: the first cumulative
    /// point of a stream (its baseline), a point without change, a stale marker.
    std::size_t quiet() const { return m_quiet; }

    /// The factor that turns a duration in `unit` into milliseconds (s, ms, us, ns; `fallback`
    /// for no or another unit).
    static double millisecondsPer(std::string_view unit, double fallback);

private:
    struct Delta;
    bool delta(const MetricPoint &p, Delta &out);
    void histogramEvent(const MetricPoint &p, const Delta &d, MetricKind kind, std::string_view name, quint16 status,
        bool error, std::size_t index);
    void gaugeEvent(const MetricPoint &p, std::string_view name, double value);

    const NativeDecoderLimits &m_limits;
    OtlpMetricsState *m_state; ///< nullptr: every point is taken as a delta
    DecodedBatch *m_batch = nullptr;
    qint64 m_nowMs = 0;
    std::size_t m_quiet = 0;
    std::unique_lock<std::mutex> m_lock;
    std::deque<LatencySketch> m_sketches; ///< the distributions this request's events point to
    std::size_t m_usedSketches = 0;
    std::string m_scratch;
    std::string m_identity;
    std::string m_message;
    std::vector<quint64> m_deltaBuckets;
};

} // namespace otlp

} // namespace perfwatch
