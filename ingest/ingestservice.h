#pragma once

#include "ingestconfig.h"
#include "ingestcounters.h"

#include <QString>
#include <QThread>
#include <functional>

namespace perfwatch {

class IngestServer;

/// Runs the ingest HTTP server on its own thread (DESIGN §2).
///
/// start() creates the server on the ingest thread, lets the installer register routes there
/// (handlers run on that thread), and listens; stop() tears it down and joins the thread.
/// Counters are readable from any thread.
class IngestService final
{
public:
    /// Registers routes; called on the ingest thread by start().
    using RouteInstaller = std::function<void(IngestServer &server)>;

    explicit IngestService(RouteInstaller installer);
    ~IngestService();
    Q_DISABLE_COPY_MOVE(IngestService)

    /// Starts the thread and listens. Returns the bound port, or 0 with a one-line error, e.g.
    /// "port 4318 on 127.0.0.1 is already in use; choose another with --port".
    quint16 start(const IngestConfig &config, QString *error = nullptr);
    /// Closes every connection and joins the thread. Safe to call twice.
    void stop();

    bool isRunning() const { return m_server != nullptr; }
    quint16 port() const { return m_port; }
    IngestCountersSnapshot counters() const { return m_counters.snapshot(); }
    /// The live counters (atomics), for readers that poll them, such as the window's status bar.
    const IngestCounters &liveCounters() const { return m_counters; }

private:
    RouteInstaller m_installer;
    IngestCounters m_counters;
    QThread m_thread;
    QObject *m_context = nullptr; ///< lives on m_thread; target of the blocking calls
    IngestServer *m_server = nullptr; ///< lives on m_thread
    quint16 m_port = 0;
};

} // namespace perfwatch
