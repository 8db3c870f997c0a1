#pragma once

#include "event.h"
#include "stringarena.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Why one event of a batch was rejected.
struct EventError
{
    std::size_t index = 0; ///< position of the event in the batch (0-based)
    std::string message; ///< e.g. `event 3: "duration_ms" must be a finite number >= 0`
};

/// The result of decoding one ingest body, reusable from request to request.
///
/// Events are views: their strings point into the decoder's copy of the body, its string
/// buffer, or this batch's arena, so a batch is valid until its decoder decodes again or
/// the batch is cleared. A refused batch (malformed body, too many events) holds no events.
class DecodedBatch
{
public:
    static constexpr std::size_t kMaxListedErrors = 20;

    DecodedBatch() = default;
    DecodedBatch(const DecodedBatch &) = delete;
    DecodedBatch &operator=(const DecodedBatch &) = delete;

    /// Forgets the previous batch, keeping allocated memory for the next one.
    void clear();

    std::span<const IngestEvent> events() const { return m_events; }
    std::size_t accepted() const { return m_events.size(); }
    std::size_t rejected() const { return m_rejected; }
    /// The first kMaxListedErrors rejections, in batch order.
    const std::vector<EventError> &errors() const { return m_errors; }

    /// True when the body as a whole was refused; nothing of it may be stored.
    bool isRefused() const { return m_refused; }
    /// One line saying why the body was refused; empty unless isRefused().
    const std::string &refusal() const { return m_refusal; }
    /// The body was refused for its size (too many events) rather than its form: 413, not 400.
    bool isRefusedAsTooLarge() const { return m_refused && m_tooLarge; }

    // Filled by decoders.
    IngestEvent &appendEvent() { return m_events.emplace_back(); }
    /// Appends a copy of `event` (without first value-initialising the slot it goes to).
    void appendEvent(const IngestEvent &event) { m_events.push_back(event); }
    void dropLastEvent() { m_events.pop_back(); }
    void reject(std::size_t index, std::string_view message);
    /// Refuses the whole body: events and per-event errors are dropped.
    void refuse(std::string_view reason, bool tooLarge = false);
    StringArena &arena() { return m_arena; }
    void reserve(std::size_t events) { m_events.reserve(events); }

private:
    std::vector<IngestEvent> m_events;
    std::vector<EventError> m_errors;
    std::size_t m_rejected = 0;
    bool m_refused = false;
    bool m_tooLarge = false;
    std::string m_refusal;
    StringArena m_arena;
};

} // namespace perfwatch
