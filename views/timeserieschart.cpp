#include "timeserieschart.h"

#include <QAreaSeries>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>
#include <cmath>
#include <limits>

namespace perfwatch {

namespace {

double niceStep(double raw)
{
    if (!(raw > 0))
        return 1;
    const double exponent = std::floor(std::log10(raw));
    const double base = std::pow(10.0, exponent);
    const double f = raw / base;
    const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nice * base;
}

int decimalsFor(double step)
{
    if (step >= 1)
        return 0;
    int d = int(std::ceil(-std::log10(step)));
    if (std::abs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-9)
        ++d;
    return std::min(d, 4);
}

double minimumTop(ValueUnit unit)
{
    switch (unit) {
    case ValueUnit::Milliseconds:
        return 10;
    case ValueUnit::PerSecond:
        return 1;
    case ValueUnit::Percent:
        return 1;
    case ValueUnit::Score:
        return 100;
    case ValueUnit::Bytes:
    case ValueUnit::Plain:
        break;
    }
    return 1;
}

struct ByteScale
{
    double divisor = 1;
    QString suffix;
};

ByteScale byteScale(double max)
{
    if (max >= 1024.0 * 1024 * 1024)
        return { 1024.0 * 1024 * 1024, QStringLiteral(" GiB") };
    if (max >= 1024.0 * 1024)
        return { 1024.0 * 1024, QStringLiteral(" MiB") };
    if (max >= 1024.0)
        return { 1024.0, QStringLiteral(" KiB") };
    return { 1, QStringLiteral(" B") };
}

QString labelFormat(ValueUnit unit, int decimals, const QString &byteSuffix)
{
    const QString number = QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f");
    switch (unit) {
    case ValueUnit::Milliseconds:
        return number + QStringLiteral(" ms");
    case ValueUnit::PerSecond:
        return number + QStringLiteral("/s");
    case ValueUnit::Percent:
        return number + QStringLiteral("%");
    case ValueUnit::Bytes:
        return number + byteSuffix;
    case ValueUnit::Score:
    case ValueUnit::Plain:
        break;
    }
    return number;
}

QString timeFormat(qint64 rangeMs)
{
    return rangeMs <= 20 * 60'000 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
}

void hideLegendMarker(QChart *chart, QAbstractSeries *series)
{
    const QList<QLegendMarker *> markers = chart->legend()->markers(series);
    for (QLegendMarker *m : markers)
        m->setVisible(false);
}

} // namespace

TimeSeriesChart::TimeSeriesChart(QWidget *parent)
    : QChartView(new QChart, parent)
    , m_thresholdValue(std::numeric_limits<double>::quiet_NaN())
{
    setRenderHint(QPainter::Antialiasing);
    setFrameShape(QFrame::NoFrame);
    setMinimumHeight(180);

    QChart *c = chart();
    c->setLocalizeNumbers(true);
    c->setLocale(QLocale());
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(10);
    c->setMargins(QMargins(6, 6, 10, 4));
    c->layout()->setContentsMargins(0, 0, 0, 0);
    c->legend()->setAlignment(Qt::AlignBottom);
    c->legend()->setMarkerShape(QLegend::MarkerShapeCircle);
    c->legend()->setFont(Theme::font(0.9));

    m_timeAxis = new QDateTimeAxis(c);
    m_timeAxis->setTickCount(7);
    m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    c->addAxis(m_timeAxis, Qt::AlignBottom);
    m_valueAxis = new QValueAxis(c);
    m_valueAxis->setTickCount(5);
    m_valueAxis->setMinorTickCount(0);
    m_valueAxis->setRange(0, 1);
    c->addAxis(m_valueAxis, Qt::AlignLeft);

    m_emptyItem = new QGraphicsSimpleTextItem(c);
    m_emptyItem->setFont(Theme::font(1.0));
    m_emptyItem->setVisible(false);
    connect(c, &QChart::plotAreaChanged, this, [this] { updateEmptyText(); });

    applyPalette();
}

TimeSeriesChart::~TimeSeriesChart() = default;

void TimeSeriesChart::setTitle(const QString &title)
{
    chart()->setTitle(title);
}

QString TimeSeriesChart::title() const
{
    return chart()->title();
}

void TimeSeriesChart::setSeries(const std::vector<SeriesSpec> &specs)
{
    QChart *c = chart();
    if (m_series.empty()) {
        for (const SeriesSpec &spec : specs) {
            auto *series = new QLineSeries(c);
            series->setName(spec.name);
            c->addSeries(series);
            series->attachAxis(m_timeAxis);
            if (spec.rightAxis) {
                if (!m_rightAxis) {
                    m_rightAxis = new QValueAxis(c);
                    m_rightAxis->setTickCount(5);
                    m_rightAxis->setMinorTickCount(0);
                    m_rightAxis->setRange(0, 1);
                    m_rightAxis->setGridLineVisible(false);
                    c->addAxis(m_rightAxis, Qt::AlignRight);
                }
                series->attachAxis(m_rightAxis);
            } else {
                series->attachAxis(m_valueAxis);
            }
            m_series.push_back(series);
        }
        m_specs = specs;
        m_hasPoints.assign(specs.size(), false);
        applyPalette();
        return;
    }
    for (std::size_t i = 0; i < specs.size() && i < m_series.size(); ++i)
        setSeriesName(int(i), specs[i].name);
}

void TimeSeriesChart::setSeriesName(int index, const QString &name)
{
    QLineSeries *s = m_series[std::size_t(index)];
    if (s->name() != name)
        s->setName(name);
    const QList<QLegendMarker *> markers = chart()->legend()->markers(s);
    for (QLegendMarker *m : markers)
        m->setVisible(!name.isEmpty());
}

void TimeSeriesChart::setUnits(ValueUnit left, ValueUnit right)
{
    m_leftUnit = left;
    m_rightUnit = right;
    if (left == ValueUnit::Score) {
        m_valueAxis->setRange(0, 100);
        m_valueAxis->setTickCount(6);
        m_valueAxis->setLabelFormat(QStringLiteral("%.0f"));
    }
}

void TimeSeriesChart::setThreshold(double value, const QString &label)
{
    QChart *c = chart();
    if (!m_threshold) {
        m_threshold = new QLineSeries(c);
        c->addSeries(m_threshold);
        m_threshold->attachAxis(m_timeAxis);
        m_threshold->attachAxis(m_valueAxis);
        hideLegendMarker(c, m_threshold);
        applyPalette();
    }
    m_thresholdValue = value;
    m_threshold->setName(label);
    hideLegendMarker(c, m_threshold);
}

void TimeSeriesChart::setScoreBands(bool enabled)
{
    if (!enabled || !m_bands.empty())
        return;
    QChart *c = chart();
    const Band bands[] = { Band::Poor, Band::Fair, Band::Good, Band::Excellent };
    const double edges[] = { 0, 40, 60, 80, 100 };
    for (int i = 0; i < 4; ++i) {
        auto *upper = new QLineSeries;
        auto *lower = new QLineSeries;
        auto *area = new QAreaSeries(upper, lower);
        upper->setParent(area);
        lower->setParent(area);
        area->setName(Theme::bandWord(bands[i]));
        area->setProperty("band", int(bands[i]));
        area->setProperty("low", edges[i]);
        area->setProperty("high", edges[i + 1]);
        // Bands go first so the score line draws on top of them.
        const QList<QAbstractSeries *> existing = c->series();
        for (QAbstractSeries *s : existing)
            c->removeSeries(s);
        c->addSeries(area);
        for (QAbstractSeries *s : existing)
            c->addSeries(s);
        m_bands.push_back(area);
        m_bandEdges.emplace_back(upper, lower);
    }
    // removeSeries() detaches axes; attach everything again.
    for (QAbstractSeries *s : c->series()) {
        for (QAbstractAxis *a : s->attachedAxes())
            s->detachAxis(a);
        s->attachAxis(m_timeAxis);
        s->attachAxis(m_valueAxis);
    }
    for (QAreaSeries *area : m_bands)
        hideLegendMarker(c, area);
    if (m_threshold)
        hideLegendMarker(c, m_threshold);
    for (std::size_t i = 0; i < m_series.size(); ++i)
        setSeriesName(int(i), m_series[i]->name());
    applyPalette();
}

void TimeSeriesChart::setEmptyText(const QString &text)
{
    m_emptyText = text;
    updateEmptyText();
}

void TimeSeriesChart::setData(qint64 fromMs, qint64 toMs, const std::vector<const QList<QPointF> *> &points)
{
    Q_ASSERT(points.size() == m_series.size());
    double leftMax = 0;
    double rightMax = 0;
    bool any = false;
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const QList<QPointF> &p = *points[i];
        m_hasPoints[i] = !p.isEmpty();
        any = any || !p.isEmpty();
        double &max = m_specs[i].rightAxis ? rightMax : leftMax;
        for (const QPointF &pt : p)
            max = std::max(max, pt.y());
    }

