#include "snapshotbuilder.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace perfwatch {

namespace {

/// Ids beyond this (not a live store's: the store caps its keys far below) go through the hash.
constexpr KeyId kMaxCachedId = 1u << 20;

constexpr double kNaN = KeyRow::kNaN;
/// p50, p95 and p99: the tables' columns and the latency chart's series.
constexpr std::array kPercentiles { 0.50, 0.95, 0.99 };

/// Appends p50, p95 and p99 of `agg` at x to the latency series.
void appendPercentiles(std::array<QList<QPointF>, 3> &series, double x, const Aggregate &agg)
{
    std::array<double, 3> q {};
    agg.sketch.quantiles(kPercentiles, q);
    for (std::size_t i = 0; i < q.size(); ++i)
        series[i].append(QPointF(x, q[i]));
}

qint64 alignDown(qint64 value, qint64 step)
{
    const qint64 r = value % step;
    return r < 0 ? value - r - step : value - r;
}

/// Whether a bucket is complete: the one still filling reads low (fewer requests) or skewed (a slow
/// spell without the rest of its step), so charts end at the last complete step.
bool isComplete(qint64 startMs, qint64 stepMs, qint64 nowMs)
{
    return nowMs - startMs >= stepMs;
}

Aggregate mergeAll(const std::vector<TimePoint> &points)
{
    Aggregate total;
    for (const TimePoint &p : points)
        total.merge(p.agg);
    return total;
}

double ratio(double num, double den)
{
    return den > 0 ? num / den : kNaN;
}

/// Rates per bucket with empty buckets as zeros, from fromMs up to nowMs.
QList<QPointF> zeroFilledRate(const std::vector<TimePoint> &points, qint64 fromMs, qint64 nowMs, qint64 stepMs,
    double (*value)(const MetricStats &))
{
    QList<QPointF> out;
    out.reserve(int(std::min<qint64>((nowMs - fromMs) / stepMs + 1, kMaxChartPoints)));
    if (points.empty())
        return out;
    auto it = points.begin();
    // Before the first data of the range there was nothing to measure, not a rate of zero.
    for (qint64 t = std::max(fromMs, points.front().startMs); t <= nowMs && out.size() < kMaxChartPoints; t += stepMs) {
        if (!isComplete(t, stepMs, nowMs))
            break;
        while (it != points.end() && it->startMs < t)
            ++it;
        const double v = it != points.end() && it->startMs == t ? value(it->agg.stats) : 0.0;
        out.append(QPointF(double(t), v * 1000.0 / double(stepMs)));
    }
    return out;
}

double countOf(const MetricStats &s)
{
    return double(s.count);
}
double itemsOf(const MetricStats &s)
{
    return double(s.items);
}
double lookupsOf(const MetricStats &s)
{
    return double(s.lookups());
}

/// The chart's most recent points when a series is longer than the cap.
void cap(QList<QPointF> &points)
{
    if (points.size() > kMaxChartPoints)
        points.remove(0, points.size() - kMaxChartPoints);
}

} // namespace

SnapshotBuilder::SnapshotBuilder(std::shared_ptr<DashboardSource> source, const IngestCounters *ingestCounters)
    : m_source(std::move(source))
    , m_ingestCounters(ingestCounters)
{ }

KeyRow SnapshotBuilder::makeRow(const KeyAggregate &key, double windowSeconds, double apdex)
{
    const MetricStats &s = key.agg.stats;
    KeyRow row;
    row.key = KeyRef::fromMeta(key.meta);
    row.approximate = key.meta.approximate;
    row.count = s.count;
    row.ratePerSec = double(s.count) / windowSeconds;
    switch (key.meta.kind) {
    case MetricKind::Api:
    case MetricKind::Db:
    case MetricKind::Processing: {
        row.avg = s.avg();
        row.min = s.count ? s.min : kNaN;
        row.max = s.count ? s.max : kNaN;
        std::array<double, 3> q {};
        key.agg.sketch.quantiles(kPercentiles, q);
        row.p50 = q[0];
        row.p95 = q[1];
        row.p99 = q[2];
        row.errors = s.errors;
        row.errorRate = s.count ? s.errorRate() : kNaN;
        row.items = s.items;
        // Processing steps: the step's own throughput, as the analyzer and the API define it;
        // database operations: documents per second of the range.
        if (key.meta.kind == MetricKind::Processing)
            row.itemsPerSec = s.itemsPerProcessingSecond();
        else if (key.meta.kind != MetricKind::Api)
            row.itemsPerSec = double(s.items) / windowSeconds;
        if (key.meta.kind == MetricKind::Api)
            row.apdex = apdex;
        break;
    }
    case MetricKind::Gauge:
        row.avg = s.avg();
        row.min = s.count ? s.min : kNaN;
        row.max = s.count ? s.max : kNaN;
        row.last = s.count ? s.last : kNaN;
        break;
    case MetricKind::Cache:
        row.hits = s.items;
        row.misses = s.misses;
        row.items = s.items;
        row.hitRate = s.hitRate();
        row.ratePerSec = double(s.lookups()) / windowSeconds; // lookups per second
        break;
    }
    return row;
}

