// Recommendation rules about processing steps (docs/DESIGN.md §12, rules 6 and 7).

#include "analyzerformat.h"
#include "displaytext.h"
#include "rulecontext.h"
#include "rules.h"

#include <QCoreApplication>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <map>

namespace perfwatch::analysis {

// Rule 6, per service (a service's steps form its pipeline).
// Impact: max(avg / processingSlowMs, share / processingShare).
void ruleProcessingBottleneck(RuleContext &ctx)
{
    std::map<QString, std::pair<double, int>> perService; // total ms, steps
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind == MetricKind::Processing && k.agg.stats.count > 0) {
            auto &slot = perService[k.meta.service];
            slot.first += k.agg.stats.sum;
            ++slot.second;
        }
    }
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind != MetricKind::Processing || k.agg.stats.count == 0)
            continue;
        const auto &[total, steps] = perService[k.meta.service];
        const double avg = k.agg.stats.avg();
        const double share = (steps >= 2 && total > 0) ? k.agg.stats.sum / total : kNaN;
        const bool slow = avg > ctx.cfg.processingSlowMs;
        const bool dominant = share > ctx.cfg.processingShare;
        if (!slow && !dominant)
            continue;
        const MemoInputs inputs = memoInputs(
            k.agg.stats.count, k.agg.stats.sum, total, steps, ctx.cfg.processingSlowMs, ctx.cfg.processingShare);
        if (ctx.reuse(MemoRule::ProcessingBottleneck, k.meta, inputs))
            continue;
        const Priority priority = avg > 2 * ctx.cfg.processingSlowMs ? Priority::High
            : slow                                                   ? Priority::Medium
                                                                     : Priority::Low;
        const double impact = std::max(safeRatio(avg, ctx.cfg.processingSlowMs),
            std::isfinite(share) ? safeRatio(share, ctx.cfg.processingShare) : 0.0);
        Recommendation r = ctx.make(QStringLiteral("processing_bottleneck"), RecommendationType::Processing, priority,
            k.meta.service, k.meta.name, impact);
        if (slow) {
            r.message = QCoreApplication::translate("Analyzer",
                "%1 is a processing bottleneck: average %2 ms per run over %3 runs "
                "(threshold %4 ms)")
                            .arg(DisplayText::isolate(k.meta.name), formatMs(avg), formatCount(k.agg.stats.count),
                                formatMs(ctx.cfg.processingSlowMs));
        } else {
            r.message = QCoreApplication::translate("Analyzer",
                "%1 is a processing bottleneck: it takes %2% of all processing time "
                "of %3 (threshold %4%)")
                            .arg(DisplayText::isolate(k.meta.name), formatPercent(share),
                                DisplayText::isolate(k.meta.service), formatPercent(ctx.cfg.processingShare));
        }
        r.suggestion = QCoreApplication::translate("Analyzer",
            "Profile %1: cache or precompute its inputs, work in batches, or move "
            "it off the request path into a background job.")
                           .arg(DisplayText::isolate(k.meta.name));
        r.evidence = QJsonObject {
            { QStringLiteral("runs"), jsonCount(k.agg.stats.count) },
            { QStringLiteral("avg_ms"), jsonRounded(avg) },
            { QStringLiteral("total_ms"), jsonRounded(k.agg.stats.sum) },
            { QStringLiteral("share"), jsonRounded(share, 4) },
            { QStringLiteral("threshold_ms"), jsonNumber(ctx.cfg.processingSlowMs) },
            { QStringLiteral("threshold_share"), jsonNumber(ctx.cfg.processingShare) },
        };
        ctx.remember(MemoRule::ProcessingBottleneck, k.meta, inputs, r);
        ctx.out.push_back(std::move(r));
    }
}

// Rule 7. Impact: minThroughput / items per second.
void ruleLowThroughput(RuleContext &ctx)
{
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind != MetricKind::Processing || !(k.agg.stats.sum > 0))
            continue;
        const double perSecond = k.agg.stats.itemsPerProcessingSecond();
        if (!(perSecond < ctx.cfg.minThroughput))
            continue;
        const MemoInputs inputs
            = memoInputs(k.agg.stats.items, k.agg.stats.count, k.agg.stats.sum, ctx.cfg.minThroughput);
        if (ctx.reuse(MemoRule::LowThroughput, k.meta, inputs))
            continue;
        Recommendation r = ctx.make(QStringLiteral("low_throughput"), RecommendationType::Processing, Priority::Medium,
            k.meta.service, k.meta.name, safeRatio(ctx.cfg.minThroughput, perSecond));
        r.message
            = QCoreApplication::translate("Analyzer", "%1 processes only %2 items per second (minimum %3 per second)")
                  .arg(DisplayText::isolate(k.meta.name),
                      QLocale().toString(perSecond, 'f', perSecond > 0 && perSecond < 10 ? 1 : 0),
                      formatNumber(ctx.cfg.minThroughput));
        r.suggestion = QCoreApplication::translate("Analyzer",
            "Process items in batches instead of one at a time, or parallelise "
            "the step (worker pool, concurrent I/O).");
        r.evidence = QJsonObject {
            { QStringLiteral("items"), jsonCount(k.agg.stats.items) },
            { QStringLiteral("runs"), jsonCount(k.agg.stats.count) },
            { QStringLiteral("total_ms"), jsonRounded(k.agg.stats.sum) },
            { QStringLiteral("items_per_second"), jsonRounded(perSecond) },
            { QStringLiteral("threshold_items_per_second"), jsonNumber(ctx.cfg.minThroughput) },
        };
        ctx.remember(MemoRule::LowThroughput, k.meta, inputs, r);
        ctx.out.push_back(std::move(r));
    }
}

} // namespace perfwatch::analysis
