#include "statsdtranslator.h"

#include "routenormalizer.h"
#include "valuebounds.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace perfwatch {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/// "trip_cache.hit" -> ("trip_cache", true); "trip_cache.misses" -> ("trip_cache", false).
bool cacheCounter(std::string_view name, std::string_view &cache, bool &hit)
{
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0)
        return false;
    const std::string_view suffix = name.substr(dot + 1);
    if (suffix == "hit" || suffix == "hits")
        hit = true;
    else if (suffix == "miss" || suffix == "misses")
        hit = false;
    else
        return false;
    cache = name.substr(0, dot);
    return true;
}

void stateKey(std::string &key, std::string_view service, std::string_view name)
{
    key.assign(service);
    key.push_back('\0');
    key.append(name);
}

} // namespace

StatsdTranslator::StatsdTranslator(StatsdTranslatorLimits limits)
    : m_limits(limits)
{ }

StatsdTranslator::Counts StatsdTranslator::translate(std::string_view datagram, std::vector<IngestEvent> &out)
{
    Counts counts;
    while (!datagram.empty()) {
        const std::size_t nl = datagram.find('\n');
        const std::string_view line = datagram.substr(0, nl);
        m_metrics.clear();
        switch (StatsdParser::parseLine(line, m_metrics)) {
        case StatsdParser::LineResult::Blank:
            break;
        case StatsdParser::LineResult::Ignored:
            ++counts.lines;
            ++counts.ignored;
            break;
        case StatsdParser::LineResult::Malformed:
            ++counts.lines;
            ++counts.malformed;
            break;
        case StatsdParser::LineResult::Metric: {
            ++counts.lines;
            // A line is one outcome: its values share name, type and tags.
            const std::size_t before = out.size();
            Outcome outcome = Outcome::Accepted;
            for (const StatsdMetric &metric : m_metrics) {
                outcome = add(metric, out);
                if (outcome != Outcome::Accepted)
                    break;
            }
            if (outcome == Outcome::Malformed)
                out.resize(before);
            ++(outcome == Outcome::Accepted       ? counts.accepted
                    : outcome == Outcome::Ignored ? counts.ignored
                                                  : counts.malformed);
            break;
        }
        }
        if (nl == std::string_view::npos)
            break;
        datagram.remove_prefix(nl + 1);
    }
    return counts;
}

StatsdTranslator::Outcome StatsdTranslator::add(const StatsdMetric &metric, std::vector<IngestEvent> &out)
{
    const std::string_view service = StatsdParser::tagValue(metric.tags, "service");
    if (service.size() > m_limits.maxStringBytes)
        return Outcome::Malformed;
    switch (metric.type) {
    case StatsdMetric::Type::Timer:
    case StatsdMetric::Type::Histogram:
    case StatsdMetric::Type::Distribution:
        return addDuration(metric, service, out);
    case StatsdMetric::Type::Counter:
        return addCounter(metric, service);
    case StatsdMetric::Type::Gauge:
        return addGauge(metric, service, out);
    case StatsdMetric::Type::Set:
        return Outcome::Ignored;
    }
    return Outcome::Malformed;
}

