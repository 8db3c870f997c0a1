// HistoryDatabase: writing minute rollups (and the journal mark with them) and reading them back
// as rows, per-key windows and time series over both rollup tables.

#include "historydatabase.h"
#include "historysql.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <algorithm>
#include <map>
#include <unordered_map>

namespace perfwatch {

using namespace Qt::StringLiterals;
using namespace historysql;

bool HistoryDatabase::writeRollups(const std::vector<RollupRow> &rows, std::optional<quint64> journalMark)
{
    assertThread();
    if (!m_statements)
        return fail(u"writeRollups"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    if (rows.empty() && !journalMark)
        return true;
    Statements &s = *m_statements;
    if (!s.begin.exec())
        return fail(u"Cannot start writing rollups"_s, s.begin);

    bool ok = true;
    for (const RollupRow &row : rows) {
        const qint64 id = keyId(row.scope, row.meta);
        if (id < 0) {
            ok = false;
            break;
        }
        const MetricStats *stats = &row.stats;
        const QByteArray *sketch = &row.sketch;
        MetricStats mergedStats;
        QByteArray mergedSketch;
        if (row.additive) {
            QSqlQuery &select = s.selectMinute;
            select.bindValue(0, id);
            select.bindValue(1, row.startMs);
            if (!select.exec()) {
                ok = fail(u"Cannot read a rollup to merge into"_s, select);
                break;
            }
            if (select.next()) {
                Merger merger;
                merger.add(
                    readStats(select, 0), select.value(kStatsColumnCount - 1).toByteArray(), m_sketchDecodeFailures);
                merger.add(row.stats, row.sketch, m_sketchDecodeFailures);
                mergedStats = merger.agg.stats;
                mergedSketch = merger.encodedSketch();
                stats = &mergedStats;
                sketch = &mergedSketch;
            } else if (select.lastError().isValid()) {
                ok = fail(u"Cannot read a rollup to merge into"_s, select);
                break;
            }
            select.finish();
        }
        QSqlQuery &replace = s.replaceMinute;
        replace.bindValue(0, id);
        replace.bindValue(1, row.startMs);
        bindStats(replace, 2, *stats, *sketch);
        if (!replace.exec()) {
            ok = fail(u"Cannot write rollups"_s, replace);
            break;
        }
    }
    if (ok && journalMark) {
        // Created here rather than by a schema version: a history an older PerfWatch wrote gains
        // the table on its first journaled flush, and older versions ignore it.
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        ok = q.exec(u"CREATE TABLE IF NOT EXISTS journal_mark (id INTEGER PRIMARY KEY CHECK (id = 1),"
                    " next_seq INTEGER NOT NULL)"_s);
        if (ok) {
            q.prepare(u"INSERT OR REPLACE INTO journal_mark (id, next_seq) VALUES (1, ?)"_s);
            q.bindValue(0, qint64(*journalMark));
            ok = q.exec();
        }
        if (!ok)
            fail(u"Cannot write the journal mark"_s, q);
    }
    if (ok && s.commit.exec())
        return true;
    if (ok)
        fail(u"Cannot commit rollups"_s, s.commit);
    // Nothing of the batch stays, so the caller can send it again; key ids added in it are gone too.
    s.rollback.exec();
    m_keyIds.clear();
    return false;
}

quint64 HistoryDatabase::journalMark()
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT next_seq FROM journal_mark WHERE id = 1"_s) || !q.next())
        return 0; // no such table yet: nothing was journaled into this history
    return quint64(std::max<qint64>(0, q.value(0).toLongLong()));
}

std::vector<RollupRow> HistoryDatabase::loadRollups(RollupRow::Scope scope, qint64 fromMs, qint64 toMs)
{
    assertThread();
    std::vector<RollupRow> rows;
    if (!m_statements) {
        fail(u"loadRollups"_s, QSqlError(u"history database is not open"_s, {}));
        return rows;
    }
    m_lastError.clear();
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return rows;
    }
    QSqlQuery &q = m_statements->loadRollups;
    q.bindValue(0, scopeText(scope));
    q.bindValue(1, fromMs);
    q.bindValue(2, toMs);
    if (!q.exec()) {
        fail(u"Cannot read rollups"_s, q);
        return rows;
    }
    bool reloaded = false;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        auto it = keys.find(id);
        if (it == keys.end() && !reloaded) {
            // A key added by the writer after the key list was read: refresh once.
            reloaded = true;
            loadKeys(m_statements->allKeys, keys);
            it = keys.find(id);
        }
        if (it == keys.end())
            continue;
        RollupRow row;
        row.scope = scope;
        row.meta = it->second.meta;
        row.startMs = q.value(1).toLongLong();
        row.stats = readStats(q, 2);
        row.sketch = q.value(2 + kStatsColumnCount - 1).toByteArray();
        if (!row.sketch.isEmpty() && !LatencySketch::decode(row.sketch)) {
            ++m_sketchDecodeFailures;
            row.sketch.clear();
        }
        rows.push_back(std::move(row));
    }
    if (q.lastError().isValid())
        fail(u"Cannot read rollups"_s, q);
    q.finish();
    return rows;
}

