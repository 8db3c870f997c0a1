#include "performanceroutes.h"

#include "analyzer.h"
#include "engine.h"
#include "grpccounters.h"
#include "historydatabase.h"
#include "ingestendpoint.h"
#include "ingestserver.h"
#include "jsonwriter.h"
#include "metricstore.h"
#include "otlplogsendpoint.h"
#include "otlpmetricsendpoint.h"
#include "otlpmetricsstate.h"
#include "otlptraceendpoint.h"
#include "prometheusexposition.h"
#include "statsdcounters.h"
#include "webpage.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUrlQuery>
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <tuple>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 3'600'000;
constexpr int kMs = 3; ///< decimals of milliseconds in answers
constexpr int kRate = 4; ///< decimals of ratios (error rate, hit rate)

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// ISO 8601 in UTC with a Z, to the second: "2024-01-20T15:30:00Z".
QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// Milliseconds rounded to 3 decimals; 0 where there is nothing to measure.
double ms(double value)
{
    return std::isfinite(value) ? value : 0.0;
}

/// The latency fields of a key; `approximate` says its percentiles were interpolated inside
/// histogram buckets (OTLP explicit-bucket metrics), while count, avg, min and max are exact.
void writeLatency(JsonWriter &json, const KeyAggregate &key)
{
    const Aggregate &agg = key.agg;
    const MetricStats &s = agg.stats;
    json.field("avg_duration_ms", ms(s.avg()), kMs)
        .field("max_duration_ms", ms(s.max), kMs)
        .field("min_duration_ms", ms(s.min), kMs)
        .field("p50_duration_ms", ms(agg.quantile(0.50)), kMs)
        .field("p95_duration_ms", ms(agg.quantile(0.95)), kMs)
        .field("p99_duration_ms", ms(agg.quantile(0.99)), kMs)
        .field("approximate", key.meta.approximate);
}

/// Parses ?hours=N: a finite number in (0, 48]; 24 when absent.
bool parseHours(const QHttpServerRequest &request, double &hours)
{
    const QUrlQuery query = request.query();
    hours = 24;
    if (!query.hasQueryItem(u"hours"_s))
        return true;
    bool ok = false;
    hours = query.queryItemValue(u"hours"_s).toDouble(&ok);
    return ok && std::isfinite(hours) && hours > 0 && hours <= 48;
}

void writeCounters(JsonWriter &json, const IngestCountersSnapshot &c, const StatsdCounters *statsd,
    const GrpcCounters *grpc, const OtlpMetricsState *metrics)
{
    json.beginObject()
        .field("open_connections", c.openConnections)
        .field("requests", c.requests)
        .field("accepted_events", c.acceptedEvents)
        .field("rejected_events", c.rejectedEvents)
        .field("refused_requests", c.refusedRequests)
        .field("bytes_received", c.bytesReceived)
        .field("buffered_body_bytes", c.bufferedBodyBytes);
    json.key("statsd");
    if (statsd) {
        const StatsdCountersSnapshot s = statsd->snapshot();
        json.beginObject()
            .field("listening", s.listening)
            .field("port", int(s.port))
            .field("datagrams", s.datagrams)
            .field("lines", s.lines)
            .field("accepted_lines", s.acceptedLines)
            .field("malformed_lines", s.malformedLines)
            .field("ignored_lines", s.ignoredLines)
            .field("events", s.events)
            .field("dropped_datagrams", s.droppedDatagrams)
            .field("truncated_datagrams", s.truncatedDatagrams)
            .field("receive_buffer_bytes", s.receiveBufferBytes)
            .endObject();
    } else {
        json.null();
    }
    json.key("grpc");
    if (grpc) {
        const GrpcCountersSnapshot g = grpc->snapshot();
        json.beginObject()
            .field("listening", g.listening)
            .field("port", int(g.port))
            .field("requests", g.requests)
            .field("accepted_events", g.acceptedEvents)
            .field("rejected_events", g.rejectedEvents)
            .field("refused_requests", g.refusedRequests)
            .endObject();
    } else {
        json.null();
    }
    json.key("otlp_metrics");
    if (metrics) {
        const OtlpMetricsState::Counters m = metrics->counters();
        json.beginObject()
            .field("data_points", m.points)
            .field("baselines", m.baselines)
            .field("counted_by_spans", m.coveredBySpans)
            .field("waiting_for_spans", m.held)
            .field("streams", m.streams)
            .endObject();
    } else {
        json.null();
    }
    json.endObject();
}

