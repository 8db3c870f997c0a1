#include "otlptraceendpoint.h"

#include "gzipinflate.h"
#include "jsonwriter.h"
#include "metricstore.h"
#include "otlpmetricsstate.h"
#include "protowire.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <string>

namespace perfwatch {

namespace {

// google.rpc.Code values used in OTLP error bodies.
constexpr int kInvalidArgument = 3;
constexpr int kUnimplemented = 12;
constexpr int kResourceExhausted = 8;
constexpr int kUnavailable = 14;

/// The media type of a Content-Type value, lower-cased, without parameters.
QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed().toLower();
}

constexpr QByteArrayView kProtobuf = "application/x-protobuf";

} // namespace

OtlpTraceEndpoint::OtlpTraceEndpoint(
    MetricStore &store, IngestCounters &counters, NativeDecoderLimits limits, std::size_t maxBodyBytes)
    : m_store(store)
    , m_counters(counters)
    , m_decoder(limits)
    , m_protoDecoder(limits)
    , m_maxBodyBytes(maxBodyBytes)
{ }

std::string OtlpTraceEndpoint::rejectionSummary(
    const DecodedBatch &batch, std::string_view singular, std::string_view plural)
{
    constexpr std::size_t kListed = 3;
    std::string text = std::to_string(batch.rejected()) + ' ' + std::string(batch.rejected() == 1 ? singular : plural)
        + " could not be used: ";
    const auto &errors = batch.errors();
    for (std::size_t i = 0; i < errors.size() && i < kListed; ++i) {
        if (i > 0)
            text += "; ";
        text += errors[i].message;
    }
    if (batch.rejected() > kListed)
        text += "; ...";
    return text;
}

QByteArray OtlpTraceEndpoint::protobufResponse(
    const DecodedBatch &batch, std::string_view singular, std::string_view plural)
{
    // ExportTraceServiceResponse { partial_success = 1 { rejected_spans = 1; error_message = 2 } },
    // and ExportMetricsServiceResponse with rejected_data_points in the same place.
    if (batch.rejected() == 0)
        return {};
    ProtoWriter partial;
    partial.varintField(1, quint64(batch.rejected()));
    partial.bytesField(2, rejectionSummary(batch, singular, plural));
    ProtoWriter answer;
    answer.bytesField(1, std::string_view(partial.data().constData(), std::size_t(partial.data().size())));
    return answer.take();
}

HttpResponse OtlpTraceEndpoint::error(
    Encoding encoding, int status, int grpcCode, std::string_view error, std::string_view detail)
{
    if (encoding == Encoding::Json)
        return OtlpTraceEndpoint::error(status, grpcCode, error, detail);
    ProtoWriter status_; // google.rpc.Status: code = 1, message = 2
    status_.varintField(1, quint64(grpcCode));
    status_.bytesField(2, detail);
    HttpResponse response;
    response.status = status;
    response.mimeType = kProtobuf.toByteArray();
    response.body = status_.take();
    return response;
}

QByteArray OtlpTraceEndpoint::retryStatus(int grpcCode, std::string_view message, int retryAfterSeconds)
{
    ProtoWriter duration; // google.protobuf.Duration: seconds = 1
    duration.varintField(1, quint64(std::max(retryAfterSeconds, 0)));
    ProtoWriter retryInfo; // google.rpc.RetryInfo: retry_delay = 1
    retryInfo.bytesField(1, std::string_view(duration.data().constData(), std::size_t(duration.data().size())));
    ProtoWriter any; // google.protobuf.Any: type_url = 1, value = 2
    any.bytesField(1, "type.googleapis.com/google.rpc.RetryInfo");
    any.bytesField(2, std::string_view(retryInfo.data().constData(), std::size_t(retryInfo.data().size())));
    ProtoWriter status; // google.rpc.Status: code = 1, message = 2, details = 3
    status.varintField(1, quint64(grpcCode));
    status.bytesField(2, message);
    status.bytesField(3, std::string_view(any.data().constData(), std::size_t(any.data().size())));
    return status.take();
}

HttpResponse OtlpTraceEndpoint::retryLater(const QHttpServerRequest &request, int status, std::string_view error,
    std::string_view detail, int retryAfterSeconds)
{
    const QByteArray type = mediaType(request.value(QByteArrayLiteral("Content-Type")));
    HttpResponse response;
    if (type == "application/x-protobuf" || type == "application/protobuf") {
        response.status = status;
        response.mimeType = kProtobuf.toByteArray();
        response.body = retryStatus(kUnavailable, detail, retryAfterSeconds);
    } else {
        response = OtlpTraceEndpoint::error(status, kUnavailable, error, detail);
    }
    return response.withHeader(QByteArrayLiteral("Retry-After"), QByteArray::number(retryAfterSeconds));
}

HttpResponse OtlpTraceEndpoint::error(int status, int grpcCode, std::string_view error, std::string_view detail)
{
    JsonWriter json;
    json.beginObject()
        .field("code", grpcCode)
        .field("message", detail)
        .field("error", error)
        .field("detail", detail)
        .endObject();
    return HttpResponse::json(status, json.take());
}

