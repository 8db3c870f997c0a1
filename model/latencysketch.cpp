#include "latencysketch.h"

#include <QtGlobal>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace perfwatch {

namespace {

constexpr double kGamma = (1.0 + LatencySketch::kRelativeAccuracy) / (1.0 - LatencySketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
const double kInvLogGamma = 1.0 / kLogGamma;
constexpr std::uint8_t kEncodingVersion = 1;
// Growing the dense array by a few spare bins at a time keeps re-allocation rare while a
// distribution widens.
constexpr int kGrowSlack = 16;

void putVarint(std::vector<std::uint8_t> &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(std::uint8_t(v) | 0x80);
        v >>= 7;
    }
    out.push_back(std::uint8_t(v));
}

std::uint64_t zigzag(std::int64_t v)
{
    return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v)
{
    return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

/// Bounds-checked reader over untrusted bytes.
class Reader
{
public:
    Reader(const std::uint8_t *data, std::size_t size)
        : m_p(data)
        , m_end(data + size)
    { }
    bool varint(std::uint64_t &v)
    {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end)
                return false;
            const std::uint8_t byte = *m_p++;
            v |= std::uint64_t(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return true;
        }
        return false;
    }
    bool f64(double &v)
    {
        if (m_end - m_p < 8)
            return false;
        std::memcpy(&v, m_p, 8);
        m_p += 8;
        return true;
    }
    bool u8(std::uint8_t &v)
    {
        if (m_p == m_end)
            return false;
        v = *m_p++;
        return true;
    }
    bool atEnd() const { return m_p == m_end; }
    const std::uint8_t *position() const { return m_p; }

private:
    const std::uint8_t *m_p;
    const std::uint8_t *m_end;
};

const int kMinIndex = int(std::ceil(std::log(LatencySketch::kMinValue) / std::log(kGamma)));
const int kMaxIndex = int(std::ceil(std::log(LatencySketch::kMaxValue) / std::log(kGamma)));

/// Walks the packed bin list; returns false on malformed input.
template<typename Fn>
bool walkPacked(const std::uint8_t *data, std::size_t size, Fn &&fn)
{
    Reader r(data, size);
    std::uint64_t n = 0;
    std::uint64_t first = 0;
    if (!r.varint(n) || !r.varint(first))
        return false;
    std::int64_t index = unzigzag(first);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t gap = 0;
        std::uint64_t count = 0;
        if (!r.varint(gap) || !r.varint(count))
            return false;
        if (gap > std::uint64_t(kMaxIndex - kMinIndex))
            return false;
        index += std::int64_t(gap);
        if (index < kMinIndex || index > kMaxIndex || count == 0)
            return false;
        fn(int(index), count);
    }
    return r.atEnd();
}

/// Varint read for packed bins this class wrote itself (or decode() validated): no bounds
/// checks, one byte for the common small gaps and counts. Merging compact buckets is the
/// inner loop of every window query.
inline std::uint64_t trustedVarint(const std::uint8_t *&p)
{
    std::uint64_t v = *p++;
    if (v < 0x80)
        return v;
    v &= 0x7f;
    for (int shift = 7;; shift += 7) {
        const std::uint8_t byte = *p++;
        v |= std::uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return v;
    }
}

} // namespace

int LatencySketch::indexFor(double value)
{
    if (!(value >= kMinValue)) // also catches NaN
        return kZeroIndex;
    if (value > kMaxValue)
        value = kMaxValue;
    return int(std::ceil(std::log(value) * kInvLogGamma));
}

double LatencySketch::upperBoundOf(int index)
{
    return std::exp(index * kLogGamma);
}

double LatencySketch::valueFor(int index)
{
    if (index == kZeroIndex)
        return 0.0;
    return std::exp(index * kLogGamma) * (2.0 / (kGamma + 1.0));
}

void LatencySketch::add(double value, std::uint64_t count)
{
    addIndex(indexFor(value), value, count);
}

