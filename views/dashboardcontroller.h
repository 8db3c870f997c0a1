#pragma once

#include "dashboardsnapshot.h"

#include <QObject>
#include <QThread>
#include <QTimer>
#include <memory>

namespace perfwatch {

class DashboardSource;
class SnapshotBuilder;

/// Lives on the dashboard's worker thread and builds snapshots on request.
class SnapshotWorker final : public QObject
{
    Q_OBJECT
public:
    explicit SnapshotWorker(std::unique_ptr<SnapshotBuilder> builder);
    ~SnapshotWorker() override;
    Q_DISABLE_COPY_MOVE(SnapshotWorker)

public Q_SLOTS:
    void build(const perfwatch::DashboardRequest &request);

Q_SIGNALS:
    void built(const perfwatch::DashboardSnapshotPtr &snapshot);

private:
    std::unique_ptr<SnapshotBuilder> m_builder;
};

/// Drives the refresh pipeline: a timer on the GUI thread asks the worker for a snapshot and hands
/// finished snapshots to the window. A tick that comes while a snapshot is still being built is
/// skipped, never queued; a changed request (range, filter, selection) is built as soon as the
/// worker is free.
class DashboardController final : public QObject
{
    Q_OBJECT
public:
    DashboardController(
        std::shared_ptr<DashboardSource> source, const IngestCounters *ingestCounters, QObject *parent = nullptr);
    ~DashboardController() override;
    Q_DISABLE_COPY_MOVE(DashboardController)

    const DashboardRequest &request() const { return m_request; }
    DashboardSource &source() const { return *m_source; }

    void setRange(TimeRange range);
    void setServices(const QStringList &services);
    void setSelectedKey(const KeyRef &key);
    void setRefreshIntervalMs(int ms);
    int refreshIntervalMs() const { return m_timer.interval(); }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    /// Starts the periodic refresh (and builds a first snapshot at once).
    void start();
    /// Builds a snapshot now, or right after the one in progress.
    void refreshNow();

    bool isBusy() const { return m_busy; }
    quint64 skippedTicks() const { return m_skipped; }
    quint64 appliedSnapshots() const { return m_applied; }
    const DashboardSnapshotPtr &lastSnapshot() const { return m_last; }

Q_SIGNALS:
    /// A finished snapshot, on the GUI thread; the window applies it.
    void snapshotReady(const perfwatch::DashboardSnapshotPtr &snapshot);
    void pausedChanged(bool paused);
    /// Internal: hands a request to the worker thread.
    void buildRequested(const perfwatch::DashboardRequest &request);

private:
    void tick();
    void requestChanged();
    void onBuilt(const DashboardSnapshotPtr &snapshot);

    std::shared_ptr<DashboardSource> m_source;
    QThread m_thread;
    SnapshotWorker *m_worker = nullptr; // owned by m_thread (deleteLater on finished)
    QTimer m_timer;
    DashboardRequest m_request;
    DashboardSnapshotPtr m_last;
    bool m_busy = false;
    bool m_pending = false;
    bool m_paused = false;
    quint64 m_skipped = 0;
    quint64 m_applied = 0;
};

} // namespace perfwatch