KeyRow SnapshotBuilder::rowFor(const KeyAggregate &key, double windowSeconds, const AnalyzerConfig &thresholds)
{
    const MetricStats &s = key.agg.stats;
    const KeyRef ref = KeyRef::fromMeta(key.meta);
    // Live keys through the vector (no hashing of names); the previous build's entry only.
    const bool live = key.meta.id != kNoLiveKey && key.meta.id < kMaxCachedId;
    CachedRow *slot = nullptr;
    const CachedRow *cached = nullptr;
    if (live) {
        if (m_rowsById.size() <= key.meta.id)
            m_rowsById.resize(std::size_t(key.meta.id) + 1);
        slot = &m_rowsById[key.meta.id];
        if (slot->build + 1 == m_build && slot->row.key == ref)
            cached = slot;
    } else if (const auto it = m_rowCache.constFind(ref); it != m_rowCache.constEnd()) {
        cached = &*it;
    }
    KeyRow row;
    if (cached && cached->stats.count == s.count && cached->stats.sum == s.sum && cached->stats.errors == s.errors
        && cached->stats.min == s.min && cached->stats.max == s.max && cached->stats.items == s.items
        && cached->stats.misses == s.misses && cached->stats.last == s.last) {
        // Same data as last tick: only the rates move with the window's length.
        row = cached->row;
        row.key.id = key.meta.id;
        row.ratePerSec = key.meta.kind == MetricKind::Cache ? double(s.lookups()) / windowSeconds
                                                            : double(s.count) / windowSeconds;
        if (key.meta.kind == MetricKind::Processing)
            row.itemsPerSec = s.itemsPerProcessingSecond();
        else if (std::isfinite(row.itemsPerSec))
            row.itemsPerSec = double(s.items) / windowSeconds;
        if (slot)
            slot->build = m_build;
        else
            m_nextRowCache.insert(ref, *cached);
        return row;
    }
    const double apdex = key.meta.kind == MetricKind::Api ? m_source->apdex(key.agg, thresholds) : KeyRow::kNaN;
    row = makeRow(key, windowSeconds, apdex);
    if (slot)
        *slot = CachedRow { s, row, m_build };
    else
        m_nextRowCache.insert(ref, CachedRow { s, row, m_build });
    return row;
}

DashboardSnapshotPtr SnapshotBuilder::build(const DashboardRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    auto snap = std::make_shared<DashboardSnapshot>();
    snap->request = request;

    const qint64 now = request.nowMs ? request.nowMs : QDateTime::currentMSecsSinceEpoch();
    const qint64 range = rangeMs(request.range);
    snap->nowMs = now;
    snap->stepMs = rangeStepMs(request.range);
    snap->fromMs = alignDown(now - range, snap->stepMs);

    // Windows cover whole buckets (10 s up to 5 min, minutes beyond), so rates divide by what the
    // buckets span, not by the nominal range.
    const qint64 bucket = range <= 5 * 60'000 ? StoreTiers::kKeyFineMs : StoreTiers::kMinuteMs;
    const qint64 windowFrom = alignDown(now - range, bucket);
    snap->windowSeconds = std::max(1.0, double(now - windowFrom) / 1000.0);

    snap->thresholds = m_source->thresholds();
    ++m_build;
    if (request.range != m_cacheRange || snap->thresholds.slowApiMs != m_cacheSlowApiMs) {
        m_rowCache.clear();
        ++m_build; // no live key's row counts as the previous build's
        m_cacheRange = request.range;
        m_cacheSlowApiMs = snap->thresholds.slowApiMs;
    }
    const std::vector<KeyAggregate> window = m_source->window(windowFrom, now + 1);
    for (const KeyAggregate &k : window)
        snap->rows[std::size_t(k.meta.kind)].push_back(rowFor(k, snap->windowSeconds, snap->thresholds));
    // History-only keys gone from the window leave the cache with this swap.
    m_rowCache.swap(m_nextRowCache);
    m_nextRowCache.clear();

    snap->services = m_source->services();
    snap->analysis = m_source->analysis(now);

    const QStringList &services = request.services;
    buildCharts(*snap, services);
    if (request.selected.isValid())
        buildKeyCharts(*snap);
    buildKpis(*snap, services);

    for (const ScorePoint &p : m_source->scoreHistory(snap->fromMs, now + 1)) {
        if (p.band != Band::NoData)
            snap->score.append(QPointF(double(p.timestampMs), double(p.score)));
    }
    if (snap->score.size() > kMaxChartPoints) {
        // Average per chart step: analyses run every few seconds, a day of them is too many points.
        QList<QPointF> reduced;
        double sum = 0;
        int n = 0;
        qint64 bucketStart = alignDown(qint64(snap->score.front().x()), snap->stepMs);
        for (const QPointF &p : std::as_const(snap->score)) {
            const qint64 b = alignDown(qint64(p.x()), snap->stepMs);
            if (b != bucketStart && n > 0) {
                reduced.append(QPointF(double(bucketStart), sum / n));
                sum = 0;
                n = 0;
            }
            bucketStart = b;
            sum += p.y();
            ++n;
        }
        if (n > 0)
            reduced.append(QPointF(double(bucketStart), sum / n));
        snap->score = std::move(reduced);
        cap(snap->score);
    }

    if (request.selected.isValid() && request.selected.id != kNoLiveKey) {
        snap->rawKey = request.selected;
        snap->rawSamples = m_source->rawSamples(request.selected.id, request.rawSampleLimit);
    }

    buildStatus(*snap);
    snap->buildMicros = timer.nsecsElapsed() / 1000;
    return snap;
}

