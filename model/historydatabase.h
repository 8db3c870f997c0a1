#pragma once

#include "aggregate.h"
#include "analyzer.h"
#include "engine.h"
#include "metricstore.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

QT_BEGIN_NAMESPACE
class QSqlError;
class QSqlQuery;
class QThread;
QT_END_NAMESPACE

namespace perfwatch {

/// Parses a recommendation stored by HistoryDatabase (or produced by Recommendation::toJson()).
///
/// Reads id, rule, type, priority, service, target, message, suggestion, evidence and the
/// first_seen_ms / last_seen_ms numbers. Returns nullopt when id is missing or type or priority
/// is not one of the wire names of docs/DESIGN.md §12; every other field is optional.
std::optional<Recommendation> recommendationFromJson(const QJsonObject &json);

/// The JSON form HistoryDatabase stores for a recommendation; recommendationFromJson() reads it back.
QJsonObject recommendationToStorageJson(const Recommendation &recommendation);

/// Durable history in SQLite (docs/DESIGN.md §9): minute rollups per key and per group, the score
/// history and the current recommendations, under `<dataDir>/perfwatch.sqlite`.
///
/// One instance per thread: the QSQLITE connection belongs to the thread that calls open(),
/// and every other call (the destructor included) must come from that thread. Several instances
/// (a writer and readers, each on its own thread, each with its own connection name) can use the
/// same file at once; WAL mode lets readers run while the writer writes. Every read that spans
/// both rollup tables is one statement, so it sees one consistent snapshot even while retention
/// moves minutes into 5-minute rows. Open the writer first: if it finds the file damaged and
/// replaces it, a reader opened before keeps reading the old file.
///
/// Replace semantics hold for minutes not yet compacted (younger than kCompactAfterMs); the store
/// only re-sends minutes it still holds (80 min). Additive rows are correct at any age: late
/// minutes of a compacted slot are merged into it by the next applyRetention().
///
/// Time ranges are half-open [fromMs, toMs) and select rows by their start: a 5-minute row
/// counts whole when its start lies in the range. Splitting a range therefore never counts a
/// row twice.
class HistoryDatabase
{
public:
    static constexpr int kSchemaVersion = 1;
    static constexpr qint64 kMinuteMs = 60'000;
    static constexpr qint64 kFiveMinutesMs = 5 * 60'000;
    /// Minute rows older than this are compacted into 5-minute rows by applyRetention().
    static constexpr qint64 kCompactAfterMs = 6LL * 3600 * 1000;
    static constexpr int kBusyTimeoutMs = 5000;

    /// connectionName must be unique in the process (QSqlDatabase connection names are global).
    HistoryDatabase(QString dataDir, QString connectionName);
    ~HistoryDatabase();
    Q_DISABLE_COPY_MOVE(HistoryDatabase)

    /// Creates the folder, opens (or creates) the database, switches it to WAL and migrates the
    /// schema. A damaged file (not SQLite, truncated, failing `PRAGMA quick_check`) is moved to
    /// `perfwatch.sqlite.corrupt-<UTC time>` with its -wal/-shm and a fresh database is started:
    /// open() then returns true, recoveredFrom() names the moved file and *error holds a one-line
    /// notice. Returns false with a one-line *error when the history cannot be used at all.
    bool open(QString *error = nullptr);
    bool isOpen() const;
    void close();

    QString path() const;
    QString connectionName() const { return m_connectionName; }
    /// One line describing the last failure; empty after a success.
    QString lastError() const { return m_lastError; }
    /// After open() failed: true when trying again cannot help (no SQLite driver, the data path
    /// is a file, a schema newer than this version); false for trouble that may pass, such as a
    /// full disk, a read-only folder or an I/O error.
    bool failedPermanently() const { return m_permanentFailure; }
    /// Where a damaged database was moved by open(); empty when none was found.
    QString recoveredFrom() const { return m_recoveredFrom; }
    /// Sketch BLOBs that could not be decoded since open (their stats still counted).
    quint64 sketchDecodeFailures() const { return m_sketchDecodeFailures; }