/// Log records counted since start: totals by severity, and per service with the error-log rate.
void writeLogs(JsonWriter &json, const LogBook::Snapshot &logs)
{
    const auto bySeverity = [&json](const std::array<quint64, LogBook::SeverityCount> &counts) {
        json.beginObject();
        for (std::size_t s = LogBook::Trace; s < LogBook::SeverityCount; ++s)
            json.field(LogBook::severityName(LogBook::Severity(s)), counts[s]);
        json.field(LogBook::severityName(LogBook::Unspecified), counts[LogBook::Unspecified]);
        json.endObject();
    };
    json.beginObject().field("records", logs.records).key("by_severity");
    bySeverity(logs.bySeverity);
    json.key("services").beginArray();
    for (const LogBook::ServiceCounts &c : logs.services) {
        const QByteArray service = c.service.toUtf8();
        json.beginObject()
            .field("service", std::string_view(service.constData(), std::size_t(service.size())))
            .field("records", c.records)
            .field("errors", c.errors)
            .field("errors_last_5_min", c.errorsLast5Min)
            .field("error_logs_per_min", c.errorsPerMinute, 2)
            .key("by_severity");
        bySeverity(c.bySeverity);
        json.endObject();
    }
    json.endArray().endObject();
}

/// The step of a timeseries over `minutes`: at most about 120 points, on tier boundaries.
qint64 seriesStepMs(int minutes)
{
    if (minutes <= 15)
        return 10'000;
    if (minutes <= 120)
        return kMinute;
    if (minutes <= 600)
        return 5 * kMinute;
    return 15 * kMinute;
}

void writePersistence(JsonWriter &json, const PersistenceStatus &p)
{
    json.beginObject().field("enabled", p.enabled).field("healthy", p.healthy).field("path", p.path);
    json.key("last_error");
    if (p.lastError.isEmpty())
        json.null();
    else
        json.value(p.lastError);
    json.key("last_flush");
    if (p.lastFlushMs > 0)
        json.value(isoTime(p.lastFlushMs));
    else
        json.null();
    // Exact milliseconds: what a crash could lose is what arrived after saved_up_to_ms.
    json.field("saved_up_to_ms", p.savedUpToMs).field("last_flush_duration_ms", p.lastFlushDurationMs);
    json.field("pending_rows", quint64(p.pendingRows)).field("dropped_rows", quint64(p.droppedRows));
    // Process-wide, so a soak can tell SQLite's share of the memory from the store's.
    json.field("sqlite_memory_bytes", HistoryDatabase::sqliteHeapBytes()).endObject();
}

void writeJournal(JsonWriter &json, const IngestJournal::Status &j)
{
    const auto text = [&](const char *key, const QString &value) {
        json.key(key);
        if (value.isEmpty())
            json.null();
        else
            json.value(value);
    };
    // durable: every batch answered since the last failure is in the journal (a full disk makes
    // it false: batches are then accepted into memory only and answered X-PerfWatch-Durable: false).
    json.beginObject().field("enabled", j.enabled).field("durable", j.enabled && j.durable);
    text("last_error", j.lastError);
    json.field("size_bytes", j.bytes)
        .field("files", j.files)
        .field("next_record", j.nextSeq)
        .field("append_failures", j.appendFailures)
        .field("sync_interval_ms", j.syncMs)
        .field("last_sync_ms", j.lastSyncMs);
    json.key("replay")
        .beginObject()
        .field("records", j.replay.records)
        .field("events", j.replay.replayedEvents)
        .field("skipped_records", j.replay.skippedRecords)
        .field("checkpoints", j.replay.checkpoints)
        .field("checkpoint_rows", j.replay.checkpointRows)
        .field("duration_ms", j.replay.durationMs)
        .field("damaged", j.replay.damaged)
        .field("damaged_bytes", j.replay.damagedBytes)
        .field("lost_records", j.replay.lostRecords);
    text("message", j.replay.message);
    json.endObject().endObject();
}

