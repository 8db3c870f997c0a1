#pragma once

#include "event.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>
#include <atomic>
#include <functional>
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
/// Two kinds of records:
///  - **Insert**: events applied to the store. The history records how far it includes them
///    (HistoryDatabase::journalMark()): an Insert whose number is below the mark is in SQLite and
///    is not replayed; the others are.
///  - **Hold**: OTLP metric events waiting for the service's spans (OtlpMetricsState). They are
///    not in the store yet, whatever the mark says. The record that later stores (or drops) them
///    names the holds it resolves; a hold no surviving record resolves is stored at replay.
///
/// The history's flush rotates the file (under the store's lock, so the mark is exact) and, once
/// the rows are written, cut() deletes the files wholly below the mark and below every hold still
/// waiting. Appends are serialised by the caller's lock (the store's) for Inserts and by the
/// journal's own mutex; sync() runs fdatasync on a timer (`--journal-sync-ms`, 0 = every record).
/// Thread-safe.
class IngestJournal
{
public:
    enum class RecordType : quint8
    {
        Insert = 1,
        Hold = 2,
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
    };

    struct ReplayResult
    {
        quint64 records = 0; ///< valid records read
        quint64 replayedEvents = 0; ///< events put back into the store (weights)
        quint64 skippedRecords = 0; ///< already in the history (below the mark) or resolved holds
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
    /// for every record to apply: Inserts at or above `mark`, and holds no record resolves.
    /// Call once after open(), before any append.
    ReplayResult replay(quint64 mark, const std::function<void(const Record &)> &sink);

    /// Encodes a whole record but its number into `out` (checksummed), outside any lock.
    static void encode(QByteArray &out, RecordType type, quint8 flags, qint64 nowMs,
        std::span<const IngestEvent> events, std::span<const quint64> resolves = {});
    /// Numbers and appends a record encode() made; returns its sequence number, or 0 when it
    /// could not be written (the disk is full): the data is then in memory only (durable() is
    /// false until an append works again).
    quint64 append(QByteArray &record);

    /// Starts a new file; returns the first sequence number it will hold (the flush's mark).
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
    bool openSegmentLocked(quint64 first, QString *error);
    void noteFailureLocked(const QString &error);

    mutable std::mutex m_mutex;
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
