// Recommendation rules about caches, memory and key cardinality (docs/DESIGN.md §12, rules 8, 10 and 12).

#include "analyzerformat.h"
#include "displaytext.h"
#include "rulecontext.h"
#include "rules.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocale>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace perfwatch::analysis {

// Rule 8. Impact: cacheMinHitRate / hit rate.
void ruleCacheHitRate(RuleContext &ctx)
{
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind != MetricKind::Cache)
            continue;
        const quint64 lookups = k.agg.stats.lookups();
        const double hitRate = k.agg.stats.hitRate();
        if (lookups < ctx.cfg.cacheMinLookups || !(hitRate < ctx.cfg.cacheMinHitRate))
            continue;
        const MemoInputs inputs = memoInputs(
            k.agg.stats.items, k.agg.stats.misses, ctx.cfg.cacheMinLookups, ctx.cfg.cacheMinHitRate, ctx.windowMs);
        if (ctx.reuse(MemoRule::CacheHitRate, k.meta, inputs))
            continue;
        Recommendation r = ctx.make(QStringLiteral("cache_hit_rate"), RecommendationType::Resources, Priority::Medium,
            k.meta.service, k.meta.name, safeRatio(ctx.cfg.cacheMinHitRate, hitRate));
        r.message
            = QCoreApplication::translate("Analyzer", "%1 hits only %2% of %3 lookups over the last %4 (threshold %5%)")
                  .arg(DisplayText::isolate(k.meta.name), formatPercent(hitRate), formatCount(lookups), ctx.windowText,
                      formatPercent(ctx.cfg.cacheMinHitRate));
        r.suggestion = QCoreApplication::translate("Analyzer",
            "Check its keys (too specific, including timestamps or ids that never "
            "repeat?), lengthen the expiry, grow the cache, or warm it up.");
        r.evidence = QJsonObject {
            { QStringLiteral("hits"), jsonCount(k.agg.stats.items) },
            { QStringLiteral("misses"), jsonCount(k.agg.stats.misses) },
            { QStringLiteral("lookups"), jsonCount(lookups) },
            { QStringLiteral("hit_rate"), jsonRounded(hitRate, 4) },
            { QStringLiteral("threshold_hit_rate"), jsonNumber(ctx.cfg.cacheMinHitRate) },
        };
        ctx.remember(MemoRule::CacheHitRate, k.meta, inputs, r);
        ctx.out.push_back(std::move(r));
    }
}

// Rule 10. Impact: relative growth per hour / memoryGrowthMinPerHour.
void ruleMemoryGrowth(RuleContext &ctx)
{
    for (const GaugeSeries &g : ctx.in.gauges) {
        if (g.meta.name != u"process.memory.rss_bytes")
            continue;
        std::vector<std::pair<double, double>> xy; // hours since the first point, mean bytes of the minute
        std::vector<TimePoint> points;
        for (const TimePoint &p : g.points) {
            if (p.agg.stats.count > 0)
                points.push_back(p);
        }
        if (points.size() < 3)
            continue;
        std::sort(
            points.begin(), points.end(), [](const TimePoint &a, const TimePoint &b) { return a.startMs < b.startMs; });
        const qint64 spanMs = points.back().startMs - points.front().startMs;
        if (spanMs < ctx.cfg.memoryGrowthMinSpanMs)
            continue;
        double meanX = 0;
        double meanY = 0;
        for (const TimePoint &p : points) {
            const double x = double(p.startMs - points.front().startMs) / double(kHourMs);
            const double y = p.agg.stats.avg();
            xy.emplace_back(x, y);
            meanX += x;
            meanY += y;
        }
        meanX /= double(xy.size());
        meanY /= double(xy.size());
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (const auto &[x, y] : xy) {
            sxx += (x - meanX) * (x - meanX);
            sxy += (x - meanX) * (y - meanY);
            syy += (y - meanY) * (y - meanY);
        }
        if (!(sxx > 0) || !(syy > 0) || !(meanY > 0))
            continue;
        const double slope = sxy / sxx; // bytes per hour
        const double r2 = (sxy * sxy) / (sxx * syy);
        const double growth = slope / meanY;
        if (!(slope > 0) || r2 < ctx.cfg.memoryGrowthMinR2 || growth < ctx.cfg.memoryGrowthMinPerHour)
            continue;
        const Priority priority = growth >= 4 * ctx.cfg.memoryGrowthMinPerHour ? Priority::High : Priority::Medium;
        Recommendation r = ctx.make(QStringLiteral("memory_growth"), RecommendationType::Resources, priority,
            g.meta.service, g.meta.name, safeRatio(growth, ctx.cfg.memoryGrowthMinPerHour));
        const double spanMinutes = double(spanMs) / kMinuteMs;
        r.message = QCoreApplication::translate("Analyzer",
            "Memory of %1 is growing steadily: +%2 MB/h (%3% of its average per "
            "hour) over the last %4 (R² %5)")
                        .arg(DisplayText::isolate(g.meta.service), QLocale().toString(slope / 1e6, 'f', 1),
                            formatPercent(growth), formatMinutes(spanMs), QLocale().toString(r2, 'f', 2));
        r.suggestion = QCoreApplication::translate("Analyzer",
            "Look for a leak: caches without eviction, lists or maps that only "
            "grow, listeners never removed. Compare two heap snapshots taken "
            "some minutes apart.");
        r.evidence = QJsonObject {
            { QStringLiteral("slope_bytes_per_hour"), jsonRounded(slope, 0) },
            { QStringLiteral("mean_bytes"), jsonRounded(meanY, 0) },
            { QStringLiteral("growth_per_hour"), jsonRounded(growth, 4) },
            { QStringLiteral("r2"), jsonRounded(r2, 4) },
            { QStringLiteral("span_minutes"), jsonRounded(spanMinutes, 1) },
            { QStringLiteral("points"), jsonCount(points.size()) },
            { QStringLiteral("threshold_growth_per_hour"), jsonNumber(ctx.cfg.memoryGrowthMinPerHour) },
            { QStringLiteral("threshold_r2"), jsonNumber(ctx.cfg.memoryGrowthMinR2) },
        };
        ctx.out.push_back(std::move(r));
    }
}

