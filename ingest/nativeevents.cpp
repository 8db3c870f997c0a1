// NativeDecoder: checking a parsed event against the fields its type requires and building the
// IngestEvent, with the api and db keys composed once per batch.

#include "nativedecoderimpl.h"
#include "routenormalizer.h"
#include "valuebounds.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace perfwatch {

namespace {

/// A cheap hash of a string from its length and at most 16 of its bytes (two overlapping
/// loads), for picking a slot; collisions only cost a compare.
inline std::uint64_t sketchHash(std::string_view s)
{
    const char *p = s.data();
    const std::size_t n = s.size();
    std::uint64_t x = n;
    if (n >= 8)
        x ^= loadBytes<std::uint64_t>(p) ^ std::rotl(loadBytes<std::uint64_t>(p + n - 8), 29);
    else if (n >= 4)
        x ^= (std::uint64_t(loadBytes<std::uint32_t>(p)) << 32) ^ loadBytes<std::uint32_t>(p + n - 4);
    else if (n > 0)
        x ^= (std::uint64_t(std::uint8_t(p[0])) << 16) ^ (std::uint64_t(std::uint8_t(p[n / 2])) << 8)
            ^ std::uint8_t(p[n - 1]);
    return x * 0xff51afd7ed558ccdULL;
}

/// kindFromName() without a loop of string compares (hot path).
bool kindOf(std::string_view name, MetricKind &kind)
{
    switch (name.size()) {
    case 2:
        if (sameBytes<"db">(name))
            return kind = MetricKind::Db, true;
        break;
    case 3:
        if (sameBytes<"api">(name))
            return kind = MetricKind::Api, true;
        break;
    case 5:
        if (sameBytes<"gauge">(name))
            return kind = MetricKind::Gauge, true;
        if (sameBytes<"cache">(name))
            return kind = MetricKind::Cache, true;
        break;
    case 10:
        if (sameBytes<"processing">(name))
            return kind = MetricKind::Processing, true;
        break;
    default:
        break;
    }
    return false;
}

bool isTokenChar(char c)
{
    // RFC 9110 tchar
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

char upperAscii(char c)
{
    return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
}

} // namespace

bool NativeDecoder::Impl::checkRequiredString(
    Slot slot, std::size_t index, std::string_view name, std::string_view value)
{
    switch (slot) {
    case Slot::Absent:
        reject(index, name, "is required");
        return false;
    case Slot::Invalid:
        reject(index, name, "must be a string");
        return false;
    case Slot::Ok:
        break;
    }
    if (value.empty()) {
        reject(index, name, "must not be empty");
        return false;
    }
    if (value.size() > limits.maxStringBytes) {
        reject(index, name, "must be at most " + std::to_string(limits.maxStringBytes) + " bytes");
        return false;
    }
    return true;
}

bool NativeDecoder::Impl::checkOptionalString(
    Slot slot, std::size_t index, std::string_view name, std::string_view value)
{
    if (slot == Slot::Invalid) {
        reject(index, name, "must be a string");
        return false;
    }
    if (value.size() > limits.maxStringBytes) {
        reject(index, name, "must be at most " + std::to_string(limits.maxStringBytes) + " bytes");
        return false;
    }
    return true;
}

bool NativeDecoder::Impl::checkDuration(Slot slot, double duration, std::size_t index)
{
    if (slot == Slot::Absent) {
        reject(index, "duration_ms", "is required");
        return false;
    }
    if (slot != Slot::Ok || !(duration >= 0)) {
        reject(index, "duration_ms", "must be a finite number >= 0");
        return false;
    }
    if (!bounds::isDurationMs(duration)) {
        reject(index, "duration_ms", "must be at most 1e12 (ms, about 31.7 years)");
        return false;
    }
    return true;
}

bool NativeDecoder::Impl::checkCount(Slot slot, std::size_t index, std::string_view name, bool required)
{
    if (slot == Slot::Absent && required) {
        reject(index, name, "is required");
        return false;
    }
    if (slot == Slot::Invalid) {
        reject(index, name, "must be a non-negative integer");
        return false;
    }
    return true;
}

NativeDecoder::Impl::ComposedKey *NativeDecoder::Impl::composedSlot(
    MetricKind kind, std::string_view a, std::string_view b)
{
    // NDJSON lines reuse the parser's buffer, so their parts are not stable: no reuse there.
    if (!stableStrings)
        return nullptr;
    const std::uint64_t h = (sketchHash(a) * 31 + sketchHash(b)) * 0x9e3779b97f4a7c15ULL + std::uint64_t(kind);
    return &composed[(h >> 40) % kComposedSlots];
}

bool NativeDecoder::Impl::cachedKey(
    const ComposedKey *slot, MetricKind kind, std::string_view a, std::string_view b, std::string_view &out) const
{
    if (!slot || slot->batch != batchNumber || slot->kind != kind || slot->a != a || slot->b != b)
        return false;
    out = slot->key;
    return true;
}

void NativeDecoder::Impl::rememberKey(
    ComposedKey *slot, MetricKind kind, std::string_view a, std::string_view b, std::string_view key)
{
    if (slot)
        *slot = ComposedKey { a, b, key, kind, batchNumber };
}

bool NativeDecoder::Impl::composeKey(std::string_view a, std::string_view b, bool upperA, std::string_view &out)
{
    const std::size_t size = a.size() + 1 + b.size();
    if (size > limits.maxStringBytes)
        return false;
    char *key = batch->arena().allocate(size);
    for (std::size_t i = 0; i < a.size(); ++i)
        key[i] = upperA ? upperAscii(a[i]) : a[i];
    key[a.size()] = ':';
    std::memcpy(key + a.size() + 1, b.data(), b.size());
    out = { key, size };
    return true;
}

void NativeDecoder::Impl::finishEvent(ParsedEvent &p, std::size_t index)
{
    const std::size_t maxString = limits.maxStringBytes;
    MetricKind kind = MetricKind::Api;
    if (p[Field::Type] == Slot::Absent)
        return reject(index, "type", "is required");
    if (p[Field::Type] != Slot::Ok || !kindOf(p.type, kind))
        return reject(index, "type", R"(must be one of "api", "db", "processing", "gauge", "cache")");

    IngestEvent e;
    e.kind = kind;
    switch (kind) {
    case MetricKind::Api: {
        if (!checkRequiredString(p[Field::Method], index, "method", p.method)
            || !checkRequiredString(p[Field::Route], index, "route", p.route))
            return;
        if (!std::all_of(p.method.begin(), p.method.end(), isTokenChar))
            return reject(index, "method", R"(must be an HTTP method such as "GET")");
        if (!checkDuration(p[Field::DurationMs], p.duration, index))
            return;
        if (p[Field::Status] == Slot::Absent)
            return reject(index, "status", "is required");
        if (p[Field::Status] != Slot::Ok || p.status < 100 || p.status > 599)
            return reject(index, "status", "must be an integer from 100 to 599");
        ComposedKey *const slot = composedSlot(kind, p.method, p.route);
        if (!cachedKey(slot, kind, p.method, p.route, e.name)) {
            std::string_view route = p.route;
            if (normalizeRoute(route, routeScratch))
                route = routeScratch;
            if (route.empty())
                route = "/";
            if (!composeKey(p.method, route, true, e.name))
                return reject(index, {},
                    "\"method\" and \"route\" together must be at most " + std::to_string(maxString) + " bytes");
            rememberKey(slot, kind, p.method, p.route, e.name);
        }
        e.value = p.duration;
        e.status = quint16(p.status);
        e.error = p.status >= 500;
        break;
    }
    case MetricKind::Db: {
        if (!checkRequiredString(p[Field::Operation], index, "operation", p.operation)
            || !checkRequiredString(p[Field::Collection], index, "collection", p.collection)
            || !checkDuration(p[Field::DurationMs], p.duration, index))
            return;
        if (p[Field::Fields] == Slot::Invalid)
            return reject(index, "fields",
                "must be an array of at most " + std::to_string(limits.maxFields)
                    + " non-empty field names without commas, at most " + std::to_string(maxString) + " bytes joined");
        if (p[Field::Error] == Slot::Invalid)
            return reject(index, "error", "must be true or false");
        if (!checkCount(p[Field::Documents], index, "documents", false))
            return;
        ComposedKey *const slot = composedSlot(kind, p.operation, p.collection);
        if (!cachedKey(slot, kind, p.operation, p.collection, e.name)) {
            if (!composeKey(p.operation, p.collection, false, e.name))
                return reject(index, {},
                    "\"operation\" and \"collection\" together must be at most " + std::to_string(maxString)
                        + " bytes");
            rememberKey(slot, kind, p.operation, p.collection, e.name);
        }
        e.value = p.duration;
        e.fields = p.fields; // already in the arena
        e.error = p[Field::Error] == Slot::Ok && p.error;
        e.items = p[Field::Documents] == Slot::Ok ? p.documents : 0;
        break;
    }
    case MetricKind::Processing:
        if (!checkRequiredString(p[Field::Name], index, "name", p.name)
            || !checkDuration(p[Field::DurationMs], p.duration, index)
            || !checkCount(p[Field::ItemsProcessed], index, "items_processed", false))
            return;
        e.name = keep(p.name);
        e.value = p.duration;
        e.items = p[Field::ItemsProcessed] == Slot::Ok ? p.itemsProcessed : 1;
        break;
    case MetricKind::Gauge:
        if (!checkRequiredString(p[Field::Name], index, "name", p.name))
            return;
        if (p[Field::Value] == Slot::Absent)
            return reject(index, "value", "is required");
        if (p[Field::Value] != Slot::Ok)
            return reject(index, "value", "must be a finite number");
        if (!bounds::isGaugeValue(p.value))
            return reject(index, "value", "must be from -1e300 to 1e300");
        e.name = keep(p.name);
        e.value = p.value;
        break;
    case MetricKind::Cache:
        if (!checkRequiredString(p[Field::Name], index, "name", p.name)
            || !checkCount(p[Field::Hits], index, "hits", true) || !checkCount(p[Field::Misses], index, "misses", true))
            return;
        e.name = keep(p.name);
        e.items = p.hits;
        e.misses = p.misses;
        break;
    }

    if (!checkOptionalString(p[Field::Service], index, "service", p.service)
        || !checkOptionalString(p[Field::RequestId], index, "request_id", p.requestId))
        return;
    switch (p[Field::Timestamp]) {
    case Slot::Absent:
        break;
    case Slot::Invalid:
        return reject(index, "timestamp", "must be an RFC 3339 date-time or Unix milliseconds");
    case Slot::Ok:
        // 0 is "time received", like an absent timestamp.
        if (p.timestampMs != 0) {
            if (p.timestampMs < nowMs - limits.maxAgeMs)
                return reject(index, "timestamp",
                    "is more than " + std::to_string(limits.maxAgeMs / 3'600'000)
                        + " h in the past (Unix milliseconds or RFC 3339 expected)");
            if (p.timestampMs > nowMs + limits.maxAheadMs)
                return reject(index, "timestamp",
                    "is more than " + std::to_string(limits.maxAheadMs / 60'000) + " min in the future");
        }
        e.timestampMs = p.timestampMs;
        break;
    }
    e.service = p.service.empty() ? std::string_view() : keep(p.service);
    e.requestId = p.requestId.empty() ? std::string_view() : keep(p.requestId);
    batch->appendEvent(e);
}

} // namespace perfwatch
