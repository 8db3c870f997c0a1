#include "ingestservice.h"

#include "ingestserver.h"
#include "ingesttcpserver.h"

#include <QThread>
#include <algorithm>

namespace perfwatch {

using namespace Qt::StringLiterals;

struct IngestService::Thread
{
    QThread thread;
    QObject *context = nullptr; ///< lives on `thread`; target of the blocking calls
    IngestServer *server = nullptr; ///< lives on `thread`

    /// Runs fn on this thread and waits for it.
    template<typename Fn>
    void run(Fn &&fn)
    {
        QMetaObject::invokeMethod(context, std::forward<Fn>(fn), Qt::BlockingQueuedConnection);
    }

    ~Thread()
    {
        if (thread.isRunning()) {
            run([this] {
                delete server;
                server = nullptr;
            });
            thread.quit();
            thread.wait();
        }
        delete context;
    }
};

IngestService::IngestService(RouteInstaller installer)
    : m_installer(std::move(installer))
{ }

IngestService::~IngestService()
{
    stop();
}

int IngestService::effectiveThreadCount(int configured)
{
    return std::clamp(configured, 1, std::max(1, QThread::idealThreadCount()));
}

quint16 IngestService::start(const IngestConfig &config, QString *error)
{
    if (isRunning()) {
        if (error)
            *error = u"the ingest server is already running on port %1"_s.arg(m_port);
        return 0;
    }
    const int count = effectiveThreadCount(config.ingestThreads);
    m_shared = std::make_unique<IngestShared>(m_counters, config, count);

    QString message;
    auto startThread = [&](int index, auto &&startServer) -> bool {
        auto t = std::make_unique<Thread>();
        t->thread.setObjectName(u"ingest-%1"_s.arg(index));
        t->context = new QObject;
        t->context->moveToThread(&t->thread);
        t->thread.start();
        bool ok = false;
        t->run([&] {
            auto server = std::make_unique<IngestServer>(config, *m_shared, index);
            if (m_installer)
                m_installer(*server);
            ok = startServer(*server);
            if (ok)
                t->server = server.release();
        });
        m_threads.push_back(std::move(t));
        return ok;
    };

    // Thread 0 listens (and reports a busy port); the others share its socket and are handed
    // connections by it.
    quint16 port = 0;
    bool ok = startThread(0, [&](IngestServer &server) {
        port = server.start(&message);
        return port != 0;
    });
    IngestTcpServer *listener = ok ? m_threads.front()->server->tcpServer() : nullptr;
    const qintptr descriptor = listener ? listener->socketDescriptor() : -1;
    for (int i = 1; ok && i < count; ++i)
        ok = startThread(i, [&](IngestServer &server) { return server.startWorker(descriptor, &message); });
    if (!ok) {
        stop();
        if (error)
            *error = message;
        return 0;
    }

    std::vector<IngestTcpServer *> workers;
    for (const auto &t : m_threads)
        workers.push_back(t->server->tcpServer());
    m_threads.front()->run([&] { listener->setWorkers(workers); });
    m_port = port;
    return port;
}

void IngestService::stop()
{
    // Thread 0 first: once it is gone, nothing hands connections to the others any more.
    for (auto &t : m_threads)
        t.reset();
    m_threads.clear();
    m_shared.reset();
    m_port = 0;
}

} // namespace perfwatch