    /// Writes one batch in one transaction. Rows with `additive == false` replace the stored
    /// minute; `additive == true` rows are merged into it (stats and sketch). On failure nothing
    /// of the batch is kept, so the caller can send the same batch again. `journalMark`, when
    /// given, is stored in the same transaction: the ingest journal's records below it are in
    /// the history (IngestJournal).
    bool writeRollups(const std::vector<RollupRow> &rows, std::optional<quint64> journalMark = std::nullopt);
    /// The last journal mark written; 0 when none was (a new history, or one from before the journal).
    quint64 journalMark();
    /// Inserts or replaces score points by timestamp.
    bool writeScores(const std::vector<ScorePoint> &points);
    /// Replaces the stored recommendations with these, keeping their order. After the first call
    /// writes only the rows that changed since this connection's last one (nothing, or just
    /// last_seen_ms, for the same advice); assumes no other connection writes them in between.
    bool replaceRecommendations(const std::vector<Recommendation> &recommendations);

    /// Minute rows of one scope with start in [fromMs, toMs), by start then key; meta.id is the
    /// database's key id. A sketch that cannot be decoded is returned empty.
    std::vector<RollupRow> loadRollups(RollupRow::Scope scope, qint64 fromMs, qint64 toMs);
    /// Per key (scope Key) with rows in [fromMs, toMs): stats and sketches merged over minute rows
    /// and compacted 5-minute rows. Ordered by key id.
    std::vector<KeyAggregate> keyWindows(qint64 fromMs, qint64 toMs);
    /// One key's series: rows with start in [fromMs, toMs) merged into buckets of stepMs aligned
    /// to multiples of stepMs; non-empty buckets only, ascending. A 5-minute row lands whole in
    /// the bucket holding its start.
    std::vector<TimePoint> keySeries(
        MetricKind kind, const QString &service, const QString &name, qint64 fromMs, qint64 toMs, qint64 stepMs);
    /// The same over the group rows of a kind, for the given services (empty = all services).
    std::vector<TimePoint> groupSeries(
        MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs);
    /// Score points with timestamp in [fromMs, toMs), ascending.
    std::vector<ScorePoint> scores(qint64 fromMs, qint64 toMs);
    /// The stored recommendations, in the order they were written.
    std::vector<Recommendation> recommendations();
    /// Every key (scope Key) ever written, by id; meta.id is the database's key id.
    std::vector<KeyMeta> knownKeys();

    /// Deletes rollups and scores that start before nowMs - retentionHours (retentionHours <= 0
    /// keeps everything), then compacts minute rows of 5-minute slots that ended more than
    /// kCompactAfterMs ago into 5-minute rows: one transaction per slot, so it is idempotent and
    /// safe to interrupt. Keys stay. Truncates the WAL after large changes (this may wait up to
    /// the busy timeout for a long read on another connection to finish).
    bool applyRetention(qint64 nowMs, int retentionHours);

    /// Frees the page cache's unused pages (PRAGMA shrink_memory). SQLite otherwise keeps every
    /// page it has touched up to the cache size, so an idle cache grows with the file for hours;
    /// calling this after each piece of work bounds it by what one call needs.
    void releaseCache();
    /// Heap bytes SQLite holds in this process, all connections together (sqlite3_memory_used()).
    static qint64 sqliteHeapBytes();

private:
    struct Statements;

    bool openOnce(QString *error, bool *damaged);
    bool initialise(QString *error, bool *damaged);
    bool moveAside(QString *error);
    bool prepareStatements();
    bool fail(const QString &what, const QSqlError &error);
    bool fail(const QString &what, const QSqlQuery &query);
    void assertThread() const;

    qint64 keyId(RollupRow::Scope scope, const KeyMeta &meta);
    std::optional<qint64> findKey(RollupRow::Scope scope, MetricKind kind, const QString &service, const QString &name);
    bool compactSlot(qint64 slotStartMs);
    std::vector<TimePoint> seriesOf(const std::vector<qint64> &keyIds, qint64 fromMs, qint64 toMs, qint64 stepMs);

    QString m_dataDir;
    QString m_connectionName;
    QString m_lastError;
    QString m_recoveredFrom;
    quint64 m_sketchDecodeFailures = 0;
    bool m_permanentFailure = false;
    QThread *m_thread = nullptr;
    bool m_registered = false;
    std::unique_ptr<Statements> m_statements;
    /// What the recommendations table holds as this connection last wrote it; empty when unknown.
    std::optional<std::vector<Recommendation>> m_writtenRecommendations;
    std::unordered_map<QString, qint64> m_keyIds; ///< writer-side cache: identity -> keys.id
};

} // namespace perfwatch
