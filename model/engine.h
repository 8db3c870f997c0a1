#pragma once

#include "aggregate.h"
#include "analyzer.h"
#include "ingestjournal.h"
#include "logbook.h"
#include "metricstore.h"

#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace perfwatch {

class HistoryDatabase;

/// One point of the score history.
struct ScorePoint
{
    qint64 timestampMs = 0;
    int score = 0;
    Band band = Band::NoData;
};

/// Aggregates of every key over a period, from memory and the persisted history.
struct PeriodSummary
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::vector<KeyAggregate> keys;
};

/// Whether history is being written; shown in the window, the status bar and /health.
struct PersistenceStatus
{
    bool enabled = false; ///< false when running without a data folder (tests) or before start
    bool healthy = true; ///< false while writes fail (disk full, read-only folder)
    QString path; ///< the SQLite file
    QString lastError; ///< one line, empty when healthy
    qint64 lastFlushMs = 0; ///< when the last successful flush finished
    /// Every event stored before this moment is on disk: the start of the last successful flush
    /// (it takes the store's rollups then). A crash loses at most what arrived after it.
    qint64 savedUpToMs = 0;
    qint64 lastFlushDurationMs = 0; ///< how long the last successful flush took
    quint64 pendingRows = 0; ///< rollups waiting to be written
    /// Rollups given up on: the disk refused writes so long that more than
    /// EngineConfig::maxPendingRows piled up, and the oldest minutes were dropped to stay bounded.
    quint64 droppedRows = 0;
};

struct EngineConfig
{
    StoreConfig store;
    AnalyzerConfig analyzer;
    QString dataDir; ///< empty: no persistence
    qint64 flushIntervalMs = 10'000; ///< how often rollups go to SQLite (the journal keeps what comes between)
    /// The ingest journal (in dataDir/journal): every accepted batch is on disk before its answer,
    /// so a crash loses nothing acknowledged. Off: a crash loses up to a flush interval.
    bool journal = true;
    /// How often the journal is synced to the device (`--journal-sync-ms`): a power loss loses at
    /// most this much; 0 syncs every batch (slow).
    qint64 journalSyncMs = 1000;
    /// How often the rollups changed since the last one are written into the journal as a
    /// checkpoint (`--journal-checkpoint-ms`), so a start-up replays only the batches after the
    /// last checkpoint, however long the journal grew; 0: none (every batch since the last flush
    /// is replayed).
    qint64 journalCheckpointMs = 2000;
    qint64 analysisIntervalMs = 10'000; ///< how often the score and recommendations are recomputed
    qint64 cleanupIntervalMs = 30 * 60 * 1000; ///< PERFORMANCE_CLEANUP_INTERVAL_MINUTES
    int historyRetentionHours = 48; ///< persisted rollups older than this are deleted
    /// Rollups kept for retrying while the disk refuses writes (full, read-only). One row is one
    /// key's minute, about 350 bytes (110,000 rows of 10,000 keys took 37 MB more than writing
    /// them); beyond the bound the oldest minutes are dropped (and counted in
    /// PersistenceStatus::droppedRows). 500,000 rows, about 170 MB, is 50 min of 10,000 busy keys.
    std::size_t maxPendingRows = 500'000;
    /// Reads the history but never writes it: no rollups, scores, recommendations or retention
    /// (`perfwatch --export-report` beside a running instance must not change its history).
    bool readOnly = false;
};

/// The headless core: store, analyzer and history, with their periodic work on one worker thread.
///
/// Every public function is thread-safe; the ingest thread writes through store(), the GUI and
/// REST handlers read through the query functions. Periodic work (flush, analysis, cleanup)
/// runs on the engine's own thread and never on the caller's.
class PerformanceEngine : public QObject
{
    Q_OBJECT
public:
    explicit PerformanceEngine(EngineConfig config, QObject *parent = nullptr);
    ~PerformanceEngine() override;

    /// Opens the history (restoring the last rollups, score history and recommendations) and
    /// starts the worker thread. Returns false with a one-line message when the history can never
    /// be used (the data path is a file, the schema is newer). Trouble that may pass (a full disk,
    /// a read-only folder, an I/O error) does not stop the engine: it serves live data, reports
    /// persistence as failing and tries to open the history again at every flush. Returns true
    /// with a one-line notice in *error for that and for a damaged file moved aside.
    bool start(QString *error = nullptr);
    /// Flushes pending rollups and stops the worker thread. Called by the destructor too.
    void stop();

