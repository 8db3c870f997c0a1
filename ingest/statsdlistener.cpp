#include "statsdlistener.h"

#include "ingestjournal.h"
#include "listenerror.h"
#include "metricstore.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QThread>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

/// Longest a wake-up reads before the event loop (the flush timer, a stop) gets a turn; the
/// notifier is level-triggered, so whatever is still waiting wakes the listener again at once.
constexpr qint64 kReadBudgetMs = 50;

UdpReceiver::Options receiverOptions(const StatsdConfig &config)
{
    UdpReceiver::Options options;
    options.receiveBufferBytes = config.receiveBufferBytes;
    options.slotBytes = config.maxDatagramBytes;
    return options;
}

} // namespace

StatsdListener::StatsdListener(
    MetricStore &store, StatsdCounters &counters, const StatsdConfig &config, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_counters(counters)
    , m_config(config)
    , m_receiver(receiverOptions(config))
    , m_flushTimer(this)
    , m_translator(config.limits)
{
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
    QString reason;
    UdpReceiver::BindError kind = UdpReceiver::BindError::None;
    if (!m_receiver.bind(m_config.address, m_config.port, &reason, &kind)) {
        if (error) {
            if (kind == UdpReceiver::BindError::AddressInUse)
                *error = u"StatsD port %1 on %2 is already in use; choose another with --statsd-port (0 turns the "
                         u"choice over to the system)"_s.arg(m_config.port)
                             .arg(address);
            else if (kind == UdpReceiver::BindError::AddressNotAvailable)
                *error = addressNotOnThisHostError(m_config.address);
            else
                *error = u"cannot listen for StatsD on %1 port %2: %3; choose another with --statsd-port"_s.arg(address)
                             .arg(m_config.port)
                             .arg(reason);
        }
        return 0;
    }
    m_notifier = new QSocketNotifier(qintptr(m_receiver.descriptor()), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StatsdListener::readPending);
    m_translator.flush(QDateTime::currentMSecsSinceEpoch(), m_events); // starts the first interval
    m_events.clear();
    m_flushTimer.start(int(m_config.flushIntervalMs));
    m_counters.port.store(m_receiver.localPort(), std::memory_order_relaxed);
    m_counters.receiveBufferBytes.store(quint64(m_receiver.receiveBufferBytes()), std::memory_order_relaxed);
    m_counters.listening.store(true, std::memory_order_relaxed);
    return m_receiver.localPort();
}

void StatsdListener::readPending()
{
    Q_ASSERT(QThread::currentThread() == thread());
    QElapsedTimer budget;
    budget.start();
    const int batch = m_receiver.batchSize();
    for (;;) {
        const int n = m_receiver.receive();
        if (n <= 0)
            break; // empty (or an error the next wake-up sees again)
        StatsdTranslator::Counts total;
        quint64 truncated = 0;
        m_events.clear();
        for (int i = 0; i < n; ++i) {
            std::string_view datagram = m_receiver.datagram(i);
            if (m_receiver.truncated(i)) {
                // Only its start arrived: keep the whole lines, not the cut one.
                ++truncated;
                const std::size_t end = datagram.rfind('\n');
                datagram = end == std::string_view::npos ? std::string_view() : datagram.substr(0, end);
            }
            const StatsdTranslator::Counts c = m_translator.translate(datagram, m_events);
            total.lines += c.lines;
            total.accepted += c.accepted;
            total.malformed += c.malformed;
            total.ignored += c.ignored;
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        holdCounters(now);
        // The events point into the receiver's slots and the translator's scratch: store them
        // before the next batch overwrites either.
        if (!m_events.empty()) {
            m_store.insert(m_events, now);
            m_counters.events.fetch_add(m_events.size(), std::memory_order_relaxed);
            m_events.clear();
        }
        m_translator.clearScratch();
        m_counters.datagrams.fetch_add(quint64(n), std::memory_order_relaxed);
        m_counters.truncatedDatagrams.fetch_add(truncated, std::memory_order_relaxed);
        m_counters.lines.fetch_add(total.lines, std::memory_order_relaxed);
        m_counters.acceptedLines.fetch_add(total.accepted, std::memory_order_relaxed);
        m_counters.malformedLines.fetch_add(total.malformed, std::memory_order_relaxed);
        m_counters.ignoredLines.fetch_add(total.ignored, std::memory_order_relaxed);
        if (n < batch || budget.elapsed() >= kReadBudgetMs)
            break;
    }
    m_counters.droppedDatagrams.store(m_receiver.droppedDatagrams(), std::memory_order_relaxed);
}

void StatsdListener::holdCounters(qint64 nowMs)
{
    IngestJournal *journal = m_store.journal();
    if (!journal)
        return;
    m_held.clear();
    m_translator.takeChanged(nowMs, m_held);
    if (m_held.empty())
        return;
    IngestJournal::encode(m_record, IngestJournal::RecordType::Hold, 0, nowMs, m_held);
    if (const quint64 seq = journal->append(m_record))
        m_holds.push_back(seq);
    m_held.clear();
}

void StatsdListener::flush()
{
    Q_ASSERT(QThread::currentThread() == thread());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_events.clear();
    m_translator.flush(now, m_events);
    if (!m_events.empty() || !m_holds.empty()) {
        // Stored and journaled with the holds of the interval, which it settles.
        m_store.insert(m_events, now, MetricStore::InsertOptions { .journal = true, .fromSpans = false, .resolves = m_holds });
        m_counters.events.fetch_add(m_events.size(), std::memory_order_relaxed);
        m_events.clear();
        m_holds.clear();
    }
}

} // namespace perfwatch