void writeScore(JsonWriter &json, const AnalysisResult &a)
{
    json.field("performance_score", a.score.value).field("status", bandName(a.score.band));
}

} // namespace

PerformanceRoutes::PerformanceRoutes(PerformanceEngine &engine, IngestServer &server, Options options)
    : m_engine(engine)
    , m_server(server)
    , m_statsd(options.statsd)
    , m_grpc(options.grpc)
    , m_otlpMetrics(options.otlpMetrics)
    , m_renderer(std::move(options.renderer))
{ }

void PerformanceRoutes::install(IngestServer &server, PerformanceEngine &engine, Options options)
{
    installIngestRoute(server, engine.store());
    installOtlpRoutes(server, engine.store(), &engine.logs(), options.otlpMetrics);
    WebPage::install(server);
    auto routes = std::make_shared<PerformanceRoutes>(engine, server, std::move(options));
    const auto get = [&](const QString &path, HttpResponse (PerformanceRoutes::*handler)(const QHttpServerRequest &)) {
        server.addRoute(path, QHttpServerRequest::Method::Get,
            [routes, handler](const QHttpServerRequest &request) { return ((*routes).*handler)(request); });
    };
    get(u"/api/performance/health"_s, &PerformanceRoutes::health);
    get(u"/api/performance/metrics"_s, &PerformanceRoutes::metrics);
    get(u"/api/performance/summary"_s, &PerformanceRoutes::summary);
    get(u"/api/performance/report"_s, &PerformanceRoutes::report);
    get(u"/api/performance/timeseries"_s, &PerformanceRoutes::timeseries);
    get(u"/metrics"_s, &PerformanceRoutes::prometheus);
}

HttpResponse PerformanceRoutes::health(const QHttpServerRequest &)
{
    const qint64 now = nowMs();
    const AnalysisResult a = m_engine.currentAnalysis(now);
    JsonWriter json;
    json.beginObject();
    writeScore(json, a);
    json.field("recommendations_count", quint64(a.recommendations.size()))
        .field("timestamp", isoTime(now))
        .key("score_breakdown")
        .raw(compact(a.score.breakdown.toJson()));
    json.key("ingest");
    writeCounters(json, m_server.counters().snapshot(), m_statsd, m_grpc, m_otlpMetrics);
    json.key("persistence");
    writePersistence(json, m_engine.persistenceStatus());
    json.key("journal");
    writeJournal(json, m_engine.journalStatus());
    json.key("logs");
    writeLogs(json, m_engine.logs().snapshot(now));
    json.endObject();
    return HttpResponse::json(200, json.take());
}

HttpResponse PerformanceRoutes::metrics(const QHttpServerRequest &)
{
    const qint64 now = nowMs();
    MetricStats api, db;
    for (const KeyAggregate &k : m_engine.store().window(now - kMinute, now + 1)) {
        if (k.meta.kind == MetricKind::Api)
            api.merge(k.agg.stats);
        else if (k.meta.kind == MetricKind::Db)
            db.merge(k.agg.stats);
    }
    const AnalysisResult a = m_engine.currentAnalysis(now);
    JsonWriter json;
    json.beginObject()
        .field("timestamp", isoTime(now))
        .key("last_minute")
        .beginObject()
        .field("api_requests", api.count)
        .field("api_avg_duration_ms", ms(api.avg()), kMs)
        .field("database_operations", db.count)
        .field("db_avg_duration_ms", ms(db.avg()), kMs)
        .field("api_error_count", api.errors)
        .field("db_error_count", db.errors)
        .endObject()
        .key("system_health")
        .beginObject()
        .field("performance_score", a.score.value)
        .field("status", bandName(a.score.band))
        // Every event the store took since start: the seed's count of optimisation metrics.
        .field("total_optimization_metrics", m_engine.store().counters().events)
        .field("recommendations_count", quint64(a.recommendations.size()))
        .endObject()
        .endObject();
    return HttpResponse::json(200, json.take());
}

