#pragma once

#include "analyzer.h"
#include "card.h"

class QGridLayout;
class QLabel;

namespace perfwatch {

/// The round score dial: the number in its band colour inside a 270° arc, the band word below.
class ScoreGauge final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScoreGauge)
public:
    explicit ScoreGauge(QWidget *parent = nullptr);
    void setScore(int score, Band band);
    int score() const { return m_score; }
    Band band() const { return m_band; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int m_score = 0;
    Band m_band = Band::NoData;
};

/// A thin bar: how much of a penalty's maximum was lost (or how much of the bonus was earned).
class PenaltyBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PenaltyBar)
public:
    explicit PenaltyBar(QWidget *parent = nullptr);
    void setValue(double fraction, const QColor &color);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double m_fraction = 0;
    QColor m_color;
};

/// The overview's score card: dial, band, and where every point went (docs/DESIGN.md §11).
class ScoreCard final : public Card
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScoreCard)
public:
    explicit ScoreCard(QWidget *parent = nullptr);
    void setScore(const Score &score, const AnalyzerConfig &config);
    const ScoreGauge *gauge() const { return m_gauge; }
    /// The text of a breakdown row (0 API, 1 database, 2 errors, 3 cache), for tests.
    QString rowText(int row) const;

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Row
    {
        QLabel *name = nullptr;
        QLabel *detail = nullptr;
        QLabel *points = nullptr;
        PenaltyBar *bar = nullptr;
    };
    void setRow(int index, const QString &detail, double points, double maxPoints, bool bonus);
    void refreshColors();

    QLabel *m_caption = nullptr;
    ScoreGauge *m_gauge = nullptr;
    Row m_rows[4];
    Score m_score;
    AnalyzerConfig m_config;
};

} // namespace perfwatch
