#include "requestguard.h"

#include <algorithm>
#include <cstring>

namespace perfwatch {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

bool equalsIgnoringCase(std::string_view a, std::string_view lowerB)
{
    if (a.size() != lowerB.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lowerB[i])
            return false;
    }
    return true;
}

std::string_view trimWhitespace(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool hasControlCharacter(std::string_view s)
{
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

bool isPort(std::string_view s)
{
    if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    int value = 0;
    for (const char c : s)
        value = value * 10 + (c - '0');
    return value <= 65535;
}

/// 127.x.y.z in dotted decimal, each part 0-255 without leading zeros.
bool isLoopbackIpv4(std::string_view s)
{
    for (int part = 0; part < 4; ++part) {
        const std::size_t dot = s.find('.');
        if ((dot == std::string_view::npos) != (part == 3))
            return false; // three dots exactly
        const std::string_view digits = s.substr(0, dot);
        if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits.front() == '0')
            || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        int value = 0;
        for (const char c : digits)
            value = value * 10 + (c - '0');
        if (value > 255 || (part == 0 && value != 127))
            return false;
        s.remove_prefix(part == 3 ? s.size() : dot + 1);
    }
    return true;
}

/// Whether a comma-separated list of tokens (a Connection value) holds `lowerToken`.
bool listHasToken(std::string_view list, std::string_view lowerToken)
{
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        if (equalsIgnoringCase(trimWhitespace(list.substr(0, comma)), lowerToken))
            return true;
        list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
    return false;
}

/// Up to 64 bytes of a header value for a message, with anything but printable ASCII as '?'.
std::string quoted(std::string_view value)
{
    std::string out = "\"";
    for (const char c : value.substr(0, 64))
        out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
    if (value.size() > 64)
        out += "...";
    return out + '"';
}

} // namespace

bool isLoopbackHost(std::string_view host)
{
    std::string_view name = host;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos)
            return false;
        name = host.substr(0, close + 1);
        const std::string_view rest = host.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return false;
            port = rest.substr(1);
            if (!isPort(port))
                return false;
        }
        return name == "[::1]";
    }
    if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        name = host.substr(0, colon);
        if (!isPort(host.substr(colon + 1)))
            return false;
    }
    return equalsIgnoringCase(name, "localhost") || isLoopbackIpv4(name);
}

RequestGuard::RequestGuard(RequestGuardLimits limits)
    : m_limits(limits)
{
    m_line.reserve(256);
}

void RequestGuard::reset()
{
    HeadCheck check = std::move(m_headCheck);
    *this = RequestGuard(m_limits);
    m_headCheck = std::move(check);
}

int RequestGuard::violationStatus() const
{
    switch (m_violation) {
    case Violation::None:
        return 0;
    case Violation::BadRequest:
        return 400;
    case Violation::Unauthorized:
        return 401;
    case Violation::PayloadTooLarge:
        return 413;
    case Violation::HeaderTooLarge:
        return 431;
    case Violation::MisdirectedRequest:
        return 421;
    }
    return 400;
}

std::string_view RequestGuard::violationError() const
{
    switch (m_violation) {
    case Violation::None:
        return {};
    case Violation::BadRequest:
        return "bad_request";
    case Violation::Unauthorized:
        return "unauthorized";
    case Violation::PayloadTooLarge:
        return "payload_too_large";
    case Violation::HeaderTooLarge:
        return "header_too_large";
    case Violation::MisdirectedRequest:
        return "misdirected_request";
    }
    return "bad_request";
}

bool RequestGuard::inRequest() const
{
    return m_state != State::Idle && m_state != State::Failed;
}

bool RequestGuard::inBody() const
{
    switch (m_state) {
    case State::Body:
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataCr:
    case State::ChunkDataLf:
    case State::LastChunkCr:
    case State::LastChunkLf:
        return true;
    default:
        return false;
    }
}

RequestGuard::Progress RequestGuard::feed(std::string_view bytes)
{
    m_progress = {};
    m_bytesFed += bytes.size();
    std::size_t i = 0;
    while (i < bytes.size()) {
        switch (m_state) {
        case State::Failed:
            return m_progress;
        case State::Idle: {
            // RFC 9112 §2.2: ignore empty lines before a request line. They still count against
            // the next header block, so a stream of CRLFs cannot go on forever.
            const char c = bytes[i];
            if (c == '\r' || c == '\n') {
                ++i;
                if (++m_headerBytes > m_limits.maxHeaderBytes)
                    fail(Violation::HeaderTooLarge,
                        "the request header block exceeds " + std::to_string(m_limits.maxHeaderBytes) + " bytes");
                break;
            }
            startRequest();
            m_state = State::RequestLine;
            break;
        }
        case State::RequestLine:
        case State::HeaderLine:
            i += consumeLine(bytes.substr(i), true);
            break;
        case State::ChunkSize:
            i += consumeLine(bytes.substr(i), false);
            break;
        case State::Body:
        case State::ChunkData: {
            const auto take = std::size_t(std::min<std::uint64_t>(m_remaining, bytes.size() - i));
            i += take;
            m_remaining -= take;
            m_bodyBytes += take;
            if (m_remaining == 0) {
                if (m_state == State::Body)
                    completeRequest();
                else
                    m_state = State::ChunkDataCr;
            }
            break;
        }
        case State::ChunkDataCr:
        case State::ChunkDataLf:
        case State::LastChunkCr:
        case State::LastChunkLf: {
            const char c = bytes[i++];
            const bool cr = m_state == State::ChunkDataCr || m_state == State::LastChunkCr;
            if (c != (cr ? '\r' : '\n')) {
                if (m_state == State::LastChunkCr)
                    fail(Violation::BadRequest, "chunked trailer fields are not supported");
                else
                    fail(Violation::BadRequest, "chunk data must be followed by CRLF");
                break;
            }
            if (m_state == State::ChunkDataCr)
                m_state = State::ChunkDataLf;
            else if (m_state == State::ChunkDataLf)
                m_state = State::ChunkSize;
            else if (m_state == State::LastChunkCr)
                m_state = State::LastChunkLf;
            else
                completeRequest();
            break;
        }
        }
    }
    return m_progress;
}

