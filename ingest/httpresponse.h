#pragma once

#include <QByteArray>
#include <string_view>
#include <utility>
#include <vector>

namespace perfwatch {

/// A complete answer to one request, built by route handlers and written by the server.
struct HttpResponse
{
    int status = 200;
    QByteArray mimeType = QByteArrayLiteral("application/json");
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers; ///< besides Content-Type and Content-Length

    /// A JSON answer.
    static HttpResponse json(int status, QByteArray body);
    /// The error shape of every failure: {"error": "<token>", "detail": "<sentence>"}.
    static HttpResponse error(int status, std::string_view error, std::string_view detail);
    /// 401 for a request without the right bearer token, with its WWW-Authenticate challenge.
    static HttpResponse unauthorized();

    HttpResponse &withHeader(QByteArray name, QByteArray value)
    {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }

    /// When the ingest journal could not take the batch (a full disk): the data was accepted
    /// into memory but would not survive a crash, and the answer says so
    /// (`X-PerfWatch-Durable: false`; README "Durability").
    HttpResponse &markDurability(bool durable)
    {
        if (!durable)
            headers.emplace_back(QByteArrayLiteral("X-PerfWatch-Durable"), QByteArrayLiteral("false"));
        return *this;
    }

    /// The raw HTTP/1.1 message, for answers written below QHttpServer (limits, timeouts,
    /// the connection cap). `close` adds "Connection: close"; `headOnly` (the answer to HEAD)
    /// leaves the body out but keeps its Content-Length.
    QByteArray serialize(bool close, bool headOnly = false) const;
};

/// The standard reason phrase of a status code ("Payload Too Large").
QByteArray reasonPhrase(int status);

} // namespace perfwatch
