#include "scorecard.h"

#include "format.h"
#include "theme.h"

#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>
#include <cmath>

namespace perfwatch {

ScoreGauge::ScoreGauge(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    setMinimumSize(sizeHint());
}

QSize ScoreGauge::sizeHint() const
{
    return { 140, 136 };
}

void ScoreGauge::setScore(int score, Band band)
{
    if (m_score == score && m_band == band)
        return;
    m_score = score;
    m_band = band;
    setAccessibleName(tr("Performance score %1, %2").arg(score).arg(Theme::bandWord(band)));
    update();
}

void ScoreGauge::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const double side = std::min(width(), height() + 16) - 12.0;
    const QRectF arcRect((width() - side) / 2.0, 6, side, side);
    const double thickness = 11;
    const QRectF inner = arcRect.adjusted(thickness / 2, thickness / 2, -thickness / 2, -thickness / 2);

    QPen track(Theme::borderColor(pal), thickness, Qt::SolidLine, Qt::RoundCap);
    p.setPen(track);
    p.drawArc(inner, 225 * 16, -270 * 16);
    const QColor color = Theme::bandColor(m_band, pal);
    if (m_band != Band::NoData && m_score > 0) {
        QPen value(color, thickness, Qt::SolidLine, Qt::RoundCap);
        p.setPen(value);
        p.drawArc(inner, 225 * 16, -int(270.0 * 16 * std::clamp(m_score, 0, 100) / 100.0));
    }

    QFont big = Theme::font(2.9, true);
    p.setFont(big);
    p.setPen(m_band == Band::NoData ? Theme::mutedText(pal) : pal.color(QPalette::Text));
    const QString number = m_band == Band::NoData ? Format::none() : QLocale().toString(m_score);
    QRectF numberRect = inner.adjusted(0, -4, 0, -inner.height() * 0.12);
    p.drawText(numberRect, Qt::AlignCenter, number);

    QFont word = Theme::font(0.95, true);
    p.setFont(word);
    p.setPen(color);
    const QRectF wordRect(arcRect.left(), inner.center().y() + inner.height() * 0.20, arcRect.width(), 22);
    p.drawText(wordRect, Qt::AlignHCenter | Qt::AlignTop, Theme::bandWord(m_band));
}

PenaltyBar::PenaltyBar(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void PenaltyBar::setValue(double fraction, const QColor &color)
{
    m_fraction = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
    m_color = color;
    update();
}

QSize PenaltyBar::sizeHint() const
{
    return { 60, 6 };
}

void PenaltyBar::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(0, 0.5, 0, -0.5);
    QPainterPath track;
    track.addRoundedRect(r, r.height() / 2, r.height() / 2);
    p.fillPath(track, Theme::borderColor(palette()));
    if (m_fraction > 0) {
        QPainterPath fill;
        fill.addRoundedRect(QRectF(r.left(), r.top(), std::max(r.height(), r.width() * m_fraction), r.height()),
            r.height() / 2, r.height() / 2);
        p.fillPath(fill, m_color);
    }
}

ScoreCard::ScoreCard(QWidget *parent)
    : Card(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(16, 12, 16, 14);
    outer->setSpacing(6);
    m_caption = makeCaption(tr("Performance score"), this);
    outer->addWidget(m_caption);

    auto *body = new QHBoxLayout;
    body->setSpacing(12);
    m_gauge = new ScoreGauge(this);
    body->addWidget(m_gauge, 0, Qt::AlignVCenter);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(3);
    const QString names[] = { tr("API latency"), tr("Database"), tr("Errors"), tr("Cache bonus") };
    for (int i = 0; i < 4; ++i) {
        Row &row = m_rows[i];
        row.name = new QLabel(names[i], this);
        row.name->setFont(Theme::font(0.95, true));
        row.detail = new QLabel(this);
        row.detail->setForegroundRole(QPalette::PlaceholderText);
        row.detail->setFont(Theme::font(0.88));
        row.points = new QLabel(this);
        row.points->setFont(Theme::font(1.0, true));
        row.points->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row.points->setMinimumWidth(48);
        row.bar = new PenaltyBar(this);
        grid->addWidget(row.name, i * 3, 0);
        grid->addWidget(row.points, i * 3, 1);
        grid->addWidget(row.detail, i * 3 + 1, 0, 1, 2);
        grid->addWidget(row.bar, i * 3 + 2, 0, 1, 2);
        if (i < 3)
            grid->setRowMinimumHeight(i * 3 + 2, 10);
    }
    grid->setColumnStretch(0, 1);
    body->addLayout(grid, 1);
    outer->addLayout(body, 1);
    setScore(Score {}, AnalyzerConfig {});
}

