#include "httpresponseparser.h"

#include <algorithm>
#include <charconv>
#include <ctime>

namespace perfwatch::loadgen {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size()
        && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

bool containsTokenIgnoreCase(std::string_view list, std::string_view token)
{
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (equalsIgnoreCase(item, token))
            return true;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// Retry-After is delta-seconds or an IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT").
std::optional<double> parseRetryAfter(std::string_view value)
{
    double seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size())
        return seconds >= 0 ? std::optional<double>(seconds) : std::nullopt;
    std::tm tm {};
    const std::string text(value);
    const char *parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!parsed || *parsed != '\0')
        return std::nullopt;
    const std::time_t at = timegm(&tm);
    return std::max(0.0, std::difftime(at, std::time(nullptr)));
}

} // namespace

void HttpResponseParser::reset()
{
    m_buffer.clear();
    m_chunkedBody.clear();
    m_error.clear();
    m_state = State::Incomplete;
    m_scanFrom = 0;
    m_bodyStart = 0;
    m_contentLength = 0;
    m_chunkPos = 0;
    m_mode = BodyMode::Length;
    m_status = 0;
    m_keepAlive = true;
    m_retryAfter.reset();
}

HttpResponseParser::State HttpResponseParser::feed(std::string_view bytes)
{
    if (m_state != State::Incomplete) {
        // A complete response followed by more bytes: without pipelining, nothing may follow.
        return bytes.empty() ? m_state : fail("unexpected bytes after the response");
    }
    m_buffer.append(bytes);
    return parse();
}

HttpResponseParser::State HttpResponseParser::finishOnClose()
{
    if (m_state != State::Incomplete)
        return m_state;
    if (m_bodyStart != 0 && m_mode == BodyMode::UntilClose) {
        m_keepAlive = false;
        return m_state = State::Complete;
    }
    return fail(m_buffer.empty() ? "connection closed before the response" : "connection closed mid-response");
}

std::string_view HttpResponseParser::body() const
{
    if (m_bodyStart == 0)
        return {};
    if (m_mode == BodyMode::Chunked)
        return m_chunkedBody;
    const std::string_view all = std::string_view(m_buffer).substr(m_bodyStart);
    return m_mode == BodyMode::Length ? all.substr(0, m_contentLength) : all;
}

HttpResponseParser::State HttpResponseParser::fail(std::string message)
{
    m_error = std::move(message);
    return m_state = State::Error;
}

HttpResponseParser::State HttpResponseParser::parse()
{
    if (m_bodyStart == 0) {
        const State headers = parseHeaders();
        if (headers != State::Complete)
            return headers;
    }
    switch (m_mode) {
    case BodyMode::Length: {
        const std::size_t have = m_buffer.size() - m_bodyStart;
        if (have < m_contentLength)
            return State::Incomplete;
        if (have > m_contentLength)
            return fail("unexpected bytes after the response");
        return m_state = State::Complete;
    }
    case BodyMode::Chunked:
        return parseChunks();
    case BodyMode::UntilClose:
        if (m_buffer.size() - m_bodyStart > kMaxBodyBytes)
            return fail("response body too large");
        return State::Incomplete;
    }
    return State::Incomplete;
}

