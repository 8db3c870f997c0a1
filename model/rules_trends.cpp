// Latency keys compared with the hour before, and the degradation rule (docs/DESIGN.md §12, rule 9).

#include "analyzerformat.h"
#include "displaytext.h"
#include "rulecontext.h"
#include "rules.h"

#include <QCoreApplication>
#include <QLocale>
#include <unordered_map>
#include <utility>
#include <vector>

namespace perfwatch::analysis {

/// Latency keys present with enough samples in both periods: (current, previous).
std::vector<std::pair<const KeyAggregate *, const KeyAggregate *>> comparableKeys(
    const AnalyzerInput &input, quint64 minSamples)
{
    std::unordered_map<KeyId, const KeyAggregate *> previous;
    for (const KeyAggregate &k : input.previous)
        previous[k.meta.id] = &k;
    std::vector<std::pair<const KeyAggregate *, const KeyAggregate *>> out;
    for (const KeyAggregate &k : input.current) {
        if (!kindHasLatency(k.meta.kind) || k.meta.isOverflow() || k.agg.sketch.count() < minSamples)
            continue;
        const auto it = previous.find(k.meta.id);
        if (it == previous.end() || it->second->agg.sketch.count() < minSamples)
            continue;
        out.emplace_back(&k, it->second);
    }
    return out;
}

// Rule 9. Impact: (current p95 / previous p95) / degradationFactor.
void ruleDegradation(RuleContext &ctx)
{
    for (const auto &[cur, prev] : comparableKeys(ctx.in, ctx.cfg.degradationMinSamples)) {
        const double now = cur->agg.quantile(0.95);
        const double before = prev->agg.quantile(0.95);
        if (!(before > 0) || !(now > ctx.cfg.degradationFactor * before))
            continue;
        const double ratio = now / before;
        const Priority priority = ratio > 2 * ctx.cfg.degradationFactor ? Priority::High : Priority::Medium;
        Recommendation r = ctx.make(QStringLiteral("degradation"), RecommendationType::Trend, priority,
            cur->meta.service, cur->meta.name, ratio / ctx.cfg.degradationFactor);
        r.message = QCoreApplication::translate("Analyzer",
            "%1 is getting slower: p95 rose from %2 ms to %3 ms (× %4) over the last "
            "%5 compared with the hour before (threshold × %6)")
                        .arg(DisplayText::isolate(cur->meta.name), formatMs(before), formatMs(now),
                            QLocale().toString(ratio, 'f', 1), ctx.windowText,
                            QLocale().toString(ctx.cfg.degradationFactor, 'g', 3));
        r.suggestion = QCoreApplication::translate("Analyzer",
            "Check what changed in the last hour: a deployment, more traffic or "
            "data, or a slower dependency.");
        r.evidence = QJsonObject {
            { QStringLiteral("kind"), QString::fromLatin1(kindName(cur->meta.kind)) },
            { QStringLiteral("current_p95_ms"), jsonRounded(now) },
            { QStringLiteral("previous_p95_ms"), jsonRounded(before) },
            { QStringLiteral("ratio"), jsonRounded(ratio, 3) },
            { QStringLiteral("threshold_ratio"), jsonNumber(ctx.cfg.degradationFactor) },
            { QStringLiteral("current_count"), jsonCount(cur->agg.sketch.count()) },
            { QStringLiteral("previous_count"), jsonCount(prev->agg.sketch.count()) },
        };
        ctx.out.push_back(std::move(r));
    }
}

} // namespace perfwatch::analysis
