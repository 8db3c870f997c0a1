// Recommendation rules about API endpoints (docs/DESIGN.md §12, rules 1 and 2).

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
#include <map>

namespace perfwatch::analysis {

// Rule 1. Impact: max(p95, avg) / T_api.
void ruleSlowEndpoint(RuleContext &ctx)
{
    const double t = ctx.cfg.slowApiMs;
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind != MetricKind::Api || k.agg.stats.count < ctx.cfg.slowEndpointMinRequests)
            continue;
        const double avg = k.agg.stats.avg();
        const double p95 = k.agg.quantile(0.95);
        if (!(avg > t) && !(p95 > t))
            continue;
        const Priority priority = p95 > 2 * t ? Priority::High : Priority::Medium;
        Recommendation r = ctx.make(QStringLiteral("slow_endpoint"), RecommendationType::Api, priority, k.meta.service,
            k.meta.name, safeRatio(std::max(std::isfinite(p95) ? p95 : 0.0, avg), t));
        if (p95 > t) {
            r.message
                = QCoreApplication::translate("Analyzer", "%1 is slow: p95 %2 ms over the last %3 (threshold %4 ms)")
                      .arg(DisplayText::isolate(k.meta.name), formatMs(p95), ctx.windowText, formatMs(t));
        } else {
            r.message = QCoreApplication::translate(
                "Analyzer", "%1 is slow: average %2 ms over the last %3 (threshold %4 ms)")
                            .arg(DisplayText::isolate(k.meta.name), formatMs(avg), ctx.windowText, formatMs(t));
        }
        r.evidence = QJsonObject {
            { QStringLiteral("requests"), jsonCount(k.agg.stats.count) },
            { QStringLiteral("avg_ms"), jsonRounded(avg) },
            { QStringLiteral("p95_ms"), jsonRounded(p95) },
            { QStringLiteral("threshold_ms"), jsonNumber(t) },
        };

        // Where the time goes, from the requests correlated through request_id.
        quint64 traced = 0;
        double apiMs = 0;
        double dbMs = 0;
        std::map<KeyId, std::pair<double, quint64>> byDbKey; // total ms, calls
        for (const RequestTrace &trace : ctx.in.traces) {
            if (!trace.hasApi || trace.apiKey != k.meta.id)
                continue;
            ++traced;
            apiMs += trace.apiMs;
            dbMs += trace.dbMs;
            for (const RequestTrace::DbUse &use : trace.db) {
                auto &slot = byDbKey[use.key];
                slot.first += use.totalMs;
                slot.second += use.count;
            }
        }
        const double dbShare = apiMs > 0 ? dbMs / apiMs : kNaN;
        if (traced > 0) {
            r.evidence.insert(QStringLiteral("traced_requests"), jsonCount(traced));
            r.evidence.insert(QStringLiteral("db_share"), jsonRounded(dbShare, 4));
            r.evidence.insert(QStringLiteral("db_share_threshold"), jsonNumber(ctx.cfg.slowEndpointDbShare));
        }
        if (traced > 0 && dbShare > ctx.cfg.slowEndpointDbShare && dbMs > 0) {
            std::vector<std::pair<KeyId, std::pair<double, quint64>>> ops(byDbKey.begin(), byDbKey.end());
            std::sort(
                ops.begin(), ops.end(), [](const auto &a, const auto &b) { return a.second.first > b.second.first; });
            // Name the operations that together make up most (80%) of the db time, at most three.
            QStringList names;
            QJsonArray dominant;
            double covered = 0;
            for (const auto &[key, totals] : ops) {
                if (names.size() == 3 || covered >= 0.8 * dbMs)
                    break;
                covered += totals.first;
                const QString name = ctx.keyName(key);
                names.append(QCoreApplication::translate("Analyzer", "%1 (%2% of db time)")
                                 .arg(DisplayText::keyName(name), formatPercent(totals.first / dbMs)));
                dominant.append(QJsonObject {
                    { QStringLiteral("target"), name },
                    { QStringLiteral("total_ms"), jsonRounded(totals.first) },
                    { QStringLiteral("calls"), jsonCount(totals.second) },
                });
            }
            r.evidence.insert(QStringLiteral("db_operations"), dominant);
            r.suggestion = QCoreApplication::translate("Analyzer",
                "%1% of its time is spent in the database (%2 traced requests); "
                "optimise %3 first.")
                               .arg(formatPercent(dbShare), formatCount(traced), QLocale().createSeparatedList(names));
        } else if (traced > 0 && std::isfinite(dbShare)) {
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Only %1% of its time is spent in the database, so profile the "
                "handler itself: blocking calls, repeated work, large payloads.")
                               .arg(formatPercent(dbShare));
        } else {
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Profile the handler for blocking I/O, repeated work and large "
                "payloads, and cache results that rarely change. Send request_id "
                "with db events to see which queries it runs.");
        }
        ctx.out.push_back(std::move(r));
    }
}