HttpResponseParser::State HttpResponseParser::parseHeaders()
{
    for (;;) {
        const std::size_t end = m_buffer.find("\r\n\r\n", m_scanFrom);
        if (end == std::string::npos) {
            if (m_buffer.size() > kMaxHeaderBytes)
                return fail("response header block too large");
            m_scanFrom = m_buffer.size() < 3 ? 0 : m_buffer.size() - 3;
            return State::Incomplete;
        }
        const std::string_view block = std::string_view(m_buffer).substr(0, end);
        const std::size_t lineEnd = block.find("\r\n");
        const std::string_view statusLine = block.substr(0, lineEnd);
        // "HTTP/1.1 202 Accepted": version, a space, three digits.
        if (statusLine.size() < 12 || !statusLine.starts_with("HTTP/1.") || statusLine[8] != ' ')
            return fail("malformed status line");
        int status = 0;
        const auto [ptr, ec] = std::from_chars(statusLine.data() + 9, statusLine.data() + 12, status);
        if (ec != std::errc() || ptr != statusLine.data() + 12 || status < 100 || status > 599)
            return fail("malformed status code");
        m_status = status;
        m_keepAlive = statusLine[7] == '1';

        bool hasLength = false;
        bool chunked = false;
        std::size_t length = 0;
        std::string_view rest = lineEnd == std::string_view::npos ? std::string_view() : block.substr(lineEnd + 2);
        while (!rest.empty()) {
            const std::size_t next = rest.find("\r\n");
            const std::string_view line = rest.substr(0, next);
            rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 2);
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0)
                return fail("malformed header line");
            const std::string_view name = line.substr(0, colon);
            const std::string_view value = trim(line.substr(colon + 1));
            if (equalsIgnoreCase(name, "content-length")) {
                std::size_t parsed = 0;
                const auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), parsed);
                if (e != std::errc() || p != value.data() + value.size() || (hasLength && parsed != length))
                    return fail("invalid Content-Length");
                hasLength = true;
                length = parsed;
            } else if (equalsIgnoreCase(name, "transfer-encoding")) {
                chunked = containsTokenIgnoreCase(value, "chunked");
            } else if (equalsIgnoreCase(name, "connection")) {
                if (containsTokenIgnoreCase(value, "close"))
                    m_keepAlive = false;
                else if (containsTokenIgnoreCase(value, "keep-alive"))
                    m_keepAlive = true;
            } else if (equalsIgnoreCase(name, "retry-after")) {
                m_retryAfter = parseRetryAfter(value);
            }
        }

        if (status < 200) {
            // Interim response (100 Continue, 103 Early Hints): drop it, the real one follows.
            m_buffer.erase(0, end + 4);
            m_scanFrom = 0;
            m_retryAfter.reset();
            continue;
        }
        m_bodyStart = end + 4;
        if (status == 204 || status == 304) {
            m_mode = BodyMode::Length;
            m_contentLength = 0;
        } else if (chunked) {
            m_mode = BodyMode::Chunked;
            m_chunkPos = m_bodyStart;
        } else if (hasLength) {
            if (length > kMaxBodyBytes)
                return fail("response body too large");
            m_mode = BodyMode::Length;
            m_contentLength = length;
        } else {
            m_mode = BodyMode::UntilClose;
            m_keepAlive = false;
        }
        return State::Complete;
    }
}

HttpResponseParser::State HttpResponseParser::parseChunks()
{
    for (;;) {
        const std::size_t lineEnd = m_buffer.find("\r\n", m_chunkPos);
        if (lineEnd == std::string::npos)
            return m_buffer.size() - m_chunkPos > 1024 ? fail("malformed chunk size") : State::Incomplete;
        std::string_view sizeText = std::string_view(m_buffer).substr(m_chunkPos, lineEnd - m_chunkPos);
        sizeText = trim(sizeText.substr(0, sizeText.find(';')));
        std::size_t size = 0;
        const auto [p, e] = std::from_chars(sizeText.data(), sizeText.data() + sizeText.size(), size, 16);
        if (e != std::errc() || p != sizeText.data() + sizeText.size())
            return fail("malformed chunk size");
        if (size == 0) {
            // Last chunk, then optional trailers, then an empty line.
            const std::size_t trailers = lineEnd + 2;
            if (m_buffer.size() < trailers + 2)
                return State::Incomplete;
            if (m_buffer.compare(trailers, 2, "\r\n") == 0)
                return m_buffer.size() == trailers + 2 ? m_state = State::Complete
                                                       : fail("unexpected bytes after the response");
            const std::size_t end = m_buffer.find("\r\n\r\n", trailers);
            if (end == std::string::npos)
                return m_buffer.size() - trailers > kMaxHeaderBytes ? fail("trailers too large") : State::Incomplete;
            return end + 4 == m_buffer.size() ? m_state = State::Complete : fail("unexpected bytes after the response");
        }
        if (size > kMaxBodyBytes || m_chunkedBody.size() + size > kMaxBodyBytes)
            return fail("response body too large");
        const std::size_t dataStart = lineEnd + 2;
        if (m_buffer.size() < dataStart + size + 2)
            return State::Incomplete;
        if (m_buffer.compare(dataStart + size, 2, "\r\n") != 0)
            return fail("malformed chunk");
        m_chunkedBody.append(m_buffer, dataStart, size);
        m_chunkPos = dataStart + size + 2;
    }
}

} // namespace perfwatch::loadgen
