#pragma once

#include "card.h"
#include "dashboardsnapshot.h"

class QLabel;
class QStackedLayout;
class QTableView;
class QToolButton;

namespace perfwatch {

class RawSampleModel;
class TimeSeriesChart;

/// The drill-down pane under the tables: the selected key's latency (or value) over the range and
/// its most recent raw samples.
class DetailPane final : public Card
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailPane)
public:
    explicit DetailPane(QWidget *parent = nullptr);

    void apply(const DashboardSnapshot &snapshot);

    TimeSeriesChart *chart() const { return m_chart; }
    RawSampleModel *samples() const { return m_samples; }
    QTableView *samplesView() const { return m_samplesView; }
    bool showsKey() const;

Q_SIGNALS:
    void closeRequested();

private:
    QStackedLayout *m_stack = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    TimeSeriesChart *m_chart = nullptr;
    RawSampleModel *m_samples = nullptr;
    QTableView *m_samplesView = nullptr;
    QLabel *m_samplesCaption = nullptr;
};

} // namespace perfwatch
