#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

/// One measurement of a StatsD line. Views point into the parsed datagram.
struct StatsdMetric
{
    enum class Type : unsigned char
    {
        Counter, ///< |c
        Timer, ///< |ms
        Histogram, ///< |h (DogStatsD)
        Distribution, ///< |d (DogStatsD)
        Gauge, ///< |g
        Set, ///< |s
    };
    std::string_view name;
    Type type = Type::Counter;
    double value = 0; ///< not used by sets
    std::string_view text; ///< the value as sent (the member of a set)
    bool delta = false; ///< gauge value with an explicit sign: "+3" or "-3" adjusts the gauge
    double sampleRate = 1; ///< in [1e-6, 1] (valuebounds.h)
    std::string_view tags; ///< DogStatsD tags as sent, without '#': "service:api,env:prod"
};

/// Parses StatsD and DogStatsD datagrams. Qt-free and allocation-light, so it can be fuzzed alone.
///
/// Line grammar: `name:value[:value...]|type[|@rate][|#tag1:v,tag2][|c:container][|T<unix>]`,
/// one or more lines per datagram separated by '\n' (a trailing '\r' is dropped). Types: c, ms,
/// h, d, g, s. Several values on one line (DogStatsD 1.1) are several metrics. Names and values
/// must be valid UTF-8, names at most 1 KiB. Values must be what a real measurement can be
/// (valuebounds.h): timers 0 to 1e12 ms, gauges within +-1e300, counters within +-2^53, sample
/// rates from 1e-6 to 1. DogStatsD events (`_e{...}`) and service checks (`_sc|...`) are
/// recognised and ignored. Anything else is malformed: counted, never fatal.
class StatsdParser
{
public:
    enum class LineResult : unsigned char
    {
        Blank, ///< empty line: not counted
        Metric, ///< one or more metrics appended
        Ignored, ///< valid DogStatsD that is not a metric (events, service checks)
        Malformed,
    };

    struct Counts
    {
        std::size_t lines = 0; ///< non-blank lines
        std::size_t metricLines = 0;
        std::size_t ignoredLines = 0;
        std::size_t malformedLines = 0;
    };

    static constexpr std::size_t kMaxNameBytes = 1024;

    /// Parses one line, appending its metrics to `out`. On Malformed, `error` (when given) says why.
    static LineResult parseLine(std::string_view line, std::vector<StatsdMetric> &out, std::string *error = nullptr);
    /// Parses every line of a datagram.
    static Counts parseDatagram(std::string_view datagram, std::vector<StatsdMetric> &out);

    /// The value of tag `key` ("service" in "service:api,env:prod" -> "api"); empty when absent.
    static std::string_view tagValue(std::string_view tags, std::string_view key);
    /// Whether `text` is valid UTF-8 (no overlongs, no surrogates).
    static bool isValidUtf8(std::string_view text);
};

} // namespace perfwatch
