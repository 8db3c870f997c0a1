#pragma once

#include "decodedbatch.h"
#include "httpresponse.h"
#include "ingestcounters.h"
#include "otlptracedecoder.h"

class QHttpServerRequest;

namespace perfwatch {

class MetricStore;

/// POST /v1/traces: OTLP/HTTP with JSON bodies, answered as the OTLP specification says.
///
/// 200 with `{}`, or with `{"partialSuccess":{"rejectedSpans":N,"errorMessage":"..."}}` when some
/// spans could not be used; 400 for a body that is not a JSON export request; 413 for too many
/// spans; 415 for protobuf or a compressed body (PerfWatch reads only uncompressed JSON). Error
/// bodies are the JSON form of google.rpc.Status (`code`, `message`) that OTLP clients read,
/// with PerfWatch's own `error` and `detail` beside them. One per ingest thread.
class OtlpTraceEndpoint
{
public:
    OtlpTraceEndpoint(MetricStore &store, IngestCounters &counters, NativeDecoderLimits limits = {});

    HttpResponse handle(const QHttpServerRequest &request);

    /// POST /v1/metrics and /v1/logs: 501 saying that only traces are taken.
    static HttpResponse notImplemented(const QHttpServerRequest &request);

    /// An OTLP error answer: google.rpc.Status JSON plus PerfWatch's error/detail.
    static HttpResponse error(int status, int grpcCode, std::string_view error, std::string_view detail);

private:
    MetricStore &m_store;
    IngestCounters &m_counters;
    OtlpTraceDecoder m_decoder;
    DecodedBatch m_batch;
};

} // namespace perfwatch
