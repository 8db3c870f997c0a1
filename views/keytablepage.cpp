#include "keytablepage.h"

#include "card.h"
#include "keyfilterproxymodel.h"
#include "theme.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace perfwatch {

namespace {

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setFrameShape(QFrame::NoFrame);
    view->setTextElideMode(Qt::ElideMiddle);
    view->verticalHeader()->setVisible(false);
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 12);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setSectionsMovable(true);
    view->horizontalHeader()->setMinimumSectionSize(56);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    return view;
}

} // namespace

KeyTablePage::KeyTablePage(const QString &title, const std::vector<SectionSpec> &sections, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 14, 16, 8);
    layout->setSpacing(10);

    auto *header = new QHBoxLayout;
    auto *titleLabel = new QLabel(title, this);
    titleLabel->setFont(Theme::font(1.35, true));
    header->addWidget(titleLabel);
    header->addSpacing(8);
    m_count = new QLabel(this);
    m_count->setForegroundRole(QPalette::PlaceholderText);
    header->addWidget(m_count, 0, Qt::AlignBottom);
    header->addStretch(1);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter by name or service"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(Theme::icon(QStringLiteral("search"), Theme::mutedText(palette())), QLineEdit::LeadingPosition);
    m_filter->setMinimumWidth(280);
    header->addWidget(m_filter);
    layout->addLayout(header);

    // Two tables (gauges and caches) stack: both need the width for their names and figures.
    QSplitter *splitter = sections.size() > 1 ? new QSplitter(Qt::Vertical, this) : nullptr;
    if (splitter) {
        splitter->setChildrenCollapsible(false);
        splitter->setHandleWidth(12);
    }
    for (std::size_t i = 0; i < sections.size(); ++i) {
        Section s;
        s.spec = sections[i];
        s.model = new KeyStatsModel(s.spec.table, this);
        s.proxy = new KeyFilterProxyModel(this);
        s.proxy->setSourceModel(s.model);
        auto *card = new Card(this);
        auto *cardLayout = new QVBoxLayout(card);
        cardLayout->setContentsMargins(8, sections.size() > 1 ? 10 : 6, 8, 8);
        cardLayout->setSpacing(6);
        if (sections.size() > 1)
            cardLayout->addWidget(makeCaption(s.spec.caption, card));
        s.view = makeTable(s.proxy, card);
        cardLayout->addWidget(s.view, 1);

        QHeaderView *h = s.view->horizontalHeader();
        QFont headerFont = h->font();
        headerFont.setBold(true);
        const QFontMetrics headerMetrics(headerFont);
        for (int c = 0; c < s.model->columnCount(); ++c) {
            const KeyStatsModel::Column col = s.model->columnAt(c);
            if (col == KeyStatsModel::Name) {
                h->setSectionResizeMode(c, QHeaderView::Stretch);
            } else {
                // Room for the bold title, its padding and the sort arrow.
                const int title = headerMetrics.horizontalAdvance(s.model->headerData(c, Qt::Horizontal).toString());
                h->setSectionResizeMode(c, QHeaderView::Interactive);
                h->resizeSection(c, std::max(col == KeyStatsModel::Service ? 120 : 84, title + 38));
            }
        }
        const int countSection = s.model->sectionOf(
            s.spec.table == KeyStatsModel::Table::Caches ? KeyStatsModel::Rate : KeyStatsModel::Count);
        s.view->sortByColumn(countSection, Qt::DescendingOrder);

        const int index = int(i);
        connect(s.view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this, index] { onSelectionChanged(index); });
        connect(s.proxy, &QAbstractItemModel::rowsInserted, this, &KeyTablePage::updateCount);
        connect(s.proxy, &QAbstractItemModel::rowsRemoved, this, &KeyTablePage::updateCount);
        connect(s.proxy, &QAbstractItemModel::layoutChanged, this, &KeyTablePage::updateCount);
        connect(s.proxy, &QAbstractItemModel::modelReset, this, &KeyTablePage::updateCount);
        if (splitter)
            splitter->addWidget(card);
        else
            layout->addWidget(card, 1);
        m_sections.push_back(s);
    }
    if (splitter) {
        splitter->setStretchFactor(0, 1);
        splitter->setStretchFactor(1, 1);
        layout->addWidget(splitter, 1);
    }
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (Section &s : m_sections)
            s.proxy->setFilterText(text.trimmed());
    });
    updateCount();
}

void KeyTablePage::apply(const DashboardSnapshot &snapshot)
{
    for (Section &s : m_sections) {
        s.model->setRows(snapshot.rowsOf(s.model->kind()), snapshot.thresholds);
        s.proxy->setServices(snapshot.request.services);
        const int serviceSection = s.model->sectionOf(KeyStatsModel::Service);
        const bool showService = snapshot.services.size() > 1 && snapshot.request.services.size() != 1;
        if (serviceSection >= 0 && s.view->isColumnHidden(serviceSection) == showService)
            s.view->setColumnHidden(serviceSection, !showService);
    }
    updateCount();
}

void KeyTablePage::updateCount()
{
    QStringList parts;
    for (const Section &s : m_sections)
        parts << s.spec.countText(s.proxy->rowCount());
    m_count->setText(parts.join(QStringLiteral(" · ")));
}

KeyRef KeyTablePage::selectedKey() const
{
    for (const Section &s : m_sections) {
        const QModelIndexList rows = s.view->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            return s.model->rowAt(s.proxy->mapToSource(rows.first()).row()).key;
    }
    return {};
}

bool KeyTablePage::selectKey(const KeyRef &key)
{
    for (Section &s : m_sections) {
        const int row = s.model->rowOf(key);
        if (row < 0)
            continue;
        const QModelIndex proxyIndex = s.proxy->mapFromSource(s.model->index(row, 0));
        if (!proxyIndex.isValid())
            return false;
        s.view->selectionModel()->select(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        s.view->scrollTo(proxyIndex);
        return true;
    }
    return false;
}

bool KeyTablePage::selectRow(int section, int viewRow)
{
    Section &s = m_sections[std::size_t(section)];
    const QModelIndex index = s.proxy->index(viewRow, 0);
    if (!index.isValid())
        return false;
    s.view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    s.view->setCurrentIndex(index);
    return true;
}

void KeyTablePage::clearSelection()
{
    for (Section &s : m_sections)
        s.view->clearSelection();
}

void KeyTablePage::onSelectionChanged(int section)
{
    if (m_selecting)
        return;
    Section &s = m_sections[std::size_t(section)];
    const QModelIndexList rows = s.view->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        // Only report "nothing selected" when no other table on the page holds a selection.
        if (!selectedKey().isValid())
            Q_EMIT keySelected({});
        return;
    }
    m_selecting = true;
    for (std::size_t i = 0; i < m_sections.size(); ++i) {
        if (int(i) != section)
            m_sections[i].view->clearSelection();
    }
    m_selecting = false;
    Q_EMIT keySelected(s.model->rowAt(s.proxy->mapToSource(rows.first()).row()).key);
}

} // namespace perfwatch
