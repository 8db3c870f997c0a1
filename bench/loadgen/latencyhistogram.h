#pragma once

#include <cstdint>
#include <vector>

namespace perfwatch::loadgen {

/// Log-bucketed latency histogram in nanoseconds (HdrHistogram-style, no dependencies).
///
/// Values below 2^kSubBucketBits ns are exact; above, every power of two is split into
/// 2^kSubBucketBits linear sub-buckets, so a reported value is at most 1/256 (0.4%) above the
/// true one. Recording is a bit scan and an increment, cheap enough for every request.
class LatencyHistogram
{
public:
    static constexpr int kSubBucketBits = 8;
    static constexpr int kMaxExponent = 40; ///< 2^40 ns is about 18 minutes; longer values are clamped

    LatencyHistogram();

    void record(std::uint64_t nanoseconds);
    void merge(const LatencyHistogram &other);
    void reset();

    std::uint64_t count() const { return m_count; }
    std::uint64_t min() const { return m_count ? m_min : 0; }
    std::uint64_t max() const { return m_max; }
    double mean() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }
    /// The smallest recorded-bucket upper bound with at least q of the values at or below it,
    /// clamped to the exact min and max; 0 when empty.
    std::uint64_t quantile(double q) const;

private:
    static std::size_t indexFor(std::uint64_t value);
    static std::uint64_t highestEquivalentValue(std::size_t index);

    std::vector<std::uint64_t> m_counts;
    std::uint64_t m_count = 0;
    std::uint64_t m_sum = 0;
    std::uint64_t m_min = 0;
    std::uint64_t m_max = 0;
};

} // namespace perfwatch::loadgen
