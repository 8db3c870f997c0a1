// HistoryDatabase: retention (deleting what is older than the retention), compaction of old
// minutes into 5-minute rows, and bounding SQLite's page cache.

#include "historydatabase.h"
#include "historysql.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <algorithm>
#include <map>
#include <sqlite3.h>

namespace perfwatch {

using namespace Qt::StringLiterals;
using namespace historysql;

namespace {

// Big deletes leave a long WAL behind; truncate it once they are done.
constexpr qint64 kCheckpointAfterRows = 10'000;

} // namespace

bool HistoryDatabase::compactSlot(qint64 slotStartMs)
{
    Statements &s = *m_statements;
    const qint64 slotEndMs = slotStartMs + kFiveMinutesMs;
    if (!s.begin.exec())
        return fail(u"Cannot start compacting"_s, s.begin);

    auto abort = [&](const QString &what, QSqlQuery &q) {
        fail(what, q);
        q.finish();
        s.rollback.exec();
        return false;
    };

    std::map<qint64, Merger> minutes;
    s.slotMinutes.bindValue(0, slotStartMs);
    s.slotMinutes.bindValue(1, slotEndMs);
    if (!s.slotMinutes.exec())
        return abort(u"Cannot read minutes to compact"_s, s.slotMinutes);
    while (s.slotMinutes.next()) {
        minutes[s.slotMinutes.value(0).toLongLong()].add(
            readStats(s.slotMinutes, 1), s.slotMinutes.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
    }
    if (s.slotMinutes.lastError().isValid())
        return abort(u"Cannot read minutes to compact"_s, s.slotMinutes);
    s.slotMinutes.finish();

    // Late data can reach a slot after it was compacted: merge into what is already there.
    std::map<qint64, Merger> slot;
    s.slotFive.bindValue(0, slotStartMs);
    if (!s.slotFive.exec())
        return abort(u"Cannot read 5-minute rows"_s, s.slotFive);
    while (s.slotFive.next()) {
        const qint64 id = s.slotFive.value(0).toLongLong();
        if (minutes.count(id))
            slot[id].add(
                readStats(s.slotFive, 1), s.slotFive.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
    }
    if (s.slotFive.lastError().isValid())
        return abort(u"Cannot read 5-minute rows"_s, s.slotFive);
    s.slotFive.finish();

    for (auto &[id, m] : minutes) {
        Merger &target = slot[id];
        target.agg.merge(m.agg);
        target.hasSketch = target.hasSketch || m.hasSketch;
        s.replaceFive.bindValue(0, id);
        s.replaceFive.bindValue(1, slotStartMs);
        bindStats(s.replaceFive, 2, target.agg.stats, target.encodedSketch());
        if (!s.replaceFive.exec())
            return abort(u"Cannot write 5-minute rows"_s, s.replaceFive);
    }
    s.deleteSlotMinutes.bindValue(0, slotStartMs);
    s.deleteSlotMinutes.bindValue(1, slotEndMs);
    if (!s.deleteSlotMinutes.exec())
        return abort(u"Cannot delete compacted minutes"_s, s.deleteSlotMinutes);
    if (!s.commit.exec())
        return abort(u"Cannot commit compaction"_s, s.commit);
    return true;
}

void HistoryDatabase::releaseCache()
{
    assertThread();
    if (!isOpen())
        return;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.exec(u"PRAGMA shrink_memory"_s); // best effort: a failure leaves the cache as it was
}

qint64 HistoryDatabase::sqliteHeapBytes()
{
    // The QSQLITE driver uses the system libsqlite3, the same library this links to.
    return qint64(sqlite3_memory_used());
}

bool HistoryDatabase::applyRetention(qint64 nowMs, int retentionHours)
{
    assertThread();
    if (!m_statements)
        return fail(u"applyRetention"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    Statements &s = *m_statements;

    qint64 deleted = 0;
    if (retentionHours > 0) {
        const qint64 cutoffMs = nowMs - qint64(retentionHours) * 3600 * 1000;
        if (!s.begin.exec())
            return fail(u"Cannot start retention"_s, s.begin);
        for (const QString &table : { u"rollup_1m"_s, u"rollup_5m"_s }) {
            if (!q.exec(u"DELETE FROM "_s + table + u" WHERE start_ms < "_s + QString::number(cutoffMs))) {
                fail(u"Cannot delete old rollups"_s, q);
                s.rollback.exec();
                return false;
            }
            deleted += q.numRowsAffected();
        }
        if (!q.exec(u"DELETE FROM scores WHERE ts_ms < "_s + QString::number(cutoffMs))) {
            fail(u"Cannot delete old scores"_s, q);
            s.rollback.exec();
            return false;
        }
        deleted += q.numRowsAffected();
        if (!s.commit.exec()) {
            fail(u"Cannot commit retention"_s, s.commit);
            s.rollback.exec();
            return false;
        }
    }

    // Only whole slots that ended before the compaction horizon, so a slot is compacted once.
    const qint64 compactBeforeMs = floorTo(nowMs - kCompactAfterMs, kFiveMinutesMs);
    std::vector<qint64> slotStarts;
    if (!q.exec(u"SELECT DISTINCT start_ms - (start_ms % "_s + QString::number(kFiveMinutesMs)
            + u") FROM rollup_1m WHERE start_ms < "_s + QString::number(compactBeforeMs))) {
        return fail(u"Cannot find minutes to compact"_s, q);
    }
    while (q.next())
        slotStarts.push_back(q.value(0).toLongLong());
    q.finish();
    std::sort(slotStarts.begin(), slotStarts.end());
    for (const qint64 slot : slotStarts) {
        if (!compactSlot(slot))
            return false;
    }

    if (deleted >= kCheckpointAfterRows || slotStarts.size() >= 12) {
        // Best effort and without waiting: with the busy timeout, TRUNCATE waits for every reader
        // to leave the WAL, which readers polling in a loop can delay for the whole timeout. If it
        // cannot truncate now, journal_size_limit trims the file when the WAL next restarts.
        q.exec(u"PRAGMA busy_timeout = 0"_s);
        q.finish();
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        q.finish();
        q.exec(u"PRAGMA busy_timeout = "_s + QString::number(kBusyTimeoutMs));
        q.finish();
    }
    return true;
}

} // namespace perfwatch
