#pragma once

#include "statsdcounters.h"
#include "statsdtranslator.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>
#include <vector>

class QUdpSocket;

namespace perfwatch {

class MetricStore;

/// Where StatsD listens and how often counters are flushed (DESIGN §4, §8).
struct StatsdConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8125; ///< 0 picks a free port (tests)
    qint64 flushIntervalMs = 10'000; ///< counters become events this often (as statsd and the Datadog agent)
    StatsdTranslatorLimits limits;
};

/// Reads StatsD datagrams from a UDP socket and writes their events into the store.
///
/// Lives on the StatsD thread: every datagram waiting is read in one go and the resulting
/// events are stored with one insert; counters are flushed by a timer.
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

    MetricStore &m_store;
    StatsdCounters &m_counters;
    StatsdConfig m_config;
    QUdpSocket *m_socket = nullptr;
    QTimer m_flushTimer;
    StatsdTranslator m_translator;
    QByteArray m_datagram;
    std::vector<IngestEvent> m_events;
};

} // namespace perfwatch