    ByteScale scale;
    if (m_leftUnit == ValueUnit::Bytes)
        scale = byteScale(leftMax);
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        if (m_leftUnit == ValueUnit::Bytes && scale.divisor != 1 && !m_specs[i].rightAxis) {
            QList<QPointF> scaled = *points[i];
            for (QPointF &pt : scaled)
                pt.setY(pt.y() / scale.divisor);
            m_series[i]->replace(scaled);
        } else {
            m_series[i]->replace(*points[i]);
        }
    }
    leftMax /= scale.divisor;

    if (m_threshold) {
        const bool show = std::isfinite(m_thresholdValue) && leftMax >= 0.5 * m_thresholdValue;
        m_threshold->replace(show
                ? QList<QPointF> { QPointF(double(fromMs), m_thresholdValue), QPointF(double(toMs), m_thresholdValue) }
                : QList<QPointF> {});
        if (show)
            leftMax = std::max(leftMax, m_thresholdValue);
    }
    for (std::size_t i = 0; i < m_bands.size(); ++i) {
        const double low = m_bands[i]->property("low").toDouble();
        const double high = m_bands[i]->property("high").toDouble();
        m_bandEdges[i].first->replace({ QPointF(double(fromMs), high), QPointF(double(toMs), high) });
        m_bandEdges[i].second->replace({ QPointF(double(fromMs), low), QPointF(double(toMs), low) });
    }

    if (m_leftUnit != ValueUnit::Score) {
        const double step = niceStep(std::max(leftMax * 1.08, minimumTop(m_leftUnit)) / 4.0);
        m_valueAxis->setRange(0, step * 4);
        m_valueAxis->setLabelFormat(labelFormat(m_leftUnit, decimalsFor(step), scale.suffix));
    }
    if (m_rightAxis) {
        const double step = niceStep(std::max(rightMax * 1.08, minimumTop(m_rightUnit)) / 4.0);
        m_rightAxis->setRange(0, step * 4);
        m_rightAxis->setLabelFormat(labelFormat(m_rightUnit, decimalsFor(step), {}));
    }
    updateAxes(fromMs, toMs);
    m_emptyItem->setVisible(!any && !m_emptyText.isEmpty());
    updateEmptyText();
}

