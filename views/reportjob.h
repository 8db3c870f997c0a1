#pragma once

#include "reportexporter.h"

#include <QObject>
#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace perfwatch {

/// Runs one export on a worker thread, so the window stays responsive; reports progress and
/// the result back on the thread that owns the job.
///
/// The task gets a ReportProgress that returns false once cancel() was called. Destroying the
/// job cancels it and waits for the worker.
class ReportJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReportJob)
public:
    using Task = std::function<ReportExportResult(const ReportProgress &progress)>;

    explicit ReportJob(Task task, QObject *parent = nullptr);
    ~ReportJob() override;

    /// Starts the worker; once only.
    void start();
    /// Asks the task to stop at its next progress report.
    void cancel();
    bool isRunning() const { return m_running; }
    bool isCancelled() const { return m_cancel->load(); }

Q_SIGNALS:
    void progressChanged(int percent);
    void finished(const perfwatch::ReportExportResult &result);

private:
    Task m_task;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QThread *m_thread = nullptr;
    bool m_running = false;
};

} // namespace perfwatch
