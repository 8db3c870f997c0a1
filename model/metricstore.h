#pragma once

#include "aggregate.h"
#include "event.h"

#include <QByteArray>
#include <QStringList>
#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace perfwatch {

class IngestJournal;

/// Limits and retention of the in-memory store (docs/DESIGN.md §7, §14).
struct StoreConfig
{
    /// Distinct keys of all kinds together; how they are shared is KeyCaps. Events of a key that
    /// the caps refuse land in the overflow key of their service and kind (KeyMeta::isOverflow()).
    int maxKeys = 10000;
    int maxServices = 32; ///< distinct services before they are folded into "other"
    int rawHistory = 1000; ///< PERFORMANCE_MAX_METRIC_HISTORY: raw samples kept per key
    int maxPendingRequests = 20000; ///< request_ids waiting for correlation
    int traceHistory = 20000; ///< finished correlated requests kept
    qint64 maxLateMs = 48LL * 3600 * 1000; ///< older events are dropped (the decoder refuses them first)
};

/// How StoreConfig::maxKeys is shared, so that a burst of one kind or one service cannot take
/// every key: each kind can always reach its reserve; keys beyond the reserves come from one
/// shared pool, first come first served; and one service holds at most `perService` keys of a
/// kind. Overflow keys (one per service and kind) are not counted. Keys without data for as long
/// as memory keeps buckets (the minute tier, 80 min) are removed, so the caps recover.
struct KeyCaps
{
    int reservedPerKind = 0; ///< maxKeys / (2 x kinds), at least 1
    int shared = 0; ///< maxKeys - kinds x reservedPerKind
    int perService = 0; ///< (reservedPerKind + shared) / 2, at least 1

    static KeyCaps of(int maxKeys);
};

/// Bucket sizes and lengths of the in-memory tiers. Longer ranges come from the persisted history.
struct StoreTiers
{
    static constexpr qint64 kKeyFineMs = 10'000; ///< per key: 10 s buckets ...
    static constexpr int kKeyFineSlots = 96; ///< ... for 16 min (a full 15 min window plus the open bucket)
    static constexpr qint64 kGroupFineMs = 1'000; ///< per service and kind: 1 s buckets ...
    static constexpr int kGroupFineSlots = 960; ///< ... for 16 min
    static constexpr qint64 kMinuteMs = 60'000; ///< per key and per group: 1 min buckets ...
    static constexpr int kMinuteSlots = 80; ///< ... for 80 min (score window + the hour before)
};

/// One minute rollup handed to persistence (or loaded back from it).
struct RollupRow
{
    enum class Scope : quint8
    {
        Key, ///< one key: meta.kind, meta.service, meta.name
        Group, ///< all keys of meta.kind from meta.service; meta.name is empty
    };
    Scope scope = Scope::Key;
    KeyMeta meta; ///< meta.id is the store's id; persistence identifies keys by kind/service/name
    qint64 startMs = 0; ///< minute start, Unix ms
    MetricStats stats;
    QByteArray sketch; ///< LatencySketch::encode(); empty when the kind has no latency
    bool additive = false; ///< late data: add to an existing row instead of replacing it
};

/// Running totals of one key since the store started: monotonic, for Prometheus counters.
struct KeyTotals
{
    KeyMeta meta;
    quint64 count = 0;
    quint64 errors = 0;
    double sum = 0; ///< durations (ms), or gauge values
    quint64 items = 0; ///< processing items, db documents, cache hits
    quint64 misses = 0; ///< cache misses
};

/// Ingest-side counters readable from any thread.
struct StoreCounters
{
    quint64 events = 0; ///< accepted into the store since start
    quint64 overflowEvents = 0; ///< events that landed in an "other" key (key cap)
    quint64 droppedLate = 0; ///< events older than the late window or beyond the late buffer
    quint64 keys = 0; ///< live keys, overflow keys included
    quint64 services = 0;
    quint64 retiredKeys = 0; ///< keys removed after a retention without data
};

/// Thread-safe per-key time-bucketed metric store with bounded memory.
///
/// Writers call insert() with a batch (one short lock per batch). Readers get value copies
/// (windows, series, raw samples) built under short chunked locks, so a reader never holds
/// up ingest for long. Memory grows with keys x retained buckets, never with events.
///
/// An event updates the fine bucket of its key and of its group; the minute buckets are derived
/// from the fine ones as time moves on (and by cleanup()), and every reader of the minute tier
/// adds the newest fine bucket not merged yet, so what readers see is as if both tiers were
/// updated per event.
class MetricStore
{
public:
    explicit MetricStore(StoreConfig config = {});
    ~MetricStore();
    Q_DISABLE_COPY_MOVE(MetricStore)

