#pragma once

#include "saturating.h"

#include <QByteArray>
#include <QByteArrayView>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace perfwatch {

/// Mergeable quantile sketch for non-negative values with a bounded relative error.
///
/// Values are mapped to logarithmic bins (DDSketch-style): bin i holds values in
/// (gamma^(i-1), gamma^i] with gamma = (1 + a) / (1 - a), so reporting the bin's midpoint
/// is within a = 1% of any value in it. Values below kMinValue are counted in a zero bin and
/// reported as 0; values above kMaxValue are clamped into the top bin. Quantiles are clamped
/// to the exact min and max seen, so p0 and p100 are exact. Counts saturate at UINT64_MAX
/// instead of wrapping.
///
/// A sketch is dense (a counter per bin between the lowest and highest bin used) while it is
/// written to; compact() packs it into a varint byte string, about 2 bytes per non-empty bin,
/// which is what sealed time buckets keep in memory and what SQLite stores. Adding to a
/// compact sketch unpacks it again.
class LatencySketch
{
public:
    static constexpr double kRelativeAccuracy = 0.0099;
    static constexpr double kMinValue = 1e-4; ///< 100 ns, in milliseconds
    static constexpr double kMaxValue = 1e9; ///< about 11.6 days, in milliseconds

    LatencySketch() = default;

    /// The bin a value falls in; kZeroIndex for values below kMinValue. Hot path: compute once
    /// and feed the index to several sketches with addIndex().
    static int indexFor(double value);
    static constexpr int kZeroIndex = INT32_MIN;
    /// The value reported for a bin (its midpoint in relative terms).
    static double valueFor(int index);
    /// The largest value a bin holds (its upper edge).
    static double upperBoundOf(int index);

    void add(double value, std::uint64_t count = 1);
    /// Adds a value whose bin is already known; value is still needed for exact min/max.
    void addIndex(int index, double value, std::uint64_t count = 1)
    {
        // Inline fast path: a dense sketch whose range already holds the bin.
        if (count == 0)
            return;
        if (!(value >= 0))
            value = 0;
        if (m_count == 0) {
            m_min = value;
            m_max = value;
        } else {
            m_min = value < m_min ? value : m_min;
            m_max = value > m_max ? value : m_max;
        }
        m_count = saturatingAdd(m_count, count);
        const std::size_t slot = std::size_t(std::int64_t(index) - m_offset);
        if (slot < m_bins.size()) {
            m_bins[slot] = saturatingAdd(m_bins[slot], count);
            return;
        }
        addBinSlow(index, count);
    }
    void merge(const LatencySketch &other);
    void clear();
    /// Sets the exact smallest and largest value when the caller knows them better than the values
    /// added (a histogram's own min and max, added as bucket midpoints). No effect when empty.
    void setRange(double min, double max)
    {
        if (m_count == 0 || !(min >= 0) || !(max >= min))
            return;
        m_min = min;
        m_max = max;
    }

    std::uint64_t count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    double min() const { return m_min; }
    double max() const { return m_max; }

    /// The q-quantile (q in [0, 1]) with rank q * (count - 1); NaN when empty.
    double quantile(double q) const;
    /// quantile() of each of qs (ascending) in one pass over the bins: out[i] = quantile(qs[i]).
    void quantiles(std::span<const double> qs, std::span<double> out) const;
    /// Approximately how many values are <= value (exact up to the bin holding value).
    std::uint64_t countAtOrBelow(double value) const;
    /// countAtOrBelow(low) and countAtOrBelow(high) (low <= high) in one pass over the bins.
    std::pair<std::uint64_t, std::uint64_t> countsAtOrBelow(double low, double high) const;

    /// Packs the bins into the compact form; cheap to keep, slower to add to.
    void compact();
    bool isCompact() const { return !m_packed.isEmpty(); }
    /// Heap bytes held (for memory accounting and tests).
    std::size_t memoryUsage() const;

    /// Self-describing binary form (versioned), used for persistence.
    QByteArray encode() const;
    /// Parses encode()'s output; nullopt for anything malformed (never crashes on hostile bytes).
    static std::optional<LatencySketch> decode(QByteArrayView bytes);

    friend bool operator==(const LatencySketch &a, const LatencySketch &b);

private:
    template<typename Fn>
    void forEachBin(Fn &&fn) const; ///< fn(index, count) in ascending index order, non-empty bins only
    void unpack();
    /// Adds the bins of a packed bin list (well-formed: written by appendPacked() or validated).
    void addPacked(const std::uint8_t *packed);
    void ensureRange(int index);
    void addBinSlow(int index, std::uint64_t count);
    void appendPacked(std::vector<std::uint8_t> &out) const;
    const std::uint8_t *packedData() const { return reinterpret_cast<const std::uint8_t *>(m_packed.constData()); }

    std::vector<std::uint64_t> m_bins; ///< dense counters; m_bins[i] is bin m_offset + i
    int m_offset = 0;
    /// Compact form; when non-empty, m_bins is empty. Implicitly shared and never written in place, so
    /// copying a compact sketch (window caches, snapshots) costs no allocation.
    QByteArray m_packed;
    std::uint64_t m_count = 0;
    std::uint64_t m_zeroCount = 0;
    double m_min = 0;
    double m_max = 0;
};

} // namespace perfwatch
