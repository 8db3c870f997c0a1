#include "workload.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <numeric>
#include <random>
#include <string_view>
#include <zlib.h>

namespace perfwatch::loadgen {

namespace {

enum class EventType
{
    Api,
    Db,
    Processing
};

/// Six api, three db and one processing key in every ten.
EventType typeOfKey(std::size_t key, TypeMix mix)
{
    if (mix == TypeMix::ApiOnly)
        return EventType::Api;
    const std::size_t slot = key % 10;
    if (slot < 6)
        return EventType::Api;
    return slot < 9 ? EventType::Db : EventType::Processing;
}

/// Durations and outcomes of a service that is mostly healthy: a log-normal body with a median
/// of 50 ms, 1% slow outliers between 1 and 3 s, and 0.5% server errors.
class EventSampler
{
public:
    explicit EventSampler(std::uint64_t seed)
        : m_rng(seed)
    { }

    double durationMs()
    {
        if (m_unit(m_rng) < 0.01)
            return 1000.0 + 2000.0 * m_unit(m_rng);
        return m_body(m_rng);
    }
    bool failed() { return m_unit(m_rng) < 0.005; }
    int serverErrorStatus()
    {
        constexpr std::array<int, 3> kStatuses = { 500, 502, 503 };
        return kStatuses[std::size_t(m_unit(m_rng) * 3) % 3];
    }
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }

private:
    std::mt19937_64 m_rng;
    std::uniform_real_distribution<double> m_unit { 0.0, 1.0 };
    std::lognormal_distribution<double> m_body { 3.912, 0.6 }; // ln(50 ms) = 3.912
};

void appendNumber(std::string &out, double value)
{
    std::array<char, 32> buffer {};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, 3);
    out.append(buffer.data(), result.ptr);
}

void appendNumber(std::string &out, std::size_t value)
{
    std::array<char, 24> buffer {};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), result.ptr);
}

void appendEvent(std::string &out, std::size_t key, TypeMix mix, EventSampler &sampler)
{
    constexpr std::array<std::string_view, 4> kFieldSets = {
        R"(["user_id"])",
        R"(["user_id","start_time"])",
        R"(["status"])",
        R"(["city","start_time"])",
    };
    const double duration = sampler.durationMs();
    switch (typeOfKey(key, mix)) {
    case EventType::Api:
        out += key % 7 == 3 ? R"({"type":"api","service":"loadgen","method":"POST","route":"/api/k)"
                            : R"({"type":"api","service":"loadgen","method":"GET","route":"/api/k)";
        appendNumber(out, key);
        out += R"(","duration_ms":)";
        appendNumber(out, duration);
        out += R"(,"status":)";
        appendNumber(out, std::size_t(sampler.failed() ? sampler.serverErrorStatus() : 200));
        out += '}';
        break;
    case EventType::Db:
        out += R"({"type":"db","service":"loadgen","operation":"find","collection":"k)";
        appendNumber(out, key);
        out += R"(","duration_ms":)";
        appendNumber(out, duration);
        out += R"(,"fields":)";
        out += kFieldSets[key % kFieldSets.size()];
        out += R"(,"documents":)";
        appendNumber(out, std::size_t(sampler.uniform(0, 50)));
        if (sampler.failed())
            out += R"(,"error":true)";
        out += '}';
        break;
    case EventType::Processing:
        out += R"({"type":"processing","service":"loadgen","name":"k)";
        appendNumber(out, key);
        out += R"(","duration_ms":)";
        appendNumber(out, duration);
        out += R"(,"items_processed":)";
        appendNumber(out, std::size_t(sampler.uniform(1, 500)));
        out += '}';
        break;
    }
}

// OpenTelemetry exports, written by hand from the OTLP .proto field numbers (no library), as an
// SDK's batch processor sends them: one resource, one scope, `batch` spans or points.