StatsdTranslator::Outcome StatsdTranslator::addDuration(
    const StatsdMetric &metric, std::string_view service, std::vector<IngestEvent> &out)
{
    IngestEvent e;
    e.service = service;
    e.value = metric.value;
    const std::string_view method = StatsdParser::tagValue(metric.tags, "method");
    const std::string_view route = StatsdParser::tagValue(metric.tags, "route");
    const std::string_view operation = StatsdParser::tagValue(metric.tags, "operation");
    const std::string_view collection = StatsdParser::tagValue(metric.tags, "collection");
    if (!method.empty() && !route.empty()) {
        if (!std::all_of(method.begin(), method.end(), isTokenChar))
            return Outcome::Malformed;
        std::string_view status = StatsdParser::tagValue(metric.tags, "status");
        if (status.empty())
            status = StatsdParser::tagValue(metric.tags, "status_code");
        int code = 200;
        if (!status.empty()) {
            const auto r = std::from_chars(status.data(), status.data() + status.size(), code);
            if (r.ec != std::errc() || r.ptr != status.data() + status.size() || code < 100 || code > 599)
                return Outcome::Malformed;
        }
        std::string_view path = route;
        if (normalizeRoute(path, m_route))
            path = m_route;
        if (path.empty())
            path = "/";
        if (method.size() + 1 + path.size() > m_limits.maxStringBytes)
            return Outcome::Malformed;
        e.kind = MetricKind::Api;
        e.name = compose(method, path, true);
        e.status = quint16(code);
        e.error = code >= 500;
    } else if (!operation.empty() && !collection.empty()) {
        if (operation.size() + 1 + collection.size() > m_limits.maxStringBytes)
            return Outcome::Malformed;
        const std::string_view error = StatsdParser::tagValue(metric.tags, "error");
        e.kind = MetricKind::Db;
        e.name = compose(operation, collection, false);
        e.error = error == "true" || error == "1";
    } else {
        e.kind = MetricKind::Processing;
        e.name = metric.name;
        e.items = 1;
    }
    // A sampled timer stands for 1/rate timers: count it that often.
    const double copies = std::round(1.0 / metric.sampleRate);
    const int n = int(std::clamp(copies, 1.0, double(m_limits.maxCopies)));
    for (int i = 0; i < n; ++i)
        out.push_back(e);
    return Outcome::Accepted;
}

StatsdTranslator::Outcome StatsdTranslator::addCounter(const StatsdMetric &metric, std::string_view service)
{
    const double amount = metric.value / metric.sampleRate;
    std::string_view cacheName;
    bool hit = false;
    if (cacheCounter(metric.name, cacheName, hit)) {
        if (amount < 0)
            return Outcome::Malformed; // hits and misses only grow
        stateKey(m_key, service, cacheName);
        auto it = m_caches.find(m_key);
        if (it == m_caches.end()) {
            if (m_caches.size() >= m_limits.maxCounters)
                return Outcome::Ignored;
            it = m_caches.emplace(m_key, Cache { std::string(service), std::string(cacheName) }).first;
        }
        (hit ? it->second.hits : it->second.misses) += amount;
        if (!it->second.changed) {
            it->second.changed = true;
            m_changedCaches.push_back(&it->second);
        }
        return Outcome::Accepted;
    }
    if (metric.name.size() + std::strlen(".per_second") > m_limits.maxStringBytes)
        return Outcome::Malformed;
    stateKey(m_key, service, metric.name);
    auto it = m_counters.find(m_key);
    if (it == m_counters.end()) {
        if (m_counters.size() >= m_limits.maxCounters)
            return Outcome::Ignored;
        Counter c;
        c.service.assign(service);
        c.name.assign(metric.name);
        c.rateName = c.name + ".per_second";
        it = m_counters.emplace(m_key, std::move(c)).first;
    }
    it->second.total += amount;
    it->second.interval += amount;
    it->second.active = true;
    if (!it->second.changed) {
        it->second.changed = true;
        m_changedCounters.push_back(&it->second);
    }
    return Outcome::Accepted;
}

StatsdTranslator::Outcome StatsdTranslator::addGauge(
    const StatsdMetric &metric, std::string_view service, std::vector<IngestEvent> &out)
{
    stateKey(m_key, service, metric.name);
    double value = metric.value;
    auto it = m_gauges.find(m_key);
    if (metric.delta && it != m_gauges.end())
        value = it->second + metric.value;
    if (!bounds::isGaugeValue(value))
        return Outcome::Malformed; // a delta that would carry the gauge past +-1e300: the old value stays
    if (it != m_gauges.end())
        it->second = value;
    else if (m_gauges.size() < m_limits.maxGauges)
        m_gauges.emplace(m_key, value);
    IngestEvent e;
    e.kind = MetricKind::Gauge;
    e.service = service;
    e.name = metric.name;
    e.value = value;
    out.push_back(e);
    return Outcome::Accepted;
}

namespace {

// Held within the gauge bounds: many lines of 2^53 / 1e-6 each could pass them.
constexpr double kMaxCounterValue = bounds::kMaxGaugeMagnitude;
// A counter sent as 1e300 (or summed to infinity) must not overflow the conversion to an integer
// count (undefined behaviour, found by fuzz/fuzz_statsd): one interval counts at most this many
// lookups and the excess is dropped.
constexpr double kMaxCacheCount = 1e15;

} // namespace

