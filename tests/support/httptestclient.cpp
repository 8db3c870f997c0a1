#include "httptestclient.h"

namespace perfwatch::test {

QByteArray HttpTestReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonObject HttpTestReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpTestClient::HttpTestClient(quint16 port, const QHostAddress &address)
{
    m_socket.connectToHost(address, port);
    m_socket.waitForConnected(5000);
}

bool HttpTestClient::send(const QByteArray &bytes)
{
    if (m_socket.write(bytes) != bytes.size())
        return false;
    while (m_socket.bytesToWrite() > 0) {
        if (!m_socket.waitForBytesWritten(5000))
            return false;
    }
    return true;
}

std::optional<HttpTestReply> HttpTestClient::request(const QByteArray &bytes, int timeoutMs)
{
    if (!send(bytes))
        return std::nullopt;
    return read(timeoutMs);
}

bool HttpTestClient::waitForClosed(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (m_socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < timeoutMs) {
        if (m_socket.waitForReadyRead(int(timeoutMs - timer.elapsed())))
            m_buffer += m_socket.readAll();
    }
    return m_socket.state() != QAbstractSocket::ConnectedState;
}

std::optional<HttpTestReply> HttpTestClient::readReply(int timeoutMs, bool withBody)
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

std::optional<HttpTestReply> HttpTestClient::parse(bool withBody)
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

} // namespace perfwatch::test
