#include "engine.h"

#include "historydatabase.h"

#include <QDateTime>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <map>
#include <tuple>

namespace perfwatch {

namespace {

constexpr qint64 kHour = 3600 * 1000;
/// Rollups kept for retrying while the disk refuses writes; beyond this the oldest minutes go.
constexpr std::size_t kMaxPendingRows = 500'000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

using RowKey = std::tuple<int, int, QString, QString, qint64>;

RowKey rowKey(const RollupRow &r)
{
    return { int(r.scope), int(r.meta.kind), r.meta.service, r.meta.name, r.startMs };
}

/// Merges points of the same start (a step straddling the memory horizon appears on both sides).
std::vector<TimePoint> joinSeries(std::vector<TimePoint> older, std::vector<TimePoint> newer)
{
    if (older.empty())
        return newer;
    for (TimePoint &p : newer) {
        if (!older.empty() && older.back().startMs == p.startMs)
            older.back().agg.merge(p.agg);
        else if (older.empty() || older.back().startMs < p.startMs)
            older.push_back(std::move(p));
    }
    return older;
}

} // namespace

/// The engine's thread: owns the history connections and runs flush, analysis and cleanup.
struct PerformanceEngine::Worker
{
    QThread thread;
    QObject context; ///< lives on `thread`; timers and queued calls use it
    std::unique_ptr<HistoryDatabase> writer;
    std::unique_ptr<HistoryDatabase> reader;
    QTimer *flushTimer = nullptr;
    QTimer *analysisTimer = nullptr;
    QTimer *cleanupTimer = nullptr;

    // Touched only on the worker thread.
    std::map<RowKey, RollupRow> pendingRows;
    std::vector<RollupRow> pendingAdditive;
    std::vector<ScorePoint> pendingScores;

    // Guarded by statusMutex.
    mutable std::mutex statusMutex;
    PersistenceStatus status;

    // Guarded by statusMutex: what the history held at start.
    std::vector<Recommendation> persistedRecommendations;

    // Guarded by scoresMutex: the score history of the retention period, oldest first.
    mutable std::mutex scoresMutex;
    std::vector<ScorePoint> scores;

