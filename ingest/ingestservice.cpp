#include "ingestservice.h"

#include "ingestserver.h"

#include <memory>

namespace perfwatch {

using namespace Qt::StringLiterals;

IngestService::IngestService(RouteInstaller installer)
    : m_installer(std::move(installer))
{
    m_thread.setObjectName(u"perfwatch-ingest"_s);
}

IngestService::~IngestService()
{
    stop();
}

quint16 IngestService::start(const IngestConfig &config, QString *error)
{
    if (m_server) {
        if (error)
            *error = u"the ingest server is already running on port %1"_s.arg(m_port);
        return 0;
    }
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();

    quint16 port = 0;
    QString message;
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            auto server = std::make_unique<IngestServer>(config, m_counters);
            if (m_installer)
                m_installer(*server);
            port = server->start(&message);
            if (port != 0)
                m_server = server.release();
        },
        Qt::BlockingQueuedConnection);

    if (port == 0) {
        m_thread.quit();
        m_thread.wait();
        delete m_context;
        m_context = nullptr;
        if (error)
            *error = message;
        return 0;
    }
    m_port = port;
    return port;
}

void IngestService::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            delete m_server;
            m_server = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_context;
    m_context = nullptr;
    m_port = 0;
}

} // namespace perfwatch