void LatencySketch::addBinSlow(int index, std::uint64_t count)
{
    if (index == kZeroIndex) {
        m_zeroCount = saturatingAdd(m_zeroCount, count);
        return;
    }
    if (!m_packed.isEmpty())
        unpack();
    ensureRange(index);
    std::uint64_t &bin = m_bins[std::size_t(index - m_offset)];
    bin = saturatingAdd(bin, count);
}

void LatencySketch::ensureRange(int index)
{
    if (m_bins.empty()) {
        m_offset = index;
        m_bins.assign(1, 0);
        return;
    }
    const int last = m_offset + int(m_bins.size()) - 1;
    if (index < m_offset) {
        const int newOffset = std::max(index - kGrowSlack, kMinIndex);
        m_bins.insert(m_bins.begin(), std::size_t(m_offset - newOffset), 0);
        m_offset = newOffset;
    } else if (index > last) {
        const int newLast = std::min(index + kGrowSlack, kMaxIndex);
        m_bins.resize(std::size_t(newLast - m_offset + 1), 0);
    }
}

template<typename Fn>
void LatencySketch::forEachBin(Fn &&fn) const
{
    if (!m_packed.isEmpty()) {
        walkPacked(packedData(), std::size_t(m_packed.size()), fn);
        return;
    }
    for (std::size_t i = 0; i < m_bins.size(); ++i) {
        if (m_bins[i])
            fn(m_offset + int(i), m_bins[i]);
    }
}

void LatencySketch::merge(const LatencySketch &other)
{
    if (other.m_count == 0)
        return;
    if (m_count == 0) {
        m_min = other.m_min;
        m_max = other.m_max;
    } else {
        m_min = std::min(m_min, other.m_min);
        m_max = std::max(m_max, other.m_max);
    }
    m_count = saturatingAdd(m_count, other.m_count);
    m_zeroCount = saturatingAdd(m_zeroCount, other.m_zeroCount);
    if (!m_packed.isEmpty())
        unpack();
    if (other.m_packed.isEmpty() && !other.m_bins.empty()) {
        // Dense into dense: widen once, then add element-wise.
        const int otherLast = other.m_offset + int(other.m_bins.size()) - 1;
        ensureRange(other.m_offset);
        ensureRange(otherLast);
        std::uint64_t *dst = m_bins.data() + (other.m_offset - m_offset);
        for (std::size_t i = 0; i < other.m_bins.size(); ++i)
            dst[i] = saturatingAdd(dst[i], other.m_bins[i]);
        return;
    }
    if (other.m_packed.isEmpty())
        return;
    addPacked(other.packedData());
}

void LatencySketch::addPacked(const std::uint8_t *packed)
{
    const std::uint8_t *p = packed;
    const std::uint64_t n = trustedVarint(p);
    const int first = int(unzigzag(trustedVarint(p)));
    if (n == 0)
        return;
    // Find the highest bin first (a walk over bytes already in cache), so the dense range grows
    // once instead of bin by bin.
    const std::uint8_t *const binsStart = p;
    int last = first;
    for (std::uint64_t i = 0; i < n; ++i) {
        last += int(trustedVarint(p));
        trustedVarint(p);
    }
    ensureRange(first);
    ensureRange(last);
    p = binsStart;
    std::uint64_t *bins = m_bins.data() + (first - m_offset);
    std::size_t slot = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        slot += std::size_t(trustedVarint(p));
        bins[slot] = saturatingAdd(bins[slot], trustedVarint(p));
    }
}

void LatencySketch::clear()
{
    m_bins.clear();
    m_bins.shrink_to_fit();
    m_packed = QByteArray();
    m_offset = 0;
    m_count = 0;
    m_zeroCount = 0;
    m_min = 0;
    m_max = 0;
}

