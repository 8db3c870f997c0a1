#include "eventlooplagprobe.h"

#include <algorithm>

namespace perfwatch {

namespace {
constexpr int kIntervalMs = 10;
}

EventLoopLagProbe::EventLoopLagProbe(QObject *parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        const double elapsed = double(m_clock.nsecsElapsed()) / 1e6;
        m_lateMs.push_back(std::max(0.0, elapsed - kIntervalMs));
        m_clock.restart();
    });
}

void EventLoopLagProbe::start()
{
    m_lateMs.clear();
    m_clock.start();
    m_timer.start();
}

EventLoopLagProbe::Result EventLoopLagProbe::result() const
{
    std::vector<double> sorted = m_lateMs;
    std::sort(sorted.begin(), sorted.end());
    Result r;
    r.samples = sorted.size();
    if (sorted.empty())
        return r;
    const auto at = [&](double q) { return sorted[std::size_t(q * double(sorted.size() - 1))]; };
    r.medianMs = at(0.5);
    r.p99Ms = at(0.99);
    r.maxMs = sorted.back();
    return r;
}

} // namespace perfwatch
