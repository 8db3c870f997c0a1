#include "overviewpage.h"

#include "card.h"
#include "displaytext.h"
#include "format.h"
#include "kpitile.h"
#include "scorecard.h"
#include "theme.h"
#include "timeserieschart.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

namespace perfwatch {

QString rangeLabel(TimeRange range)
{
    switch (range) {
    case TimeRange::Minutes5:
        return OverviewPage::tr("5 min");
    case TimeRange::Minutes15:
        return OverviewPage::tr("15 min");
    case TimeRange::Hour1:
        return OverviewPage::tr("1 h");
    case TimeRange::Hours6:
        return OverviewPage::tr("6 h");
    case TimeRange::Hours24:
        break;
    }
    return OverviewPage::tr("24 h");
}

double latencyThreshold(const KeyRef &key, const AnalyzerConfig &thresholds)
{
    if (!key.isValid())
        return thresholds.slowApiMs;
    switch (key.kind) {
    case MetricKind::Api:
        return thresholds.slowApiMs;
    case MetricKind::Db:
        return thresholds.slowDbMs;
    case MetricKind::Processing:
        return thresholds.processingSlowMs;
    case MetricKind::Gauge:
    case MetricKind::Cache:
        break;
    }
    return KeyRow::kNaN;
}

QString previousRangeLabel(TimeRange range)
{
    return rangeLabel(range);
}

TopRecommendations::TopRecommendations(QWidget *parent)
    : QWidget(parent)
{
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Open the recommendations"));
}

void TopRecommendations::setRecommendations(const std::vector<Recommendation> &recommendations)
{
    m_total = int(recommendations.size());
    m_items.assign(recommendations.begin(), recommendations.begin() + std::min<std::ptrdiff_t>(3, m_total));
    update();
}

QSize TopRecommendations::sizeHint() const
{
    return { 400, 3 * (fontMetrics().height() + 10) };
}

QSize TopRecommendations::minimumSizeHint() const
{
    return { 200, 3 * (fontMetrics().height() + 8) };
}

void TopRecommendations::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const int lineHeight = std::max(20, fontMetrics().height() + 8);
    if (m_items.empty()) {
        p.setPen(Theme::severityColor(Theme::Severity::Good, pal));
        p.drawText(rect().adjusted(0, 0, 0, 0), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
            tr("Nothing to improve right now: no rule fires in the score window."));
        return;
    }
    int y = 0;
    for (const Recommendation &r : m_items) {
        const QRect line(0, y, width(), lineHeight);
        Theme::priorityIcon(r.priority).paint(&p, QRect(line.left(), line.top() + (lineHeight - 16) / 2, 16, 16));
        QFont bold = font();
        bold.setBold(true);
        // Messages name their target; the area word says where to look.
        const QString area = Theme::recommendationTypeWord(r.type);
        const int areaWidth = QFontMetrics(bold).horizontalAdvance(area) + 10;
        p.setFont(bold);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(line.left() + 24, line.top(), areaWidth, lineHeight), Qt::AlignVCenter | Qt::AlignLeft, area);
        p.setFont(font());
        p.setPen(Theme::mutedText(pal));
        const QRect messageRect(line.left() + 24 + areaWidth, line.top(), width() - 24 - areaWidth, lineHeight);
        p.drawText(messageRect, Qt::AlignVCenter | Qt::AlignLeft,
            fontMetrics().elidedText(r.message, Qt::ElideRight, messageRect.width()));
        y += lineHeight;
    }
}

