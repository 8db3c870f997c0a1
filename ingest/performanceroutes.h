#pragma once

#include "httpresponse.h"

#include <QtGlobal>

class QHttpServerRequest;

namespace perfwatch {

class IngestServer;
class JsonWriter;
class MetricStore;
class PerformanceEngine;
struct AnalysisResult;
struct PeriodSummary;

/// The REST routes of DESIGN §4 over a PerformanceEngine.
///
/// install() runs once per ingest thread, so each thread has its own instance (and its own
/// IngestEndpoint) and handlers run on that thread. They read through the engine's thread-safe
/// query functions; the score and recommendations come from its latest analysis, recomputed on
/// the spot when events were stored since, so that an answer never lags a just-sent batch.
class PerformanceRoutes
{
public:
    PerformanceRoutes(PerformanceEngine &engine, IngestServer &server);

    /// Registers every route on `server`: POST ingest, GET health, metrics, summary, report.
    static void install(IngestServer &server, PerformanceEngine &engine);

    HttpResponse health(const QHttpServerRequest &request);
    HttpResponse metrics(const QHttpServerRequest &request);
    HttpResponse summary(const QHttpServerRequest &request);
    HttpResponse report(const QHttpServerRequest &request);

private:
    AnalysisResult analysis(qint64 nowMs);
    void writeSummary(JsonWriter &json, const PeriodSummary &summary, double hours) const;

    PerformanceEngine &m_engine;
    IngestServer &m_server;
    quint64 m_analyzedEvents = ~quint64(0); ///< store events at the last analysis asked for here
};

/// Registers only POST /api/performance/ingest, writing into `store` (which must outlive the
/// server). For servers without an engine.
void installIngestRoute(IngestServer &server, MetricStore &store);

} // namespace perfwatch
