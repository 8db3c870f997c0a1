#pragma once

#include "dashboardsnapshot.h"
#include "keystatsmodel.h"

#include <QWidget>
#include <functional>
#include <vector>

class QLabel;
class QLineEdit;
class QTableView;

namespace perfwatch {

class KeyFilterProxyModel;

/// A page of one or two key tables (API, database, processing; gauges and caches) with a filter box.
/// Selecting a row selects that key for drill-down.
class KeyTablePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyTablePage)
public:
    struct SectionSpec
    {
        KeyStatsModel::Table table;
        QString caption; ///< shown above the table when the page has more than one
        std::function<QString(int)> countText; ///< "12 endpoints"
    };

    KeyTablePage(const QString &title, const std::vector<SectionSpec> &sections, QWidget *parent = nullptr);

    void apply(const DashboardSnapshot &snapshot);

    int sectionCount() const { return int(m_sections.size()); }
    KeyStatsModel *model(int section = 0) const { return m_sections[std::size_t(section)].model; }
    KeyFilterProxyModel *proxy(int section = 0) const { return m_sections[std::size_t(section)].proxy; }
    QTableView *view(int section = 0) const { return m_sections[std::size_t(section)].view; }
    QLineEdit *filterEdit() const { return m_filter; }

    /// The key selected on this page; invalid when none.
    KeyRef selectedKey() const;
    /// Selects a key's row (when visible); returns false when the key is not shown.
    bool selectKey(const KeyRef &key);
    /// Selects the row at a view position of a section (tests, screenshots).
    bool selectRow(int section, int viewRow);
    void clearSelection();

Q_SIGNALS:
    /// The user selected a key (invalid KeyRef: the selection was cleared).
    void keySelected(const perfwatch::KeyRef &key);

private:
    struct Section
    {
        SectionSpec spec;
        KeyStatsModel *model = nullptr;
        KeyFilterProxyModel *proxy = nullptr;
        QTableView *view = nullptr;
    };
    void onSelectionChanged(int section);
    void updateCount();

    std::vector<Section> m_sections;
    QLabel *m_count = nullptr;
    QLineEdit *m_filter = nullptr;
    bool m_selecting = false;
};

} // namespace perfwatch
