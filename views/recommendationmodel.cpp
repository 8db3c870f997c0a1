#include "recommendationmodel.h"

#include "displaytext.h"
#include "format.h"
#include "theme.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace perfwatch {

namespace {

bool sameRecommendation(const Recommendation &a, const Recommendation &b)
{
    return a.priority == b.priority && a.type == b.type && a.message == b.message && a.suggestion == b.suggestion
        && a.evidence == b.evidence && a.target == b.target && a.service == b.service && a.firstSeenMs == b.firstSeenMs;
}

QString jsonValueText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return Format::number(d, std::abs(d) < 1 ? 3 : 2);
    }
    case QJsonValue::String:
        return DisplayText::isolate(v.toString()); // names of keys and index statements
    case QJsonValue::Bool:
        return v.toBool() ? Format::tr("yes") : Format::tr("no");
    case QJsonValue::Array: {
        QStringList parts;
        const QJsonArray array = v.toArray();
        for (const QJsonValue &item : array)
            parts << jsonValueText(item);
        return parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts << it.key() + QStringLiteral(" ") + jsonValueText(it.value());
        return parts.join(QStringLiteral(", "));
    }
    default:
        return Format::none();
    }
}

} // namespace

RecommendationModel::RecommendationModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

QString RecommendationModel::evidenceText(const QJsonObject &evidence)
{
    QStringList lines;
    for (auto it = evidence.begin(); it != evidence.end(); ++it) {
        QString name = it.key();
        name.replace(u'_', u' ');
        lines << name + QStringLiteral(": ") + jsonValueText(it.value());
    }
    return lines.join(u'\n');
}

int RecommendationModel::rowOf(const QString &id) const
{
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        if (m_items[i].id == id)
            return int(i);
    }
    return -1;
}

int RecommendationModel::count(Priority priority) const
{
    return int(std::count_if(
        m_items.begin(), m_items.end(), [priority](const Recommendation &r) { return r.priority == priority; }));
}

void RecommendationModel::setRecommendations(const std::vector<Recommendation> &recommendations, qint64 nowMs)
{
    const bool clockMoved = m_nowMs / 60'000 != nowMs / 60'000; // "first seen … ago" changes per minute
    m_nowMs = nowMs;
    int firstChanged = -1;
    int lastChanged = -1;
    const auto update = [&](int row, const Recommendation &now) {
        if (!sameRecommendation(m_items[std::size_t(row)], now) || clockMoved) {
            m_items[std::size_t(row)] = now;
            firstChanged = firstChanged < 0 ? row : std::min(firstChanged, row);
            lastChanged = std::max(lastChanged, row);
        }
    };

    // Most ticks bring the same advice (in any order): then each row is found through the ids of
    // the rows kept from the previous tick and compared in place, without hashing thousands of ids
    // into new maps. The signals are those of the general case below.
    if (recommendations.size() == m_items.size()) {
        std::vector<int> rows;
        rows.reserve(recommendations.size());
        std::vector<bool> seen(m_items.size());
        for (const Recommendation &r : recommendations) {
            const auto it = m_rows.find(r.id);
            if (it == m_rows.end() || seen[std::size_t(it->second)])
                break;
            seen[std::size_t(it->second)] = true;
            rows.push_back(it->second);
        }
        if (rows.size() == recommendations.size()) {
            for (std::size_t i = 0; i < rows.size(); ++i)
                update(rows[i], recommendations[i]);
            if (firstChanged >= 0)
                Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
            return;
        }
    }

    std::unordered_map<QString, const Recommendation *> incoming;
    for (const Recommendation &r : recommendations)
        incoming.emplace(r.id, &r);

    // Advice that no longer applies goes, in runs from the bottom so rows stay valid.
    for (int i = int(m_items.size()) - 1; i >= 0;) {
        if (incoming.count(m_items[std::size_t(i)].id)) {
            --i;
            continue;
        }
        int first = i;
        while (first > 0 && !incoming.count(m_items[std::size_t(first - 1)].id))
            --first;
        beginRemoveRows({}, first, i);
        m_items.erase(m_items.begin() + first, m_items.begin() + i + 1);
        endRemoveRows();
        i = first - 1;
    }

    std::unordered_map<QString, int> existing;
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        existing.emplace(m_items[i].id, int(i));
        update(int(i), *incoming.at(m_items[i].id));
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));

    std::vector<const Recommendation *> added;
    for (const Recommendation &r : recommendations) {
        if (!existing.count(r.id))
            added.push_back(&r);
    }
    const std::size_t kept = m_items.size();
    if (!added.empty()) {
        const int first = int(m_items.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const Recommendation *r : added)
            m_items.push_back(*r);
        endInsertRows();
    }
    m_rows = std::move(existing);
    for (std::size_t i = kept; i < m_items.size(); ++i)
        m_rows.emplace(m_items[i].id, int(i));
}

int RecommendationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

int RecommendationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecommendationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Recommendation &r = m_items[std::size_t(index.row())];
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case PriorityColumn:
            return Theme::priorityWord(r.priority);
        case Type:
            return Theme::recommendationTypeWord(r.type);
        case Target: // empty only for advice about the overflow key (key_cardinality)
            return DisplayText::keyName(r.target);
        case Message:
            return r.message;
        case Suggestion:
            return r.suggestion;
        case Service:
            return DisplayText::isolate(r.service);
        case FirstSeen:
            return r.firstSeenMs > 0 ? Format::ago(r.firstSeenMs, m_nowMs) : Format::none();
        case ColumnCount:
            break;
        }
        return {};
    case Qt::DecorationRole:
        return column == PriorityColumn ? QVariant(Theme::priorityIcon(r.priority)) : QVariant();
    case Qt::ToolTipRole:
        switch (column) {
        case Message:
        case Suggestion:
            return QString(
                r.message + QStringLiteral("\n\n") + r.suggestion + QStringLiteral("\n\n") + evidenceText(r.evidence));
        case FirstSeen:
            return r.firstSeenMs > 0
                ? QVariant(QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.firstSeenMs), QLocale::ShortFormat))
                : QVariant();
        default:
            return {};
        }
    case SortRole:
        switch (column) {
        case PriorityColumn:
            return int(r.priority);
        case Type:
            return int(r.type);
        case FirstSeen:
            return r.firstSeenMs;
        case Target:
            return r.target.toLower();
        case Service:
            return r.service.toLower();
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    case IdRole:
        return r.id;
    case SuggestionRole:
        return r.suggestion;
    case EvidenceTextRole:
        return evidenceText(r.evidence);
    default:
        return {};
    }
}

QVariant RecommendationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case PriorityColumn:
        return tr("Priority");
    case Type:
        return tr("Area");
    case Target:
        return tr("Target");
    case Message:
        return tr("Problem");
    case Suggestion:
        return tr("Suggestion");
    case Service:
        return tr("Service");
    case FirstSeen:
        return tr("First seen");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace perfwatch
