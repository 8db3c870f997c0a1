// Recommendation rules about the database (docs/DESIGN.md §12, rules 3, 4, 5 and 11) and the index
// statements they suggest.

#include "analyzerformat.h"
#include "displaytext.h"
#include "rulecontext.h"
#include "rules.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace perfwatch::analysis {

namespace {

/// "find:trips" -> "trips"; the collection is what follows the first ':'.
QString collectionOf(const QString &dbKey)
{
    const qsizetype colon = dbKey.indexOf(QLatin1Char(':'));
    return colon < 0 ? dbKey : dbKey.mid(colon + 1);
}

/// "user_id,start_time" -> "user_id, start_time", keeping the order given.
QString indexColumns(const QString &fields)
{
    QStringList columns;
    const QStringList parts = fields.split(QLatin1Char(','));
    for (const QString &part : parts) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            columns.append(trimmed);
    }
    return columns.join(QStringLiteral(", "));
}

/// The most frequent non-empty field set of a db key, or nullptr.
const FieldSetCount *topFieldSet(const AnalyzerInput &input, KeyId key)
{
    const auto it = input.fieldSets.find(key);
    if (it == input.fieldSets.end())
        return nullptr;
    const FieldSetCount *best = nullptr;
    for (const FieldSetCount &fs : it->second) {
        if (indexColumns(fs.fields).isEmpty())
            continue;
        if (!best || fs.count > best->count)
            best = &fs;
    }
    return best;
}

quint64 fieldSetTotal(const AnalyzerInput &input, KeyId key)
{
    quint64 total = 0;
    const auto it = input.fieldSets.find(key);
    if (it != input.fieldSets.end()) {
        for (const FieldSetCount &fs : it->second)
            total += fs.count;
    }
    return total;
}

QString indexStatement(const QString &dbKey, const FieldSetCount &fs)
{
    return QStringLiteral("create index on %1(%2)").arg(collectionOf(dbKey), indexColumns(fs.fields));
}

/// Adds the index fields to evidence and returns the index statement, or an empty string.
QString addIndexEvidence(const RuleContext &ctx, const KeyAggregate &k, QJsonObject &evidence)
{
    const FieldSetCount *fs = topFieldSet(ctx.in, k.meta.id);
    if (!fs)
        return {};
    const QString statement = indexStatement(k.meta.name, *fs);
    evidence.insert(QStringLiteral("fields"), indexColumns(fs->fields));
    evidence.insert(QStringLiteral("field_set_count"), jsonCount(fs->count));
    evidence.insert(QStringLiteral("index"), statement);
    return statement;
}

} // namespace

// Rule 3. Impact: avg / T_db. Returns the db keys it fired for, so rule 4 can skip them.
std::vector<KeyId> ruleSlowQuery(RuleContext &ctx)
{
    std::vector<KeyId> fired;
    const double t = ctx.cfg.slowDbMs;
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind != MetricKind::Db || k.agg.stats.count == 0)
            continue;
        const double avg = k.agg.stats.avg();
        if (!(avg > t))
            continue;
        fired.push_back(k.meta.id);
        const Priority priority = avg > 2 * t ? Priority::High : Priority::Medium;
        Recommendation r = ctx.make(QStringLiteral("slow_query"), RecommendationType::Database, priority,
            k.meta.service, k.meta.name, safeRatio(avg, t));
        r.message = QCoreApplication::translate("Analyzer",
            "%1 is slow: average %2 ms over %3 calls in the last %4 (threshold %5 "
            "ms)")
                        .arg(DisplayText::isolate(k.meta.name), formatMs(avg), formatCount(k.agg.stats.count),
                            ctx.windowText, formatMs(t));
        r.evidence = QJsonObject {
            { QStringLiteral("calls"), jsonCount(k.agg.stats.count) },
            { QStringLiteral("avg_ms"), jsonRounded(avg) },
            { QStringLiteral("p95_ms"), jsonRounded(k.agg.quantile(0.95)) },
            { QStringLiteral("max_ms"), jsonRounded(k.agg.stats.max) },
            { QStringLiteral("threshold_ms"), jsonNumber(t) },
        };
        if (k.agg.stats.items > 0)
            r.evidence.insert(
                QStringLiteral("avg_documents"), jsonRounded(double(k.agg.stats.items) / k.agg.stats.count));
        const QString statement = addIndexEvidence(ctx, k, r.evidence);
        if (!statement.isEmpty()) {
            const FieldSetCount *fs = topFieldSet(ctx.in, k.meta.id);
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Add an index for its most frequent filter (%1 of %2 calls "
                "queried these fields): %3")
                               .arg(formatCount(fs->count), formatCount(fieldSetTotal(ctx.in, k.meta.id)),
                                   DisplayText::isolate(statement));
        } else {
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Check its query plan for a full scan, index the fields it filters "
                "and sorts by, or fetch fewer documents. Send `fields` with db "
                "events to get the exact index.");
        }
        ctx.out.push_back(std::move(r));
    }
    return fired;
}

