#include "keyfilterproxymodel.h"

#include "keystatsmodel.h"

namespace perfwatch {

KeyFilterProxyModel::KeyFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(KeyStatsModel::SortRole);
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void KeyFilterProxyModel::setFilterText(const QString &text)
{
    if (m_text == text)
        return;
    m_text = text;
    invalidateRowsFilter();
}

void KeyFilterProxyModel::setServices(const QStringList &services)
{
    if (m_services == services)
        return;
    m_services = services;
    invalidateRowsFilter();
}

void KeyFilterProxyModel::setShowIdle(bool show)
{
    if (m_showIdle == show)
        return;
    m_showIdle = show;
    invalidateRowsFilter();
}

bool KeyFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto *model = qobject_cast<const KeyStatsModel *>(sourceModel());
    if (!model)
        return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
    const KeyRow &row = model->rowAt(sourceRow);
    if (!m_showIdle && row.count == 0)
        return false;
    if (!m_services.isEmpty() && !m_services.contains(row.key.service))
        return false;
    if (m_text.isEmpty())
        return true;
    return row.key.name.contains(m_text, Qt::CaseInsensitive) || row.key.service.contains(m_text, Qt::CaseInsensitive);
}

} // namespace perfwatch
