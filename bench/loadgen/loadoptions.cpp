#include "loadoptions.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

namespace perfwatch::loadgen {

namespace {

constexpr std::array<std::string_view, 13> kValueOptions = {
    "--url",
    "--path",
    "--otlp",
    "--connections",
    "--duration",
    "--warmup",
    "--batch",
    "--keys",
    "--types",
    "--rate",
    "--token",
    "--timeout",
    "--seed",
};

template<typename T>
bool parseNumber(std::string_view text, T &out)
{
    if (text.empty())
        return false;
    T value {};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return false;
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value))
            return false;
    }
    out = value;
    return true;
}

/// Accepts http://host[:port][/path]; IPv6 literals in brackets.
bool parseUrl(std::string_view url, LoadOptions &options, std::string &error)
{
    constexpr std::string_view kScheme = "http://";
    if (!url.starts_with(kScheme)) {
        error = "only http:// URLs are supported";
        return false;
    }
    url.remove_prefix(kScheme.size());
    const std::size_t slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    if (slash != std::string_view::npos && url.size() > slash + 1)
        options.path = std::string(url.substr(slash));
    std::string_view portText;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unterminated IPv6 address in URL";
            return false;
        }
        options.host = std::string(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
        if (authority.starts_with(':'))
            portText = authority.substr(1);
        else if (!authority.empty()) {
            error = "malformed URL authority";
            return false;
        }
    } else {
        const std::size_t colon = authority.rfind(':');
        options.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            portText = authority.substr(colon + 1);
    }
    if (options.host.empty()) {
        error = "URL has no host";
        return false;
    }
    if (!portText.empty()) {
        unsigned port = 0;
        if (!parseNumber(portText, port) || port == 0 || port > 65535) {
            error = "invalid port in URL";
            return false;
        }
        options.port = std::uint16_t(port);
    } else {
        options.port = 80;
    }
    return true;
}

} // namespace

std::string usage()
{
    return R"(Usage: perfwatch-loadgen [options]

Drives a PerfWatch ingest endpoint over HTTP/1.1 keep-alive and reports throughput and latency.

  --url URL          server, http://HOST[:PORT][/PATH] (default http://127.0.0.1:4318)
  --path P           request path (default /api/performance/ingest)
  --connections N    concurrent connections, one request in flight each (default 4)
  --duration S       measured seconds (default 10)
  --warmup S         seconds run before measuring, results discarded (default 0)
  --batch N          events per request; 1 = one JSON object, N > 1 = JSON array (default 1)
  --keys K           distinct keys cycled through (default 100)
  --types T          mixed (api:db:processing = 6:3:1, default) or api
  --rate R           target events/s over all connections; 0 = as fast as possible (default 0)
  --ndjson           send application/x-ndjson, one event per line
  --otlp F           send OpenTelemetry exports instead (path /v1/traces or /v1/metrics):
                     traces (protobuf, as the SDKs do), traces-json, or metrics (protobuf
                     histogram data points); --batch is spans or points per export, each span
                     a SERVER span with 8 attributes
  --gzip             compress the OTLP bodies (Content-Encoding: gzip)
  --token T          send Authorization: Bearer T
  --timeout S        connect and request timeout (default 10)
  --seed N           seed of the generated durations and statuses (default 1)
  --json             print the result as one JSON object
  -h, --help         show this help
)";
}

ParseResult parseOptions(const std::vector<std::string> &args)
{
    LoadOptions options;
    ParseResult result;
    auto fail = [&result](std::string message) {
        result.message = std::move(message);
        result.exitCode = 2;
        return result;
    };

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::string inlineValue;
        bool hasInline = false;
        if (const std::size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            inlineValue = std::string(arg.substr(eq + 1));
            hasInline = true;
            arg = arg.substr(0, eq);
        }
        auto value = [&](std::string &out) {
            if (hasInline) {
                out = inlineValue;
                return true;
            }
            if (i + 1 >= args.size())
                return false;
            out = args[++i];
            return true;
        };
        std::string v;

        if (arg == "-h" || arg == "--help") {
            result.message = usage();
            return result;
        }
        if (arg == "--ndjson" || arg == "--json" || arg == "--gzip") {
            if (hasInline)
                return fail(std::string(arg) + " takes no value");
            (arg == "--json" ? options.json : arg == "--gzip" ? options.gzip : options.ndjson) = true;
            continue;
        }
        if (std::find(kValueOptions.begin(), kValueOptions.end(), arg) == kValueOptions.end())
            return fail("unknown option " + std::string(arg) + " (see --help)");
        if (!value(v))
            return fail(std::string(arg) + " needs a value");

        if (arg == "--url") {
            std::string error;
            if (!parseUrl(v, options, error))
                return fail("--url " + v + ": " + error);
        } else if (arg == "--path") {
            if (!v.starts_with('/'))
                return fail("--path must start with /");
            options.path = v;
        } else if (arg == "--connections") {
            if (!parseNumber(v, options.connections) || options.connections < 1 || options.connections > 10000)
                return fail("--connections must be 1..10000");
        } else if (arg == "--duration") {
            if (!parseNumber(v, options.durationS) || options.durationS <= 0)
                return fail("--duration must be a positive number of seconds");
        } else if (arg == "--warmup") {
            if (!parseNumber(v, options.warmupS) || options.warmupS < 0)
                return fail("--warmup must be a non-negative number of seconds");
        } else if (arg == "--batch") {
            if (!parseNumber(v, options.batch) || options.batch < 1 || options.batch > 100'000)
                return fail("--batch must be 1..100000");
        } else if (arg == "--keys") {
            if (!parseNumber(v, options.keys) || options.keys < 1 || options.keys > 10'000'000)
                return fail("--keys must be 1..10000000");
        } else if (arg == "--types") {
            if (v == "mixed")
                options.types = TypeMix::Mixed;
            else if (v == "api")
                options.types = TypeMix::ApiOnly;
            else
                return fail("--types must be mixed or api");
        } else if (arg == "--rate") {
            if (!parseNumber(v, options.rate) || options.rate < 0)
                return fail("--rate must be a non-negative number of events per second");
        } else if (arg == "--token") {
            if (v.find_first_of("\r\n") != std::string::npos)
                return fail("--token must not contain line breaks");
            options.token = v;
        } else if (arg == "--timeout") {
            if (!parseNumber(v, options.timeoutS) || options.timeoutS <= 0)
                return fail("--timeout must be a positive number of seconds");
        } else if (arg == "--otlp") {
            if (v == "traces")
                options.format = BodyFormat::OtlpTracesProto;
            else if (v == "traces-json")
                options.format = BodyFormat::OtlpTracesJson;
            else if (v == "metrics")
                options.format = BodyFormat::OtlpMetricsProto;
            else
                return fail("--otlp must be traces, traces-json or metrics");
        } else if (arg == "--seed") {
            if (!parseNumber(v, options.seed))
                return fail("--seed must be a non-negative integer");
        }
    }
    // OTLP goes to its signal's path unless --url or --path named another.
    if (options.format != BodyFormat::Native && options.path == LoadOptions().path)
        options.path = options.format == BodyFormat::OtlpMetricsProto ? "/v1/metrics" : "/v1/traces";
    if (options.gzip && options.format == BodyFormat::Native)
        return fail("--gzip needs --otlp");
    result.options = options;
    return result;
}

} // namespace perfwatch::loadgen
