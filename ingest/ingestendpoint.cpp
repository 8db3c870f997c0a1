#include "ingestendpoint.h"

#include "jsonwriter.h"
#include "metricstore.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <string>

namespace perfwatch {

namespace {

/// The media type of a Content-Type value, lower-cased, without parameters.
QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed().toLower();
}

void writeErrors(JsonWriter &json, const DecodedBatch &batch)
{
    json.key("errors").beginArray();
    for (const EventError &e : batch.errors())
        json.beginObject().field("index", quint64(e.index)).field("error", std::string_view(e.message)).endObject();
    json.endArray();
}

} // namespace

IngestEndpoint::IngestEndpoint(MetricStore &store, IngestCounters &counters, NativeDecoderLimits limits)
    : m_store(store)
    , m_counters(counters)
    , m_decoder(limits)
{ }

HttpResponse IngestEndpoint::handle(const QHttpServerRequest &request)
{
    const QByteArray contentType = request.value(QByteArrayLiteral("Content-Type"));
    const QByteArray type = mediaType(contentType);
    IngestFormat format = IngestFormat::Json;
    if (type == "application/x-ndjson" || type == "application/ndjson")
        format = IngestFormat::NdJson;
    else if (!type.isEmpty() && type != "application/json")
        return HttpResponse::error(415, "unsupported_media_type",
            "Content-Type " + type.toStdString() + " is not supported; send application/json or application/x-ndjson");

    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray body = request.body();
    m_decoder.decode(body, format, nowMs, m_batch);

    JsonWriter json;
    json.beginObject();
    int status = 202;
    bool durable = true;
    if (m_batch.isRefused()) {
        status = m_batch.isRefusedAsTooLarge() ? 413 : 400;
        json.field("error", status == 413 ? "payload_too_large" : "malformed_body")
            .field("detail", std::string_view(m_batch.refusal()));
    } else if (m_batch.accepted() == 0) {
        status = 400;
        const std::string detail = m_batch.rejected() == 1
            ? std::string("the event is invalid")
            : "none of the " + std::to_string(m_batch.rejected()) + " events is valid";
        json.field("error", "no_valid_events").field("detail", std::string_view(detail));
    } else {
        durable = m_store.insert(m_batch.events(), nowMs);
    }
    json.field("accepted", quint64(m_batch.accepted())).field("rejected", quint64(m_batch.rejected()));
    writeErrors(json, m_batch);
    json.endObject();

    if (status == 202)
        m_counters.acceptedEvents.fetch_add(m_batch.accepted(), std::memory_order_relaxed);
    m_counters.rejectedEvents.fetch_add(m_batch.rejected(), std::memory_order_relaxed);
    return std::move(HttpResponse::json(status, json.take()).markDurability(durable));
}

} // namespace perfwatch
