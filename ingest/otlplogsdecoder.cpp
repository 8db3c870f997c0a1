#include "otlplogsdecoder.h"

#include "otlpprototracedecoder.h"
#include "protowire.h"

#include <array>
#include <memory>
#include <simdjson.h>

namespace perfwatch {

namespace {

namespace dom = simdjson::dom;

// Field numbers (opentelemetry-proto logs/v1, collector/logs/v1, resource/v1, common/v1).
constexpr quint32 kResourceLogs = 1; // ExportLogsServiceRequest
constexpr quint32 kResource = 1; // ResourceLogs
constexpr quint32 kScopeLogs = 2;
constexpr quint32 kLogRecords = 2; // ScopeLogs
constexpr quint32 kSeverityNumber = 2; // LogRecord
constexpr quint32 kSeverityText = 3;

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char c = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] - 'A' + 'a') : a[i];
        if (c != b[i])
            return false;
    }
    return true;
}

using Counts = std::array<quint64, LogBook::SeverityCount>;

void flush(std::string_view service, const Counts &counts, OtlpLogsDecoder::Result &out)
{
    if (!simdjson::validate_utf8(service.data(), service.size()))
        service = {};
    for (std::size_t s = 0; s < counts.size(); ++s) {
        if (counts[s] > 0)
            out.tallies.push_back({ service, LogBook::Severity(s), counts[s] });
    }
}

std::string tooManyRecords(std::size_t limit)
{
    return "the request holds more than " + std::to_string(limit) + " log records; send at most "
        + std::to_string(limit) + " per request";
}

} // namespace

struct OtlpLogsDecoder::Impl
{
    dom::parser parser;
};

OtlpLogsDecoder::OtlpLogsDecoder(NativeDecoderLimits limits)
    : m_limits(limits)
    , d(std::make_unique<Impl>())
{ }

OtlpLogsDecoder::~OtlpLogsDecoder() = default;

LogBook::Severity OtlpLogsDecoder::severityOfText(std::string_view text)
{
    struct Name
    {
        std::string_view text;
        LogBook::Severity severity;
    };
    static constexpr Name names[] = {
        { "trace", LogBook::Trace },
        { "debug", LogBook::Debug },
        { "info", LogBook::Info },
        { "information", LogBook::Info },
        { "notice", LogBook::Info },
        { "warn", LogBook::Warn },
        { "warning", LogBook::Warn },
        { "error", LogBook::Error },
        { "err", LogBook::Error },
        { "fatal", LogBook::Fatal },
        { "critical", LogBook::Fatal },
        { "crit", LogBook::Fatal },
        { "alert", LogBook::Fatal },
        { "emergency", LogBook::Fatal },
    };
    for (const Name &n : names) {
        if (equalsIgnoringCase(text, n.text))
            return n.severity;
    }
    return LogBook::Unspecified;
}

bool OtlpLogsDecoder::decodeProtobuf(std::string_view body, Result &out)
{
    out = Result();
    const auto refuse = [&](std::string text, bool tooLarge = false) {
        out.tallies.clear();
        out.refusal = std::move(text);
        out.tooLarge = tooLarge;
        return false;
    };
    ProtoReader request(body);
    while (request.next()) {
        if (request.field() != kResourceLogs)
            continue;
        if (!request.isLength())
            return refuse("malformed protobuf: resource_logs must be a message");
        std::string_view service;
        Counts counts {};
        ProtoReader resource(request.bytes());
        while (resource.next()) {
            if (resource.field() == kResource && resource.isLength()) {
                if (!OtlpProtoTraceDecoder::serviceOfResource(resource.bytes(), service))
                    return refuse("malformed protobuf: a resource is not a Resource message");
            } else if (resource.field() == kScopeLogs && resource.isLength()) {
                ProtoReader scope(resource.bytes());
                while (scope.next()) {
                    if (scope.field() != kLogRecords || !scope.isLength())
                        continue;
                    if (out.records == m_limits.maxEvents)
                        return refuse(tooManyRecords(m_limits.maxEvents), true);
                    ++out.records;
                    qint64 number = 0;
                    std::string_view text;
                    ProtoReader record(scope.bytes());
                    while (record.next()) {
                        if (record.field() == kSeverityNumber && record.isVarint())
                            number = record.signedValue();
                        else if (record.field() == kSeverityText && record.isLength())
                            text = record.bytes();
                    }
                    if (record.failed())
                        return refuse("malformed protobuf: a LogRecord is cut or damaged");
                    const LogBook::Severity s = number != 0 ? LogBook::severityOf(number) : severityOfText(text);
                    ++counts[s];
                }
                if (scope.failed())
                    return refuse("malformed protobuf: a ScopeLogs message is cut or damaged");
            }
        }
        if (resource.failed())
            return refuse("malformed protobuf: a ResourceLogs message is cut or damaged");
        flush(service, counts, out);
    }
    if (request.failed())
        return refuse("malformed protobuf: the body is not an ExportLogsServiceRequest");
    return true;
}

