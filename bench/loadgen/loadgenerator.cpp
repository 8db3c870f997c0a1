#include "loadgenerator.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <string_view>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

namespace perfwatch::loadgen {

namespace {

using namespace std::chrono_literals;

volatile std::sig_atomic_t s_stopRequested = 0;

constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr auto kMinReconnectDelay = 50ms;
constexpr auto kMaxReconnectDelay = 1s;
constexpr std::uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP;
constexpr std::uint32_t kWriteEvents = EPOLLIN | EPOLLRDHUP | EPOLLOUT;

std::string errnoText(int error)
{
    return std::strerror(error);
}

double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval &tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// The N of "accepted": N in a response body, if there is one.
std::optional<std::uint64_t> acceptedCount(std::string_view body)
{
    constexpr std::string_view kKey = "\"accepted\"";
    std::size_t at = body.find(kKey);
    if (at == std::string_view::npos)
        return std::nullopt;
    at += kKey.size();
    while (at < body.size() && (body[at] == ' ' || body[at] == ':'))
        ++at;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(body.data() + at, body.data() + body.size(), value);
    if (ec != std::errc() || end == body.data() + at)
        return std::nullopt;
    return value;
}

std::string hostPort(const LoadOptions &options)
{
    const bool ipv6 = options.host.find(':') != std::string::npos;
    return (ipv6 ? '[' + options.host + ']' : options.host) + ':' + std::to_string(options.port);
}

} // namespace

LoadGenerator::LoadGenerator(const LoadOptions &options, const Workload &workload)
    : m_options(options)
    , m_workload(workload)
    , m_connections(std::size_t(options.connections))
    , m_timeout(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeoutS)))
    , m_readBuffer(kReadBufferBytes)
{
    if (options.rate > 0) {
        const double seconds = double(options.connections) * double(options.batch) / options.rate;
        m_interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    }
}

LoadGenerator::~LoadGenerator()
{
    for (Connection &c : m_connections)
        closeSocket(c);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void LoadGenerator::requestStop()
{
    s_stopRequested = 1;
}

bool LoadGenerator::prepare(std::string &error)
{
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    const std::string port = std::to_string(m_options.port);
    if (const int rc = getaddrinfo(m_options.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = "cannot resolve " + m_options.host + ": " + gai_strerror(rc);
        return false;
    }
    std::memcpy(&m_address, found->ai_addr, found->ai_addrlen);
    m_addressLength = found->ai_addrlen;
    freeaddrinfo(found);

    // One blocking probe, so that a wrong port is one clear line instead of a run full of errors.
    const int fd = ::socket(m_address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = "cannot create a socket: " + errnoText(errno);
        return false;
    }
    int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&m_address), m_addressLength);
    int connectError = rc == 0 ? 0 : errno;
    if (connectError == EINPROGRESS) {
        pollfd pfd { fd, POLLOUT, 0 };
        const int timeoutMs = int(std::min(m_options.timeoutS, 5.0) * 1000);
        rc = ::poll(&pfd, 1, timeoutMs);
        if (rc == 0) {
            connectError = ETIMEDOUT;
        } else {
            socklen_t length = sizeof connectError;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &connectError, &length);
        }
    }
    ::close(fd);
    if (connectError != 0) {
        error = "cannot connect to " + hostPort(m_options) + ": " + errnoText(connectError);
        return false;
    }
    return true;
}

LoadResult LoadGenerator::run()
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        m_result.lastError = "epoll_create1: " + errnoText(errno);
        return m_result;
    }

    const auto toDuration = [](double seconds) {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    };
    Clock::time_point now = Clock::now();
    const Clock::time_point warmupEnd = now + toDuration(m_options.warmupS);
    Clock::time_point measureStart = now;
    Clock::time_point end = warmupEnd + toDuration(m_options.durationS);
    double cpuAtStart = cpuSeconds();
    m_measuring = m_options.warmupS <= 0;

    // Spread the first requests of rate-limited connections over one interval.
    const auto count = int(m_connections.size());
    for (int i = 0; i < count; ++i) {
        Connection &c = m_connections[std::size_t(i)];
        c.index = i;
        c.nextRequest = m_workload.size() * std::size_t(i) / std::size_t(count);
        c.nextDue = now + m_interval * i / count;
        startConnect(c, now);
    }

    std::array<epoll_event, 256> events {};
    while (!s_stopRequested) {
        now = Clock::now();
        if (!m_measuring && now >= warmupEnd) {
            m_result = LoadResult();
            m_measuring = true;
            measureStart = now;
            end = now + toDuration(m_options.durationS);
            cpuAtStart = cpuSeconds();
        }
        if (m_measuring && now >= end)
            break;
        const Clock::time_point wake = std::min(m_nextTimer, m_measuring ? end : warmupEnd);
        const auto waitMs = wake <= now ? 0 : std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
        const int n = epoll_wait(m_epoll, events.data(), int(events.size()), int(std::min<long long>(waitMs, 100)));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            m_result.lastError = "epoll_wait: " + errnoText(errno);
            break;
        }
        for (int i = 0; i < n; ++i)
            onEvent(m_connections[events[std::size_t(i)].data.u32], events[std::size_t(i)].events, Clock::now());
        if (const Clock::time_point after = Clock::now(); after >= m_nextTimer)
            onTimers(after);
    }

    now = std::min(Clock::now(), end);
    m_result.elapsedS = std::chrono::duration<double>(now - measureStart).count();
    m_result.clientCpuS = cpuSeconds() - cpuAtStart;
    if (!m_measuring) {
        m_result = LoadResult(); // stopped during warm-up: nothing measured
        m_result.lastError = "stopped during warm-up";
    }
    for (Connection &c : m_connections) {
        if (c.phase == Phase::Sending || c.phase == Phase::Receiving)
            ++m_result.inFlightAtEnd;
        closeSocket(c);
    }
    return m_result;
}

