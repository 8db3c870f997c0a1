#include "reportbuilder.h"

#include "snapshotbuilder.h"

#include <QDateTime>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <map>

namespace perfwatch {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr qint64 kHourMs = 60 * kMinuteMs;
constexpr int kMaxPoints = 300;

qint64 alignDown(qint64 value, qint64 step)
{
    const qint64 r = value % step;
    return r < 0 ? value - r - step : value - r;
}

/// Slowest first; keys without a p95 last, then by name so the order is stable.
void sortByP95(std::vector<KeyRow> &rows)
{
    std::sort(rows.begin(), rows.end(), [](const KeyRow &a, const KeyRow &b) {
        const bool av = std::isfinite(a.p95);
        const bool bv = std::isfinite(b.p95);
        if (av != bv)
            return av;
        if (av && a.p95 != b.p95)
            return a.p95 > b.p95;
        return std::tie(a.key.name, a.key.service) < std::tie(b.key.name, b.key.service);
    });
}

Aggregate mergeAll(const std::vector<TimePoint> &points)
{
    Aggregate total;
    for (const TimePoint &p : points)
        total.merge(p.agg);
    return total;
}

/// Per-step rates with empty steps as zeros, from the first data up to the last complete step.
QList<QPointF> rateSeries(const std::vector<TimePoint> &points, qint64 fromMs, qint64 lastStartMs, qint64 stepMs,
    quint64 (*value)(const MetricStats &))
{
    QList<QPointF> out;
    auto it = std::find_if(points.begin(), points.end(), [](const TimePoint &p) { return p.agg.stats.count > 0; });
    if (it == points.end())
        return out;
    for (qint64 t = std::max(fromMs, it->startMs); t <= lastStartMs; t += stepMs) {
        while (it != points.end() && it->startMs < t)
            ++it;
        const double v = it != points.end() && it->startMs == t ? double(value(it->agg.stats)) : 0.0;
        out.append(QPointF(double(t), v * 1000.0 / double(stepMs)));
    }
    return out;
}

quint64 countOf(const MetricStats &s)
{
    return s.count;
}

quint64 itemsOf(const MetricStats &s)
{
    return s.items;
}

} // namespace

qint64 ReportBuilder::stepFor(qint64 spanMs)
{
    static constexpr qint64 kSteps[] = { kMinuteMs, 2 * kMinuteMs, 5 * kMinuteMs, 10 * kMinuteMs, 15 * kMinuteMs,
        30 * kMinuteMs, kHourMs, 2 * kHourMs, 3 * kHourMs, 6 * kHourMs };
    for (qint64 step : kSteps) {
        if (spanMs / step <= kMaxPoints)
            return step;
    }
    return 12 * kHourMs;
}

