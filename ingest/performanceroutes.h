#pragma once

#include "httpresponse.h"
#include "reportrenderer.h"

#include <QtGlobal>

class QHttpServerRequest;

namespace perfwatch {

class IngestServer;
class JsonWriter;
class MetricStore;
class PerformanceEngine;
struct AnalysisResult;
struct StatsdCounters;
struct GrpcCounters;
class LogBook;
struct PeriodSummary;
class OtlpMetricsState;

/// What a deployment adds to the routes: StatsD counters for /health and /metrics (they must
/// outlive the server) and the renderer of report files (without one, PDF and CSV answer 501).
struct PerformanceRouteOptions
{
    const StatsdCounters *statsd = nullptr;
    ReportRenderer renderer;
    const GrpcCounters *grpc = nullptr; ///< OTLP/gRPC, when it runs
    /// OTLP metrics (cumulative streams, counted once with spans); without one /v1/metrics is 501.
    OtlpMetricsState *otlpMetrics = nullptr;
};

/// The REST routes of docs/DESIGN.md §6 over a PerformanceEngine.
///
/// install() runs once per ingest thread, so each thread has its own instance (and its own
/// IngestEndpoint) and handlers run on that thread. They read through the engine's thread-safe
/// query functions and never write: the score and recommendations are
/// PerformanceEngine::currentAnalysis(), the engine's latest analysis or, when events were stored
/// since, one computed once for all readers that records nothing.
class PerformanceRoutes
{
public:
    using Options = PerformanceRouteOptions;

    PerformanceRoutes(PerformanceEngine &engine, IngestServer &server, Options options = {});

    /// Registers every route on `server`: POST ingest, GET health, metrics, summary, report,
    /// timeseries; OTLP POST /v1/traces; Prometheus GET /metrics; the GET /performance page.
    static void install(IngestServer &server, PerformanceEngine &engine, Options options = {});

    HttpResponse health(const QHttpServerRequest &request);
    HttpResponse metrics(const QHttpServerRequest &request);
    HttpResponse summary(const QHttpServerRequest &request);
    HttpResponse report(const QHttpServerRequest &request);
    /// GET /api/performance/timeseries?minutes=N&kind=api: latency and counts per time step.
    HttpResponse timeseries(const QHttpServerRequest &request);
    /// GET /metrics: Prometheus text exposition.
    HttpResponse prometheus(const QHttpServerRequest &request);

private:
    void writeSummary(JsonWriter &json, const PeriodSummary &summary, double hours) const;

    HttpResponse reportFile(const QHttpServerRequest &request, const QString &format);

    PerformanceEngine &m_engine;
    IngestServer &m_server;
    const StatsdCounters *m_statsd = nullptr;
    const GrpcCounters *m_grpc = nullptr;
    const OtlpMetricsState *m_otlpMetrics = nullptr;
    ReportRenderer m_renderer;
};

/// Registers only POST /api/performance/ingest, writing into `store` (which must outlive the
/// server). For servers without an engine.
void installIngestRoute(IngestServer &server, MetricStore &store);

/// Registers OTLP/HTTP: POST /v1/traces into `store`, /v1/logs counted into `logs`, /v1/metrics
/// through `metrics` (each 501 without one).
void installOtlpRoutes(
    IngestServer &server, MetricStore &store, LogBook *logs = nullptr, OtlpMetricsState *metrics = nullptr);

} // namespace perfwatch