void LoadGenerator::startConnect(Connection &c, Clock::time_point now)
{
    c.fd = ::socket(m_address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        noteError(m_result.connectFailures, "socket: " + errnoText(errno));
        failConnection(c, now);
        return;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.answered = false;
    c.interest = kWriteEvents;
    epoll_event event {};
    event.events = c.interest;
    event.data.u32 = std::uint32_t(c.index);
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &event);

    if (::connect(c.fd, reinterpret_cast<const sockaddr *>(&m_address), m_addressLength) == 0) {
        onConnected(c, now);
    } else if (errno == EINPROGRESS) {
        c.phase = Phase::Connecting;
        c.deadline = now + m_timeout;
        schedule(c.deadline);
    } else {
        noteError(m_result.connectFailures, "connect: " + errnoText(errno));
        failConnection(c, now);
    }
}

void LoadGenerator::closeSocket(Connection &c)
{
    if (c.fd >= 0)
        ::close(c.fd); // also removes it from the epoll set
    c.fd = -1;
    c.interest = 0;
}

void LoadGenerator::dropConnection(Connection &c, Clock::time_point now, Clock::duration delay)
{
    closeSocket(c);
    c.phase = Phase::Disconnected;
    c.wakeAt = now + delay;
    schedule(c.wakeAt);
}

void LoadGenerator::failConnection(Connection &c, Clock::time_point now)
{
    if (c.answered) {
        c.reconnectDelay = {};
    } else {
        c.reconnectDelay = std::clamp<Clock::duration>(c.reconnectDelay * 2, kMinReconnectDelay, kMaxReconnectDelay);
    }
    dropConnection(c, now, c.reconnectDelay);
}

void LoadGenerator::setInterest(Connection &c, std::uint32_t events)
{
    if (c.interest == events)
        return;
    epoll_event event {};
    event.events = events;
    event.data.u32 = std::uint32_t(c.index);
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &event);
    c.interest = events;
}

void LoadGenerator::onEvent(Connection &c, std::uint32_t events, Clock::time_point now)
{
    switch (c.phase) {
    case Phase::Disconnected:
        return;
    case Phase::Connecting: {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            noteError(m_result.connectFailures, "connect: " + errnoText(error));
            failConnection(c, now);
        } else if (events & EPOLLOUT) {
            onConnected(c, now);
        }
        return;
    }
    case Phase::Sending:
        // The server may answer (413, 503) or close before it has read the whole request.
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
            receive(c, now);
        if (c.phase == Phase::Sending && (events & EPOLLOUT))
            continueSending(c, now);
        return;
    case Phase::Receiving:
        receive(c, now);
        return;
    case Phase::Waiting: {
        // Nothing is expected on an idle connection; a close is the server ending keep-alive.
        const ssize_t n = ::recv(c.fd, m_readBuffer.data(), m_readBuffer.size(), 0);
        if (n == 0) {
            dropConnection(c, now, {}); // reconnect now; the request still waits for nextDue
        } else if (n > 0) {
            noteError(m_result.protocolErrors, "protocol: unsolicited bytes on an idle connection");
            failConnection(c, now);
        } else if (errno != EAGAIN && errno != EINTR) {
            failConnection(c, now);
        }
        return;
    }
    }
}

void LoadGenerator::onConnected(Connection &c, Clock::time_point now)
{
    beginRequestOrWait(c, now);
}

void LoadGenerator::beginRequestOrWait(Connection &c, Clock::time_point now)
{
    // nextDue carries both the rate schedule and a Retry-After back-off.
    if (c.nextDue > now) {
        c.phase = Phase::Waiting;
        c.wakeAt = c.nextDue;
        schedule(c.wakeAt);
        setInterest(c, kReadEvents);
        return;
    }
    beginRequest(c, now);
}

