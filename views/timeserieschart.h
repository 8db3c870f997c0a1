#pragma once

#include "theme.h"

#include <QChartView>
#include <QList>
#include <QPointF>
#include <vector>

class QAreaSeries;
class QDateTimeAxis;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QValueAxis;

namespace perfwatch {

/// What the numbers on a value axis mean; decides its label format and sensible minimum range.
enum class ValueUnit
{
    Milliseconds,
    PerSecond,
    Percent,
    Score,
    Bytes,
    Plain,
};

/// A live time-series chart: a date-time x axis, line series updated with one replace() each per
/// tick, optional right axis, threshold line and (for the score) the four bands shaded behind.
class TimeSeriesChart final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeSeriesChart)
public:
    struct SeriesSpec
    {
        QString name;
        Theme::SeriesRole role = Theme::SeriesRole::Requests;
        bool rightAxis = false;
    };

    explicit TimeSeriesChart(QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    void setTitle(const QString &title);
    QString title() const;
    /// Creates the line series once; later calls only rename them.
    void setSeries(const std::vector<SeriesSpec> &series);
    void setSeriesName(int index, const QString &name);
    void setUnits(ValueUnit left, ValueUnit right = ValueUnit::Plain);
    /// A dashed horizontal line (NaN: none) drawn when the data comes near it.
    void setThreshold(double value, const QString &label);
    /// Shades the score bands (poor, fair, good, excellent) behind the lines; the y axis is 0-100.
    void setScoreBands(bool enabled);
    void setEmptyText(const QString &text);

    /// One tick: exactly one replace() per series; points.size() must equal the series count.
    void setData(qint64 fromMs, qint64 toMs, const std::vector<const QList<QPointF> *> &points);

    int seriesCount() const { return int(m_series.size()); }
    QLineSeries *series(int index) const { return m_series[std::size_t(index)]; }
    QDateTimeAxis *timeAxis() const { return m_timeAxis; }
    QValueAxis *valueAxis() const { return m_valueAxis; }

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void applyPalette();
    void updateEmptyText();
    void updateAxes(qint64 fromMs, qint64 toMs);

    std::vector<QLineSeries *> m_series;
    std::vector<SeriesSpec> m_specs;
    std::vector<bool> m_hasPoints;
    QDateTimeAxis *m_timeAxis = nullptr;
    QValueAxis *m_valueAxis = nullptr;
    QValueAxis *m_rightAxis = nullptr;
    QLineSeries *m_threshold = nullptr;
    double m_thresholdValue;
    std::vector<QAreaSeries *> m_bands;
    std::vector<std::pair<QLineSeries *, QLineSeries *>> m_bandEdges;
    QGraphicsSimpleTextItem *m_emptyItem = nullptr;
    QString m_emptyText;
    ValueUnit m_leftUnit = ValueUnit::Plain;
    ValueUnit m_rightUnit = ValueUnit::Plain;
    qint64 m_rangeMs = 0;
};

} // namespace perfwatch
