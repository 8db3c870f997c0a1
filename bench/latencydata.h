#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace perfwatch::bench {

/// Realistic request durations in milliseconds: log-normal with a 50 ms median, plus 1% slow
/// outliers between 1 and 3 s (the same shape perfwatch-loadgen sends).
inline std::vector<double> latencySamples(std::size_t count, std::uint64_t seed = 42)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::lognormal_distribution<double> body(3.912, 0.6); // ln(50) = 3.912
    std::vector<double> values(count);
    for (double &v : values)
        v = unit(rng) < 0.01 ? 1000.0 + 2000.0 * unit(rng) : body(rng);
    return values;
}

} // namespace perfwatch::bench
