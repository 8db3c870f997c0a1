// Internal to HistoryDatabase: helpers its source files share (historydatabase.cpp,
// historyrollups.cpp, historymaintenance.cpp, historyrecommendations.cpp). Not part of the
// model library's interface.

#pragma once

#include "historydatabase.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <unordered_map>

namespace perfwatch {

namespace historysql {

using namespace Qt::StringLiterals;

// Column list shared by every statement that reads or writes a rollup row, in bind order.
constexpr QLatin1StringView kStatsColumns("count, errors, sum, min, max, items, misses, last, last_ms, sketch");
constexpr int kStatsColumnCount = 10;

inline QString scopeText(RollupRow::Scope scope)
{
    return scope == RollupRow::Scope::Group ? u"group"_s : u"key"_s;
}

inline QString kindText(MetricKind kind)
{
    const std::string_view name = kindName(kind);
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

inline bool kindFromText(const QString &text, MetricKind &kind)
{
    const QByteArray latin = text.toLatin1();
    return kindFromName(std::string_view(latin.constData(), std::size_t(latin.size())), kind);
}

inline qint64 floorTo(qint64 value, qint64 step)
{
    qint64 q = value / step;
    if (value % step < 0)
        --q;
    return q * step;
}

/// Reads the ten stats columns (kStatsColumns order) starting at column `first`.
inline MetricStats readStats(const QSqlQuery &q, int first)
{
    MetricStats s;
    s.count = quint64(q.value(first).toLongLong());
    s.errors = quint64(q.value(first + 1).toLongLong());
    s.sum = q.value(first + 2).toDouble();
    s.min = q.value(first + 3).toDouble();
    s.max = q.value(first + 4).toDouble();
    s.items = quint64(q.value(first + 5).toLongLong());
    s.misses = quint64(q.value(first + 6).toLongLong());
    s.last = q.value(first + 7).toDouble();
    s.lastMs = q.value(first + 8).toLongLong();
    return s;
}

/// Binds the ten stats columns starting at placeholder `first`.
inline void bindStats(QSqlQuery &q, int first, const MetricStats &s, const QByteArray &sketch)
{
    q.bindValue(first, qint64(s.count));
    q.bindValue(first + 1, qint64(s.errors));
    q.bindValue(first + 2, s.sum);
    q.bindValue(first + 3, s.min);
    q.bindValue(first + 4, s.max);
    q.bindValue(first + 5, qint64(s.items));
    q.bindValue(first + 6, qint64(s.misses));
    q.bindValue(first + 7, s.last);
    q.bindValue(first + 8, s.lastMs);
    q.bindValue(first + 9, sketch);
}

/// Accumulates rows into one aggregate; counts sketches that cannot be decoded.
struct Merger
{
    Aggregate agg;
    bool hasSketch = false;

    void add(const MetricStats &stats, const QByteArray &blob, quint64 &decodeFailures)
    {
        agg.stats.merge(stats);
        if (blob.isEmpty())
            return;
        if (const auto sketch = LatencySketch::decode(blob)) {
            agg.sketch.merge(*sketch);
            hasSketch = true;
        } else {
            ++decodeFailures;
        }
    }
    QByteArray encodedSketch() const { return hasSketch ? agg.sketch.encode() : QByteArray(); }
};

struct StoredKey
{
    RollupRow::Scope scope = RollupRow::Scope::Key;
    KeyMeta meta;
};

inline bool loadKeys(QSqlQuery &q, std::unordered_map<qint64, StoredKey> &out)
{
    if (!q.exec())
        return false;
    while (q.next()) {
        StoredKey key;
        const qint64 id = q.value(0).toLongLong();
        key.scope = q.value(1).toString() == u"group"_s ? RollupRow::Scope::Group : RollupRow::Scope::Key;
        if (!kindFromText(q.value(2).toString(), key.meta.kind))
            continue; // written by a newer version with a kind this one does not know
        key.meta.id = KeyId(id);
        key.meta.service = q.value(3).toString();
        key.meta.name = q.value(4).toString();
        out.insert_or_assign(id, std::move(key));
    }
    const bool ok = !q.lastError().isValid();
    q.finish();
    return ok;
}

} // namespace historysql

/// Statements prepared once per connection and reused.
struct HistoryDatabase::Statements
{
    explicit Statements(const QSqlDatabase &db)
        : begin(db)
        , commit(db)
        , rollback(db)
        , findKey(db)
        , insertKey(db)
        , allKeys(db)
        , selectMinute(db)
        , replaceMinute(db)
        , slotMinutes(db)
        , slotFive(db)
        , replaceFive(db)
        , deleteSlotMinutes(db)
        , loadRollups(db)
        , window(db)
        , series(db)
        , replaceScore(db)
        , scores(db)
        , deleteRecommendations(db)
        , insertRecommendation(db)
        , deleteRecommendation(db)
        , touchRecommendations(db)
        , recommendations(db)
    { }

    QSqlQuery begin;
    QSqlQuery commit;
    QSqlQuery rollback;
    QSqlQuery findKey;
    QSqlQuery insertKey;
    QSqlQuery allKeys;
    QSqlQuery selectMinute;
    QSqlQuery replaceMinute;
    QSqlQuery slotMinutes;
    QSqlQuery slotFive;
    QSqlQuery replaceFive;
    QSqlQuery deleteSlotMinutes;
    QSqlQuery loadRollups;
    QSqlQuery window;
    QSqlQuery series;
    QSqlQuery replaceScore;
    QSqlQuery scores;
    QSqlQuery deleteRecommendations;
    QSqlQuery insertRecommendation;
    QSqlQuery deleteRecommendation;
    QSqlQuery touchRecommendations;
    QSqlQuery recommendations;
};

} // namespace perfwatch
