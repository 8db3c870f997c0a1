#include "otlptracedecoder.h"

#include "routenormalizer.h"

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

// OTLP SpanKind and StatusCode values (opentelemetry/proto/trace/v1/trace.proto).
constexpr qint64 kKindUnspecified = 0;
constexpr qint64 kKindInternal = 1;
constexpr qint64 kKindServer = 2;
constexpr qint64 kKindClient = 3;
constexpr qint64 kStatusError = 2;

/// An attribute value (AnyValue) reduced to what the mapping reads.
struct AnyValue
{
    enum class Type : quint8
    {
        None,
        String,
        Int,
        Double,
        Bool,
        Other, ///< array, kvlist, bytes: present but not used
    };
    Type type = Type::None;
    std::string_view text;
    qint64 integer = 0;
    double number = 0;
    bool flag = false;

    bool present() const { return type != Type::None; }
    /// The value as text when it is a non-empty string.
    std::string_view string() const { return type == Type::String ? text : std::string_view(); }
    /// The value as an integer: intValue (string or number), a whole doubleValue or a numeric string.
    bool toInt(qint64 &out) const
    {
        switch (type) {
        case Type::Int:
            out = integer;
            return true;
        case Type::Double:
            if (!std::isfinite(number) || number != std::floor(number) || std::fabs(number) > 9.0e15)
                return false;
            out = qint64(number);
            return true;
        case Type::String: {
            const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
            return r.ec == std::errc() && r.ptr == text.data() + text.size();
        }
        default:
            return false;
        }
    }
};

/// The span attributes the mapping reads, old and stable names side by side.
enum Attr : quint8
{
    HttpRequestMethod, ///< http.request.method (stable)
    HttpMethod, ///< http.method (old)
    HttpRoute,
    UrlPath,
    HttpTarget,
    HttpUrl,
    UrlFull,
    HttpResponseStatusCode,
    HttpStatusCode,
    DbSystem,
    DbSystemName,
    DbOperationName,
    DbOperation,
    DbQueryText,
    DbStatement,
    DbCollectionName,
    DbMongodbCollection,
    DbSqlTable,
    AttrCount
};

constexpr std::pair<std::string_view, Attr> kAttributeNames[] = {
    { "http.request.method", HttpRequestMethod },
    { "http.method", HttpMethod },
    { "http.route", HttpRoute },
    { "url.path", UrlPath },
    { "http.target", HttpTarget },
    { "http.url", HttpUrl },
    { "url.full", UrlFull },
    { "http.response.status_code", HttpResponseStatusCode },
    { "http.status_code", HttpStatusCode },
    { "db.system", DbSystem },
    { "db.system.name", DbSystemName },
    { "db.operation.name", DbOperationName },
    { "db.operation", DbOperation },
    { "db.query.text", DbQueryText },
    { "db.statement", DbStatement },
    { "db.collection.name", DbCollectionName },
    { "db.mongodb.collection", DbMongodbCollection },
    { "db.sql.table", DbSqlTable },
};

bool attributeFor(std::string_view key, Attr &attr)
{
    for (const auto &[name, id] : kAttributeNames) {
        if (name == key) {
            attr = id;
            return true;
        }
    }
    return false;
}

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// The n-th (0-based) whitespace-separated word of `text`; empty when there is none.
std::string_view word(std::string_view text, int n)
{
    std::size_t pos = 0;
    for (int i = 0;; ++i) {
        while (pos < text.size() && isSpace(text[pos]))
            ++pos;
        std::size_t end = pos;
        while (end < text.size() && !isSpace(text[end]))
            ++end;
        if (pos == end)
            return {};
        if (i == n)
            return text.substr(pos, end - pos);
        pos = end;
    }
}

/// The path of an absolute URL ("https://h:8080/a?b" -> "/a?b"); a relative one unchanged.
std::string_view pathOfUrl(std::string_view url)
{
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return url;
    const std::size_t slash = url.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
}

/// Parses a Unix-nanosecond time: a string of digits (the JSON mapping of fixed64) or a number.
bool unixNanos(dom::element e, quint64 &out)
{
    switch (e.type()) {
    case dom::element_type::STRING: {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS || s.empty())
            return false;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    case dom::element_type::UINT64:
    case dom::element_type::INT64: {
        int64_t signedValue = 0;
        if (e.get_int64().get(signedValue) == simdjson::SUCCESS) {
            if (signedValue < 0)
                return false;
            out = quint64(signedValue);
            return true;
        }
        uint64_t value = 0;
        if (e.get_uint64().get(value) != simdjson::SUCCESS)
            return false;
        out = value;
        return true;
    }
    case dom::element_type::DOUBLE: {
        double value = 0;
        if (e.get_double().get(value) != simdjson::SUCCESS || !std::isfinite(value) || value < 0 || value >= 1.8e19)
            return false;
        out = quint64(value);
        return true;
    }
    default:
        return false;
    }
}