ReportData ReportBuilder::build(
    const DashboardSource &source, const ReportRequest &request, const ReportProgress &progress, bool *cancelled)
{
    const auto goOn = [&](int percent) {
        if (!progress || progress(percent))
            return true;
        if (cancelled)
            *cancelled = true;
        return false;
    };
    if (cancelled)
        *cancelled = false;

    ReportData d;
    const qint64 now = request.nowMs ? request.nowMs : QDateTime::currentMSecsSinceEpoch();
    d.generatedAtMs = now;
    d.hours = request.hours;
    d.toMs = now + 1;
    // Whole minutes, as the window's 24 h view reads them: history is kept per minute.
    d.fromMs = alignDown(now - qint64(request.hours * double(kHourMs)), kMinuteMs);
    d.windowSeconds = std::max(1.0, double(now - d.fromMs) / 1000.0);
    d.thresholds = source.thresholds();
    if (!goOn(0))
        return d;

    // Key tables: the window's rows over the whole period.
    QSet<QString> services;
    for (const QString &s : source.services())
        services.insert(s);
    for (const KeyAggregate &k : source.window(d.fromMs, d.toMs)) {
        if (k.agg.stats.count == 0)
            continue;
        const double apdex = k.meta.kind == MetricKind::Api ? source.apdex(k.agg, d.thresholds) : KeyRow::kNaN;
        KeyRow row = SnapshotBuilder::makeRow(k, d.windowSeconds, apdex);
        services.insert(k.meta.service);
        switch (k.meta.kind) {
        case MetricKind::Api:
            d.api.push_back(std::move(row));
            break;
        case MetricKind::Db:
            d.database.push_back(std::move(row));
            break;
        case MetricKind::Processing:
            d.processing.push_back(std::move(row));
            break;
        case MetricKind::Gauge:
            d.gauges.push_back(std::move(row));
            break;
        case MetricKind::Cache:
            d.caches.push_back(std::move(row));
            break;
        }
    }
    sortByP95(d.api);
    sortByP95(d.database);
    sortByP95(d.processing);
    std::sort(d.gauges.begin(), d.gauges.end(), [](const KeyRow &a, const KeyRow &b) {
        return std::tie(a.key.name, a.key.service) < std::tie(b.key.name, b.key.service);
    });
    std::sort(d.caches.begin(), d.caches.end(), [](const KeyRow &a, const KeyRow &b) {
        const double ar = std::isfinite(a.hitRate) ? a.hitRate : 2.0;
        const double br = std::isfinite(b.hitRate) ? b.hitRate : 2.0;
        return ar != br ? ar < br : std::tie(a.key.name, a.key.service) < std::tie(b.key.name, b.key.service);
    });
    d.services = QStringList(services.begin(), services.end());
    d.services.sort(Qt::CaseInsensitive);
    if (!goOn(35))
        return d;

    // Totals of the period and where its data starts, from hour steps of the per-service groups.
    const QStringList all;
    const std::vector<TimePoint> apiHours = source.kindSeries(MetricKind::Api, all, d.fromMs, d.toMs, kHourMs);
    const std::vector<TimePoint> dbHours = source.kindSeries(MetricKind::Db, all, d.fromMs, d.toMs, kHourMs);
    const std::vector<TimePoint> procHours = source.kindSeries(MetricKind::Processing, all, d.fromMs, d.toMs, kHourMs);
    const std::vector<TimePoint> cacheHours = source.kindSeries(MetricKind::Cache, all, d.fromMs, d.toMs, kHourMs);
    const Aggregate apiTotal = mergeAll(apiHours);
    const Aggregate dbTotal = mergeAll(dbHours);
    const Aggregate procTotal = mergeAll(procHours);
    const Aggregate cacheTotal = mergeAll(cacheHours);
    ReportTotals &t = d.totals;
    t.apiRequests = apiTotal.stats.count;
    t.apiErrors = apiTotal.stats.errors;
    t.apiP95Ms = apiTotal.stats.count ? apiTotal.quantile(0.95) : KeyRow::kNaN;
    t.apiAvgMs = apiTotal.stats.avg();
    t.dbOperations = dbTotal.stats.count;
    t.dbErrors = dbTotal.stats.errors;
    t.dbAvgMs = dbTotal.stats.avg();
    t.processingRuns = procTotal.stats.count;
    t.itemsProcessed = procTotal.stats.items;
    t.cacheLookups = cacheTotal.stats.lookups();
    t.cacheHitRate = cacheTotal.stats.hitRate();

    const std::vector<ScorePoint> scores = source.scoreHistory(d.fromMs, d.toMs);
    qint64 firstData = 0;
    for (const std::vector<TimePoint> *series : { &apiHours, &dbHours, &procHours, &cacheHours }) {
        for (const TimePoint &p : *series) {
            if (p.agg.stats.count > 0) {
                firstData = firstData ? std::min(firstData, p.startMs) : p.startMs;
                break;
            }
        }
    }
    double scoreSum = 0;
    int scoreCount = 0;
    for (const ScorePoint &p : scores) {
        if (p.band == Band::NoData)
            continue;
        scoreSum += p.score;
        ++scoreCount;
        t.scoreMin = t.scoreMin < 0 ? p.score : std::min(t.scoreMin, p.score);
        t.scoreMax = std::max(t.scoreMax, p.score);
        if (scoreCount == 1)
            firstData = firstData ? std::min(firstData, alignDown(p.timestampMs, kHourMs))
                                  : alignDown(p.timestampMs, kHourMs);
    }
    if (scoreCount > 0)
        t.scoreAverage = scoreSum / scoreCount;
    if (!goOn(45))
        return d;

    // Charts: from the first data of the period (a report over a day of which an hour has data
    // shows that hour readably), at most 300 steps.
    const qint64 chartFrom = std::max(d.fromMs, firstData ? firstData : d.fromMs);
    d.stepMs = stepFor(now - chartFrom);
    const qint64 step = d.stepMs;
    const qint64 fineFrom = alignDown(chartFrom, step);
    const qint64 lastComplete = alignDown(now, step) - step; // the step still filling reads low
    const std::vector<TimePoint> api = source.kindSeries(MetricKind::Api, all, fineFrom, d.toMs, step);
    const std::vector<TimePoint> db = source.kindSeries(MetricKind::Db, all, fineFrom, d.toMs, step);
    const std::vector<TimePoint> proc = source.kindSeries(MetricKind::Processing, all, fineFrom, d.toMs, step);
    qint64 firstStep = 0;
    for (const std::vector<TimePoint> *series : { &api, &db, &proc }) {
        for (const TimePoint &p : *series) {
            if (p.agg.stats.count > 0) {
                firstStep = firstStep ? std::min(firstStep, p.startMs) : p.startMs;
                break;
            }
        }
    }
    for (const TimePoint &p : api) {
        if (p.startMs > lastComplete || p.agg.stats.count == 0)
            continue;
        const double x = double(p.startMs);
        d.latency[0].append(QPointF(x, p.agg.quantile(0.50)));
        d.latency[1].append(QPointF(x, p.agg.quantile(0.95)));
        d.latency[2].append(QPointF(x, p.agg.quantile(0.99)));
        d.errorRate[0].append(QPointF(x, p.agg.stats.errorRate()));
    }
    for (const TimePoint &p : db) {
        if (p.startMs <= lastComplete && p.agg.stats.count > 0)
            d.errorRate[1].append(QPointF(double(p.startMs), p.agg.stats.errorRate()));
    }
    d.throughput[0] = rateSeries(api, fineFrom, lastComplete, step, countOf);
    d.throughput[1] = rateSeries(db, fineFrom, lastComplete, step, countOf);
    d.throughput[2] = rateSeries(proc, fineFrom, lastComplete, step, itemsOf);

    std::map<qint64, std::pair<double, int>> scoreSteps;
    for (const ScorePoint &p : scores) {
        if (p.band == Band::NoData || p.timestampMs < fineFrom)
            continue;
        auto &[sum, n] = scoreSteps[alignDown(p.timestampMs, step)];
        sum += p.score;
        ++n;
    }
    for (const auto &[start, sumCount] : scoreSteps) {
        d.scoreSeries.append(QPointF(double(start), sumCount.first / sumCount.second));
        firstStep = firstStep ? std::min(firstStep, start) : start;
    }
    d.chartFromMs = firstStep ? firstStep : fineFrom;
    t.firstDataMs = firstStep;
    if (!goOn(55))
        return d;

    // Score and advice: the latest analysis when its window has data; otherwise the last score of
    // the period and the advice the history kept, each saying so.
    const AnalysisResult analysis = source.analysis(now);
    d.trends = analysis.trends;
    if (analysis.score.band != Band::NoData) {
        d.scoreSource = ReportScoreSource::LatestAnalysis;
        d.score = analysis.score;
        d.scoreAtMs = analysis.score.computedAtMs ? analysis.score.computedAtMs : now;
        d.recommendations = analysis.recommendations;
        d.adviceSource = ReportAdviceSource::LatestAnalysis;
        d.adviceAtMs = d.scoreAtMs;
        if (request.preferSavedAdvice) {
            std::vector<Recommendation> saved = source.persistedRecommendations();
            if (!saved.empty()) {
                d.recommendations = std::move(saved);
                d.adviceSource = ReportAdviceSource::Saved;
                d.adviceAtMs = 0;
                for (const Recommendation &r : d.recommendations)
                    d.adviceAtMs = std::max(d.adviceAtMs, r.lastSeenMs);
            }
        }
    } else {
        auto last
            = std::find_if(scores.rbegin(), scores.rend(), [](const ScorePoint &p) { return p.band != Band::NoData; });
        if (last != scores.rend()) {
            d.scoreSource = ReportScoreSource::ScoreHistory;
            d.score.value = last->score;
            d.score.band = last->band;
            d.score.computedAtMs = last->timestampMs;
            d.scoreAtMs = last->timestampMs;
        }
        d.recommendations = source.persistedRecommendations();
        d.adviceSource = ReportAdviceSource::History;
        for (const Recommendation &r : d.recommendations)
            d.adviceAtMs = std::max(d.adviceAtMs, r.lastSeenMs);
    }
    goOn(60);
    return d;
}

} // namespace perfwatch