// Rule 4. Impact: avg / (frequentQueryFraction * T_db).
void ruleMissingIndex(RuleContext &ctx, const std::vector<KeyId> &slowQueries)
{
    const double avgThreshold = ctx.cfg.frequentQueryFraction * ctx.cfg.slowDbMs;
    for (const KeyAggregate &k : ctx.current()) {
        if (k.meta.kind != MetricKind::Db || k.agg.stats.count == 0 || ctx.windowMs <= 0)
            continue;
        if (std::find(slowQueries.begin(), slowQueries.end(), k.meta.id) != slowQueries.end())
            continue;
        const double perHour = double(k.agg.stats.count) * double(kHourMs) / double(ctx.windowMs);
        const double avg = k.agg.stats.avg();
        if (perHour < ctx.cfg.frequentQueryPerHour || !(avg > avgThreshold) || !topFieldSet(ctx.in, k.meta.id))
            continue;
        Recommendation r = ctx.make(QStringLiteral("missing_index"), RecommendationType::Database, Priority::Low,
            k.meta.service, k.meta.name, safeRatio(avg, avgThreshold));
        r.evidence = QJsonObject {
            { QStringLiteral("calls"), jsonCount(k.agg.stats.count) },
            { QStringLiteral("calls_per_hour"), jsonRounded(perHour, 0) },
            { QStringLiteral("avg_ms"), jsonRounded(avg) },
            { QStringLiteral("threshold_calls_per_hour"), jsonNumber(ctx.cfg.frequentQueryPerHour) },
            { QStringLiteral("threshold_ms"), jsonNumber(avgThreshold) },
        };
        const QString statement = addIndexEvidence(ctx, k, r.evidence);
        r.message = QCoreApplication::translate("Analyzer",
            "%1 runs often without a fast path: %2 calls per hour at an average "
            "of %3 ms (thresholds %4 calls per hour, %5 ms)")
                        .arg(DisplayText::isolate(k.meta.name), formatNumber(perHour), formatMs(avg),
                            formatNumber(ctx.cfg.frequentQueryPerHour), formatMs(avgThreshold));
        r.suggestion = QCoreApplication::translate(
            "Analyzer", "An index on the fields it queries would make each call cheaper: %1")
                           .arg(DisplayText::isolate(statement));
        ctx.out.push_back(std::move(r));
    }
}

