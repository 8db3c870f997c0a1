#include "baselineserver.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QThread>

namespace perfwatch::bench {

namespace {

const QByteArray kJsonMime = QByteArrayLiteral("application/json");

} // namespace

BaselineServer::BaselineServer(ParserKind parser, QObject *parent)
    : QObject(parent)
    , m_parserKind(parser)
{ }

BaselineServer::~BaselineServer() = default;

quint16 BaselineServer::start(const QHostAddress &address, quint16 port)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_http = new QHttpServer(this);
    m_http->route(QStringLiteral("/api/performance/ingest"), QHttpServerRequest::Method::Post,
        [this](const QHttpServerRequest &request) { return ingest(request); });
    return m_http->listen(address, port);
}

BaselineCounters BaselineServer::counters() const
{
    return BaselineCounters {
        m_requests.load(),
        m_events.load(),
        m_malformed.load(),
        m_durationSum.load(),
        m_numberSum.load(),
        m_stringBytes.load(),
    };
}

QHttpServerResponse BaselineServer::ingest(const QHttpServerRequest &request)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QByteArray body = request.body();
    const bool ndjson = request.value(QByteArrayLiteral("Content-Type")).startsWith("application/x-ndjson");
    const ReadTotals totals
        = m_parserKind == ParserKind::Simdjson ? m_simdjson.read(body, ndjson) : m_qjson.read(body, ndjson);

    m_requests.fetch_add(1, std::memory_order_relaxed);
    if (!totals.ok) {
        m_malformed.fetch_add(1, std::memory_order_relaxed);
        return QHttpServerResponse(
            kJsonMime, QByteArrayLiteral(R"({"error":"malformed JSON"})"), QHttpServerResponse::StatusCode::BadRequest);
    }
    // Every number and string read feeds a sink printed at exit, so the compiler cannot drop any of the work.
    m_events.fetch_add(totals.events, std::memory_order_relaxed);
    m_durationSum.fetch_add(totals.durationSum, std::memory_order_relaxed);
    m_numberSum.fetch_add(totals.numberSum, std::memory_order_relaxed);
    m_stringBytes.fetch_add(totals.stringBytes, std::memory_order_relaxed);
    return QHttpServerResponse(kJsonMime, "{\"accepted\":" + QByteArray::number(totals.events) + '}',
        QHttpServerResponse::StatusCode::Accepted);
}

} // namespace perfwatch::bench
