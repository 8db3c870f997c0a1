#include "engine.h"

#include "historydatabase.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <climits>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <optional>
#include <tuple>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kHour = 3600 * 1000;
/// Score points kept for retrying while the disk refuses writes: 48 h at one every 10 s.
constexpr std::size_t kMaxPendingScores = 48 * 360;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

using RowKey = std::tuple<int, int, QString, QString, qint64>;

RowKey rowKey(const RollupRow &r)
{
    return { int(r.scope), int(r.meta.kind), r.meta.service, r.meta.name, r.startMs };
}

/// Adds `base` (stats and sketch) to `row`, both rows of the same key and minute.
void mergeRow(RollupRow &row, const RollupRow &base)
{
    row.stats.merge(base.stats);
    if (base.sketch.isEmpty())
        return;
    std::optional<LatencySketch> sketch
        = row.sketch.isEmpty() ? std::optional<LatencySketch>(LatencySketch()) : LatencySketch::decode(row.sketch);
    const std::optional<LatencySketch> other = LatencySketch::decode(base.sketch);
    if (!sketch || !other)
        return; // stats still add up; the percentiles keep what could be read
    sketch->merge(*other);
    row.sketch = sketch->encode();
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
    /// Qt's SQL connections are named per process: each engine gets its own names, so a second
    /// engine in one process (tests, a report probe) never replaces the first one's connections.
    static inline std::atomic<int> instances { 0 };
    const int instance = ++instances;

    QThread thread;
    QObject context; ///< lives on `thread`; timers and queued calls use it
    std::unique_ptr<HistoryDatabase> writer;
    std::unique_ptr<HistoryDatabase> reader;
    /// Whether `reader` is set; read by other threads before they queue a read on this one.
    std::atomic<bool> readerOpen = false;
    QTimer *flushTimer = nullptr;
    QTimer *analysisTimer = nullptr;
    QTimer *cleanupTimer = nullptr;
    QTimer *syncTimer = nullptr;
    QTimer *checkpointTimer = nullptr;
    /// Created by start() with a data folder; lives as long as the engine (the store points to it).
    std::unique_ptr<IngestJournal> journal;

    // Touched only on the worker thread.
    std::map<RowKey, RollupRow> pendingRows;
    /// When the history opened only after live data arrived, the rows it already held for the
    /// minutes the memory tiers cover (written by an earlier run). Memory does not include them,
    /// so a replaced minute is written as base + memory instead of memory alone.
    std::map<RowKey, RollupRow> baseRows;
    std::vector<RollupRow> pendingAdditive;
    std::vector<ScorePoint> pendingScores;
    /// Rows of checkpoints that could not be written (a full disk), until a checkpoint or the
    /// history has them: the next checkpoint carries them, or replay would skip batches no
    /// surviving checkpoint covers.
    std::map<RowKey, RollupRow> unjournaledRows;
    std::vector<RollupRow> unjournaledAdditive;
    quint64 lastCheckpointSeq = 0;

    // Guarded by statusMutex.
    mutable std::mutex statusMutex;
    PersistenceStatus status;

    // Guarded by statusMutex: what the history held at start.
    std::vector<Recommendation> persistedRecommendations;

    // Guarded by scoresMutex: the score history of the retention period, oldest first.
    mutable std::mutex scoresMutex;
    std::vector<ScorePoint> scores;

    /// Keeps at most `limit` pending rows, dropping the oldest minutes first; returns how many went.
    quint64 dropOldestPending(std::size_t limit)
    {
        const std::size_t total = pendingRows.size() + pendingAdditive.size();
        if (total <= limit)
            return 0;
        // Rare (the disk has refused writes for a long time), so a sort per flush is fine.
        std::vector<qint64> starts;
        starts.reserve(total);
        for (const auto &[key, row] : pendingRows)
            starts.push_back(row.startMs);
        for (const RollupRow &row : pendingAdditive)
            starts.push_back(row.startMs);
        const std::size_t excess = total - limit;
        std::nth_element(starts.begin(), starts.begin() + std::ptrdiff_t(excess - 1), starts.end());
        const qint64 cutoff = starts[excess - 1]; // drop rows older than this, then some of this minute
        std::size_t atCutoff = excess - std::size_t(std::count_if(starts.begin(), starts.end(), [cutoff](qint64 start) {
            return start < cutoff;
        }));
        const auto drop = [&](const RollupRow &row) {
            if (row.startMs < cutoff)
                return true;
            if (row.startMs == cutoff && atCutoff > 0) {
                --atCutoff;
                return true;
            }
            return false;
        };
        std::erase_if(pendingRows, [&](const auto &entry) { return drop(entry.second); });
        std::erase_if(pendingAdditive, drop);
        return total - (pendingRows.size() + pendingAdditive.size());
    }

    /// Runs fn on the worker thread and waits for it (directly when already there).
    template<typename Fn>
    void runBlocking(Fn &&fn)
    {
        if (QThread::currentThread() == &thread || !thread.isRunning())
            fn();
        else
            QMetaObject::invokeMethod(&context, std::forward<Fn>(fn), Qt::BlockingQueuedConnection);
    }

    /// Runs fn(*reader) on this thread and waits for it; nothing when the history is not open. The
    /// page cache is released afterwards: SQLite would otherwise keep every page a read touched.
    template<typename Fn>
    void readHistory(Fn &&fn)
    {
        runBlocking([&] {
            if (!reader)
                return;
            fn(*reader);
            reader->releaseCache();
        });
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
            {
                std::lock_guard lock(w.statusMutex);
                w.status.enabled = true;
                w.status.path = QDir(m_config.dataDir).filePath(QStringLiteral("perfwatch.sqlite"));
            }
            bool permanent = false;
            if (!openHistory(true, &message, &permanent)) {
                if (permanent || m_config.readOnly) { // a reader (an export) needs the history now
                    ok = false;
                    return;
                }
                // Serve live data anyway; the flush timer tries again.
                message = tr("%1; serving live data without history, trying again every %2 s")
                              .arg(message)
                              .arg(std::max<qint64>(1, m_config.flushIntervalMs / 1000));
                std::lock_guard lock(w.statusMutex);
                w.status.healthy = false;
                w.status.lastError = message;
            }
        }

        if (m_config.journal && !m_config.readOnly && !m_config.dataDir.isEmpty() && !w.journal) {
            const QString notice = openJournal();
            // Without the history its own notice says enough (the journal's folder is the same).
            if (!notice.isEmpty() && (w.writer || w.journal))
                message = message.isEmpty() ? notice : message + u"; "_s + notice;
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
            if (w.writer)
                w.writer->releaseCache();
            std::lock_guard lock(w.scoresMutex);
            const qint64 oldest = now - m_config.historyRetentionHours * kHour;
            w.scores.erase(w.scores.begin(),
                std::lower_bound(w.scores.begin(), w.scores.end(), oldest,
                    [](const ScorePoint &p, qint64 ms) { return p.timestampMs < ms; }));
        });
        w.cleanupTimer->start(int(std::clamp<qint64>(m_config.cleanupIntervalMs, 1000, 24 * kHour)));

        if (w.journal && m_config.journalSyncMs > 0) {
            w.syncTimer = new QTimer(&w.context);
            QObject::connect(w.syncTimer, &QTimer::timeout, &w.context, [&w] { w.journal->sync(); });
            w.syncTimer->start(int(std::clamp<qint64>(m_config.journalSyncMs, 1, 3600'000)));
        }
        if (w.journal && m_config.journalCheckpointMs > 0) {
            w.checkpointTimer = new QTimer(&w.context);
            QObject::connect(w.checkpointTimer, &QTimer::timeout, &w.context, [this] { checkpointNow(); });
            w.checkpointTimer->start(int(std::clamp<qint64>(m_config.journalCheckpointMs, 100, 3600'000)));
        }
    });
    if (error)
        *error = message; // the reason, or a notice (history moved aside or unavailable for now)
    if (!ok) {
        stop();
        return false;
    }
    analyzeNow(nowMs());
    return true;
}

bool PerformanceEngine::openHistory(bool restore, QString *message, bool *permanent)
{
    Worker &w = *m_worker;
    Q_ASSERT(QThread::currentThread() == &w.thread || !w.thread.isRunning());
    if (!m_config.readOnly) {
        // SQLite opens a file it cannot write read-only without a word (a WAL database whose -wal
        // and -shm are still there even passes every check), and fails only at the first flush.
        const QFileInfo folder(m_config.dataDir);
        const QFileInfo file(QDir(m_config.dataDir).filePath(QStringLiteral("perfwatch.sqlite")));
        if ((folder.exists() && !folder.isWritable()) || (file.exists() && !file.isWritable())) {
            *message = tr("Cannot write the history in %1: the folder or its database is read-only")
                           .arg(QDir::toNativeSeparators(m_config.dataDir));
            *permanent = false;
            return false;
        }
    }
    auto writer = std::make_unique<HistoryDatabase>(m_config.dataDir, u"perfwatch-writer-%1"_s.arg(w.instance));
    if (!writer->open(message)) {
        *permanent = writer->failedPermanently();
        return false;
    }
    w.writer = std::move(writer);
    auto reader = std::make_unique<HistoryDatabase>(m_config.dataDir, u"perfwatch-reader-%1"_s.arg(w.instance));
    QString readerError;
    if (reader->open(&readerError)) {
        w.reader = std::move(reader);
        w.readerOpen.store(true, std::memory_order_release);
    }
    {
        std::lock_guard lock(w.statusMutex);
        w.status.path = w.writer->path();
        if (!w.writer->recoveredFrom().isEmpty())
            w.status.lastError = tr("The history file was damaged; it was moved to %1 and a new one started.")
                                     .arg(w.writer->recoveredFrom());
    }
    const qint64 now = nowMs();
    {
        // What the in-memory tiers cover. At start it goes back into memory; later, restoring
        // would replace buckets that already hold live data, so it becomes the base of the rows
        // written for those minutes instead.
        const qint64 from = m_store.memoryHorizonMs(now, StoreTiers::kMinuteMs);
        std::vector<RollupRow> rows = w.writer->loadRollups(RollupRow::Scope::Key, from, now + 1);
        std::vector<RollupRow> groups = w.writer->loadRollups(RollupRow::Scope::Group, from, now + 1);
        rows.insert(rows.end(), std::make_move_iterator(groups.begin()), std::make_move_iterator(groups.end()));
        if (restore) {
            m_store.restore(rows, now);
        } else {
            for (RollupRow &row : rows)
                w.baseRows[rowKey(row)] = std::move(row);
        }
    }
    {
        // The stored score history goes before the points scored while the history was unavailable.
        std::lock_guard lock(w.scoresMutex);
        const qint64 until = w.scores.empty() ? now + 1 : w.scores.front().timestampMs;
        std::vector<ScorePoint> stored = w.writer->scores(now - m_config.historyRetentionHours * kHour, until);
        w.scores.insert(w.scores.begin(), stored.begin(), stored.end());
    }
    std::vector<Recommendation> saved = w.writer->recommendations();
    w.writer->releaseCache();
    {
        std::lock_guard lock(m_analyzerMutex);
        m_analyzer.rememberFirstSeen(saved);
    }
    std::lock_guard lock(w.statusMutex);
    w.persistedRecommendations = std::move(saved);
    return true;
}

QString PerformanceEngine::openJournal()
{
    Worker &w = *m_worker;
    auto journal = std::make_unique<IngestJournal>();
    QString error;
    if (!journal->open(QDir(m_config.dataDir).filePath(u"journal"_s), m_config.journalSyncMs, &error))
        return error + u"; accepted data is kept in memory only until it is flushed"_s;
    if (!w.writer) {
        // Without the history there is no telling what it already includes: the files of the
        // previous run are kept aside (journal/*.unreplayed), and a new journal starts.
        const IngestJournal::ReplayResult result = journal->replay(0, nullptr);
        w.journal = std::move(journal);
        m_store.setJournal(w.journal.get());
        return result.records > 0
            ? tr("The ingest journal of the previous run (%n record(s)) was not replayed: the history is unavailable",
                  nullptr, int(std::min<quint64>(result.records, INT_MAX)))
            : QString();
    }

    // Held OTLP metrics that no record stored or dropped: stored now, unless the journal shows the
    // service's spans (which count the same requests), as OtlpMetricsState would have decided.
    struct HeldCopy
    {
        std::string service;
        std::string name;
        IngestEvent event;
        LatencySketch sketch;
    };
    std::deque<HeldCopy> held;
    std::vector<quint64> holds;
    std::set<std::pair<std::string, MetricKind>, std::less<>> spanServices;
    const quint64 mark = w.writer->journalMark();
    const qint64 replayMs = nowMs();
    const IngestJournal::ReplayResult result = journal->replay(mark, [&](const IngestJournal::Record &r) {
        if (r.type == IngestJournal::RecordType::Checkpoint) {
            // As if the history had them: into memory, and into the next flush (which is what
            // lets the journal be cut past them).
            std::vector<RollupRow> replaced;
            for (const RollupRow &row : r.rows) {
                if (row.additive) {
                    w.pendingAdditive.push_back(row);
                } else {
                    replaced.push_back(row);
                    w.pendingRows[rowKey(row)] = row;
                }
            }
            m_store.restore(replaced, replayMs);
            return;
        }
        if (r.type == IngestJournal::RecordType::Insert) {
            if (!r.covered)
                m_store.insert(r.events, r.nowMs,
                    MetricStore::InsertOptions { .journal = false, .fromSpans = false, .resolves = {} });
            if (r.flags & IngestJournal::kFromSpans) {
                for (const IngestEvent &e : r.events) {
                    if (e.kind == MetricKind::Api || e.kind == MetricKind::Db)
                        spanServices.emplace(std::string(e.service), e.kind);
                }
            }
            return;
        }
        holds.push_back(r.seq);
        for (const IngestEvent &e : r.events) {
            HeldCopy &h = held.emplace_back();
            h.service.assign(e.service);
            h.name.assign(e.name);
            h.event = e;
            h.event.requestId = {};
            h.event.fields = {};
            if (e.histogram)
                h.sketch = *e.histogram;
        }
    });
    w.journal = std::move(journal);
    m_store.setJournal(w.journal.get());
    if (!holds.empty()) {
        std::vector<IngestEvent> events;
        for (HeldCopy &h : held) {
            if (spanServices.contains(std::pair(h.service, h.event.kind)))
                continue;
            h.event.service = h.service;
            h.event.name = h.name;
            if (h.event.histogram)
                h.event.histogram = &h.sketch;
            events.push_back(h.event);
        }
        m_store.insert(events, nowMs(), MetricStore::InsertOptions { .journal = true, .fromSpans = false, .resolves = holds });
    }
    // A history moved aside as damaged has already been reported; the journal's records that
    // its fresh successor lacks are not a second problem (and were replayed).
    if (result.lostRecords > 0 && !w.writer->recoveredFrom().isEmpty())
        return result.damaged ? result.message.section(u"; "_s, 0, 0) : QString();
    return result.message;
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
        delete w.syncTimer;
        delete w.checkpointTimer;
        w.flushTimer = w.analysisTimer = w.cleanupTimer = w.syncTimer = w.checkpointTimer = nullptr;
    });
    flushNow();
    if (w.journal)
        w.journal->sync();
    QThread *home = thread();
    w.runBlocking([&] {
        // Connections close on the thread that opened them; the context goes home so a later
        // start() can move it again.
        w.readerOpen.store(false, std::memory_order_release);
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

AnalysisResult PerformanceEngine::currentAnalysis(qint64 now) const
{
    const quint64 events = m_store.counters().events;
    {
        std::lock_guard lock(m_resultMutex);
        if (m_latestEvents == events && m_latest.score.computedAtMs > 0)
            return m_latest; // nothing arrived since the engine's own analysis
        if (m_haveRead && m_readEvents == events && now >= m_readAtMs)
            return m_read;
    }
    // On a copy: what the engine's analyzer remembers (first-seen times, formatted advice)
    // changes only on the engine's schedule.
    Analyzer analyzer;
    {
        std::lock_guard lock(m_analyzerMutex);
        analyzer = m_analyzer;
    }
    AnalysisResult result = analyzer.analyze(m_store, now);
    std::lock_guard lock(m_resultMutex);
    m_read = result;
    m_readAtMs = now;
    m_readEvents = events;
    m_haveRead = true;
    return result;
}

AnalysisResult PerformanceEngine::analyzeNow(qint64 now)
{
    AnalysisResult result;
    const quint64 events = m_store.counters().events;
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
        m_latestEvents = events;
    }
    if (m_config.dataDir.isEmpty() || m_config.readOnly || !m_worker->thread.isRunning())
        return result;
    // Hand the score and recommendations to the writer without waiting for it.
    QMetaObject::invokeMethod(&m_worker->context, [this, point, scored, recommendations = result.recommendations] {
        Worker &w = *m_worker;
        if (scored)
            w.pendingScores.push_back(point);
        if (w.writer) {
            w.writer->replaceRecommendations(recommendations);
            w.writer->releaseCache();
        }
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

quint64 PerformanceEngine::takeRollups(bool flush)
{
    Worker &w = *m_worker;
    Q_ASSERT(QThread::currentThread() == &w.thread || !w.thread.isRunning());
    quint64 seq = 0;
    std::vector<RollupRow> rows = m_store.takeDirtyRollups(w.journal ? &seq : nullptr, flush);
    if (seq != 0) {
        // Every record after `seq` waits for this one: encode and write it now. It holds what the
        // flush will write for these rows (with their base), and whatever an earlier checkpoint
        // could not write.
        std::vector<RollupRow> journaled;
        journaled.reserve(w.unjournaledRows.size() + w.unjournaledAdditive.size() + rows.size());
        for (const RollupRow &row : rows) {
            if (row.additive)
                w.unjournaledAdditive.push_back(row);
            else
                w.unjournaledRows[rowKey(row)] = row;
        }
        for (const auto &[key, row] : w.unjournaledRows) {
            journaled.push_back(row);
            if (const auto base = w.baseRows.find(key); base != w.baseRows.end())
                mergeRow(journaled.back(), base->second);
        }
        journaled.insert(journaled.end(), w.unjournaledAdditive.begin(), w.unjournaledAdditive.end());
        thread_local QByteArray record;
        IngestJournal::encodeCheckpoint(record, nowMs(), journaled);
        if (w.journal->write(seq, record)) {
            w.unjournaledRows.clear();
            w.unjournaledAdditive.clear();
        }
        w.lastCheckpointSeq = seq;
    }
    for (RollupRow &row : rows) {
        if (row.additive)
            w.pendingAdditive.push_back(std::move(row));
        else
            w.pendingRows[rowKey(row)] = std::move(row); // the newest copy of a minute wins
    }
    return seq;
}

void PerformanceEngine::checkpointNow()
{
    Worker &w = *m_worker;
    w.runBlocking([&] {
        // Nothing journaled since the last one: nothing it would let a replay skip.
        if (w.journal && w.journal->status().nextSeq > w.lastCheckpointSeq + 1)
            takeRollups(false);
    });
}

void PerformanceEngine::flushNow()
{
    Worker &w = *m_worker;
    const qint64 started = nowMs();
    w.runBlocking([&] {
        const quint64 journalMark = takeRollups(true);
        const quint64 dropped = w.dropOldestPending(m_config.maxPendingRows);
        if (w.pendingScores.size() > kMaxPendingScores)
            w.pendingScores.erase(w.pendingScores.begin(), w.pendingScores.end() - kMaxPendingScores);
        if (m_config.dataDir.isEmpty() || m_config.readOnly) {
            w.pendingRows.clear();
            w.pendingAdditive.clear();
            w.pendingScores.clear();
            return;
        }
        if (!w.writer) {
            // The history could not be opened so far (full disk, read-only folder): try again,
            // keeping the backlog until it works.
            QString message;
            bool permanent = false;
            if (!openHistory(false, &message, &permanent))
                return publishFlush(false, message, started, dropped);
        }
        std::vector<RollupRow> batch;
        batch.reserve(w.pendingRows.size() + w.pendingAdditive.size());
        for (const auto &[key, row] : w.pendingRows) {
            batch.push_back(row);
            if (const auto base = w.baseRows.find(key); base != w.baseRows.end())
                mergeRow(batch.back(), base->second);
        }
        batch.insert(batch.end(), w.pendingAdditive.begin(), w.pendingAdditive.end());
        // The journal's mark goes with the rows, in their transaction: when nothing is left
        // pending, every record below it is in the history.
        const bool markable = w.journal && dropped == 0;
        const bool rowsOk = (batch.empty() && !markable)
            || w.writer->writeRollups(batch, markable ? std::optional<quint64>(journalMark) : std::nullopt);
        // The rollups' error says most about the disk; the scores' write would overwrite it.
        const QString rowsError = rowsOk ? QString() : w.writer->lastError();
        if (rowsOk) {
            w.pendingRows.clear();
            w.pendingAdditive.clear();
            if (markable) {
                w.journal->cut(journalMark);
                w.unjournaledRows.clear(); // the history has them now
                w.unjournaledAdditive.clear();
            }
        }
        const bool scoresOk = w.pendingScores.empty() || w.writer->writeScores(w.pendingScores);
        if (scoresOk)
            w.pendingScores.clear();
        if (!w.baseRows.empty()) {
            // Minutes memory no longer holds are never replaced again.
            const qint64 horizon = m_store.memoryHorizonMs(nowMs(), StoreTiers::kMinuteMs);
            std::erase_if(w.baseRows, [horizon](const auto &entry) { return entry.second.startMs < horizon; });
        }
        w.writer->releaseCache();
        publishFlush(rowsOk && scoresOk, rowsOk ? w.writer->lastError() : rowsError, started, dropped);
    });
}

IngestJournal::Status PerformanceEngine::journalStatus() const
{
    const IngestJournal *journal = m_store.journal();
    return journal ? journal->status() : IngestJournal::Status {};
}

void PerformanceEngine::publishFlush(bool healthy, const QString &error, qint64 startedMs, quint64 dropped)
{
    Worker &w = *m_worker;
    bool changed = false;
    {
        std::lock_guard lock(w.statusMutex);
        changed = w.status.healthy != healthy;
        w.status.healthy = healthy;
        w.status.pendingRows = w.pendingRows.size() + w.pendingAdditive.size();
        w.status.droppedRows += dropped;
        if (healthy) {
            w.status.lastFlushMs = nowMs();
            w.status.savedUpToMs = startedMs;
            w.status.lastFlushDurationMs = w.status.lastFlushMs - startedMs;
            if (changed)
                w.status.lastError.clear();
        } else {
            w.status.lastError = error;
        }
    }
    if (changed)
        Q_EMIT persistenceStatusChanged();
}

void PerformanceEngine::runOnHistoryWriter(const std::function<void(HistoryDatabase *writer)> &fn)
{
    m_worker->runBlocking([&] { fn(m_worker->writer.get()); });
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
    if (summary.fromMs >= horizon || !m_worker->readerOpen.load(std::memory_order_acquire)) {
        summary.keys = m_store.window(summary.fromMs, summary.toMs);
        return summary;
    }
    // History for what memory no longer holds, memory for the rest; matched by kind/service/name.
    std::vector<KeyAggregate> older;
    m_worker->readHistory([&](HistoryDatabase &reader) { older = reader.keyWindows(summary.fromMs, horizon); });
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
    const bool live = m_store.isLive(key.id);
    if ((fromMs >= horizon || !m_worker->readerOpen.load(std::memory_order_acquire)) && live)
        return m_store.keySeries(key.id, fromMs, toMs, stepMs);
    std::vector<TimePoint> older;
    const qint64 historyTo = live ? std::min(horizon, toMs) : toMs;
    m_worker->readHistory([&](HistoryDatabase &reader) {
        older = reader.keySeries(key.kind, key.service, key.name, fromMs, historyTo, stepMs);
    });
    if (!live || historyTo >= toMs)
        return older;
    return joinSeries(std::move(older), m_store.keySeries(key.id, historyTo, toMs, stepMs));
}

std::vector<TimePoint> PerformanceEngine::kindSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    const qint64 horizon = m_store.memoryHorizonMs(toMs, stepMs);
    if (fromMs >= horizon || !m_worker->readerOpen.load(std::memory_order_acquire))
        return m_store.kindSeries(kind, services, fromMs, toMs, stepMs);
    std::vector<TimePoint> older;
    m_worker->readHistory([&](HistoryDatabase &reader) {
        older = reader.groupSeries(kind, services, fromMs, std::min(horizon, toMs), stepMs);
    });
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
