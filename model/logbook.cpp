#include "logbook.h"

#include <algorithm>

namespace perfwatch {

namespace {

constexpr qint64 kMinuteMs = 60'000;

} // namespace

LogBook::Severity LogBook::severityOf(qint64 n)
{
    if (n >= 1 && n <= 4)
        return Trace;
    if (n >= 5 && n <= 8)
        return Debug;
    if (n >= 9 && n <= 12)
        return Info;
    if (n >= 13 && n <= 16)
        return Warn;
    if (n >= 17 && n <= 20)
        return Error;
    if (n >= 21 && n <= 24)
        return Fatal;
    return Unspecified;
}

const char *LogBook::severityName(Severity s)
{
    static const char *const names[SeverityCount]
        = { "unspecified", "trace", "debug", "info", "warn", "error", "fatal" };
    return names[s < SeverityCount ? s : Unspecified];
}

void LogBook::add(std::string_view service, Severity severity, quint64 count, qint64 nowMs)
{
    if (count == 0 || severity >= SeverityCount)
        return;
    QString name
        = service.empty() ? QStringLiteral("default") : QString::fromUtf8(service.data(), qsizetype(service.size()));
    const std::lock_guard lock(m_mutex);
    auto it = m_services.find(name);
    if (it == m_services.end()) {
        if (m_services.size() >= kMaxServices)
            name = QStringLiteral("other");
        it = m_services.try_emplace(name).first;
        if (it->second.firstMs == 0)
            it->second.firstMs = nowMs;
    }
    Entry &e = it->second;
    e.bySeverity[severity] += count;
    if (severity == Error || severity == Fatal) {
        const qint64 minute = nowMs / kMinuteMs;
        const auto slot = std::size_t(minute % 60);
        if (e.minuteOf[slot] != minute) {
            e.minuteOf[slot] = minute;
            e.errorMinutes[slot] = 0;
        }
        e.errorMinutes[slot] += count;
    }
}

LogBook::Snapshot LogBook::snapshot(qint64 nowMs) const
{
    Snapshot out;
    const qint64 minute = nowMs / kMinuteMs;
    const std::lock_guard lock(m_mutex);
    for (const auto &[name, e] : m_services) {
        ServiceCounts c;
        c.service = name;
        c.bySeverity = e.bySeverity;
        for (std::size_t s = 0; s < SeverityCount; ++s) {
            c.records += e.bySeverity[s];
            out.bySeverity[s] += e.bySeverity[s];
        }
        out.records += c.records;
        c.errors = e.bySeverity[Error] + e.bySeverity[Fatal];
        // The current minute and the four before it.
        for (qint64 m = minute - 4; m <= minute; ++m) {
            const auto slot = std::size_t(((m % 60) + 60) % 60);
            if (e.minuteOf[slot] == m)
                c.errorsLast5Min += e.errorMinutes[slot];
        }
        const double windowMinutes = std::clamp(double(nowMs - e.firstMs) / double(kMinuteMs), 1.0, 5.0);
        c.errorsPerMinute = double(c.errorsLast5Min) / windowMinutes;
        out.services.push_back(std::move(c));
    }
    return out;
}

} // namespace perfwatch
