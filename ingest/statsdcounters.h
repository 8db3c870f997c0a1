#pragma once

#include <QtGlobal>
#include <atomic>

namespace perfwatch {

/// Plain copy of the StatsD counters at one moment.
struct StatsdCountersSnapshot
{
    quint64 datagrams = 0; ///< UDP datagrams read
    quint64 lines = 0; ///< metric lines in them (blank lines not counted)
    quint64 acceptedLines = 0; ///< lines that became (or fed) events
    quint64 malformedLines = 0; ///< lines that are not StatsD: skipped
    quint64 ignoredLines = 0; ///< valid StatsD that PerfWatch does not keep: sets, events, service checks
    quint64 events = 0; ///< events written to the store
    quint64 droppedDatagrams = 0; ///< thrown away by the kernel: its receive buffer was full
    quint64 truncatedDatagrams = 0; ///< longer than the read slot: only their whole lines were read
    quint64 receiveBufferBytes = 0; ///< the kernel receive buffer granted
    bool listening = false;
    quint16 port = 0;
};

/// Counters the StatsD thread writes and anyone may read (/health, /metrics, tests).
struct StatsdCounters
{
    std::atomic<quint64> datagrams { 0 };
    std::atomic<quint64> lines { 0 };
    std::atomic<quint64> acceptedLines { 0 };
    std::atomic<quint64> malformedLines { 0 };
    std::atomic<quint64> ignoredLines { 0 };
    std::atomic<quint64> events { 0 };
    std::atomic<quint64> droppedDatagrams { 0 };
    std::atomic<quint64> truncatedDatagrams { 0 };
    std::atomic<quint64> receiveBufferBytes { 0 };
    std::atomic<bool> listening { false };
    std::atomic<quint16> port { 0 };

    StatsdCountersSnapshot snapshot() const
    {
        StatsdCountersSnapshot s;
        s.datagrams = datagrams.load(std::memory_order_relaxed);
        s.lines = lines.load(std::memory_order_relaxed);
        s.acceptedLines = acceptedLines.load(std::memory_order_relaxed);
        s.malformedLines = malformedLines.load(std::memory_order_relaxed);
        s.ignoredLines = ignoredLines.load(std::memory_order_relaxed);
        s.events = events.load(std::memory_order_relaxed);
        s.droppedDatagrams = droppedDatagrams.load(std::memory_order_relaxed);
        s.truncatedDatagrams = truncatedDatagrams.load(std::memory_order_relaxed);
        s.receiveBufferBytes = receiveBufferBytes.load(std::memory_order_relaxed);
        s.listening = listening.load(std::memory_order_relaxed);
        s.port = port.load(std::memory_order_relaxed);
        return s;
    }
};

} // namespace perfwatch
