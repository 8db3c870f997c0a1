#include "otlpmetricsmapping.h"

#include "otlpmetricsstate.h"
#include "valuebounds.h"

#include <algorithm>
#include <cmath>

namespace perfwatch::otlp {

namespace {

constexpr char kSeparator = '\x1e';

bool isOneOf(std::string_view name, std::initializer_list<std::string_view> names)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

/// Spreads `count` values evenly over (lo, hi] (in ms) into the sketch's bins, in proportion to
/// how much of the range each bin covers: linear interpolation inside a bucket, as
/// histogram_quantile() does, with integer counts that add up to `count`.
void spread(LatencySketch &sketch, double lo, double hi, quint64 count)
{
    if (count == 0)
        return;
    if (!(hi > lo)) {
        sketch.add(std::max(0.0, hi), count);
        return;
    }
    // Below a thousandth of the top there is less than 0.1% of the mass: start there.
    lo = std::max({ lo, hi * 1e-3, LatencySketch::kMinValue });
    if (!(hi > lo)) {
        sketch.add(hi, count);
        return;
    }
    const int first = LatencySketch::indexFor(lo);
    const int last = LatencySketch::indexFor(hi);
    const double width = hi - lo;
    // Fewer values than bins (the usual case: a few requests in a wide bucket): place them at
    // evenly spaced points, the same linear interpolation without visiting every bin.
    if (count <= quint64(last - first + 1)) {
        for (quint64 j = 0; j < count; ++j)
            sketch.add(lo + width * ((double(j) + 0.5) / double(count)));
        return;
    }
    quint64 given = 0;
    for (int i = first; i <= last; ++i) {
        const double binTop = i == last ? hi : std::min(hi, LatencySketch::upperBoundOf(i));
        const quint64 target = i == last ? count : quint64(std::llround(double(count) * ((binTop - lo) / width)));
        if (target > given) {
            sketch.addIndex(i, std::clamp(LatencySketch::valueFor(i), lo, hi), target - given);
            given = target;
        }
    }
}

} // namespace

struct MetricMapper::Delta
{
    quint64 count = 0;
    double sum = 0;
    bool hasSum = false;
    double min = 0;
    double max = 0;
    bool hasMin = false;
    bool hasMax = false;
    std::span<const quint64> buckets; ///< explicit or positive exponential counts of the interval
    quint64 zeroCount = 0;
    double value = 0; ///< gauge and sum events
};

MetricMapper::MetricMapper(const NativeDecoderLimits &limits, OtlpMetricsState *state)
    : m_limits(limits)
    , m_state(state)
{ }

MetricMapper::~MetricMapper()
{
    end();
}

void MetricMapper::begin(DecodedBatch &batch, qint64 nowMs)
{
    end();
    m_batch = &batch;
    m_nowMs = nowMs;
    m_quiet = 0;
    m_usedSketches = 0;
    if (m_sketches.size() > 4096)
        m_sketches.resize(4096); // a huge request's sketches are not kept for the next one
    if (m_state)
        m_lock = m_state->lock(); // held until end(): one lock per request
}

void MetricMapper::end()
{
    if (m_lock.owns_lock())
        m_lock.unlock();
}

double MetricMapper::millisecondsPer(std::string_view unit, double fallback)
{
    if (unit == "s")
        return 1000.0;
    if (unit == "ms")
        return 1.0;
    if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
        return 1e-3;
    if (unit == "ns")
        return 1e-6;
    if (unit == "min")
        return 60'000.0;
    return fallback;
}

void MetricMapper::reject(std::size_t index, std::string_view what)
{
    m_message.assign("data point ");
    m_message.append(std::to_string(index));
    m_message.append(": ");
    m_message.append(what);
    m_batch->reject(index, m_message);
}

bool MetricMapper::delta(const MetricPoint &p, Delta &d)
{
    const bool distribution = p.type == MetricType::Histogram || p.type == MetricType::ExponentialHistogram;
    const auto fromPoint = [&] {
        d.count = p.count;
        d.sum = p.sum;
        d.hasSum = p.hasSum;
        d.min = p.min;
        d.max = p.max;
        d.hasMin = p.hasMin;
        d.hasMax = p.hasMax;
        d.buckets = p.type == MetricType::ExponentialHistogram ? p.positive : p.buckets;
        d.zeroCount = p.zeroCount;
        d.value = p.value;
    };
    const bool level = p.type == MetricType::Sum && !p.monotonic; // an up-down counter
    if (p.type == MetricType::Gauge || p.type == MetricType::Summary || (level && p.cumulative) || !m_state) {
        fromPoint();
        return true;
    }
    if (!p.cumulative && !level) {
        fromPoint();
        return true;
    }

    m_identity.assign(p.resourceIdentity);
    m_identity += kSeparator;
    m_identity.append(p.scope);
    m_identity += kSeparator;
    m_identity.append(p.name);
    m_identity += kSeparator;
    m_identity.append(p.attributesIdentity);
    bool created = false;
    OtlpMetricsState::Stream *s = m_state->stream(m_identity, m_nowMs, created);
    if (!s) {
        fromPoint(); // too many streams to follow: taken as it is, as a delta would be
        return true;
    }
    if (level) {
        // A delta up-down counter: its level is the sum of its deltas, held within the gauge bounds.
        s->value = std::clamp(s->value + p.value, -bounds::kMaxGaugeMagnitude, bounds::kMaxGaugeMagnitude);
        fromPoint();
        d.value = s->value;
        return true;
    }

    const auto remember = [&] {
        s->startNs = p.startNs;
        s->timeNs = p.timeNs;
        s->count = p.count;
        s->sum = p.sum;
        s->value = p.value;
        s->min = p.min;
        s->max = p.max;
        s->hasMin = p.hasMin;
        s->hasMax = p.hasMax;
        s->scale = p.scale;
        s->offset = p.offset;
        s->zeroCount = p.zeroCount;
        const std::span<const quint64> b = p.type == MetricType::ExponentialHistogram ? p.positive : p.buckets;
        s->buckets.assign(b.begin(), b.end());
    };

    if (created) {
        // A stream that started before PerfWatch did: what it counted before may be in the
        // history already, and none of it can be dated. Its first point is the baseline.
        remember();
        if (p.startNs == 0 || p.startNs < m_state->startedNs()) {
            m_state->countPoints(0, 1);
            return false;
        }
        fromPoint();
        return true;
    }
    if (p.timeNs != 0 && p.timeNs <= s->timeNs && p.startNs == s->startNs)
        return false; // the same point again, or an older one: nothing new

    bool reset = p.startNs != s->startNs;
    if (!distribution) {
        reset = reset || p.value < s->value;
        if (!reset) {
            fromPoint();
            d.value = p.value - s->value;
        }
    } else {
        reset = reset || p.count < s->count;
        const std::span<const quint64> now = p.type == MetricType::ExponentialHistogram ? p.positive : p.buckets;
        if (!reset) {
            m_deltaBuckets.assign(now.begin(), now.end());
            if (p.type == MetricType::Histogram) {
                reset = s->buckets.size() != now.size();
                for (std::size_t i = 0; !reset && i < now.size(); ++i) {
                    reset = now[i] < s->buckets[i];
                    m_deltaBuckets[i] = now[i] - s->buckets[i];
                }
            } else {
                // The SDK lowers the scale as the range grows: bring the previous buckets to
                // this scale (index >> (old scale - new scale)) before subtracting.
                reset = p.scale > s->scale || p.zeroCount < s->zeroCount;
                const int shift = std::min(63, s->scale - p.scale);
                for (std::size_t i = 0; !reset && i < s->buckets.size(); ++i) {
                    if (s->buckets[i] == 0)
                        continue;
                    const qint64 index = (qint64(s->offset) + qint64(i)) >> shift;
                    const qint64 at = index - p.offset;
                    reset = at < 0 || at >= qint64(m_deltaBuckets.size())
                        || m_deltaBuckets[std::size_t(at)] < s->buckets[i];
                    if (!reset)
                        m_deltaBuckets[std::size_t(at)] -= s->buckets[i];
                }
            }
        }
        if (!reset) {
            d.count = p.count - s->count;
            d.sum = p.sum - s->sum;
            d.hasSum = p.hasSum;
            d.buckets = m_deltaBuckets;
            d.zeroCount = p.zeroCount - (p.type == MetricType::ExponentialHistogram ? s->zeroCount : 0);
            // The interval's extremes are known when it holds a new one; otherwise the buckets tell.
            d.hasMin = p.hasMin && (!s->hasMin || p.min < s->min);
            d.min = p.min;
            d.hasMax = p.hasMax && (!s->hasMax || p.max > s->max);
            d.max = p.max;
        }
    }
    if (reset)
        fromPoint(); // a new start: the point counts from zero
    remember();
    return true;
}

void MetricMapper::histogramEvent(const MetricPoint &p, const Delta &d, MetricKind kind, std::string_view name,
    quint16 status, bool error, std::size_t index)
{
    if (d.count == 0) {
        ++m_quiet;
        return;
    }
    const double toMs
        = millisecondsPer(p.unit, p.name == "http.server.duration" || p.name == "http.client.duration" ? 1.0 : 1000.0);
    if (m_usedSketches == m_sketches.size())
        m_sketches.emplace_back();
    LatencySketch &sketch = m_sketches[m_usedSketches++];
    sketch.clear();
    bool approximate = false;
    if (p.type == MetricType::ExponentialHistogram) {
        if (p.scale < -10 || p.scale > 20)
            return reject(index, "\"scale\" must be from -10 to 20");
        // Bucket k holds (base^k, base^(k+1)] with base = 2^(2^-scale): its midpoint in log terms.
        const double log2Base = std::ldexp(1.0, -p.scale);
        if (d.zeroCount > 0)
            sketch.add(0, d.zeroCount);
        for (std::size_t i = 0; i < d.buckets.size(); ++i) {
            if (d.buckets[i] == 0)
                continue;
            const double k = double(p.offset) + double(i);
            sketch.add(std::exp2((k + 0.5) * log2Base) * toMs, d.buckets[i]);
        }
        approximate = p.scale < 5; // buckets wider than the sketch's 2% bins
    } else {
        const std::span<const double> bounds = p.bounds;
        const double lowest = d.hasMin ? d.min * toMs : 0.0;
        const double highest = d.hasMax ? d.max * toMs : std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < d.buckets.size(); ++i) {
            if (d.buckets[i] == 0)
                continue;
            double lo = i == 0 ? lowest : bounds[i - 1] * toMs;
            double hi = i < bounds.size() ? bounds[i] * toMs : highest;
            if (!std::isfinite(hi))
                hi = lo; // the overflow bucket without a max: its lower bound, as Prometheus does
            lo = std::max({ lo, lowest, 0.0 });
            hi = std::min(hi, highest);
            spread(sketch, lo, std::max(lo, hi), d.buckets[i]);
        }
        approximate = true;
    }
    if (sketch.count() != d.count) {
        // Buckets that do not add up to the count: the count is what the point says.
        if (sketch.count() > d.count || sketch.isEmpty())
            return reject(index, "\"bucket_counts\" do not add up to \"count\"");
        sketch.add(sketch.max(), d.count - sketch.count());
    }
    if (d.hasMin || d.hasMax)
        sketch.setRange(d.hasMin ? d.min * toMs : sketch.min(), d.hasMax ? d.max * toMs : sketch.max());
    const double sumMs = d.hasSum ? d.sum * toMs : double(sketch.count()) * sketch.quantile(0.5);
    if (!std::isfinite(sumMs) || sumMs < 0)
        return reject(index, "\"sum\" must be a finite number >= 0");
    // No duration in the point may pass the bound: not its largest, not its mean.
    if (!bounds::isDurationMs(sketch.max()))
        return reject(index, "holds a duration above 1e12 ms (about 31.7 years)");
    if (sumMs > double(d.count) * bounds::kMaxDurationMs)
        return reject(index, "\"sum\" must be at most \"count\" times 1e12 ms");