void ScoreCard::setScore(const Score &score, const AnalyzerConfig &config)
{
    m_score = score;
    m_config = config;
    m_gauge->setScore(score.value, score.band);
    m_caption->setText(
        tr("Performance score · last %n min", nullptr, int(std::max<qint64>(1, config.windowMs / 60'000))));
    const ScoreBreakdown &b = score.breakdown;
    const bool noData = score.band == Band::NoData;

    setRow(0,
        b.apiRequests == 0 || noData
            ? tr("no API requests")
            : tr("p95 %1 · threshold %2").arg(Format::duration(b.apiP95Ms), Format::duration(b.apiThresholdMs)),
        b.apiPointsLost, config.apiMaxLost, false);
    setRow(1,
        b.dbOperations == 0 || noData
            ? tr("no database operations")
            : tr("avg %1 · threshold %2").arg(Format::duration(b.dbAvgMs), Format::duration(b.dbThresholdMs)),
        b.dbPointsLost, config.dbMaxLost, false);
    setRow(2,
        b.errorTotal == 0 || noData
            ? tr("no requests")
            : tr("%1 failed · threshold %2").arg(Format::percent(b.errorRate, 2), Format::percent(b.errorRateLow, 0)),
        b.errorPointsLost, config.errorMaxLost, false);
    setRow(3,
        b.cacheLookups == 0 || noData
            ? tr("no cache lookups")
            : tr("hit rate %1 · needs %2")
                  .arg(Format::percent(b.cacheHitRate), Format::percent(b.cacheBonusThreshold, 0)),
        b.cacheBonus, config.cacheBonus, true);
}

void ScoreCard::setRow(int index, const QString &detail, double points, double maxPoints, bool bonus)
{
    Row &row = m_rows[index];
    row.detail->setText(detail);
    const QLocale locale;
    const double shown = std::isfinite(points) ? points : 0.0;
    if (bonus)
        row.points->setText(shown > 0 ? tr("+%1").arg(locale.toString(shown, 'f', 0)) : tr("+0"));
    else
        row.points->setText(shown > 0.05 ? tr("−%1").arg(locale.toString(shown, 'f', 1)) : tr("0"));
    row.points->setProperty("pw_points", shown);
    row.points->setProperty("pw_bonus", bonus);
    row.bar->setProperty("pw_fraction", maxPoints > 0 ? shown / maxPoints : 0.0);
    refreshColors();
}

void ScoreCard::refreshColors()
{
    const QPalette pal = palette();
    for (Row &row : m_rows) {
        const double points = row.points->property("pw_points").toDouble();
        const bool bonus = row.points->property("pw_bonus").toBool();
        const double fraction = row.bar->property("pw_fraction").toDouble();
        QColor color;
        if (bonus)
            color = points > 0 ? Theme::severityColor(Theme::Severity::Good, pal) : Theme::mutedText(pal);
        else if (points <= 0.05)
            color = Theme::mutedText(pal);
        else
            color = fraction >= 0.5 ? Theme::severityColor(Theme::Severity::Critical, pal)
                                    : Theme::severityColor(Theme::Severity::Warning, pal);
        QPalette labelPalette = row.points->palette();
        labelPalette.setColor(QPalette::WindowText, color);
        row.points->setPalette(labelPalette);
        row.bar->setValue(fraction, color);
    }
}

void ScoreCard::changeEvent(QEvent *event)
{
    Card::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        refreshColors();
}

QString ScoreCard::rowText(int row) const
{
    return m_rows[row].name->text() + u' ' + m_rows[row].detail->text() + u' ' + m_rows[row].points->text();
}

} // namespace perfwatch