std::size_t RequestGuard::consumeLine(std::string_view bytes, bool header)
{
    const void *nl = std::memchr(bytes.data(), '\n', bytes.size());
    const std::size_t take = nl ? std::size_t(static_cast<const char *>(nl) - bytes.data()) + 1 : bytes.size();
    if (header) {
        m_headerBytes += take;
        if (m_headerBytes > m_limits.maxHeaderBytes) {
            fail(Violation::HeaderTooLarge,
                "the request header block exceeds " + std::to_string(m_limits.maxHeaderBytes) + " bytes");
            return take;
        }
    } else if (m_line.size() + take > m_limits.maxChunkLineBytes + 2) { // + CRLF
        fail(Violation::BadRequest,
            "a chunk-size line exceeds " + std::to_string(m_limits.maxChunkLineBytes) + " bytes");
        return take;
    }
    m_line.append(bytes.data(), nl ? take - 1 : take);
    if (nl)
        lineComplete();
    return take;
}

bool RequestGuard::lineComplete()
{
    std::string_view line = m_line;
    const bool crlf = !line.empty() && line.back() == '\r';
    if (crlf)
        line.remove_suffix(1);
    bool ok = true;
    if (line.find('\r') != std::string_view::npos) {
        ok = fail(Violation::BadRequest, "a bare CR inside a line");
    } else {
        switch (m_state) {
        case State::RequestLine:
            ok = requestLine(line);
            break;
        case State::HeaderLine:
            ok = line.empty() ? headersComplete() : headerLine(line);
            break;
        case State::ChunkSize:
            // Qt's chunk parser needs CRLF here, so a bare LF would desynchronise the two.
            ok = crlf ? chunkSizeLine(line) : fail(Violation::BadRequest, "a chunk-size line must end with CRLF");
            break;
        default:
            break;
        }
    }
    m_line.clear();
    return ok;
}

bool RequestGuard::requestLine(std::string_view line)
{
    // method SP request-target SP HTTP-version (RFC 9112 §3), single spaces.
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos)
        return fail(Violation::BadRequest, "malformed request line");
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!isToken(method))
        return fail(Violation::BadRequest, "malformed request line: invalid method");
    if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
        return fail(Violation::BadRequest, "malformed request line: invalid request target");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return fail(Violation::BadRequest, "unsupported HTTP version (HTTP/1.1 or HTTP/1.0 expected)");
    if (m_limits.loopbackHostOnly && target.front() != '/' && target != "*")
        return fail(Violation::MisdirectedRequest,
            "this server only answers requests for a path on the loopback address, not " + quoted(target));
    m_http10 = version == "HTTP/1.0";
    if (m_headCheck) {
        m_method.assign(method);
        m_target.assign(target);
    }
    m_state = State::HeaderLine;
    return true;
}

