#include "otlpprototracedecoder.h"

#include "otlpspanmapping.h"
#include "otlpvalues.h"
#include "protowire.h"

#include <simdjson.h>
#include <string>

namespace perfwatch {

namespace {

using namespace otlp;
using otlp::proto::anyValue;
using otlp::proto::keyValue;
using otlp::proto::validUtf8;

// Field numbers (opentelemetry-proto).
namespace field {
constexpr quint32 kResourceSpans = 1; // ExportTraceServiceRequest
constexpr quint32 kResource = 1; // ResourceSpans
constexpr quint32 kScopeSpans = 2;
constexpr quint32 kResourceAttributes = 1; // Resource
constexpr quint32 kSpans = 2; // ScopeSpans
constexpr quint32 kScope = 1; // ScopeSpans
constexpr quint32 kScopeName = 1; // InstrumentationScope
constexpr quint32 kTraceId = 1; // Span
constexpr quint32 kSpanId = 2;
constexpr quint32 kParentSpanId = 4;
constexpr quint32 kName = 5;
constexpr quint32 kKind = 6;
constexpr quint32 kStart = 7;
constexpr quint32 kEnd = 8;
constexpr quint32 kAttributes = 9;
constexpr quint32 kStatus = 15;
constexpr quint32 kStatusCode = 3; // Status
constexpr quint32 kKey = 1; // KeyValue
constexpr quint32 kValue = 2;
constexpr quint32 kStringValue = 1; // AnyValue
constexpr quint32 kBoolValue = 2;
constexpr quint32 kIntValue = 3;
constexpr quint32 kDoubleValue = 4;
} // namespace field

} // namespace

struct OtlpProtoTraceDecoder::Impl
{
    explicit Impl(const NativeDecoderLimits &l)
        : limits(l)
        , mapper(l)
    { }

    const NativeDecoderLimits &limits;
    SpanMapper mapper;
    std::size_t spanIndex = 0;
    std::string fatal;
    bool fatalTooLarge = false;

