#pragma once

#include "decodedbatch.h"
#include "nativedecoder.h"

#include <QtGlobal>
#include <memory>
#include <string_view>

namespace perfwatch {

/// Decodes OTLP/HTTP JSON trace exports (ExportTraceServiceRequest) into PerfWatch events.
///
/// Mapping (README "OpenTelemetry"):
///  - SERVER spans with an HTTP method attribute -> `api` (method, `http.route` or the normalised
///    path, status code; the span's ERROR status stands in for a missing status code as 500).
///  - Other spans with `db.system` / `db.system.name` -> `db` (operation, collection, error when
///    the span status is ERROR).
///  - Every other span -> `processing`, named after the span.
/// Old and stable semantic-convention names are both read. Duration = end - start; the event's
/// timestamp is the span's end. `service.name` of the resource is the service. The request_id of
/// every event is "<service>/<traceId>", so the db spans under one server span of a service
/// correlate with it (N+1 detection) however the exporter split the trace into requests.
///
/// The whole document is parsed with simdjson's DOM parser: OTLP objects have no fixed field
/// order (a resource may follow its spans, an attribute's key its value), and DOM validates
/// every byte, including the many fields we do not use. Not thread-safe: one per thread.
class OtlpTraceDecoder
{
public:
    explicit OtlpTraceDecoder(NativeDecoderLimits limits = {});
    ~OtlpTraceDecoder();
    Q_DISABLE_COPY_MOVE(OtlpTraceDecoder)

    /// Decodes `body` received at nowMs into `batch` (cleared first). Span i of the request
    /// (counted across all resources and scopes) is index i of the batch's errors. Returns false
    /// when the whole body is refused: malformed JSON, not an export request, or more spans than
    /// limits.maxEvents (batch.isRefusedAsTooLarge()).
    bool decode(std::string_view body, qint64 nowMs, DecodedBatch &batch);

    /// Spans seen by the last decode(), accepted or not.
    std::size_t spanCount() const;
    /// Spans of the last decode() that folded into their request (framework, pool and in-request
    /// INTERNAL spans): spanCount() = accepted + rejected + folded.
    std::size_t foldedCount() const;

private:
    struct Impl;
    NativeDecoderLimits m_limits;
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
