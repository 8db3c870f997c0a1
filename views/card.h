#pragma once

#include <QFrame>

class QLabel;
class QVBoxLayout;

namespace perfwatch {

/// A rounded, bordered panel on the window background; the dashboard's basic building block.
class Card : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Card)
public:
    explicit Card(QWidget *parent = nullptr);
    ~Card() override;

protected:
    void paintEvent(QPaintEvent *event) override;
};

/// A small upper-case caption above a card's content.
QLabel *makeCaption(const QString &text, QWidget *parent);

} // namespace perfwatch
