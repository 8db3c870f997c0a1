#pragma once

#include "event.h"
#include "metricstore.h" // RollupRow

#include <QByteArray>
#include <QString>
#include <QtGlobal>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <vector>

namespace perfwatch {

/// The ingest journal: every accepted batch is appended here before its answer is sent, so a
/// `kill -9` loses nothing that was acknowledged (README "Durability").
///
/// Files: `<data dir>/journal/<first sequence number, 20 digits>.pwj`, each an 8-byte magic and
/// then records `[u32 length][u32 crc32][payload]`. A payload is the record's sequence number,
/// its type, the time it was received and its events in a compact form (a string table per
/// record, varints, trace ids as 16 bytes). Sequence numbers grow by one per record across files.
///
/// Three kinds of records:
///  - **Insert**: events applied to the store. The history records how far it includes them
///    (HistoryDatabase::journalMark()): an Insert whose number is below the mark is in SQLite and
///    is not replayed; the others are, unless a checkpoint after them covers them.
///  - **Hold**: OTLP metric events waiting for the service's spans (OtlpMetricsState). They are
///    not in the store yet, whatever the mark says. The record that later stores (or drops) them
///    names the holds it resolves; a hold no surviving record resolves is stored at replay.
///  - **Checkpoint**: the minute rollups that changed since the previous checkpoint (the rows
///    the next SQLite flush writes, with the same replace/additive meaning), covering exactly the
///    Inserts numbered below it. Replay applies the checkpoints above the mark in order and then
///    only the Inserts after the last one, so its time does not grow with the journal's length.
///
/// Numbers are taken with reserve() (for Inserts under the store's lock, so a number orders the
/// batch exactly as the store applied it and the mark is exact) and the records are written by
/// write() after that lock, in number order: a writer waits for the records numbered before its
/// own, and whoever's turn it is writes every record queued in order with one writev(). The
/// history's flush rotates the file at its mark (once every record below it is written) and,
/// once the rows are in SQLite, cut() deletes the files wholly below the mark and below every
/// hold still waiting. sync() runs fdatasync on a timer (`--journal-sync-ms`, 0 = every write).
/// Thread-safe.
class IngestJournal
{
public:
    enum class RecordType : quint8
    {
        Insert = 1,
        Hold = 2,
        Checkpoint = 3,
    };
    static constexpr quint8 kFromSpans = 1; ///< record flag: span events (they cover held metrics)

    /// One record as replay() hands it over; its events point into memory valid during the call.
    struct Record
    {
        quint64 seq = 0;
        RecordType type = RecordType::Insert;
        quint8 flags = 0;
        qint64 nowMs = 0;
        std::span<const IngestEvent> events;
        std::span<const quint64> resolves;
        std::span<const RollupRow> rows; ///< a Checkpoint's rows
        /// An Insert of spans the store has already (the history or a checkpoint covers it),
        /// handed over only because a hold still waits: its events say which services sent spans.
        bool covered = false;
    };

    struct ReplayResult
    {
        quint64 records = 0; ///< valid Insert and Hold records read
        quint64 checkpoints = 0; ///< checkpoints applied (above the mark)
        quint64 checkpointRows = 0; ///< their rows
        quint64 replayedEvents = 0; ///< events put back into the store (weights)
        /// Already in the history (below the mark), covered by a checkpoint, or resolved holds.
        quint64 skippedRecords = 0;
        quint64 damagedBytes = 0; ///< bytes after the first damaged record, not read
        qint64 durationMs = 0;
        bool damaged = false;
        /// Records the history should have had (the mark is below the oldest surviving record):
        /// a flush the history lost (a damaged -wal, a restored backup).
        quint64 lostRecords = 0;
        QString message; ///< one line when damaged or lost, else empty
    };

    struct Status
    {
        bool enabled = false;
        bool durable = true; ///< the last append reached the file
        QString lastError;
        quint64 bytes = 0; ///< on disk, every file
        quint64 files = 0;
        quint64 nextSeq = 0;
        quint64 appendFailures = 0;
        qint64 syncMs = 0;
        qint64 lastSyncMs = 0;
        ReplayResult replay;
    };