void TopRecommendations::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        Q_EMIT clicked();
}

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 14, 16, 14);
    layout->setSpacing(12);

    auto *top = new QHBoxLayout;
    top->setSpacing(12);
    m_scoreCard = new ScoreCard(this);
    m_scoreCard->setMinimumWidth(384);
    m_scoreCard->setMaximumWidth(400);
    m_scoreCard->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    top->addWidget(m_scoreCard, 2);

    auto *right = new QVBoxLayout;
    right->setSpacing(12);
    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(12);
    using K = KpiTile::Kind;
    using B = KpiTile::Better;
    m_tiles[0] = new KpiTile(tr("Requests/s"), QStringLiteral("api"), K::Rate, B::Neither, this);
    m_tiles[1] = new KpiTile(tr("API p95"), QStringLiteral("clock"), K::Duration, B::Lower, this);
    m_tiles[2] = new KpiTile(tr("Error rate"), QStringLiteral("recommendations"), K::Fraction, B::Lower, this);
    m_tiles[3] = new KpiTile(tr("DB average"), QStringLiteral("database"), K::Duration, B::Lower, this);
    m_tiles[4] = new KpiTile(tr("Cache hit rate"), QStringLiteral("resources"), K::Fraction, B::Higher, this);
    for (KpiTile *t : m_tiles)
        tiles->addWidget(t, 1);
    m_errorLogs = new KpiTile(tr("Error logs"), QStringLiteral("recommendations"), K::Rate, B::Lower, this);
    m_errorLogs->setVisible(false);
    tiles->addWidget(m_errorLogs, 1);
    right->addLayout(tiles);

    auto *recCard = new Card(this);
    auto *recLayout = new QVBoxLayout(recCard);
    recLayout->setContentsMargins(14, 10, 14, 10);
    recLayout->setSpacing(6);
    auto *recHeader = new QHBoxLayout;
    recHeader->addWidget(makeCaption(tr("Top recommendations"), recCard), 1);
    auto *viewAll = new QPushButton(tr("View all"), recCard);
    viewAll->setFlat(true);
    viewAll->setCursor(Qt::PointingHandCursor);
    viewAll->setForegroundRole(QPalette::Link);
    recHeader->addWidget(viewAll);
    recLayout->addLayout(recHeader);
    m_top = new TopRecommendations(recCard);
    recLayout->addWidget(m_top, 1);
    right->addWidget(recCard, 1);
    top->addLayout(right, 5);
    layout->addLayout(top);
    connect(viewAll, &QPushButton::clicked, this, &OverviewPage::recommendationsRequested);
    connect(m_top, &TopRecommendations::clicked, this, &OverviewPage::recommendationsRequested);

    m_drillBar = new QWidget(this);
    auto *drill = new QHBoxLayout(m_drillBar);
    drill->setContentsMargins(4, 0, 4, 0);
    m_drillLabel = new QLabel(m_drillBar);
    drill->addWidget(m_drillLabel, 1);
    auto *clear = new QPushButton(Theme::icon(QStringLiteral("close")), tr("Show all traffic"), m_drillBar);
    clear->setFlat(true);
    clear->setCursor(Qt::PointingHandCursor);
    drill->addWidget(clear);
    connect(clear, &QPushButton::clicked, this, &OverviewPage::clearSelectionRequested);
    m_drillBar->setVisible(false);
    layout->addWidget(m_drillBar);

    auto *charts = new QGridLayout;
    charts->setSpacing(12);
    m_latency = new TimeSeriesChart(this);
    m_latency->setSeries({ { tr("p50"), Theme::SeriesRole::P50 }, { tr("p95"), Theme::SeriesRole::P95 },
        { tr("p99"), Theme::SeriesRole::P99 } });
    m_throughput = new TimeSeriesChart(this);
    m_throughput->setSeries({ { tr("requests/s"), Theme::SeriesRole::Requests },
        { tr("db ops/s"), Theme::SeriesRole::DbOps }, { tr("items/s (right)"), Theme::SeriesRole::Items, true } });
    m_throughput->setUnits(ValueUnit::PerSecond, ValueUnit::PerSecond);
    m_errors = new TimeSeriesChart(this);
    m_errors->setSeries({ { tr("API 5xx"), Theme::SeriesRole::ApiErrors },
        { tr("failed db operations"), Theme::SeriesRole::DbErrors } });
    m_errors->setUnits(ValueUnit::Percent);
    m_score = new TimeSeriesChart(this);
    m_score->setScoreBands(true);
    m_score->setSeries({ { tr("score"), Theme::SeriesRole::Score } });
    m_score->setUnits(ValueUnit::Score);
    m_score->setTitle(tr("Performance score"));
    m_score->setEmptyText(tr("The score history starts with the first analysis"));
    for (TimeSeriesChart *c : { m_latency, m_throughput, m_errors })
        c->setEmptyText(tr("No data in this range"));
    describeCharts({}, LatencyMode::Latency, m_latency, m_throughput, m_errors);
    charts->addWidget(m_latency, 0, 0);
    charts->addWidget(m_throughput, 0, 1);
    charts->addWidget(m_errors, 1, 0);
    charts->addWidget(m_score, 1, 1);
    charts->setRowStretch(0, 1);
    charts->setRowStretch(1, 1);
    layout->addLayout(charts, 1);
}

