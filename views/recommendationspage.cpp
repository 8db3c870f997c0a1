#include "recommendationspage.h"

#include "card.h"
#include "displaytext.h"
#include "format.h"
#include "recommendationmodel.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace perfwatch {

RecommendationsPage::RecommendationsPage(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 14, 16, 14);
    layout->setSpacing(10);

    auto *header = new QHBoxLayout;
    auto *title = new QLabel(tr("Recommendations"), this);
    title->setFont(Theme::font(1.35, true));
    header->addWidget(title);
    header->addSpacing(8);
    m_count = new QLabel(this);
    m_count->setForegroundRole(QPalette::PlaceholderText);
    header->addWidget(m_count, 0, Qt::AlignBottom);
    header->addStretch(1);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter recommendations"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(Theme::icon(QStringLiteral("search"), Theme::mutedText(palette())), QLineEdit::LeadingPosition);
    m_filter->setMinimumWidth(280);
    header->addWidget(m_filter);
    layout->addLayout(header);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->setHandleWidth(12);

    auto *tableCard = new Card(splitter);
    auto *tableLayout = new QVBoxLayout(tableCard);
    tableLayout->setContentsMargins(8, 6, 8, 8);
    m_model = new RecommendationModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RecommendationModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_view = new QTableView(tableCard);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RecommendationModel::PriorityColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setIconSize(QSize(16, 16));
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 14);
    QHeaderView *h = m_view->horizontalHeader();
    h->setHighlightSections(false);
    h->setSectionResizeMode(QHeaderView::Interactive);
    h->resizeSection(RecommendationModel::PriorityColumn, 100);
    h->resizeSection(RecommendationModel::Type, 100);
    h->resizeSection(RecommendationModel::Target, 200);
    h->resizeSection(RecommendationModel::Message, 420);
    h->resizeSection(RecommendationModel::Service, 110);
    h->resizeSection(RecommendationModel::FirstSeen, 100);
    h->setSectionResizeMode(RecommendationModel::Suggestion, QHeaderView::Stretch);
    h->moveSection(RecommendationModel::Service, RecommendationModel::Type + 1);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    tableLayout->addWidget(m_view);
    m_empty = new QLabel(tr("No recommendations: every rule is within its thresholds."), tableCard);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    tableLayout->addWidget(m_empty);

    auto *copyAction = new QAction(Theme::icon(QStringLiteral("copy")), tr("Copy suggestion"), m_view);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(copyAction);
    connect(copyAction, &QAction::triggered, this, &RecommendationsPage::copySuggestion);
    auto *copyMessage = new QAction(tr("Copy problem and evidence"), m_view);
    connect(copyMessage, &QAction::triggered, this, [this] {
        const QModelIndexList rows = m_view->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        const Recommendation &r = m_model->recommendationAt(m_proxy->mapToSource(rows.first()).row());
        QGuiApplication::clipboard()->setText(
            r.message + u'\n' + r.suggestion + u'\n' + RecommendationModel::evidenceText(r.evidence));
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this, copyAction, copyMessage](const QPoint &pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid())
            return;
        m_view->selectRow(index.row());
        QMenu menu(this);
        menu.addAction(copyAction);
        menu.addAction(copyMessage);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });

    auto *detailCard = new Card(splitter);
    auto *detailLayout = new QVBoxLayout(detailCard);
    detailLayout->setContentsMargins(16, 12, 16, 14);
    detailLayout->setSpacing(8);
    m_detailTitle = new QLabel(detailCard);
    m_detailTitle->setFont(Theme::font(1.1, true));
    m_detailTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detailLayout->addWidget(m_detailTitle);
    m_detailMessage = new QLabel(detailCard);
    m_detailMessage->setWordWrap(true);
    m_detailMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detailLayout->addWidget(m_detailMessage);

    auto *suggestionRow = new QHBoxLayout;
    suggestionRow->addWidget(makeCaption(tr("Suggestion"), detailCard));
    suggestionRow->addStretch(1);
    auto *copyButton = new QPushButton(Theme::icon(QStringLiteral("copy")), tr("Copy"), detailCard);
    copyButton->setToolTip(tr("Copy the suggestion (Ctrl+C)"));
    connect(copyButton, &QPushButton::clicked, this, &RecommendationsPage::copySuggestion);
    suggestionRow->addWidget(copyButton);
    detailLayout->addLayout(suggestionRow);
    m_suggestion = new QLabel(detailCard);
    m_suggestion->setWordWrap(true);
    m_suggestion->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(QApplication::font().pointSizeF());
    m_suggestion->setFont(mono);
    m_suggestion->setMargin(8);
    m_suggestion->setAutoFillBackground(true);
    m_suggestion->setBackgroundRole(QPalette::AlternateBase);
    detailLayout->addWidget(m_suggestion);
    detailLayout->addWidget(makeCaption(tr("Evidence"), detailCard));
    m_evidence = new QLabel(detailCard);
    m_evidence->setWordWrap(true);
    m_evidence->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_evidence->setForegroundRole(QPalette::PlaceholderText);
    detailLayout->addWidget(m_evidence);
    detailLayout->addStretch(1);
    m_detail = detailCard;

    splitter->addWidget(tableCard);
    splitter->addWidget(detailCard);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RecommendationsPage::showDetail);
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &RecommendationsPage::showDetail);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &RecommendationsPage::showDetail);
    showDetail();
}

void RecommendationsPage::apply(const DashboardSnapshot &snapshot)
{
    m_model->setRecommendations(snapshot.analysis.recommendations, snapshot.nowMs);
    const int high = m_model->count(Priority::High);
    const int total = m_model->rowCount();
    m_count->setText(total == 0
            ? QString()
            : tr("%n in total", nullptr, total) + QStringLiteral(" · ") + tr("%n high priority", nullptr, high));
    m_view->setVisible(total > 0);
    m_empty->setVisible(total == 0);
    if (total > 0 && !m_view->selectionModel()->hasSelection())
        selectRow(0);
}

bool RecommendationsPage::selectRow(int viewRow)
{
    const QModelIndex index = m_proxy->index(viewRow, 0);
    if (!index.isValid())
        return false;
    m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->setCurrentIndex(index);
    return true;
}

bool RecommendationsPage::copySuggestion()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return false;
    const Recommendation &r = m_model->recommendationAt(m_proxy->mapToSource(rows.first()).row());
    QGuiApplication::clipboard()->setText(r.suggestion);
    return true;
}

void RecommendationsPage::showDetail()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_detailTitle->setText(tr("Select a recommendation"));
        m_detailMessage->clear();
        m_suggestion->clear();
        m_evidence->clear();
        return;
    }
    const Recommendation &r = m_model->recommendationAt(m_proxy->mapToSource(rows.first()).row());
    m_detailTitle->setText(tr("%1 priority · %2 · %3")
                               .arg(Theme::priorityWord(r.priority), Theme::recommendationTypeWord(r.type),
                                   DisplayText::isolate(r.target.isEmpty() ? r.service : r.target)));
    m_detailMessage->setText(r.message);
    m_suggestion->setText(r.suggestion);
    QString evidence = RecommendationModel::evidenceText(r.evidence);
    if (r.firstSeenMs > 0)
        evidence += u'\n'
            + tr("first seen: %1")
                  .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.firstSeenMs), QLocale::ShortFormat));
    m_evidence->setText(evidence);
}

} // namespace perfwatch
