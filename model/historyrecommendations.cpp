// HistoryDatabase: the score history and the current recommendations (written as a diff against
// what this connection last wrote), and the JSON form recommendations are stored in.

#include "historydatabase.h"
#include "historysql.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <algorithm>
#include <unordered_map>

namespace perfwatch {

using namespace Qt::StringLiterals;
using namespace historysql;

namespace {

Band bandOf(const QString &name)
{
    Band band = Band::NoData;
    bandFromName(name, band);
    return band;
}

} // namespace

QJsonObject recommendationToStorageJson(const Recommendation &r)
{
    QJsonObject o;
    o.insert(u"id"_s, r.id);
    o.insert(u"rule"_s, r.rule);
    o.insert(u"type"_s, typeName(r.type));
    o.insert(u"priority"_s, priorityName(r.priority));
    o.insert(u"service"_s, r.service);
    o.insert(u"target"_s, r.target);
    o.insert(u"message"_s, r.message);
    o.insert(u"suggestion"_s, r.suggestion);
    o.insert(u"evidence"_s, r.evidence);
    o.insert(u"first_seen_ms"_s, r.firstSeenMs);
    o.insert(u"last_seen_ms"_s, r.lastSeenMs);
    return o;
}

std::optional<Recommendation> recommendationFromJson(const QJsonObject &json)
{
    Recommendation r;
    r.id = json.value(u"id"_s).toString();
    if (r.id.isEmpty())
        return std::nullopt;
    if (!typeFromName(json.value(u"type"_s).toString(), r.type))
        return std::nullopt;
    if (!priorityFromName(json.value(u"priority"_s).toString(), r.priority))
        return std::nullopt;
    r.rule = json.value(u"rule"_s).toString();
    r.service = json.value(u"service"_s).toString();
    r.target = json.value(u"target"_s).toString();
    r.message = json.value(u"message"_s).toString();
    r.suggestion = json.value(u"suggestion"_s).toString();
    r.evidence = json.value(u"evidence"_s).toObject();
    r.firstSeenMs = json.value(u"first_seen_ms"_s).toInteger();
    r.lastSeenMs = json.value(u"last_seen_ms"_s).toInteger();
    return r;
}

bool HistoryDatabase::writeScores(const std::vector<ScorePoint> &points)
{
    assertThread();
    if (!m_statements)
        return fail(u"writeScores"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    if (points.empty())
        return true;
    Statements &s = *m_statements;
    if (!s.begin.exec())
        return fail(u"Cannot start writing scores"_s, s.begin);
    bool ok = true;
    for (const ScorePoint &p : points) {
        s.replaceScore.bindValue(0, p.timestampMs);
        s.replaceScore.bindValue(1, p.score);
        s.replaceScore.bindValue(2, bandName(p.band));
        if (!s.replaceScore.exec()) {
            ok = fail(u"Cannot write scores"_s, s.replaceScore);
            break;
        }
    }
    if (ok && s.commit.exec())
        return true;
    if (ok)
        fail(u"Cannot commit scores"_s, s.commit);
    s.rollback.exec();
    return false;
}

namespace {

/// Whether `a` and `b` are stored as the same row apart from position and last_seen_ms: the same
/// id, JSON content and first_seen_ms (impact is not stored).
bool sameStoredApartFromLastSeen(const Recommendation &a, const Recommendation &b)
{
    return a.id == b.id && a.rule == b.rule && a.type == b.type && a.priority == b.priority && a.service == b.service
        && a.target == b.target && a.message == b.message && a.suggestion == b.suggestion && a.evidence == b.evidence
        && a.firstSeenMs == b.firstSeenMs;
}

} // namespace

bool HistoryDatabase::replaceRecommendations(const std::vector<Recommendation> &recommendations)
{
    assertThread();
    if (!m_statements)
        return fail(u"replaceRecommendations"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    Statements &s = *m_statements;
    // The engine writes after every analysis, and between two most advice is the same (at 10,000
    // keys, a few of several hundred change their numbers): JSON-encoding and rewriting every row
    // cost more than the analysis itself. Once this connection knows what the table holds, only
    // rows that changed (content or position) are written and rows that went away deleted; when
    // the rest only moved their last_seen_ms (the analyzer gives every recommendation the analysis
    // time) one UPDATE sets the column. The copy of last_seen_ms inside json may then be older;
    // recommendations() reads the column.
    const std::optional<std::vector<Recommendation>> written = std::move(m_writtenRecommendations);
    m_writtenRecommendations.reset(); // unknown until this write commits
    std::vector<bool> keep(recommendations.size(), false); // already stored as is, but for last_seen_ms
    std::vector<QString> gone;
    bool touchAll = false;
    if (written) {
        std::unordered_map<QString, std::size_t> writtenAt;
        for (std::size_t i = 0; i < written->size(); ++i)
            writtenAt.emplace((*written)[i].id, i);
        for (std::size_t i = 0; i < recommendations.size(); ++i) {
            const auto it = writtenAt.find(recommendations[i].id);
            if (it == writtenAt.end())
                continue;
            keep[i] = it->second == i && sameStoredApartFromLastSeen((*written)[i], recommendations[i]);
            writtenAt.erase(it);
        }
        for (const auto &[id, i] : writtenAt)
            gone.push_back(id);
        const qint64 lastSeen = recommendations.empty() ? 0 : recommendations.front().lastSeenMs;
        const bool oneLastSeen = std::all_of(recommendations.begin(), recommendations.end(),
            [&](const Recommendation &r) { return r.lastSeenMs == lastSeen; });
        bool lastSeenMoved = false;
        for (std::size_t i = 0; i < recommendations.size(); ++i) {
            if (keep[i] && (*written)[i].lastSeenMs != recommendations[i].lastSeenMs) {
                lastSeenMoved = true;
                keep[i] = oneLastSeen; // otherwise the row is written in full
            }
        }
        touchAll = oneLastSeen && lastSeenMoved;
        if (!touchAll && gone.empty() && std::all_of(keep.begin(), keep.end(), [](bool k) { return k; })) {
            m_writtenRecommendations = recommendations; // the table already holds exactly these
            return true;
        }
    }
    if (!s.begin.exec())
        return fail(u"Cannot start writing recommendations"_s, s.begin);
    bool ok = true;
    if (!written) {
        ok = s.deleteRecommendations.exec();
        if (!ok)
            fail(u"Cannot clear recommendations"_s, s.deleteRecommendations);
    }
    for (std::size_t i = 0; ok && i < gone.size(); ++i) {
        s.deleteRecommendation.bindValue(0, gone[i]);
        if (!s.deleteRecommendation.exec())
            ok = fail(u"Cannot delete a recommendation"_s, s.deleteRecommendation);
    }
    if (ok && touchAll) {
        s.touchRecommendations.bindValue(0, recommendations.front().lastSeenMs);
        if (!s.touchRecommendations.exec())
            ok = fail(u"Cannot update recommendations"_s, s.touchRecommendations);
    }
    for (std::size_t i = 0; ok && i < recommendations.size(); ++i) {
        if (keep[i])
            continue;
        const Recommendation &r = recommendations[i];
        const QByteArray json = QJsonDocument(recommendationToStorageJson(r)).toJson(QJsonDocument::Compact);
        QSqlQuery &insert = s.insertRecommendation;
        insert.bindValue(0, r.id);
        insert.bindValue(1, qint64(i));
        insert.bindValue(2, QString::fromUtf8(json));
        insert.bindValue(3, r.firstSeenMs);
        insert.bindValue(4, r.lastSeenMs);
        if (!insert.exec())
            ok = fail(u"Cannot write recommendations"_s, insert);
    }
    if (ok && s.commit.exec()) {
        m_writtenRecommendations = recommendations;
        return true;
    }
    if (ok)
        fail(u"Cannot commit recommendations"_s, s.commit);
    s.rollback.exec();
    return false;
}

std::vector<ScorePoint> HistoryDatabase::scores(qint64 fromMs, qint64 toMs)
{
    assertThread();
    std::vector<ScorePoint> points;
    if (!m_statements) {
        fail(u"scores"_s, QSqlError(u"history database is not open"_s, {}));
        return points;
    }
    m_lastError.clear();
    QSqlQuery &q = m_statements->scores;
    q.bindValue(0, fromMs);
    q.bindValue(1, toMs);
    if (!q.exec()) {
        fail(u"Cannot read scores"_s, q);
        return points;
    }
    while (q.next())
        points.push_back(ScorePoint { q.value(0).toLongLong(), q.value(1).toInt(), bandOf(q.value(2).toString()) });
    if (q.lastError().isValid())
        fail(u"Cannot read scores"_s, q);
    q.finish();
    return points;
}

std::vector<Recommendation> HistoryDatabase::recommendations()
{
    assertThread();
    std::vector<Recommendation> result;
    if (!m_statements) {
        fail(u"recommendations"_s, QSqlError(u"history database is not open"_s, {}));
        return result;
    }
    m_lastError.clear();
    QSqlQuery &q = m_statements->recommendations;
    if (!q.exec()) {
        fail(u"Cannot read recommendations"_s, q);
        return result;
    }
    while (q.next()) {
        const QJsonDocument doc = QJsonDocument::fromJson(q.value(0).toString().toUtf8());
        std::optional<Recommendation> r = recommendationFromJson(doc.object());
        if (!r)
            continue;
        r->firstSeenMs = q.value(1).toLongLong();
        r->lastSeenMs = q.value(2).toLongLong();
        result.push_back(std::move(*r));
    }
    if (q.lastError().isValid())
        fail(u"Cannot read recommendations"_s, q);
    q.finish();
    return result;
}

} // namespace perfwatch
