#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace perfwatch::loadgen {

/// Which event types the generated bodies contain.
enum class TypeMix
{
    Mixed, ///< per ten keys: six api, three db, one processing
    ApiOnly,
};

/// What the bodies are: PerfWatch's native JSON, or an OpenTelemetry export.
enum class BodyFormat
{
    Native,
    OtlpTracesProto, ///< ExportTraceServiceRequest, application/x-protobuf (the SDKs' default)
    OtlpTracesJson, ///< the same spans as OTLP/JSON
    OtlpMetricsProto, ///< ExportMetricsServiceRequest of delta http.server.request.duration histograms
};

/// Everything the command line configures.
struct LoadOptions
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 4318;
    std::string path = "/api/performance/ingest";
    int connections = 4;
    double durationS = 10;
    double warmupS = 0;
    int batch = 1; ///< events per request; 1 sends a bare object, more send an array
    int keys = 100; ///< distinct keys cycled through
    TypeMix types = TypeMix::Mixed;
    double rate = 0; ///< target events/s over all connections; 0 = as fast as possible
    bool ndjson = false;
    BodyFormat format = BodyFormat::Native;
    bool gzip = false; ///< Content-Encoding: gzip (OTLP bodies)
    std::string token;
    bool json = false; ///< print the result as one JSON object
    double timeoutS = 10; ///< connect and request timeout
    std::uint64_t seed = 1;
};

/// The outcome of parsing the command line: options, or a message and an exit code.
struct ParseResult
{
    std::optional<LoadOptions> options;
    std::string message; ///< usage text (exit 0) or one-line error (exit 2)
    int exitCode = 0;
};

ParseResult parseOptions(const std::vector<std::string> &args);
std::string usage();

} // namespace perfwatch::loadgen