/// A protobuf message under construction.
class Proto
{
public:
    void varint(std::uint64_t v)
    {
        while (v >= 0x80) {
            m_out += char(v | 0x80);
            v >>= 7;
        }
        m_out += char(v);
    }
    void tag(int field, int type) { varint(std::uint64_t(field) << 3 | std::uint64_t(type)); }
    void varintField(int field, std::uint64_t v)
    {
        tag(field, 0);
        varint(v);
    }
    void fixed64Field(int field, std::uint64_t v)
    {
        tag(field, 1);
        fixed64(v);
    }
    void doubleField(int field, double d)
    {
        std::uint64_t v = 0;
        std::memcpy(&v, &d, sizeof v);
        fixed64Field(field, v);
    }
    void bytesField(int field, std::string_view bytes)
    {
        tag(field, 2);
        varint(bytes.size());
        m_out += bytes;
    }
    void fixed64(std::uint64_t v)
    {
        for (int i = 0; i < 8; ++i)
            m_out += char(v >> (8 * i));
    }
    /// KeyValue { key = 1; value = 2: AnyValue { string_value = 1 | int_value = 3 } }
    void stringAttribute(int field, std::string_view key, std::string_view value)
    {
        Proto any;
        any.bytesField(1, value);
        Proto kv;
        kv.bytesField(1, key);
        kv.bytesField(2, any.data());
        bytesField(field, kv.data());
    }
    void intAttribute(int field, std::string_view key, std::int64_t value)
    {
        Proto any;
        any.varintField(3, std::uint64_t(value));
        Proto kv;
        kv.bytesField(1, key);
        kv.bytesField(2, any.data());
        bytesField(field, kv.data());
    }
    const std::string &data() const { return m_out; }

private:
    std::string m_out;
};

std::uint64_t nowNs()
{
    return std::uint64_t(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::string routeOf(std::size_t key)
{
    return "/api/k" + std::to_string(key);
}

/// Resource { attributes = 1 } with service.name, and the scope of an instrumentation library.
/// Metrics come from a service of their own: PerfWatch counts a service's requests once, from
/// its spans when it sends both, so metrics of the span service would be dropped (cheaply).
void appendResourceAndScope(Proto &resourceOwner, Proto &scope, std::string_view serviceName)
{
    Proto resource;
    resource.stringAttribute(1, "service.name", serviceName);
    resourceOwner.bytesField(1, resource.data());
    Proto library;
    library.bytesField(1, "@opentelemetry/instrumentation-http");
    scope.bytesField(1, library.data());
}

/// ExportTraceServiceRequest of `batch` SERVER spans, each its own request with 8 attributes.
std::string otlpTraces(std::size_t firstEvent, std::size_t batch, std::size_t keys, EventSampler &sampler)
{
    Proto scopeSpans;
    Proto resourceSpans;
    appendResourceAndScope(resourceSpans, scopeSpans, "loadgen");
    const std::uint64_t end = nowNs();
    for (std::size_t i = 0; i < batch; ++i) {
        const std::size_t event = firstEvent + i;
        const std::size_t key = event % keys;
        const bool post = key % 7 == 3;
        const std::string route = routeOf(key);
        const int status = sampler.failed() ? sampler.serverErrorStatus() : 200;
        const auto durationNs = std::uint64_t(sampler.durationMs() * 1e6);
        std::array<char, 16> traceId {};
        std::array<char, 8> spanId {};
        for (std::size_t b = 0; b < 8; ++b) {
            traceId[b] = char(event >> (8 * b));
            traceId[8 + b] = char(0x5a ^ b);
            spanId[b] = char((event * 31 + 7) >> (8 * b));
        }
        Proto span;
        span.bytesField(1, std::string_view(traceId.data(), traceId.size()));
        span.bytesField(2, std::string_view(spanId.data(), spanId.size()));
        span.bytesField(5, (post ? "POST " : "GET ") + route);
        span.varintField(6, 2); // SERVER
        span.fixed64Field(7, end - durationNs);
        span.fixed64Field(8, end);
        span.stringAttribute(9, "http.request.method", post ? "POST" : "GET");
        span.stringAttribute(9, "http.route", route);
        span.stringAttribute(9, "url.path", route);
        span.intAttribute(9, "http.response.status_code", status);
        span.stringAttribute(9, "url.scheme", "http");
        span.stringAttribute(9, "server.address", "127.0.0.1");
        span.intAttribute(9, "server.port", 8080);
        span.stringAttribute(9, "network.protocol.version", "1.1");
        if (status >= 500) {
            Proto spanStatus;
            spanStatus.varintField(3, 2); // STATUS_CODE_ERROR
            span.bytesField(15, spanStatus.data());
        }
        scopeSpans.bytesField(2, span.data());
    }
    resourceSpans.bytesField(2, scopeSpans.data());
    Proto request;
    request.bytesField(1, resourceSpans.data());
    return request.data();
}

void appendJsonString(std::string &out, std::string_view key, std::string_view value)
{
    out += R"({"key":")";
    out += key;
    out += R"(","value":{"stringValue":")";
    out += value;
    out += R"("}})";
}

