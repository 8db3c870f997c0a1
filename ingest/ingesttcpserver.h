#pragma once

#include "bodybudget.h"
#include "httpresponse.h"
#include "ingestconfig.h"
#include "ingestcounters.h"
#include "requestguard.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTimer>
#include <memory>
#include <unordered_map>

class QTcpSocket;

namespace perfwatch {

/// The listening socket under the ingest HTTP server: enforces the limits Qt 6.4's server lacks.
///
/// Every accepted socket gets a RequestGuard whose readyRead slot is connected before the socket
/// is handed to QAbstractHttpServer (addPendingConnection() makes the server connect its own
/// slot right away), so the guard sees every byte before Qt parses it. On a violation (431, 413,
/// 400) the guard disconnects the socket from the HTTP server, answers itself and drains the
/// rest without buffering it. Connections beyond the cap get 503; idle and slow ones are closed
/// by one sweep timer. Lives on the ingest thread like the HTTP server it feeds.
class IngestTcpServer final : public QTcpServer
{
    Q_OBJECT
public:
    IngestTcpServer(const IngestConfig &config, IngestCounters &counters, QObject *parent = nullptr);
    ~IngestTcpServer() override;

    /// The HTTP server the sockets are handed to; its readyRead connections are cut on refusal.
    void setHttpServer(QObject *httpServer) { m_httpServer = httpServer; }
    /// Told by the HTTP server after it answered a request on `socket`.
    void requestHandled(QTcpSocket *socket);

    /// Connections counted against the cap (admitted and not yet closed).
    int admittedConnections() const { return m_admitted; }
    /// Request bodies held in memory (reserved before they are read).
    const BodyBudget &bodyBudget() const { return m_bodies; }

protected:
    void incomingConnection(qintptr handle) override;

private:
    struct Connection;
    enum class CloseKind : quint8;

    void beforeHttp(Connection &c);
    void afterHttp(Connection &c);
    void sendContinueIfAwaited(Connection &c);
    void detachFromHttpServer(Connection &c);
    /// Closes at once (RST); for clients that broke the rules of a graceful close.
    void cut(Connection &c);
    void refuse(Connection &c, const HttpResponse &response);
    void refuseViolation(Connection &c);
    bool reserveAnnouncedBody(Connection &c);
    void releaseBodies(Connection &c, bool all);
    void discardInput(Connection &c);
    void halfCloseWhenFlushed(Connection &c);
    void closeIdle(Connection &c);
    void sweep();
    void forget(QTcpSocket *socket);
    qint64 now() const { return m_clock.elapsed(); }

    IngestConfig m_config;
    IngestCounters &m_counters;
    QObject *m_httpServer = nullptr;
    std::unordered_map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;
    int m_admitted = 0;
    int m_rejected = 0; ///< sockets refused at the cap that are still closing
    int m_refusedClosing = 0; ///< sockets admitted, then refused (limits, budget), still closing
    QTimer m_sweeper;
    QElapsedTimer m_clock;
    QByteArray m_peek; ///< reused buffer for peeking at unread bytes
    BodyBudget m_bodies;
};

} // namespace perfwatch
