#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace perfwatch {

/// Sorts a key table numerically (KeyStatsModel::SortRole) and filters it by text, service and
/// activity: keys without data in the selected range are hidden.
class KeyFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyFilterProxyModel)
public:
    explicit KeyFilterProxyModel(QObject *parent = nullptr);

    /// Case-insensitive text matched against the name and the service.
    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }
    /// Services to show; empty shows all.
    void setServices(const QStringList &services);
    void setShowIdle(bool show);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QStringList m_services;
    bool m_showIdle = false;
};

} // namespace perfwatch
