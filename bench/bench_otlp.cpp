// OTLP trace decoding: PerfWatch's own protobuf reader against libprotobuf (generated code from
// our declarations in bench/otlp/otlp_trace.proto, parsed on an arena, then the same mapping),
// the OTLP/JSON decoder, and gzip in front of the protobuf path. The input is what an SDK's batch
// span processor sends by default: 512 spans per request, 8 attributes per span (a request's
// server span, two database spans and one internal span, 128 requests), written by libprotobuf.
// Every benchmark ends in the same events (otlp::SpanMapper), so the numbers compare like with
// like; items/s is spans/s. The metrics benchmarks decode perfwatch-loadgen's `--otlp metrics`
// export (512 delta http.server.request.duration histogram points) and store it; items/s is
// data points/s.

#include "gzipinflate.h"
#include "loadgen/workload.h"
#include "metricstore.h"
#include "otlp_trace.pb.h"
#include "otlpmetricsdecoder.h"
#include "otlpmetricsstate.h"
#include "otlpprototracedecoder.h"
#include "otlpspanmapping.h"
#include "otlptracedecoder.h"

#include <QByteArray>
#include <QDateTime>
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>
#include <string>
#include <zlib.h>

using namespace perfwatch;
namespace pb = perfwatch::bench::otlp;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000;
constexpr int kSpans = 512;

void attribute(pb::Span *span, const char *key, const std::string &value)
{
    pb::KeyValue *kv = span->add_attributes();
    kv->set_key(key);
    kv->mutable_value()->set_string_value(value);
}
void attribute(pb::Span *span, const char *key, qint64 value)
{
    pb::KeyValue *kv = span->add_attributes();
    kv->set_key(key);
    kv->mutable_value()->set_int_value(value);
}

pb::ExportTraceServiceRequest makeRequest()
{
    pb::ExportTraceServiceRequest request;
    pb::ResourceSpans *resource = request.add_resource_spans();
    pb::KeyValue *service = resource->mutable_resource()->add_attributes();
    service->set_key("service.name");
    service->mutable_value()->set_string_value("trip-service");
    pb::ScopeSpans *scope = resource->add_scope_spans();
    scope->mutable_scope()->set_name("@opentelemetry/instrumentation-http");
    scope->mutable_scope()->set_version("0.208.0");
    const quint64 end = quint64(kNowMs - 1000) * 1'000'000;
    for (int r = 0; r < kSpans / 4; ++r) {
        std::string traceId(16, '\0');
        for (int i = 0; i < 16; ++i)
            traceId[std::size_t(i)] = char((r * 31 + i * 7) & 0xFF);
        const auto add = [&](const char *name, int kind, quint64 startNs, quint64 endNs) {
            pb::Span *s = scope->add_spans();
            s->set_trace_id(traceId);
            s->set_span_id(std::string(8, char(scope->spans_size())));
            s->set_parent_span_id(std::string(8, '\x01'));
            s->set_name(name);
            s->set_kind(kind);
            s->set_start_time_unix_nano(startNs);
            s->set_end_time_unix_nano(endNs);
            s->set_flags(0x301);
            return s;
        };
        const std::string route = "/api/v1/trips" + std::to_string(r % 20) + "/{id}";
        pb::Span *server = add("GET /api/v1/trips/{id}", 2, end - 40'000'000, end);
        attribute(server, "http.request.method", "GET");
        attribute(server, "http.route", route);
        attribute(server, "http.response.status_code", qint64(r % 50 == 0 ? 500 : 200));
        attribute(server, "url.path", "/api/v1/trips/" + std::to_string(1000 + r));
        attribute(server, "url.scheme", "http");
        attribute(server, "server.address", "localhost");
        attribute(server, "server.port", qint64(3000));
        attribute(server, "user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) perfwatch-bench");
        for (int q = 0; q < 2; ++q) {
            const quint64 start = end - 30'000'000 + quint64(q) * 5'000'000;
            pb::Span *db = add("SELECT trips", 3, start, start + 3'000'000);
            attribute(db, "db.system.name", "postgresql");
            attribute(db, "db.operation.name", "SELECT");
            attribute(db, "db.collection.name", "trips");
            attribute(db, "db.query.text", "SELECT id, user_id, start_time FROM trips WHERE id = $1");
            attribute(db, "db.namespace", "app");
            attribute(db, "server.address", "localhost");
            attribute(db, "server.port", qint64(5432));
            attribute(db, "network.peer.address", "127.0.0.1");
        }
        pb::Span *internal = add("validate trip", 1, end - 20'000'000, end - 10'000'000);
        for (int a = 0; a < 8; ++a)
            attribute(internal, ("app.attr" + std::to_string(a)).c_str(), qint64(a));
    }
    return request;
}

