#pragma once

#include "qjsonreader.h"
#include "simdjsonreader.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>
#include <atomic>

namespace perfwatch::bench {

/// How the baseline server parses bodies.
enum class ParserKind
{
    Simdjson,
    QJson,
};

/// Totals over the server's life, readable from any thread.
struct BaselineCounters
{
    quint64 requests = 0;
    quint64 events = 0;
    quint64 malformed = 0;
    double durationSum = 0; ///< the sums are printed at exit: proof that every field was read
    double numberSum = 0;
    quint64 stringBytes = 0;
};

/// The reference an ingest endpoint is measured against: the same HTTP stack and route as
/// PerfWatch, a full parse of every event, and nothing else (no validation, no store).
///
/// Lives on its own thread like PerfWatch's ingest server: construct it, moveToThread(), then
/// call start() on that thread.
class BaselineServer final : public QObject
{
    Q_OBJECT
public:
    explicit BaselineServer(ParserKind parser, QObject *parent = nullptr);
    ~BaselineServer() override;
    Q_DISABLE_COPY_MOVE(BaselineServer)

    /// Registers the route and listens; returns the port, 0 on failure. Call on the server's thread.
    quint16 start(const QHostAddress &address, quint16 port);
    BaselineCounters counters() const;

private:
    QHttpServerResponse ingest(const QHttpServerRequest &request);

    ParserKind m_parserKind;
    QHttpServer *m_http = nullptr;
    SimdjsonReader m_simdjson;
    QJsonReader m_qjson;
    std::atomic<quint64> m_requests { 0 };
    std::atomic<quint64> m_events { 0 };
    std::atomic<quint64> m_malformed { 0 };
    std::atomic<double> m_durationSum { 0 };
    std::atomic<double> m_numberSum { 0 };
    std::atomic<quint64> m_stringBytes { 0 };
};

} // namespace perfwatch::bench
