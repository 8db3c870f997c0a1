#pragma once

#include "event.h"
#include "latencysketch.h"

#include <QtGlobal>
#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace perfwatch {

class MetricStore;

/// What OTLP metrics need to remember across requests, shared by every ingest thread and the
/// gRPC server: the last cumulative value of each stream (to turn it into deltas) and which
/// services send spans (to count each request once).
///
/// **Counted once.** A service that exports both spans and metrics for the same requests
/// (the Node, Java and .NET auto-instrumentation do by default) would count every request twice.
/// Spans win: each is one request with its own duration (exact percentiles), its status and its
/// database calls (N+1 and time-in-database advice need them); a histogram only sums them up.
/// So an api (db) event made from a metric is dropped when the same service sent server (db)
/// spans in the 5 minutes before it. As the SDKs flush both signals together at shutdown, a
/// metric event from a service not seen with spans yet is held for kHoldMs before it is stored,
/// in case its spans are on their way. Gauges and the other metrics are stored at once.
///
/// Thread-safe.
class OtlpMetricsState
{
public:
    static constexpr qint64 kHoldMs = 10'000; ///< how long api/db metric events wait for spans
    static constexpr qint64 kSpanMemoryMs = 5 * 60'000; ///< spans this recent cover a service's metrics
    static constexpr std::size_t kMaxStreams = 200'000; ///< cumulative streams remembered
    static constexpr std::size_t kMaxHeld = 100'000; ///< events held at once; more are stored at once

    /// The previous cumulative point of one stream.
    struct Stream
    {
        quint64 startNs = 0;
        quint64 timeNs = 0;
        quint64 count = 0;
        double sum = 0;
        double value = 0; ///< Sum: the last value (cumulative) or the level (delta up-down sum)
        double min = 0;
        double max = 0;
        bool hasMin = false;
        bool hasMax = false;
        qint32 scale = 0;
        qint32 offset = 0;
        quint64 zeroCount = 0;
        std::vector<quint64> buckets; ///< explicit or positive exponential bucket counts
        qint64 seenMs = 0;
    };

    struct Counters
    {
        quint64 points = 0; ///< data points read
        quint64 baselines = 0; ///< first cumulative points of streams older than PerfWatch's start
        quint64 coveredBySpans = 0; ///< api/db events dropped because the service's spans count them
        quint64 held = 0; ///< api/db events waiting for the service's spans right now
        quint64 streams = 0;
    };

    /// `startedMs`: cumulative streams that started before it give their first point as a
    /// baseline (what came before may be counted already, in the persisted history).
    explicit OtlpMetricsState(MetricStore &store, qint64 startedMs);
    ~OtlpMetricsState();
    Q_DISABLE_COPY_MOVE(OtlpMetricsState)

    // Cumulative streams: under lock() (MetricMapper takes it for a whole request).
    std::unique_lock<std::mutex> lock() { return std::unique_lock(m_streamMutex); }
    /// The stream of `identity`, created (`created` true) when new; nullptr at kMaxStreams.
    Stream *stream(std::string_view identity, qint64 nowMs, bool &created);
    quint64 startedNs() const { return m_startedNs; }
    void countPoints(quint64 points, quint64 baselines);

    /// Notes the services and kinds of a batch of span events (OTLP traces), after storing it.
    void noteSpans(std::span<const IngestEvent> events, qint64 nowMs);
    /// Stores the events of a metrics request: gauges at once; api/db events unless the
    /// service's spans count them (then dropped), held for kHoldMs when it is not known yet.
    /// With the store's journal, held events are journaled as a hold first. Returns false when
    /// the journal could not take them (the data is then in memory only).
    bool submit(std::span<const IngestEvent> events, qint64 nowMs);
    /// Stores (or drops, when spans came meanwhile) the held events due by nowMs; call often
    /// (every request does, and the app every second). `all`: every held event (at shutdown).
    void releaseDue(qint64 nowMs, bool all = false);

    Counters counters() const;

private:
    struct Held
    {
        qint64 releaseMs = 0;
        qint64 heldMs = 0;
        std::string service;
        std::string name;
        IngestEvent event;
        LatencySketch sketch;
        quint64 journalSeq = 0; ///< the journal's hold record of it; 0 when not journaled
    };
    /// Whether spans of `service` and `kind` came at or after `sinceMs`; under m_spanMutex.
    bool spansSince(std::string_view service, MetricKind kind, qint64 sinceMs) const;

    MetricStore &m_store;
    const quint64 m_startedNs;

    std::mutex m_streamMutex;
    std::unordered_map<std::string, Stream> m_streams;
    qint64 m_lastStreamSweepMs = 0;

    mutable std::mutex m_spanMutex;
    /// Per service: the last time api (0) and db (1) spans arrived.
    std::map<std::string, std::array<qint64, 2>, std::less<>> m_spanServices;
    std::deque<Held> m_held; ///< in release order (every hold is kHoldMs long)
    std::atomic<qint64> m_nextReleaseMs { 0 }; ///< 0: nothing held

    std::atomic<quint64> m_points { 0 };
    std::atomic<quint64> m_baselines { 0 };
    std::atomic<quint64> m_covered { 0 };
    std::atomic<quint64> m_heldCount { 0 };
};

} // namespace perfwatch
