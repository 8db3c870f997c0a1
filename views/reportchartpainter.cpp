#include "reportchartpainter.h"

#include "format.h"
#include "reportfonts.h"
#include "theme.h"

#include <QDateTime>
#include <QFontMetricsF>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QTimeZone>
#include <algorithm>
#include <cmath>

namespace perfwatch {

namespace {

const QColor kText(0x1f, 0x23, 0x28);
const QColor kMuted(0x6b, 0x72, 0x80);
const QColor kGrid(0xe4, 0xe7, 0xeb);
const QColor kAxis(0x9a, 0xa1, 0xa9);

struct BandSpan
{
    double from;
    double to;
    QColor color;
    Band band;
};

} // namespace

std::vector<double> ReportChartPainter::niceTicks(double max, int target)
{
    if (!(max > 0) || !std::isfinite(max))
        max = 1;
    const double raw = max / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : { 1.0, 2.0, 2.5, 5.0, 10.0 }) {
        step = m * magnitude;
        if (step >= raw)
            break;
    }
    std::vector<double> ticks;
    for (int i = 0; i <= 50; ++i) {
        const double v = step * i;
        ticks.push_back(v);
        if (v >= max * 0.999999)
            break;
    }
    return ticks;
}

qint64 ReportChartPainter::timeTickStep(qint64 spanMs, int maxTicks)
{
    constexpr qint64 m = 60'000;
    constexpr qint64 h = 60 * m;
    static constexpr qint64 kSteps[]
        = { m, 2 * m, 5 * m, 10 * m, 15 * m, 30 * m, h, 2 * h, 3 * h, 6 * h, 12 * h, 24 * h, 48 * h, 7 * 24 * h };
    for (qint64 step : kSteps) {
        if (spanMs / step <= maxTicks)
            return step;
    }
    return 7 * 24 * h;
}

