#pragma once

#include "decodedbatch.h"
#include "httpresponse.h"
#include "ingestcounters.h"
#include "otlpprototracedecoder.h"
#include "otlptracedecoder.h"

#include <QByteArray>
#include <optional>
#include <string>

class QHttpServerRequest;

namespace perfwatch {

class MetricStore;
class OtlpMetricsState;

/// POST /v1/traces: OTLP/HTTP, answered as the OTLP specification says, in the request's encoding.
///
/// Bodies are `application/x-protobuf` (the SDKs' default) or `application/json`, either one
/// plain or with `Content-Encoding: gzip` (decompressed as a stream, never past the body limit).
/// Both decode through the same span mapping (otlp::SpanMapper). Answers: 200 with an empty
/// ExportTraceServiceResponse (`{}` in JSON), or with partial_success (rejected_spans,
/// error_message) when some spans could not be used; 400 for a body that is not an export
/// request; 413 for too many spans or a body that decompresses past the limit; 415 for another
/// media type or encoding. Error bodies are google.rpc.Status (`code`, `message`): protobuf for
/// protobuf requests; in JSON with PerfWatch's own `error` and `detail` beside them. One per
/// ingest thread.
class OtlpTraceEndpoint
{
public:
    enum class Encoding : quint8
    {
        Json,
        Protobuf
    };

    OtlpTraceEndpoint(MetricStore &store, IngestCounters &counters, NativeDecoderLimits limits = {},
        std::size_t maxBodyBytes = 8 * 1024 * 1024);

    HttpResponse handle(const QHttpServerRequest &request);

    /// POST /v1/metrics or /v1/logs when the app has no place for them: 501 saying so.
    static HttpResponse notImplemented(const QHttpServerRequest &request);

    /// An OTLP error answer: google.rpc.Status JSON plus PerfWatch's error/detail.
    static HttpResponse error(int status, int grpcCode, std::string_view error, std::string_view detail);
    /// The same in `encoding`: protobuf answers carry google.rpc.Status with the detail as message.
    static HttpResponse error(
        Encoding encoding, int status, int grpcCode, std::string_view error, std::string_view detail);

    /// google.rpc.Status { code, message, details: [google.rpc.RetryInfo { retry_delay }] } in
    /// protobuf: how a protobuf 429/503 body and a gRPC UNAVAILABLE tell an exporter when to
    /// retry, as the OTLP specification describes.
    static QByteArray retryStatus(int grpcCode, std::string_view message, int retryAfterSeconds);
    /// A shed OTLP request (429 or 503): Retry-After, and a google.rpc.Status body with
    /// RetryInfo for protobuf requests (JSON otherwise) with the gRPC code UNAVAILABLE.
    static HttpResponse retryLater(const QHttpServerRequest &request, int status, std::string_view error,
        std::string_view detail, int retryAfterSeconds);

    /// Reads an OTLP/HTTP request's body, for every signal: its encoding from Content-Type,
    /// decompressed into `inflated` when it is gzip (never past maxBodyBytes). Returns the
    /// refusal to send (415, 413, 400) or nothing, with `body` viewing `raw` or `inflated`.
    static std::optional<HttpResponse> readBody(const QHttpServerRequest &request, const QByteArray &raw,
        std::size_t maxBodyBytes, QByteArray &inflated, Encoding &encoding, std::string_view &body);
    /// Frees a large decompression buffer after a request; small ones are kept for reuse.
    static void releaseInflated(QByteArray &inflated);

    /// "N spans could not be used: <the first few reasons>", for partial_success.error_message.
    static std::string rejectionSummary(
        const DecodedBatch &batch, std::string_view singular = "span", std::string_view plural = "spans");
    /// The ExportTraceServiceResponse for a decoded batch: empty, or with partial_success (also
    /// the ExportMetricsServiceResponse, whose fields have the same numbers).
    static QByteArray protobufResponse(
        const DecodedBatch &batch, std::string_view singular = "span", std::string_view plural = "spans");

    /// Tells `state` which services send spans, so their metrics count once (OtlpMetricsState).
    void setMetricsState(OtlpMetricsState *state) { m_metrics = state; }

private:
    MetricStore &m_store;
    IngestCounters &m_counters;
    OtlpMetricsState *m_metrics = nullptr;
    OtlpTraceDecoder m_decoder;
    OtlpProtoTraceDecoder m_protoDecoder;
    std::size_t m_maxBodyBytes;
    DecodedBatch m_batch;
    QByteArray m_inflated; ///< the decompressed body of a gzip request (kept: its capacity is reused)
};

} // namespace perfwatch
