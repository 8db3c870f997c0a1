#include "keyindex.h"

#include <algorithm>
#include <cstring>

namespace perfwatch {

namespace {

constexpr std::uint64_t kMulA = 0x9E3779B97F4A7C15ULL;
constexpr std::uint64_t kMulB = 0xBF58476D1CE4E5B9ULL;

inline std::uint64_t mix(std::uint64_t h, std::uint64_t k)
{
    h ^= k;
    h *= kMulB;
    return h ^ (h >> 31);
}

/// Eight bytes at a time; the length goes in too, so "ab" + "c" and "a" + "bc" differ. Tails
/// are read with whole (overlapping) loads, never byte by byte: byte-wise copies into a word
/// stall on store forwarding, which showed up as the hottest instruction of ingest.
inline std::uint64_t hashBytes(std::uint64_t h, std::string_view s)
{
    const char *p = s.data();
    const std::size_t n = s.size();
    h = mix(h, n * kMulA);
    if (n >= 8) {
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            std::uint64_t k;
            std::memcpy(&k, p + i, 8);
            h = mix(h, k);
        }
        if (i < n) {
            std::uint64_t k;
            std::memcpy(&k, p + n - 8, 8);
            h = mix(h, k);
        }
    } else if (n >= 4) {
        std::uint32_t a;
        std::uint32_t b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        h = mix(h, (std::uint64_t(a) << 32) | b);
    } else if (n > 0) {
        const auto byte = [p](std::size_t i) { return std::uint64_t(static_cast<unsigned char>(p[i])); };
        h = mix(h, (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1));
    }
    return h;
}

} // namespace

KeyIndex::KeyIndex(std::uint64_t seed)
    : m_seed(seed | 1)
    , m_slots(64)
{ }

std::uint64_t KeyIndex::hash(MetricKind kind, std::string_view service, std::string_view name) const
{
    std::uint64_t h = mix(m_seed, std::uint64_t(kind) + 1);
    h = hashBytes(h, service);
    h = hashBytes(h, name);
    return h ^ (h >> 29);
}

std::uint32_t KeyIndex::find(std::uint64_t hash, MetricKind kind, std::string_view service, std::string_view name) const
{
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = std::size_t(hash) & mask;; i = (i + 1) & mask) {
        const Slot &slot = m_slots[i];
        if (slot.entry == kNotFound)
            return kNotFound;
        if (slot.hash == hash) {
            const Entry &e = m_entries[slot.entry];
            if (e.kind == kind && e.name == name && e.service == service)
                return e.id;
        }
    }
}

void KeyIndex::insert(
    std::uint64_t hash, MetricKind kind, std::string_view service, std::string_view name, std::uint32_t id)
{
    if ((m_entries.size() + 1) * 2 > m_slots.size())
        grow();
    m_entries.push_back(Entry { kind, std::string(service), std::string(name), id });
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = std::size_t(hash) & mask;
    while (m_slots[i].entry != kNotFound)
        i = (i + 1) & mask;
    m_slots[i] = Slot { hash, std::uint32_t(m_entries.size() - 1) };
}

void KeyIndex::erase(const std::vector<std::uint32_t> &ids)
{
    std::vector<std::uint32_t> renumber(m_entries.size(), kNotFound);
    std::vector<Entry> kept;
    kept.reserve(m_entries.size());
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (std::binary_search(ids.begin(), ids.end(), m_entries[i].id))
            continue;
        renumber[i] = std::uint32_t(kept.size());
        kept.push_back(std::move(m_entries[i]));
    }
    m_entries = std::move(kept);
    std::vector<Slot> old = std::move(m_slots);
    std::size_t slots = 64;
    while ((m_entries.size() + 1) * 2 > slots)
        slots *= 2;
    m_slots.assign(slots, Slot {});
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot &s : old) {
        if (s.entry == kNotFound || renumber[s.entry] == kNotFound)
            continue;
        std::size_t i = std::size_t(s.hash) & mask;
        while (m_slots[i].entry != kNotFound)
            i = (i + 1) & mask;
        m_slots[i] = Slot { s.hash, renumber[s.entry] };
    }
}

void KeyIndex::grow()
{
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.size() * 2, Slot {});
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot &s : old) {
        if (s.entry == kNotFound)
            continue;
        std::size_t i = std::size_t(s.hash) & mask;
        while (m_slots[i].entry != kNotFound)
            i = (i + 1) & mask;
        m_slots[i] = s;
    }
}

} // namespace perfwatch
