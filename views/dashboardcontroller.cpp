#include "dashboardcontroller.h"

#include "dashboardsource.h"
#include "snapshotbuilder.h"

namespace perfwatch {

SnapshotWorker::SnapshotWorker(std::unique_ptr<SnapshotBuilder> builder)
    : m_builder(std::move(builder))
{ }

SnapshotWorker::~SnapshotWorker() = default;

void SnapshotWorker::build(const DashboardRequest &request)
{
    Q_ASSERT(QThread::currentThread() == thread());
    Q_EMIT built(m_builder->build(request));
}

DashboardController::DashboardController(
    std::shared_ptr<DashboardSource> source, const IngestCounters *ingestCounters, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
{
    qRegisterMetaType<DashboardRequest>();
    qRegisterMetaType<DashboardSnapshotPtr>();

    m_thread.setObjectName(QStringLiteral("perfwatch-dashboard"));
    m_worker = new SnapshotWorker(std::make_unique<SnapshotBuilder>(m_source, ingestCounters));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &DashboardController::buildRequested, m_worker, &SnapshotWorker::build, Qt::QueuedConnection);
    connect(m_worker, &SnapshotWorker::built, this, &DashboardController::onBuilt, Qt::QueuedConnection);
    m_thread.start();

    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &DashboardController::tick);
}

DashboardController::~DashboardController()
{
    m_timer.stop();
    m_thread.quit();
    m_thread.wait();
}

void DashboardController::start()
{
    if (!m_paused)
        m_timer.start();
    refreshNow();
}

void DashboardController::setRange(TimeRange range)
{
    if (m_request.range == range)
        return;
    m_request.range = range;
    requestChanged();
}

void DashboardController::setServices(const QStringList &services)
{
    if (m_request.services == services)
        return;
    m_request.services = services;
    requestChanged();
}

void DashboardController::setSelectedKey(const KeyRef &key)
{
    if (m_request.selected == key && m_request.selected.id == key.id)
        return;
    m_request.selected = key;
    requestChanged();
}

void DashboardController::setRefreshIntervalMs(int ms)
{
    m_timer.setInterval(std::max(100, ms));
}

void DashboardController::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (paused)
        m_timer.stop();
    else
        start();
    Q_EMIT pausedChanged(paused);
}

void DashboardController::refreshNow()
{
    if (m_busy) {
        m_pending = true;
        return;
    }
    m_busy = true;
    ++m_request.sequence;
    Q_EMIT buildRequested(m_request);
}

void DashboardController::tick()
{
    if (m_busy) {
        ++m_skipped;
        return;
    }
    refreshNow();
}

void DashboardController::requestChanged()
{
    // Even while paused the window follows what the user picks; it just does not move on its own.
    refreshNow();
}

void DashboardController::onBuilt(const DashboardSnapshotPtr &snapshot)
{
    m_busy = false;
    if (m_pending) {
        // Built for a request the user has since changed: build the current one instead.
        m_pending = false;
        refreshNow();
        return;
    }
    m_last = snapshot;
    ++m_applied;
    Q_EMIT snapshotReady(snapshot);
}

} // namespace perfwatch
