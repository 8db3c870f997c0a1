#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <vector>

namespace perfwatch {

/// Measures how late the GUI event loop runs: a precise 10 ms timer should fire every 10 ms;
/// anything beyond is time the loop was busy. Used by benchmarks (docs/PERFORMANCE.md).
class EventLoopLagProbe final : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        std::size_t samples = 0;
        double medianMs = 0;
        double p99Ms = 0;
        double maxMs = 0;
    };

    explicit EventLoopLagProbe(QObject *parent = nullptr);
    void start();
    Result result() const;

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    std::vector<double> m_lateMs;
};

} // namespace perfwatch
