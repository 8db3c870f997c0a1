#include "otlptracedecoder.h"

#include "otlpvalues.h"

#include "otlpspanmapping.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <simdjson.h>
#include <string>
#include <vector>

namespace perfwatch {

namespace {

namespace dom = simdjson::dom;
using simdjson::error_code;
using namespace otlp;
using otlp::json::anyValue;
using otlp::json::enumValue;
using otlp::json::unixNanos;

} // namespace

struct OtlpTraceDecoder::Impl
{
    explicit Impl(const NativeDecoderLimits &l)
        : limits(l)
        , mapper(l)
    { }

    const NativeDecoderLimits &limits;
    dom::parser parser;
    bool allocated = false;

    DecodedBatch *batch = nullptr;
    qint64 nowMs = 0;
    std::size_t spanIndex = 0;
    std::string fatal;
    bool fatalTooLarge = false;
    SpanMapper mapper;
    std::string_view scopeName; ///< name of the instrumentation scope whose spans are being decoded

    bool decodeRequest(dom::element root);
    bool decodeResourceSpans(dom::element element);
    bool decodeSpans(dom::element spans);
    void decodeSpan(dom::element element);
    bool refuse(std::string_view text, bool tooLarge = false)
    {
        if (fatal.empty())
            fatal.assign(text);
        fatalTooLarge = tooLarge;
        return false;
    }
    void reject(std::size_t index, std::string_view what) { mapper.reject(index, what); }
};

OtlpTraceDecoder::OtlpTraceDecoder(NativeDecoderLimits limits)
    : m_limits(limits)
    , d(std::make_unique<Impl>(m_limits))
{ }

OtlpTraceDecoder::~OtlpTraceDecoder() = default;

std::size_t OtlpTraceDecoder::spanCount() const
{
    return d->spanIndex;
}

std::size_t OtlpTraceDecoder::foldedCount() const
{
    return d->mapper.folded();
}

bool OtlpTraceDecoder::decode(std::string_view body, qint64 nowMs, DecodedBatch &batch)
{
    batch.clear();
    d->batch = &batch;
    d->nowMs = nowMs;
    d->spanIndex = 0;
    d->fatal.clear();
    d->fatalTooLarge = false;
    d->mapper.begin(batch, nowMs);

    if (!d->allocated) {
        if (d->parser.allocate(std::max<std::size_t>(body.size(), 64 * 1024), std::size_t(m_limits.maxDepth))
            != simdjson::SUCCESS) {
            batch.refuse("the body is too large to decode", true);
            return false;
        }
        d->allocated = true;
    }
    dom::element root;
    const error_code e = d->parser.parse(body.data(), body.size(), true).get(root);
    if (e != simdjson::SUCCESS) {
        std::string reason;
        switch (e) {
        case simdjson::EMPTY:
            reason = "the body is empty";
            break;
        case simdjson::UTF8_ERROR:
            reason = "the body is not valid UTF-8";
            break;
        case simdjson::DEPTH_ERROR:
            reason = "the JSON nests deeper than " + std::to_string(m_limits.maxDepth) + " levels";
            break;
        case simdjson::CAPACITY:
        case simdjson::MEMALLOC:
            reason = "the body is too large to decode";
            break;
        default:
            reason = std::string("malformed JSON: ") + simdjson::error_message(e);
            break;
        }
        batch.refuse(reason, e == simdjson::CAPACITY);
        return false;
    }
    if (!d->decodeRequest(root)) {
        batch.refuse(d->fatal, d->fatalTooLarge);
        return false;
    }
    return true;
}

bool OtlpTraceDecoder::Impl::decodeRequest(dom::element root)
{
    dom::object request;
    if (root.get_object().get(request) != simdjson::SUCCESS)
        return refuse("the body must be a JSON ExportTraceServiceRequest object");
    dom::element resourceSpans;
    if (request.at_key("resourceSpans").get(resourceSpans) != simdjson::SUCCESS || resourceSpans.is_null())
        return true; // an empty export is valid: nothing to store
    dom::array array;
    if (resourceSpans.get_array().get(array) != simdjson::SUCCESS)
        return refuse("\"resourceSpans\" must be an array");
    for (const dom::element item : array) {
        if (!decodeResourceSpans(item))
            return false;
    }
    return true;
}

bool OtlpTraceDecoder::Impl::decodeResourceSpans(dom::element element)
{
    dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS)
        return refuse("every item of \"resourceSpans\" must be an object");

