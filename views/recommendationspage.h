#pragma once

#include "dashboardsnapshot.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace perfwatch {

class RecommendationModel;

/// All recommendations, sortable and filterable, with the selected one's suggestion (copyable:
/// button, context menu, Ctrl+C) and evidence.
class RecommendationsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecommendationsPage)
public:
    explicit RecommendationsPage(QWidget *parent = nullptr);

    void apply(const DashboardSnapshot &snapshot);

    RecommendationModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    /// Puts the selected recommendation's suggestion on the clipboard; false when none is selected.
    bool copySuggestion();
    bool selectRow(int viewRow);

private:
    void showDetail();

    RecommendationModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_count = nullptr;
    QWidget *m_detail = nullptr;
    QLabel *m_detailTitle = nullptr;
    QLabel *m_detailMessage = nullptr;
    QLabel *m_suggestion = nullptr;
    QLabel *m_evidence = nullptr;
    QLabel *m_empty = nullptr;
};

} // namespace perfwatch