/// An enum field: a number or the enum value's name (the JSON mapping allows both).
bool enumValue(dom::element e, std::initializer_list<std::string_view> names, qint64 &out)
{
    if (e.type() == dom::element_type::STRING) {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS)
            return false;
        qint64 i = 0;
        for (std::string_view name : names) {
            if (name == s) {
                out = i;
                return true;
            }
            ++i;
        }
        return false;
    }
    int64_t value = 0;
    if (e.get_int64().get(value) != simdjson::SUCCESS)
        return false;
    out = value;
    return true;
}

AnyValue anyValue(dom::element e)
{
    AnyValue v;
    dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS)
        return v;
    for (const auto field : object) {
        const std::string_view key = field.key;
        const dom::element value = field.value;
        if (key == "stringValue") {
            if (value.get_string().get(v.text) == simdjson::SUCCESS)
                v.type = AnyValue::Type::String;
        } else if (key == "intValue") {
            int64_t i = 0;
            std::string_view s;
            if (value.get_int64().get(i) == simdjson::SUCCESS) {
                v.integer = i;
                v.type = AnyValue::Type::Int;
            } else if (value.get_string().get(s) == simdjson::SUCCESS) {
                const auto r = std::from_chars(s.data(), s.data() + s.size(), v.integer);
                if (r.ec == std::errc() && r.ptr == s.data() + s.size())
                    v.type = AnyValue::Type::Int;
            }
        } else if (key == "doubleValue") {
            if (value.get_double().get(v.number) == simdjson::SUCCESS)
                v.type = AnyValue::Type::Double;
        } else if (key == "boolValue") {
            if (value.get_bool().get(v.flag) == simdjson::SUCCESS)
                v.type = AnyValue::Type::Bool;
        } else if (key == "arrayValue" || key == "kvlistValue" || key == "bytesValue") {
            v.type = AnyValue::Type::Other;
        }
    }
    return v;
}

/// The fields of one span the mapping needs.
struct Span
{
    std::string_view traceId;
    std::string_view name;
    qint64 kind = kKindUnspecified;
    quint64 startNs = 0;
    quint64 endNs = 0;
    bool hasStart = false;
    bool hasEnd = false;
    bool statusError = false;
    AnyValue attrs[AttrCount];

    const AnyValue &first(Attr a, Attr b) const { return attrs[a].present() ? attrs[a] : attrs[b]; }
};

} // namespace

struct OtlpTraceDecoder::Impl
{
    explicit Impl(const NativeDecoderLimits &l)
        : limits(l)
    { }

    const NativeDecoderLimits &limits;
    dom::parser parser;
    bool allocated = false;

    DecodedBatch *batch = nullptr;
    qint64 nowMs = 0;
    std::size_t spanIndex = 0;
    std::string fatal;
    bool fatalTooLarge = false;
    std::string message;
    std::string routeScratch;
    std::vector<IngestEvent> pending; ///< events of the resource being decoded

    bool decodeRequest(dom::element root);
    bool decodeResourceSpans(dom::element element);
    bool decodeSpans(dom::element spans);
    void decodeSpan(dom::element element);
    void mapSpan(const Span &span, std::size_t index);
    bool refuse(std::string_view text, bool tooLarge = false)
    {
        if (fatal.empty())
            fatal.assign(text);
        fatalTooLarge = tooLarge;
        return false;
    }
    void reject(std::size_t index, std::string_view what);
    std::string_view compose(std::string_view a, char separator, std::string_view b, bool upperA = false);
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

bool OtlpTraceDecoder::decode(std::string_view body, qint64 nowMs, DecodedBatch &batch)
{
    batch.clear();
    d->batch = &batch;
    d->nowMs = nowMs;
    d->spanIndex = 0;
    d->fatal.clear();
    d->fatalTooLarge = false;

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
    if (service.size() > limits.maxStringBytes)
        service = {}; // too long to be a service name: "default"

    pending.clear();
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
            if (!decodeSpans(spans))
                return false;
        }
    }

    // The service is known only now (a resource may follow its spans); the request id scopes the
    // trace to the service so another service's server span in the same trace does not take over.
    for (IngestEvent &e : pending) {
        e.service = service;
        if (!e.requestId.empty()) {
            const std::string_view id
                = compose(service.empty() ? std::string_view("default") : service, '/', e.requestId);
            e.requestId = id.size() <= limits.maxStringBytes ? id : std::string_view();
        }
        batch->appendEvent() = e;
    }
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
    if (!span.hasStart)
        return reject(index, "\"startTimeUnixNano\" is required");
    if (!span.hasEnd)
        return reject(index, "\"endTimeUnixNano\" is required");
    if (span.endNs < span.startNs)
        return reject(index, "\"endTimeUnixNano\" is before \"startTimeUnixNano\"");
    mapSpan(span, index);
}

