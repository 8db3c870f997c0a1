// The score, its bands and Apdex (docs/DESIGN.md §11).

#include "analyzer.h"
#include "analyzerformat.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace perfwatch {

using analysis::kNaN;

namespace {

/// Loses nothing at or below `from`, everything at or above `to`, linearly in between.
double linearLoss(double value, double from, double to, double maxLost)
{
    if (!std::isfinite(value) || value <= from)
        return 0;
    if (value >= to || !(to > from))
        return maxLost;
    return maxLost * (value - from) / (to - from);
}

} // namespace

Band bandForScore(int score)
{
    if (score >= ScoreLimits::kExcellentFrom)
        return Band::Excellent;
    if (score >= ScoreLimits::kGoodFrom)
        return Band::Good;
    if (score >= ScoreLimits::kFairFrom)
        return Band::Fair;
    return Band::Poor;
}

Score Analyzer::computeScore(const std::vector<KeyAggregate> &window, qint64 nowMs) const
{
    LatencySketch apiSketch;
    quint64 apiCount = 0;
    quint64 apiErrors = 0;
    quint64 dbCount = 0;
    quint64 dbErrors = 0;
    double dbSum = 0;
    quint64 processingCount = 0;
    quint64 hits = 0;
    quint64 misses = 0;
    for (const KeyAggregate &k : window) {
        const MetricStats &s = k.agg.stats;
        switch (k.meta.kind) {
        case MetricKind::Api:
            apiSketch.merge(k.agg.sketch);
            apiCount = saturatingAdd(apiCount, s.count);
            apiErrors = saturatingAdd(apiErrors, s.errors);
            break;
        case MetricKind::Db:
            dbCount = saturatingAdd(dbCount, s.count);
            dbErrors = saturatingAdd(dbErrors, s.errors);
            dbSum = finiteAdd(dbSum, s.sum);
            break;
        case MetricKind::Processing:
            processingCount = saturatingAdd(processingCount, s.count);
            break;
        case MetricKind::Cache:
            hits = saturatingAdd(hits, s.items);
            misses = saturatingAdd(misses, s.misses);
            break;
        case MetricKind::Gauge:
            break;
        }
    }

    const AnalyzerConfig &c = m_config;
    Score score;
    score.computedAtMs = nowMs;
    ScoreBreakdown &b = score.breakdown;

    b.apiRequests = apiCount;
    b.apiP95Ms = apiSketch.isEmpty() ? kNaN : apiSketch.quantile(0.95);
    b.apiThresholdMs = c.slowApiMs;
    b.apiPointsLost = linearLoss(b.apiP95Ms, c.slowApiMs, ScoreLimits::kApiAllLostFactor * c.slowApiMs, c.apiMaxLost);

    b.dbOperations = dbCount;
    b.dbAvgMs = dbCount ? dbSum / double(dbCount) : kNaN;
    b.dbThresholdMs = c.slowDbMs;
    b.dbPointsLost = linearLoss(b.dbAvgMs, c.slowDbMs, ScoreLimits::kDbAllLostFactor * c.slowDbMs, c.dbMaxLost);

    b.errorCount = saturatingAdd(apiErrors, dbErrors);
    b.errorTotal = saturatingAdd(apiCount, dbCount);
    b.errorRate = b.errorTotal ? (double(apiErrors) + double(dbErrors)) / (double(apiCount) + double(dbCount)) : kNaN;
    b.errorRateLow = c.errorRateLow;
    b.errorRateHigh = c.errorRateHigh;
    b.errorPointsLost = linearLoss(b.errorRate, c.errorRateLow, c.errorRateHigh, c.errorMaxLost);

    b.cacheLookups = saturatingAdd(hits, misses);
    b.cacheHitRate = b.cacheLookups ? double(hits) / (double(hits) + double(misses)) : kNaN;
    b.cacheBonusThreshold = c.cacheBonusHitRate;
    b.cacheBonusMinLookups = c.cacheBonusMinLookups;
    b.cacheBonus
        = (b.cacheLookups > 0 && b.cacheLookups >= c.cacheBonusMinLookups && b.cacheHitRate >= c.cacheBonusHitRate)
        ? c.cacheBonus
        : 0.0;

    if (apiCount == 0 && dbCount == 0 && processingCount == 0 && b.cacheLookups == 0) {
        score.value = 0;
        score.band = Band::NoData;
        return score;
    }
    const double lost = b.apiPointsLost + b.dbPointsLost + b.errorPointsLost;
    score.value
        = int(std::clamp(std::round(ScoreLimits::kMaxScore - lost + b.cacheBonus), 0.0, ScoreLimits::kMaxScore));
    score.band = bandForScore(score.value);
    return score;
}

double Analyzer::apdex(const Aggregate &agg) const
{
    return perfwatch::apdex(agg, m_config.slowApiMs);
}

double apdex(const Aggregate &agg, double thresholdMs)
{
    const std::uint64_t total = agg.sketch.count();
    if (total == 0)
        return kNaN;
    const double t = thresholdMs;
    const auto [atT, at4T] = t <= 4 * t ? agg.sketch.countsAtOrBelow(t, 4 * t)
                                        : std::pair(agg.sketch.countAtOrBelow(t), agg.sketch.countAtOrBelow(4 * t));
    const double satisfiedAll = double(atT);
    const double toleratingAll = double(at4T) - satisfiedAll;
    // The sketch does not tell which durations belong to 5xx responses. Those count as frustrated, so we
    // assume they are spread over the durations like all others and remove their share from the satisfied
    // and tolerating counts proportionally. (Exact when errors are spread evenly; when 5xx are mostly fast
    // failures it overestimates Apdex slightly, when mostly timeouts it underestimates it.)
    const double errors = double(std::min<quint64>(agg.stats.errors, total));
    const double okShare = (double(total) - errors) / double(total);
    return (satisfiedAll * okShare + toleratingAll * okShare / 2) / double(total);
}

} // namespace perfwatch
