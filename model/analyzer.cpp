#include "analyzer.h"

#include "displaytext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QStringList>
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>

namespace perfwatch {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr qint64 kHourMs = 3'600'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Ratios that divide by a measured value are capped so a zero measurement cannot produce inf.
constexpr double kMaxImpact = 1000;

// ---- JSON and formatting helpers ----

QJsonValue jsonNumber(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

/// Evidence numbers rounded to a readable precision (the exact values are not more meaningful).
QJsonValue jsonRounded(double v, int decimals = 2)
{
    if (!std::isfinite(v))
        return QJsonValue(QJsonValue::Null);
    const double scale = std::pow(10.0, decimals);
    return QJsonValue(std::round(v * scale) / scale);
}

QJsonValue jsonCount(quint64 v)
{
    return QJsonValue(qint64(v));
}

QJsonValue jsonTime(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue(QJsonValue::Null);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

/// Milliseconds as users read them: "1,100", "48", "2.5".
QString formatMs(double ms)
{
    return QLocale().toString(ms, 'f', ms != 0 && std::abs(ms) < 10 ? 1 : 0);
}

/// A rate in [0, 1] as a percentage number without the sign: "7.5", "72.3", "1".
QString formatPercent(double rate)
{
    return QLocale().toString(rate * 100, 'g', 3);
}

QString formatCount(quint64 n)
{
    return QLocale().toString(n);
}

QString formatNumber(double v, int decimals = 0)
{
    return QLocale().toString(v, 'f', decimals);
}

QString formatMinutes(qint64 ms)
{
    return QCoreApplication::translate("Analyzer", "%1 min").arg(QLocale().toString(double(ms) / kMinuteMs, 'g', 4));
}

double safeRatio(double num, double den)
{
    if (!(den > 0))
        return num > 0 ? kMaxImpact : 1;
    return std::min(num / den, kMaxImpact);
}

/// Loses nothing at or below `from`, everything at or above `to`, linearly in between.
double linearLoss(double value, double from, double to, double maxLost)
{
    if (!std::isfinite(value) || value <= from)
        return 0;
    if (value >= to || !(to > from))
        return maxLost;
    return maxLost * (value - from) / (to - from);
}

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

// ---- Rule evaluation ----

/// Per-key rules whose recommendations are remembered between analyses (RecommendationMemo).
enum class MemoRule : quint8
{
    HighErrorRate = 1,
    ProcessingBottleneck,
    LowThroughput,
    CacheHitRate,
};

using MemoInputs = std::array<quint64, RecommendationMemo::kMaxInputs>;

/// The bit patterns of everything a remembered recommendation was built from (besides the key's
/// service and name, and the language): equal inputs give the same recommendation.
template<typename... Values>
MemoInputs memoInputs(Values... values)
{
    static_assert(sizeof...(Values) <= RecommendationMemo::kMaxInputs);
    const auto bits = [](auto v) -> quint64 {
        if constexpr (std::is_floating_point_v<decltype(v)>)
            return std::bit_cast<quint64>(double(v));
        else
            return quint64(v);
    };
    MemoInputs out {};
    std::size_t i = 0;
    ((out[i++] = bits(values)), ...);
    return out;
}

/// What every rule needs: the input, the thresholds and key names by id.
class RuleContext
{
public:
    RuleContext(const AnalyzerInput &input, const AnalyzerConfig &config, RecommendationMemo &memo)
        : in(input)
        , cfg(config)
        , windowMs(input.windowMs > 0 ? input.windowMs : config.windowMs)
        , windowText(formatMinutes(windowMs))
        , m_memo(memo)
    {
        // Texts also depend on the locale and the translations (the window text is translated):
        // when either changed, nothing remembered is reused.
        const QLocale locale;
        const QString language = locale.name() + QLatin1Char(' ') + QString::number(int(locale.numberOptions()))
            + QLatin1Char(' ') + windowText;
        if (m_memo.language != language) {
            m_memo.entries.clear();
            m_memo.language = language;
        }
        ++m_memo.analysis;
        for (const KeyAggregate &k : input.previous)
            m_keys[k.meta.id] = &k.meta;
        for (const GaugeSeries &g : input.gauges)
            m_keys[g.meta.id] = &g.meta;
        for (const KeyAggregate &k : input.current)
            m_keys[k.meta.id] = &k.meta;
    }

    /// The window's keys without the overflow keys: their figures mix many names, so only the
    /// cardinality rule and the score read them.
    auto current() const
    {
        return in.current | std::views::filter([](const KeyAggregate &k) { return !k.meta.isOverflow(); });
    }

    const KeyMeta *key(KeyId id) const
    {
        const auto it = m_keys.find(id);
        return it == m_keys.end() ? nullptr : it->second;
    }
    QString keyName(KeyId id) const
    {
        const KeyMeta *meta = key(id);
        return meta ? meta->name : QCoreApplication::translate("Analyzer", "key #%1").arg(id);
    }

    /// Minute points overlapping the window [now - windowMs, now).
    bool inWindow(const TimePoint &p) const
    {
        return p.agg.stats.count > 0 && p.startMs + kMinuteMs > in.nowMs - windowMs && p.startMs < in.nowMs;
    }

    Recommendation make(const QString &rule, RecommendationType type, Priority priority, const QString &service,
        const QString &target, double impact) const
    {
        Recommendation r;
        r.rule = rule;
        r.id = rule + QLatin1Char(':') + service + QLatin1Char(':') + target;
        r.type = type;
        r.priority = priority;
        r.service = service;
        r.target = target;
        r.impact = std::max(impact, 1.0);
        return r;
    }

    /// Adds the recommendation `rule` made for the key in the previous analysis when it was made
    /// from the same inputs; false (adding nothing) otherwise.
    bool reuse(MemoRule rule, const KeyMeta &meta, const MemoInputs &inputs)
    {
        const auto it = m_memo.entries.find(memoKey(rule, meta.id));
        if (it == m_memo.entries.end() || it->second.inputs != inputs || it->second.recommendation.target != meta.name
            || it->second.recommendation.service != meta.service)
            return false;
        it->second.analysis = m_memo.analysis;
        out.push_back(it->second.recommendation);
        return true;
    }
    /// Remembers a recommendation made for the key from `inputs` for the next analysis.
    void remember(MemoRule rule, const KeyMeta &meta, const MemoInputs &inputs, const Recommendation &r)
    {
        RecommendationMemo::Entry &e = m_memo.entries[memoKey(rule, meta.id)];
        e.inputs = inputs;
        e.recommendation = r;
        e.analysis = m_memo.analysis;
    }
    /// Forgets what this analysis did not reuse or remember: advice that no longer applies.
    void dropUnused()
    {
        std::erase_if(m_memo.entries, [this](const auto &e) { return e.second.analysis != m_memo.analysis; });
    }

    const AnalyzerInput &in;
    const AnalyzerConfig &cfg;
    const qint64 windowMs;
    const QString windowText;
    std::vector<Recommendation> out;

private:
    static quint64 memoKey(MemoRule rule, KeyId key) { return quint64(rule) << 32 | key; }

    std::unordered_map<KeyId, const KeyMeta *> m_keys;
    RecommendationMemo &m_memo;
};

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

} // namespace

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

Band bandForScore(int score)
{
    if (score >= 80)
        return Band::Excellent;
    if (score >= 60)
        return Band::Good;
    if (score >= 40)
        return Band::Fair;
    return Band::Poor;
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
    b.apiPointsLost = linearLoss(b.apiP95Ms, c.slowApiMs, 4 * c.slowApiMs, c.apiMaxLost);

    b.dbOperations = dbCount;
    b.dbAvgMs = dbCount ? dbSum / double(dbCount) : kNaN;
    b.dbThresholdMs = c.slowDbMs;
    b.dbPointsLost = linearLoss(b.dbAvgMs, c.slowDbMs, 4 * c.slowDbMs, c.dbMaxLost);

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
    score.value = int(std::clamp(std::round(100.0 - lost + b.cacheBonus), 0.0, 100.0));
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
