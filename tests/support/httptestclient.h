#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QTcpSocket>
#include <optional>

namespace perfwatch::test {

/// One HTTP response as it came off the wire.
struct HttpTestReply
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    /// The first header of that name (case-insensitive), empty without one.
    QByteArray header(const QByteArray &name) const;
    QJsonObject json() const;
};

/// A blocking raw HTTP/1.1 client over QTcpSocket, so tests control every byte and can send
/// what no well-behaved client would. The server under test runs on its own thread.
class HttpTestClient
{
public:
    explicit HttpTestClient(quint16 port, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }

    /// Writes bytes and waits until the kernel took them.
    bool send(const QByteArray &bytes);

    /// Reads the next complete response (a "100 Continue" counts as one).
    std::optional<HttpTestReply> read(int timeoutMs = 5000) { return readReply(timeoutMs, true); }

    /// Reads the next answer to a HEAD request: status line and headers, never a body, whatever
    /// its Content-Length says (RFC 9110 §9.3.2).
    std::optional<HttpTestReply> readHeadReply(int timeoutMs = 5000) { return readReply(timeoutMs, false); }

    /// Sends a request and reads its response.
    std::optional<HttpTestReply> request(const QByteArray &bytes, int timeoutMs = 5000);

    /// Waits until the server closed the connection (EOF or reset).
    bool waitForClosed(int timeoutMs = 5000);

    QByteArray unparsed() const { return m_buffer; }

private:
    std::optional<HttpTestReply> readReply(int timeoutMs, bool withBody);
    std::optional<HttpTestReply> parse(bool withBody);

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace perfwatch::test
