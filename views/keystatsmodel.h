#pragma once

#include "dashboardsnapshot.h"
#include "theme.h"

#include <QAbstractTableModel>
#include <QHash>
#include <vector>

namespace perfwatch {

/// One key table (API endpoints, database operations, processing steps, gauges or caches).
///
/// Rows are keys, appended as they appear and never removed on a tick (a key without data in the
/// range turns idle: count 0, no figures). Each tick, setRows() inserts new keys with one
/// beginInsertRows() and reports changed rows with dataChanged() — one range signal when most
/// rows changed — never a reset.
class KeyStatsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyStatsModel)
public:
    enum Column
    {
        Service,
        Name,
        Count,
        Rate,
        Avg,
        P50,
        P95,
        P99,
        Min,
        Max,
        Errors,
        ErrorPercent,
        Apdex,
        Items,
        ItemsPerSec,
        Hits,
        Misses,
        HitRate,
        Last,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role
    {
        SortRole = Qt::UserRole + 1, ///< raw number (or name) for numeric sorting; invalid for "no value"
        ServiceRole, ///< the key's service
        IdleRole, ///< true when the key has no data in the range
        SeverityRole, ///< Theme::Severity of the cell, as int
    };

    enum class Table
    {
        Api,
        Database,
        Processing,
        Gauges,
        Caches,
    };

    explicit KeyStatsModel(Table table, QObject *parent = nullptr);

    Table table() const { return m_table; }
    /// The kinds of keys this table shows.
    MetricKind kind() const;
    /// The columns of a table, in display order.
    static std::vector<Column> columnsFor(Table table);
    Column columnAt(int section) const { return m_columns[std::size_t(section)]; }
    /// Display position of a column, -1 when the table does not show it.
    int sectionOf(Column column) const;

    /// Applies one tick's rows (this table's kind only) and the thresholds the tints use.
    void setRows(const std::vector<KeyRow> &rows, const AnalyzerConfig &thresholds);
    const KeyRow &rowAt(int row) const { return m_rows[std::size_t(row)]; }
    /// Row of a key, -1 when unknown.
    int rowOf(const KeyRef &key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// The overflow key's row cannot be selected: there is no single key to drill into.
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Why a cell is tinted, and how badly.
    Theme::Severity severity(const KeyRow &row, Column column) const;

    /// The same texts and tints without a model (reports render them off the GUI thread).
    static QString columnTitle(Table table, Column column, bool toolTip = false);
    static QString cellText(const KeyRow &row, Column column);
    /// False for the value columns of the overflow key (KeyMeta::isOverflow()): only its names and
    /// counts are shown, in the window and in reports.
    static bool meaningful(const KeyRow &row, Column column);
    static Theme::Severity severityOf(const KeyRow &row, Column column, const AnalyzerConfig &thresholds);

private:
    QVariant sortValue(const KeyRow &row, Column column) const;
    QString toolTip(const KeyRow &row, Column column) const;
    void emitChanged(const std::vector<int> &rows, int oldCount, bool allRoles);

    Table m_table;
    std::vector<Column> m_columns;
    std::vector<KeyRow> m_rows;
    QHash<KeyRef, int> m_index;
    AnalyzerConfig m_thresholds;
};

} // namespace perfwatch
