#include "httpconnection.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace perfwatch::detail {

namespace {

constexpr std::size_t kMaxResponseBytes = 1 << 20; // PerfWatch answers a few hundred bytes
constexpr auto kIdleReuseLimit = std::chrono::seconds(10); // PerfWatch closes idle connections after ~15 s

int remainingMs(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

/// Waits for `events` on fd until the deadline or until `abort` is set; false on timeout,
/// abort or error. Polls in slices so an abort is noticed within 50 ms.
bool waitFor(int fd, short events, Clock::time_point deadline, const std::atomic<bool> *abort)
{
    for (;;) {
        if (abort && abort->load(std::memory_order_relaxed))
            return false;
        const int timeout = std::min(remainingMs(deadline), 50);
        if (timeout == 0)
            return false;
        pollfd p { fd, events, 0 };
        const int n = ::poll(&p, 1, timeout);
        if (n > 0)
            return true;
        if (n < 0 && errno != EINTR)
            return false;
    }
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string errnoText(const char *what)
{
    return std::string(what) + ": " + std::strerror(errno);
}

} // namespace

bool Endpoint::parse(std::string_view url, std::string_view ingestPath, Endpoint &out, std::string &error)
{
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) {
        error = "PerfWatch URL must start with http:// (the C++ client does not speak TLS): " + std::string(url);
        return false;
    }
    url.remove_prefix(scheme.size());
    const std::size_t slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view prefix = slash == std::string_view::npos ? std::string_view {} : url.substr(slash);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    out.hostHeader = std::string(authority);
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "bad IPv6 address in PerfWatch URL";
            return false;
        }
        out.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else {
        const std::size_t colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            port = authority.substr(colon + 1);
    }
    if (out.host.empty()) {
        error = "no host in PerfWatch URL";
        return false;
    }
    int portNumber = 80;
    if (!port.empty()) {
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), portNumber);
        if (ec != std::errc() || end != port.data() + port.size() || portNumber < 1 || portNumber > 65535) {
            error = "bad port in PerfWatch URL: " + std::string(port);
            return false;
        }
    }
    out.port = std::to_string(portNumber);
    while (!prefix.empty() && prefix.back() == '/')
        prefix.remove_suffix(1);
    out.path = std::string(prefix) + std::string(ingestPath);
    return true;
}

HttpConnection::~HttpConnection()
{
    close();
}

void HttpConnection::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_peer.clear();
    m_buffer.clear();
}

bool HttpConnection::connect(const Endpoint &endpoint, Clock::time_point deadline, std::string &error)
{
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *list = nullptr;
    if (const int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &list); rc != 0) {
        error = "cannot resolve " + endpoint.host + ": " + ::gai_strerror(rc);
        return false;
    }
    error = "no address for " + endpoint.host;
    for (addrinfo *a = list; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            error = errnoText("socket");
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            if (waitFor(fd, POLLOUT, deadline, m_abort)) {
                int soError = 0;
                socklen_t len = sizeof soError;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len);
                rc = soError == 0 ? 0 : -1;
                errno = soError;
            } else {
                errno = ETIMEDOUT;
            }
        }
        if (rc != 0) {
            error = errnoText("connect");
            ::close(fd);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        m_fd = fd;
        m_peer = endpoint.host + ':' + endpoint.port;
        m_buffer.clear();
        ::freeaddrinfo(list);
        return true;
    }
    ::freeaddrinfo(list);
    return false;
}

bool HttpConnection::sendAll(std::string_view data, Clock::time_point deadline, std::string &error)
{
    while (!data.empty()) {
        const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(std::size_t(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!waitFor(m_fd, POLLOUT, deadline, m_abort)) {
                error = "send: timed out";
                return false;
            }
            continue;
        }
        error = errnoText("send");
        return false;
    }
    return true;
}

bool HttpConnection::receive(Clock::time_point deadline, bool &eof, std::string &error)
{
    eof = false;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            if (m_buffer.size() + std::size_t(n) > kMaxResponseBytes) {
                error = "response too large";
                return false;
            }
            m_buffer.append(chunk, std::size_t(n));
            return true;
        }
        if (n == 0) {
            eof = true;
            error = "connection closed by PerfWatch";
            return false;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!waitFor(m_fd, POLLIN, deadline, m_abort)) {
                error = "receive: timed out";
                return false;
            }
            continue;
        }
        error = errnoText("recv");
        return false;
    }
}

