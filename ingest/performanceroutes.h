#pragma once

namespace perfwatch {

class IngestServer;
class MetricStore;

/// Registers POST /api/performance/ingest, writing into `store` (which must outlive the server).
void installIngestRoute(IngestServer &server, MetricStore &store);

} // namespace perfwatch