    std::string_view service;
    dom::object resource;
    dom::array resourceAttributes;
    if (object.at_key("resource").get_object().get(resource) == simdjson::SUCCESS
        && resource.at_key("attributes").get_array().get(resourceAttributes) == simdjson::SUCCESS) {
        for (const dom::element attribute : resourceAttributes) {
            std::string_view key;
            if (attribute.at_key("key").get_string().get(key) != simdjson::SUCCESS || key != "service.name")
                continue;
            dom::element value;
            if (attribute.at_key("value").get(value) == simdjson::SUCCESS)
                service = anyValue(value).string();
        }
    }
    mapper.beginResource();
    // "scopeSpans" since OTLP 0.15; "instrumentationLibrarySpans" before.
    for (const char *scopeKey : { "scopeSpans", "instrumentationLibrarySpans" }) {
        dom::element scopes;
        if (object.at_key(scopeKey).get(scopes) != simdjson::SUCCESS || scopes.is_null())
            continue;
        dom::array scopeArray;
        if (scopes.get_array().get(scopeArray) != simdjson::SUCCESS)
            return refuse(std::string("\"") + scopeKey + "\" must be an array");
        for (const dom::element scope : scopeArray) {
            dom::object scopeObject;
            if (scope.get_object().get(scopeObject) != simdjson::SUCCESS)
                return refuse(std::string("every item of \"") + scopeKey + "\" must be an object");
            dom::element spans;
            if (scopeObject.at_key("spans").get(spans) != simdjson::SUCCESS || spans.is_null())
                continue;
            scopeName = {};
            dom::object scopeInfo;
            // "scope" since OTLP 0.15; "instrumentationLibrary" before.
            if (scopeObject.at_key("scope").get_object().get(scopeInfo) == simdjson::SUCCESS
                || scopeObject.at_key("instrumentationLibrary").get_object().get(scopeInfo) == simdjson::SUCCESS)
                if (scopeInfo.at_key("name").get_string().get(scopeName) != simdjson::SUCCESS)
                    scopeName = {};
            if (!decodeSpans(spans))
                return false;
        }
    }

    mapper.endResource(service); // known only now: a resource may follow its spans
    return true;
}

bool OtlpTraceDecoder::Impl::decodeSpans(dom::element spans)
{
    dom::array array;
    if (spans.get_array().get(array) != simdjson::SUCCESS)
        return refuse("\"spans\" must be an array");
    for (const dom::element span : array) {
        if (spanIndex == limits.maxEvents)
            return refuse("the request holds more than " + std::to_string(limits.maxEvents) + " spans; send at most "
                    + std::to_string(limits.maxEvents) + " per request",
                true);
        decodeSpan(span);
        ++spanIndex;
    }
    return true;
}

void OtlpTraceDecoder::Impl::decodeSpan(dom::element element)
{
    const std::size_t index = spanIndex;
    dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS)
        return reject(index, "must be a JSON object");

    Span span;
    for (const auto field : object) {
        const std::string_view key = field.key;
        const dom::element value = field.value;
        if (key == "traceId") {
            if (value.get_string().get(span.traceId) != simdjson::SUCCESS)
                return reject(index, "\"traceId\" must be a string");
        } else if (key == "spanId") {
            if (value.get_string().get(span.spanId) != simdjson::SUCCESS) // only compared with parentSpanId
                span.spanId = {};
        } else if (key == "parentSpanId") {
            if (value.get_string().get(span.parentSpanId) != simdjson::SUCCESS)
                span.parentSpanId = {};
        } else if (key == "name") {
            if (value.get_string().get(span.name) != simdjson::SUCCESS)
                return reject(index, "\"name\" must be a string");
        } else if (key == "kind") {
            if (!enumValue(value,
                    { "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                        "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER" },
                    span.kind))
                return reject(index, "\"kind\" must be a SpanKind number or name");
        } else if (key == "startTimeUnixNano") {
            if (!unixNanos(value, span.startNs))
                return reject(index, "\"startTimeUnixNano\" must be Unix nanoseconds (a string or a number)");
            span.hasStart = true;
        } else if (key == "endTimeUnixNano") {
            if (!unixNanos(value, span.endNs))
                return reject(index, "\"endTimeUnixNano\" must be Unix nanoseconds (a string or a number)");
            span.hasEnd = true;
        } else if (key == "status") {
            dom::element code;
            qint64 statusCode = 0;
            if (value.get_object().at_key("code").get(code) == simdjson::SUCCESS
                && enumValue(code, { "STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR" }, statusCode))
                span.statusError = statusCode == kStatusError;
        } else if (key == "attributes") {
            dom::array attributes;
            if (value.get_array().get(attributes) != simdjson::SUCCESS)
                continue; // null or malformed: no attributes
            for (const dom::element attribute : attributes) {
                std::string_view name;
                Attr id = AttrCount;
                if (attribute.at_key("key").get_string().get(name) != simdjson::SUCCESS || !attributeFor(name, id))
                    continue;
                dom::element v;
                if (attribute.at_key("value").get(v) == simdjson::SUCCESS)
                    span.attrs[id] = anyValue(v);
            }
        }
    }
    span.scope = scopeName;
    if (!span.hasStart)
        return reject(index, "\"startTimeUnixNano\" is required");
    if (!span.hasEnd)
        return reject(index, "\"endTimeUnixNano\" is required");
    if (span.endNs < span.startNs)
        return reject(index, "\"endTimeUnixNano\" is before \"startTimeUnixNano\"");
    mapper.map(span, index);
}

} // namespace perfwatch
