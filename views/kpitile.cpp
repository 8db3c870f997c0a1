#include "kpitile.h"

#include "format.h"
#include "theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

namespace perfwatch {

namespace {
constexpr double kSteadyRelative = 0.03; ///< changes below 3 % read as steady
constexpr double kSteadyPoints = 0.001; ///< fractions: below 0.1 percentage points
} // namespace

KpiTile::KpiTile(const QString &caption, const QString &iconName, Kind kind, Better better, QWidget *parent)
    : Card(parent)
    , m_kind(kind)
    , m_better(better)
    , m_iconName(iconName)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(2);
    auto *top = new QHBoxLayout;
    top->setSpacing(6);
    m_icon = new QLabel(this);
    m_icon->setFixedSize(16, 16);
    top->addWidget(m_icon);
    m_caption = caption;
    m_captionLabel = makeCaption(caption, this);
    m_captionLabel->setObjectName(QStringLiteral("caption"));
    m_captionLabel->setToolTip(caption);
    m_captionLabel->setMinimumWidth(0);
    m_captionLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    top->addWidget(m_captionLabel, 1);
    layout->addLayout(top);
    m_value = new QLabel(Format::none(), this);
    m_value->setFont(Theme::font(1.9, true));
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_value->setMinimumWidth(0);
    m_value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(m_value);
    m_trend = new QLabel(this);
    m_trend->setFont(Theme::font(0.88));
    m_trend->setMinimumWidth(0);
    m_trend->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(m_trend);
    layout->addStretch(1);
    setMinimumWidth(108);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    refreshColors();
}

void KpiTile::setValues(double current, double previous, const QString &periodText)
{
    QString text;
    switch (m_kind) {
    case Kind::Rate:
        text = Format::rate(current);
        break;
    case Kind::Duration:
        text = Format::duration(current);
        break;
    case Kind::Fraction:
        text = Format::percent(current, current > 0 && current < 0.01 ? 2 : 1);
        break;
    }
    m_value->setText(text);

    m_haveTrend = std::isfinite(current) && std::isfinite(previous);
    m_direction = 0;
    QString trend;
    if (!m_haveTrend) {
        trend = tr("no earlier data");
    } else if (m_kind == Kind::Fraction) {
        const double diff = current - previous;
        if (std::abs(diff) < kSteadyPoints) {
            trend = tr("→ steady");
        } else {
            m_direction = diff > 0 ? 1 : -1;
            trend = tr("%1 %2 pts")
                        .arg(diff > 0 ? QStringLiteral("▲") : QStringLiteral("▼"),
                            QLocale().toString(std::abs(diff) * 100.0, 'f', std::abs(diff) < 0.01 ? 2 : 1));
        }
    } else if (previous <= 0) {
        trend = current > 0 ? tr("▲ new") : tr("→ steady");
        m_direction = current > 0 ? 1 : 0;
    } else {
        const double change = current / previous - 1.0;
        if (std::abs(change) < kSteadyRelative) {
            trend = tr("→ steady");
        } else {
            m_direction = change > 0 ? 1 : -1;
            trend = tr("%1 %2%").arg(change > 0 ? QStringLiteral("▲") : QStringLiteral("▼"),
                QLocale().toString(std::abs(change) * 100.0, 'f', std::abs(change) < 0.1 ? 1 : 0));
        }
    }
    m_trendCore = trend;
    m_trendSuffix = m_haveTrend ? tr("vs prev.") : QString();
    if (m_haveTrend) {
        QString before;
        switch (m_kind) {
        case Kind::Rate:
            before = Format::rate(previous);
            break;
        case Kind::Duration:
            before = Format::duration(previous);
            break;
        case Kind::Fraction:
            before = Format::percent(previous, 2);
            break;
        }
        setToolTip(tr("Now: %1\nThe %2 before: %3").arg(text, periodText, before));
    } else {
        setToolTip({});
    }
    fitToWidth();
    refreshColors();
}

void KpiTile::setFigure(const QString &value, const QString &note, const QString &toolTip)
{
    m_value->setText(value);
    m_haveTrend = false;
    m_direction = 0;
    m_trendCore = note;
    m_trendSuffix.clear();
    setToolTip(toolTip);
    fitToWidth();
    refreshColors();
}

QString KpiTile::valueText() const
{
    return m_value->text();
}

QString KpiTile::trendText() const
{
    return m_trend->text();
}

void KpiTile::refreshColors()
{
    const QPalette pal = palette();
    QColor color = Theme::mutedText(pal);
    if (m_direction != 0 && m_better != Better::Neither) {
        const bool good = (m_direction > 0) == (m_better == Better::Higher);
        color = Theme::severityColor(good ? Theme::Severity::Good : Theme::Severity::Critical, pal);
    }
    QPalette tp = m_trend->palette();
    tp.setColor(QPalette::WindowText, color);
    m_trend->setPalette(tp);
    m_icon->setPixmap(Theme::icon(m_iconName, Theme::mutedText(pal)).pixmap(16, 16));
}

void KpiTile::resizeEvent(QResizeEvent *event)
{
    Card::resizeEvent(event);
    fitToWidth();
}

void KpiTile::fitToWidth()
{
    // Narrow windows: the icon goes first, then the caption elides and the figure shrinks to fit.
    const int inner = width() - 24;
    m_icon->setVisible(inner >= 118);
    const int captionWidth = inner - (m_icon->isVisible() ? 22 : 0);
    m_captionLabel->setText(QFontMetrics(m_captionLabel->font()).elidedText(m_caption, Qt::ElideRight, captionWidth));
    double factor = 1.9;
    QFont f = Theme::font(factor, true);
    while (factor > 1.3 && QFontMetrics(f).horizontalAdvance(m_value->text()) > inner) {
        factor -= 0.1;
        f = Theme::font(factor, true);
    }
    if (m_value->font() != f)
        m_value->setFont(f);
    const QString full = m_trendSuffix.isEmpty() ? m_trendCore : m_trendCore + u' ' + m_trendSuffix;
    m_trend->setText(QFontMetrics(m_trend->font()).horizontalAdvance(full) <= inner ? full : m_trendCore);
}

void KpiTile::changeEvent(QEvent *event)
{
    Card::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        refreshColors();
}

} // namespace perfwatch
