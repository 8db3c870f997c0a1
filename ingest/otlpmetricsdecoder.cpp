#include "otlpmetricsdecoder.h"

#include "otlpmetricsmapping.h"
#include "otlpmetricsstate.h"
#include "otlpprototracedecoder.h"
#include "otlpvalues.h"
#include "protowire.h"

#include <simdjson.h>
#include <string>
#include <vector>

namespace perfwatch {

namespace {

using namespace otlp;
namespace dom = simdjson::dom;

// Field numbers (opentelemetry-proto metrics/v1, collector/metrics/v1).
namespace field {
constexpr quint32 kResourceMetrics = 1; // ExportMetricsServiceRequest
constexpr quint32 kResource = 1; // ResourceMetrics
constexpr quint32 kScopeMetrics = 2;
constexpr quint32 kScope = 1; // ScopeMetrics
constexpr quint32 kMetrics = 2;
constexpr quint32 kName = 1; // Metric
constexpr quint32 kUnit = 3;
constexpr quint32 kGauge = 5;
constexpr quint32 kSum = 7;
constexpr quint32 kHistogram = 9;
constexpr quint32 kExponentialHistogram = 10;
constexpr quint32 kSummary = 11;
constexpr quint32 kDataPoints = 1; // Gauge, Sum, Histogram, ExponentialHistogram, Summary
constexpr quint32 kTemporality = 2; // Sum, Histogram, ExponentialHistogram
constexpr quint32 kMonotonic = 3; // Sum
constexpr quint32 kStart = 2; // every data point
constexpr quint32 kTime = 3;
constexpr quint32 kNumberDouble = 4; // NumberDataPoint
constexpr quint32 kNumberInt = 6;
constexpr quint32 kNumberAttributes = 7;
constexpr quint32 kNumberFlags = 8;
constexpr quint32 kCount = 4; // HistogramDataPoint, ExponentialHistogramDataPoint, SummaryDataPoint
constexpr quint32 kSumValue = 5;
constexpr quint32 kHistogramBuckets = 6; // HistogramDataPoint
constexpr quint32 kHistogramBounds = 7;
constexpr quint32 kHistogramAttributes = 9;
constexpr quint32 kHistogramFlags = 10;
constexpr quint32 kHistogramMin = 11;
constexpr quint32 kHistogramMax = 12;
constexpr quint32 kExpAttributes = 1; // ExponentialHistogramDataPoint
constexpr quint32 kExpScale = 6;
constexpr quint32 kExpZeroCount = 7;
constexpr quint32 kExpPositive = 8;
constexpr quint32 kExpFlags = 10;
constexpr quint32 kExpMin = 12;
constexpr quint32 kExpMax = 13;
constexpr quint32 kBucketsOffset = 1; // ExponentialHistogramDataPoint.Buckets
constexpr quint32 kBucketsCounts = 2;
constexpr quint32 kSummaryAttributes = 7; // SummaryDataPoint
constexpr quint32 kSummaryFlags = 8;
} // namespace field

constexpr qint64 kTemporalityCumulative = 2;

std::string tooManyPoints(std::size_t max)
{
    return "the request holds more than " + std::to_string(max) + " data points; send at most " + std::to_string(max)
        + " per request";
}

} // namespace

struct OtlpMetricsDecoder::Impl
{
    Impl(const NativeDecoderLimits &l, OtlpMetricsState *state)
        : limits(l)
        , mapper(l, state)
    { }

    const NativeDecoderLimits &limits;
    MetricMapper mapper;
    dom::parser parser;
    std::size_t points = 0;
    std::string fatal;
    bool fatalTooLarge = false;
    // Buffers of the point being decoded.
    std::vector<double> bounds;
    std::vector<quint64> buckets;
    std::string attributes;
    std::string resourceIdentity;

    bool refuse(std::string_view text, bool tooLarge = false)
    {
        if (fatal.empty())
            fatal.assign(text);
        fatalTooLarge = tooLarge;
        return false;
    }
    /// Counts a point; false (refusing the body) past the limit.
    bool nextPoint()
    {
        if (points == limits.maxEvents)
            return refuse(tooManyPoints(limits.maxEvents), true);
        ++points;
        return true;
    }

    // Protobuf
    bool protoResource(std::string_view bytes);
    bool protoMetric(std::string_view bytes, MetricPoint &base);
    bool protoPoint(std::string_view bytes, MetricPoint p);
    bool protoAttribute(std::string_view bytes, MetricPoint &p, std::size_t index);

