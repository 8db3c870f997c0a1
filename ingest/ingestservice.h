#pragma once

#include "ingestconfig.h"
#include "ingestcounters.h"

#include <QString>
#include <functional>
#include <memory>
#include <vector>

namespace perfwatch {

class IngestServer;
struct IngestShared;

/// Runs the ingest HTTP server on threads of its own (docs/DESIGN.md §2).
///
/// start() creates one IngestServer per ingest thread (IngestConfig::ingestThreads), lets the
/// installer register routes on each, on its thread (handlers run there), and listens on thread
/// 0, which hands accepted connections round-robin to all of them; stop() tears them down and
/// joins the threads. Counters, the connection cap and the overload policy are shared by all
/// threads; counters are readable from any thread.
class IngestService final
{
public:
    /// Registers routes; called by start() once per ingest thread, on that thread. Anything that
    /// must exist once per process (not once per thread) belongs to server.threadIndex() == 0.
    using RouteInstaller = std::function<void(IngestServer &server)>;

    explicit IngestService(RouteInstaller installer);
    ~IngestService();
    Q_DISABLE_COPY_MOVE(IngestService)

    /// Starts the threads and listens. Returns the bound port, or 0 with a one-line error, e.g.
    /// "port 4318 on 127.0.0.1 is already in use; choose another with --port".
    quint16 start(const IngestConfig &config, QString *error = nullptr);
    /// Closes every connection and joins the threads. Safe to call twice.
    void stop();

    bool isRunning() const { return !m_threads.empty(); }
    quint16 port() const { return m_port; }
    /// Ingest threads running (IngestConfig::ingestThreads clamped to the CPUs); 0 when stopped.
    int threadCount() const { return int(m_threads.size()); }
    IngestCountersSnapshot counters() const { return m_counters.snapshot(); }
    /// The live counters (atomics), for readers that poll them, such as the window's status bar.
    const IngestCounters &liveCounters() const { return m_counters; }

    /// How many ingest threads a configured count gives on this machine (1..CPUs).
    static int effectiveThreadCount(int configured);

private:
    struct Thread;

    RouteInstaller m_installer;
    IngestCounters m_counters;
    std::unique_ptr<IngestShared> m_shared;
    std::vector<std::unique_ptr<Thread>> m_threads;
    quint16 m_port = 0;
};

} // namespace perfwatch
