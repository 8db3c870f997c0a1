#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace perfwatch {

/// Limits a RequestGuard enforces (docs/DESIGN.md §14).
struct RequestGuardLimits
{
    std::size_t maxHeaderBytes = 16 * 1024; ///< request line + header lines + blank lines before them
    std::size_t maxHeaderFields = 100; ///< Qt's header parser silently drops fields beyond 100
    std::uint64_t maxBodyBytes = 8ULL * 1024 * 1024; ///< Content-Length, or the sum of chunk sizes
    std::size_t maxChunkLineBytes = 1024; ///< one chunk-size line, extensions included
    /// DNS-rebinding defence for a server bound to loopback: the Host header must name a loopback
    /// address (`127.0.0.1`, any 127.x.y.z, `localhost`, `[::1]`, with or without a port), else
    /// 421; an HTTP/1.1 request needs exactly one Host (400), an HTTP/1.0 one may have none; the
    /// request target must be a path (absolute-form is for proxies).
    bool loopbackHostOnly = false;
};

/// Whether a Host header value names a loopback address: `localhost`, an IPv4 address in
/// 127.0.0.0/8 in dotted-decimal form or `[::1]`, each optionally followed by `:port`.
/// Case-insensitive; anything else (other names, a trailing dot, user info, an empty port) is not.
bool isLoopbackHost(std::string_view host);

/// What a RequestGuard saw of one request once its header block was complete, before its body.
struct RequestHead
{
    std::string_view method; ///< as sent ("GET")
    std::string_view target; ///< the request target as sent ("/api/x?y=1")
    /// Every Authorization field's value, joined by ", " as Qt's parser joins repeated fields.
    std::string_view authorization;
    bool http10 = false; ///< the request is HTTP/1.0
    bool connectionClose = false; ///< a Connection field lists "close"
    bool connectionKeepAlive = false; ///< a Connection field lists "keep-alive"
};

/// Follows the HTTP/1.1 framing of one connection's byte stream without buffering bodies.
///
/// Fed every chunk of bytes a connection receives, in order, it tracks request boundaries
/// (request line and headers up to the blank line, then a Content-Length or chunked body, or
/// none) across keep-alive and pipelined requests, and stops at the first violation:
/// 431 for a header block over the limit, 413 for a declared or chunked body over the limit
/// (decided from the header or chunk-size line, before any body byte), 400 for malformed
/// framing. It is stricter than Qt's own parser, so whatever passes frames the same way there.
/// With a head check set, each request's head is shown to it before any body byte is taken,
/// and a request it refuses is a 401 violation: nothing of its body is announced.
///
/// Pure and allocation-light (one line buffer bounded by the header limit), so it can be
/// fuzzed on its own.
class RequestGuard
{
public:
    enum class Violation : std::uint8_t
    {
        None,
        BadRequest, ///< 400
        PayloadTooLarge, ///< 413
        HeaderTooLarge, ///< 431
        MisdirectedRequest, ///< 421: the Host header names another server (loopbackHostOnly)
        Unauthorized, ///< 401: the head check refused the request (no or a wrong token)
    };

    /// Decides from a request's head whether it may go on (true) or is refused with 401.
    using HeadCheck = std::function<bool(const RequestHead &head)>;

    /// What one feed() saw happen.
    struct Progress
    {
        std::uint32_t started = 0; ///< requests whose first byte arrived
        std::uint32_t completed = 0; ///< requests whose last byte arrived
    };

    explicit RequestGuard(RequestGuardLimits limits = {});

    /// Called once per request when its header block is complete; empty: every request goes on.
    /// Kept by reset().
    void setHeadCheck(HeadCheck check) { m_headCheck = std::move(check); }

    /// Feeds the next bytes received. Once a violation is found the rest is ignored.
    Progress feed(std::string_view bytes);
    Progress feed(const char *data, std::size_t size) { return feed(std::string_view(data, size)); }

    Violation violation() const { return m_violation; }
    bool hasViolation() const { return m_violation != Violation::None; }
    /// 400, 401, 413, 421 or 431; 0 without a violation.
    int violationStatus() const;
    /// A stable machine-readable token: "bad_request", "unauthorized", "payload_too_large",
    /// "header_too_large", "misdirected_request".
    std::string_view violationError() const;
    /// One sentence for humans, e.g. "Content-Length 9000000 exceeds the limit of 8388608 bytes".
    const std::string &violationDetail() const { return m_detail; }

    /// A request has started (at least one byte of it arrived) and has not completed.
    bool inRequest() const;
    /// The current request's headers asked for "Expect: 100-continue" and its body has not started.
    bool awaitsContinue() const { return m_expectContinue && m_bodyBytes == 0 && inBody(); }
    /// The current request's headers are complete and its body is being received.
    bool inBody() const;
    /// Content-Length of the current request, or -1 (none yet, chunked, or no request).
    std::int64_t contentLength() const { return m_contentLength; }
    /// Body bytes announced so far over the connection, before they arrive: each request's
    /// Content-Length once its headers are complete, each chunk's size once its size line is.
    /// Lets the caller reserve memory for a body before reading it.
    std::uint64_t bodyBytesAnnounced() const { return m_announced; }

    std::uint64_t requestsStarted() const { return m_started; }
    std::uint64_t requestsCompleted() const { return m_completed; }
    std::uint64_t bytesFed() const { return m_bytesFed; }

    /// Back to a fresh connection.
    void reset();

private:
    enum class State : std::uint8_t
    {
        Idle, ///< between requests: empty lines are skipped
        RequestLine,
        HeaderLine,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        LastChunkCr,
        LastChunkLf,
        Failed,
    };

    std::size_t consumeLine(std::string_view bytes, bool header);
    bool lineComplete();
    bool requestLine(std::string_view line);
    bool headerLine(std::string_view line);
    bool headersComplete();
    bool chunkSizeLine(std::string_view line);
    void startRequest();
    void completeRequest();
    bool fail(Violation violation, std::string detail);

    RequestGuardLimits m_limits;
    HeadCheck m_headCheck;
    State m_state = State::Idle;
    Violation m_violation = Violation::None;
    std::string m_detail;
    std::string m_line; ///< the line being received, without its end
    std::size_t m_headerBytes = 0;
    std::size_t m_headerFields = 0;
    std::int64_t m_contentLength = -1;
    bool m_chunked = false;
    bool m_expectContinue = false;
    bool m_http10 = false; ///< the current request is HTTP/1.0
    std::uint8_t m_hostFields = 0; ///< Host header lines of the current request (counted to 2)
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    // Kept for the head check only: the request line's method and target, the Authorization value.
    std::string m_method;
    std::string m_target;
    std::string m_authorization;
    bool m_hasAuthorization = false;
    std::uint64_t m_remaining = 0; ///< bytes left of the body or the current chunk
    std::uint64_t m_bodyBytes = 0; ///< body bytes (chunk data, not framing) of the current request so far
    std::uint64_t m_chunkTotal = 0; ///< sum of the chunk sizes announced so far
    std::uint64_t m_started = 0;
    std::uint64_t m_completed = 0;
    std::uint64_t m_bytesFed = 0;
    std::uint64_t m_announced = 0;
    Progress m_progress;
};

} // namespace perfwatch
