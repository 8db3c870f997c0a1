#include "dashboardsnapshot.h"

#include <QHash>
#include <cmath>

namespace perfwatch {

namespace {

bool same(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace

qint64 rangeMs(TimeRange range)
{
    constexpr qint64 kMinute = 60'000;
    switch (range) {
    case TimeRange::Minutes5:
        return 5 * kMinute;
    case TimeRange::Minutes15:
        return 15 * kMinute;
    case TimeRange::Hour1:
        return 60 * kMinute;
    case TimeRange::Hours6:
        return 6 * 60 * kMinute;
    case TimeRange::Hours24:
        return 24 * 60 * kMinute;
    }
    return 15 * kMinute;
}

qint64 rangeStepMs(TimeRange range)
{
    // Per-service groups keep 1 s buckets for 16 min and minute buckets beyond; history is minutes.
    switch (range) {
    case TimeRange::Minutes5:
        return 2'000; // 150 points
    case TimeRange::Minutes15:
        return 5'000; // 180 points
    case TimeRange::Hour1:
        return 60'000; // 60 points
    case TimeRange::Hours6:
        return 60'000; // 360 points
    case TimeRange::Hours24:
        return 300'000; // 288 points
    }
    return 5'000;
}

size_t qHash(const KeyRef &key, size_t seed) noexcept
{
    return qHashMulti(seed, int(key.kind), key.service, key.name);
}

bool KeyRow::sameValues(const KeyRow &o) const
{
    return count == o.count && errors == o.errors && items == o.items && hits == o.hits && misses == o.misses
        && same(ratePerSec, o.ratePerSec) && same(avg, o.avg) && same(p50, o.p50) && same(p95, o.p95)
        && same(p99, o.p99) && same(min, o.min) && same(max, o.max) && same(errorRate, o.errorRate)
        && same(apdex, o.apdex) && same(itemsPerSec, o.itemsPerSec) && same(hitRate, o.hitRate) && same(last, o.last)
        && approximate == o.approximate;
}

} // namespace perfwatch
