#pragma once

#include <QtGlobal>
#include <atomic>

namespace perfwatch {

/// Plain copy of the OTLP/gRPC counters at one moment.
struct GrpcCountersSnapshot
{
    bool listening = false;
    quint16 port = 0;
    quint64 requests = 0; ///< Export calls answered, whatever the outcome
    quint64 acceptedEvents = 0;
    quint64 rejectedEvents = 0; ///< spans that could not be used, and spans of refused calls
    quint64 refusedRequests = 0; ///< calls answered with an error status
};

/// Counters the gRPC threads write and anyone may read (/health). Lives in ingest so the HTTP
/// routes can show them without depending on gRPC.
struct GrpcCounters
{
    std::atomic<bool> listening { false };
    std::atomic<quint16> port { 0 };
    std::atomic<quint64> requests { 0 };
    std::atomic<quint64> acceptedEvents { 0 };
    std::atomic<quint64> rejectedEvents { 0 };
    std::atomic<quint64> refusedRequests { 0 };

    GrpcCountersSnapshot snapshot() const
    {
        GrpcCountersSnapshot s;
        s.listening = listening.load(std::memory_order_relaxed);
        s.port = port.load(std::memory_order_relaxed);
        s.requests = requests.load(std::memory_order_relaxed);
        s.acceptedEvents = acceptedEvents.load(std::memory_order_relaxed);
        s.rejectedEvents = rejectedEvents.load(std::memory_order_relaxed);
        s.refusedRequests = refusedRequests.load(std::memory_order_relaxed);
        return s;
    }
};

} // namespace perfwatch