    IngestEvent &e = m_batch->appendEvent();
    e.kind = kind;
    e.service = p.service;
    e.name = name;
    e.timestampMs = qint64(p.timeNs / 1'000'000);
    e.value = sumMs;
    e.histogram = &sketch;
    e.approximate = approximate;
    e.status = status;
    e.error = error;
}

void MetricMapper::gaugeEvent(const MetricPoint &p, std::string_view name, double value)
{
    IngestEvent &e = m_batch->appendEvent();
    e.kind = MetricKind::Gauge;
    e.service = p.service;
    e.name = name;
    e.timestampMs = qint64(p.timeNs / 1'000'000);
    e.value = value;
}

void MetricMapper::map(const MetricPoint &p, std::size_t index)
{
    if (p.noRecordedValue) {
        ++m_quiet;
        return;
    }
    const qint64 timeMs = qint64(p.timeNs / 1'000'000);
    if (p.timeNs == 0)
        return reject(index, "time_unix_nano is required");
    if (timeMs < m_nowMs - m_limits.maxAgeMs)
        return reject(index, "is more than " + std::to_string(m_limits.maxAgeMs / 3'600'000) + " h old");
    if (timeMs > m_nowMs + m_limits.maxAheadMs)
        return reject(index, "is more than " + std::to_string(m_limits.maxAheadMs / 60'000) + " min in the future");
    if (p.name.empty())
        return reject(index, "the metric has no name");
    const bool distribution = p.type == MetricType::Histogram || p.type == MetricType::ExponentialHistogram;
    if (distribution && p.type == MetricType::Histogram && !p.buckets.empty()
        && p.buckets.size() != p.bounds.size() + 1)
        return reject(index, "\"bucket_counts\" must hold one more count than \"explicit_bounds\"");
    if (distribution && p.type == MetricType::Histogram && !std::is_sorted(p.bounds.begin(), p.bounds.end()))
        return reject(index, "\"explicit_bounds\" must be ascending");
    if (!distribution && p.type != MetricType::Summary && !std::isfinite(p.value))
        return reject(index, "the value must be a finite number");
    if (!distribution && p.type != MetricType::Summary && !bounds::isGaugeValue(p.value))
        return reject(index, "the value must be from -1e300 to 1e300");

    Delta d;
    if (!delta(p, d)) {
        ++m_quiet;
        return;
    }
    const std::size_t maxString = m_limits.maxStringBytes;

    if (distribution && isOneOf(p.name, { "http.server.request.duration", "http.server.duration" })) {
        const std::string_view method
            = p.attrs[HttpRequestMethod].present() ? p.attrs[HttpRequestMethod].string() : p.attrs[HttpMethod].string();
        if (!isHttpMethod(method))
            return reject(index, "\"http.request.method\" must be an HTTP method such as \"GET\"");
        const bool routed = p.attrs[HttpRoute].present() || p.attrs[UrlPath].present() || p.attrs[HttpTarget].present();
        const std::string_view route = routed ? routeOf(p.attrs, {}, m_scratch) : std::string_view("*");
        qint64 status = 200;
        if (!statusOf(p.attrs, status))
            return reject(index, "\"http.response.status_code\" must be an integer from 100 to 599");
        if (method.size() + 1 + route.size() > maxString)
            return reject(index, "method and route together must be at most " + std::to_string(maxString) + " bytes");
        return histogramEvent(p, d, MetricKind::Api, compose(m_batch->arena(), method, ':', route, true),
            quint16(status), status >= 500, index);
    }
    if (distribution && isOneOf(p.name, { "db.client.operation.duration", "db.client.duration" })) {
        std::string_view operation;
        std::string_view collection;
        dbOperationAndCollection(p.attrs, {}, operation, collection);
        if (operation.empty() || collection.empty())
            return reject(index, "a database duration needs \"db.operation.name\" and \"db.collection.name\"");
        if (operation.size() + 1 + collection.size() > maxString)
            return reject(
                index, "operation and collection together must be at most " + std::to_string(maxString) + " bytes");
        // error.type on a db point names a failure
        return histogramEvent(
            p, d, MetricKind::Db, compose(m_batch->arena(), operation, ':', collection), 0, false, index);
    }

    double value = d.value;
    if (distribution || p.type == MetricType::Summary) {
        if (d.count == 0) {
            ++m_quiet;
            return;
        }
        value = d.sum / double(d.count); // another distribution: its mean
        if (!std::isfinite(value))
            return reject(index, "\"sum\" must be a finite number");
    }
    std::string_view name = p.name;
    const std::string_view state = p.attrs[ConnectionState].string();
    if (isOneOf(p.name, { "db.client.connection.count", "db.client.connections.usage" })) {
        if (state == "used")
            name = "db.pool.in_use";
        else if (state == "idle")
            name = "db.pool.idle";
    } else if (isOneOf(p.name, { "db.client.connection.max", "db.client.connections.max" })) {
        name = "db.pool.size";
    } else if (isOneOf(p.name, { "db.client.connection.pending_requests", "db.client.connections.pending_requests" })) {
        name = "db.pool.waiting";
    } else if (isOneOf(p.name, { "process.memory.usage", "process.memory.rss", "process.resident_memory_bytes" })) {
        name = "process.memory.rss_bytes";
    }
    if (name.size() > maxString)
        return reject(index, "the metric name must be at most " + std::to_string(maxString) + " bytes");
    if (!bounds::isGaugeValue(value)) // an increase or a mean beyond what a gauge can hold
        return reject(index, "the value must be from -1e300 to 1e300");
    gaugeEvent(p, name, value);
}

} // namespace perfwatch::otlp
