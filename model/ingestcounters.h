#pragma once

#include <QtGlobal>
#include <atomic>

namespace perfwatch {

/// Plain copy of the ingest counters at one moment.
struct IngestCountersSnapshot
{
    quint64 requests = 0; ///< HTTP requests answered
    quint64 acceptedEvents = 0;
    quint64 rejectedEvents = 0; ///< invalid events inside otherwise accepted batches, and events of refused batches
    quint64 refusedRequests = 0; ///< 4xx/5xx answers (bad input, limits, auth, overload)
    quint64 bytesReceived = 0;
    int openConnections = 0;
    quint64 bufferedBodyBytes = 0; ///< request bodies reserved in memory now (the body budget)
};

/// Counters the ingest thread writes and anyone may read (status bar, /health, tests).
struct IngestCounters
{
    std::atomic<quint64> requests { 0 };
    std::atomic<quint64> acceptedEvents { 0 };
    std::atomic<quint64> rejectedEvents { 0 };
    std::atomic<quint64> refusedRequests { 0 };
    std::atomic<quint64> bytesReceived { 0 };
    std::atomic<int> openConnections { 0 };
    std::atomic<quint64> bufferedBodyBytes { 0 };

    IngestCountersSnapshot snapshot() const
    {
        return { requests.load(std::memory_order_relaxed), acceptedEvents.load(std::memory_order_relaxed),
            rejectedEvents.load(std::memory_order_relaxed), refusedRequests.load(std::memory_order_relaxed),
            bytesReceived.load(std::memory_order_relaxed), openConnections.load(std::memory_order_relaxed),
            bufferedBodyBytes.load(std::memory_order_relaxed) };
    }
};

} // namespace perfwatch
