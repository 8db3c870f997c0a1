// NativeDecoder: the body as a whole. Padding, JSON (an object or an array of objects) versus
// NDJSON (one object per line), the event limit, and the messages of a refused body and of a
// rejected event.

#include "nativedecoder.h"

#include "nativedecoderimpl.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace perfwatch {

static_assert(NativeDecoder::kPadding == simdjson::SIMDJSON_PADDING);

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

} // namespace perfwatch
