// Internal to NativeDecoder: the decoder state and the types its source files share
// (nativedecoder.cpp, nativefieldscan.cpp, nativeevents.cpp). Not part of the ingest library's
// interface.

#pragma once

#include "nativedecoder.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

namespace nativedecoding {

namespace od = simdjson::ondemand;
using simdjson::error_code;

/// The keys the native format knows. Unknown keys are validated and ignored.
enum class Field : quint8
{
    Unknown,
    Type,
    Service,
    Timestamp,
    RequestId,
    Method,
    Route,
    DurationMs,
    Status,
    Operation,
    Collection,
    Fields,
    Error,
    Documents,
    Name,
    ItemsProcessed,
    Value,
    Hits,
    Misses,
    Count
};
constexpr std::size_t kFieldCount = std::size_t(Field::Count);

/// `sizeof(T)` bytes from p, as one load.
template<typename T>
inline T loadBytes(const char *p)
{
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

/// A string literal the compiler sees as a constant, so its pieces become immediates.
template<std::size_t N>
struct Literal
{
    consteval Literal(const char (&text)[N])
    {
        for (std::size_t i = 0; i < N; ++i)
            bytes[i] = text[i];
    }
    static constexpr std::size_t size = N - 1;
    char bytes[N] {};

    /// sizeof(T) bytes from `at`, as loadBytes() would read them.
    template<typename T>
    consteval T piece(std::size_t at) const
    {
        std::array<char, sizeof(T)> chunk {};
        for (std::size_t i = 0; i < sizeof(T); ++i)
            chunk[i] = bytes[at + i];
        return std::bit_cast<T>(chunk);
    }
};

/// key == literal, for a key already known to have the literal's length. Two overlapping
/// loads of the key compared with constants: this runs for every field of every event. (Copying
/// n < 8 bytes into a 64-bit variable compiled to partial stores and a wide reload, a
/// store-forwarding stall per compare.)
template<Literal L>
inline bool sameBytes(std::string_view key)
{
    constexpr std::size_t n = L.size;
    static_assert(n > 0 && n <= 16);
    const char *k = key.data();
    if constexpr (n >= 8)
        return loadBytes<std::uint64_t>(k) == L.template piece<std::uint64_t>(0)
            && loadBytes<std::uint64_t>(k + n - 8) == L.template piece<std::uint64_t>(n - 8);
    else if constexpr (n >= 4)
        return loadBytes<std::uint32_t>(k) == L.template piece<std::uint32_t>(0)
            && loadBytes<std::uint32_t>(k + n - 4) == L.template piece<std::uint32_t>(n - 4);
    else if constexpr (n >= 2)
        return loadBytes<std::uint16_t>(k) == L.template piece<std::uint16_t>(0)
            && loadBytes<std::uint16_t>(k + n - 2) == L.template piece<std::uint16_t>(n - 2);
    else
        return k[0] == L.bytes[0];
}

enum class Slot : quint8
{
    Absent,
    Ok,
    Invalid
};

/// The known fields of one event object, parsed eagerly in document order (On-Demand reads
/// each value once); validated against the event's type once the object is done.
struct ParsedEvent
{
    std::array<Slot, kFieldCount> state {};
    std::string_view type, service, requestId, method, route, operation, collection, name, fields;
    qint64 timestampMs = 0;
    double duration = 0;
    double value = 0;
    qint64 status = 0;
    quint64 documents = 0, itemsProcessed = 0, hits = 0, misses = 0;
    bool error = false;

    Slot &operator[](Field f) { return state[std::size_t(f)]; }
};

} // namespace nativedecoding

// The decoder's source files name these unqualified, as they did when they shared one file's
// anonymous namespace; only those files include this header.
using namespace nativedecoding;

struct NativeDecoder::Impl
{
    explicit Impl(const NativeDecoderLimits &l)
        : limits(l)
    { }

    const NativeDecoderLimits &limits;
    od::parser parser;
    simdjson::dom::parser validator; ///< checks values we skip: full grammar and depth
    std::size_t validatorDepth = 0;
    std::unique_ptr<char[]> padded;
    std::size_t paddedSize = 0;

