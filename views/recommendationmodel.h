#pragma once

#include "analyzer.h"

#include <QAbstractTableModel>
#include <unordered_map>
#include <vector>

namespace perfwatch {

/// The analyzer's recommendations as a table: priority, type, target, message, suggestion.
///
/// Rows keep their identity (Recommendation::id) across ticks: new advice is inserted, advice that
/// no longer applies is removed, changed figures emit dataChanged; never a reset.
class RecommendationModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecommendationModel)
public:
    enum Column
    {
        PriorityColumn,
        Type,
        Target,
        Message,
        Suggestion,
        Service,
        FirstSeen,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role
    {
        SortRole = Qt::UserRole + 1, ///< priority as a number (high = 0), first-seen time, or text
        IdRole,
        SuggestionRole,
        EvidenceTextRole, ///< the evidence as "name: value" lines
    };

    explicit RecommendationModel(QObject *parent = nullptr);

    void setRecommendations(const std::vector<Recommendation> &recommendations, qint64 nowMs);
    const Recommendation &recommendationAt(int row) const { return m_items[std::size_t(row)]; }
    int rowOf(const QString &id) const;
    int count(Priority priority) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Evidence as readable lines ("p95 ms: 812", "threshold ms: 500").
    static QString evidenceText(const QJsonObject &evidence);

private:
    std::vector<Recommendation> m_items;
    std::unordered_map<QString, int> m_rows; ///< row of each id in m_items
    qint64 m_nowMs = 0;
};

} // namespace perfwatch