const std::string &protobufBody()
{
    static const std::string body = makeRequest().SerializeAsString();
    return body;
}

const std::string &jsonBody()
{
    static const std::string body = [] {
        std::string out;
        google::protobuf::util::JsonPrintOptions options;
        // Ids come out base64 rather than OTLP's hex; to the JSON decoder both are opaque strings.
        (void)google::protobuf::util::MessageToJsonString(makeRequest(), &out, options);
        return out;
    }();
    return body;
}

const std::string &gzipBody()
{
    static const std::string body = [] {
        const std::string &in = protobufBody();
        z_stream z {};
        deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        std::string out(deflateBound(&z, uLong(in.size())), '\0');
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
        z.avail_in = uInt(in.size());
        z.next_out = reinterpret_cast<Bytef *>(out.data());
        z.avail_out = uInt(out.size());
        deflate(&z, Z_FINISH);
        out.resize(z.total_out);
        deflateEnd(&z);
        return out;
    }();
    return body;
}

void report(benchmark::State &state, std::size_t bytes, std::size_t events)
{
    state.SetItemsProcessed(std::int64_t(state.iterations()) * kSpans);
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes));
    state.counters["events"] = double(events);
    state.counters["body_bytes"] = double(bytes);
}

void BM_ProtobufOwnReader(benchmark::State &state)
{
    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    const std::string &body = protobufBody();
    for (auto _ : state) {
        decoder.decode(body, kNowMs, batch);
        benchmark::DoNotOptimize(batch.events().data());
    }
    if (!batch.errors().empty())
        state.SkipWithError(("the bench's spans were rejected: " + batch.errors()[0].message).c_str());
    report(state, body.size(), batch.accepted());
}
BENCHMARK(BM_ProtobufOwnReader);

/// libprotobuf parses the whole message on an arena; the spans are then mapped as ours are.
void BM_ProtobufLibprotobuf(benchmark::State &state)
{
    NativeDecoderLimits limits;
    otlp::SpanMapper mapper(limits);
    DecodedBatch batch;
    const std::string &body = protobufBody();
    std::size_t events = 0;
    for (auto _ : state) {
        google::protobuf::Arena arena;
        auto *request = google::protobuf::Arena::CreateMessage<pb::ExportTraceServiceRequest>(&arena);
        if (!request->ParseFromString(body)) {
            state.SkipWithError("libprotobuf could not parse the body");
            return;
        }
        batch.clear();
        mapper.begin(batch, kNowMs);
        std::size_t index = 0;
        for (const pb::ResourceSpans &rs : request->resource_spans()) {
            mapper.beginResource();
            std::string_view service;
            for (const pb::KeyValue &kv : rs.resource().attributes()) {
                if (kv.key() == "service.name")
                    service = kv.value().string_value();
            }
            for (const pb::ScopeSpans &ss : rs.scope_spans()) {
                for (const pb::Span &s : ss.spans()) {
                    otlp::Span span;
                    span.traceId = mapper.hex(s.trace_id());
                    span.spanId = s.span_id(); // for folding INTERNAL spans into their request
                    span.parentSpanId = s.parent_span_id();
                    span.scope = ss.scope().name();
                    span.name = s.name();
                    span.kind = s.kind();
                    span.startNs = s.start_time_unix_nano();
                    span.endNs = s.end_time_unix_nano();
                    span.hasStart = span.hasEnd = true;
                    if (span.startNs == 0 || span.endNs < span.startNs) { // the checks our decoder makes
                        mapper.reject(index++, "bad times");
                        continue;
                    }
                    span.statusError = s.status().code() == otlp::kStatusError;
                    for (const pb::KeyValue &kv : s.attributes()) {
                        otlp::Attr id = otlp::AttrCount;
                        if (!otlp::attributeFor(kv.key(), id))
                            continue;
                        otlp::AnyValue &v = span.attrs[id];
                        switch (kv.value().value_case()) {
                        case pb::AnyValue::kStringValue:
                            v.type = otlp::AnyValue::Type::String;
                            v.text = kv.value().string_value();
                            break;
                        case pb::AnyValue::kIntValue:
                            v.type = otlp::AnyValue::Type::Int;
                            v.integer = kv.value().int_value();
                            break;
                        case pb::AnyValue::kDoubleValue:
                            v.type = otlp::AnyValue::Type::Double;
                            v.number = kv.value().double_value();
                            break;
                        case pb::AnyValue::kBoolValue:
                            v.type = otlp::AnyValue::Type::Bool;
                            v.flag = kv.value().bool_value();
                            break;
                        default:
                            v.type = otlp::AnyValue::Type::Other;
                            break;
                        }
                    }
                    mapper.map(span, index++);
                }
            }
            mapper.endResource(service);
        }
        events = batch.accepted();
        benchmark::DoNotOptimize(batch.events().data());
    }
    report(state, body.size(), events);
}
BENCHMARK(BM_ProtobufLibprotobuf);