HttpResponse PerformanceRoutes::summary(const QHttpServerRequest &request)
{
    double hours = 24;
    if (!parseHours(request, hours))
        return HttpResponse::error(400, "bad_request", "hours must be a number greater than 0 and at most 48");
    const qint64 now = nowMs();
    JsonWriter json;
    json.beginObject();
    writeSummary(json, m_engine.summary(hours, now), hours);
    json.key("logs"); // since start: log records are counted, not kept in the history
    writeLogs(json, m_engine.logs().snapshot(now));
    json.endObject();
    return HttpResponse::json(200, json.take());
}

HttpResponse PerformanceRoutes::report(const QHttpServerRequest &request)
{
    const QString format = request.query().queryItemValue(u"format"_s).toLower();
    if (format == u"csv"_s || format == u"pdf"_s)
        return reportFile(request, format);
    if (!format.isEmpty() && format != u"json"_s)
        return HttpResponse::error(400, "bad_request", "format must be json, csv or pdf");

    const qint64 now = nowMs();
    const AnalysisResult a = m_engine.currentAnalysis(now);
    JsonWriter json;
    json.beginObject().field("generated_at", isoTime(now));
    writeScore(json, a);
    json.key("score_breakdown").raw(compact(a.score.breakdown.toJson()));
    json.key("summary").beginObject();
    writeSummary(json, m_engine.summary(24, now), 24);
    json.endObject();
    json.key("recommendations").beginArray();
    for (const Recommendation &r : a.recommendations)
        json.raw(compact(r.toJson()));
    json.endArray();
    json.key("trends").beginArray();
    for (const Trend &t : a.trends)
        json.raw(compact(t.toJson()));
    json.endArray();
    json.key("score_history").beginArray();
    for (const ScorePoint &p : m_engine.scoreHistory(now - 24 * kHour, now + 1))
        json.beginObject()
            .field("timestamp", isoTime(p.timestampMs))
            .field("score", p.score)
            .field("status", bandName(p.band))
            .endObject();
    json.endArray();
    json.endObject();
    return HttpResponse::json(200, json.take());
}

HttpResponse PerformanceRoutes::reportFile(const QHttpServerRequest &request, const QString &format)
{
    if (!m_renderer)
        return HttpResponse::error(
            501, "not_implemented", "this build of PerfWatch has no report renderer; leave out format for JSON");
    ReportFileRequest fileRequest;
    fileRequest.format = format;
    fileRequest.table = request.query().queryItemValue(u"table"_s);
    if (!parseHours(request, fileRequest.hours))
        return HttpResponse::error(400, "bad_request", "hours must be a number greater than 0 and at most 48");
    // Rendered here on the ingest thread, which waits meanwhile: about a second for a day over
    // 10,000 keys, most of it reading the history (docs/PERFORMANCE.md, "Reports").
    const ReportFile file = m_renderer(fileRequest);
    if (file.status != 200) {
        const char *token = file.status == 400 ? "bad_request"
            : file.status == 501               ? "not_implemented"
                                               : "report_failed";
        return HttpResponse::error(file.status, token, file.error.toStdString());
    }
    HttpResponse response;
    response.status = 200;
    response.mimeType = file.mimeType;
    response.body = file.body;
    return response.withHeader(
        QByteArrayLiteral("Content-Disposition"), "attachment; filename=\"" + file.fileName.toUtf8() + '"');
}