    IngestJournal();
    ~IngestJournal();
    Q_DISABLE_COPY_MOVE(IngestJournal)

    /// Opens (creates) `dir` and lists the files a previous run left; appends go to a new file.
    bool open(const QString &dir, qint64 syncMs, QString *error);
    bool isOpen() const { return m_fd >= 0; }

    /// Reads what a previous run left, in order, up to the first damaged record, and calls `sink`
    /// for every record to apply: Checkpoints above `mark`, Inserts at or above `mark` and after
    /// the last of those checkpoints, and holds no record resolves (and, while a hold waits,
    /// the covered span Inserts after it; see Record::covered). Call once after open(), before
    /// any append.
    ReplayResult replay(quint64 mark, const std::function<void(const Record &)> &sink);

    /// Encodes a whole record but its number into `out` (checksummed), outside any lock.
    static void encode(QByteArray &out, RecordType type, quint8 flags, qint64 nowMs,
        std::span<const IngestEvent> events, std::span<const quint64> resolves = {});
    /// Encodes a checkpoint of `rows` (numbered by write()).
    static void encodeCheckpoint(QByteArray &out, qint64 nowMs, std::span<const RollupRow> rows);

    /// Takes the next sequence number (0 when the journal is not open). Every number taken must be
    /// passed to write() soon: the records after it wait for it. `rotate`: the record of this
    /// number starts a new file (see rotate()).
    quint64 reserve(bool rotate = false);
    /// Writes a record encode() made under the number reserve() gave, after every record numbered
    /// before it; returns false when it could not be written (the disk is full): the data is then
    /// in memory only (durable() is false until a write works again).
    bool write(quint64 seq, QByteArray &record);
    /// reserve() and write(): returns the record's sequence number, or 0 when it was not written.
    quint64 append(QByteArray &record);

    /// Starts a new file at the next number (once the records before it are written); returns
    /// that number, the first one the flush's rows do not include (its mark). Call with the
    /// store's lock held, so no Insert is numbered between the rows and the mark.
    quint64 rotate();
    /// Deletes the files wholly below `mark` and below every hold not resolved yet.
    void cut(quint64 mark);
    /// fdatasync of what was appended (and of files rotated out).
    void sync();

    Status status() const;
    bool durable() const { return m_durable.load(std::memory_order_relaxed); }

private:
    struct Segment
    {
        quint64 first = 0;
        QString path;
        quint64 bytes = 0;
    };
    /// A write() waiting for its turn.
    struct Pending
    {
        QByteArray *record = nullptr;
        bool hold = false; ///< a Hold record: kept open until a record resolves it
        std::vector<quint64> resolves;
        bool done = false;
        bool ok = false;
    };
    bool openSegmentLocked(quint64 first, QString *error);
    void noteFailureLocked(const QString &error);
    /// Writes the queued records from m_nextWrite on, in order (the caller's turn).
    void writeQueuedLocked(std::unique_lock<std::mutex> &lock);
    void rotateLocked();
    /// Opens the file a rotate() asked for, now that every record before it is written.
    void openRotatedLocked();

    mutable std::mutex m_mutex;
    std::condition_variable m_turn; ///< a run of records was written
    std::map<quint64, Pending *> m_queued; ///< write()s waiting, by number
    quint64 m_nextWrite = 1; ///< the number to be written next
    quint64 m_rotateAt = 0; ///< a rotate() waiting for the records before this number; 0: none
    bool m_writing = false; ///< a writer has the file
    QString m_dir;
    qint64 m_syncMs = 1000;
    int m_fd = -1;
    int m_lockFd = -1; ///< journal/lock, flock()ed while open
    std::vector<int> m_retired; ///< rotated-out files waiting for their fdatasync
    std::vector<Segment> m_segments; ///< oldest first; the last is the one appended to
    std::vector<Segment> m_previous; ///< what open() found, for replay()
    quint64 m_nextSeq = 1;
    std::set<quint64> m_openHolds;
    std::atomic<bool> m_durable { true };
    QString m_lastError;
    quint64 m_appendFailures = 0;
    qint64 m_lastSyncMs = 0;
    ReplayResult m_replay;
};

} // namespace perfwatch