    const StoreConfig &config() const { return m_config; }

    /// How insert() journals a batch (see IngestJournal).
    struct InsertOptions
    {
        bool journal = true; ///< false: replaying the journal, or data that is in it already
        bool fromSpans = false; ///< OTLP span events (replay knows they cover held metrics)
        std::span<const quint64> resolves; ///< journaled holds this batch stores or drops
    };

    /// Stores a batch of validated events received at nowMs. Timestamps ahead of nowMs are
    /// treated as nowMs (clock skew); 0 means nowMs. With a journal attached the batch is appended
    /// to it first; returns false when that failed (the data is then in memory only), true
    /// otherwise.
    bool insert(std::span<const IngestEvent> events, qint64 nowMs, const InsertOptions &options);
    bool insert(std::span<const IngestEvent> events, qint64 nowMs) { return insert(events, nowMs, InsertOptions {}); }

    /// Journals every insert from now on (nullptr: none). Set before ingest starts.
    void setJournal(IngestJournal *journal) { m_journal.store(journal, std::memory_order_release); }
    IngestJournal *journal() const { return m_journal.load(std::memory_order_acquire); }

    /// Metadata of the live keys with id >= from, in id order. Ids are never reused: a key removed
    /// by cleanup() (no data for the minute tier's length) leaves a gap, and when its name comes
    /// back it gets a new id.
    std::vector<KeyMeta> keys(KeyId from = 0) const;
    std::size_t keyCount() const; ///< live keys
    bool isLive(KeyId key) const; ///< the key exists (was not removed)
    KeyCaps caps() const { return KeyCaps::of(m_config.maxKeys); }
    QStringList services() const;
    StoreCounters counters() const;

    /// Per-key aggregates of [fromMs, toMs) from the in-memory tiers, for keys with data in it.
    /// Uses the coarsest tier fine enough for the window; a bucket counts when its start lies in the
    /// window, so consecutive windows never count a bucket twice.
    std::vector<KeyAggregate> window(qint64 fromMs, qint64 toMs) const;
    /// One key's aggregate over [fromMs, toMs).
    Aggregate keyWindow(KeyId key, qint64 fromMs, qint64 toMs) const;

    /// Time series of one key (buckets of stepMs, only non-empty ones, ascending).
    std::vector<TimePoint> keySeries(KeyId key, qint64 fromMs, qint64 toMs, qint64 stepMs) const;
    /// Time series of all keys of a kind, optionally only the given services (empty = all).
    std::vector<TimePoint> kindSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const;
    /// The earliest time from which series of this step are fully in memory.
    qint64 memoryHorizonMs(qint64 nowMs, qint64 stepMs) const;

    /// The most recent raw samples of a key, newest last.
    std::vector<RawSample> rawSamples(KeyId key, int maxCount) const;
    /// Every key's totals since start, in id order.
    std::vector<KeyTotals> totals() const;
    /// Field sets queried on a db key, most frequent first.
    std::vector<FieldSetCount> fieldSets(KeyId key) const;
    /// Correlated requests finished at or after fromMs, oldest first.
    std::vector<RequestTrace> traces(qint64 fromMs, qint64 nowMs) const;

    /// Drops expired buckets, seals idle ones, finishes stale correlations and removes keys that
    /// have no bucket left (and nothing waiting for persistence).
    void cleanup(qint64 nowMs);

    /// Minute rollups changed since the last call (including the open minute), for persistence
    /// and journal checkpoints. With `journalSeq`, it is set to a journal number (0 without a
    /// journal) taken with the rows: they include exactly the Inserts numbered below it. The
    /// caller must write() a record under it at once (the checkpoint of these rows): every later
    /// record waits for it. `rotate`: the journal starts a new file there (a flush: the number is
    /// the history's mark).
    std::vector<RollupRow> takeDirtyRollups(quint64 *journalSeq = nullptr, bool rotate = true);
    /// Loads persisted minute rollups (newer than the minute tier's horizon) back into memory.
    void restore(const std::vector<RollupRow> &rows, qint64 nowMs);

    /// Approximate heap bytes held (sketch bins, raw samples), for tests and the status bar.
    std::size_t memoryUsage() const;

private:
    /// Applies a batch under the lock; with a journal, returns the number it takes for it there.
    quint64 apply(std::span<const IngestEvent> events, qint64 nowMs, IngestJournal *journal);

    struct State;
    StoreConfig m_config;
    std::unique_ptr<State> m_state;
    mutable std::mutex m_mutex;
    std::atomic<IngestJournal *> m_journal { nullptr };
};

} // namespace perfwatch