// Rule 5. Impact when growing: max(avg utilisation / high threshold, 1 + peak waiting);
// when shrinking: low threshold / peak utilisation.
void ruleConnectionPool(RuleContext &ctx)
{
    struct Pool
    {
        const GaugeSeries *size = nullptr;
        const GaugeSeries *inUse = nullptr;
        const GaugeSeries *waiting = nullptr;
    };
    std::map<QString, Pool> pools;
    for (const GaugeSeries &g : ctx.in.gauges) {
        if (g.meta.name == u"db.pool.size")
            pools[g.meta.service].size = &g;
        else if (g.meta.name == u"db.pool.in_use")
            pools[g.meta.service].inUse = &g;
        else if (g.meta.name == u"db.pool.waiting")
            pools[g.meta.service].waiting = &g;
    }
    for (const auto &[service, pool] : pools) {
        // Per-minute averages within the window; the pool size is the latest reported value.
        double sizeSum = 0;
        int sizePoints = 0;
        double size = kNaN;
        qint64 sizeAt = std::numeric_limits<qint64>::min();
        if (pool.size) {
            for (const TimePoint &p : pool.size->points) {
                if (!ctx.inWindow(p))
                    continue;
                sizeSum += p.agg.stats.avg();
                ++sizePoints;
                if (p.startMs >= sizeAt) {
                    sizeAt = p.startMs;
                    size = p.agg.stats.last;
                }
            }
        }
        double inUseSum = 0;
        int inUsePoints = 0;
        double peakInUse = kNaN;
        if (pool.inUse) {
            for (const TimePoint &p : pool.inUse->points) {
                if (!ctx.inWindow(p))
                    continue;
                inUseSum += p.agg.stats.avg();
                ++inUsePoints;
                peakInUse = std::isfinite(peakInUse) ? std::max(peakInUse, p.agg.stats.max) : p.agg.stats.max;
            }
        }
        double maxWaiting = 0;
        if (pool.waiting) {
            for (const TimePoint &p : pool.waiting->points) {
                if (ctx.inWindow(p))
                    maxWaiting = std::max(maxWaiting, p.agg.stats.max);
            }
        }
        const double avgSize = sizePoints ? sizeSum / sizePoints : kNaN;
        const double avgUtil = (inUsePoints && avgSize > 0) ? (inUseSum / inUsePoints) / avgSize : kNaN;
        const double peakUtil = (std::isfinite(peakInUse) && size > 0) ? peakInUse / size : kNaN;

        const bool grow = avgUtil >= ctx.cfg.poolHighUtilisation || maxWaiting > 0;
        const bool shrink = !grow && peakUtil < ctx.cfg.poolLowUtilisation;
        if (!grow && !shrink)
            continue;

        QJsonObject evidence {
            { QStringLiteral("pool_size"), jsonNumber(size) },
            { QStringLiteral("peak_in_use"), jsonNumber(peakInUse) },
            { QStringLiteral("avg_utilisation"), jsonRounded(avgUtil, 4) },
            { QStringLiteral("peak_utilisation"), jsonRounded(peakUtil, 4) },
            { QStringLiteral("max_waiting"), jsonNumber(maxWaiting) },
        };
        if (grow) {
            // Size for the observed peak plus headroom; when the peak is unknown, for the current size plus headroom.
            const double base = std::isfinite(peakInUse) ? peakInUse : size;
            double suggested = std::isfinite(base) ? std::ceil(ctx.cfg.poolGrowFactor * base) : kNaN;
            if (std::isfinite(suggested) && size > 0 && suggested <= size)
                suggested = size + 1;
            const double impact = std::max(safeRatio(std::isfinite(avgUtil) ? avgUtil : 0, ctx.cfg.poolHighUtilisation),
                maxWaiting > 0 ? 1 + maxWaiting : 1.0);
            Recommendation r = ctx.make(QStringLiteral("connection_pool"), RecommendationType::Resources,
                maxWaiting > 0 ? Priority::High : Priority::Medium, service, QStringLiteral("db.pool.size"), impact);
            evidence.insert(QStringLiteral("threshold_utilisation"), jsonNumber(ctx.cfg.poolHighUtilisation));
            evidence.insert(QStringLiteral("suggested_size"), jsonNumber(suggested));
            r.evidence = evidence;
            if (maxWaiting > 0) {
                r.message = QCoreApplication::translate("Analyzer",
                    "The database connection pool of %1 is exhausted: up to %2 "
                    "requests waited for a connection over the last %3")
                                .arg(DisplayText::isolate(service), formatNumber(maxWaiting), ctx.windowText);
            } else {
                r.message = QCoreApplication::translate("Analyzer",
                    "The database connection pool of %1 is nearly full: %2% in use "
                    "on average over the last %3 (threshold %4%)")
                                .arg(DisplayText::isolate(service), formatPercent(avgUtil), ctx.windowText,
                                    formatPercent(ctx.cfg.poolHighUtilisation));
            }
            if (std::isfinite(suggested) && std::isfinite(size)) {
                r.suggestion = QCoreApplication::translate("Analyzer",
                    "Grow the pool from %1 to %2 connections (%3 × the peak of "
                    "%4 in use), or shorten the time each request holds one.")
                                   .arg(formatNumber(size), formatNumber(suggested),
                                       QLocale().toString(ctx.cfg.poolGrowFactor, 'g', 3), formatNumber(peakInUse));
            } else if (std::isfinite(suggested)) {
                r.suggestion = QCoreApplication::translate("Analyzer",
                    "Grow the pool to %1 connections (%2 × the peak in use), or "
                    "shorten the time each request holds one.")
                                   .arg(formatNumber(suggested), QLocale().toString(ctx.cfg.poolGrowFactor, 'g', 3));
            } else {
                r.suggestion = QCoreApplication::translate("Analyzer",
                    "Grow the pool or shorten the time each request holds a "
                    "connection; report db.pool.size and db.pool.in_use for a "
                    "concrete size.");
            }
            ctx.out.push_back(std::move(r));
        } else {
            const double suggested = std::max(1.0, std::ceil(ctx.cfg.poolGrowFactor * peakInUse));
            if (!(suggested < size))
                continue;
            Recommendation r = ctx.make(QStringLiteral("connection_pool"), RecommendationType::Resources, Priority::Low,
                service, QStringLiteral("db.pool.size"), safeRatio(ctx.cfg.poolLowUtilisation, peakUtil));
            evidence.insert(QStringLiteral("threshold_utilisation"), jsonNumber(ctx.cfg.poolLowUtilisation));
            evidence.insert(QStringLiteral("suggested_size"), jsonNumber(suggested));
            r.evidence = evidence;
            r.message = QCoreApplication::translate("Analyzer",
                "The database connection pool of %1 is oversized: at most %2 of %3 "
                "connections in use over the last %4 (%5%, threshold %6%)")
                            .arg(DisplayText::isolate(service), formatNumber(peakInUse), formatNumber(size),
                                ctx.windowText, formatPercent(peakUtil), formatPercent(ctx.cfg.poolLowUtilisation));
            r.suggestion = QCoreApplication::translate("Analyzer",
                "Shrink the pool from %1 to %2 connections to free database "
                "resources.")
                               .arg(formatNumber(size), formatNumber(suggested));
            ctx.out.push_back(std::move(r));
        }
    }
}