// Rule 12, per service and kind beyond the key caps. Impact: 1 / (1 - share of its events that
// landed in the overflow key), at most kMaxImpact.
void ruleKeyCardinality(RuleContext &ctx)
{
    for (const KeyOverflow &o : ctx.in.overflows) {
        const double share = safeRatio(double(o.events), double(std::max<quint64>(o.allEvents, 1)));
        const double impact = share < 1 ? std::min(kMaxImpact, 1 / (1 - share)) : kMaxImpact;
        RecommendationType type = RecommendationType::Resources;
        QString what;
        switch (o.kind) {
        case MetricKind::Api:
            type = RecommendationType::Api;
            what = QCoreApplication::translate("Analyzer", "endpoints");
            break;
        case MetricKind::Db:
            type = RecommendationType::Database;
            what = QCoreApplication::translate("Analyzer", "database operations");
            break;
        case MetricKind::Processing:
            type = RecommendationType::Processing;
            what = QCoreApplication::translate("Analyzer", "processing steps");
            break;
        case MetricKind::Gauge:
            what = QCoreApplication::translate("Analyzer", "gauges");
            break;
        case MetricKind::Cache:
            what = QCoreApplication::translate("Analyzer", "caches");
            break;
        }
        // About the overflow key, whose name is empty (lists then show the service); one per kind.
        Recommendation r
            = ctx.make(QStringLiteral("key_cardinality"), type, Priority::High, o.service, QString(), impact);
        r.id += QLatin1String(kindName(o.kind));
        r.message = QCoreApplication::translate("Analyzer",
            "%1 sends more distinct %2 than PerfWatch keeps apart (%3 keys, at most %4 per service): %5 events "
            "over the last %6 are counted only under \"other keys\"")
                        .arg(DisplayText::isolate(o.service), what, formatCount(quint64(o.keys)),
                            formatCount(quint64(o.limit)), formatCount(o.events), ctx.windowText);
        QStringList top;
        QJsonArray patterns;
        for (const KeyOverflow::Pattern &p : o.patterns) {
            top << QCoreApplication::translate("Analyzer", "%1 (%2 keys)")
                       .arg(DisplayText::isolate(p.pattern), formatCount(quint64(p.keys)));
            patterns.append(QJsonObject {
                { QStringLiteral("pattern"), p.pattern },
                { QStringLiteral("keys"), p.keys },
                { QStringLiteral("example"), p.example },
            });
        }
        if (!top.isEmpty()) {
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Most keys come from %1: the names probably carry identifiers that are not templated. "
                "Send the route template (http.route, /orders/{id}) or a fixed operation name instead, "
                "so that one key covers them.")
                               .arg(QLocale().createSeparatedList(top));
        } else {
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Other services hold the keys of this kind. Template identifiers in names, or raise the key "
                "limit in Settings.");
        }
        r.evidence = QJsonObject {
            { QStringLiteral("kind"), QString::fromLatin1(kindName(o.kind)) },
            { QStringLiteral("keys"), o.keys },
            { QStringLiteral("limit_per_service"), o.limit },
            { QStringLiteral("overflow_events"), jsonCount(o.events) },
            { QStringLiteral("overflow_share"), jsonRounded(share, 4) },
            { QStringLiteral("patterns"), patterns },
        };
        ctx.out.push_back(std::move(r));
    }
}

} // namespace perfwatch::analysis
