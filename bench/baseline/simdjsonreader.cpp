#include "simdjsonreader.h"

#include <cstring>
#include <string_view>

namespace perfwatch::bench {

namespace {

using namespace simdjson;

void readValue(ondemand::value value, ReadTotals &totals);

void readObject(ondemand::object object, ReadTotals &totals)
{
    for (auto field : object) {
        const std::string_view key = field.unescaped_key();
        totals.stringBytes += key.size();
        if (key == "duration_ms")
            totals.durationSum += field.value().get_double();
        else
            readValue(field.value(), totals);
    }
}

void readValue(ondemand::value value, ReadTotals &totals)
{
    switch (value.type()) {
    case ondemand::json_type::object:
        readObject(value.get_object(), totals);
        break;
    case ondemand::json_type::array:
        for (auto element : value.get_array())
            readValue(element.value(), totals);
        break;
    case ondemand::json_type::string:
        totals.stringBytes += std::string_view(value.get_string()).size();
        break;
    case ondemand::json_type::number:
        totals.numberSum += value.get_double();
        break;
    case ondemand::json_type::boolean:
        totals.numberSum += value.get_bool() ? 1 : 0;
        break;
    case ondemand::json_type::null:
        (void)value.is_null();
        break;
    }
}

/// One document: an event object or an array of them.
template<typename Document>
void readDocument(Document &&document, ReadTotals &totals)
{
    if (document.type() == ondemand::json_type::array) {
        for (auto element : document.get_array()) {
            readObject(element.get_object(), totals);
            ++totals.events;
        }
    } else {
        readObject(document.get_object(), totals);
        ++totals.events;
    }
}

} // namespace

simdjson::padded_string_view SimdjsonReader::padded(QByteArrayView body)
{
    const auto size = std::size_t(body.size());
    if (m_capacity < size + SIMDJSON_PADDING) {
        m_capacity = (size + SIMDJSON_PADDING) * 3 / 2;
        m_buffer = std::make_unique_for_overwrite<char[]>(m_capacity);
    }
    std::memcpy(m_buffer.get(), body.data(), size);
    std::memset(m_buffer.get() + size, 0, SIMDJSON_PADDING);
    return simdjson::padded_string_view(m_buffer.get(), size, m_capacity);
}

ReadTotals SimdjsonReader::read(QByteArrayView body, bool ndjson)
{
    ReadTotals totals;
    const simdjson::padded_string_view json = padded(body);
    // Errors surface as simdjson_error exceptions from the conversions above; one try block
    // keeps the reading code as plain as the hot path it stands in for.
    try {
        if (ndjson) {
            ondemand::document_stream stream
                = m_parser.iterate_many(json.data(), json.length(), ondemand::DEFAULT_BATCH_SIZE);
            for (auto document : stream)
                readDocument(document, totals);
        } else {
            ondemand::document document = m_parser.iterate(json);
            readDocument(document, totals);
        }
        totals.ok = true;
    } catch (const simdjson::simdjson_error &) {
        totals.ok = false;
    }
    return totals;
}

} // namespace perfwatch::bench