// Rule 11, per (endpoint, db key). Impact: max queries per request / nPlusOneMinQueries.
void ruleNPlusOne(RuleContext &ctx)
{
    struct Pattern
    {
        quint64 occurrences = 0;
        quint64 queries = 0;
        quint32 maxCount = 0;
    };
    std::map<std::pair<qint64, KeyId>, Pattern> patterns; // (api key or -1, db key)
    for (const RequestTrace &trace : ctx.in.traces) {
        for (const RequestTrace::DbUse &use : trace.db) {
            if (use.count < ctx.cfg.nPlusOneMinQueries)
                continue;
            Pattern &p = patterns[{ trace.hasApi ? qint64(trace.apiKey) : -1, use.key }];
            ++p.occurrences;
            p.queries += use.count;
            p.maxCount = std::max(p.maxCount, use.count);
        }
    }
    for (const auto &[keys, p] : patterns) {
        const KeyMeta *endpoint = keys.first >= 0 ? ctx.key(KeyId(keys.first)) : nullptr;
        const KeyMeta *db = ctx.key(keys.second);
        if ((db && db->isOverflow()) || (endpoint && endpoint->isOverflow()))
            continue; // many names mixed: nothing to say about one of them
        const QString dbName = ctx.keyName(keys.second);
        const QString endpointName = keys.first >= 0 ? ctx.keyName(KeyId(keys.first)) : QString();
        const QString service = endpoint ? endpoint->service : db ? db->service : QStringLiteral("default");
        const QString target = endpointName.isEmpty() ? dbName : endpointName;
        const Priority priority = p.maxCount >= 4 * ctx.cfg.nPlusOneMinQueries ? Priority::High : Priority::Medium;
        Recommendation r = ctx.make(QStringLiteral("n_plus_one"), RecommendationType::Database, priority, service,
            target, safeRatio(p.maxCount, ctx.cfg.nPlusOneMinQueries));
        if (!endpointName.isEmpty())
            r.id += QLatin1Char(':') + dbName;
        const QString maxText = formatCount(p.maxCount);
        const QString occurrences = formatCount(p.occurrences);
        if (!endpointName.isEmpty()) {
            r.message = QCoreApplication::translate("Analyzer",
                "%1 runs %2 up to %3 times per request (N+1 queries), in %4 "
                "requests over the last %5")
                            .arg(DisplayText::isolate(endpointName), DisplayText::isolate(dbName), maxText, occurrences,
                                ctx.windowText);
        } else {
            r.message = QCoreApplication::translate("Analyzer",
                "An unknown endpoint runs %1 up to %2 times per request (N+1 "
                "queries), in %3 requests over the last %4")
                            .arg(DisplayText::isolate(dbName), maxText, occurrences, ctx.windowText);
        }
        r.suggestion = QCoreApplication::translate("Analyzer",
            "Batch the lookups: fetch everything the request needs from %1 in "
            "one query (`$in`, a JOIN or a prefetch) instead of one query per "
            "item.")
                           .arg(DisplayText::isolate(collectionOf(dbName)));
        r.evidence = QJsonObject {
            { QStringLiteral("endpoint"), endpointName.isEmpty() ? QJsonValue(QJsonValue::Null) : endpointName },
            { QStringLiteral("db_operation"), dbName },
            { QStringLiteral("occurrences"), jsonCount(p.occurrences) },
            { QStringLiteral("max_queries_per_request"), jsonCount(p.maxCount) },
            { QStringLiteral("avg_queries_per_request"), jsonRounded(double(p.queries) / double(p.occurrences)) },
            { QStringLiteral("threshold_queries"), jsonCount(ctx.cfg.nPlusOneMinQueries) },
        };
        ctx.out.push_back(std::move(r));
    }
}

} // namespace perfwatch::analysis
