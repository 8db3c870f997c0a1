// libFuzzer target: the StatsD/DogStatsD parser and translator (UDP port 8125) and the store.
//
// Input: one datagram. The parser's metrics and counts are checked, the translator's events
// must be what the store accepts (valid UTF-8 within the size limit, finite values), and every
// eighth datagram flushes the counters, as the StatsD thread does once per interval.

#include "eventcheck.h"
#include "fuzzcheck.h"
#include "metricstore.h"
#include "statsdparser.h"
#include "statsdtranslator.h"

#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

using namespace perfwatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static StatsdTranslator translator(StatsdTranslatorLimits { .maxGauges = 200, .maxCounters = 200 });
    static MetricStore store(StoreConfig { .maxKeys = 500, .maxServices = 8, .rawHistory = 50 });
    static qint64 nowMs = 1'700'000'000'000;
    static unsigned datagrams = 0;
    const std::string_view datagram(reinterpret_cast<const char *>(data), size);

    std::vector<StatsdMetric> metrics;
    const StatsdParser::Counts counts = StatsdParser::parseDatagram(datagram, metrics);
    FUZZ_CHECK(counts.metricLines + counts.ignoredLines + counts.malformedLines == counts.lines);
    FUZZ_CHECK(metrics.size() >= counts.metricLines);
    for (const StatsdMetric &m : metrics) {
        FUZZ_CHECK(!m.name.empty() && m.name.size() <= StatsdParser::kMaxNameBytes);
        FUZZ_CHECK(validUtf8(m.name));
        FUZZ_CHECK(m.sampleRate >= bounds::kMinSampleRate && m.sampleRate <= 1);
        if (m.type != StatsdMetric::Type::Set)
            FUZZ_CHECK(std::isfinite(m.value));
        if (m.type == StatsdMetric::Type::Gauge)
            FUZZ_CHECK(bounds::isGaugeValue(m.value));
        if (m.type == StatsdMetric::Type::Counter)
            FUZZ_CHECK(std::fabs(m.value) <= bounds::kMaxCounterIncrement);
        if (m.type == StatsdMetric::Type::Timer || m.type == StatsdMetric::Type::Histogram
            || m.type == StatsdMetric::Type::Distribution)
            FUZZ_CHECK(bounds::isDurationMs(m.value));
        // Views into the datagram, never past it.
        FUZZ_CHECK(m.name.data() >= datagram.data() && m.name.data() + m.name.size() <= datagram.data() + size);
    }

    std::vector<IngestEvent> events;
    const StatsdTranslator::Counts translated = translator.translate(datagram, events);
    FUZZ_CHECK(translated.accepted + translated.malformed + translated.ignored == translated.lines);
    FUZZ_CHECK(translated.lines == counts.lines);
    if (++datagrams % 8 == 0) {
        nowMs += 10'000;
        translator.flush(nowMs, events);
    }
    for (const IngestEvent &e : events)
        checkEvent(e, 1024);
    store.insert(events, nowMs);
    translator.clearScratch();
    return 0;
}
