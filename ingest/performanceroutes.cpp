#include "performanceroutes.h"

#include "ingestendpoint.h"
#include "ingestserver.h"

#include <memory>

namespace perfwatch {

using namespace Qt::StringLiterals;

void installIngestRoute(IngestServer &server, MetricStore &store)
{
    auto endpoint = std::make_shared<IngestEndpoint>(store, server.counters(), server.config().decoder);
    server.addRoute(
        u"/api/performance/ingest"_s, QHttpServerRequest::Method::Post,
        [endpoint](const QHttpServerRequest &request) { return endpoint->handle(request); },
        IngestServer::RouteKind::Write);
}

} // namespace perfwatch
