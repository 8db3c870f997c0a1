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
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(2);
    auto *top = new QHBoxLayout;
    top->setSpacing(6);
    m_icon = new QLabel(this);
    m_icon->setFixedSize(16, 16);
    top->addWidget(m_icon);
    QLabel *cap = makeCaption(caption, this);
    cap->setObjectName(QStringLiteral("caption"));
    top->addWidget(cap, 1);
    layout->addLayout(top);
    m_value = new QLabel(Format::none(), this);
    m_value->setFont(Theme::font(1.9, true));
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_value);
    m_trend = new QLabel(this);
    m_trend->setFont(Theme::font(0.88));
    layout->addWidget(m_trend);
    layout->addStretch(1);
    setMinimumWidth(120);
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
            trend = tr("%1 %2%")
                        .arg(change > 0 ? QStringLiteral("▲") : QStringLiteral("▼"),
                            QLocale().toString(std::abs(change) * 100.0, 'f', std::abs(change) < 0.1 ? 1 : 0));
        }
    }
    if (m_haveTrend)
        trend += u' ' + tr("vs prev.");
    m_trend->setText(trend);
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

void KpiTile::changeEvent(QEvent *event)
{
    Card::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        refreshColors();
}

} // namespace perfwatch
