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

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

/// A blocking raw HTTP/1.1 client over QTcpSocket, so tests control every byte and can send
/// what no well-behaved client would. The server under test runs on its own thread.
class HttpTestClient
{
public:
    explicit HttpTestClient(quint16 port, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
    {
        m_socket.connectToHost(address, port);
        m_socket.waitForConnected(5000);
    }

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }

    /// Writes bytes and waits until the kernel took them.
    bool send(const QByteArray &bytes)
    {
        if (m_socket.write(bytes) != bytes.size())
            return false;
        while (m_socket.bytesToWrite() > 0) {
            if (!m_socket.waitForBytesWritten(5000))
                return false;
        }
        return true;
    }

    /// Reads the next complete response (a "100 Continue" counts as one).
    std::optional<HttpTestReply> read(int timeoutMs = 5000) { return readReply(timeoutMs, true); }

    /// Reads the next answer to a HEAD request: status line and headers, never a body, whatever
    /// its Content-Length says (RFC 9110 §9.3.2).
    std::optional<HttpTestReply> readHeadReply(int timeoutMs = 5000) { return readReply(timeoutMs, false); }

    /// Sends a request and reads its response.
    std::optional<HttpTestReply> request(const QByteArray &bytes, int timeoutMs = 5000)
    {
        if (!send(bytes))
            return std::nullopt;
        return read(timeoutMs);
    }

    /// Waits until the server closed the connection (EOF or reset).
    bool waitForClosed(int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        while (m_socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < timeoutMs) {
            if (m_socket.waitForReadyRead(int(timeoutMs - timer.elapsed())))
                m_buffer += m_socket.readAll();
        }
        return m_socket.state() != QAbstractSocket::ConnectedState;
    }

    QByteArray unparsed() const { return m_buffer; }

private:
    std::optional<HttpTestReply> readReply(int timeoutMs, bool withBody)
    {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            if (auto reply = parse(withBody))
                return reply;
            const int left = timeoutMs - int(timer.elapsed());
            if (left <= 0 || m_socket.state() != QAbstractSocket::ConnectedState)
                break;
            if (m_socket.waitForReadyRead(left))
                m_buffer += m_socket.readAll();
        }
        m_buffer += m_socket.readAll();
        return parse(withBody);
    }

    std::optional<HttpTestReply> parse(bool withBody)
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        const QList<QByteArray> lines = m_buffer.first(end).split('\n');
        HttpTestReply reply;
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        if (statusLine.size() < 2)
            return std::nullopt;
        reply.status = statusLine[1].toInt();
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            reply.headers.append({ line.first(colon).trimmed(), line.sliced(colon + 1).trimmed() });
            if (line.first(colon).trimmed().compare("content-length", Qt::CaseInsensitive) == 0)
                length = line.sliced(colon + 1).trimmed().toLongLong();
        }
        if (!withBody)
            length = 0;
        if (m_buffer.size() < end + 4 + length)
            return std::nullopt;
        reply.body = m_buffer.sliced(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return reply;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace perfwatch::test
