#include "analyzer.h"

#include "analyzerformat.h"
#include "rulecontext.h"
#include "rules.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace perfwatch {

using namespace analysis;

// ---- Names and JSON ----

QString bandName(Band band)
{
    switch (band) {
    case Band::Excellent:
        return QStringLiteral("excellent");
    case Band::Good:
        return QStringLiteral("good");
    case Band::Fair:
        return QStringLiteral("fair");
    case Band::Poor:
        return QStringLiteral("poor");
    case Band::NoData:
        break;
    }
    return QStringLiteral("no_data");
}

QString typeName(RecommendationType type)
{
    switch (type) {
    case RecommendationType::Api:
        return QStringLiteral("api");
    case RecommendationType::Database:
        return QStringLiteral("database");
    case RecommendationType::Processing:
        return QStringLiteral("processing");
    case RecommendationType::Resources:
        return QStringLiteral("resources");
    case RecommendationType::Trend:
        return QStringLiteral("trend");
    }
    return QStringLiteral("api");
}

QString priorityName(Priority priority)
{
    switch (priority) {
    case Priority::High:
        return QStringLiteral("high");
    case Priority::Medium:
        return QStringLiteral("medium");
    case Priority::Low:
        return QStringLiteral("low");
    }
    return QStringLiteral("medium");
}

bool bandFromName(const QString &name, Band &band)
{
    for (Band b : { Band::NoData, Band::Poor, Band::Fair, Band::Good, Band::Excellent }) {
        if (bandName(b) == name) {
            band = b;
            return true;
        }
    }
    return false;
}

bool typeFromName(const QString &name, RecommendationType &type)
{
    for (auto t : { RecommendationType::Api, RecommendationType::Database, RecommendationType::Processing,
             RecommendationType::Resources, RecommendationType::Trend }) {
        if (typeName(t) == name) {
            type = t;
            return true;
        }
    }
    return false;
}

bool priorityFromName(const QString &name, Priority &priority)
{
    for (auto p : { Priority::High, Priority::Medium, Priority::Low }) {
        if (priorityName(p) == name) {
            priority = p;
            return true;
        }
    }
    return false;
}

QString trendDirectionName(TrendDirection direction)
{
    switch (direction) {
    case TrendDirection::Improving:
        return QStringLiteral("improving");
    case TrendDirection::Stable:
        return QStringLiteral("stable");
    case TrendDirection::Degrading:
        return QStringLiteral("degrading");
    }
    return QStringLiteral("stable");
}

QJsonObject ScoreBreakdown::toJson() const
{
    return QJsonObject {
        { QStringLiteral("api_requests"), jsonCount(apiRequests) },
        { QStringLiteral("api_p95_ms"), jsonNumber(apiP95Ms) },
        { QStringLiteral("api_threshold_ms"), jsonNumber(apiThresholdMs) },
        { QStringLiteral("api_points_lost"), jsonNumber(apiPointsLost) },
        { QStringLiteral("db_operations"), jsonCount(dbOperations) },
        { QStringLiteral("db_avg_ms"), jsonNumber(dbAvgMs) },
        { QStringLiteral("db_threshold_ms"), jsonNumber(dbThresholdMs) },
        { QStringLiteral("db_points_lost"), jsonNumber(dbPointsLost) },
        { QStringLiteral("error_count"), jsonCount(errorCount) },
        { QStringLiteral("error_total"), jsonCount(errorTotal) },
        { QStringLiteral("error_rate"), jsonNumber(errorRate) },
        { QStringLiteral("error_rate_low"), jsonNumber(errorRateLow) },
        { QStringLiteral("error_rate_high"), jsonNumber(errorRateHigh) },
        { QStringLiteral("error_points_lost"), jsonNumber(errorPointsLost) },
        { QStringLiteral("cache_lookups"), jsonCount(cacheLookups) },
        { QStringLiteral("cache_hit_rate"), jsonNumber(cacheHitRate) },
        { QStringLiteral("cache_bonus_threshold"), jsonNumber(cacheBonusThreshold) },
        { QStringLiteral("cache_bonus_min_lookups"), jsonCount(cacheBonusMinLookups) },
        { QStringLiteral("cache_bonus"), jsonNumber(cacheBonus) },
    };
}

QJsonObject Recommendation::toJson() const
{
    return QJsonObject {
        { QStringLiteral("id"), id },
        { QStringLiteral("rule"), rule },
        { QStringLiteral("type"), typeName(type) },
        { QStringLiteral("priority"), priorityName(priority) },
        { QStringLiteral("service"), service },
        { QStringLiteral("target"), target },
        { QStringLiteral("message"), message },
        { QStringLiteral("suggestion"), suggestion },
        { QStringLiteral("evidence"), evidence },
        { QStringLiteral("impact"), jsonRounded(impact, 3) },
        { QStringLiteral("first_seen"), jsonTime(firstSeenMs) },
        { QStringLiteral("last_seen"), jsonTime(lastSeenMs) },
    };
}

