#pragma once

#include "dashboardsnapshot.h"

#include <QWidget>
#include <array>

class QLabel;
class QPushButton;

namespace perfwatch {

class KpiTile;
class ScoreCard;
class TimeSeriesChart;
class TopRecommendations;

/// The overview: score card, KPI tiles, top recommendations and the four live charts.
class OverviewPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewPage)
public:
    explicit OverviewPage(QWidget *parent = nullptr);

    void apply(const DashboardSnapshot &snapshot);

    ScoreCard *scoreCard() const { return m_scoreCard; }
    KpiTile *kpiTile(int index) const { return m_tiles[std::size_t(index)]; }
    KpiTile *errorLogsTile() const { return m_errorLogs; }
    TimeSeriesChart *latencyChart() const { return m_latency; }
    TimeSeriesChart *throughputChart() const { return m_throughput; }
    TimeSeriesChart *errorChart() const { return m_errors; }
    TimeSeriesChart *scoreChart() const { return m_score; }

    /// Chart titles and series names for all traffic or a selected key.
    static void describeCharts(const KeyRef &selected, LatencyMode mode, TimeSeriesChart *latency,
        TimeSeriesChart *throughput, TimeSeriesChart *errors);

Q_SIGNALS:
    void clearSelectionRequested();
    void recommendationsRequested();

private:
    ScoreCard *m_scoreCard = nullptr;
    std::array<KpiTile *, 5> m_tiles {};
    KpiTile *m_errorLogs = nullptr; ///< shown once the services shown send OpenTelemetry logs
    TopRecommendations *m_top = nullptr;
    QWidget *m_drillBar = nullptr;
    QLabel *m_drillLabel = nullptr;
    TimeSeriesChart *m_latency = nullptr;
    TimeSeriesChart *m_throughput = nullptr;
    TimeSeriesChart *m_errors = nullptr;
    TimeSeriesChart *m_score = nullptr;
};

/// Up to three recommendations, most urgent first; a click opens the recommendations page.
class TopRecommendations final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopRecommendations)
public:
    explicit TopRecommendations(QWidget *parent = nullptr);
    void setRecommendations(const std::vector<Recommendation> &recommendations);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void clicked();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    std::vector<Recommendation> m_items;
    int m_total = 0;
};

/// Time-range wording shared by the overview and the window ("15 min", "24 h").
QString rangeLabel(TimeRange range);
/// The line drawn on a latency chart: T_api, T_db or the slow-step limit; NaN for gauges and caches.
double latencyThreshold(const KeyRef &key, const AnalyzerConfig &thresholds);
/// How the previous window is named in trend tooltips ("15 min").
QString previousRangeLabel(TimeRange range);

} // namespace perfwatch