void ReportChartPainter::paint(QPainter &p, const QRectF &rect, const ReportChart &chart, double pt)
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setClipRect(rect.adjusted(-2 * pt, -2 * pt, 2 * pt, 2 * pt));

    // Title on the left, legend on the right of the same line.
    const QFont titleFont = ReportFonts::sans(9.5, true);
    const QFont labelFont = ReportFonts::sans(7);
    const QFontMetricsF titleMetrics(titleFont, p.device());
    const QFontMetricsF labelMetrics(labelFont, p.device());
    const double titleHeight = titleMetrics.height() + 6 * pt;
    p.setFont(titleFont);
    p.setPen(kText);
    p.drawText(QPointF(rect.left(), rect.top() + titleMetrics.ascent()), chart.title);

    double maxY = 0;
    bool any = false;
    for (const ReportChart::Line &line : chart.lines) {
        for (const QPointF &pt2 : line.points) {
            if (std::isfinite(pt2.y())) {
                maxY = std::max(maxY, pt2.y());
                any = true;
            }
        }
    }
    // A threshold far above the data would flatten it: shown only when the data comes near.
    const bool showThreshold = std::isfinite(chart.threshold) && any && maxY >= 0.4 * chart.threshold;
    if (showThreshold)
        maxY = std::max(maxY, chart.threshold * 1.08);

    struct LegendItem
    {
        QString name;
        QColor color;
        bool dashed;
    };
    std::vector<LegendItem> legend;
    for (const ReportChart::Line &line : chart.lines)
        legend.push_back({ line.name, line.color, false });
    if (std::isfinite(chart.threshold) && any) {
        QString name = chart.thresholdName;
        if (!showThreshold)
            name = tr("%1 (above the chart)").arg(name);
        legend.push_back({ name, chart.thresholdColor, true });
    }
    p.setFont(labelFont);
    const double swatch = 12 * pt;
    double legendX = rect.right();
    for (auto it = legend.rbegin(); it != legend.rend(); ++it) {
        const double w = labelMetrics.horizontalAdvance(it->name);
        legendX -= w;
        const double baseline = rect.top() + titleMetrics.ascent();
        p.setPen(kMuted);
        p.drawText(QPointF(legendX, baseline), it->name);
        legendX -= swatch + 3 * pt;
        QPen pen(it->color, 1.6 * pt);
        if (it->dashed)
            pen.setDashPattern({ 3, 2 });
        pen.setCapStyle(Qt::FlatCap);
        p.setPen(pen);
        const double y = baseline - labelMetrics.ascent() / 2 + labelMetrics.descent() / 2;
        p.drawLine(QPointF(legendX, y), QPointF(legendX + swatch, y));
        legendX -= 10 * pt;
    }

    // Y axis.
    const std::vector<double> ticks
        = chart.scoreBands ? std::vector<double> { 0, 20, 40, 60, 80, 100 } : niceTicks(maxY > 0 ? maxY : 1);
    const double top = ticks.back();
    const auto yLabel = [&](double v) { return chart.formatY ? chart.formatY(v) : Format::number(v, 2); };
    double labelWidth = 0;
    for (double v : ticks)
        labelWidth = std::max(labelWidth, labelMetrics.horizontalAdvance(yLabel(v)));
    const double xAxisHeight = 2 * labelMetrics.height() + 4 * pt;
    const QRectF plot(rect.left() + labelWidth + 6 * pt, rect.top() + titleHeight + 4 * pt,
        rect.width() - labelWidth - 6 * pt, rect.height() - titleHeight - 4 * pt - xAxisHeight);
    if (plot.width() <= 0 || plot.height() <= 0) {
        p.restore();
        return;
    }
    const double from = double(chart.fromMs);
    const double to = double(std::max(chart.toMs, chart.fromMs + 60'000));
    const auto xOf = [&](double x) { return plot.left() + (x - from) / (to - from) * plot.width(); };
    const auto yOf = [&](double y) { return plot.bottom() - std::clamp(y / top, 0.0, 1.04) * plot.height(); };

    if (chart.scoreBands) {
        // Red 0-39, yellow 40-59, blue 60-79, green 80-100, as on the window's score card.
        const BandSpan bands[] = {
            { 0, 40, QColor(0xc9, 0x2a, 0x2a), Band::Poor },
            { 40, 60, QColor(0xe6, 0x9a, 0x00), Band::Fair },
            { 60, 80, QColor(0x19, 0x71, 0xc2), Band::Good },
            { 80, 100, QColor(0x2b, 0x8a, 0x3e), Band::Excellent },
        };
        for (const BandSpan &b : bands) {
            QColor fill = b.color;
            fill.setAlpha(24);
            const QRectF band(plot.left(), yOf(b.to), plot.width(), yOf(b.from) - yOf(b.to));
            p.fillRect(band, fill);
            QColor text = b.color;
            text.setAlpha(200);
            p.setPen(text);
            p.drawText(band.adjusted(0, 1 * pt, -3 * pt, 0), Qt::AlignRight | Qt::AlignTop, Theme::bandWord(b.band));
        }
    }

    // Gridlines and y labels.
    p.setFont(labelFont);
    for (double v : ticks) {
        const double y = yOf(v);
        p.setPen(QPen(v == 0 ? kAxis : kGrid, (v == 0 ? 0.8 : 0.5) * pt));
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(kMuted);
        const QString label = yLabel(v);
        p.drawText(QPointF(plot.left() - 5 * pt - labelMetrics.horizontalAdvance(label),
                       y + labelMetrics.ascent() / 2 - labelMetrics.descent() / 2),
            label);
    }

    // Time axis: ticks at round local times; the date under the first tick and where the day changes.
    const qint64 span = qint64(to - from);
    const int maxTicks = std::max(2, int(plot.width() / (48 * pt)));
    const qint64 tickStep = timeTickStep(span, maxTicks);
    const qint64 offsetMs = qint64(QDateTime::fromMSecsSinceEpoch(chart.fromMs).offsetFromUtc()) * 1000;
    qint64 first = ((chart.fromMs + offsetMs + tickStep - 1) / tickStep) * tickStep - offsetMs;
    QDate lastDate;
    const QString dateFormat = tr("d MMM", "chart axis date");
    for (qint64 t = first; double(t) <= to; t += tickStep) {
        const double x = xOf(double(t));
        p.setPen(QPen(kGrid, 0.5 * pt));
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        p.setPen(QPen(kAxis, 0.8 * pt));
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 3 * pt));
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(t);
        const QString time = local.toString(QStringLiteral("HH:mm"));
        p.setPen(kMuted);
        const double baseline = plot.bottom() + 4 * pt + labelMetrics.ascent();
        // Centred under the tick, but kept inside the chart at both ends.
        const auto labelX = [&](const QString &text) {
            const double w = labelMetrics.horizontalAdvance(text);
            return std::clamp(x - w / 2, rect.left(), rect.right() - w);
        };
        p.drawText(QPointF(labelX(time), baseline), time);
        if (local.date() != lastDate) {
            const QString date = QLocale().toString(local.date(), dateFormat);
            p.drawText(QPointF(labelX(date), baseline + labelMetrics.height()), date);
            lastDate = local.date();
        }
    }

    if (showThreshold) {
        QPen pen(chart.thresholdColor, 1.0 * pt);
        pen.setDashPattern({ 4, 3 });
        p.setPen(pen);
        const double y = yOf(chart.threshold);
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }

    // The lines, broken where steps are missing.
    p.save();
    p.setClipRect(plot.adjusted(0, -2 * pt, 0, 0));
    const double gap = 1.5 * double(chart.stepMs);
    for (const ReportChart::Line &line : chart.lines) {
        QPen pen(line.color, 1.3 * pt);
        pen.setJoinStyle(Qt::RoundJoin);
        pen.setCapStyle(Qt::RoundCap);
        p.setPen(pen);
        p.setBrush(line.color);
        QPainterPath path;
        bool open = false;
        double lastX = 0;
        int runLength = 0;
        QPointF runStart;
        const auto closeRun = [&] {
            if (runLength == 1) // a lone point: a dot, or it would not show
                p.drawEllipse(runStart, 1.2 * pt, 1.2 * pt);
        };
        for (const QPointF &v : line.points) {
            if (!std::isfinite(v.y()))
                continue;
            const QPointF at(xOf(v.x()), yOf(v.y()));
            if (!open || v.x() - lastX > gap) {
                if (open)
                    closeRun();
                path.moveTo(at);
                runStart = at;
                runLength = 1;
                open = true;
            } else {
                path.lineTo(at);
                ++runLength;
            }
            lastX = v.x();
        }
        if (open)
            closeRun();
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
    }
    p.restore();

    if (!any) {
        p.setFont(ReportFonts::sans(8.5));
        p.setPen(kMuted);
        p.drawText(plot, Qt::AlignCenter, chart.emptyText.isEmpty() ? tr("No data in this period") : chart.emptyText);
    }
    p.restore();
}

} // namespace perfwatch
