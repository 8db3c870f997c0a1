#pragma once

#include "logbook.h"
#include "nativedecoder.h"

#include <QtGlobal>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Decodes OTLP log exports (ExportLogsServiceRequest) into counts per service and severity:
/// PerfWatch counts log records, it does not keep them. Protobuf (ProtoReader) and JSON
/// (simdjson). The severity is severity_number, or, when that is 0, severity_text as the OTLP
/// data model maps it ("ERROR", "Warning", "critical"...). Not thread-safe: one per thread.
class OtlpLogsDecoder
{
public:
    struct Tally
    {
        std::string_view service; ///< points into the body; empty = "default"
        LogBook::Severity severity = LogBook::Unspecified;
        quint64 count = 0;
    };
    struct Result
    {
        std::vector<Tally> tallies;
        std::size_t records = 0;
        std::string refusal; ///< why the body was refused; empty when it was read
        bool tooLarge = false;
    };

    explicit OtlpLogsDecoder(NativeDecoderLimits limits = {});
    ~OtlpLogsDecoder();
    Q_DISABLE_COPY_MOVE(OtlpLogsDecoder)

    bool decodeProtobuf(std::string_view body, Result &out);
    bool decodeJson(std::string_view body, Result &out);

    /// The class of a severity_text, for records without a severity_number.
    static LogBook::Severity severityOfText(std::string_view text);

private:
    struct Impl;
    NativeDecoderLimits m_limits;
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
