#pragma once

namespace perfwatch {

/// What no real measurement can be (README "Validation"). Every decoder rejects, per event and
/// with the reason, a value outside these bounds, so aggregates built from accepted events stay
/// finite: 2^64 durations of kMaxDurationMs sum to about 1.8e31 ms.
namespace bounds {

/// The longest duration accepted: 1e12 ms, about 31.7 years. Longer is a unit or clock error
/// (a span that "started" in 1970), never a request.
inline constexpr double kMaxDurationMs = 1e12;
/// The largest gauge magnitude accepted: 1e300, leaving room below DBL_MAX (1.8e308) for sums.
inline constexpr double kMaxGaugeMagnitude = 1e300;
/// The smallest StatsD sample rate accepted: one sample in a million. A rate of 1e-300 would
/// scale a counter of 1 to 1e300.
inline constexpr double kMinSampleRate = 1e-6;
/// The largest StatsD counter increment accepted (2^53, the largest integer a double counts exactly).
inline constexpr double kMaxCounterIncrement = 9007199254740992.0;

/// A duration in ms: finite, from 0 to kMaxDurationMs.
constexpr bool isDurationMs(double ms)
{
    return ms >= 0 && ms <= kMaxDurationMs; // false for NaN
}

/// A gauge value: finite, |value| <= kMaxGaugeMagnitude.
constexpr bool isGaugeValue(double value)
{
    return value >= -kMaxGaugeMagnitude && value <= kMaxGaugeMagnitude; // false for NaN
}

} // namespace bounds

} // namespace perfwatch
