#include "overloadpolicy.h"

namespace perfwatch {

namespace {
constexpr qint64 kBucketMs = 1000;
}

void OverloadPolicy::roll(qint64 nowMs)
{
    const qint64 start = nowMs - nowMs % kBucketMs;
    if (start == m_current.startMs)
        return;
    m_previous = start - m_current.startMs == kBucketMs ? m_current : Bucket { start - kBucketMs };
    m_current = Bucket { start };
}

double OverloadPolicy::previousWeight(qint64 nowMs) const
{
    return 1.0 - double(nowMs - m_current.startMs) / double(kBucketMs);
}

double OverloadPolicy::requestRateLocked(qint64 nowMs)
{
    roll(nowMs);
    return m_previous.requests * previousWeight(nowMs) + m_current.requests;
}

double OverloadPolicy::busyFractionLocked(qint64 nowMs)
{
    roll(nowMs);
    return (m_previous.busyNs * previousWeight(nowMs) + m_current.busyNs) / (double(kBucketMs) * 1e6 * m_threads);
}

double OverloadPolicy::requestRate(qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    return requestRateLocked(nowMs);
}

double OverloadPolicy::busyFraction(qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    return busyFractionLocked(nowMs);
}

OverloadPolicy::Verdict OverloadPolicy::admit(qint64 nowMs)
{
    if (!isEnabled())
        return Verdict::Admit;
    std::lock_guard lock(m_mutex);
    if (m_maxRequestsPerSecond > 0 && requestRateLocked(nowMs) >= m_maxRequestsPerSecond)
        return Verdict::TooManyRequests;
    if (m_maxBusyFraction < 1.0 && busyFractionLocked(nowMs) > m_maxBusyFraction)
        return Verdict::Busy;
    m_current.requests += 1;
    return Verdict::Admit;
}

void OverloadPolicy::recordWork(qint64 nowMs, qint64 busyNs)
{
    if (!isEnabled())
        return;
    std::lock_guard lock(m_mutex);
    roll(nowMs);
    m_current.busyNs += double(busyNs);
}

} // namespace perfwatch
