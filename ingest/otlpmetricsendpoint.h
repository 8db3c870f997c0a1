#pragma once

#include "decodedbatch.h"
#include "httpresponse.h"
#include "ingestcounters.h"
#include "otlpmetricsdecoder.h"

#include <QByteArray>

class QHttpServerRequest;

namespace perfwatch {

class OtlpMetricsState;

/// POST /v1/metrics: OTLP/HTTP metric exports, protobuf or JSON, plain or gzip (as /v1/traces),
/// mapped to the same keys as spans (otlp::MetricMapper) and stored through OtlpMetricsState,
/// which counts a service's requests once when its spans arrive too. Answers an
/// ExportMetricsServiceResponse (`{}` in JSON), with partial_success (rejected_data_points,
/// error_message) when some points could not be used; errors as /v1/traces. One per ingest thread.
class OtlpMetricsEndpoint
{
public:
    OtlpMetricsEndpoint(OtlpMetricsState &state, IngestCounters &counters, NativeDecoderLimits limits = {},
        std::size_t maxBodyBytes = 8 * 1024 * 1024);

    HttpResponse handle(const QHttpServerRequest &request);

private:
    OtlpMetricsState &m_state;
    IngestCounters &m_counters;
    OtlpMetricsDecoder m_decoder;
    std::size_t m_maxBodyBytes;
    DecodedBatch m_batch;
    QByteArray m_inflated;
};

} // namespace perfwatch
