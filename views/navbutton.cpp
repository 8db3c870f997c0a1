#include "navbutton.h"

#include "theme.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

namespace perfwatch {

NavButton::NavButton(const QString &iconName, const QString &text, QWidget *parent)
    : QAbstractButton(parent)
    , m_iconName(iconName)
{
    setText(text);
    setCheckable(true);
    setCursor(Qt::PointingHandCursor);
    setFocusPolicy(Qt::TabFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void NavButton::setBadge(int count, bool alert)
{
    if (m_badge == count && m_alert == alert)
        return;
    m_badge = count;
    m_alert = alert;
    update();
}

QSize NavButton::sizeHint() const
{
    const QFontMetrics fm(font());
    return { 24 + 20 + 10 + fm.horizontalAdvance(text()) + 40, std::max(36, fm.height() + 18) };
}

void NavButton::enterEvent(QEnterEvent *event)
{
    m_hover = true;
    update();
    QAbstractButton::enterEvent(event);
}

void NavButton::leaveEvent(QEvent *event)
{
    m_hover = false;
    update();
    QAbstractButton::leaveEvent(event);
}

void NavButton::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRectF r = QRectF(rect()).adjusted(6, 2, -6, -2);
    QColor accent = pal.color(QPalette::Highlight);
    if (isChecked() || m_hover) {
        QColor fill = accent;
        fill.setAlpha(isChecked() ? (Theme::isDark(pal) ? 70 : 38) : 18);
        QPainterPath path;
        path.addRoundedRect(r, 7, 7);
        p.fillPath(path, fill);
    }
    const QColor fg = isChecked() ? (Theme::isDark(pal) ? pal.color(QPalette::Text) : accent.darker(115))
                                  : pal.color(QPalette::WindowText);
    const QRect iconRect(int(r.left()) + 10, int(r.center().y()) - 10, 20, 20);
    Theme::icon(m_iconName, fg).paint(&p, iconRect);
    QFont f = font();
    f.setBold(isChecked());
    p.setFont(f);
    p.setPen(fg);
    QRectF textRect(iconRect.right() + 10, r.top(), r.right() - iconRect.right() - 14, r.height());
    if (m_badge > 0) {
        const QString badge = QLocale().toString(m_badge);
        QFont bf = Theme::font(0.82, true);
        const QFontMetrics bm(bf);
        const double w = std::max<double>(20, bm.horizontalAdvance(badge) + 12);
        const QRectF badgeRect(r.right() - w - 8, r.center().y() - 9, w, 18);
        QPainterPath pill;
        pill.addRoundedRect(badgeRect, 9, 9);
        const QColor color = m_alert ? Theme::severityColor(Theme::Severity::Critical, pal) : Theme::mutedText(pal);
        p.fillPath(pill, color);
        p.setFont(bf);
        p.setPen(Theme::isDark(pal) && m_alert ? QColor(0x1a, 0x1a, 0x1a) : QColor(Qt::white));
        p.drawText(badgeRect, Qt::AlignCenter, badge);
        textRect.setRight(badgeRect.left() - 6);
        p.setFont(f);
        p.setPen(fg);
    }
    p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
        fontMetrics().elidedText(text(), Qt::ElideRight, int(textRect.width())));
    if (hasFocus()) {
        p.setPen(QPen(accent, 1, Qt::DotLine));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 6, 6);
    }
}

} // namespace perfwatch
