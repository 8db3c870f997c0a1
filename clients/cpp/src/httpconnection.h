#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

namespace perfwatch::detail {

using Clock = std::chrono::steady_clock;

/// Where events go: parsed from "http://host[:port][/prefix]".
struct Endpoint
{
    std::string host;
    std::string port = "80";
    std::string path; ///< prefix + /api/performance/ingest
    std::string hostHeader;

    /// False (with a reason) for anything but a plain-http URL.
    static bool parse(std::string_view url, std::string_view ingestPath, Endpoint &out, std::string &error);
};

struct HttpResponse
{
    int status = 0;
    std::string body;
    std::string retryAfter;
};

/// A blocking HTTP/1.1 client over one keep-alive POSIX socket, for the sender thread only.
/// Every wait is bounded by the caller's deadline (poll() on a non-blocking socket).
class HttpConnection
{
public:
    HttpConnection() = default;
    ~HttpConnection();
    HttpConnection(const HttpConnection &) = delete;
    HttpConnection &operator=(const HttpConnection &) = delete;

    enum class Result
    {
        Ok, ///< a response was read
        Failed, ///< connect, send or receive failed: PerfWatch down, frozen or restarting
        StaleConnection ///< a reused keep-alive connection was closed by the peer; retry at once
    };

    /// Sends one request with `headers` (each "Name: value\r\n") and reads the response.
    Result post(const Endpoint &endpoint, std::string_view headers, std::string_view body, Clock::time_point deadline,
        HttpResponse &response, std::string &error);
    void close();
    /// Once `abort` is set, waits end at once and the request fails (used at shutdown).
    void setAbortFlag(const std::atomic<bool> *abort) { m_abort = abort; }

private:
    bool connect(const Endpoint &endpoint, Clock::time_point deadline, std::string &error);
    bool sendAll(std::string_view data, Clock::time_point deadline, std::string &error);
    /// Reads more bytes into m_buffer; false on error, timeout or end of stream (eof set).
    bool receive(Clock::time_point deadline, bool &eof, std::string &error);

    int m_fd = -1;
    const std::atomic<bool> *m_abort = nullptr;
    std::string m_peer; ///< host:port of the open connection
    Clock::time_point m_lastUse;
    std::string m_buffer;
};

} // namespace perfwatch::detail
