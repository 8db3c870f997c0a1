#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace perfwatch::loadgen {

/// Incremental parser of one HTTP/1.x response at a time.
///
/// Understands Content-Length, chunked and read-until-close bodies, skips interim 1xx
/// responses, and extracts what a load generator acts on: the status, whether the connection
/// stays open, and Retry-After. Bounded: oversized headers or bodies are an error, never growth.
class HttpResponseParser
{
public:
    enum class State
    {
        Incomplete,
        Complete,
        Error,
    };

    static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
    static constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;

    /// Forgets the previous response; keeps the buffer's capacity.
    void reset();
    /// Appends received bytes and parses as far as possible.
    State feed(std::string_view bytes);
    /// The peer closed the connection: completes a read-until-close body, otherwise an error.
    State finishOnClose();

    State state() const { return m_state; }
    /// True once the status line and headers are in.
    bool hasHeaders() const { return m_bodyStart != 0; }
    int status() const { return m_status; }
    bool keepAlive() const { return m_keepAlive; }
    /// Seconds from Retry-After (delta-seconds or an HTTP date), when present and valid.
    std::optional<double> retryAfterSeconds() const { return m_retryAfter; }
    std::string_view body() const;
    std::string_view error() const { return m_error; }

private:
    enum class BodyMode
    {
        Length,
        Chunked,
        UntilClose,
    };

    State parse();
    State parseHeaders();
    State parseChunks();
    State fail(std::string message);

    std::string m_buffer;
    std::string m_chunkedBody;
    std::string m_error;
    State m_state = State::Incomplete;
    std::size_t m_scanFrom = 0; ///< where the search for the end of the header block resumes
    std::size_t m_bodyStart = 0; ///< 0 until the headers are parsed
    std::size_t m_contentLength = 0;
    std::size_t m_chunkPos = 0; ///< next chunk-size line (chunked bodies)
    BodyMode m_mode = BodyMode::Length;
    int m_status = 0;
    bool m_keepAlive = true;
    std::optional<double> m_retryAfter;
};

} // namespace perfwatch::loadgen
