#include "otlplogsendpoint.h"

#include "logbook.h"
#include "otlptraceendpoint.h"

#include <QDateTime>
#include <QHttpServerRequest>

namespace perfwatch {

namespace {

constexpr int kInvalidArgument = 3; // google.rpc.Code
constexpr int kResourceExhausted = 8;

} // namespace

OtlpLogsEndpoint::OtlpLogsEndpoint(LogBook &logs, NativeDecoderLimits limits, std::size_t maxBodyBytes)
    : m_logs(logs)
    , m_decoder(limits)
    , m_maxBodyBytes(maxBodyBytes)
{ }

void OtlpLogsEndpoint::record(LogBook &logs, const OtlpLogsDecoder::Result &result, qint64 nowMs)
{
    for (const OtlpLogsDecoder::Tally &t : result.tallies)
        logs.add(t.service, t.severity, t.count, nowMs);
}

HttpResponse OtlpLogsEndpoint::handle(const QHttpServerRequest &request)
{
    using Encoding = OtlpTraceEndpoint::Encoding;
    const QByteArray raw = request.body();
    Encoding encoding = Encoding::Json;
    std::string_view body;
    if (auto refusal = OtlpTraceEndpoint::readBody(request, raw, m_maxBodyBytes, m_inflated, encoding, body))
        return *refusal;
    const bool decoded = encoding == Encoding::Protobuf ? m_decoder.decodeProtobuf(body, m_result)
                                                        : m_decoder.decodeJson(body, m_result);
    if (decoded)
        record(m_logs, m_result, QDateTime::currentMSecsSinceEpoch());
    OtlpTraceEndpoint::releaseInflated(m_inflated);
    if (!decoded)
        return OtlpTraceEndpoint::error(encoding, m_result.tooLarge ? 413 : 400,
            m_result.tooLarge ? kResourceExhausted : kInvalidArgument,
            m_result.tooLarge ? "payload_too_large" : "malformed_body", m_result.refusal);
    if (encoding == Encoding::Protobuf) {
        HttpResponse response;
        response.mimeType = QByteArrayLiteral("application/x-protobuf");
        return response; // an ExportLogsServiceResponse with nothing to report
    }
    return HttpResponse::json(200, QByteArrayLiteral("{}"));
}

} // namespace perfwatch