void appendJsonInt(std::string &out, std::string_view key, std::int64_t value)
{
    out += R"({"key":")";
    out += key;
    out += R"(","value":{"intValue":")";
    out += std::to_string(value);
    out += R"("}})";
}

/// The same spans as OTLP/JSON (ids in hex, times as decimal strings).
std::string otlpTracesJson(std::size_t firstEvent, std::size_t batch, std::size_t keys, EventSampler &sampler)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = R"({"resourceSpans":[{"resource":{"attributes":[)";
    appendJsonString(out, "service.name", "loadgen");
    out += R"(]},"scopeSpans":[{"scope":{"name":"@opentelemetry/instrumentation-http"},"spans":[)";
    const std::uint64_t end = nowNs();
    for (std::size_t i = 0; i < batch; ++i) {
        const std::size_t event = firstEvent + i;
        const std::size_t key = event % keys;
        const bool post = key % 7 == 3;
        const std::string route = routeOf(key);
        const int status = sampler.failed() ? sampler.serverErrorStatus() : 200;
        const auto durationNs = std::uint64_t(sampler.durationMs() * 1e6);
        std::string traceId;
        std::string spanId;
        for (std::size_t b = 0; b < 8; ++b) {
            const auto t = std::uint8_t(event >> (8 * b));
            const auto s = std::uint8_t((event * 31 + 7) >> (8 * b));
            traceId += kHex[t >> 4];
            traceId += kHex[t & 15];
            spanId += kHex[s >> 4];
            spanId += kHex[s & 15];
        }
        for (std::size_t b = 0; b < 8; ++b) {
            const auto t = std::uint8_t(0x5a ^ b);
            traceId += kHex[t >> 4];
            traceId += kHex[t & 15];
        }
        if (i > 0)
            out += ',';
        out += R"({"traceId":")" + traceId + R"(","spanId":")" + spanId + R"(","name":")" + (post ? "POST " : "GET ")
            + route + R"(","kind":2,"startTimeUnixNano":")" + std::to_string(end - durationNs)
            + R"(","endTimeUnixNano":")" + std::to_string(end) + R"(","attributes":[)";
        appendJsonString(out, "http.request.method", post ? "POST" : "GET");
        out += ',';
        appendJsonString(out, "http.route", route);
        out += ',';
        appendJsonString(out, "url.path", route);
        out += ',';
        appendJsonInt(out, "http.response.status_code", status);
        out += ',';
        appendJsonString(out, "url.scheme", "http");
        out += ',';
        appendJsonString(out, "server.address", "127.0.0.1");
        out += ',';
        appendJsonInt(out, "server.port", 8080);
        out += ',';
        appendJsonString(out, "network.protocol.version", "1.1");
        out += ']';
        if (status >= 500)
            out += R"(,"status":{"code":2})";
        out += '}';
    }
    out += "]}]}]}";
    return out;
}