    bool decodeResourceSpans(std::string_view bytes);
    void decodeSpan(std::string_view bytes, std::size_t index, std::string_view scope);
    bool refuse(std::string_view text, bool tooLarge = false)
    {
        if (fatal.empty())
            fatal.assign(text);
        fatalTooLarge = tooLarge;
        return false;
    }
};

OtlpProtoTraceDecoder::OtlpProtoTraceDecoder(NativeDecoderLimits limits)
    : m_limits(limits)
    , d(std::make_unique<Impl>(m_limits))
{ }

OtlpProtoTraceDecoder::~OtlpProtoTraceDecoder() = default;

std::size_t OtlpProtoTraceDecoder::spanCount() const
{
    return d->spanIndex;
}

std::size_t OtlpProtoTraceDecoder::foldedCount() const
{
    return d->mapper.folded();
}

bool OtlpProtoTraceDecoder::decode(std::string_view body, qint64 nowMs, DecodedBatch &batch)
{
    batch.clear();
    d->mapper.begin(batch, nowMs);
    d->spanIndex = 0;
    d->fatal.clear();
    d->fatalTooLarge = false;

    ProtoReader r(body);
    bool ok = true;
    while (ok && r.next()) {
        if (r.field() != field::kResourceSpans)
            continue; // unknown fields are skipped, as protobuf requires
        if (!r.isLength())
            ok = d->refuse("malformed protobuf: resource_spans must be a message");
        else
            ok = d->decodeResourceSpans(r.bytes());
    }
    if (ok && r.failed())
        ok = d->refuse("malformed protobuf: the body is not an ExportTraceServiceRequest");
    if (!ok) {
        batch.refuse(d->fatal, d->fatalTooLarge);
        return false;
    }
    return true;
}

bool OtlpProtoTraceDecoder::Impl::decodeResourceSpans(std::string_view bytes)
{
    std::string_view service;
    mapper.beginResource();
    ProtoReader r(bytes);
    while (r.next()) {
        if (r.field() == field::kResource && r.isLength()) {
            if (!serviceOfResource(r.bytes(), service))
                return refuse("malformed protobuf: a resource is not a Resource message");
        } else if (r.field() == field::kScopeSpans && r.isLength()) {
            // The scope's name first: fields may come in any order.
            std::string_view scopeName;
            for (ProtoReader find(r.bytes()); find.next();) {
                if (find.field() != field::kScope || !find.isLength())
                    continue;
                for (ProtoReader info(find.bytes()); info.next();) {
                    if (info.field() == field::kScopeName && info.isLength())
                        scopeName = info.bytes();
                }
            }
            ProtoReader scope(r.bytes());
            while (scope.next()) {
                if (scope.field() != field::kSpans)
                    continue;
                if (!scope.isLength())
                    return refuse("malformed protobuf: spans must be messages");
                if (spanIndex == limits.maxEvents)
                    return refuse("the request holds more than " + std::to_string(limits.maxEvents)
                            + " spans; send at most " + std::to_string(limits.maxEvents) + " per request",
                        true);
                decodeSpan(scope.bytes(), spanIndex, scopeName);
                ++spanIndex;
            }
            if (scope.failed())
                return refuse("malformed protobuf: a ScopeSpans message is cut or damaged");
        }
    }
    if (r.failed())
        return refuse("malformed protobuf: a ResourceSpans message is cut or damaged");
    if (!validUtf8(service))
        service = {};
    mapper.endResource(service);
    return true;
}

bool OtlpProtoTraceDecoder::serviceOfResource(std::string_view resource, std::string_view &service)
{
    ProtoReader r(resource);
    while (r.next()) {
        if (r.field() != field::kResourceAttributes || !r.isLength())
            continue;
        std::string_view key;
        std::string_view value;
        bool hasValue = false;
        if (!keyValue(r.bytes(), key, value, hasValue))
            return false;
        if (key != "service.name" || !hasValue)
            continue;
        AnyValue v;
        if (!anyValue(value, v))
            return false;
        service = v.string();
    }
    return !r.failed();
}

void OtlpProtoTraceDecoder::Impl::decodeSpan(std::string_view bytes, std::size_t index, std::string_view scope)
{
    Span span;
    span.scope = scope;
    std::string_view traceId;
    ProtoReader r(bytes);
    while (r.next()) {
        switch (r.field()) {
        case field::kTraceId:
            if (!r.isLength())
                return mapper.reject(index, "trace_id must be bytes");
            traceId = r.bytes();
            break;
        case field::kSpanId:
            if (r.isLength())
                span.spanId = r.bytes(); // only compared with parent ids
            break;
        case field::kParentSpanId:
            if (r.isLength())
                span.parentSpanId = r.bytes();
            break;
        case field::kName:
            if (!r.isLength())
                return mapper.reject(index, "name must be a string");
            span.name = r.bytes();
            break;
        case field::kKind:
            if (!r.isVarint())
                return mapper.reject(index, "kind must be a SpanKind number");
            span.kind = r.signedValue();
            break;
        case field::kStart:
            if (!r.isFixed64())
                return mapper.reject(index, "start_time_unix_nano must be fixed64");
            span.startNs = r.value();
            span.hasStart = true;
            break;
        case field::kEnd:
            if (!r.isFixed64())
                return mapper.reject(index, "end_time_unix_nano must be fixed64");
            span.endNs = r.value();
            span.hasEnd = true;
            break;
        case field::kStatus: {
            if (!r.isLength())
                return mapper.reject(index, "status must be a Status message");
            ProtoReader status(r.bytes());
            while (status.next()) {
                if (status.field() == field::kStatusCode && status.isVarint())
                    span.statusError = status.signedValue() == kStatusError;
            }
            if (status.failed())
                return mapper.reject(index, "status is not a Status message");
            break;
        }
        case field::kAttributes: {
            if (!r.isLength())
                return mapper.reject(index, "attributes must be KeyValue messages");
            std::string_view key;
            std::string_view value;
            bool hasValue = false;
            if (!keyValue(r.bytes(), key, value, hasValue))
                return mapper.reject(index, "an attribute is not a KeyValue message");
            Attr id = AttrCount;
            if (!hasValue || !attributeFor(key, id))
                break;
            AnyValue v;
            if (!anyValue(value, v))
                return mapper.reject(index, "an attribute value is not an AnyValue message");
            if (v.type == AnyValue::Type::String && !validUtf8(v.text))
                return mapper.reject(index, "an attribute value is not valid UTF-8");
            span.attrs[id] = v;
            break;
        }
        default:
            break; // span_id, parent, events, links, flags...: not used
        }
    }
    if (r.failed())
        return mapper.reject(index, "malformed protobuf: the span is cut or damaged");
    if (!validUtf8(span.name))
        return mapper.reject(index, "name is not valid UTF-8");
    // OTLP/JSON carries ids as hex; the same text here keeps request ids equal across encodings.
    if (!traceId.empty() && traceId.size() <= 64)
        span.traceId = mapper.hex(traceId);
    if (span.startNs == 0)
        return mapper.reject(index, "start_time_unix_nano is required");
    if (span.endNs == 0)
        return mapper.reject(index, "end_time_unix_nano is required");
    if (span.endNs < span.startNs)
        return mapper.reject(index, "end_time_unix_nano is before start_time_unix_nano");
    mapper.map(span, index);
}

} // namespace perfwatch