void PerformanceRoutes::writeSummary(JsonWriter &json, const PeriodSummary &summary, double hours) const
{
    const double apdexT = m_engine.analyzerConfig().slowApiMs;
    std::array<std::vector<const KeyAggregate *>, kMetricKindCount> byKind;
    for (const KeyAggregate &k : summary.keys) {
        if (k.agg.stats.count > 0)
            byKind[std::size_t(k.meta.kind)].push_back(&k);
    }
    // Keys are shown by name ("GET:/api/trips"); a name reported by several services is shown
    // as "name@service" for each of them so no entry hides another.
    QSet<QString> shared;
    for (auto &keys : byKind) {
        std::sort(keys.begin(), keys.end(), [](const KeyAggregate *a, const KeyAggregate *b) {
            return std::tie(a->meta.name, a->meta.service) < std::tie(b->meta.name, b->meta.service);
        });
        for (std::size_t i = 1; i < keys.size(); ++i) {
            if (keys[i]->meta.name == keys[i - 1]->meta.name)
                shared.insert(QString::number(int(keys[i]->meta.kind)) + u'/' + keys[i]->meta.name);
        }
    }
    const auto beginKey = [&](const KeyAggregate &k) {
        const bool isShared = shared.contains(QString::number(int(k.meta.kind)) + u'/' + k.meta.name);
        json.key(isShared ? QString(k.meta.name + u'@' + k.meta.service).toStdString() : k.meta.name.toStdString());
        json.beginObject();
        if (k.meta.isOverflow()) // the events of names beyond the key caps: the name is empty
            json.field("overflow", true);
    };
    const auto keys
        = [&](MetricKind kind) -> const std::vector<const KeyAggregate *> & { return byKind[std::size_t(kind)]; };

    json.field("time_period_hours", hours);

    json.key("api_requests").beginObject();
    for (const KeyAggregate *k : keys(MetricKind::Api)) {
        const MetricStats &s = k->agg.stats;
        beginKey(*k);
        json.field("request_count", s.count);
        writeLatency(json, *k);
        json.field("error_count", s.errors)
            .field("error_rate", s.errorRate(), kRate)
            .field("apdex", apdex(k->agg, apdexT), 3)
            .field("service", k->meta.service)
            .endObject();
    }
    json.endObject();

    json.key("database_operations").beginObject();
    for (const KeyAggregate *k : keys(MetricKind::Db)) {
        const MetricStats &s = k->agg.stats;
        beginKey(*k);
        json.field("operation_count", s.count);
        writeLatency(json, *k);
        json.field("error_count", s.errors)
            .field("error_rate", s.errorRate(), kRate)
            .field("documents", s.items)
            .field("service", k->meta.service)
            .endObject();
    }
    json.endObject();

    json.key("processing").beginObject();
    for (const KeyAggregate *k : keys(MetricKind::Processing)) {
        const MetricStats &s = k->agg.stats;
        const double rate = s.itemsPerProcessingSecond();
        const double perSecond = std::isfinite(rate) ? rate : 0.0;
        beginKey(*k);
        json.field("operation_count", s.count);
        writeLatency(json, *k);
        json.field("items_processed", s.items)
            .field("items_per_second", perSecond, 3)
            .field("service", k->meta.service)
            .endObject();
    }
    json.endObject();

    json.key("cache").beginObject();
    for (const KeyAggregate *k : keys(MetricKind::Cache)) {
        const MetricStats &s = k->agg.stats;
        const double hitRate = s.hitRate();
        beginKey(*k);
        json.field("hits", s.items)
            .field("misses", s.misses)
            .field("lookups", s.lookups())
            .field("hit_rate", std::isfinite(hitRate) ? hitRate : 0.0, kRate)
            .field("service", k->meta.service)
            .endObject();
    }
    json.endObject();

    json.key("resources").beginObject();
    for (const KeyAggregate *k : keys(MetricKind::Gauge)) {
        const MetricStats &s = k->agg.stats;
        beginKey(*k);
        json.field("last", s.last, kMs)
            .field("min", s.min, kMs)
            .field("max", s.max, kMs)
            .field("avg", s.avg(), kMs)
            .field("samples", s.count)
            .field("service", k->meta.service)
            .endObject();
    }
    json.endObject();
}

