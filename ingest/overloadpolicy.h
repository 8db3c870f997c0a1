#pragma once

#include <QtGlobal>

namespace perfwatch {

/// Decides when the ingest (write) routes shed load, and how.
///
/// The policy, deliberately simple and explicit:
///  - Too many requests: when more than `maxRequestsPerSecond` ingest requests were admitted in
///    the last second, the next ones get 429 Too Many Requests with Retry-After: 1. The clients
///    send faster than we promise to take; they should slow down or batch more per request.
///  - Server busy: when the ingest thread spent more than `maxBusyFraction` of the last second
///    decoding and storing, the store is not keeping up; the next ones get 503 Service
///    Unavailable with Retry-After: 1 until the thread has slack again.
///  - Reads (health, metrics, summary) are never shed: they are cheap and the dashboard must keep
///    working while the system is under load.
///  - Overload is never a 500.
/// "The last second" is a sliding estimate from two one-second buckets (the previous bucket
/// weighted by how much of it still lies within the last second).
class OverloadPolicy
{
public:
    enum class Verdict : quint8
    {
        Admit,
        TooManyRequests, ///< 429
        Busy, ///< 503
    };

    OverloadPolicy(int maxRequestsPerSecond, double maxBusyFraction)
        : m_maxRequestsPerSecond(maxRequestsPerSecond)
        , m_maxBusyFraction(maxBusyFraction)
    { }

    /// Called before a write request is handled; counts it when admitted.
    Verdict admit(qint64 nowMs);
    /// Adds the time a write request kept the thread busy.
    void recordWork(qint64 nowMs, qint64 busyNs);

    /// Admitted requests in the last second (estimate).
    double requestRate(qint64 nowMs);
    /// Fraction of the last second spent working (estimate).
    double busyFraction(qint64 nowMs);

private:
    struct Bucket
    {
        qint64 startMs = 0;
        double requests = 0;
        double busyNs = 0;
    };
    void roll(qint64 nowMs);
    double previousWeight(qint64 nowMs) const;

    int m_maxRequestsPerSecond;
    double m_maxBusyFraction;
    Bucket m_current;
    Bucket m_previous;
};

} // namespace perfwatch