void OtlpTraceDecoder::Impl::mapSpan(const Span &span, std::size_t index)
{
    const std::size_t maxString = limits.maxStringBytes;
    IngestEvent e;
    e.value = double(span.endNs - span.startNs) / 1e6;
    e.timestampMs = qint64(span.endNs / 1'000'000);
    if (e.timestampMs < nowMs - limits.maxAgeMs)
        return reject(index, "ends more than " + std::to_string(limits.maxAgeMs / 3'600'000) + " h in the past");
    if (e.timestampMs > nowMs + limits.maxAheadMs)
        return reject(index, "ends more than " + std::to_string(limits.maxAheadMs / 60'000) + " min in the future");
    if (span.traceId.size() <= maxString)
        e.requestId = span.traceId; // scoped to the service once the resource is known

    const std::string_view method = span.first(HttpRequestMethod, HttpMethod).string();
    const bool isDb = span.attrs[DbSystem].present() || span.attrs[DbSystemName].present();
    const bool dbKind = span.kind == kKindClient || span.kind == kKindInternal || span.kind == kKindUnspecified;

    if (span.kind == kKindServer && !method.empty()) {
        if (!std::all_of(method.begin(), method.end(), isTokenChar))
            return reject(index, "\"http.request.method\" must be an HTTP method such as \"GET\"");
        std::string_view route = span.attrs[HttpRoute].string();
        if (route.empty())
            route = span.attrs[UrlPath].string();
        if (route.empty())
            route = span.attrs[HttpTarget].string();
        if (route.empty())
            route = pathOfUrl(span.first(UrlFull, HttpUrl).string());
        if (route.empty()) {
            // The span name of an HTTP server span is "{method} {route}" when the route is known.
            const std::string_view second = word(span.name, 1);
            route = second.starts_with('/') ? second : span.name.starts_with('/') ? word(span.name, 0) : "/";
        }
        if (normalizeRoute(route, routeScratch))
            route = routeScratch;
        if (route.empty())
            route = "/";
        qint64 status = 0;
        const AnyValue &statusValue = span.first(HttpResponseStatusCode, HttpStatusCode);
        if (statusValue.present()) {
            if (!statusValue.toInt(status) || status < 100 || status > 599)
                return reject(index, "\"http.response.status_code\" must be an integer from 100 to 599");
        } else {
            status = span.statusError ? 500 : 200;
        }
        if (method.size() + 1 + route.size() > maxString)
            return reject(index, "method and route together must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Api;
        e.name = compose(method, ':', route, true);
        e.status = quint16(status);
        e.error = status >= 500;
    } else if (isDb && dbKind) {
        std::string_view operation = span.first(DbOperationName, DbOperation).string();
        if (operation.empty())
            operation = word(span.first(DbQueryText, DbStatement).string(), 0);
        if (operation.empty())
            operation = word(span.name, 0);
        std::string_view collection = span.attrs[DbCollectionName].string();
        if (collection.empty())
            collection = span.attrs[DbMongodbCollection].string();
        if (collection.empty())
            collection = span.attrs[DbSqlTable].string();
        if (collection.empty())
            collection = word(span.name, 1);
        if (collection.empty())
            collection = span.first(DbSystemName, DbSystem).string();
        if (operation.empty() || collection.empty())
            return reject(index,
                "a database span needs an operation and a collection (\"db.operation.name\", "
                "\"db.collection.name\" or a span name such as \"find trips\")");
        if (operation.size() + 1 + collection.size() > maxString)
            return reject(
                index, "operation and collection together must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Db;
        e.name = compose(operation, ':', collection);
        e.error = span.statusError;
    } else {
        if (span.name.empty())
            return reject(index, "\"name\" must not be empty");
        if (span.name.size() > maxString)
            return reject(index, "\"name\" must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Processing;
        e.name = span.name;
        e.items = 1;
    }
    pending.push_back(e);
}

void OtlpTraceDecoder::Impl::reject(std::size_t index, std::string_view what)
{
    message.assign("span ");
    message.append(std::to_string(index));
    message.append(": ");
    message.append(what);
    batch->reject(index, message);
}

std::string_view OtlpTraceDecoder::Impl::compose(std::string_view a, char separator, std::string_view b, bool upperA)
{
    const std::size_t size = a.size() + 1 + b.size();
    char *out = batch->arena().allocate(size);
    for (std::size_t i = 0; i < a.size(); ++i)
        out[i] = upperA && a[i] >= 'a' && a[i] <= 'z' ? char(a[i] - 'a' + 'A') : a[i];
    out[a.size()] = separator;
    std::memcpy(out + a.size() + 1, b.data(), b.size());
    return { out, size };
}

} // namespace perfwatch