void TimeSeriesChart::updateAxes(qint64 fromMs, qint64 toMs)
{
    if (toMs - fromMs != m_rangeMs) {
        m_rangeMs = toMs - fromMs;
        m_timeAxis->setFormat(timeFormat(m_rangeMs));
    }
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs), QDateTime::fromMSecsSinceEpoch(toMs));
}

void TimeSeriesChart::updateEmptyText()
{
    if (!m_emptyItem)
        return;
    m_emptyItem->setText(m_emptyText);
    const QRectF plot = chart()->plotArea();
    const QRectF text = m_emptyItem->boundingRect();
    m_emptyItem->setPos(plot.center().x() - text.width() / 2, plot.center().y() - text.height() / 2);
}

void TimeSeriesChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void TimeSeriesChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    updateEmptyText();
}

void TimeSeriesChart::applyPalette()
{
    const QPalette pal = palette();
    QChart *c = chart();
    const QColor text = pal.color(QPalette::Text);
    const QColor muted = Theme::mutedText(pal);
    const QColor border = Theme::borderColor(pal);
    QColor grid = border;
    if (Theme::isDark(pal))
        grid = grid.darker(115);

    setBackgroundBrush(pal.color(QPalette::Window));
    c->setBackgroundBrush(Theme::cardColor(pal));
    c->setBackgroundPen(QPen(border, 1));
    c->setPlotAreaBackgroundVisible(false);
    c->setTitleBrush(text);
    QFont titleFont = Theme::font(1.05, true);
    c->setTitleFont(titleFont);
    c->legend()->setLabelColor(text);
    for (QAbstractAxis *axis : c->axes()) {
        axis->setLabelsBrush(muted);
        axis->setLabelsFont(Theme::font(0.85));
        axis->setLinePen(QPen(border, 1));
        axis->setGridLinePen(QPen(grid, 1, Qt::SolidLine));
        axis->setShadesVisible(false);
        axis->setTitleBrush(muted);
    }
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const bool score = m_specs[i].role == Theme::SeriesRole::Score;
        // Right-axis series are context (items/s next to requests/s): drawn lighter.
        QColor color = Theme::seriesColor(m_specs[i].role, pal);
        if (m_specs[i].rightAxis)
            color.setAlphaF(0.75f);
        QPen pen(color, score ? 2.5 : m_specs[i].rightAxis ? 1.3 : 2.0);
        pen.setCapStyle(Qt::RoundCap);
        pen.setJoinStyle(Qt::RoundJoin);
        m_series[i]->setPen(pen);
        m_series[i]->setColor(pen.color());
    }
    if (m_threshold) {
        QPen pen(Theme::seriesColor(Theme::SeriesRole::Threshold, pal), 1.3, Qt::DashLine);
        m_threshold->setPen(pen);
    }
    for (QAreaSeries *area : m_bands) {
        QColor color = Theme::bandColor(Band(area->property("band").toInt()), pal);
        color.setAlpha(Theme::isDark(pal) ? 44 : 34);
        area->setBrush(color);
        area->setPen(Qt::NoPen);
    }
    m_emptyItem->setBrush(muted);
}

} // namespace perfwatch
