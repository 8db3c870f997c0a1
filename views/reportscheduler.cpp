#include "reportscheduler.h"

#include "reportjob.h"

#include <QDateTime>
#include <QDir>

namespace perfwatch {

namespace {
constexpr qint64 kHourMs = 3'600'000;
}

ReportScheduler::ReportScheduler(std::shared_ptr<const DashboardSource> source, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
{
    m_timer.setInterval(30'000);
    connect(&m_timer, &QTimer::timeout, this, &ReportScheduler::check);
}

ReportScheduler::~ReportScheduler()
{
    delete m_job; // cancels and waits
}

qint64 ReportScheduler::nextSlot(qint64 nowMs, int everyHours)
{
    const qint64 every = qint64(std::max(1, everyHours)) * kHourMs;
    return (nowMs / every + 1) * every;
}

void ReportScheduler::setSettings(const AppSettings &settings)
{
    ReportPageSize pageSize = ReportPageSize::A4;
    ReportPdfWriter::pageSizeFromName(settings.reportPageSize, pageSize);
    const bool enabled = settings.scheduledReports && !settings.scheduledReportDir.trimmed().isEmpty();
    const bool scheduleChanged = enabled != m_enabled || settings.scheduledReportEveryHours != m_everyHours;
    m_enabled = enabled;
    m_everyHours = std::max(1, settings.scheduledReportEveryHours);
    m_reportHours = std::max(1, settings.reportHours);
    m_folder = settings.scheduledReportDir.trimmed();
    m_pageSize = pageSize;
    if (!m_enabled) {
        m_timer.stop();
        m_nextDueMs = 0;
        return;
    }
    if (scheduleChanged || m_nextDueMs == 0)
        m_nextDueMs = nextSlot(QDateTime::currentMSecsSinceEpoch(), m_everyHours);
    m_timer.start();
}

bool ReportScheduler::isWriting() const
{
    return m_job && m_job->isRunning();
}

void ReportScheduler::stop()
{
    m_timer.stop();
    m_enabled = false;
    m_nextDueMs = 0;
    delete m_job;
}

void ReportScheduler::check()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!m_enabled || now < m_nextDueMs)
        return;
    m_nextDueMs = nextSlot(now, m_everyHours);
    runNow(now);
}

bool ReportScheduler::runNow(qint64 nowMs)
{
    if (isWriting())
        return false;
    delete m_job;
    const qint64 now = nowMs ? nowMs : QDateTime::currentMSecsSinceEpoch();
    ReportExportRequest request;
    request.format = ReportFormat::Pdf;
    request.path = QDir(m_folder).filePath(ReportExporter::timestampedName(now, QStringLiteral("pdf")));
    request.report.hours = m_reportHours;
    request.report.nowMs = now;
    request.pdf.pageSize = m_pageSize;
    auto source = m_source;
    m_job = new ReportJob(
        [source, request](const ReportProgress &progress) { return ReportExporter::run(*source, request, progress); },
        this);
    connect(m_job, &ReportJob::finished, this, [this](const ReportExportResult &result) {
        if (result.ok)
            Q_EMIT reportWritten(result.files.value(0));
        else
            Q_EMIT reportFailed(result.error);
    });
    m_job->start();
    return true;
}

} // namespace perfwatch
