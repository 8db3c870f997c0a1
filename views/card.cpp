#include "card.h"

#include "theme.h"

#include <QLabel>
#include <QPainter>
#include <QPainterPath>

namespace perfwatch {

Card::Card(QWidget *parent)
    : QFrame(parent)
{
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(false);
    setAttribute(Qt::WA_StyledBackground, false);
}

Card::~Card() = default;

void Card::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    QPainterPath path;
    path.addRoundedRect(r, 10, 10);
    p.fillPath(path, Theme::cardColor(palette()));
    p.setPen(QPen(Theme::borderColor(palette()), 1));
    p.drawPath(path);
}

QLabel *makeCaption(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont f = Theme::font(0.85, true);
    f.setCapitalization(QFont::AllUppercase);
    f.setLetterSpacing(QFont::PercentageSpacing, 104);
    label->setFont(f);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace perfwatch
