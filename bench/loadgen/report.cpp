#include "report.h"

#include <cstdio>
#include <string_view>

namespace perfwatch::loadgen {

namespace {

std::string format(const char *pattern, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

double ms(std::uint64_t nanoseconds)
{
    return double(nanoseconds) / 1e6;
}

double perSecond(std::uint64_t count, double seconds)
{
    return seconds > 0 ? double(count) / seconds : 0.0;
}

std::string url(const LoadOptions &options)
{
    const bool ipv6 = options.host.find(':') != std::string::npos;
    return "http://" + (ipv6 ? '[' + options.host + ']' : options.host) + ':' + std::to_string(options.port)
        + options.path;
}

std::string bodyKind(const LoadOptions &options)
{
    const std::string gzip = options.gzip ? ", gzip" : "";
    switch (options.format) {
    case BodyFormat::OtlpTracesProto:
        return "OTLP protobuf spans" + gzip;
    case BodyFormat::OtlpTracesJson:
        return "OTLP/JSON spans" + gzip;
    case BodyFormat::OtlpMetricsProto:
        return "OTLP protobuf histogram points" + gzip;
    case BodyFormat::Native:
        break;
    }
    if (options.ndjson)
        return "ndjson";
    return options.batch > 1 ? "array" : "object";
}

std::string jsonString(std::string_view text)
{
    std::string out = "\"";
    for (const char ch : text) {
        switch (ch) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            if (static_cast<unsigned char>(ch) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(static_cast<unsigned char>(ch)));
                out += escaped;
            } else {
                out += ch;
            }
        }
    }
    return out + '"';
}

std::uint64_t errorTotal(const LoadResult &r)
{
    return r.connectFailures + r.resets + r.timeouts + r.protocolErrors;
}

} // namespace

std::string formatText(const LoadOptions &options, const Workload &workload, const LoadResult &r)
{
    std::string out;
    out += "target      " + url(options) + '\n';
    out += "load        " + std::to_string(options.connections) + " connections, batch " + std::to_string(options.batch)
        + " (" + bodyKind(options) + "), " + std::to_string(workload.keysCovered()) + " keys, "
        + (options.format != BodyFormat::Native     ? "api only"
                : options.types == TypeMix::ApiOnly ? "api only"
                                                    : "api:db:processing 6:3:1")
        + (options.rate > 0 ? ", target " + format("%.0f", options.rate) + " events/s" : std::string()) + '\n';
    out += "duration    " + format("%.2f s", r.elapsedS) + '\n';
    out += "requests    " + std::to_string(r.requests) + " (" + format("%.1f/s", perSecond(r.requests, r.elapsedS))
        + ")\n";
    out += "events      " + std::to_string(r.eventsSent) + " in 2xx requests ("
        + format("%.0f/s", perSecond(r.eventsSent, r.elapsedS)) + ")";
    if (r.acceptedReported)
        out += ", server accepted " + std::to_string(r.eventsAccepted);
    out += '\n';
    out += "status     ";
    bool any = false;
    for (std::size_t s = 0; s < r.statusCounts.size(); ++s) {
        if (r.statusCounts[s] == 0)
            continue;
        out += ' ' + std::to_string(s) + ": " + std::to_string(r.statusCounts[s]);
        any = true;
    }
    out += any ? "\n" : " none\n";
    if (r.latency.count() > 0) {
        out += "latency ms  p50 " + format("%.3f", ms(r.latency.quantile(0.50))) + "  p95 "
            + format("%.3f", ms(r.latency.quantile(0.95))) + "  p99 " + format("%.3f", ms(r.latency.quantile(0.99)))
            + "  max " + format("%.3f", ms(r.latency.max())) + "  mean " + format("%.3f", r.latency.mean() / 1e6)
            + '\n';
    }
    if (r.throttled)
        out += "throttled   " + std::to_string(r.throttled) + " (429/503 with Retry-After; backed off)\n";
    out += "errors      " + std::to_string(errorTotal(r)) + " (connect " + std::to_string(r.connectFailures)
        + ", reset " + std::to_string(r.resets) + ", timeout " + std::to_string(r.timeouts) + ", protocol "
        + std::to_string(r.protocolErrors) + ")\n";
    if (!r.lastError.empty() && errorTotal(r) > 0)
        out += "last error  " + r.lastError + '\n';
    out += "in flight   " + std::to_string(r.inFlightAtEnd) + " at the end (not counted)\n";
    out += "client cpu  " + format("%.0f%% of one core", r.elapsedS > 0 ? 100.0 * r.clientCpuS / r.elapsedS : 0.0)
        + '\n';
    if (options.rate > 0 && perSecond(r.eventsSent, r.elapsedS) < 0.95 * options.rate)
        out += "note        the target rate was not reached; the server is saturated or more connections are needed\n";
    return out;
}

std::string formatJson(const LoadOptions &options, const Workload &workload, const LoadResult &r)
{
    std::string out = "{";
    out += "\"url\":" + jsonString(url(options));
    out += ",\"connections\":" + std::to_string(options.connections);
    out += ",\"batch\":" + std::to_string(options.batch);
    out += ",\"body\":" + jsonString(bodyKind(options));
    out += ",\"keys\":" + std::to_string(workload.keysCovered());
    out += ",\"types\":" + jsonString(options.types == TypeMix::ApiOnly ? "api" : "mixed");
    out += ",\"target_rate\":" + format("%.0f", options.rate);
    out += ",\"duration_s\":" + format("%.3f", r.elapsedS);
    out += ",\"requests\":" + std::to_string(r.requests);
    out += ",\"requests_per_s\":" + format("%.1f", perSecond(r.requests, r.elapsedS));
    out += ",\"events\":" + std::to_string(r.eventsSent);
    out += ",\"events_per_s\":" + format("%.0f", perSecond(r.eventsSent, r.elapsedS));
    out += ",\"events_accepted\":" + (r.acceptedReported ? std::to_string(r.eventsAccepted) : std::string("null"));
    out += ",\"status\":{";
    bool first = true;
    for (std::size_t s = 0; s < r.statusCounts.size(); ++s) {
        if (r.statusCounts[s] == 0)
            continue;
        out += (first ? "\"" : ",\"") + std::to_string(s) + "\":" + std::to_string(r.statusCounts[s]);
        first = false;
    }
    out += "}";
    if (r.latency.count() == 0) {
        out += ",\"latency_ms\":null";
    } else {
        out += ",\"latency_ms\":{\"p50\":" + format("%.3f", ms(r.latency.quantile(0.50))) + ",\"p95\":"
            + format("%.3f", ms(r.latency.quantile(0.95))) + ",\"p99\":" + format("%.3f", ms(r.latency.quantile(0.99)))
            + ",\"max\":" + format("%.3f", ms(r.latency.max())) + ",\"mean\":" + format("%.3f", r.latency.mean() / 1e6)
            + "}";
    }
    out += ",\"throttled\":" + std::to_string(r.throttled);
    out += ",\"errors\":{\"connect\":" + std::to_string(r.connectFailures) + ",\"reset\":" + std::to_string(r.resets)
        + ",\"timeout\":" + std::to_string(r.timeouts) + ",\"protocol\":" + std::to_string(r.protocolErrors) + "}";
    out += ",\"last_error\":" + (r.lastError.empty() ? std::string("null") : jsonString(r.lastError));
    out += ",\"in_flight_at_end\":" + std::to_string(r.inFlightAtEnd);
    out += ",\"client_cpu_s\":" + format("%.3f", r.clientCpuS);
    out += "}\n";
    return out;
}

} // namespace perfwatch::loadgen