    // Per decode
    DecodedBatch *batch = nullptr;
    qint64 nowMs = 0;
    const char *bufferEnd = nullptr; ///< end of the readable bytes (padding included)
    bool stableStrings = true; ///< false for NDJSON: each line reuses the parser's string buffer
    std::string fatal; ///< non-empty once the body is refused
    bool fatalTooLarge = false; ///< refused for its size (413) rather than its form (400)
    std::string message; ///< scratch for event errors
    std::string routeScratch;
    std::vector<std::string_view> fieldNames;
    /// A composed api/db key of this batch ("GET:/api/trips/{id}") and the raw parts it came from.
    struct ComposedKey
    {
        std::string_view a, b, key; ///< views into this batch's body and arena
        MetricKind kind = MetricKind::Api;
        quint32 batch = 0; ///< the batch it belongs to; 0 = empty
    };
    /// Keys composed in this batch, by a hash of their raw parts, so that a batch composes (and
    /// normalises) each key once however its events interleave. Exact matches only: the result
    /// is what composing again would give. Entries of earlier batches are stale (their views
    /// point into earlier bodies) and are recognised by `batch`.
    static constexpr std::size_t kComposedSlots = 256;
    std::array<ComposedKey, kComposedSlots> composed {};
    quint32 batchNumber = 0;

    bool decodeBody(std::string_view body, std::size_t readable, IngestFormat format);
    bool decodeJson(const char *data, std::size_t size, std::size_t readable);
    bool decodeNdjson(const char *data, std::size_t size, std::size_t readable);
    bool decodeEvent(od::value value, std::size_t index, int depth);
    void finishEvent(ParsedEvent &p, std::size_t index);
    // finishEvent()'s checks: each rejects the event (and returns false) when its field is missing
    // or out of bounds.
    /// A required, non-empty string of at most maxStringBytes bytes.
    bool checkRequiredString(Slot slot, std::size_t index, std::string_view name, std::string_view value);
    bool checkOptionalString(Slot slot, std::size_t index, std::string_view name, std::string_view value);
    bool checkDuration(Slot slot, double duration, std::size_t index);
    bool checkCount(Slot slot, std::size_t index, std::string_view name, bool required);
    /// The composed[] entry for a key of `kind` from raw parts a and b; nullptr for NDJSON.
    ComposedKey *composedSlot(MetricKind kind, std::string_view a, std::string_view b);
    /// The key composed earlier in this batch from the same raw parts, if `slot` holds it.
    bool cachedKey(
        const ComposedKey *slot, MetricKind kind, std::string_view a, std::string_view b, std::string_view &out) const;
    void rememberKey(ComposedKey *slot, MetricKind kind, std::string_view a, std::string_view b, std::string_view key);
    /// Composes "a:b" in the arena (a upper-cased when upperA); false when longer than maxStringBytes.
    bool composeKey(std::string_view a, std::string_view b, bool upperA, std::string_view &out);

    bool parseString(od::value &v, Slot &slot, std::string_view &out, int depth);
    bool parseDouble(od::value &v, Slot &slot, double &out, int depth);
    bool parseInt(od::value &v, Slot &slot, qint64 &out, int depth);
    bool parseUInt(od::value &v, Slot &slot, quint64 &out, int depth);
    bool parseBool(od::value &v, Slot &slot, bool &out, int depth);
    bool parseTimestamp(od::value &v, Slot &slot, qint64 &out, int depth);
    bool parseFields(od::value &v, Slot &slot, std::string_view &out, int depth);
    /// After a getter refused a value: is it merely of another type (skip it, report the field)
    /// or is the JSON itself broken (refuse the body)?
    bool typeMismatch(od::value &v, error_code error, Slot &slot, int depth);
    /// Consumes a value we do not use, validating it completely (grammar and depth).
    bool skipValue(od::value &v, int depth);
    bool validateContainer(std::string_view raw, int depth);
    bool keyOf(od::field &field, std::string_view &key);

    bool setFatal(error_code error, const char *where = nullptr);
    void setFatalText(std::string_view text)
    {
        if (fatal.empty())
            fatal.assign(text);
    }
    std::string_view keep(std::string_view s) { return stableStrings ? s : batch->arena().store(s); }
    void reject(std::size_t index, std::string_view field, std::string_view what);
};

} // namespace perfwatch
