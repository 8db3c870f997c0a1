#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QList>
#include <QPointF>
#include <QString>
#include <functional>
#include <limits>
#include <vector>

class QPainter;
class QRectF;

namespace perfwatch {

/// One time-series chart of a report, as data.
struct ReportChart
{
    struct Line
    {
        QString name;
        QColor color;
        QList<QPointF> points; ///< x: ms since the epoch, ascending
    };

    QString title;
    std::vector<Line> lines;
    qint64 fromMs = 0; ///< x range
    qint64 toMs = 0;
    qint64 stepMs = 60'000; ///< points further apart than 1.5 steps are not joined (a gap in the data)
    std::function<QString(double)> formatY; ///< axis labels; plain numbers when empty
    double threshold = std::numeric_limits<double>::quiet_NaN(); ///< drawn dashed when near the data
    QString thresholdName;
    QColor thresholdColor;
    bool scoreBands = false; ///< y fixed at 0-100 with the four score bands shaded behind the lines
    QString emptyText; ///< shown when no line has a point
};

/// Paints ReportCharts with QPainter as vectors (PDF pages, images): title and legend, y axis
/// with gridlines at round values, a time axis with local wall-clock labels (dates where the day
/// changes), threshold line and score-band shading.
///
/// Plain QPainter, so it runs on any thread (Qt Charts widgets may not leave the GUI thread).
class ReportChartPainter
{
    Q_DECLARE_TR_FUNCTIONS(ReportChartPainter)
public:
    /// Paints `chart` into `rect`; `pt` is the device units of one typographic point.
    static void paint(QPainter &painter, const QRectF &rect, const ReportChart &chart, double pt);

    /// Round gridline values from 0 covering `max`: steps of 1, 2, 2.5 or 5 × 10^n, about `target` of them.
    static std::vector<double> niceTicks(double max, int target = 4);
    /// Tick spacing for a time span: 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1, 2, 7 d, at most `maxTicks`.
    static qint64 timeTickStep(qint64 spanMs, int maxTicks);
};

} // namespace perfwatch