HttpConnection::Result HttpConnection::post(const Endpoint &endpoint, std::string_view headers, std::string_view body,
    Clock::time_point deadline, HttpResponse &response, std::string &error)
{
    const std::string peer = endpoint.host + ':' + endpoint.port;
    bool reused = false;
    if (m_fd >= 0) {
        // A connection idle for long, to another peer, or already readable (closed by the peer,
        // or stray bytes) is not worth reusing.
        pollfd p { m_fd, POLLIN, 0 };
        const bool readable = ::poll(&p, 1, 0) != 0;
        if (peer != m_peer || readable || Clock::now() - m_lastUse > kIdleReuseLimit)
            close();
        else
            reused = true;
    }
    if (m_fd < 0 && !connect(endpoint, deadline, error))
        return Result::Failed;

    std::string request;
    request.reserve(256 + headers.size() + body.size());
    request += "POST ";
    request += endpoint.path;
    request += " HTTP/1.1\r\nHost: ";
    request += endpoint.hostHeader;
    request += "\r\nContent-Type: application/json\r\nContent-Length: ";
    request += std::to_string(body.size());
    request += "\r\nUser-Agent: perfwatch-cpp/0.1\r\n";
    request += headers;
    request += "\r\n";
    request += body;
    m_buffer.clear();
    if (!sendAll(request, deadline, error)) {
        close();
        return reused ? Result::StaleConnection : Result::Failed;
    }

    // Status line and headers.
    std::size_t headerEnd;
    bool eof = false;
    while ((headerEnd = m_buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!receive(deadline, eof, error)) {
            const bool nothingRead = m_buffer.empty();
            close();
            return reused && nothingRead && eof ? Result::StaleConnection : Result::Failed;
        }
    }
    const std::string_view head(m_buffer.data(), headerEnd);
    const std::size_t lineEnd = head.find("\r\n");
    const std::string_view statusLine = head.substr(0, lineEnd);
    const std::size_t space = statusLine.find(' ');
    int status = 0;
    if (statusLine.substr(0, 5) != "HTTP/" || space == std::string_view::npos
        || std::from_chars(statusLine.data() + space + 1, statusLine.data() + statusLine.size(), status).ec
            != std::errc()) {
        error = "not an HTTP response";
        close();
        return Result::Failed;
    }
    response = HttpResponse {};
    response.status = status;
    std::size_t contentLength = 0;
    bool hasLength = false;
    bool chunked = false;
    bool closeAfter = statusLine.substr(0, 8) == "HTTP/1.0";
    std::size_t pos = lineEnd == std::string_view::npos ? head.size() : lineEnd + 2;
    while (pos < head.size()) {
        std::size_t end = head.find("\r\n", pos);
        if (end == std::string_view::npos)
            end = head.size();
        const std::string_view line = head.substr(pos, end - pos);
        pos = end + 2;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string name = lower(trim(line.substr(0, colon)));
        const std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-length") {
            hasLength = std::from_chars(value.data(), value.data() + value.size(), contentLength).ec == std::errc();
        } else if (name == "transfer-encoding") {
            chunked = lower(value).find("chunked") != std::string::npos;
        } else if (name == "connection") {
            const std::string v = lower(value);
            if (v.find("close") != std::string::npos)
                closeAfter = true;
            else if (v.find("keep-alive") != std::string::npos)
                closeAfter = false;
        } else if (name == "retry-after") {
            response.retryAfter = std::string(value);
        }
    }
    m_buffer.erase(0, headerEnd + 4);

    if (chunked) {
        std::string body;
        for (;;) {
            std::size_t sizeEnd;
            while ((sizeEnd = m_buffer.find("\r\n")) == std::string::npos) {
                if (!receive(deadline, eof, error)) {
                    close();
                    return Result::Failed;
                }
            }
            std::size_t size = 0;
            std::from_chars(m_buffer.data(), m_buffer.data() + sizeEnd, size, 16);
            if (size > kMaxResponseBytes) {
                error = "response too large";
                close();
                return Result::Failed;
            }
            while (m_buffer.size() < sizeEnd + 2 + size + 2) {
                if (!receive(deadline, eof, error)) {
                    close();
                    return Result::Failed;
                }
            }
            body.append(m_buffer, sizeEnd + 2, size);
            m_buffer.erase(0, sizeEnd + 2 + size + 2);
            if (size == 0)
                break; // trailers are not used by PerfWatch
        }
        response.body = std::move(body);
    } else if (hasLength) {
        if (contentLength > kMaxResponseBytes) {
            error = "response too large";
            close();
            return Result::Failed;
        }
        while (m_buffer.size() < contentLength) {
            if (!receive(deadline, eof, error)) {
                close();
                return Result::Failed;
            }
        }
        response.body = m_buffer.substr(0, contentLength);
        m_buffer.erase(0, contentLength);
    } else {
        while (receive(deadline, eof, error)) { }
        if (!eof) {
            close();
            return Result::Failed;
        }
        response.body = std::move(m_buffer);
        closeAfter = true;
    }
    error.clear();
    if (closeAfter)
        close();
    else
        m_lastUse = Clock::now();
    return Result::Ok;
}

} // namespace perfwatch::detail