std::vector<KeyAggregate> HistoryDatabase::keyWindows(qint64 fromMs, qint64 toMs)
{
    assertThread();
    std::vector<KeyAggregate> result;
    if (!m_statements) {
        fail(u"keyWindows"_s, QSqlError(u"history database is not open"_s, {}));
        return result;
    }
    m_lastError.clear();
    QSqlQuery &q = m_statements->window;
    q.bindValue(0, fromMs);
    q.bindValue(1, toMs);
    q.bindValue(2, fromMs);
    q.bindValue(3, toMs);
    if (!q.exec()) {
        fail(u"Cannot read rollups"_s, q);
        return result;
    }
    std::unordered_map<qint64, Merger> merged;
    while (q.next()) {
        Merger &m = merged[q.value(0).toLongLong()];
        m.add(readStats(q, 1), q.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
    }
    if (q.lastError().isValid())
        fail(u"Cannot read rollups"_s, q);
    q.finish();

    // Keys are never deleted and the rows above were committed with theirs, so reading the key
    // list afterwards finds every one of them.
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return result;
    }
    result.reserve(merged.size());
    for (auto &[id, m] : merged) {
        const auto it = keys.find(id);
        if (it == keys.end())
            continue;
        KeyAggregate ka;
        ka.meta = it->second.meta;
        ka.agg = std::move(m.agg);
        result.push_back(std::move(ka));
    }
    std::sort(result.begin(), result.end(),
        [](const KeyAggregate &a, const KeyAggregate &b) { return a.meta.id < b.meta.id; });
    return result;
}

std::vector<TimePoint> HistoryDatabase::seriesOf(
    const std::vector<qint64> &keyIds, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    std::vector<TimePoint> points;
    if (stepMs <= 0) {
        m_lastError = u"Series step must be positive"_s;
        return points;
    }
    std::map<qint64, Merger> buckets;
    QSqlQuery &q = m_statements->series;
    for (const qint64 id : keyIds) {
        q.bindValue(0, id);
        q.bindValue(1, fromMs);
        q.bindValue(2, toMs);
        q.bindValue(3, id);
        q.bindValue(4, fromMs);
        q.bindValue(5, toMs);
        if (!q.exec()) {
            fail(u"Cannot read a series"_s, q);
            return points;
        }
        while (q.next()) {
            Merger &m = buckets[floorTo(q.value(0).toLongLong(), stepMs)];
            m.add(readStats(q, 1), q.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
        }
        if (q.lastError().isValid())
            fail(u"Cannot read a series"_s, q);
        q.finish();
    }
    points.reserve(buckets.size());
    for (auto &[start, m] : buckets) {
        if (m.agg.stats.count == 0 && m.agg.sketch.isEmpty())
            continue;
        points.push_back(TimePoint { start, std::move(m.agg) });
    }
    return points;
}

std::vector<TimePoint> HistoryDatabase::keySeries(
    MetricKind kind, const QString &service, const QString &name, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    assertThread();
    if (!m_statements) {
        fail(u"keySeries"_s, QSqlError(u"history database is not open"_s, {}));
        return {};
    }
    m_lastError.clear();
    const std::optional<qint64> id = findKey(RollupRow::Scope::Key, kind, service, name);
    if (!id)
        return {};
    return seriesOf({ *id }, fromMs, toMs, stepMs);
}

std::vector<TimePoint> HistoryDatabase::groupSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    assertThread();
    if (!m_statements) {
        fail(u"groupSeries"_s, QSqlError(u"history database is not open"_s, {}));
        return {};
    }
    m_lastError.clear();
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return {};
    }
    std::vector<qint64> ids;
    for (const auto &[id, key] : keys) {
        if (key.scope == RollupRow::Scope::Group && key.meta.kind == kind
            && (services.isEmpty() || services.contains(key.meta.service)))
            ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end()); // a stable merge order keeps sums reproducible
    return seriesOf(ids, fromMs, toMs, stepMs);
}

} // namespace perfwatch