void SnapshotBuilder::buildCharts(DashboardSnapshot &snap, const QStringList &services)
{
    const qint64 from = snap.fromMs;
    const qint64 now = snap.nowMs;
    const qint64 step = snap.stepMs;
    const std::vector<TimePoint> api = m_source->kindSeries(MetricKind::Api, services, from, now + 1, step);
    const std::vector<TimePoint> db = m_source->kindSeries(MetricKind::Db, services, from, now + 1, step);

    if (!snap.request.selected.isValid()) {
        const std::vector<TimePoint> proc = m_source->kindSeries(MetricKind::Processing, services, from, now + 1, step);
        for (const TimePoint &p : api) {
            if (!isComplete(p.startMs, step, now))
                continue;
            const double x = double(p.startMs);
            appendPercentiles(snap.latency, x, p.agg);
            snap.errorRate[0].append(QPointF(x, 100.0 * p.agg.stats.errorRate()));
        }
        for (const TimePoint &p : db)
            if (isComplete(p.startMs, step, now))
                snap.errorRate[1].append(QPointF(double(p.startMs), 100.0 * p.agg.stats.errorRate()));
        snap.throughput[0] = zeroFilledRate(api, from, now, step, countOf);
        snap.throughput[1] = zeroFilledRate(db, from, now, step, countOf);
        snap.throughput[2] = zeroFilledRate(proc, from, now, step, itemsOf);
        for (auto &s : snap.latency)
            cap(s);
        for (auto &s : snap.errorRate)
            cap(s);
    }

    // KPIs of the current window come from the same points the charts use.
    const Aggregate apiTotal = mergeAll(api);
    const Aggregate dbTotal = mergeAll(db);
    const Aggregate cacheTotal = mergeAll(m_source->kindSeries(MetricKind::Cache, services, from, now + 1, step));
    const double seconds = std::max(1.0, double(now - from) / 1000.0);
    Kpis &k = snap.current;
    k.requestsPerSec = double(apiTotal.stats.count) / seconds;
    k.apiP95Ms = apiTotal.quantile(0.95);
    k.errorRate = ratio(
        double(apiTotal.stats.errors + dbTotal.stats.errors), double(apiTotal.stats.count + dbTotal.stats.count));
    k.dbAvgMs = dbTotal.stats.avg();
    k.cacheHitRate = cacheTotal.stats.hitRate();
    snap.hasData = apiTotal.stats.count + dbTotal.stats.count + cacheTotal.stats.count > 0;
}