HttpResponse PerformanceRoutes::timeseries(const QHttpServerRequest &request)
{
    const QUrlQuery query = request.query();
    int minutes = 60;
    if (query.hasQueryItem(u"minutes"_s)) {
        bool ok = false;
        minutes = query.queryItemValue(u"minutes"_s).toInt(&ok);
        if (!ok || minutes < 1 || minutes > 48 * 60)
            return HttpResponse::error(400, "bad_request", "minutes must be a whole number from 1 to 2880");
    }
    MetricKind kind = MetricKind::Api;
    if (query.hasQueryItem(u"kind"_s)) {
        const QString name = query.queryItemValue(u"kind"_s);
        if (!kindFromName(name.toStdString(), kind) || !kindHasLatency(kind))
            return HttpResponse::error(400, "bad_request", "kind must be api, db or processing");
    }
    const qint64 now = nowMs();
    const qint64 step = seriesStepMs(minutes);
    const qint64 to = (now / step + 1) * step;
    const qint64 from = to - qint64(minutes) * kMinute;
    JsonWriter json;
    json.beginObject()
        .field("kind", kindName(kind))
        .field("minutes", minutes)
        .field("step_seconds", step / 1000)
        .field("from", isoTime(from))
        .field("to", isoTime(now))
        .key("points")
        .beginArray();
    for (const TimePoint &p : m_engine.kindSeries(kind, {}, from, to, step)) {
        const MetricStats &s = p.agg.stats;
        if (s.count == 0)
            continue;
        json.beginObject()
            .field("t", p.startMs)
            .field("count", s.count)
            .field("errors", s.errors)
            .field("avg_ms", ms(s.avg()), kMs)
            .field("p50_ms", ms(p.agg.quantile(0.50)), kMs)
            .field("p95_ms", ms(p.agg.quantile(0.95)), kMs)
            .field("p99_ms", ms(p.agg.quantile(0.99)), kMs)
            .endObject();
    }
    json.endArray().endObject();
    return HttpResponse::json(200, json.take());
}

HttpResponse PerformanceRoutes::prometheus(const QHttpServerRequest &)
{
    const qint64 now = nowMs();
    PrometheusInput input;
    input.totals = m_engine.store().totals();
    input.window = m_engine.store().window(now - m_engine.analyzerConfig().windowMs, now + 1);
    const AnalysisResult a = m_engine.currentAnalysis(now);
    input.band = a.score.band;
    input.score = a.score.value;
    input.recommendations = a.recommendations;
    input.ingest = m_server.counters().snapshot();
    input.store = m_engine.store().counters();
    if (m_statsd)
        input.statsd = m_statsd->snapshot();
    HttpResponse response = HttpResponse::json(200, PrometheusExposition::render(input));
    response.mimeType = PrometheusExposition::kContentType;
    return response;
}

void installOtlpRoutes(IngestServer &server, MetricStore &store, LogBook *logs, OtlpMetricsState *metrics)
{
    auto endpoint = std::make_shared<OtlpTraceEndpoint>(
        store, server.counters(), server.config().decoder, server.config().limits.maxBodyBytes);
    endpoint->setMetricsState(metrics);
    server.addRoute(
        u"/v1/traces"_s, QHttpServerRequest::Method::Post,
        [endpoint](const QHttpServerRequest &request) { return endpoint->handle(request); },
        IngestServer::RouteKind::Write);
    if (logs) {
        auto logsEndpoint
            = std::make_shared<OtlpLogsEndpoint>(*logs, server.config().decoder, server.config().limits.maxBodyBytes);
        server.addRoute(
            u"/v1/logs"_s, QHttpServerRequest::Method::Post,
            [logsEndpoint](const QHttpServerRequest &request) { return logsEndpoint->handle(request); },
            IngestServer::RouteKind::Write);
    } else {
        server.addRoute(u"/v1/logs"_s, QHttpServerRequest::Method::Post, &OtlpTraceEndpoint::notImplemented);
    }
    if (metrics) {
        auto metricsEndpoint = std::make_shared<OtlpMetricsEndpoint>(
            *metrics, server.counters(), server.config().decoder, server.config().limits.maxBodyBytes);
        server.addRoute(
            u"/v1/metrics"_s, QHttpServerRequest::Method::Post,
            [metricsEndpoint](const QHttpServerRequest &request) { return metricsEndpoint->handle(request); },
            IngestServer::RouteKind::Write);
    } else {
        server.addRoute(u"/v1/metrics"_s, QHttpServerRequest::Method::Post, &OtlpTraceEndpoint::notImplemented);
    }
}

void installIngestRoute(IngestServer &server, MetricStore &store)
{
    auto endpoint = std::make_shared<IngestEndpoint>(store, server.counters(), server.config().decoder);
    server.addRoute(
        u"/api/performance/ingest"_s, QHttpServerRequest::Method::Post,
        [endpoint](const QHttpServerRequest &request) { return endpoint->handle(request); },
        IngestServer::RouteKind::Write);
}

} // namespace perfwatch
