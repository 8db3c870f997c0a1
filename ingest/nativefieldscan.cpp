// NativeDecoder: one event object's fields. Keys are matched to the fields the native format
// knows and each value is read as its field's type; every other value is skipped after a full
// check of its grammar and depth.

#include "nativedecoderimpl.h"
#include "rfc3339.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace perfwatch {

namespace {

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

} // namespace

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

} // namespace perfwatch