    /// Runs fn on the worker thread and waits for it (directly when already there).
    template<typename Fn>
    void runBlocking(Fn &&fn)
    {
        if (QThread::currentThread() == &thread || !thread.isRunning())
            fn();
        else
            QMetaObject::invokeMethod(&context, std::forward<Fn>(fn), Qt::BlockingQueuedConnection);
    }
};

PerformanceEngine::PerformanceEngine(EngineConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(m_config.store)
    , m_worker(std::make_unique<Worker>())
    , m_analyzer(m_config.analyzer)
{
    m_worker->thread.setObjectName(QStringLiteral("perfwatch-engine"));
}

PerformanceEngine::~PerformanceEngine()
{
    stop();
}

bool PerformanceEngine::start(QString *error)
{
    Worker &w = *m_worker;
    if (w.thread.isRunning())
        return true;
    w.context.moveToThread(&w.thread);
    w.thread.start();

    bool ok = true;
    QString message;
    w.runBlocking([&] {
        if (!m_config.dataDir.isEmpty()) {
            w.writer = std::make_unique<HistoryDatabase>(m_config.dataDir, QStringLiteral("perfwatch-writer"));
            if (!w.writer->open(&message)) {
                ok = false;
                w.writer.reset();
                return;
            }
            w.reader = std::make_unique<HistoryDatabase>(m_config.dataDir, QStringLiteral("perfwatch-reader"));
            QString readerError;
            if (!w.reader->open(&readerError))
                w.reader.reset();
            {
                std::lock_guard lock(w.statusMutex);
                w.status.enabled = true;
                w.status.path = w.writer->path();
                if (!w.writer->recoveredFrom().isEmpty())
                    w.status.lastError = tr("The history file was damaged; it was moved to %1 and a new one started.")
                                             .arg(w.writer->recoveredFrom());
            }
            // Bring back what the in-memory tiers hold, the score history and first-seen times.
            const qint64 now = nowMs();
            const qint64 from = m_store.memoryHorizonMs(now, StoreTiers::kMinuteMs);
            std::vector<RollupRow> rows = w.writer->loadRollups(RollupRow::Scope::Key, from, now + 1);
            std::vector<RollupRow> groups = w.writer->loadRollups(RollupRow::Scope::Group, from, now + 1);
            rows.insert(rows.end(), std::make_move_iterator(groups.begin()), std::make_move_iterator(groups.end()));
            m_store.restore(rows, now);
            {
                std::lock_guard lock(w.scoresMutex);
                w.scores = w.writer->scores(now - m_config.historyRetentionHours * kHour, now + 1);
            }
            std::vector<Recommendation> saved = w.writer->recommendations();
            {
                std::lock_guard lock(m_analyzerMutex);
                m_analyzer.rememberFirstSeen(saved);
            }
            std::lock_guard lock(w.statusMutex);
            w.persistedRecommendations = std::move(saved);
        }

        w.flushTimer = new QTimer(&w.context);
        QObject::connect(w.flushTimer, &QTimer::timeout, &w.context, [this] { flushNow(); });
        w.flushTimer->start(int(std::clamp<qint64>(m_config.flushIntervalMs, 100, 3600'000)));

        w.analysisTimer = new QTimer(&w.context);
        QObject::connect(w.analysisTimer, &QTimer::timeout, &w.context, [this] {
            analyzeNow(nowMs());
            Q_EMIT analysisUpdated();
        });
        w.analysisTimer->start(int(std::clamp<qint64>(m_config.analysisIntervalMs, 100, 3600'000)));

        w.cleanupTimer = new QTimer(&w.context);
        QObject::connect(w.cleanupTimer, &QTimer::timeout, &w.context, [this, &w] {
            const qint64 now = nowMs();
            m_store.cleanup(now);
            if (w.writer && !m_config.readOnly)
                w.writer->applyRetention(now, m_config.historyRetentionHours);
            std::lock_guard lock(w.scoresMutex);
            const qint64 oldest = now - m_config.historyRetentionHours * kHour;
            w.scores.erase(w.scores.begin(),
                std::lower_bound(w.scores.begin(), w.scores.end(), oldest,
                    [](const ScorePoint &p, qint64 ms) { return p.timestampMs < ms; }));
        });
        w.cleanupTimer->start(int(std::clamp<qint64>(m_config.cleanupIntervalMs, 1000, 24 * kHour)));
    });
    if (!ok) {
        stop();
        if (error)
            *error = message;
        return false;
    }
    analyzeNow(nowMs());
    return true;
}

void PerformanceEngine::stop()
{
    Worker &w = *m_worker;
    if (!w.thread.isRunning())
        return;
    w.runBlocking([&] {
        delete w.flushTimer;
        delete w.analysisTimer;
        delete w.cleanupTimer;
        w.flushTimer = w.analysisTimer = w.cleanupTimer = nullptr;
    });
    flushNow();
    QThread *home = thread();
    w.runBlocking([&] {
        // Connections close on the thread that opened them; the context goes home so a later
        // start() can move it again.
        w.reader.reset();
        w.writer.reset();
        w.context.moveToThread(home);
    });
    w.thread.quit();
    w.thread.wait();
}

AnalysisResult PerformanceEngine::latestAnalysis() const
{
    std::lock_guard lock(m_resultMutex);
    return m_latest;
}

AnalysisResult PerformanceEngine::analyzeNow(qint64 now)
{
    AnalysisResult result;
    {
        // collect() takes the store's short locks; analysis itself runs outside them.
        std::lock_guard lock(m_analyzerMutex);
        result = m_analyzer.analyze(m_store, now);
    }
    // A window without data has no score: it is a gap in the history, not a zero.
    const bool scored = result.score.band != Band::NoData;
    const ScorePoint point { now, result.score.value, result.score.band };
    if (scored) {
        std::lock_guard lock(m_worker->scoresMutex);
        auto &scores = m_worker->scores;
        if (scores.empty() || scores.back().timestampMs < now)
            scores.push_back(point);
    }
    {
        std::lock_guard lock(m_resultMutex);
        m_latest = result;
    }
    if (m_config.dataDir.isEmpty() || m_config.readOnly || !m_worker->thread.isRunning())
        return result;
    // Hand the score and recommendations to the writer without waiting for it.
    QMetaObject::invokeMethod(&m_worker->context, [this, point, scored, recommendations = result.recommendations] {
        Worker &w = *m_worker;
        if (scored)
            w.pendingScores.push_back(point);
        if (w.writer)
            w.writer->replaceRecommendations(recommendations);
    });
    return result;
}

void PerformanceEngine::setAnalyzerConfig(const AnalyzerConfig &config)
{
    std::lock_guard lock(m_analyzerMutex);
    m_analyzer.setConfig(config);
}

AnalyzerConfig PerformanceEngine::analyzerConfig() const
{
    std::lock_guard lock(m_analyzerMutex);
    return m_analyzer.config();
}

void PerformanceEngine::flushNow()
{
    Worker &w = *m_worker;
    std::vector<RollupRow> rows = m_store.takeDirtyRollups();
    w.runBlocking([&] {
        for (RollupRow &row : rows) {
            if (row.additive)
                w.pendingAdditive.push_back(std::move(row));
            else
                w.pendingRows[rowKey(row)] = std::move(row); // the newest copy of a minute wins
        }
        while (w.pendingRows.size() + w.pendingAdditive.size() > kMaxPendingRows && !w.pendingRows.empty())
            w.pendingRows.erase(w.pendingRows.begin());
        if (!w.writer || m_config.readOnly) {
            w.pendingRows.clear();
            w.pendingAdditive.clear();
            w.pendingScores.clear();
            return;
        }
        std::vector<RollupRow> batch;
        batch.reserve(w.pendingRows.size() + w.pendingAdditive.size());
        for (const auto &[key, row] : w.pendingRows)
            batch.push_back(row);
        batch.insert(batch.end(), w.pendingAdditive.begin(), w.pendingAdditive.end());
        const bool rowsOk = batch.empty() || w.writer->writeRollups(batch);
        if (rowsOk) {
            w.pendingRows.clear();
            w.pendingAdditive.clear();
        }
        const bool scoresOk = w.pendingScores.empty() || w.writer->writeScores(w.pendingScores);
        if (scoresOk)
            w.pendingScores.clear();
        const bool healthy = rowsOk && scoresOk;
        bool changed = false;
        {
            std::lock_guard lock(w.statusMutex);
            changed = w.status.healthy != healthy;
            w.status.healthy = healthy;
            w.status.pendingRows = w.pendingRows.size() + w.pendingAdditive.size();
            if (healthy) {
                w.status.lastFlushMs = nowMs();
                if (changed)
                    w.status.lastError.clear();
            } else {
                w.status.lastError = w.writer->lastError();
            }
        }
        if (changed)
            Q_EMIT persistenceStatusChanged();
    });
}

std::vector<Recommendation> PerformanceEngine::persistedRecommendations() const
{
    std::lock_guard lock(m_worker->statusMutex);
    return m_worker->persistedRecommendations;
}

PersistenceStatus PerformanceEngine::persistenceStatus() const
{
    std::lock_guard lock(m_worker->statusMutex);
    return m_worker->status;
}

PeriodSummary PerformanceEngine::summary(double hours, qint64 now) const
{
    PeriodSummary summary;
    summary.toMs = now + 1;
    summary.fromMs = now - qint64(hours * double(kHour));
    const qint64 horizon = m_store.memoryHorizonMs(now, StoreTiers::kMinuteMs);
    if (summary.fromMs >= horizon || !m_worker->reader) {
        summary.keys = m_store.window(summary.fromMs, summary.toMs);
        return summary;
    }
    // History for what memory no longer holds, memory for the rest; matched by kind/service/name.
    std::vector<KeyAggregate> older;
    m_worker->runBlocking([&] { older = m_worker->reader->keyWindows(summary.fromMs, horizon); });
    std::vector<KeyAggregate> recent = m_store.window(horizon, summary.toMs);
    std::map<std::tuple<int, QString, QString>, std::size_t> index;
    for (std::size_t i = 0; i < recent.size(); ++i)
        index[{ int(recent[i].meta.kind), recent[i].meta.service, recent[i].meta.name }] = i;
    const std::vector<KeyMeta> liveKeys = m_store.keys();
    std::map<std::tuple<int, QString, QString>, KeyId> liveIds;
    for (const KeyMeta &k : liveKeys)
        liveIds[{ int(k.kind), k.service, k.name }] = k.id;
    for (KeyAggregate &k : older) {
        const auto key = std::make_tuple(int(k.meta.kind), k.meta.service, k.meta.name);
        if (auto it = index.find(key); it != index.end()) {
            recent[it->second].agg.merge(k.agg);
            continue;
        }
        // Keep ids meaningful for the live store where the key still exists.
        auto live = liveIds.find(key);
        k.meta.id = live != liveIds.end() ? live->second : KeyId(-1);
        recent.push_back(std::move(k));
    }
    summary.keys = std::move(recent);
    return summary;
}

std::vector<TimePoint> PerformanceEngine::keySeries(const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    const qint64 horizon = m_store.memoryHorizonMs(toMs, stepMs);
    const bool live = key.id < m_store.keyCount();
    if ((fromMs >= horizon || !m_worker->reader) && live)
        return m_store.keySeries(key.id, fromMs, toMs, stepMs);
    std::vector<TimePoint> older;
    const qint64 historyTo = live ? std::min(horizon, toMs) : toMs;
    m_worker->runBlocking([&] {
        if (m_worker->reader)
            older = m_worker->reader->keySeries(key.kind, key.service, key.name, fromMs, historyTo, stepMs);
    });
    if (!live || historyTo >= toMs)
        return older;
    return joinSeries(std::move(older), m_store.keySeries(key.id, historyTo, toMs, stepMs));
}

std::vector<TimePoint> PerformanceEngine::kindSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    const qint64 horizon = m_store.memoryHorizonMs(toMs, stepMs);
    if (fromMs >= horizon || !m_worker->reader)
        return m_store.kindSeries(kind, services, fromMs, toMs, stepMs);
    std::vector<TimePoint> older;
    m_worker->runBlocking(
        [&] { older = m_worker->reader->groupSeries(kind, services, fromMs, std::min(horizon, toMs), stepMs); });
    return joinSeries(std::move(older), m_store.kindSeries(kind, services, horizon, toMs, stepMs));
}

std::vector<ScorePoint> PerformanceEngine::scoreHistory(qint64 fromMs, qint64 toMs) const
{
    std::lock_guard lock(m_worker->scoresMutex);
    const auto &scores = m_worker->scores;
    auto cmp = [](const ScorePoint &p, qint64 ms) { return p.timestampMs < ms; };
    auto begin = std::lower_bound(scores.begin(), scores.end(), fromMs, cmp);
    auto end = std::lower_bound(begin, scores.end(), toMs, cmp);
    return std::vector<ScorePoint>(begin, end);
}

} // namespace perfwatch
