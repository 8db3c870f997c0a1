#include "otlpmetricsendpoint.h"

#include "jsonwriter.h"
#include "otlpmetricsstate.h"
#include "otlptraceendpoint.h"

#include <QDateTime>
#include <QHttpServerRequest>

namespace perfwatch {

namespace {

constexpr int kInvalidArgument = 3; // google.rpc.Code
constexpr int kResourceExhausted = 8;

} // namespace

OtlpMetricsEndpoint::OtlpMetricsEndpoint(
    OtlpMetricsState &state, IngestCounters &counters, NativeDecoderLimits limits, std::size_t maxBodyBytes)
    : m_state(state)
    , m_counters(counters)
    , m_decoder(limits, &state)
    , m_maxBodyBytes(maxBodyBytes)
{ }

HttpResponse OtlpMetricsEndpoint::handle(const QHttpServerRequest &request)
{
    using Encoding = OtlpTraceEndpoint::Encoding;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    m_state.releaseDue(nowMs);
    const QByteArray raw = request.body();
    Encoding encoding = Encoding::Json;
    std::string_view body;
    if (auto refusal = OtlpTraceEndpoint::readBody(request, raw, m_maxBodyBytes, m_inflated, encoding, body))
        return *refusal;
    const bool decoded = encoding == Encoding::Protobuf ? m_decoder.decodeProtobuf(body, nowMs, m_batch)
                                                        : m_decoder.decodeJson(body, nowMs, m_batch);
    m_state.countPoints(m_decoder.pointCount(), 0);
    bool durable = true;
    if (decoded && m_batch.accepted() > 0)
        durable = m_state.submit(m_batch.events(), nowMs);
    OtlpTraceEndpoint::releaseInflated(m_inflated);
    if (!decoded) {
        m_counters.rejectedEvents.fetch_add(m_decoder.pointCount(), std::memory_order_relaxed);
        const bool tooLarge = m_batch.isRefusedAsTooLarge();
        return OtlpTraceEndpoint::error(encoding, tooLarge ? 413 : 400,
            tooLarge ? kResourceExhausted : kInvalidArgument, tooLarge ? "payload_too_large" : "malformed_body",
            m_batch.refusal());
    }
    m_counters.acceptedEvents.fetch_add(m_batch.accepted(), std::memory_order_relaxed);
    m_counters.rejectedEvents.fetch_add(m_batch.rejected(), std::memory_order_relaxed);
    if (encoding == Encoding::Protobuf) {
        HttpResponse response;
        response.mimeType = QByteArrayLiteral("application/x-protobuf");
        response.body = OtlpTraceEndpoint::protobufResponse(m_batch, "data point", "data points");
        return std::move(response.markDurability(durable));
    }
    if (m_batch.rejected() == 0)
        return std::move(HttpResponse::json(200, QByteArrayLiteral("{}")).markDurability(durable));
    JsonWriter json;
    json.beginObject()
        .key("partialSuccess")
        .beginObject()
        .field("rejectedDataPoints", quint64(m_batch.rejected()))
        .field(
            "errorMessage", std::string_view(OtlpTraceEndpoint::rejectionSummary(m_batch, "data point", "data points")))
        .endObject()
        .endObject();
    return std::move(HttpResponse::json(200, json.take()).markDurability(durable));
}

} // namespace perfwatch
