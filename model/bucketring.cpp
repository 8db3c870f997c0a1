#include "bucketring.h"

#include <algorithm>

namespace perfwatch {

BucketRing::Bucket *BucketRing::bucketFor(qint64 index)
{
    if (m_buckets.empty() || index > m_buckets.back().index) {
        // The common case: time moved on. Compact the bucket we leave and drop what fell out.
        if (!m_buckets.empty())
            m_buckets.back().agg.sketch.compact();
        const qint64 oldest = oldestIndexFor(index);
        m_floor = std::max(m_floor, oldest);
        auto firstKept
            = std::find_if(m_buckets.begin(), m_buckets.end(), [oldest](const Bucket &b) { return b.index >= oldest; });
        m_buckets.erase(m_buckets.begin(), firstKept);
        reserveOne();
        m_buckets.push_back(Bucket { index, {}, false });
        return &m_buckets.back();
    }
    if (index == m_buckets.back().index)
        return &m_buckets.back();
    if (index < oldestIndexFor(m_buckets.back().index))
        return nullptr;
    // Late data inside the ring.
    auto it = std::lower_bound(
        m_buckets.begin(), m_buckets.end(), index, [](const Bucket &b, qint64 i) { return b.index < i; });
    if (it != m_buckets.end() && it->index == index)
        return &*it;
    const auto offset = it - m_buckets.begin();
    reserveOne();
    return &*m_buckets.insert(m_buckets.begin() + offset, Bucket { index, {}, false });
}

void BucketRing::reserveOne()
{
    // A ring never holds more than m_slots buckets: grow by doubling up to exactly that, not to
    // the next power of two (80 minute slots would otherwise take 128, 48 x 176 bytes per key).
    if (m_buckets.size() < m_buckets.capacity())
        return;
    const std::size_t limit = std::size_t(std::max(m_slots, 1));
    m_buckets.reserve(std::max(m_buckets.size() + 1, std::min(std::max<std::size_t>(4, m_buckets.capacity() * 2), limit)));
}

void BucketRing::restore(qint64 index, const Aggregate &agg)
{
    Bucket *b = bucketFor(index);
    if (!b)
        return;
    b->agg = agg;
    b->dirty = false;
    if (&m_buckets.back() != b)
        b->agg.sketch.compact();
}

void BucketRing::mergeRange(qint64 fromMs, qint64 toMs, Aggregate &out) const
{
    if (m_buckets.empty() || toMs <= fromMs)
        return;
    // A bucket belongs to the window its start falls in, so adjacent windows never share one.
    qint64 firstIndex = 0;
    qint64 lastIndex = 0;
    indexRange(fromMs, toMs, firstIndex, lastIndex);
    mergeIndexes(firstIndex, lastIndex, out);
}

void BucketRing::mergeIndexes(qint64 first, qint64 last, Aggregate &out) const
{
    auto it = std::lower_bound(
        m_buckets.begin(), m_buckets.end(), first, [](const Bucket &b, qint64 i) { return b.index < i; });
    for (; it != m_buckets.end() && it->index <= last; ++it)
        out.merge(it->agg);
}

void BucketRing::expire(qint64 nowMs)
{
    const qint64 oldest = oldestIndexFor(indexFor(nowMs));
    m_floor = std::max(m_floor, oldest);
    auto firstKept
        = std::find_if(m_buckets.begin(), m_buckets.end(), [oldest](const Bucket &b) { return b.index >= oldest; });
    m_buckets.erase(m_buckets.begin(), firstKept);
    const qint64 current = indexFor(nowMs);
    for (Bucket &b : m_buckets) {
        if (b.index < current)
            b.agg.sketch.compact();
    }
    if (m_buckets.empty())
        m_buckets.shrink_to_fit();
}

std::size_t BucketRing::memoryUsage() const
{
    std::size_t bytes = m_buckets.capacity() * sizeof(Bucket);
    for (const Bucket &b : m_buckets)
        bytes += b.agg.sketch.memoryUsage();
    return bytes;
}

} // namespace perfwatch