void OverviewPage::describeCharts(const KeyRef &selected, LatencyMode mode, TimeSeriesChart *latency,
    TimeSeriesChart *throughput, TimeSeriesChart *errors)
{
    const bool key = selected.isValid();
    const QString who = key ? DisplayText::keyName(selected.name) : tr("all traffic");
    if (latency) {
        switch (mode) {
        case LatencyMode::Latency:
            latency->setTitle(tr("Latency · %1").arg(who));
            latency->setUnits(ValueUnit::Milliseconds);
            latency->setSeriesName(0, tr("p50"));
            latency->setSeriesName(1, tr("p95"));
            latency->setSeriesName(2, tr("p99"));
            break;
        case LatencyMode::Gauge:
            latency->setTitle(tr("Value · %1").arg(who));
            latency->setUnits(selected.name.endsWith(QLatin1String("_bytes")) ? ValueUnit::Bytes : ValueUnit::Plain);
            latency->setSeriesName(0, tr("average"));
            latency->setSeriesName(1, tr("minimum"));
            latency->setSeriesName(2, tr("maximum"));
            break;
        case LatencyMode::HitRate:
            latency->setTitle(tr("Hit rate · %1").arg(who));
            latency->setUnits(ValueUnit::Percent);
            latency->setSeriesName(0, tr("hit rate"));
            latency->setSeriesName(1, QString());
            latency->setSeriesName(2, QString());
            break;
        }
    }
    if (throughput) {
        throughput->setTitle(tr("Throughput · %1").arg(who));
        if (!key) {
            throughput->setSeriesName(0, tr("requests/s"));
            throughput->setSeriesName(1, tr("db ops/s"));
            throughput->setSeriesName(2, tr("items/s (right)"));
        } else {
            QString calls;
            switch (selected.kind) {
            case MetricKind::Api:
                calls = tr("requests/s");
                break;
            case MetricKind::Db:
                calls = tr("operations/s");
                break;
            case MetricKind::Processing:
                calls = tr("runs/s");
                break;
            case MetricKind::Cache:
                calls = tr("lookups/s");
                break;
            case MetricKind::Gauge:
                calls = QString();
                break;
            }
            throughput->setSeriesName(0, calls);
            throughput->setSeriesName(1, QString());
            throughput->setSeriesName(2, selected.kind == MetricKind::Processing ? tr("items/s (right)") : QString());
        }
    }
    if (errors) {
        errors->setTitle(tr("Error rate · %1").arg(who));
        errors->setSeriesName(0, !key || selected.kind == MetricKind::Api ? tr("API 5xx") : QString());
        errors->setSeriesName(1, !key || selected.kind == MetricKind::Db ? tr("failed db operations") : QString());
    }
}

void OverviewPage::apply(const DashboardSnapshot &s)
{
    m_scoreCard->setScore(s.analysis.score, s.thresholds);
    const QString period = previousRangeLabel(s.request.range);
    m_tiles[0]->setValues(s.current.requestsPerSec, s.previous.requestsPerSec, period);
    m_tiles[1]->setValues(s.current.apiP95Ms, s.previous.apiP95Ms, period);
    m_tiles[2]->setValues(s.current.errorRate, s.previous.errorRate, period);
    m_tiles[3]->setValues(s.current.dbAvgMs, s.previous.dbAvgMs, period);
    m_tiles[4]->setValues(s.current.cacheHitRate, s.previous.cacheHitRate, period);
    const ErrorLogs &logs = s.errorLogs;
    m_errorLogs->setVisible(logs.haveLogs);
    if (logs.haveLogs) {
        const QString top = logs.services.isEmpty() ? QString()
            : logs.services.size() == 1             ? DisplayText::isolate(logs.services.first())
                                                    : tr("%1 and %n more", nullptr, int(logs.services.size() - 1))
                                              .arg(DisplayText::isolate(logs.services.first()));
        m_errorLogs->setFigure(Format::perMinute(logs.perMinute),
            logs.last5Min == 0 ? tr("none in 5 min") : tr("%n in 5 min", nullptr, int(logs.last5Min)),
            tr("ERROR and FATAL log records over the last 5 minutes (OpenTelemetry logs): %1 in 5 min, %2 since "
               "PerfWatch started%3")
                .arg(Format::count(logs.last5Min), Format::count(logs.sinceStart),
                    top.isEmpty() ? QString() : tr("; most from %1").arg(top)));
    }
    m_top->setRecommendations(s.analysis.recommendations);

    const KeyRef &key = s.request.selected;
    m_drillBar->setVisible(key.isValid());
    if (key.isValid())
        m_drillLabel->setText(tr("Charts show <b>%1</b> from %2. Select a row in a table to drill into another key.")
                                  .arg(DisplayText::keyName(key.name).toHtmlEscaped(),
                                      DisplayText::isolate(key.service).toHtmlEscaped()));
    describeCharts(key, s.latencyMode, m_latency, m_throughput, m_errors);
    m_latency->setThreshold(latencyThreshold(key, s.thresholds), tr("threshold"));

    m_latency->setData(s.fromMs, s.nowMs, { &s.latency[0], &s.latency[1], &s.latency[2] });
    m_throughput->setData(s.fromMs, s.nowMs, { &s.throughput[0], &s.throughput[1], &s.throughput[2] });
    m_errors->setData(s.fromMs, s.nowMs, { &s.errorRate[0], &s.errorRate[1] });
    m_score->setData(s.fromMs, s.nowMs, { &s.score });
}

} // namespace perfwatch
