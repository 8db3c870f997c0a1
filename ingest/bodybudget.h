#pragma once

#include <atomic>
#include <cstdint>

namespace perfwatch {

/// Bytes of request bodies the ingest port may hold in memory at once, over every connection
/// (and every ingest thread: it is lock-free and shared).
///
/// A connection reserves a body's announced size (Content-Length, or each chunk's size) before
/// the body is read, and releases it once the request was answered. When a reservation does not
/// fit, the request is answered 503 with Retry-After without reading its body, so a flood of
/// large bodies costs at most the capacity instead of connections x 8 MiB.
class BodyBudget
{
public:
    explicit BodyBudget(std::uint64_t capacityBytes)
        : m_capacity(capacityBytes)
    { }
    BodyBudget(const BodyBudget &) = delete;
    BodyBudget &operator=(const BodyBudget &) = delete;

    /// Reserves `bytes`; false, reserving nothing, when that would go over the capacity.
    bool tryReserve(std::uint64_t bytes);
    /// Gives back bytes reserved before.
    void release(std::uint64_t bytes);

    std::uint64_t capacity() const { return m_capacity; }
    std::uint64_t inUse() const { return m_inUse.load(std::memory_order_relaxed); }
    /// Reservations refused so far.
    std::uint64_t refusals() const { return m_refusals.load(std::memory_order_relaxed); }

private:
    const std::uint64_t m_capacity;
    std::atomic<std::uint64_t> m_inUse = 0;
    std::atomic<std::uint64_t> m_refusals = 0;
};

} // namespace perfwatch