double StatsdTranslator::secondsSinceFlush(qint64 nowMs) const
{
    return m_lastFlushMs > 0 && nowMs > m_lastFlushMs ? double(nowMs - m_lastFlushMs) / 1000.0 : 0.0;
}

void StatsdTranslator::appendCounter(
    const Counter &c, qint64 nowMs, double seconds, bool withTotal, std::vector<IngestEvent> &out)
{
    IngestEvent total;
    total.kind = MetricKind::Gauge;
    total.service = c.service;
    total.name = c.name;
    total.value = std::clamp(c.total, -kMaxCounterValue, kMaxCounterValue);
    total.timestampMs = nowMs;
    if (withTotal)
        out.push_back(total);
    if (seconds > 0) {
        IngestEvent rate = total;
        rate.name = c.rateName;
        rate.value = std::clamp(c.interval / seconds, -kMaxCounterValue, kMaxCounterValue);
        out.push_back(rate);
    }
}

void StatsdTranslator::appendCache(
    const Cache &c, quint64 hits, quint64 misses, qint64 nowMs, std::vector<IngestEvent> &out)
{
    IngestEvent e;
    e.kind = MetricKind::Cache;
    e.service = c.service;
    e.name = c.name;
    e.items = hits;
    e.misses = misses;
    e.timestampMs = nowMs;
    out.push_back(e);
}

void StatsdTranslator::takeChanged(qint64 nowMs, std::vector<IngestEvent> &out)
{
    const double seconds = secondsSinceFlush(nowMs);
    for (Counter *c : m_changedCounters) {
        c->changed = false;
        appendCounter(*c, nowMs, seconds, true, out);
    }
    m_changedCounters.clear();
    for (Cache *cache : m_changedCaches) {
        cache->changed = false;
        const auto whole = [](double v) { return quint64(std::min(std::floor(v), kMaxCacheCount)); };
        const quint64 hits = whole(cache->hits);
        const quint64 misses = whole(cache->misses);
        if (hits <= cache->heldHits && misses <= cache->heldMisses)
            continue;
        appendCache(*cache, hits - std::min(hits, cache->heldHits), misses - std::min(misses, cache->heldMisses),
            nowMs, out);
        cache->heldHits = std::max(hits, cache->heldHits);
        cache->heldMisses = std::max(misses, cache->heldMisses);
    }
    m_changedCaches.clear();
}

void StatsdTranslator::flush(qint64 nowMs, std::vector<IngestEvent> &out)
{
    for (Counter *c : m_changedCounters)
        c->changed = false;
    m_changedCounters.clear();
    for (Cache *cache : m_changedCaches)
        cache->changed = false;
    m_changedCaches.clear();
    const double seconds = secondsSinceFlush(nowMs);
    m_lastFlushMs = nowMs;
    for (auto &[key, c] : m_counters) {
        if (!c.active && c.quietReported)
            continue;
        appendCounter(c, nowMs, seconds, c.active, out);
        c.quietReported = !c.active;
        c.active = false;
        c.interval = 0;
    }
    for (auto &[key, cache] : m_caches) {
        cache.heldHits = 0;
        cache.heldMisses = 0;
        const double hits = std::min(std::floor(cache.hits), kMaxCacheCount);
        const double misses = std::min(std::floor(cache.misses), kMaxCacheCount);
        if (hits <= 0 && misses <= 0)
            continue;
        appendCache(cache, quint64(hits), quint64(misses), nowMs, out);
        cache.hits = hits < kMaxCacheCount ? cache.hits - hits : 0;
        cache.misses = misses < kMaxCacheCount ? cache.misses - misses : 0;
    }
}

std::string_view StatsdTranslator::compose(std::string_view a, std::string_view b, bool upperA)
{
    const std::size_t size = a.size() + 1 + b.size();
    char *out = m_arena.allocate(size);
    for (std::size_t i = 0; i < a.size(); ++i)
        out[i] = upperA && a[i] >= 'a' && a[i] <= 'z' ? char(a[i] - 'a' + 'A') : a[i];
    out[a.size()] = ':';
    std::memcpy(out + a.size() + 1, b.data(), b.size());
    return { out, size };
}

} // namespace perfwatch
