#pragma once

#include "httpresponseparser.h"
#include "latencyhistogram.h"
#include "loadoptions.h"
#include "workload.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace perfwatch::loadgen {

/// What one run measured; only requests completed inside the measured window count.
struct LoadResult
{
    double elapsedS = 0;
    std::uint64_t requests = 0; ///< responses received (any status)
    std::uint64_t succeeded = 0; ///< 2xx responses
    std::uint64_t eventsSent = 0; ///< events in 2xx requests
    std::uint64_t eventsAccepted = 0; ///< sum of "accepted" in 2xx response bodies
    bool acceptedReported = false; ///< whether any response carried "accepted"
    std::array<std::uint64_t, 600> statusCounts {};
    std::uint64_t throttled = 0; ///< 429/503 with Retry-After; the connection backed off
    std::uint64_t connectFailures = 0;
    std::uint64_t resets = 0; ///< closed or reset by the server mid-request
    std::uint64_t timeouts = 0;
    std::uint64_t protocolErrors = 0;
    std::uint64_t inFlightAtEnd = 0; ///< started but not answered when the window closed
    double clientCpuS = 0; ///< user + system CPU time of this process in the window
    LatencyHistogram latency; ///< send start to complete response, nanoseconds
    std::string lastError; ///< the most recent error, one line
};

/// Drives the server: a single-threaded epoll loop over N keep-alive connections, each with
/// exactly one request in flight. Single-threaded so that on a small machine the generator
/// takes one core at most and its own cost stays visible (LoadResult::clientCpuS).
class LoadGenerator
{
public:
    using Clock = std::chrono::steady_clock;

    LoadGenerator(const LoadOptions &options, const Workload &workload);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator &) = delete;
    LoadGenerator &operator=(const LoadGenerator &) = delete;

    /// Resolves the host and checks that it accepts a connection; false with a one-line message.
    bool prepare(std::string &error);
    /// Runs warm-up and the measured window; returns early (with what was measured) when
    /// stopRequested() becomes true.
    LoadResult run();

    /// Asks a running loop to finish; async-signal-safe.
    static void requestStop();

private:
    enum class Phase
    {
        Disconnected, ///< waiting until wakeAt to (re)connect
        Connecting,
        Sending,
        Receiving,
        Waiting, ///< connected, waiting until wakeAt to send (rate limit or Retry-After)
    };

    struct Connection
    {
        int index = 0;
        int fd = -1;
        Phase phase = Phase::Disconnected;
        std::uint32_t interest = 0; ///< epoll events currently registered
        std::size_t nextRequest = 0;
        const std::string *request = nullptr;
        std::size_t sent = 0;
        bool answered = false; ///< this socket has completed a response
        Clock::time_point sendStart {};
        Clock::time_point deadline {}; ///< connect or request timeout
        Clock::time_point wakeAt {};
        Clock::time_point nextDue {}; ///< rate limiting: when the next request is due
        Clock::duration reconnectDelay {};
        HttpResponseParser parser;
    };

    void startConnect(Connection &c, Clock::time_point now);
    void closeSocket(Connection &c);
    /// Closes the socket and schedules a reconnect after delay.
    void dropConnection(Connection &c, Clock::time_point now, Clock::duration delay);
    /// Drops a connection after an error: reconnects at once if the socket had served responses,
    /// otherwise backs off (50 ms doubling to 1 s) so a refusing server is not hammered.
    void failConnection(Connection &c, Clock::time_point now);
    void setInterest(Connection &c, std::uint32_t events);
    void onEvent(Connection &c, std::uint32_t events, Clock::time_point now);
    void onConnected(Connection &c, Clock::time_point now);
    void beginRequestOrWait(Connection &c, Clock::time_point now);
    void beginRequest(Connection &c, Clock::time_point now);
    void continueSending(Connection &c, Clock::time_point now);
    void receive(Connection &c, Clock::time_point now);
    void completeResponse(Connection &c, Clock::time_point now);
    /// Fires due timers and recomputes m_nextTimer; runs only when m_nextTimer has passed.
    void onTimers(Clock::time_point now);
    /// Notes a new deadline or wake-up time, so the loop wakes for it.
    void schedule(Clock::time_point at);
    void noteError(std::uint64_t &counter, std::string message);

    const LoadOptions &m_options;
    const Workload &m_workload;
    sockaddr_storage m_address {};
    socklen_t m_addressLength = 0;
    int m_epoll = -1;
    std::vector<Connection> m_connections;
    Clock::duration m_timeout {};
    Clock::duration m_interval {}; ///< per connection between request starts; zero without --rate
    /// No connection has a deadline or wake-up before this (it may be earlier than needed, never
    /// later), so timers cost a scan of all connections only when one may be due.
    Clock::time_point m_nextTimer = Clock::time_point::max();
    bool m_measuring = false;
    LoadResult m_result;
    std::vector<char> m_readBuffer;
};

} // namespace perfwatch::loadgen