void BM_Json(benchmark::State &state)
{
    OtlpTraceDecoder decoder;
    DecodedBatch batch;
    const std::string &body = jsonBody();
    for (auto _ : state) {
        decoder.decode(body, kNowMs, batch);
        benchmark::DoNotOptimize(batch.events().data());
    }
    report(state, body.size(), batch.accepted());
}
BENCHMARK(BM_Json);

void BM_GzipProtobufOwnReader(benchmark::State &state)
{
    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    QByteArray inflated;
    const std::string &body = gzipBody();
    for (auto _ : state) {
        gunzip(body, 8 * 1024 * 1024, inflated);
        decoder.decode(std::string_view(inflated.constData(), std::size_t(inflated.size())), kNowMs, batch);
        benchmark::DoNotOptimize(batch.events().data());
    }
    report(state, body.size(), batch.accepted());
}
BENCHMARK(BM_GzipProtobufOwnReader);

const std::string &metricsBody()
{
    static const std::string body = [] {
        const auto parsed = loadgen::parseOptions({ "--otlp", "metrics", "--batch", "512" });
        return std::string(loadgen::Workload(*parsed.options).body(0));
    }();
    return body;
}

/// The export decoded into histogram events (each point's buckets spread into a sketch).
void BM_MetricsProtobuf(benchmark::State &state)
{
    OtlpMetricsDecoder decoder;
    DecodedBatch batch;
    const std::string &body = metricsBody();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto _ : state) {
        decoder.decodeProtobuf(body, now, batch);
        benchmark::DoNotOptimize(batch.events().data());
    }
    if (batch.accepted() != 512)
        state.SkipWithError("the bench's data points were not all accepted");
    report(state, body.size(), batch.accepted());
}
BENCHMARK(BM_MetricsProtobuf);

/// Decoded and stored as the route does: through OtlpMetricsState into a MetricStore.
void BM_MetricsProtobufStored(benchmark::State &state)
{
    MetricStore store;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    OtlpMetricsState metrics(store, now - 60'000);
    OtlpMetricsDecoder decoder(NativeDecoderLimits {}, &metrics);
    DecodedBatch batch;
    const std::string &body = metricsBody();
    for (auto _ : state) {
        decoder.decodeProtobuf(body, now, batch);
        metrics.submit(batch.events(), now);
        metrics.releaseDue(now + 60'000, true);
    }
    report(state, body.size(), batch.accepted());
}
BENCHMARK(BM_MetricsProtobufStored);

} // namespace

BENCHMARK_MAIN();