    // JSON
    bool jsonResource(dom::element resource);
    bool jsonMetric(dom::object metric, MetricPoint &base);
    void jsonPoint(dom::object point, MetricPoint p);
};

OtlpMetricsDecoder::OtlpMetricsDecoder(NativeDecoderLimits limits, OtlpMetricsState *state)
    : m_limits(limits)
    , d(std::make_unique<Impl>(m_limits, state))
{ }

OtlpMetricsDecoder::~OtlpMetricsDecoder() = default;

std::size_t OtlpMetricsDecoder::pointCount() const
{
    return d->points;
}

std::size_t OtlpMetricsDecoder::quietCount() const
{
    return d->mapper.quiet();
}

// ---------------------------------------------------------------------------------------------
// Protobuf

bool OtlpMetricsDecoder::decodeProtobuf(std::string_view body, qint64 nowMs, DecodedBatch &batch)
{
    batch.clear();
    d->points = 0;
    d->fatal.clear();
    d->fatalTooLarge = false;
    d->mapper.begin(batch, nowMs);
    ProtoReader r(body);
    bool ok = true;
    while (ok && r.next()) {
        if (r.field() != field::kResourceMetrics)
            continue;
        ok = r.isLength() ? d->protoResource(r.bytes())
                          : d->refuse("malformed protobuf: resource_metrics must be a message");
    }
    if (ok && r.failed())
        ok = d->refuse("malformed protobuf: the body is not an ExportMetricsServiceRequest");
    d->mapper.end();
    if (!ok) {
        batch.refuse(d->fatal, d->fatalTooLarge);
        return false;
    }
    return true;
}

bool OtlpMetricsDecoder::Impl::protoResource(std::string_view bytes)
{
    MetricPoint base;
    // The resource first: fields may come in any order.
    for (ProtoReader find(bytes); find.next();) {
        if (find.field() != field::kResource || !find.isLength())
            continue;
        if (!OtlpProtoTraceDecoder::serviceOfResource(find.bytes(), base.service))
            return refuse("malformed protobuf: a resource is not a Resource message");
        base.resourceIdentity = find.bytes();
    }
    if (!proto::validUtf8(base.service) || base.service.size() > limits.maxStringBytes)
        base.service = {};
    ProtoReader r(bytes);
    while (r.next()) {
        if (r.field() != field::kScopeMetrics || !r.isLength())
            continue;
        MetricPoint scoped = base;
        for (ProtoReader find(r.bytes()); find.next();) {
            if (find.field() == field::kScope && find.isLength())
                scoped.scope = find.bytes();
        }
        ProtoReader scope(r.bytes());
        while (scope.next()) {
            if (scope.field() != field::kMetrics)
                continue;
            if (!scope.isLength())
                return refuse("malformed protobuf: metrics must be Metric messages");
            MetricPoint metric = scoped;
            if (!protoMetric(scope.bytes(), metric))
                return false;
        }
        if (scope.failed())
            return refuse("malformed protobuf: a ScopeMetrics message is cut or damaged");
    }
    if (r.failed())
        return refuse("malformed protobuf: a ResourceMetrics message is cut or damaged");
    return true;
}

bool OtlpMetricsDecoder::Impl::protoMetric(std::string_view bytes, MetricPoint &base)
{
    std::string_view data;
    quint32 dataField = 0;
    ProtoReader r(bytes);
    while (r.next()) {
        if (!r.isLength())
            continue;
        switch (r.field()) {
        case field::kName:
            base.name = r.bytes();
            break;
        case field::kUnit:
            base.unit = r.bytes();
            break;
        case field::kGauge:
        case field::kSum:
        case field::kHistogram:
        case field::kExponentialHistogram:
        case field::kSummary:
            data = r.bytes();
            dataField = r.field();
            break;
        default:
            break;
        }
    }
    if (r.failed())
        return refuse("malformed protobuf: a Metric message is cut or damaged");
    if (!proto::validUtf8(base.name) || !proto::validUtf8(base.unit))
        return refuse("a metric name or unit is not valid UTF-8");
    switch (dataField) {
    case field::kGauge:
        base.type = MetricType::Gauge;
        break;
    case field::kSum:
        base.type = MetricType::Sum;
        break;
    case field::kHistogram:
        base.type = MetricType::Histogram;
        break;
    case field::kExponentialHistogram:
        base.type = MetricType::ExponentialHistogram;
        break;
    case field::kSummary:
        base.type = MetricType::Summary;
        break;
    default:
        return true; // a metric without data: nothing to read
    }
    for (ProtoReader find(data); find.next();) {
        if (find.field() == field::kTemporality && find.isVarint())
            base.cumulative = find.signedValue() == kTemporalityCumulative;
        else if (find.field() == field::kMonotonic && find.isVarint())
            base.monotonic = find.value() != 0;
    }
    ProtoReader points(data);
    while (points.next()) {
        if (points.field() != field::kDataPoints)
            continue;
        if (!points.isLength())
            return refuse("malformed protobuf: data_points must be messages");
        if (!nextPoint())
            return false;
        if (!protoPoint(points.bytes(), base))
            return false;
    }
    if (points.failed())
        return refuse("malformed protobuf: a metric's data is cut or damaged");
    return true;
}

bool OtlpMetricsDecoder::Impl::protoAttribute(std::string_view bytes, MetricPoint &p, std::size_t index)
{
    // The identity: every attribute's bytes, each with its length (exporters write a stream's
    // attributes the same way each time).
    const quint32 size = quint32(bytes.size());
    attributes.append(reinterpret_cast<const char *>(&size), sizeof size);
    attributes.append(bytes);
    std::string_view key;
    std::string_view value;
    bool hasValue = false;
    if (!proto::keyValue(bytes, key, value, hasValue)) {
        mapper.reject(index, "an attribute is not a KeyValue message");
        return false;
    }
    Attr id = AttrCount;
    if (!hasValue || !attributeFor(key, id))
        return true;
    AnyValue v;
    if (!proto::anyValue(value, v)) {
        mapper.reject(index, "an attribute value is not an AnyValue message");
        return false;
    }
    if (v.type == AnyValue::Type::String && !proto::validUtf8(v.text)) {
        mapper.reject(index, "an attribute value is not valid UTF-8");
        return false;
    }
    p.attrs[id] = v;
    return true;
}

bool OtlpMetricsDecoder::Impl::protoPoint(std::string_view bytes, MetricPoint p)
{
    const std::size_t index = points - 1;
    attributes.clear();
    bounds.clear();
    buckets.clear();
    quint32 attributesField = field::kNumberAttributes;
    quint32 flagsField = field::kNumberFlags;
    switch (p.type) {
    case MetricType::Histogram:
        attributesField = field::kHistogramAttributes;
        flagsField = field::kHistogramFlags;
        break;
    case MetricType::ExponentialHistogram:
        attributesField = field::kExpAttributes;
        flagsField = field::kExpFlags;
        break;
    case MetricType::Summary:
        attributesField = field::kSummaryAttributes;
        flagsField = field::kSummaryFlags;
        break;
    default:
        break;
    }
    const auto bad = [&](std::string_view what) {
        mapper.reject(index, what);
        return true; // the point is rejected, the request goes on
    };
    bool hasValue = false;
    ProtoReader r(bytes);
    while (r.next()) {
        const quint32 f = r.field();
        if (f == attributesField) {
            if (!r.isLength())
                return bad("attributes must be KeyValue messages");
            if (!protoAttribute(r.bytes(), p, index))
                return true;
        } else if (f == flagsField) {
            if (r.isVarint())
                p.noRecordedValue = (r.value() & 1) != 0;
        } else if (f == field::kStart) {
            if (!r.isFixed64())
                return bad("start_time_unix_nano must be fixed64");
            p.startNs = r.value();
        } else if (f == field::kTime) {
            if (!r.isFixed64())
                return bad("time_unix_nano must be fixed64");
            p.timeNs = r.value();
        } else if (p.type == MetricType::Gauge || p.type == MetricType::Sum) {
            if (f == field::kNumberDouble && r.isFixed64()) {
                p.value = r.doubleValue();
                hasValue = true;
            } else if (f == field::kNumberInt && r.isFixed64()) {
                p.value = double(qint64(r.value()));
                hasValue = true;
            }
        } else if (f == field::kCount) {
            if (!r.isFixed64())
                return bad("count must be fixed64");
            p.count = r.value();
        } else if (f == field::kSumValue) {
            if (!r.isFixed64())
                return bad("sum must be a double");
            p.sum = r.doubleValue();
            p.hasSum = true;
        } else if (p.type == MetricType::Histogram) {
            if (f == field::kHistogramBuckets) {
                const bool ok = r.isLength() ? appendPackedFixed64(r.bytes(), buckets)
                                             : (r.isFixed64() ? (buckets.push_back(r.value()), true) : false);
                if (!ok)
                    return bad("bucket_counts must be fixed64 values");
            } else if (f == field::kHistogramBounds) {
                const bool ok = r.isLength() ? appendPackedFixed64(r.bytes(), bounds)
                                             : (r.isFixed64() ? (bounds.push_back(r.doubleValue()), true) : false);
                if (!ok)
                    return bad("explicit_bounds must be double values");
            } else if (f == field::kHistogramMin && r.isFixed64()) {
                p.min = r.doubleValue();
                p.hasMin = true;
            } else if (f == field::kHistogramMax && r.isFixed64()) {
                p.max = r.doubleValue();
                p.hasMax = true;
            }
        } else if (p.type == MetricType::ExponentialHistogram) {
            if (f == field::kExpScale && r.isVarint()) {
                p.scale = qint32(zigzagDecode(r.value()));
            } else if (f == field::kExpZeroCount && r.isFixed64()) {
                p.zeroCount = r.value();
            } else if (f == field::kExpPositive && r.isLength()) {
                ProtoReader b(r.bytes());
                while (b.next()) {
                    if (b.field() == field::kBucketsOffset && b.isVarint())
                        p.offset = qint32(zigzagDecode(b.value()));
                    else if (b.field() == field::kBucketsCounts && b.isLength()) {
                        if (!appendPackedVarints(b.bytes(), buckets))
                            return bad("positive.bucket_counts are cut");
                    } else if (b.field() == field::kBucketsCounts && b.isVarint()) {
                        buckets.push_back(b.value());
                    }
                }
                if (b.failed())
                    return bad("positive buckets are cut or damaged");
                if (buckets.size() > 16384)
                    return bad("more than 16384 exponential buckets");
            } else if (f == field::kExpMin && r.isFixed64()) {
                p.min = r.doubleValue();
                p.hasMin = true;
            } else if (f == field::kExpMax && r.isFixed64()) {
                p.max = r.doubleValue();
                p.hasMax = true;
            }
        }
    }
    if (r.failed())
        return bad("malformed protobuf: the data point is cut or damaged");
    if ((p.type == MetricType::Gauge || p.type == MetricType::Sum) && !hasValue && !p.noRecordedValue)
        return bad("the data point has no value (as_double or as_int)");
    p.attributesIdentity = attributes;
    p.bounds = bounds;
    if (p.type == MetricType::ExponentialHistogram)
        p.positive = buckets;
    else
        p.buckets = buckets;
    if (p.bounds.size() > 4096)
        return bad("more than 4096 explicit bounds");
    mapper.map(p, index);
    return true;
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {

/// An array of counts (strings of digits or numbers) into `out`; false when one is not a count.
bool jsonCounts(dom::element e, std::vector<quint64> &out)
{
    dom::array array;
    if (e.get_array().get(array) != simdjson::SUCCESS)
        return false;
    for (const dom::element v : array) {
        quint64 n = 0;
        if (!json::unsignedValue(v, n))
            return false;
        out.push_back(n);
    }
    return true;
}

} // namespace

bool OtlpMetricsDecoder::decodeJson(std::string_view body, qint64 nowMs, DecodedBatch &batch)
{
    batch.clear();
    d->points = 0;
    d->fatal.clear();
    d->fatalTooLarge = false;
    dom::element root;
    if (const auto e = d->parser.parse(body.data(), body.size(), true).get(root); e != simdjson::SUCCESS) {
        batch.refuse(e == simdjson::EMPTY ? std::string("the body is empty")
                                          : std::string("malformed JSON: ") + simdjson::error_message(e));
        return false;
    }
    dom::object request;
    if (root.get_object().get(request) != simdjson::SUCCESS) {
        batch.refuse("the body must be a JSON ExportMetricsServiceRequest object");
        return false;
    }
    d->mapper.begin(batch, nowMs);
    bool ok = true;
    dom::array resources;
    if (request.at_key("resourceMetrics").get_array().get(resources) == simdjson::SUCCESS) {
        for (const dom::element resource : resources) {
            if (!(ok = d->jsonResource(resource)))
                break;
        }
    }
    d->mapper.end();
    if (!ok) {
        batch.refuse(d->fatal, d->fatalTooLarge);
        return false;
    }
    return true;
}

bool OtlpMetricsDecoder::Impl::jsonResource(dom::element resource)
{
    MetricPoint base;
    dom::element attributesOfResource;
    if (resource.at_key("resource").at_key("attributes").get(attributesOfResource) == simdjson::SUCCESS) {
        dom::array list;
        if (attributesOfResource.get_array().get(list) == simdjson::SUCCESS) {
            for (const dom::element a : list) {
                std::string_view key;
                dom::element value;
                if (a.at_key("key").get_string().get(key) == simdjson::SUCCESS && key == "service.name"
                    && a.at_key("value").get(value) == simdjson::SUCCESS)
                    base.service = json::anyValue(value).string();
            }
        }
        resourceIdentity = simdjson::minify(attributesOfResource);
        base.resourceIdentity = resourceIdentity;
    }
    if (base.service.size() > limits.maxStringBytes)
        base.service = {};
    dom::array scopes;
    if (resource.at_key("scopeMetrics").get_array().get(scopes) != simdjson::SUCCESS)
        return true;
    for (const dom::element scope : scopes) {
        MetricPoint scoped = base;
        std::string_view scopeName;
        if (scope.at_key("scope").at_key("name").get_string().get(scopeName) == simdjson::SUCCESS)
            scoped.scope = scopeName;
        dom::array metrics;
        if (scope.at_key("metrics").get_array().get(metrics) != simdjson::SUCCESS)
            continue;
        for (const dom::element m : metrics) {
            dom::object metric;
            if (m.get_object().get(metric) != simdjson::SUCCESS)
                return refuse("a metric must be a JSON object");
            MetricPoint point = scoped;
            if (!jsonMetric(metric, point))
                return false;
        }
    }
    return true;
}

bool OtlpMetricsDecoder::Impl::jsonMetric(dom::object metric, MetricPoint &base)
{
    std::string_view name;
    std::string_view unit;
    if (metric.at_key("name").get_string().get(name) == simdjson::SUCCESS)
        base.name = name;
    if (metric.at_key("unit").get_string().get(unit) == simdjson::SUCCESS)
        base.unit = unit;
    dom::object data;
    constexpr std::pair<std::string_view, MetricType> kTypes[] = {
        { "gauge", MetricType::Gauge },
        { "sum", MetricType::Sum },
        { "histogram", MetricType::Histogram },
        { "exponentialHistogram", MetricType::ExponentialHistogram },
        { "summary", MetricType::Summary },
    };
    bool found = false;
    for (const auto &[key, type] : kTypes) {
        if (metric.at_key(key).get_object().get(data) == simdjson::SUCCESS) {
            base.type = type;
            found = true;
            break;
        }
    }
    if (!found)
        return true;
    dom::element temporality;
    qint64 t = 0;
    if (data.at_key("aggregationTemporality").get(temporality) == simdjson::SUCCESS
        && json::enumValue(temporality,
            { "AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA",
                "AGGREGATION_TEMPORALITY_CUMULATIVE" },
            t))
        base.cumulative = t == kTemporalityCumulative;
    bool monotonic = false;
    if (data.at_key("isMonotonic").get_bool().get(monotonic) == simdjson::SUCCESS)
        base.monotonic = monotonic;
    dom::array points;
    if (data.at_key("dataPoints").get_array().get(points) != simdjson::SUCCESS)
        return true;
    for (const dom::element e : points) {
        if (!nextPoint())
            return false;
        dom::object point;
        if (e.get_object().get(point) != simdjson::SUCCESS) {
            mapper.reject(this->points - 1, "a data point must be a JSON object");
            continue;
        }
        jsonPoint(point, base);
    }
    return true;
}

void OtlpMetricsDecoder::Impl::jsonPoint(dom::object point, MetricPoint p)
{
    const std::size_t index = points - 1;
    bounds.clear();
    buckets.clear();
    attributes.clear();
    dom::element e;
    if (point.at_key("attributes").get(e) == simdjson::SUCCESS) {
        attributes = simdjson::minify(e);
        dom::array list;
        if (e.get_array().get(list) == simdjson::SUCCESS) {
            for (const dom::element a : list) {
                std::string_view key;
                Attr id = AttrCount;
                dom::element value; // an attribute without a value (fuzz_otlpmetrics) has none
                if (a.at_key("key").get_string().get(key) == simdjson::SUCCESS && attributeFor(key, id)
                    && a.at_key("value").get(value) == simdjson::SUCCESS)
                    p.attrs[id] = json::anyValue(value);
            }
        }
    }
    p.attributesIdentity = attributes;
    if (point.at_key("startTimeUnixNano").get(e) == simdjson::SUCCESS && !json::unixNanos(e, p.startNs))
        return mapper.reject(index, "\"startTimeUnixNano\" must be Unix nanoseconds");
    if (point.at_key("timeUnixNano").get(e) == simdjson::SUCCESS && !json::unixNanos(e, p.timeNs))
        return mapper.reject(index, "\"timeUnixNano\" must be Unix nanoseconds");
    quint64 flags = 0;
    if (point.at_key("flags").get(e) == simdjson::SUCCESS && json::unsignedValue(e, flags))
        p.noRecordedValue = (flags & 1) != 0;
    if (p.type == MetricType::Gauge || p.type == MetricType::Sum) {
        bool hasValue = false;
        if (point.at_key("asDouble").get(e) == simdjson::SUCCESS) {
            if (!json::doubleValue(e, p.value))
                return mapper.reject(index, "\"asDouble\" must be a finite number");
            hasValue = true;
        } else if (point.at_key("asInt").get(e) == simdjson::SUCCESS) {
            const AnyValue wrapped = [&] {
                AnyValue v;
                int64_t i = 0;
                std::string_view s;
                if (e.get_int64().get(i) == simdjson::SUCCESS) {
                    v.type = AnyValue::Type::Int;
                    v.integer = i;
                } else if (e.get_string().get(s) == simdjson::SUCCESS) {
                    v.type = AnyValue::Type::String;
                    v.text = s;
                }
                return v;
            }();
            qint64 i = 0;
            if (!wrapped.toInt(i))
                return mapper.reject(index, "\"asInt\" must be an integer");
            p.value = double(i);
            hasValue = true;
        }
        if (!hasValue && !p.noRecordedValue)
            return mapper.reject(index, "the data point has no value (\"asDouble\" or \"asInt\")");
    } else {
        if (point.at_key("count").get(e) == simdjson::SUCCESS && !json::unsignedValue(e, p.count))
            return mapper.reject(index, "\"count\" must be a whole number >= 0");
        if (point.at_key("sum").get(e) == simdjson::SUCCESS) {
            if (!json::doubleValue(e, p.sum))
                return mapper.reject(index, "\"sum\" must be a finite number");
            p.hasSum = true;
        }
        if (point.at_key("min").get(e) == simdjson::SUCCESS && json::doubleValue(e, p.min))
            p.hasMin = true;
        if (point.at_key("max").get(e) == simdjson::SUCCESS && json::doubleValue(e, p.max))
            p.hasMax = true;
        if (p.type == MetricType::Histogram) {
            if (point.at_key("bucketCounts").get(e) == simdjson::SUCCESS && !jsonCounts(e, buckets))
                return mapper.reject(index, "\"bucketCounts\" must be whole numbers");
            dom::array list;
            if (point.at_key("explicitBounds").get_array().get(list) == simdjson::SUCCESS) {
                for (const dom::element b : list) {
                    double v = 0;
                    if (!json::doubleValue(b, v))
                        return mapper.reject(index, "\"explicitBounds\" must be finite numbers");
                    bounds.push_back(v);
                }
            }
            if (bounds.size() > 4096)
                return mapper.reject(index, "more than 4096 explicit bounds");
            p.bounds = bounds;
            p.buckets = buckets;
        } else if (p.type == MetricType::ExponentialHistogram) {
            int64_t scale = 0;
            if (point.at_key("scale").get_int64().get(scale) == simdjson::SUCCESS)
                p.scale = qint32(std::clamp<int64_t>(scale, -100, 100));
            if (point.at_key("zeroCount").get(e) == simdjson::SUCCESS && !json::unsignedValue(e, p.zeroCount))
                return mapper.reject(index, "\"zeroCount\" must be a whole number");
            dom::object positive;
            if (point.at_key("positive").get_object().get(positive) == simdjson::SUCCESS) {
                int64_t offset = 0;
                if (positive.at_key("offset").get_int64().get(offset) == simdjson::SUCCESS)
                    p.offset = qint32(std::clamp<int64_t>(offset, INT32_MIN, INT32_MAX));
                if (positive.at_key("bucketCounts").get(e) == simdjson::SUCCESS && !jsonCounts(e, buckets))
                    return mapper.reject(index, "\"positive.bucketCounts\" must be whole numbers");
                if (buckets.size() > 16384)
                    return mapper.reject(index, "more than 16384 exponential buckets");
            }
            p.positive = buckets;
        }
    }
    mapper.map(p, index);
}

} // namespace perfwatch
