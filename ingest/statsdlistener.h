#pragma once

#include "statsdcounters.h"
#include "statsdtranslator.h"
#include "udpreceiver.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>
#include <vector>

class QSocketNotifier;

namespace perfwatch {

class MetricStore;

/// Where StatsD listens and how often counters are flushed (docs/DESIGN.md §5, §13).
struct StatsdConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8125; ///< 0 picks a free port (tests)
    qint64 flushIntervalMs = 10'000; ///< counters become events this often (as statsd and the Datadog agent)
    /// Kernel receive buffer asked for: a burst waits here while the store is busy. 8 MiB holds
    /// about 20,000 small datagrams; the kernel may grant less (net.core.rmem_max), /health says.
    int receiveBufferBytes = 8 * 1024 * 1024;
    /// Longer datagrams are cut here and their last (cut) line skipped; the default keeps any.
    int maxDatagramBytes = 65'536;
    StatsdTranslatorLimits limits;
};

/// Reads StatsD datagrams from a UDP socket and writes their events into the store.
///
/// Lives on the StatsD thread. A level-triggered notifier wakes it while anything is waiting;
/// each wake-up reads batches (recvmmsg) until the socket is empty or 50 ms have passed, and
/// stores each batch's events with one insert, so no wake-up can be lost and a burst is read
/// out at once. What the kernel dropped while its buffer was full is counted. Counters are
/// flushed by a timer.
class StatsdListener final : public QObject
{
    Q_OBJECT
public:
    StatsdListener(MetricStore &store, StatsdCounters &counters, const StatsdConfig &config, QObject *parent = nullptr);
    ~StatsdListener() override;

    /// Binds the socket. Returns the port, or 0 with a one-line error (a busy port names
    /// --statsd-port).
    quint16 listen(QString *error);
    /// Stores the counters accumulated since the last flush.
    void flush();

private:
    void readPending();
    /// Journals what the batch just read changed in the counters, as a hold the next flush
    /// settles: a crash before it loses no counter increment that was read (README "Durability").
    void holdCounters(qint64 nowMs);

    MetricStore &m_store;
    StatsdCounters &m_counters;
    StatsdConfig m_config;
    UdpReceiver m_receiver;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_flushTimer;
    std::vector<IngestEvent> m_held; ///< holdCounters()' events
    QByteArray m_record;
    std::vector<quint64> m_holds; ///< journal holds of the counters since the last flush
    StatsdTranslator m_translator;
    std::vector<IngestEvent> m_events;
};

} // namespace perfwatch
