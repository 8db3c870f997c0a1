#pragma once

#include <QtGlobal>
#include <mutex>

namespace perfwatch {

/// Decides when the ingest (write) routes shed load, and how.
///
/// The policy, deliberately simple and explicit:
///  - Too many requests: when more than `maxRequestsPerSecond` ingest requests were admitted in
///    the last second, the next ones get 429 Too Many Requests with Retry-After: 1. The clients
///    send faster than we promise to take; they should slow down or batch more per request.
///  - Server busy: when the ingest threads spent more than `maxBusyFraction` of the last second
///    decoding and storing (on average over the threads), the store is not keeping up; the next
///    ones get 503 Service Unavailable with Retry-After: 1 until the threads have slack again.
///  - Reads (health, metrics, summary) are never shed: they are cheap and the dashboard must keep
///    working while the system is under load.
///  - Overload is never a 500.
/// "The last second" is a sliding estimate from two one-second buckets (the previous bucket
/// weighted by how much of it still lies within the last second). One policy serves every ingest
/// thread, so the limits hold for the server as a whole; it is thread-safe, and free of locks
/// when both limits are off (the default).
class OverloadPolicy
{
public:
    enum class Verdict : quint8
    {
        Admit,
        TooManyRequests, ///< 429
        Busy, ///< 503
    };

    /// `threads`: how many threads do the work recorded with recordWork().
    OverloadPolicy(int maxRequestsPerSecond, double maxBusyFraction, int threads = 1)
        : m_maxRequestsPerSecond(maxRequestsPerSecond)
        , m_maxBusyFraction(maxBusyFraction)
        , m_threads(threads < 1 ? 1 : threads)
    { }
    Q_DISABLE_COPY_MOVE(OverloadPolicy)

    /// Whether either limit is on; when not, admit() always admits and nothing is recorded.
    bool isEnabled() const { return m_maxRequestsPerSecond > 0 || m_maxBusyFraction < 1.0; }

    /// Called before a write request is handled; counts it when admitted.
    Verdict admit(qint64 nowMs);
    /// Adds the time a write request kept its thread busy.
    void recordWork(qint64 nowMs, qint64 busyNs);

    /// Admitted requests in the last second (estimate).
    double requestRate(qint64 nowMs);
    /// Fraction of the last second the threads spent working, averaged over them (estimate).
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
    double requestRateLocked(qint64 nowMs);
    double busyFractionLocked(qint64 nowMs);

    const int m_maxRequestsPerSecond;
    const double m_maxBusyFraction;
    const int m_threads;
    std::mutex m_mutex;
    Bucket m_current;
    Bucket m_previous;
};

} // namespace perfwatch
