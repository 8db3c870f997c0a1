#include "statsdlistener.h"

#include "metricstore.h"

#include <QDateTime>
#include <QThread>
#include <QUdpSocket>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMaxDatagram = 65'535;
/// Datagrams read before the events are stored and the event loop gets a turn.
constexpr int kDatagramsPerRound = 256;

} // namespace

StatsdListener::StatsdListener(
    MetricStore &store, StatsdCounters &counters, const StatsdConfig &config, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_counters(counters)
    , m_config(config)
    , m_socket(new QUdpSocket(this))
    , m_flushTimer(this)
    , m_translator(config.limits)
{
    m_datagram.resize(kMaxDatagram);
    connect(m_socket, &QUdpSocket::readyRead, this, &StatsdListener::readPending);
    connect(&m_flushTimer, &QTimer::timeout, this, &StatsdListener::flush);
}

StatsdListener::~StatsdListener()
{
    m_counters.listening.store(false, std::memory_order_relaxed);
}

quint16 StatsdListener::listen(QString *error)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QString address = m_config.address.toString();
    // Exclusive: with the platform default (SO_REUSEADDR) a second PerfWatch would bind the same
    // port silently and take some of the first one's datagrams.
    if (!m_socket->bind(m_config.address, m_config.port, QAbstractSocket::DontShareAddress)) {
        if (error) {
            if (m_socket->error() == QAbstractSocket::AddressInUseError)
                *error = u"StatsD port %1 on %2 is already in use; choose another with --statsd-port (0 turns the "
                         u"choice over to the system)"_s.arg(m_config.port)
                             .arg(address);
            else
                *error = u"cannot listen for StatsD on %1 port %2: %3; choose another with --statsd-port"_s.arg(address)
                             .arg(m_config.port)
                             .arg(m_socket->errorString());
        }
        return 0;
    }
    // A burst of metrics should wait in the kernel rather than be dropped.
    m_socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);
    m_translator.flush(QDateTime::currentMSecsSinceEpoch(), m_events); // starts the first interval
    m_events.clear();
    m_flushTimer.start(int(m_config.flushIntervalMs));
    m_counters.port.store(m_socket->localPort(), std::memory_order_relaxed);
    m_counters.listening.store(true, std::memory_order_relaxed);
    return m_socket->localPort();
}

void StatsdListener::readPending()
{
    Q_ASSERT(QThread::currentThread() == thread());
    StatsdTranslator::Counts total;
    int datagrams = 0;
    m_events.clear();
    while (m_socket->hasPendingDatagrams() && datagrams < kDatagramsPerRound) {
        const qint64 size = m_socket->readDatagram(m_datagram.data(), kMaxDatagram);
        if (size < 0)
            break;
        ++datagrams;
        const StatsdTranslator::Counts c
            = m_translator.translate(std::string_view(m_datagram.constData(), std::size_t(size)), m_events);
        total.lines += c.lines;
        total.accepted += c.accepted;
        total.malformed += c.malformed;
        total.ignored += c.ignored;
        // Events point into the datagram buffer: store them before it is overwritten.
        if (!m_events.empty()) {
            m_store.insert(m_events, QDateTime::currentMSecsSinceEpoch());
            m_counters.events.fetch_add(m_events.size(), std::memory_order_relaxed);
            m_events.clear();
        }
        m_translator.clearScratch();
    }
    m_counters.datagrams.fetch_add(quint64(datagrams), std::memory_order_relaxed);
    m_counters.lines.fetch_add(total.lines, std::memory_order_relaxed);
    m_counters.acceptedLines.fetch_add(total.accepted, std::memory_order_relaxed);
    m_counters.malformedLines.fetch_add(total.malformed, std::memory_order_relaxed);
    m_counters.ignoredLines.fetch_add(total.ignored, std::memory_order_relaxed);
    // Datagrams left over: read them on the next turn of the event loop, after other work.
    if (m_socket->hasPendingDatagrams())
        QMetaObject::invokeMethod(this, &StatsdListener::readPending, Qt::QueuedConnection);
}

void StatsdListener::flush()
{
    Q_ASSERT(QThread::currentThread() == thread());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_events.clear();
    m_translator.flush(now, m_events);
    if (!m_events.empty()) {
        m_store.insert(m_events, now);
        m_counters.events.fetch_add(m_events.size(), std::memory_order_relaxed);
        m_events.clear();
    }
}

} // namespace perfwatch