void LoadGenerator::beginRequest(Connection &c, Clock::time_point now)
{
    if (m_interval > Clock::duration::zero())
        c.nextDue = std::max(c.nextDue, now - m_interval) + m_interval; // catch up at most one interval
    c.request = &m_workload.request(c.nextRequest++);
    c.sent = 0;
    c.parser.reset();
    c.phase = Phase::Sending;
    c.sendStart = now;
    c.deadline = now + m_timeout;
    schedule(c.deadline);
    continueSending(c, now);
}

void LoadGenerator::continueSending(Connection &c, Clock::time_point now)
{
    const std::string &request = *c.request;
    while (c.sent < request.size()) {
        const ssize_t n = ::send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
        if (n > 0) {
            c.sent += std::size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            setInterest(c, kWriteEvents);
            return;
        }
        noteError(m_result.resets, "send: " + errnoText(n < 0 ? errno : EPIPE));
        failConnection(c, now);
        return;
    }
    c.phase = Phase::Receiving;
    setInterest(c, kReadEvents);
}

void LoadGenerator::receive(Connection &c, Clock::time_point now)
{
    for (;;) {
        const ssize_t n = ::recv(c.fd, m_readBuffer.data(), m_readBuffer.size(), 0);
        if (n > 0) {
            const auto state = c.parser.feed(std::string_view(m_readBuffer.data(), std::size_t(n)));
            if (state == HttpResponseParser::State::Complete) {
                completeResponse(c, now);
                return;
            }
            if (state == HttpResponseParser::State::Error) {
                noteError(m_result.protocolErrors, "protocol: " + std::string(c.parser.error()));
                failConnection(c, now);
                return;
            }
            if (std::size_t(n) < m_readBuffer.size())
                return; // drained; level-triggered epoll reports the rest
            continue;
        }
        if (n == 0) {
            if (c.parser.finishOnClose() == HttpResponseParser::State::Complete) {
                completeResponse(c, now);
                return;
            }
            noteError(m_result.resets, "connection closed by the server before a complete response");
            failConnection(c, now);
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            noteError(m_result.resets, "recv: " + errnoText(errno));
            failConnection(c, now);
        }
        return;
    }
}

void LoadGenerator::completeResponse(Connection &c, Clock::time_point now)
{
    const int status = c.parser.status();
    const bool success = status >= 200 && status < 300;
    if (m_measuring) {
        m_result.latency.record(std::uint64_t(std::chrono::nanoseconds(now - c.sendStart).count()));
        ++m_result.requests;
        ++m_result.statusCounts[std::size_t(status)];
        if (success) {
            ++m_result.succeeded;
            m_result.eventsSent += std::uint64_t(m_workload.eventsPerRequest());
            if (const auto accepted = acceptedCount(c.parser.body())) {
                m_result.eventsAccepted += *accepted;
                m_result.acceptedReported = true;
            }
        }
    }
    c.answered = true;
    c.reconnectDelay = {};
    const auto retryAfter = c.parser.retryAfterSeconds();
    if ((status == 429 || status == 503) && retryAfter) {
        if (m_measuring)
            ++m_result.throttled;
        const auto backOff
            = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::min(*retryAfter, 3600.0)));
        c.nextDue = std::max(c.nextDue, now + backOff);
    }
    // An early answer (413, 503) leaves the rest of the request unsent: the stream is unusable.
    if (!c.parser.keepAlive() || c.sent < c.request->size()) {
        dropConnection(c, now, {});
        return;
    }
    beginRequestOrWait(c, now);
}

void LoadGenerator::onTimers(Clock::time_point now)
{
    m_nextTimer = Clock::time_point::max();
    for (Connection &c : m_connections) {
        switch (c.phase) {
        case Phase::Disconnected:
            if (now >= c.wakeAt)
                startConnect(c, now);
            else
                schedule(c.wakeAt);
            break;
        case Phase::Waiting:
            if (now >= c.wakeAt)
                beginRequest(c, now);
            else
                schedule(c.wakeAt);
            break;
        case Phase::Connecting:
        case Phase::Sending:
        case Phase::Receiving:
            if (now >= c.deadline) {
                noteError(m_result.timeouts,
                    c.phase == Phase::Connecting ? "timeout while connecting" : "timeout waiting for a response");
                failConnection(c, now);
            } else {
                schedule(c.deadline);
            }
            break;
        }
    }
}

void LoadGenerator::schedule(Clock::time_point at)
{
    m_nextTimer = std::min(m_nextTimer, at);
}

void LoadGenerator::noteError(std::uint64_t &counter, std::string message)
{
    if (m_measuring)
        ++counter;
    m_result.lastError = std::move(message);
}

} // namespace perfwatch::loadgen