bool RequestGuard::headerLine(std::string_view line)
{
    if (++m_headerFields > m_limits.maxHeaderFields)
        return fail(Violation::HeaderTooLarge,
            "the request has more than " + std::to_string(m_limits.maxHeaderFields) + " header fields");
    if (line.front() == ' ' || line.front() == '\t')
        return fail(Violation::BadRequest, "folded header lines are not supported");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon)))
        return fail(Violation::BadRequest, "malformed header field");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trimWhitespace(line.substr(colon + 1));
    if (hasControlCharacter(value))
        return fail(Violation::BadRequest, "control character in a header value");

    if (equalsIgnoringCase(name, "content-length")) {
        if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return fail(Violation::BadRequest, "invalid Content-Length");
        // Decided here, before any body byte: more digits than the limit has is too large.
        const std::string limit = std::to_string(m_limits.maxBodyBytes);
        std::string_view digits = value;
        while (digits.size() > 1 && digits.front() == '0')
            digits.remove_prefix(1);
        if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > std::string_view(limit)))
            return fail(Violation::PayloadTooLarge,
                "Content-Length " + std::string(digits) + " exceeds the limit of " + limit + " bytes");
        std::int64_t length = 0;
        for (const char c : digits)
            length = length * 10 + (c - '0');
        if (m_contentLength >= 0 && m_contentLength != length)
            return fail(Violation::BadRequest, "conflicting Content-Length fields");
        if (m_chunked)
            return fail(Violation::BadRequest, "both Content-Length and Transfer-Encoding");
        m_contentLength = length;
    } else if (equalsIgnoringCase(name, "transfer-encoding")) {
        if (!equalsIgnoringCase(value, "chunked"))
            return fail(Violation::BadRequest, "only \"Transfer-Encoding: chunked\" is supported");
        if (m_chunked)
            return fail(Violation::BadRequest, "repeated Transfer-Encoding");
        if (m_contentLength >= 0)
            return fail(Violation::BadRequest, "both Content-Length and Transfer-Encoding");
        m_chunked = true;
    } else if (equalsIgnoringCase(name, "connection")) {
        m_connectionClose = m_connectionClose || listHasToken(value, "close");
        m_connectionKeepAlive = m_connectionKeepAlive || listHasToken(value, "keep-alive");
    } else if (equalsIgnoringCase(name, "authorization") && m_headCheck) {
        // Bounded by the header block limit.
        if (m_hasAuthorization)
            m_authorization += ", ";
        m_authorization.append(value);
        m_hasAuthorization = true;
    } else if (equalsIgnoringCase(name, "expect")) {
        m_expectContinue = equalsIgnoringCase(value, "100-continue");
    } else if (equalsIgnoringCase(name, "host") && m_limits.loopbackHostOnly) {
        if (++m_hostFields > 1)
            return fail(Violation::BadRequest, "more than one Host header");
        if (!isLoopbackHost(value))
            return fail(Violation::MisdirectedRequest,
                "Host " + quoted(value)
                    + " is not a loopback address; this server is bound to loopback and answers only requests "
                      "for 127.0.0.1, localhost or [::1] (DNS rebinding protection)");
    }
    return true;
}

bool RequestGuard::headersComplete()
{
    if (m_limits.loopbackHostOnly && m_hostFields == 0 && !m_http10)
        return fail(Violation::BadRequest, "an HTTP/1.1 request needs a Host header");
    // Before the body is announced: a refused request reserves nothing and its body is never kept.
    if (m_headCheck) {
        RequestHead head;
        head.method = m_method;
        head.target = m_target;
        head.authorization = m_authorization;
        head.http10 = m_http10;
        head.connectionClose = m_connectionClose;
        head.connectionKeepAlive = m_connectionKeepAlive;
        if (!m_headCheck(head))
            return fail(Violation::Unauthorized, "send the token as \"Authorization: Bearer <token>\"");
    }
    m_bodyBytes = 0;
    if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (m_contentLength > 0) {
        m_remaining = std::uint64_t(m_contentLength);
        m_announced += m_remaining;
        m_state = State::Body;
    } else {
        completeRequest();
    }
    return true;
}

bool RequestGuard::chunkSizeLine(std::string_view line)
{
    // chunk-size [ BWS ";" chunk-ext ]
    std::uint64_t size = 0;
    std::size_t i = 0;
    for (; i < line.size() && hexValue(line[i]) >= 0; ++i) {
        if (size > m_limits.maxBodyBytes)
            break; // already too large; stop before it can overflow
        size = size * 16 + std::uint64_t(hexValue(line[i]));
    }
    if (i == 0)
        return fail(Violation::BadRequest, "invalid chunk size");
    while (i < line.size() && hexValue(line[i]) >= 0)
        ++i;
    const std::string_view rest = trimWhitespace(line.substr(i));
    if (!rest.empty() && (rest.front() != ';' || hasControlCharacter(rest)))
        return fail(Violation::BadRequest, "invalid chunk size");
    if (size > m_limits.maxBodyBytes - std::min(m_limits.maxBodyBytes, m_chunkTotal))
        return fail(Violation::PayloadTooLarge,
            "the chunked body exceeds the limit of " + std::to_string(m_limits.maxBodyBytes) + " bytes");
    m_chunkTotal += size;
    m_announced += size;
    if (size == 0) {
        m_state = State::LastChunkCr;
    } else {
        m_remaining = size;
        m_state = State::ChunkData;
    }
    return true;
}

void RequestGuard::startRequest()
{
    ++m_started;
    ++m_progress.started;
}

void RequestGuard::completeRequest()
{
    ++m_completed;
    ++m_progress.completed;
    m_state = State::Idle;
    m_headerBytes = 0;
    m_headerFields = 0;
    m_contentLength = -1;
    m_chunked = false;
    m_expectContinue = false;
    m_http10 = false;
    m_hostFields = 0;
    m_connectionClose = false;
    m_connectionKeepAlive = false;
    m_authorization.clear();
    m_hasAuthorization = false;
    m_remaining = 0;
    m_bodyBytes = 0;
    m_chunkTotal = 0;
}

bool RequestGuard::fail(Violation violation, std::string detail)
{
    m_violation = violation;
    m_detail = std::move(detail);
    m_state = State::Failed;
    return false;
}

} // namespace perfwatch