    const EngineConfig &config() const { return m_config; }
    MetricStore &store() { return m_store; }
    /// OpenTelemetry log records, counted per service and severity (not stored in the history).
    LogBook &logs() { return m_logs; }
    const LogBook &logs() const { return m_logs; }
    const MetricStore &store() const { return m_store; }

    /// The most recent analysis (recomputed every analysisIntervalMs, or by analyzeNow()).
    AnalysisResult latestAnalysis() const;
    /// Recomputes the analysis now on the calling thread and publishes it (the engine's schedule;
    /// it records the score point and hands the advice to the history).
    AnalysisResult analyzeNow(qint64 nowMs);
    /// The analysis as of now, for readers (REST routes): the latest published one when no event
    /// arrived since, else one computed on a copy of the analyzer, shared by all readers (every
    /// ingest thread) until the next event arrives, so an answer never lags a batch just stored.
    /// It records nothing: no score point, no first-seen time, no history row.
    AnalysisResult currentAnalysis(qint64 nowMs) const;
    /// Changes thresholds; takes effect at the next analysis.
    void setAnalyzerConfig(const AnalyzerConfig &config);
    AnalyzerConfig analyzerConfig() const;

    /// Aggregates of every key over the last `hours` hours (memory plus history).
    PeriodSummary summary(double hours, qint64 nowMs) const;
    /// Series of one key / one kind over any range, from memory and history.
    std::vector<TimePoint> keySeries(const KeyMeta &key, qint64 fromMs, qint64 toMs, qint64 stepMs) const;
    std::vector<TimePoint> kindSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const;
    std::vector<ScorePoint> scoreHistory(qint64 fromMs, qint64 toMs) const;
    /// The recommendations the history held when start() opened it (the last analysis a previous
    /// run saved); empty without a data folder.
    std::vector<Recommendation> persistedRecommendations() const;

    PersistenceStatus persistenceStatus() const;
    /// The ingest journal's state; `enabled` is false without one.
    IngestJournal::Status journalStatus() const;

    /// Writes pending rollups now (blocking until done); used at shutdown and by tests.
    void flushNow();
    /// Writes a journal checkpoint now (blocking until done); for tests and benchmarks.
    void checkpointNow();

    /// Runs `fn` on the engine thread with the history writer (null without persistence) and
    /// waits for it. For tests and diagnostics that must reach the writer's own SQLite connection,
    /// such as fault injection with `PRAGMA max_page_count` or `PRAGMA query_only`.
    void runOnHistoryWriter(const std::function<void(HistoryDatabase *writer)> &fn);

Q_SIGNALS:
    /// Emitted from the engine thread after each periodic analysis.
    void analysisUpdated();
    /// Emitted when persistence goes from healthy to failing or back.
    void persistenceStatusChanged();

private:
    struct Worker;
    /// Opens the history on the engine thread; `restore` refills the memory tiers (at start only).
    bool openHistory(bool restore, QString *message, bool *permanent);
    /// Opens the ingest journal on the engine thread, replays what the history does not include
    /// and attaches it to the store; returns a one-line notice (damage, a lost flush) or empty.
    QString openJournal();
    /// On the engine thread: takes the changed rollups into the pending rows and, with a journal,
    /// writes them as a checkpoint under the number taken with them, which it returns (0 without
    /// a journal); `flush` starts a new journal file there (the number is the history's mark).
    quint64 takeRollups(bool flush);
    /// Publishes the outcome of a flush (or of a failed attempt to open the history).
    void publishFlush(bool healthy, const QString &error, qint64 startedMs, quint64 dropped);

    EngineConfig m_config;
    MetricStore m_store;
    LogBook m_logs;
    std::unique_ptr<Worker> m_worker;
    mutable std::mutex m_resultMutex;
    AnalysisResult m_latest;
    quint64 m_latestEvents = 0; ///< the store's event count when m_latest was computed
    /// currentAnalysis()'s last answer, guarded by m_resultMutex.
    mutable AnalysisResult m_read;
    mutable qint64 m_readAtMs = 0;
    mutable quint64 m_readEvents = 0;
    mutable bool m_haveRead = false;
    Analyzer m_analyzer;
    mutable std::mutex m_analyzerMutex;
};

} // namespace perfwatch
