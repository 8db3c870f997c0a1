#include "reportjob.h"

#include <QThread>

namespace perfwatch {

ReportJob::ReportJob(Task task, QObject *parent)
    : QObject(parent)
    , m_task(std::move(task))
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{ }

ReportJob::~ReportJob()
{
    cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void ReportJob::start()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_thread)
        return;
    m_running = true;
    // `this` outlives the worker (the destructor waits for it); results come back as queued
    // calls, which Qt drops if the job is gone by then.
    m_thread = QThread::create([this, task = m_task, cancel = m_cancel] {
        const ReportExportResult result = task([this, cancel](int percent) {
            QMetaObject::invokeMethod(
                this, [this, percent] { Q_EMIT progressChanged(percent); }, Qt::QueuedConnection);
            return !cancel->load();
        });
        QMetaObject::invokeMethod(
            this,
            [this, result] {
                m_running = false;
                Q_EMIT finished(result);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("perfwatch-report"));
    m_thread->start(QThread::LowPriority);
}

void ReportJob::cancel()
{
    m_cancel->store(true);
}

} // namespace perfwatch
