#pragma once

#include "httpresponse.h"
#include "otlplogsdecoder.h"

#include <QByteArray>

class QHttpServerRequest;

namespace perfwatch {

class LogBook;

/// POST /v1/logs: OTLP/HTTP log exports, protobuf or JSON, plain or gzip (as /v1/traces), counted
/// into a LogBook per service and severity. Answers an empty ExportLogsServiceResponse (`{}` in
/// JSON); errors as /v1/traces. One per ingest thread.
class OtlpLogsEndpoint
{
public:
    OtlpLogsEndpoint(LogBook &logs, NativeDecoderLimits limits = {}, std::size_t maxBodyBytes = 8 * 1024 * 1024);

    HttpResponse handle(const QHttpServerRequest &request);

    /// Counts a decoded export into `logs`; shared with OTLP/gRPC.
    static void record(LogBook &logs, const OtlpLogsDecoder::Result &result, qint64 nowMs);

private:
    LogBook &m_logs;
    OtlpLogsDecoder m_decoder;
    OtlpLogsDecoder::Result m_result;
    std::size_t m_maxBodyBytes;
    QByteArray m_inflated;
};

} // namespace perfwatch