double LatencySketch::quantile(double q) const
{
    if (m_count == 0)
        return std::numeric_limits<double>::quiet_NaN();
    if (!(q > 0))
        return m_min;
    if (q >= 1)
        return m_max;
    const double rank = q * double(m_count - 1);
    std::uint64_t seen = m_zeroCount;
    if (double(seen) > rank)
        return std::clamp(0.0, m_min, m_max);
    double result = m_max;
    bool found = false;
    forEachBin([&](int index, std::uint64_t count) {
        if (found)
            return;
        seen += count;
        if (double(seen) > rank) {
            result = valueFor(index);
            found = true;
        }
    });
    return std::clamp(result, m_min, m_max);
}

void LatencySketch::quantiles(std::span<const double> qs, std::span<double> out) const
{
    Q_ASSERT(out.size() >= qs.size());
    Q_ASSERT(std::is_sorted(qs.begin(), qs.end()));
    // quantile() for each q, sharing the walk: ranks ascend with q, so each answer lies at or after
    // the previous one's bin.
    std::size_t next = 0;
    std::uint64_t seen = m_zeroCount;
    for (; next < qs.size(); ++next) {
        const double q = qs[next];
        if (m_count == 0)
            out[next] = std::numeric_limits<double>::quiet_NaN();
        else if (!(q > 0))
            out[next] = m_min;
        else if (q >= 1)
            out[next] = m_max;
        else if (double(seen) > q * double(m_count - 1))
            out[next] = std::clamp(0.0, m_min, m_max);
        else
            break;
    }
    if (next == qs.size())
        return;
    forEachBin([&](int index, std::uint64_t count) {
        if (next == qs.size())
            return;
        seen += count;
        while (next < qs.size() && (qs[next] >= 1 || double(seen) > qs[next] * double(m_count - 1))) {
            out[next] = qs[next] >= 1 ? m_max : std::clamp(valueFor(index), m_min, m_max);
            ++next;
        }
    });
    for (; next < qs.size(); ++next)
        out[next] = m_max; // as quantile(): past every bin (rounding) the answer is the maximum
}

std::uint64_t LatencySketch::countAtOrBelow(double value) const
{
    if (m_count == 0 || value < 0)
        return 0;
    if (value >= m_max)
        return m_count;
    const int limit = indexFor(value);
    std::uint64_t total = m_zeroCount;
    if (limit == kZeroIndex)
        return total;
    forEachBin([&](int index, std::uint64_t count) {
        if (index <= limit)
            total += count;
    });
    return total;
}

std::pair<std::uint64_t, std::uint64_t> LatencySketch::countsAtOrBelow(double low, double high) const
{
    Q_ASSERT(low <= high);
    // countAtOrBelow() of each, sharing the walk over the bins.
    struct Threshold
    {
        bool walk = false;
        int limit = 0;
        std::uint64_t total = 0;
    };
    const auto prepare = [this](double value) -> Threshold {
        if (m_count == 0 || value < 0)
            return {};
        if (value >= m_max)
            return { false, 0, m_count };
        const int limit = indexFor(value);
        return { limit != kZeroIndex, limit, m_zeroCount };
    };
    Threshold a = prepare(low);
    Threshold b = prepare(high);
    if (a.walk || b.walk) {
        forEachBin([&](int index, std::uint64_t count) {
            if (a.walk && index <= a.limit)
                a.total += count;
            if (b.walk && index <= b.limit)
                b.total += count;
        });
    }
    return { a.total, b.total };
}

void LatencySketch::appendPacked(std::vector<std::uint8_t> &out) const
{
    std::uint64_t nonEmpty = 0;
    int firstIndex = 0;
    forEachBin([&](int index, std::uint64_t) {
        if (nonEmpty++ == 0)
            firstIndex = index;
    });
    putVarint(out, nonEmpty);
    putVarint(out, zigzag(firstIndex));
    int previous = firstIndex;
    forEachBin([&](int index, std::uint64_t count) {
        putVarint(out, std::uint64_t(index - previous));
        putVarint(out, count);
        previous = index;
    });
}

