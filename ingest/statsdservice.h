#pragma once

#include "statsdcounters.h"
#include "statsdlistener.h"

#include <QString>
#include <QThread>

namespace perfwatch {

class MetricStore;

/// Runs the StatsD listener on its own thread, independent of the HTTP ingest threads.
///
/// start() creates the listener on the thread and binds; stop() flushes the counters
/// accumulated since the last interval, closes the socket and joins the thread.
class StatsdService final
{
public:
    explicit StatsdService(MetricStore &store);
    ~StatsdService();
    Q_DISABLE_COPY_MOVE(StatsdService)

    /// Returns the bound port, or 0 with a one-line error naming --statsd-port.
    quint16 start(const StatsdConfig &config, QString *error = nullptr);
    /// Safe to call twice.
    void stop();

    bool isRunning() const { return m_listener != nullptr; }
    quint16 port() const { return m_port; }
    const StatsdCounters &counters() const { return m_counters; }

private:
    MetricStore &m_store;
    StatsdCounters m_counters;
    QThread m_thread;
    QObject *m_context = nullptr; ///< lives on m_thread; target of the blocking calls
    StatsdListener *m_listener = nullptr; ///< lives on m_thread
    quint16 m_port = 0;
};

} // namespace perfwatch