QJsonObject Trend::toJson() const
{
    return QJsonObject {
        { QStringLiteral("kind"), QString::fromLatin1(kindName(meta.kind)) },
        { QStringLiteral("service"), meta.service },
        { QStringLiteral("target"), meta.name },
        { QStringLiteral("current_p95_ms"), jsonRounded(currentP95Ms) },
        { QStringLiteral("previous_p95_ms"), jsonRounded(previousP95Ms) },
        { QStringLiteral("change"), jsonRounded(change, 4) },
        { QStringLiteral("current_count"), jsonCount(currentCount) },
        { QStringLiteral("previous_count"), jsonCount(previousCount) },
        { QStringLiteral("direction"), trendDirectionName(direction) },
    };
}

// ---- Analyzer ----

Analyzer::Analyzer(AnalyzerConfig config)
    : m_config(std::move(config))
{ }

AnalysisResult Analyzer::analyze(const AnalyzerInput &input)
{
    AnalysisResult result;
    result.score = computeScore(input.current, input.nowMs);
    for (const KeyAggregate &k : input.current) {
        if (k.meta.kind == MetricKind::Api && k.agg.sketch.count() > 0)
            result.apdex[k.meta.id] = apdex(k.agg);
    }

    RuleContext ctx(input, m_config, m_memo);
    ruleSlowEndpoint(ctx);
    ruleHighErrorRate(ctx);
    const std::vector<KeyId> slowQueries = ruleSlowQuery(ctx);
    ruleMissingIndex(ctx, slowQueries);
    ruleConnectionPool(ctx);
    ruleProcessingBottleneck(ctx);
    ruleLowThroughput(ctx);
    ruleCacheHitRate(ctx);
    ruleDegradation(ctx);
    ruleMemoryGrowth(ctx);
    ruleNPlusOne(ctx);
    ruleKeyCardinality(ctx);
    ctx.dropUnused();

    for (Recommendation &r : ctx.out) {
        Seen &seen = m_firstSeen.try_emplace(r.id, Seen { input.nowMs, input.nowMs }).first->second;
        seen.lastMs = std::max(seen.lastMs, input.nowMs);
        r.firstSeenMs = seen.firstMs;
        r.lastSeenMs = input.nowMs;
    }
    constexpr qint64 kForgetAfterMs = 3600 * 1000;
    std::erase_if(m_firstSeen, [&](const auto &entry) { return entry.second.lastMs < input.nowMs - kForgetAfterMs; });
    std::sort(ctx.out.begin(), ctx.out.end(), [](const Recommendation &a, const Recommendation &b) {
        return std::tuple(int(a.priority), -a.impact, a.id) < std::tuple(int(b.priority), -b.impact, b.id);
    });
    result.recommendations = std::move(ctx.out);

    for (const auto &[cur, prev] : comparableKeys(input, m_config.degradationMinSamples)) {
        Trend t;
        t.meta = cur->meta;
        t.currentP95Ms = cur->agg.quantile(0.95);
        t.previousP95Ms = prev->agg.quantile(0.95);
        if (!(t.previousP95Ms > 0))
            continue;
        t.change = t.currentP95Ms / t.previousP95Ms - 1;
        t.currentCount = cur->agg.sketch.count();
        t.previousCount = prev->agg.sketch.count();
        t.direction = t.change > m_config.trendChangeThreshold ? TrendDirection::Degrading
            : t.change < -m_config.trendChangeThreshold        ? TrendDirection::Improving
                                                               : TrendDirection::Stable;
        result.trends.push_back(std::move(t));
    }
    // Largest slow-down first, so a capped list still shows what matters.
    std::sort(result.trends.begin(), result.trends.end(), [](const Trend &a, const Trend &b) {
        return a.change != b.change ? a.change > b.change : a.meta.id < b.meta.id;
    });
    return result;
}

void Analyzer::rememberFirstSeen(const std::vector<Recommendation> &recommendations)
{
    for (const Recommendation &r : recommendations) {
        if (r.firstSeenMs <= 0 || r.id.isEmpty())
            continue;
        const qint64 last = std::max(r.lastSeenMs, r.firstSeenMs);
        const auto [it, inserted] = m_firstSeen.try_emplace(r.id, Seen { r.firstSeenMs, last });
        if (!inserted) {
            it->second.firstMs = std::min(it->second.firstMs, r.firstSeenMs);
            it->second.lastMs = std::max(it->second.lastMs, last);
        }
    }
}

} // namespace perfwatch
