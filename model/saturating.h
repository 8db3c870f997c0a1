#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace perfwatch {

/// a + b, or UINT64_MAX when the sum does not fit: a counter that saturates never wraps to a
/// small number (hits 2^63 + misses 2^63 are not 0 lookups).
constexpr std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<std::uint64_t>::max() : sum;
}

/// a + b for finite a and b, held at +-DBL_MAX instead of overflowing to infinity: a sum of
/// finite values stays finite, so averages and JSON numbers derived from it do too.
inline double finiteAdd(double a, double b)
{
    const double sum = a + b;
    if (std::isfinite(sum)) [[likely]]
        return sum;
    return std::copysign(std::numeric_limits<double>::max(), sum);
}

} // namespace perfwatch