void SnapshotBuilder::buildKeyCharts(DashboardSnapshot &snap)
{
    const KeyRef &key = snap.request.selected;
    const qint64 now = snap.nowMs;
    // A key's finest buckets are 10 s; a finer step would read as gaps between them.
    const qint64 step = std::max(snap.stepMs, StoreTiers::kKeyFineMs);
    const qint64 from = alignDown(snap.fromMs, step);
    const std::vector<TimePoint> points = m_source->keySeries(key.meta(), from, now + 1, step);

    switch (key.kind) {
    case MetricKind::Api:
    case MetricKind::Db:
    case MetricKind::Processing:
        snap.latencyMode = LatencyMode::Latency;
        for (const TimePoint &p : points) {
            if (!isComplete(p.startMs, step, now))
                continue;
            const double x = double(p.startMs);
            appendPercentiles(snap.latency, x, p.agg);
            if (key.kind != MetricKind::Processing)
                snap.errorRate[key.kind == MetricKind::Api ? 0 : 1].append(QPointF(x, 100.0 * p.agg.stats.errorRate()));
        }
        snap.throughput[0] = zeroFilledRate(points, from, now, step, countOf);
        if (key.kind == MetricKind::Processing)
            snap.throughput[2] = zeroFilledRate(points, from, now, step, itemsOf);
        break;
    case MetricKind::Gauge:
        snap.latencyMode = LatencyMode::Gauge;
        for (const TimePoint &p : points) {
            const double x = double(p.startMs);
            snap.latency[0].append(QPointF(x, p.agg.stats.avg()));
            snap.latency[1].append(QPointF(x, p.agg.stats.min));
            snap.latency[2].append(QPointF(x, p.agg.stats.max));
        }
        break;
    case MetricKind::Cache:
        snap.latencyMode = LatencyMode::HitRate;
        for (const TimePoint &p : points) {
            const double rate = p.agg.stats.hitRate();
            if (!std::isnan(rate))
                snap.latency[0].append(QPointF(double(p.startMs), 100.0 * rate));
        }
        snap.throughput[0] = zeroFilledRate(points, from, now, step, lookupsOf);
        break;
    }
    for (auto &s : snap.latency)
        cap(s);
    for (auto &s : snap.errorRate)
        cap(s);
}

void SnapshotBuilder::buildKpis(DashboardSnapshot &snap, const QStringList &services)
{
    // The window of the same length just before; one step of the range's length merges it cheaply.
    const qint64 range = rangeMs(snap.request.range);
    const qint64 to = snap.fromMs;
    const qint64 from = to - range;
    const Aggregate api = mergeAll(m_source->kindSeries(MetricKind::Api, services, from, to, range));
    const Aggregate db = mergeAll(m_source->kindSeries(MetricKind::Db, services, from, to, range));
    const Aggregate cache = mergeAll(m_source->kindSeries(MetricKind::Cache, services, from, to, range));
    Kpis &k = snap.previous;
    if (api.stats.count > 0) {
        k.requestsPerSec = double(api.stats.count) / (double(range) / 1000.0);
        k.apiP95Ms = api.quantile(0.95);
    }
    k.errorRate = ratio(double(api.stats.errors + db.stats.errors), double(api.stats.count + db.stats.count));
    k.dbAvgMs = db.stats.avg();
    k.cacheHitRate = cache.stats.hitRate();

    // Error logs of the services shown (all of them without a filter).
    ErrorLogs &logs = snap.errorLogs;
    std::vector<std::pair<quint64, QString>> recent;
    for (const LogBook::ServiceCounts &c : m_source->logs(snap.nowMs).services) {
        if (!services.isEmpty() && !services.contains(c.service))
            continue;
        logs.haveLogs = logs.haveLogs || c.records > 0;
        logs.perMinute += c.errorsPerMinute;
        logs.last5Min += c.errorsLast5Min;
        logs.sinceStart += c.errors;
        if (c.errorsLast5Min > 0)
            recent.emplace_back(c.errorsLast5Min, c.service);
    }
    std::stable_sort(recent.begin(), recent.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (const auto &r : recent)
        logs.services << r.second;
}

void SnapshotBuilder::buildStatus(DashboardSnapshot &snap)
{
    IngestStatus &st = snap.status;
    st.store = m_source->storeCounters();
    st.persistence = m_source->persistenceStatus();
    snap.hasData = snap.hasData || st.store.keys > 0;
    st.haveIngest = m_ingestCounters != nullptr;
    if (m_ingestCounters)
        st.ingest = m_ingestCounters->snapshot();
    // Every source counts (HTTP, OTLP, StatsD, the demo): the store sees them all.
    const quint64 events = st.store.events;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Measured over at least a second, so back-to-back snapshots (a range change) do not read 0/s.
    if (m_lastStatusMs == 0 || events < m_lastEvents) {
        m_lastStatusMs = now;
        m_lastEvents = events;
    } else if (now - m_lastStatusMs >= 1000) {
        m_eventsPerSec = double(events - m_lastEvents) * 1000.0 / double(now - m_lastStatusMs);
        m_lastStatusMs = now;
        m_lastEvents = events;
    }
    st.eventsPerSec = m_eventsPerSec;
}

} // namespace perfwatch
