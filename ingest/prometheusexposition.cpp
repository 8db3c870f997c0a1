#include "prometheusexposition.h"

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

namespace perfwatch {

namespace {

/// One metric family: HELP, TYPE and its samples, written contiguously as the format requires.
class Family
{
public:
    Family(const char *name, const char *type, const char *help)
        : m_name(name)
        , m_type(type)
        , m_help(help)
    { }

    /// Adds `<name><suffix>{labels} value`; `labels` is already rendered ("a=\"b\",c=\"d\"").
    void add(const QByteArray &labels, double value, const char *suffix = "")
    {
        m_samples += m_name;
        m_samples += suffix;
        if (!labels.isEmpty())
            m_samples += '{' + labels + '}';
        m_samples += ' ';
        m_samples += PrometheusExposition::formatValue(value);
        m_samples += '\n';
    }

    void writeTo(QByteArray &out) const
    {
        if (m_samples.isEmpty())
            return; // a family without samples says nothing; leave it out
        out += "# HELP ";
        out += m_name;
        out += ' ';
        out += m_help;
        out += "\n# TYPE ";
        out += m_name;
        out += ' ';
        out += m_type;
        out += '\n';
        out += m_samples;
    }

private:
    const char *m_name;
    const char *m_type;
    const char *m_help;
    QByteArray m_samples;
};

/// Renders `k1="v1",k2="v2"` from alternating names and values.
QByteArray labels(std::initializer_list<std::pair<const char *, std::string_view>> pairs)
{
    QByteArray out;
    for (const auto &[name, value] : pairs) {
        if (!out.isEmpty())
            out += ',';
        out += name;
        out += "=\"";
        out += PrometheusExposition::escapeLabelValue(value);
        out += '"';
    }
    return out;
}

QByteArray withLabel(const QByteArray &base, const char *name, std::string_view value)
{
    QByteArray out = base;
    if (!out.isEmpty())
        out += ',';
    out += name;
    out += "=\"";
    out += PrometheusExposition::escapeLabelValue(value);
    out += '"';
    return out;
}

/// Splits "GET:/api/trips" or "find:trips" at the first colon; a key without one ("other")
/// has an empty first part.
std::pair<std::string_view, std::string_view> splitKey(std::string_view name)
{
    const std::size_t colon = name.find(':');
    if (colon == std::string_view::npos)
        return { {}, name };
    return { name.substr(0, colon), name.substr(colon + 1) };
}

std::string_view view(const QByteArray &utf8)
{
    return { utf8.constData(), std::size_t(utf8.size()) };
}

/// The summary quantiles written for every latency key.
constexpr std::array<std::pair<double, const char *>, 3> kQuantiles { { { 0.5, "0.5" }, { 0.95, "0.95" },
    { 0.99, "0.99" } } };

} // namespace

QByteArray PrometheusExposition::escapeLabelValue(std::string_view value)
{
    QByteArray out;
    out.reserve(qsizetype(value.size()));
    for (const char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

QByteArray PrometheusExposition::formatValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, r.ptr - buffer);
}

QByteArray PrometheusExposition::render(const PrometheusInput &input)
{
    Family apiRequests("perfwatch_api_requests_total", "counter", "HTTP requests reported, by endpoint.");
    Family apiErrors("perfwatch_api_errors_total", "counter", "HTTP requests answered with a 5xx status.");
    Family apiDuration("perfwatch_api_request_duration_seconds", "summary",
        "HTTP request latency; quantiles over the score window, sum and count since start.");
    Family dbOperations("perfwatch_db_operations_total", "counter", "Database operations reported.");
    Family dbErrors("perfwatch_db_errors_total", "counter", "Database operations that failed.");
    Family dbDuration("perfwatch_db_operation_duration_seconds", "summary",
        "Database operation latency; quantiles over the score window, sum and count since start.");
    Family stepRuns("perfwatch_processing_runs_total", "counter", "Runs of each processing step.");
    Family stepItems("perfwatch_processing_items_total", "counter", "Items handled by each processing step.");
    Family stepDuration("perfwatch_processing_duration_seconds", "summary",
        "Processing step duration; quantiles over the score window, sum and count since start.");
    Family resources("perfwatch_resource_value", "gauge",
        "Last value of each reported gauge in the score window (name as the service reported it).");
    Family cacheHits("perfwatch_cache_hits_total", "counter", "Cache hits reported.");
    Family cacheMisses("perfwatch_cache_misses_total", "counter", "Cache misses reported.");

    std::unordered_map<KeyId, const KeyAggregate *> windowById;
    windowById.reserve(input.window.size());
    for (const KeyAggregate &k : input.window)
        windowById.emplace(k.meta.id, &k);

    for (const KeyTotals &t : input.totals) {
        const QByteArray service = t.meta.service.toUtf8();
        const QByteArray name = t.meta.name.toUtf8();
        const auto [first, second] = splitKey(view(name));
        const auto it = windowById.find(t.meta.id);
        const KeyAggregate *windowed = it == windowById.end() ? nullptr : it->second;

        const auto summary = [&](Family &family, const QByteArray &base) {
            for (const auto &[q, text] : kQuantiles) {
                const double ms = windowed && windowed->agg.stats.count > 0 ? windowed->agg.quantile(q) : NAN;
                family.add(withLabel(base, "quantile", text), ms / 1000.0);
            }
            family.add(base, t.sum / 1000.0, "_sum");
            family.add(base, double(t.count), "_count");
        };

        switch (t.meta.kind) {
        case MetricKind::Api: {
            const QByteArray l = labels({ { "service", view(service) }, { "method", first }, { "route", second } });
            apiRequests.add(l, double(t.count));
            apiErrors.add(l, double(t.errors));
            summary(apiDuration, l);
            break;
        }
        case MetricKind::Db: {
            const QByteArray l
                = labels({ { "service", view(service) }, { "operation", first }, { "collection", second } });
            dbOperations.add(l, double(t.count));
            dbErrors.add(l, double(t.errors));
            summary(dbDuration, l);
            break;
        }
        case MetricKind::Processing: {
            const QByteArray l = labels({ { "service", view(service) }, { "step", view(name) } });
            stepRuns.add(l, double(t.count));
            stepItems.add(l, double(t.items));
            summary(stepDuration, l);
            break;
        }
        case MetricKind::Gauge:
            if (windowed && windowed->agg.stats.count > 0)
                resources.add(
                    labels({ { "service", view(service) }, { "name", view(name) } }), windowed->agg.stats.last);
            break;
        case MetricKind::Cache: {
            const QByteArray l = labels({ { "service", view(service) }, { "cache", view(name) } });
            cacheHits.add(l, double(t.items));
            cacheMisses.add(l, double(t.misses));
            break;
        }
        }
    }

    Family score(
        "perfwatch_performance_score", "gauge", "Performance score 0-100 over the score window (NaN without data).");
    score.add({}, input.band == Band::NoData ? NAN : double(input.score));
    Family status("perfwatch_performance_status", "gauge", "1 for the current score band, 0 for the others.");
    for (const Band b : { Band::Excellent, Band::Good, Band::Fair, Band::Poor, Band::NoData })
        status.add(labels({ { "status", view(bandName(b).toUtf8()) } }), b == input.band ? 1 : 0);
    Family recommendations("perfwatch_recommendations", "gauge", "Open recommendations, by priority.");
    std::map<int, int> byPriority { { int(Priority::High), 0 }, { int(Priority::Medium), 0 },
        { int(Priority::Low), 0 } };
    for (const Recommendation &r : input.recommendations)
        ++byPriority[int(r.priority)];
    for (const auto &[priority, count] : byPriority)
        recommendations.add(labels({ { "priority", view(priorityName(Priority(priority)).toUtf8()) } }), count);

    Family ingestRequests("perfwatch_ingest_requests_total", "counter", "HTTP requests answered by the ingest port.");
    ingestRequests.add({}, double(input.ingest.requests));
    Family ingestAccepted(
        "perfwatch_ingest_accepted_events_total", "counter", "Events accepted over HTTP (native and OTLP).");
    ingestAccepted.add({}, double(input.ingest.acceptedEvents));
    Family ingestRejected("perfwatch_ingest_rejected_events_total", "counter", "Events or spans rejected over HTTP.");
    ingestRejected.add({}, double(input.ingest.rejectedEvents));
    Family ingestRefused(
        "perfwatch_ingest_refused_requests_total", "counter", "HTTP requests answered with a 4xx or 5xx status.");
    ingestRefused.add({}, double(input.ingest.refusedRequests));
    Family ingestBytes("perfwatch_ingest_received_bytes_total", "counter", "Bytes received on the ingest port.");
    ingestBytes.add({}, double(input.ingest.bytesReceived));
    Family ingestConnections("perfwatch_ingest_open_connections", "gauge", "Open connections to the ingest port.");
    ingestConnections.add({}, double(input.ingest.openConnections));

    Family storeEvents("perfwatch_store_events_total", "counter", "Events stored since start, from every source.");
    storeEvents.add({}, double(input.store.events));
    Family storeKeys("perfwatch_store_keys", "gauge", "Distinct metric keys in the store.");
    storeKeys.add({}, double(input.store.keys));
    Family storeOverflow("perfwatch_store_overflow_events_total", "counter",
        "Events stored under an \"other\" key because the key cap was reached.");
    storeOverflow.add({}, double(input.store.overflowEvents));
    Family storeLate("perfwatch_store_dropped_late_events_total", "counter", "Events dropped as too late.");
    storeLate.add({}, double(input.store.droppedLate));

    Family statsdDatagrams("perfwatch_statsd_datagrams_total", "counter", "StatsD datagrams received.");
    Family statsdLines(
        "perfwatch_statsd_lines_total", "counter", "StatsD lines received, by outcome (accepted, malformed, ignored).");
    Family statsdDropped("perfwatch_statsd_dropped_datagrams_total", "counter",
        "StatsD datagrams the kernel dropped because the receive buffer was full.");
    if (input.statsd) {
        statsdDatagrams.add({}, double(input.statsd->datagrams));
        statsdDropped.add({}, double(input.statsd->droppedDatagrams));
        statsdLines.add(labels({ { "outcome", "accepted" } }), double(input.statsd->acceptedLines));
        statsdLines.add(labels({ { "outcome", "malformed" } }), double(input.statsd->malformedLines));
        statsdLines.add(labels({ { "outcome", "ignored" } }), double(input.statsd->ignoredLines));
    }

    QByteArray out;
    out.reserve(4096 + qsizetype(input.totals.size()) * 512);
    for (const Family *f : { &apiRequests, &apiErrors, &apiDuration, &dbOperations, &dbErrors, &dbDuration, &stepRuns,
             &stepItems, &stepDuration, &resources, &cacheHits, &cacheMisses, &score, &status, &recommendations,
             &ingestRequests, &ingestAccepted, &ingestRejected, &ingestRefused, &ingestBytes, &ingestConnections,
             &storeEvents, &storeKeys, &storeOverflow, &storeLate, &statsdDatagrams, &statsdDropped, &statsdLines })
        f->writeTo(out);
    return out;
}

} // namespace perfwatch
