#pragma once

#include <QtGlobal>
#include <string_view>

namespace perfwatch {

/// Parses an RFC 3339 date-time ("2024-01-20T15:30:00Z", "2024-01-20t15:30:00.250+02:00",
/// a space instead of the T) into Unix milliseconds. Fractions beyond milliseconds are
/// truncated; a leap second (:60) is read as the next minute's first second.
/// Returns false for anything else, including out-of-range fields and a missing offset.
bool parseRfc3339(std::string_view text, qint64 &unixMs);

/// Days since 1970-01-01 of a proleptic Gregorian date (no range checks).
constexpr qint64 daysFromCivil(qint64 year, unsigned month, unsigned day)
{
    year -= month <= 2 ? 1 : 0;
    const qint64 era = (year >= 0 ? year : year - 399) / 400;
    const auto yearOfEra = unsigned(year - era * 400);
    const unsigned dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + qint64(dayOfEra) - 719468;
}

} // namespace perfwatch