HttpResponse OtlpTraceEndpoint::notImplemented(const QHttpServerRequest &request)
{
    const std::string path = request.url().path().toStdString();
    return error(501, kUnimplemented, "not_implemented",
        "this PerfWatch server does not collect " + path
            + "; turn this signal's exporter off (OTEL_METRICS_EXPORTER=none, OTEL_LOGS_EXPORTER=none)");
}

std::optional<HttpResponse> OtlpTraceEndpoint::readBody(const QHttpServerRequest &request, const QByteArray &raw,
    std::size_t maxBodyBytes, QByteArray &inflated, Encoding &encoding, std::string_view &body)
{
    const QByteArray type = mediaType(request.value(QByteArrayLiteral("Content-Type")));
    encoding = Encoding::Json;
    if (type == "application/x-protobuf" || type == "application/protobuf")
        encoding = Encoding::Protobuf;
    else if (!type.isEmpty() && type != "application/json")
        return error(415, kInvalidArgument, "unsupported_media_type",
            "Content-Type " + type.toStdString()
                + " is not OTLP/HTTP; send application/x-protobuf (the SDKs' default) or application/json");
    const QByteArray contentEncoding = request.value(QByteArrayLiteral("Content-Encoding")).trimmed().toLower();
    const bool gzip = contentEncoding == "gzip" || contentEncoding == "x-gzip";
    if (!gzip && !contentEncoding.isEmpty() && contentEncoding != "identity")
        return error(encoding, 415, kInvalidArgument, "unsupported_media_type",
            "Content-Encoding " + contentEncoding.toStdString()
                + " is not supported; send gzip or no compression (OTEL_EXPORTER_OTLP_COMPRESSION=gzip or none)");
    body = std::string_view(raw.constData(), std::size_t(raw.size()));
    if (gzip) {
        std::string why;
        const InflateResult result = gunzip(body, maxBodyBytes, inflated, &why);
        if (result == InflateResult::TooLarge)
            return error(encoding, 413, kResourceExhausted, "payload_too_large", why);
        if (result == InflateResult::Malformed)
            return error(encoding, 400, kInvalidArgument, "malformed_body", why);
        body = std::string_view(inflated.constData(), std::size_t(inflated.size()));
    }
    return std::nullopt;
}

void OtlpTraceEndpoint::releaseInflated(QByteArray &inflated)
{
    if (inflated.capacity() > qsizetype(4 * 1024 * 1024))
        inflated = QByteArray(); // keep small buffers for reuse, not a maximum-size one per thread
}

HttpResponse OtlpTraceEndpoint::handle(const QHttpServerRequest &request)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray raw = request.body();
    Encoding encoding = Encoding::Json;
    std::string_view body;
    if (auto refusal = readBody(request, raw, m_maxBodyBytes, m_inflated, encoding, body))
        return *refusal;

    const bool decoded = encoding == Encoding::Protobuf ? m_protoDecoder.decode(body, nowMs, m_batch)
                                                        : m_decoder.decode(body, nowMs, m_batch);
    releaseInflated(m_inflated);
    if (!decoded) {
        const std::size_t spans = encoding == Encoding::Protobuf ? m_protoDecoder.spanCount() : m_decoder.spanCount();
        m_counters.rejectedEvents.fetch_add(spans, std::memory_order_relaxed);
        if (m_batch.isRefusedAsTooLarge())
            return error(encoding, 413, kResourceExhausted, "payload_too_large", m_batch.refusal());
        return error(encoding, 400, kInvalidArgument, "malformed_body", m_batch.refusal());
    }

    bool durable = true;
    if (m_batch.accepted() > 0) {
        durable = m_store.insert(m_batch.events(), nowMs,
            MetricStore::InsertOptions { .journal = true, .fromSpans = true, .resolves = {} });
        if (m_metrics)
            m_metrics->noteSpans(m_batch.events(), nowMs);
    }
    m_counters.acceptedEvents.fetch_add(m_batch.accepted(), std::memory_order_relaxed);
    m_counters.rejectedEvents.fetch_add(m_batch.rejected(), std::memory_order_relaxed);

    // Per OTLP, spans that cannot be used are a partial success, not an error: retrying would not help.
    if (encoding == Encoding::Protobuf) {
        HttpResponse response;
        response.mimeType = kProtobuf.toByteArray();
        response.body = protobufResponse(m_batch);
        return std::move(response.markDurability(durable));
    }
    if (m_batch.rejected() == 0)
        return std::move(HttpResponse::json(200, QByteArrayLiteral("{}")).markDurability(durable));
    JsonWriter json;
    json.beginObject()
        .key("partialSuccess")
        .beginObject()
        .field("rejectedSpans", quint64(m_batch.rejected()))
        .field("errorMessage", std::string_view(rejectionSummary(m_batch)))
        .endObject()
        .endObject();
    return std::move(HttpResponse::json(200, json.take()).markDurability(durable));
}

} // namespace perfwatch
