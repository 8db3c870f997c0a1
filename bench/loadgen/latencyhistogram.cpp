#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace perfwatch::loadgen {

namespace {

constexpr std::uint64_t kSubBucketCount = std::uint64_t(1) << LatencyHistogram::kSubBucketBits;
constexpr std::uint64_t kMaxValue = (std::uint64_t(1) << LatencyHistogram::kMaxExponent) - 1;
constexpr std::size_t kBucketCount
    = std::size_t(LatencyHistogram::kMaxExponent - LatencyHistogram::kSubBucketBits + 1) * kSubBucketCount;

} // namespace

LatencyHistogram::LatencyHistogram()
    : m_counts(kBucketCount, 0)
{ }

// Values below 2^S map to themselves. A larger value with highest bit e keeps its top S + 1
// bits as the mantissa m in [2^S, 2^(S+1)); its index is (e - S + 1) * 2^S + (m - 2^S), which
// continues seamlessly from the exact range.
std::size_t LatencyHistogram::indexFor(std::uint64_t value)
{
    if (value < kSubBucketCount)
        return std::size_t(value);
    const int exponent = std::bit_width(value) - 1;
    const int shift = exponent - kSubBucketBits;
    const std::uint64_t mantissa = value >> shift;
    return std::size_t(shift + 1) * kSubBucketCount + std::size_t(mantissa - kSubBucketCount);
}

std::uint64_t LatencyHistogram::highestEquivalentValue(std::size_t index)
{
    if (index < kSubBucketCount)
        return index;
    const std::size_t shift = index / kSubBucketCount - 1;
    const std::uint64_t mantissa = kSubBucketCount + index % kSubBucketCount;
    return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::record(std::uint64_t nanoseconds)
{
    if (m_count == 0 || nanoseconds < m_min)
        m_min = nanoseconds;
    m_max = std::max(m_max, nanoseconds);
    ++m_count;
    m_sum += nanoseconds;
    ++m_counts[indexFor(std::min(nanoseconds, kMaxValue))];
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    if (m_count == 0 || other.m_min < m_min)
        m_min = other.m_min;
    m_max = std::max(m_max, other.m_max);
    m_count += other.m_count;
    m_sum += other.m_sum;
    for (std::size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
}

void LatencyHistogram::reset()
{
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_count = 0;
    m_sum = 0;
    m_min = 0;
    m_max = 0;
}

std::uint64_t LatencyHistogram::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    if (q <= 0)
        return m_min;
    if (q >= 1)
        return m_max;
    // The rank-th smallest value (1-based), as HdrHistogram's getValueAtPercentile does.
    const auto rank = std::max<std::uint64_t>(1, std::uint64_t(std::ceil(q * double(m_count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank)
            return std::clamp(highestEquivalentValue(i), m_min, m_max);
    }
    return m_max;
}

} // namespace perfwatch::loadgen
