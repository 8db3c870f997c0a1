#pragma once

#include "aggregate.h"

#include <limits>
#include <vector>

namespace perfwatch {

/// Fixed-length run of time buckets for one key or group, oldest first.
///
/// Buckets are numbered by start time / bucketMs. Only buckets that received data exist.
/// The newest bucket keeps a dense sketch for fast inserts; older ones are compacted when the
/// ring moves on. Not thread-safe: the store guards it.
class BucketRing
{
public:
    struct Bucket
    {
        qint64 index = 0;
        Aggregate agg;
        bool dirty = false; ///< changed since the last takeDirty()
    };

    BucketRing(qint64 bucketMs, int slotCount)
        : m_bucketMs(bucketMs)
        , m_slots(slotCount)
    { }

    qint64 bucketMs() const { return m_bucketMs; }
    int slotCount() const { return m_slots; }
    const std::vector<Bucket> &buckets() const { return m_buckets; }

    /// The bucket a timestamp falls in.
    qint64 indexFor(qint64 timestampMs) const { return timestampMs / m_bucketMs; }
    /// The newest bucket; the ring must not be empty.
    Bucket &newest() { return m_buckets.back(); }
    const Bucket &newest() const { return m_buckets.back(); }
    /// The oldest bucket index the ring can hold while `newest` is the newest.
    qint64 oldestIndexFor(qint64 newest) const { return newest - m_slots + 1; }

    /// The bucket for `index`, created if needed; nullptr when it is older than the ring holds.
    Bucket *bucketFor(qint64 index);
    /// Sets a whole bucket (restoring from persistence); ignored when too old.
    void restore(qint64 index, const Aggregate &agg);

    /// Merges the buckets whose start lies in [fromMs, toMs) into `out`.
    void mergeRange(qint64 fromMs, qint64 toMs, Aggregate &out) const;
    /// The bucket indexes mergeRange(fromMs, toMs) counts: [first, last]; empty when last < first.
    void indexRange(qint64 fromMs, qint64 toMs, qint64 &first, qint64 &last) const
    {
        first = fromMs <= 0 ? 0 : (fromMs + m_bucketMs - 1) / m_bucketMs;
        last = toMs <= fromMs ? first - 1 : (toMs - 1) / m_bucketMs;
    }
    /// Merges the buckets with index in [first, last] into `out`, oldest first (as mergeRange()).
    void mergeIndexes(qint64 first, qint64 last, Aggregate &out) const;
    /// Buckets below this index may have been dropped (by time moving on or expire()); those at or
    /// above it never were. Folds of buckets cached elsewhere stay valid while they start at or above it.
    qint64 floor() const { return m_floor; }
    /// Whether mergeRange(fromMs, toMs) counts the bucket `index` (its start lies in the range).
    bool counts(qint64 index, qint64 fromMs, qint64 toMs) const
    {
        const qint64 start = index * m_bucketMs;
        return toMs > fromMs && start >= fromMs && start < toMs;
    }
    /// Drops buckets that fell out of the ring relative to `nowMs` and compacts all but the newest.
    void expire(qint64 nowMs);
    bool isEmpty() const { return m_buckets.empty(); }
    /// Whether the ring can still hold data from fromMs (its window reaches back that far).
    bool reaches(qint64 fromMs) const
    {
        return !m_buckets.empty() && fromMs >= oldestIndexFor(m_buckets.back().index) * m_bucketMs;
    }
    std::size_t memoryUsage() const;

private:
    void reserveOne(); ///< room for one more bucket, never more capacity than m_slots in all

    qint64 m_bucketMs;
    int m_slots;
    std::vector<Bucket> m_buckets; ///< ascending by index
    qint64 m_floor = std::numeric_limits<qint64>::min();
};

} // namespace perfwatch
