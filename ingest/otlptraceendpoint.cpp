#include "otlptraceendpoint.h"

#include "jsonwriter.h"
#include "metricstore.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <string>

namespace perfwatch {

namespace {

// google.rpc.Code values used in OTLP error bodies.
constexpr int kInvalidArgument = 3;
constexpr int kUnimplemented = 12;
constexpr int kResourceExhausted = 8;

/// The media type of a Content-Type value, lower-cased, without parameters.
QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed().toLower();
}

/// The first few rejection messages, joined, for partialSuccess.errorMessage.
std::string rejectionSummary(const DecodedBatch &batch)
{
    constexpr std::size_t kListed = 3;
    std::string text
        = std::to_string(batch.rejected()) + (batch.rejected() == 1 ? " span" : " spans") + " could not be used: ";
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

} // namespace

OtlpTraceEndpoint::OtlpTraceEndpoint(MetricStore &store, IngestCounters &counters, NativeDecoderLimits limits)
    : m_store(store)
    , m_counters(counters)
    , m_decoder(limits)
{ }

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
        "PerfWatch takes OpenTelemetry traces only (POST /v1/traces); " + path
            + " is not collected. Turn this signal's exporter off (OTEL_METRICS_EXPORTER=none, "
              "OTEL_LOGS_EXPORTER=none) or send it to a collector");
}

HttpResponse OtlpTraceEndpoint::handle(const QHttpServerRequest &request)
{
    const QByteArray type = mediaType(request.value(QByteArrayLiteral("Content-Type")));
    if (type == "application/x-protobuf" || type == "application/protobuf")
        return error(415, kInvalidArgument, "unsupported_media_type",
            "PerfWatch reads OTLP/HTTP with JSON bodies only; configure the exporter for JSON: "
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/json (or OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json)");
    if (!type.isEmpty() && type != "application/json")
        return error(415, kInvalidArgument, "unsupported_media_type",
            "Content-Type " + type.toStdString()
                + " is not supported; OTLP/HTTP JSON is sent as application/json "
                  "(OTEL_EXPORTER_OTLP_PROTOCOL=http/json)");
    const QByteArray encoding = request.value(QByteArrayLiteral("Content-Encoding")).trimmed().toLower();
    if (!encoding.isEmpty() && encoding != "identity")
        return error(415, kInvalidArgument, "unsupported_media_type",
            "Content-Encoding " + encoding.toStdString()
                + " is not supported; send uncompressed JSON (OTEL_EXPORTER_OTLP_COMPRESSION=none)");

    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray body = request.body();
    if (!m_decoder.decode(std::string_view(body.constData(), std::size_t(body.size())), nowMs, m_batch)) {
        m_counters.rejectedEvents.fetch_add(m_decoder.spanCount(), std::memory_order_relaxed);
        if (m_batch.isRefusedAsTooLarge())
            return error(413, kResourceExhausted, "payload_too_large", m_batch.refusal());
        return error(400, kInvalidArgument, "malformed_body", m_batch.refusal());
    }

    if (m_batch.accepted() > 0)
        m_store.insert(m_batch.events(), nowMs);
    m_counters.acceptedEvents.fetch_add(m_batch.accepted(), std::memory_order_relaxed);
    m_counters.rejectedEvents.fetch_add(m_batch.rejected(), std::memory_order_relaxed);

    if (m_batch.rejected() == 0)
        return HttpResponse::json(200, QByteArrayLiteral("{}"));
    // Per OTLP, spans that cannot be used are a partial success, not an error: retrying would not help.
    JsonWriter json;
    json.beginObject()
        .key("partialSuccess")
        .beginObject()
        .field("rejectedSpans", quint64(m_batch.rejected()))
        .field("errorMessage", std::string_view(rejectionSummary(m_batch)))
        .endObject()
        .endObject();
    return HttpResponse::json(200, json.take());
}

} // namespace perfwatch
