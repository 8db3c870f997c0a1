#pragma once

#include "event.h"

#include <QtGlobal>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Maps (kind, service, name) to a dense id: the store's per-event lookup.
///
/// Open addressing with linear probing over a power-of-two table of (hash, id) slots; the
/// strings live once, in the entries. The hash is seeded per instance so that a client cannot
/// precompute colliding names. Not thread-safe (the store guards it).
class KeyIndex
{
public:
    static constexpr std::uint32_t kNotFound = UINT32_MAX;

    explicit KeyIndex(std::uint64_t seed);

    std::uint64_t hash(MetricKind kind, std::string_view service, std::string_view name) const;
    /// The id stored for the key with this hash, or kNotFound.
    std::uint32_t find(std::uint64_t hash, MetricKind kind, std::string_view service, std::string_view name) const;
    /// Adds a key that find() did not know.
    void insert(std::uint64_t hash, MetricKind kind, std::string_view service, std::string_view name, std::uint32_t id);
    /// Forgets the keys with these ids (sorted ascending); O(keys), for the rare removal.
    void erase(const std::vector<std::uint32_t> &ids);
    std::size_t size() const { return m_entries.size(); }

private:
    struct Entry
    {
        MetricKind kind;
        std::string service;
        std::string name;
        std::uint32_t id;
    };
    struct Slot
    {
        std::uint64_t hash = 0;
        std::uint32_t entry = kNotFound; ///< index into m_entries
    };
    void grow();

    std::uint64_t m_seed;
    std::vector<Slot> m_slots;
    std::vector<Entry> m_entries;
};

} // namespace perfwatch
