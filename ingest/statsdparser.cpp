#include "statsdparser.h"

#include "valuebounds.h"

#include <charconv>
#include <cmath>

namespace perfwatch {

namespace {

bool fail(std::string *error, const char *why)
{
    if (error)
        error->assign(why);
    return false;
}

/// A finite number in the plain decimal form StatsD clients send ("12", "-3.5", "1e3").
bool parseNumber(std::string_view text, double &out)
{
    if (text.empty())
        return false;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size() && std::isfinite(out);
}

bool typeOf(std::string_view text, StatsdMetric::Type &type)
{
    using T = StatsdMetric::Type;
    if (text == "c")
        type = T::Counter;
    else if (text == "ms")
        type = T::Timer;
    else if (text == "h")
        type = T::Histogram;
    else if (text == "d")
        type = T::Distribution;
    else if (text == "g")
        type = T::Gauge;
    else if (text == "s")
        type = T::Set;
    else
        return false;
    return true;
}

bool allDigits(std::string_view text)
{
    if (text.empty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

} // namespace

bool StatsdParser::isValidUtf8(std::string_view text)
{
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const auto *end = p + text.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        unsigned int cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        const unsigned int minimum = extra == 1 ? 0x80 : extra == 2 ? 0x800 : 0x10000;
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

std::string_view StatsdParser::tagValue(std::string_view tags, std::string_view key)
{
    while (!tags.empty()) {
        const std::size_t comma = tags.find(',');
        const std::string_view tag = tags.substr(0, comma);
        const std::size_t colon = tag.find(':');
        if (colon != std::string_view::npos && tag.substr(0, colon) == key)
            return tag.substr(colon + 1);
        if (comma == std::string_view::npos)
            break;
        tags.remove_prefix(comma + 1);
    }
    return {};
}

StatsdParser::LineResult StatsdParser::parseLine(
    std::string_view line, std::vector<StatsdMetric> &out, std::string *error)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.empty())
        return LineResult::Blank;
    if (line.starts_with("_e{") || line.starts_with("_sc|"))
        return LineResult::Ignored;
    const auto malformed = [&](const char *why) {
        fail(error, why);
        return LineResult::Malformed;
    };
    if (!isValidUtf8(line))
        return malformed("not valid UTF-8");

    const std::size_t colon = line.find(':');
    const std::size_t firstPipe = line.find('|');
    if (colon == std::string_view::npos || firstPipe == std::string_view::npos || colon > firstPipe)
        return malformed("expected name:value|type");
    StatsdMetric metric;
    metric.name = line.substr(0, colon);
    if (metric.name.empty())
        return malformed("empty metric name");
    if (metric.name.size() > kMaxNameBytes)
        return malformed("metric name longer than 1024 bytes");
    for (const char c : metric.name) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '#' || c == '@')
            return malformed("metric name contains a space, '#' or '@'");
    }
    const std::string_view values = line.substr(colon + 1, firstPipe - colon - 1);

    // Fields after the type, in any order.
    std::string_view rest = line.substr(firstPipe + 1);
    const std::size_t typeEnd = rest.find('|');
    if (!typeOf(rest.substr(0, typeEnd), metric.type))
        return malformed("unknown type (expected c, ms, h, d, g or s)");
    rest = typeEnd == std::string_view::npos ? std::string_view() : rest.substr(typeEnd + 1);
    bool haveRate = false;
    bool haveTags = false;
    while (typeEnd != std::string_view::npos) {
        const std::size_t pipe = rest.find('|');
        const std::string_view field = rest.substr(0, pipe);
        if (field.starts_with('@')) {
            // Below the floor a counter of 1 would count as a huge number (1e300 for @1e-300).
            if (haveRate || !parseNumber(field.substr(1), metric.sampleRate)
                || !(metric.sampleRate >= bounds::kMinSampleRate) || metric.sampleRate > 1)
                return malformed("sample rate must be a number from 0.000001 to 1");
            haveRate = true;
        } else if (field.starts_with('#')) {
            if (haveTags)
                return malformed("more than one tag field");
            metric.tags = field.substr(1);
            haveTags = true;
        } else if (field.starts_with("c:") || field.starts_with("e:")) {
            // DogStatsD container id and external data: not used
        } else if (field.starts_with('T') && allDigits(field.substr(1))) {
            // DogStatsD client-side timestamp: PerfWatch stamps metrics on receipt
        } else {
            return malformed("unknown field after the type");
        }
        if (pipe == std::string_view::npos)
            break;
        rest.remove_prefix(pipe + 1);
    }

    const std::size_t before = out.size();
    std::string_view remaining = values;
    for (;;) {
        const std::size_t next = remaining.find(':');
        std::string_view text = remaining.substr(0, next);
        metric.text = text;
        metric.delta = false;
        if (metric.type == StatsdMetric::Type::Set) {
            if (text.empty()) {
                out.resize(before);
                return malformed("empty set member");
            }
        } else {
            if (metric.type == StatsdMetric::Type::Gauge && (text.starts_with('+') || text.starts_with('-')))
                metric.delta = true;
            if (text.starts_with('+'))
                text.remove_prefix(1); // from_chars takes no '+'
            if (!parseNumber(text, metric.value)) {
                out.resize(before);
                return malformed("value is not a finite number");
            }
            const bool isDuration = metric.type == StatsdMetric::Type::Timer
                || metric.type == StatsdMetric::Type::Histogram || metric.type == StatsdMetric::Type::Distribution;
            if (isDuration && metric.value < 0) {
                out.resize(before);
                return malformed("a timer value must be >= 0");
            }
            if (isDuration && !bounds::isDurationMs(metric.value)) {
                out.resize(before);
                return malformed("a timer value must be at most 1e12 ms (about 31.7 years)");
            }
            if (metric.type == StatsdMetric::Type::Gauge && !bounds::isGaugeValue(metric.value)) {
                out.resize(before);
                return malformed("a gauge value must be from -1e300 to 1e300");
            }
            if (metric.type == StatsdMetric::Type::Counter
                && !(std::fabs(metric.value) <= bounds::kMaxCounterIncrement)) {
                out.resize(before);
                return malformed("a counter value must be from -2^53 to 2^53");
            }
        }
        out.push_back(metric);
        if (next == std::string_view::npos)
            break;
        remaining.remove_prefix(next + 1);
    }
    return LineResult::Metric;
}

StatsdParser::Counts StatsdParser::parseDatagram(std::string_view datagram, std::vector<StatsdMetric> &out)
{
    Counts counts;
    while (!datagram.empty()) {
        const std::size_t nl = datagram.find('\n');
        const std::string_view line = datagram.substr(0, nl);
        switch (parseLine(line, out)) {
        case LineResult::Blank:
            break;
        case LineResult::Metric:
            ++counts.lines;
            ++counts.metricLines;
            break;
        case LineResult::Ignored:
            ++counts.lines;
            ++counts.ignoredLines;
            break;
        case LineResult::Malformed:
            ++counts.lines;
            ++counts.malformedLines;
            break;
        }
        if (nl == std::string_view::npos)
            break;
        datagram.remove_prefix(nl + 1);
    }
    return counts;
}

} // namespace perfwatch