/// ExportMetricsServiceRequest with one delta http.server.request.duration histogram holding
/// `batch` data points (one per key and status), with the SDK's default bucket boundaries in s.
std::string otlpMetrics(std::size_t firstEvent, std::size_t batch, std::size_t keys, EventSampler &sampler)
{
    static constexpr std::array<double, 14> kBounds
        = { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10 };
    Proto scopeMetrics;
    Proto resourceMetrics;
    appendResourceAndScope(resourceMetrics, scopeMetrics, "loadgen-metrics");
    const std::uint64_t end = nowNs();
    Proto histogram;
    for (std::size_t i = 0; i < batch; ++i) {
        const std::size_t key = (firstEvent + i) % keys;
        const bool post = key % 7 == 3;
        std::array<std::uint64_t, kBounds.size() + 1> buckets {};
        std::uint64_t count = 0;
        double sum = 0;
        double lo = 1e9;
        double hi = 0;
        for (int r = 0; r < 20; ++r) { // 20 requests per point
            const double s = sampler.durationMs() / 1000.0;
            const auto b = std::size_t(std::lower_bound(kBounds.begin(), kBounds.end(), s) - kBounds.begin());
            ++buckets[b];
            ++count;
            sum += s;
            lo = std::min(lo, s);
            hi = std::max(hi, s);
        }
        Proto point;
        point.stringAttribute(9, "http.request.method", post ? "POST" : "GET");
        point.stringAttribute(9, "http.route", routeOf(key));
        point.intAttribute(9, "http.response.status_code", 200);
        point.stringAttribute(9, "url.scheme", "http");
        point.fixed64Field(2, end - 10'000'000'000ULL);
        point.fixed64Field(3, end);
        point.fixed64Field(4, count);
        point.doubleField(5, sum);
        Proto packedCounts;
        for (std::uint64_t c : buckets)
            packedCounts.fixed64(c);
        point.bytesField(6, packedCounts.data());
        Proto packedBounds;
        for (double b : kBounds) {
            std::uint64_t v = 0;
            std::memcpy(&v, &b, sizeof v);
            packedBounds.fixed64(v);
        }
        point.bytesField(7, packedBounds.data());
        point.doubleField(11, lo);
        point.doubleField(12, hi);
        histogram.bytesField(1, point.data());
    }
    histogram.varintField(2, 1); // AGGREGATION_TEMPORALITY_DELTA
    Proto metric;
    metric.bytesField(1, "http.server.request.duration");
    metric.bytesField(3, "s");
    metric.bytesField(9, histogram.data());
    scopeMetrics.bytesField(2, metric.data());
    resourceMetrics.bytesField(2, scopeMetrics.data());
    Proto request;
    request.bytesField(1, resourceMetrics.data());
    return request.data();
}

std::string gzipped(const std::string &body)
{
    z_stream z {};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY); // 16: gzip wrapper
    std::string out(deflateBound(&z, uLong(body.size())), '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(body.data()));
    z.avail_in = uInt(body.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string hostHeader(const LoadOptions &options)
{
    const bool ipv6 = options.host.find(':') != std::string::npos;
    std::string host = ipv6 ? '[' + options.host + ']' : options.host;
    return host + ':' + std::to_string(options.port);
}

} // namespace

Workload::Workload(const LoadOptions &options)
    : m_eventsPerRequest(options.batch)
{
    const auto batch = std::size_t(options.batch);
    const auto keys = std::size_t(options.keys);
    // Requests are replayed in a cycle, so keys are hit evenly when the prepared events are a
    // whole number of passes over the keys: count * batch must be a multiple of keys.
    const std::size_t period = keys / std::gcd(keys, batch);
    const std::size_t count = period > kMaxRequests ? kMaxRequests : period * ((kMinRequests + period - 1) / period);
    m_keysCovered = std::min(keys, count * batch);

    const bool protobuf
        = options.format == BodyFormat::OtlpTracesProto || options.format == BodyFormat::OtlpMetricsProto;
    std::string head = "POST " + options.path + " HTTP/1.1\r\nHost: " + hostHeader(options)
        + "\r\nUser-Agent: perfwatch-loadgen\r\nContent-Type: "
        + (protobuf              ? "application/x-protobuf"
                : options.ndjson ? "application/x-ndjson"
                                 : "application/json")
        + "\r\n";
    if (options.gzip)
        head += "Content-Encoding: gzip\r\n";
    if (!options.token.empty())
        head += "Authorization: Bearer " + options.token + "\r\n";
    head += "Content-Length: ";

    EventSampler sampler(options.seed);
    std::string body;
    m_requests.reserve(count);
    std::size_t event = 0;
    for (std::size_t r = 0; r < count; ++r) {
        body.clear();
        if (options.format != BodyFormat::Native) {
            switch (options.format) {
            case BodyFormat::OtlpTracesProto:
                body = otlpTraces(event, batch, keys, sampler);
                break;
            case BodyFormat::OtlpTracesJson:
                body = otlpTracesJson(event, batch, keys, sampler);
                break;
            default:
                body = otlpMetrics(event, batch, keys, sampler);
                break;
            }
            event += batch;
            if (options.gzip)
                body = gzipped(body);
            std::string request = head;
            appendNumber(request, body.size());
            request += "\r\n\r\n";
            request += body;
            m_totalBytes += request.size();
            m_requests.push_back(std::move(request));
            continue;
        }
        if (batch > 1 && !options.ndjson)
            body += '[';
        for (std::size_t e = 0; e < batch; ++e, ++event) {
            if (e > 0)
                body += options.ndjson ? '\n' : ',';
            appendEvent(body, event % keys, options.types, sampler);
        }
        if (options.ndjson)
            body += '\n';
        else if (batch > 1)
            body += ']';
        std::string request = head;
        appendNumber(request, body.size());
        request += "\r\n\r\n";
        request += body;
        m_totalBytes += request.size();
        m_requests.push_back(std::move(request));
    }
}

} // namespace perfwatch::loadgen