// Rule 2, for API 5xx and, since the score counts them too, failed db operations.
// Impact: error rate / threshold.
void ruleHighErrorRate(RuleContext &ctx)
{
    for (const KeyAggregate &k : ctx.current()) {
        const bool api = k.meta.kind == MetricKind::Api;
        if ((!api && k.meta.kind != MetricKind::Db) || k.agg.stats.count < ctx.cfg.errorRateMinRequests)
            continue;
        const double rate = k.agg.stats.errorRate();
        if (!(rate > ctx.cfg.errorRateThreshold))
            continue;
        const MemoInputs inputs = memoInputs(int(k.meta.kind), k.agg.stats.count, k.agg.stats.errors,
            ctx.cfg.errorRateThreshold, ctx.cfg.errorRateHighPriority, ctx.windowMs);
        if (ctx.reuse(MemoRule::HighErrorRate, k.meta, inputs))
            continue;
        const Priority priority = rate > ctx.cfg.errorRateHighPriority ? Priority::High : Priority::Medium;
        Recommendation r
            = ctx.make(QStringLiteral("high_error_rate"), api ? RecommendationType::Api : RecommendationType::Database,
                priority, k.meta.service, k.meta.name, safeRatio(rate, ctx.cfg.errorRateThreshold));
        const QString rateText = formatPercent(rate);
        const QString thresholdText = formatPercent(ctx.cfg.errorRateThreshold);
        if (api) {
            r.message = QCoreApplication::translate("Analyzer",
                "%1 fails too often: %2% of %3 requests returned 5xx over the last "
                "%4 (threshold %5%)")
                            .arg(DisplayText::isolate(k.meta.name), rateText, formatCount(k.agg.stats.count),
                                ctx.windowText, thresholdText);
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Look up the failing requests in the service's logs or error "
                "tracker; handle the failing dependency or input instead of "
                "answering 5xx.");
        } else {
            r.message = QCoreApplication::translate("Analyzer",
                "%1 fails too often: %2% of %3 operations failed over the last %4 "
                "(threshold %5%)")
                            .arg(DisplayText::isolate(k.meta.name), rateText, formatCount(k.agg.stats.count),
                                ctx.windowText, thresholdText);
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Check the database logs for the failing operations: timeouts, "
                "lock conflicts, constraint violations or lost connections.");
        }
        r.evidence = QJsonObject {
            { api ? QStringLiteral("requests") : QStringLiteral("operations"), jsonCount(k.agg.stats.count) },
            { QStringLiteral("errors"), jsonCount(k.agg.stats.errors) },
            { QStringLiteral("error_rate"), jsonRounded(rate, 4) },
            { QStringLiteral("threshold_rate"), jsonNumber(ctx.cfg.errorRateThreshold) },
        };
        ctx.remember(MemoRule::HighErrorRate, k.meta, inputs, r);
        ctx.out.push_back(std::move(r));
    }
}

} // namespace perfwatch::analysis