bool OtlpLogsDecoder::decodeJson(std::string_view body, Result &out)
{
    out = Result();
    const auto refuse = [&](std::string text, bool tooLarge = false) {
        out.tallies.clear();
        out.refusal = std::move(text);
        out.tooLarge = tooLarge;
        return false;
    };
    dom::element root;
    if (const auto e = d->parser.parse(body.data(), body.size(), true).get(root); e != simdjson::SUCCESS)
        return refuse(e == simdjson::EMPTY ? std::string("the body is empty")
                                           : std::string("malformed JSON: ") + simdjson::error_message(e));
    dom::object request;
    if (root.get_object().get(request) != simdjson::SUCCESS)
        return refuse("the body must be a JSON ExportLogsServiceRequest object");
    dom::array resources;
    if (request.at_key("resourceLogs").get_array().get(resources) != simdjson::SUCCESS)
        return true; // an empty export
    for (const dom::element resource : resources) {
        std::string_view service;
        dom::array attributes;
        if (resource.at_key("resource").at_key("attributes").get_array().get(attributes) == simdjson::SUCCESS) {
            for (const dom::element a : attributes) {
                std::string_view key;
                if (a.at_key("key").get_string().get(key) == simdjson::SUCCESS && key == "service.name"
                    && a.at_key("value").at_key("stringValue").get_string().get(service) != simdjson::SUCCESS)
                    service = {};
            }
        }
        Counts counts {};
        dom::array scopes;
        if (resource.at_key("scopeLogs").get_array().get(scopes) == simdjson::SUCCESS) {
            for (const dom::element scope : scopes) {
                dom::array records;
                if (scope.at_key("logRecords").get_array().get(records) != simdjson::SUCCESS)
                    continue;
                for (const dom::element record : records) {
                    if (out.records == m_limits.maxEvents)
                        return refuse(tooManyRecords(m_limits.maxEvents), true);
                    ++out.records;
                    // severityNumber: a number, or its enum name ("SEVERITY_NUMBER_ERROR2").
                    LogBook::Severity s = LogBook::Unspecified;
                    dom::element severity;
                    if (record.at_key("severityNumber").get(severity) == simdjson::SUCCESS) {
                        int64_t n = 0;
                        std::string_view name;
                        if (severity.get_int64().get(n) == simdjson::SUCCESS) {
                            s = LogBook::severityOf(n);
                        } else if (severity.get_string().get(name) == simdjson::SUCCESS
                            && name.starts_with("SEVERITY_NUMBER_")) {
                            name.remove_prefix(16);
                            s = severityOfText(name.substr(0, std::min(name.find_first_of("0123456789"), name.size())));
                        }
                    }
                    std::string_view text;
                    if (s == LogBook::Unspecified
                        && record.at_key("severityText").get_string().get(text) == simdjson::SUCCESS)
                        s = severityOfText(text);
                    ++counts[s];
                }
            }
        }
        flush(service, counts, out);
    }
    return true;
}

} // namespace perfwatch
