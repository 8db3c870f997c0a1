#include "detailpane.h"

#include "displaytext.h"
#include "format.h"
#include "overviewpage.h"
#include "rawsamplemodel.h"
#include "theme.h"
#include "timeserieschart.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStackedLayout>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace perfwatch {

namespace {

QString kindWord(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Api:
        return DetailPane::tr("API endpoint");
    case MetricKind::Db:
        return DetailPane::tr("database operation");
    case MetricKind::Processing:
        return DetailPane::tr("processing step");
    case MetricKind::Gauge:
        return DetailPane::tr("gauge");
    case MetricKind::Cache:
        break;
    }
    return DetailPane::tr("cache");
}

} // namespace

DetailPane::DetailPane(QWidget *parent)
    : Card(parent)
{
    m_stack = new QStackedLayout(this);

    auto *placeholder
        = new QLabel(tr("Select a row to see that key's latency over time and its most recent samples."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setWordWrap(true);
    placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_stack->addWidget(placeholder);

    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(14, 10, 10, 10);
    layout->setSpacing(6);
    auto *header = new QHBoxLayout;
    m_title = new QLabel(content);
    m_title->setTextFormat(Qt::PlainText); // a key is the sender's text, never markup
    m_title->setFont(Theme::font(1.1, true));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header->addWidget(m_title);
    m_subtitle = new QLabel(content);
    m_subtitle->setTextFormat(Qt::PlainText);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    header->addWidget(m_subtitle, 1);
    auto *close = new QToolButton(content);
    close->setAutoRaise(true);
    close->setIcon(Theme::icon(QStringLiteral("close")));
    close->setToolTip(tr("Clear the selection"));
    header->addWidget(close);
    layout->addLayout(header);
    connect(close, &QToolButton::clicked, this, &DetailPane::closeRequested);

    auto *body = new QHBoxLayout;
    body->setSpacing(12);
    m_chart = new TimeSeriesChart(content);
    m_chart->setSeries({ { tr("p50"), Theme::SeriesRole::P50 }, { tr("p95"), Theme::SeriesRole::P95 },
        { tr("p99"), Theme::SeriesRole::P99 } });
    m_chart->setEmptyText(tr("No data in this range"));
    m_chart->setMinimumHeight(150);
    body->addWidget(m_chart, 3);

    auto *samplesBox = new QVBoxLayout;
    samplesBox->setSpacing(4);
    m_samplesCaption = makeCaption(tr("Recent samples"), content);
    samplesBox->addWidget(m_samplesCaption);
    m_samples = new RawSampleModel(this);
    m_samplesView = new QTableView(content);
    m_samplesView->setModel(m_samples);
    m_samplesView->setFrameShape(QFrame::NoFrame);
    m_samplesView->setShowGrid(false);
    m_samplesView->setAlternatingRowColors(true);
    m_samplesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_samplesView->verticalHeader()->setVisible(false);
    m_samplesView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_samplesView->verticalHeader()->setDefaultSectionSize(m_samplesView->fontMetrics().height() + 8);
    m_samplesView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_samplesView->horizontalHeader()->setHighlightSections(false);
    samplesBox->addWidget(m_samplesView, 1);
    body->addLayout(samplesBox, 2);
    layout->addLayout(body, 1);
    m_stack->addWidget(content);
    setMinimumHeight(230);
}

bool DetailPane::showsKey() const
{
    return m_stack->currentIndex() == 1;
}

void DetailPane::apply(const DashboardSnapshot &s)
{
    const KeyRef &key = s.request.selected;
    if (!key.isValid()) {
        m_stack->setCurrentIndex(0);
        return;
    }
    m_stack->setCurrentIndex(1);
    m_title->setText(DisplayText::keyName(key.name));
    m_subtitle->setText(tr("%1 · service %2 · last %3")
                            .arg(kindWord(key.kind), DisplayText::isolate(key.service), rangeLabel(s.request.range)));
    OverviewPage::describeCharts(key, s.latencyMode, m_chart, nullptr, nullptr);
    m_chart->setThreshold(latencyThreshold(key, s.thresholds), tr("threshold"));
    m_chart->setData(s.fromMs, s.nowMs, { &s.latency[0], &s.latency[1], &s.latency[2] });
    m_samples->setSamples(s.rawKey.isValid() ? s.rawKey : key, s.rawSamples);
    // Only the columns this kind of key fills.
    m_samplesView->setColumnHidden(
        RawSampleModel::Status, key.kind == MetricKind::Gauge || key.kind == MetricKind::Cache);
    m_samplesView->setColumnHidden(
        RawSampleModel::Items, key.kind != MetricKind::Processing && key.kind != MetricKind::Db);
    m_samplesCaption->setText(s.rawKey.isValid() ? tr("Recent samples · %n kept", nullptr, int(s.rawSamples.size()))
                                                 : tr("Recent samples · only kept for live keys"));
}

} // namespace perfwatch
