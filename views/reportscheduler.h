#pragma once

#include "appsettings.h"
#include "dashboardsource.h"
#include "reportpdfwriter.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>

namespace perfwatch {

class ReportJob;

/// Writes a PDF report every N hours into a folder (AppSettings::scheduledReports), off the GUI
/// thread.
///
/// Reports are due at whole multiples of the interval in UTC (every 6 h: 00:00, 06:00, 12:00,
/// 18:00 UTC), so restarts neither skip nor repeat a slot; a check every 30 s catches up after
/// sleep. Files are named perfwatch-report-<UTC time>.pdf and cover AppSettings::reportHours.
class ReportScheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReportScheduler)
public:
    explicit ReportScheduler(std::shared_ptr<const DashboardSource> source, QObject *parent = nullptr);
    ~ReportScheduler() override;

    /// Takes the report options; (re)starts or stops the schedule.
    void setSettings(const AppSettings &settings);
    bool isEnabled() const { return m_enabled; }
    /// When the next report is due (ms since the epoch); 0 when off.
    qint64 nextDueMs() const { return m_nextDueMs; }
    /// Writes a report now; false when one is still being written.
    bool runNow(qint64 nowMs = 0);
    bool isWriting() const;
    /// Stops the schedule and waits for a report being written (cancelled).
    void stop();

    /// The first multiple of everyHours (in UTC, from the epoch) after nowMs.
    static qint64 nextSlot(qint64 nowMs, int everyHours);

Q_SIGNALS:
    void reportWritten(const QString &path);
    void reportFailed(const QString &message);

private:
    void check();

    std::shared_ptr<const DashboardSource> m_source;
    QTimer m_timer;
    QPointer<ReportJob> m_job;
    bool m_enabled = false;
    int m_everyHours = 24;
    int m_reportHours = 24;
    QString m_folder;
    ReportPageSize m_pageSize = ReportPageSize::A4;
    qint64 m_nextDueMs = 0;
};

} // namespace perfwatch
