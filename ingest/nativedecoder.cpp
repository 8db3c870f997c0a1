#include "nativedecoder.h"

#include "rfc3339.h"
#include "routenormalizer.h"
#include "valuebounds.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <simdjson.h>
#include <string>
#include <vector>

namespace perfwatch {

static_assert(NativeDecoder::kPadding == simdjson::SIMDJSON_PADDING);

namespace {

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

Field fieldFor(std::string_view key)
{
    // Dispatch on length first: most keys are told apart by it alone.
    switch (key.size()) {
    case 4:
        if (sameBytes<"type">(key))
            return Field::Type;
        if (sameBytes<"name">(key))
            return Field::Name;
        if (sameBytes<"hits">(key))
            return Field::Hits;
        break;
    case 5:
        if (sameBytes<"route">(key))
            return Field::Route;
        if (sameBytes<"value">(key))
            return Field::Value;
        if (sameBytes<"error">(key))
            return Field::Error;
        break;
    case 6:
        if (sameBytes<"method">(key))
            return Field::Method;
        if (sameBytes<"status">(key))
            return Field::Status;
        if (sameBytes<"fields">(key))
            return Field::Fields;
        if (sameBytes<"misses">(key))
            return Field::Misses;
        break;
    case 7:
        if (sameBytes<"service">(key))
            return Field::Service;
        break;
    case 9:
        if (sameBytes<"timestamp">(key))
            return Field::Timestamp;
        if (sameBytes<"operation">(key))
            return Field::Operation;
        if (sameBytes<"documents">(key))
            return Field::Documents;
        break;
    case 10:
        if (sameBytes<"collection">(key))
            return Field::Collection;
        if (sameBytes<"request_id">(key))
            return Field::RequestId;
        break;
    case 11:
        if (sameBytes<"duration_ms">(key))
            return Field::DurationMs;
        break;
    case 15:
        if (sameBytes<"items_processed">(key))
            return Field::ItemsProcessed;
        break;
    default:
        break;
    }
    return Field::Unknown;
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

/// Whether a token follows the JSON number grammar. simdjson reports both "1e400" (valid JSON,
/// not representable) and "1.2.3" (not JSON) as NUMBER_ERROR; only the second is malformed.
bool isJsonNumber(std::string_view s)
{
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    std::size_t i = 0;
    const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
    if (i < s.size() && s[i] == '-')
        ++i;
    if (!digit(i))
        return false;
    if (s[i] == '0') {
        ++i;
    } else {
        while (digit(i))
            ++i;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    return i == s.size();
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

} // namespace

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

NativeDecoder::NativeDecoder(NativeDecoderLimits limits)
    : m_limits(limits)
    , d(std::make_unique<Impl>(m_limits))
{ }

NativeDecoder::~NativeDecoder() = default;

bool NativeDecoder::decode(std::string_view body, IngestFormat format, qint64 nowMs, DecodedBatch &batch)
{
    const std::size_t need = body.size() + kPadding;
    if (d->paddedSize < need) {
        // Grow geometrically so a mix of sizes settles quickly; never shrink.
        const std::size_t size = std::max(need, d->paddedSize + d->paddedSize / 2);
        d->padded = std::make_unique_for_overwrite<char[]>(size);
        d->paddedSize = size;
    }
    if (!body.empty())
        std::memcpy(d->padded.get(), body.data(), body.size());
    std::memset(d->padded.get() + body.size(), 0, kPadding);
    return decodePadded({ d->padded.get(), body.size() }, d->paddedSize, format, nowMs, batch);
}

bool NativeDecoder::decode(const QByteArray &body, IngestFormat format, qint64 nowMs, DecodedBatch &batch)
{
    const std::string_view view(body.constData(), std::size_t(body.size()));
    // Spare room after the data is allocated but uninitialised; simdjson only needs it
    // readable. capacity() also counts free space before the data, so ask the data pointer
    // (data_ptr() does not detach).
    const qsizetype spare = const_cast<QByteArray &>(body).data_ptr().freeSpaceAtEnd();
    if (spare < qsizetype(kPadding))
        return decode(view, format, nowMs, batch);
    return decodePadded(view, view.size() + std::size_t(spare), format, nowMs, batch);
}

bool NativeDecoder::decodePadded(
    std::string_view body, std::size_t readable, IngestFormat format, qint64 nowMs, DecodedBatch &batch)
{
    batch.clear();
    d->batch = &batch;
    d->nowMs = nowMs;
    d->fatal.clear();
    d->fatalTooLarge = false;
    if (++d->batchNumber == 0) { // wrapped: forget every entry rather than trust an old number
        d->composed.fill({});
        d->batchNumber = 1;
    }
    const bool ok = d->decodeBody(body, readable, format);
    if (!ok) {
        batch.refuse(d->fatal, d->fatalTooLarge);
        return false;
    }
    return true;
}

bool NativeDecoder::Impl::decodeBody(std::string_view body, std::size_t readable, IngestFormat format)
{
    Q_ASSERT(readable >= body.size() + kPadding);
    bufferEnd = body.data() + readable;
    if (parser.capacity() < body.size()) {
        if (const error_code e = parser.allocate(body.size()); e != simdjson::SUCCESS)
            return setFatal(e);
    }
    if (format == IngestFormat::NdJson)
        return decodeNdjson(body.data(), body.size(), readable);
    stableStrings = true;
    if (!decodeJson(body.data(), body.size(), readable))
        return false;
    if (batch->accepted() == 0 && batch->rejected() == 0)
        setFatalText("the batch holds no events");
    return fatal.empty();
}

bool NativeDecoder::Impl::decodeJson(const char *data, std::size_t size, std::size_t readable)
{
    od::document doc;
    if (const error_code e = parser.iterate(data, size, readable).get(doc); e != simdjson::SUCCESS)
        return setFatal(e);
    od::json_type type;
    if (const error_code e = doc.type().get(type); e != simdjson::SUCCESS)
        return setFatal(e);
    if (type == od::json_type::array) {
        od::array array;
        if (const error_code e = doc.get_array().get(array); e != simdjson::SUCCESS)
            return setFatal(e);
        std::size_t index = 0;
        for (auto element : array) {
            od::value value;
            if (const error_code e = std::move(element).get(value); e != simdjson::SUCCESS)
                return setFatal(e);
            if (index == limits.maxEvents) {
                fatalTooLarge = true;
                setFatalText("the batch holds more than " + std::to_string(limits.maxEvents) + " events; send at most "
                    + std::to_string(limits.maxEvents) + " per request");
                return false;
            }
            if (!decodeEvent(value, index, 2))
                return false;
            ++index;
        }
    } else if (type == od::json_type::object) {
        od::value value;
        if (const error_code e = doc.get_value().get(value); e != simdjson::SUCCESS)
            return setFatal(e);
        if (!decodeEvent(value, 0, 1))
            return false;
    } else {
        setFatalText("the body must be a JSON object or an array of objects");
        return false;
    }
    // Anything after the root value ("[] []", "{} x") is malformed.
    const char *rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS && rest != nullptr) {
        setFatalText("malformed JSON at byte " + std::to_string(rest - data) + ": content after the document");
        return false;
    }
    return true;
}

bool NativeDecoder::Impl::decodeNdjson(const char *data, std::size_t size, std::size_t readable)
{
    // The parser's string buffer is rewritten for every line, so kept strings go to the arena.
    stableStrings = false;
    std::size_t index = 0;
    std::size_t lineNumber = 0;
    for (std::size_t pos = 0; pos < size;) {
        const char *lineStart = data + pos;
        const void *nl = std::memchr(lineStart, '\n', size - pos);
        const std::size_t lineLength = nl ? std::size_t(static_cast<const char *>(nl) - lineStart) : size - pos;
        pos += lineLength + 1;
        ++lineNumber;
        std::size_t begin = 0;
        std::size_t end = lineLength;
        while (begin < end && (lineStart[begin] == ' ' || lineStart[begin] == '\t' || lineStart[begin] == '\r'))
            ++begin;
        while (end > begin && (lineStart[end - 1] == ' ' || lineStart[end - 1] == '\t' || lineStart[end - 1] == '\r'))
            --end;
        if (begin == end)
            continue; // blank line
        if (index == limits.maxEvents) {
            fatalTooLarge = true;
            setFatalText("the batch holds more than " + std::to_string(limits.maxEvents) + " events; send at most "
                + std::to_string(limits.maxEvents) + " per request");
            return false;
        }
        const char *json = lineStart + begin;
        const std::size_t jsonSize = end - begin;
        const std::size_t jsonReadable = std::size_t((data + readable) - json);
        od::document doc;
        error_code e = parser.iterate(json, jsonSize, jsonReadable).get(doc);
        od::value value;
        if (e == simdjson::SUCCESS)
            e = doc.get_value().get(value);
        if (e == simdjson::SUCCESS) {
            bufferEnd = data + readable;
            if (!decodeEvent(value, index, 1)) {
                fatal = "line " + std::to_string(lineNumber) + ": " + fatal;
                return false;
            }
            const char *rest = nullptr;
            if (doc.current_location().get(rest) == simdjson::SUCCESS && rest != nullptr) {
                setFatalText(
                    "line " + std::to_string(lineNumber) + ": malformed JSON: more than one value on the line");
                return false;
            }
        } else {
            setFatal(e);
            fatal = "line " + std::to_string(lineNumber) + ": " + fatal;
            return false;
        }
        ++index;
    }
    if (index == 0)
        setFatalText("the batch holds no events");
    return fatal.empty();
}

bool NativeDecoder::Impl::setFatal(error_code error, const char *)
{
    if (!fatal.empty())
        return false;
    switch (error) {
    case simdjson::EMPTY:
        fatal = "the body is empty";
        break;
    case simdjson::UTF8_ERROR:
        fatal = "the body is not valid UTF-8";
        break;
    case simdjson::DEPTH_ERROR:
        fatal = "the JSON nests deeper than " + std::to_string(limits.maxDepth) + " levels";
        break;
    case simdjson::CAPACITY:
    case simdjson::MEMALLOC:
        fatal = "the body is too large to decode";
        break;
    case simdjson::UNCLOSED_STRING:
        fatal = "malformed JSON: a string is not closed";
        break;
    case simdjson::STRING_ERROR:
        fatal = "malformed JSON: invalid string escape";
        break;
    case simdjson::UNESCAPED_CHARS:
        fatal = "malformed JSON: control character inside a string";
        break;
    case simdjson::NUMBER_ERROR:
        fatal = "malformed JSON: invalid number";
        break;
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
        fatal = "malformed JSON: invalid literal (expected true, false or null)";
        break;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
        fatal = "malformed JSON: unterminated array or object (truncated body?)";
        break;
    case simdjson::TAPE_ERROR:
        fatal = "malformed JSON: unexpected token (a missing or extra comma, brace or quote? NaN and Infinity "
                "are not JSON)";
        break;
    default:
        fatal = std::string("malformed JSON: ") + simdjson::error_message(error);
        break;
    }
    return false;
}

void NativeDecoder::Impl::reject(std::size_t index, std::string_view field, std::string_view what)
{
    message.assign("event ");
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, index);
    message.append(digits, r.ptr);
    message.append(": ");
    if (!field.empty()) {
        message.push_back('"');
        message.append(field);
        message.append("\" ");
    }
    message.append(what);
    batch->reject(index, message);
}

namespace {

/// The first quote or backslash in [p, end), or end. Keys are short: eight bytes per step
/// (SWAR), in place of two memchr calls per key.
const char *findQuoteOrBackslash(const char *p, const char *end)
{
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    constexpr std::uint64_t kQuotes = kOnes * '"';
    constexpr std::uint64_t kBackslashes = kOnes * '\\';
    if constexpr (std::endian::native == std::endian::little) {
        for (; end - p >= 8; p += 8) {
            const std::uint64_t word = loadBytes<std::uint64_t>(p);
            const std::uint64_t q = word ^ kQuotes;
            const std::uint64_t b = word ^ kBackslashes;
            // Exact zero-byte test (no false positives), so the lowest flagged byte is the match.
            const std::uint64_t hits = ~(((q & ~kHighs) + ~kHighs) | q) & kHighs;
            const std::uint64_t hitsB = ~(((b & ~kHighs) + ~kHighs) | b) & kHighs;
            if (const std::uint64_t any = hits | hitsB)
                return p + std::countr_zero(any) / 8;
        }
    }
    while (p < end && *p != '"' && *p != '\\')
        ++p;
    return p;
}

} // namespace

bool NativeDecoder::Impl::keyOf(od::field &field, std::string_view &key)
{
    // Zero-copy for the usual key without escapes: the raw key runs up to the next quote.
    const char *raw = field.key().raw();
    const char *stop = findQuoteOrBackslash(raw, bufferEnd);
    if (stop == bufferEnd)
        return setFatal(simdjson::UNCLOSED_STRING);
    if (*stop == '"') {
        key = { raw, std::size_t(stop - raw) };
        return true;
    }
    if (const error_code e = field.unescaped_key().get(key); e != simdjson::SUCCESS)
        return setFatal(e);
    return true;
}

bool NativeDecoder::Impl::typeMismatch(od::value &v, error_code error, Slot &slot, int depth)
{
    if (error == simdjson::NUMBER_ERROR) {
        // A syntactically valid number that does not fit (1e400) is the event's problem.
        if (!isJsonNumber(v.raw_json_token()))
            return setFatal(error);
        slot = Slot::Invalid;
        return true;
    }
    if (error != simdjson::INCORRECT_TYPE && error != simdjson::NUMBER_OUT_OF_RANGE)
        return setFatal(error);
    // null means "absent" for every field; required fields then report "is required".
    od::json_type type;
    if (const error_code e = v.type().get(type); e != simdjson::SUCCESS)
        return setFatal(e);
    if (type == od::json_type::null) {
        bool isNull = false;
        if (v.is_null().get(isNull) != simdjson::SUCCESS || !isNull)
            return setFatal(simdjson::N_ATOM_ERROR);
        slot = Slot::Absent;
        return true;
    }
    slot = Slot::Invalid;
    return skipValue(v, depth);
}

bool NativeDecoder::Impl::skipValue(od::value &v, int depth)
{
    od::json_type type;
    if (const error_code e = v.type().get(type); e != simdjson::SUCCESS)
        return setFatal(e);
    switch (type) {
    case od::json_type::array: {
        od::array array;
        std::string_view raw;
        if (const error_code e = v.get_array().get(array); e != simdjson::SUCCESS)
            return setFatal(e);
        if (const error_code e = array.raw_json().get(raw); e != simdjson::SUCCESS)
            return setFatal(e);
        return validateContainer(raw, depth);
    }
    case od::json_type::object: {
        od::object object;
        std::string_view raw;
        if (const error_code e = v.get_object().get(object); e != simdjson::SUCCESS)
            return setFatal(e);
        if (const error_code e = object.raw_json().get(raw); e != simdjson::SUCCESS)
            return setFatal(e);
        return validateContainer(raw, depth);
    }
    case od::json_type::number: {
        od::number number;
        if (const error_code e = v.get_number().get(number); e != simdjson::SUCCESS) {
            if (!isJsonNumber(v.raw_json_token()))
                return setFatal(simdjson::NUMBER_ERROR);
        }
        return true;
    }
    case od::json_type::string: {
        std::string_view s;
        if (const error_code e = v.get_string().get(s); e != simdjson::SUCCESS)
            return setFatal(e);
        return true;
    }
    case od::json_type::boolean: {
        bool b = false;
        if (v.get_bool().get(b) != simdjson::SUCCESS)
            return setFatal(simdjson::T_ATOM_ERROR);
        return true;
    }
    case od::json_type::null: {
        bool isNull = false;
        if (v.is_null().get(isNull) != simdjson::SUCCESS || !isNull)
            return setFatal(simdjson::N_ATOM_ERROR);
        return true;
    }
    }
    return setFatal(simdjson::TAPE_ERROR);
}

bool NativeDecoder::Impl::validateContainer(std::string_view raw, int depth)
{
    // On-Demand skips unread containers by counting brackets: it neither checks their grammar
    // nor limits their depth. The DOM parser does both without recursion; `raw` lies inside
    // the padded body, so it can be parsed in place.
    const int allowed = limits.maxDepth - depth + 1;
    if (allowed < 1)
        return setFatal(simdjson::DEPTH_ERROR);
    if (validator.capacity() < raw.size() || validatorDepth != std::size_t(allowed)) {
        const std::size_t capacity = std::max({ raw.size(), validator.capacity(), std::size_t(4096) });
        if (const error_code e = validator.allocate(capacity, std::size_t(allowed)); e != simdjson::SUCCESS)
            return setFatal(e);
        validatorDepth = std::size_t(allowed);
    }
    simdjson::dom::element element;
    if (const error_code e = validator.parse(raw.data(), raw.size(), false).get(element); e != simdjson::SUCCESS)
        return setFatal(e);
    return true;
}

bool NativeDecoder::Impl::parseString(od::value &v, Slot &slot, std::string_view &out, int depth)
{
    const error_code e = v.get_string().get(out);
    if (e == simdjson::SUCCESS) {
        slot = Slot::Ok;
        return true;
    }
    return typeMismatch(v, e, slot, depth);
}

bool NativeDecoder::Impl::parseDouble(od::value &v, Slot &slot, double &out, int depth)
{
    const error_code e = v.get_double().get(out);
    if (e == simdjson::SUCCESS) {
        slot = std::isfinite(out) ? Slot::Ok : Slot::Invalid;
        return true;
    }
    return typeMismatch(v, e, slot, depth);
}

bool NativeDecoder::Impl::parseInt(od::value &v, Slot &slot, qint64 &out, int depth)
{
    int64_t value = 0;
    const error_code e = v.get_int64().get(value);
    if (e == simdjson::SUCCESS) {
        out = value;
        slot = Slot::Ok;
        return true;
    }
    return typeMismatch(v, e, slot, depth);
}

bool NativeDecoder::Impl::parseUInt(od::value &v, Slot &slot, quint64 &out, int depth)
{
    // get_uint64() would accept nothing negative but reports "-1" as a type error either way.
    uint64_t value = 0;
    const error_code e = v.get_uint64().get(value);
    if (e == simdjson::SUCCESS) {
        out = value;
        slot = Slot::Ok;
        return true;
    }
    return typeMismatch(v, e, slot, depth);
}

bool NativeDecoder::Impl::parseBool(od::value &v, Slot &slot, bool &out, int depth)
{
    const error_code e = v.get_bool().get(out);
    if (e == simdjson::SUCCESS) {
        slot = Slot::Ok;
        return true;
    }
    return typeMismatch(v, e, slot, depth);
}

bool NativeDecoder::Impl::parseTimestamp(od::value &v, Slot &slot, qint64 &out, int depth)
{
    od::json_type type;
    if (const error_code e = v.type().get(type); e != simdjson::SUCCESS)
        return setFatal(e);
    if (type == od::json_type::string) {
        std::string_view text;
        if (const error_code e = v.get_string().get(text); e != simdjson::SUCCESS)
            return setFatal(e);
        slot = parseRfc3339(text, out) ? Slot::Ok : Slot::Invalid;
        return true;
    }
    if (type == od::json_type::number) {
        int64_t ms = 0;
        if (v.get_int64().get(ms) == simdjson::SUCCESS) {
            out = ms;
            slot = Slot::Ok;
            return true;
        }
        double value = 0;
        const error_code e = v.get_double().get(value);
        if (e != simdjson::SUCCESS)
            return typeMismatch(v, e, slot, depth);
        // Fractional milliseconds are truncated; the range check rejects the absurd.
        if (!std::isfinite(value) || std::fabs(value) > 9.0e15) {
            slot = Slot::Invalid;
            return true;
        }
        out = qint64(value);
        slot = Slot::Ok;
        return true;
    }
    return typeMismatch(v, simdjson::INCORRECT_TYPE, slot, depth);
}

bool NativeDecoder::Impl::parseFields(od::value &v, Slot &slot, std::string_view &out, int depth)
{
    od::array array;
    if (const error_code e = v.get_array().get(array); e != simdjson::SUCCESS)
        return typeMismatch(v, e, slot, depth);
    fieldNames.clear();
    bool valid = true;
    for (auto element : array) {
        od::value item;
        if (const error_code e = std::move(element).get(item); e != simdjson::SUCCESS)
            return setFatal(e);
        std::string_view name;
        const error_code e = item.get_string().get(name);
        if (e == simdjson::SUCCESS) {
            if (name.empty() || name.size() > limits.maxStringBytes || name.find(',') != std::string_view::npos)
                valid = false;
            else if (valid)
                fieldNames.push_back(name);
            continue;
        }
        valid = false;
        Slot ignored = Slot::Absent;
        if (!typeMismatch(item, e, ignored, depth + 1))
            return false;
    }
    if (!valid || fieldNames.size() > limits.maxFields) {
        slot = Slot::Invalid;
        return true;
    }
    // Client order matters (it is the index column order); repeated names keep the first place.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < fieldNames.size(); ++i) {
        if (std::find(fieldNames.begin(), fieldNames.begin() + std::ptrdiff_t(kept), fieldNames[i])
            == fieldNames.begin() + std::ptrdiff_t(kept))
            fieldNames[kept++] = fieldNames[i];
    }
    fieldNames.resize(kept);
    std::size_t size = 0;
    for (const auto &name : fieldNames)
        size += name.size() + 1;
    if (size > 0)
        --size;
    if (size > limits.maxStringBytes) {
        slot = Slot::Invalid;
        return true;
    }
    char *joined = batch->arena().allocate(size);
    char *p = joined;
    for (std::size_t i = 0; i < fieldNames.size(); ++i) {
        if (i > 0)
            *p++ = ',';
        std::memcpy(p, fieldNames[i].data(), fieldNames[i].size());
        p += fieldNames[i].size();
    }
    out = { joined, size };
    slot = Slot::Ok;
    return true;
}

bool NativeDecoder::Impl::decodeEvent(od::value value, std::size_t index, int depth)
{
    od::object object;
    if (const error_code e = value.get_object().get(object); e != simdjson::SUCCESS) {
        if (e != simdjson::INCORRECT_TYPE)
            return setFatal(e);
        if (!skipValue(value, depth))
            return false;
        reject(index, {}, "must be a JSON object");
        return true;
    }

    ParsedEvent p;
    const int valueDepth = depth + 1;
    for (auto result : object) {
        // Use the field in place: copying it out with get() cost a store-forwarding stall per
        // field (the hottest instruction of ingest before this).
        if (const error_code e = result.error(); e != simdjson::SUCCESS)
            return setFatal(e);
        od::field &field = result.value_unsafe();
        std::string_view key;
        if (!keyOf(field, key))
            return false;
        od::value &v = field.value();
        const Field id = fieldFor(key);
        bool ok = true;
        switch (id) {
        case Field::Type:
            ok = parseString(v, p[id], p.type, valueDepth);
            break;
        case Field::Service:
            ok = parseString(v, p[id], p.service, valueDepth);
            break;
        case Field::RequestId:
            ok = parseString(v, p[id], p.requestId, valueDepth);
            break;
        case Field::Method:
            ok = parseString(v, p[id], p.method, valueDepth);
            break;
        case Field::Route:
            ok = parseString(v, p[id], p.route, valueDepth);
            break;
        case Field::Operation:
            ok = parseString(v, p[id], p.operation, valueDepth);
            break;
        case Field::Collection:
            ok = parseString(v, p[id], p.collection, valueDepth);
            break;
        case Field::Name:
            ok = parseString(v, p[id], p.name, valueDepth);
            break;
        case Field::Timestamp:
            ok = parseTimestamp(v, p[id], p.timestampMs, valueDepth);
            break;
        case Field::DurationMs:
            ok = parseDouble(v, p[id], p.duration, valueDepth);
            break;
        case Field::Value:
            ok = parseDouble(v, p[id], p.value, valueDepth);
            break;
        case Field::Status:
            ok = parseInt(v, p[id], p.status, valueDepth);
            break;
        case Field::Documents:
            ok = parseUInt(v, p[id], p.documents, valueDepth);
            break;
        case Field::ItemsProcessed:
            ok = parseUInt(v, p[id], p.itemsProcessed, valueDepth);
            break;
        case Field::Hits:
            ok = parseUInt(v, p[id], p.hits, valueDepth);
            break;
        case Field::Misses:
            ok = parseUInt(v, p[id], p.misses, valueDepth);
            break;
        case Field::Error:
            ok = parseBool(v, p[id], p.error, valueDepth);
            break;
        case Field::Fields:
            ok = parseFields(v, p[id], p.fields, valueDepth);
            break;
        case Field::Unknown:
        case Field::Count:
            ok = skipValue(v, valueDepth);
            break;
        }
        if (!ok)
            return false;
    }
    finishEvent(p, index);
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

    // A required, non-empty string of at most maxString bytes.
    const auto requiredString = [&](Field f, std::string_view name, std::string_view value) {
        switch (p[f]) {
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
        if (value.size() > maxString) {
            reject(index, name, "must be at most " + std::to_string(maxString) + " bytes");
            return false;
        }
        return true;
    };
    const auto optionalString = [&](Field f, std::string_view name, std::string_view value) {
        if (p[f] == Slot::Invalid) {
            reject(index, name, "must be a string");
            return false;
        }
        if (value.size() > maxString) {
            reject(index, name, "must be at most " + std::to_string(maxString) + " bytes");
            return false;
        }
        return true;
    };
    const auto duration = [&]() {
        if (p[Field::DurationMs] == Slot::Absent) {
            reject(index, "duration_ms", "is required");
            return false;
        }
        if (p[Field::DurationMs] != Slot::Ok || !(p.duration >= 0)) {
            reject(index, "duration_ms", "must be a finite number >= 0");
            return false;
        }
        if (!bounds::isDurationMs(p.duration)) {
            reject(index, "duration_ms", "must be at most 1e12 (ms, about 31.7 years)");
            return false;
        }
        return true;
    };
    const auto count = [&](Field f, std::string_view name, bool required) {
        if (p[f] == Slot::Absent && required) {
            reject(index, name, "is required");
            return false;
        }
        if (p[f] == Slot::Invalid) {
            reject(index, name, "must be a non-negative integer");
            return false;
        }
        return true;
    };
    // The key composed earlier in this batch from the same raw parts (NDJSON lines reuse the
    // parser's buffer, so their parts are not stable: no reuse there).
    ComposedKey *slot = nullptr;
    const auto cachedKey = [&](std::string_view a, std::string_view b, std::string_view &out) {
        if (!stableStrings)
            return false;
        const std::uint64_t h = (sketchHash(a) * 31 + sketchHash(b)) * 0x9e3779b97f4a7c15ULL + std::uint64_t(kind);
        slot = &composed[(h >> 40) % kComposedSlots];
        if (slot->batch != batchNumber || slot->kind != kind || slot->a != a || slot->b != b)
            return false;
        out = slot->key;
        return true;
    };
    const auto remember = [&](std::string_view a, std::string_view b, std::string_view key) {
        if (slot)
            *slot = ComposedKey { a, b, key, kind, batchNumber };
    };
    // Composes "a:b" in the arena.
    const auto compose = [&](std::string_view a, std::string_view b, bool upperA, std::string_view &out) {
        const std::size_t size = a.size() + 1 + b.size();
        if (size > maxString)
            return false;
        char *key = batch->arena().allocate(size);
        for (std::size_t i = 0; i < a.size(); ++i)
            key[i] = upperA ? upperAscii(a[i]) : a[i];
        key[a.size()] = ':';
        std::memcpy(key + a.size() + 1, b.data(), b.size());
        out = { key, size };
        return true;
    };

    IngestEvent e;
    e.kind = kind;
    switch (kind) {
    case MetricKind::Api: {
        if (!requiredString(Field::Method, "method", p.method) || !requiredString(Field::Route, "route", p.route))
            return;
        if (!std::all_of(p.method.begin(), p.method.end(), isTokenChar))
            return reject(index, "method", R"(must be an HTTP method such as "GET")");
        if (!duration())
            return;
        if (p[Field::Status] == Slot::Absent)
            return reject(index, "status", "is required");
        if (p[Field::Status] != Slot::Ok || p.status < 100 || p.status > 599)
            return reject(index, "status", "must be an integer from 100 to 599");
        if (!cachedKey(p.method, p.route, e.name)) {
            std::string_view route = p.route;
            if (normalizeRoute(route, routeScratch))
                route = routeScratch;
            if (route.empty())
                route = "/";
            if (!compose(p.method, route, true, e.name))
                return reject(index, {},
                    "\"method\" and \"route\" together must be at most " + std::to_string(maxString) + " bytes");
            remember(p.method, p.route, e.name);
        }
        e.value = p.duration;
        e.status = quint16(p.status);
        e.error = p.status >= 500;
        break;
    }
    case MetricKind::Db: {
        if (!requiredString(Field::Operation, "operation", p.operation)
            || !requiredString(Field::Collection, "collection", p.collection) || !duration())
            return;
        if (p[Field::Fields] == Slot::Invalid)
            return reject(index, "fields",
                "must be an array of at most " + std::to_string(limits.maxFields)
                    + " non-empty field names without commas, at most " + std::to_string(maxString) + " bytes joined");
        if (p[Field::Error] == Slot::Invalid)
            return reject(index, "error", "must be true or false");
        if (!count(Field::Documents, "documents", false))
            return;
        if (!cachedKey(p.operation, p.collection, e.name)) {
            if (!compose(p.operation, p.collection, false, e.name))
                return reject(index, {},
                    "\"operation\" and \"collection\" together must be at most " + std::to_string(maxString)
                        + " bytes");
            remember(p.operation, p.collection, e.name);
        }
        e.value = p.duration;
        e.fields = p.fields; // already in the arena
        e.error = p[Field::Error] == Slot::Ok && p.error;
        e.items = p[Field::Documents] == Slot::Ok ? p.documents : 0;
        break;
    }
    case MetricKind::Processing:
        if (!requiredString(Field::Name, "name", p.name) || !duration()
            || !count(Field::ItemsProcessed, "items_processed", false))
            return;
        e.name = keep(p.name);
        e.value = p.duration;
        e.items = p[Field::ItemsProcessed] == Slot::Ok ? p.itemsProcessed : 1;
        break;
    case MetricKind::Gauge:
        if (!requiredString(Field::Name, "name", p.name))
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
        if (!requiredString(Field::Name, "name", p.name) || !count(Field::Hits, "hits", true)
            || !count(Field::Misses, "misses", true))
            return;
        e.name = keep(p.name);
        e.items = p.hits;
        e.misses = p.misses;
        break;
    }

    if (!optionalString(Field::Service, "service", p.service)
        || !optionalString(Field::RequestId, "request_id", p.requestId))
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
