#include "statsdservice.h"

#include <memory>

namespace perfwatch {

using namespace Qt::StringLiterals;

StatsdService::StatsdService(MetricStore &store)
    : m_store(store)
{
    m_thread.setObjectName(u"perfwatch-statsd"_s);
}

StatsdService::~StatsdService()
{
    stop();
}

quint16 StatsdService::start(const StatsdConfig &config, QString *error)
{
    if (m_listener) {
        if (error)
            *error = u"StatsD is already listening on port %1"_s.arg(m_port);
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
            auto listener = std::make_unique<StatsdListener>(m_store, m_counters, config);
            port = listener->listen(&message);
            if (port != 0)
                m_listener = listener.release();
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

void StatsdService::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            if (m_listener)
                m_listener->flush();
            delete m_listener;
            m_listener = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_context;
    m_context = nullptr;
    m_port = 0;
}

} // namespace perfwatch
