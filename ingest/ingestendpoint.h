#pragma once

#include "decodedbatch.h"
#include "httpresponse.h"
#include "ingestcounters.h"
#include "nativedecoder.h"

class QHttpServerRequest;

namespace perfwatch {

class MetricStore;

/// POST /api/performance/ingest: decode, validate, store, answer (docs/DESIGN.md §3, §4).
///
/// One per ingest thread: it owns the decoder and a batch reused across requests, so the hot
/// path allocates nothing per event beyond what the decoder needs.
class IngestEndpoint
{
public:
    IngestEndpoint(MetricStore &store, IngestCounters &counters, NativeDecoderLimits limits = {});

    HttpResponse handle(const QHttpServerRequest &request);

private:
    MetricStore &m_store;
    IngestCounters &m_counters;
    NativeDecoder m_decoder;
    DecodedBatch m_batch;
};

} // namespace perfwatch
