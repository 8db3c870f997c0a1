#pragma once

#include <QAbstractButton>

namespace perfwatch {

/// A sidebar entry: icon, label and an optional count badge; checked when its page shows.
class NavButton final : public QAbstractButton
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NavButton)
public:
    NavButton(const QString &iconName, const QString &text, QWidget *parent = nullptr);

    /// 0 hides the badge; `alert` paints it in the critical colour.
    void setBadge(int count, bool alert);
    int badge() const { return m_badge; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void enterEvent(QEnterEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QString m_iconName;
    int m_badge = 0;
    bool m_alert = false;
    bool m_hover = false;
};

} // namespace perfwatch