void LatencySketch::compact()
{
    if (!m_packed.isEmpty() || m_bins.empty())
        return;
    std::vector<std::uint8_t> packed;
    packed.reserve(m_bins.size() + 8);
    appendPacked(packed);
    m_packed = QByteArray(reinterpret_cast<const char *>(packed.data()), qsizetype(packed.size()));
    m_bins.clear();
    m_bins.shrink_to_fit();
}

void LatencySketch::unpack()
{
    // m_packed is always well-formed: this class wrote it, or decode() validated it. Copies of this
    // sketch may share the bytes: they are let go of, never written into.
    const QByteArray packed = std::exchange(m_packed, QByteArray());
    m_bins.clear();
    addPacked(reinterpret_cast<const std::uint8_t *>(packed.constData()));
}

std::size_t LatencySketch::memoryUsage() const
{
    return m_bins.capacity() * sizeof(std::uint64_t) + std::size_t(m_packed.capacity());
}

QByteArray LatencySketch::encode() const
{
    std::vector<std::uint8_t> out;
    out.reserve(32 + (m_packed.isEmpty() ? m_bins.size() * 2 : std::size_t(m_packed.size())));
    out.push_back(kEncodingVersion);
    putVarint(out, m_count);
    putVarint(out, m_zeroCount);
    const std::size_t at = out.size();
    out.resize(at + 16);
    std::memcpy(out.data() + at, &m_min, 8);
    std::memcpy(out.data() + at + 8, &m_max, 8);
    if (!m_packed.isEmpty())
        out.insert(out.end(), packedData(), packedData() + m_packed.size());
    else
        appendPacked(out);
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
}

std::optional<LatencySketch> LatencySketch::decode(QByteArrayView bytes)
{
    const auto *data = reinterpret_cast<const std::uint8_t *>(bytes.data());
    Reader r(data, std::size_t(bytes.size()));
    std::uint8_t version = 0;
    LatencySketch s;
    if (!r.u8(version) || version != kEncodingVersion)
        return std::nullopt;
    if (!r.varint(s.m_count) || !r.varint(s.m_zeroCount) || !r.f64(s.m_min) || !r.f64(s.m_max))
        return std::nullopt;
    if (!std::isfinite(s.m_min) || !std::isfinite(s.m_max) || s.m_min < 0 || s.m_min > s.m_max
        || s.m_zeroCount > s.m_count)
        return std::nullopt;
    const std::uint8_t *bins = r.position();
    const std::size_t binsSize = std::size_t(data + bytes.size() - bins);
    std::uint64_t binTotal = 0;
    int previous = INT32_MIN;
    bool ordered = true;
    bool overflow = false;
    if (!walkPacked(bins, binsSize, [&](int index, std::uint64_t count) {
            ordered = ordered && index > previous;
            previous = index;
            overflow = overflow || binTotal + count < binTotal;
            binTotal += count;
        }))
        return std::nullopt;
    if (!ordered || overflow || binTotal + s.m_zeroCount != s.m_count)
        return std::nullopt;
    if (s.m_count == 0) {
        s.clear();
        return s;
    }
    if (binTotal > 0)
        s.m_packed = QByteArray(reinterpret_cast<const char *>(bins), qsizetype(binsSize));
    return s;
}

bool operator==(const LatencySketch &a, const LatencySketch &b)
{
    if (a.m_count != b.m_count || a.m_zeroCount != b.m_zeroCount || a.m_min != b.m_min || a.m_max != b.m_max)
        return false;
    std::vector<std::pair<int, std::uint64_t>> binsA;
    std::vector<std::pair<int, std::uint64_t>> binsB;
    a.forEachBin([&](int i, std::uint64_t c) { binsA.emplace_back(i, c); });
    b.forEachBin([&](int i, std::uint64_t c) { binsB.emplace_back(i, c); });
    return binsA == binsB;
}

} // namespace perfwatch
