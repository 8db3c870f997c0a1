#pragma once

#include "card.h"

class QLabel;

namespace perfwatch {

/// One headline figure (requests/s, API p95, ...) with a trend arrow against the previous window.
class KpiTile final : public Card
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KpiTile)
public:
    /// Which way is good for this figure.
    enum class Better
    {
        Higher,
        Lower,
        Neither,
    };
    /// How the figure is written.
    enum class Kind
    {
        Rate,
        Duration,
        Fraction,
    };

    KpiTile(const QString &caption, const QString &iconName, Kind kind, Better better, QWidget *parent = nullptr);

    /// current and previous are NaN when the window has no data; periodText names the previous window.
    void setValues(double current, double previous, const QString &periodText);
    /// A figure that has no previous window to compare with: the value and a note in its place.
    void setFigure(const QString &value, const QString &note, const QString &toolTip);
    QString valueText() const;
    QString trendText() const;
    /// -1 falling, 0 steady or unknown, +1 rising.
    int trendDirection() const { return m_direction; }

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void refreshColors();
    void fitToWidth();

    Kind m_kind;
    Better m_better;
    QString m_iconName;
    QString m_caption;
    QString m_trendCore; ///< "▼ 7.3%"
    QString m_trendSuffix; ///< "vs prev.", dropped when the tile is too narrow
    QLabel *m_captionLabel = nullptr;
    QLabel *m_icon = nullptr;
    QLabel *m_value = nullptr;
    QLabel *m_trend = nullptr;
    int m_direction = 0;
    bool m_haveTrend = false;
};

} // namespace perfwatch
