#include "jsonwriter.h"

#include <charconv>
#include <cmath>

namespace perfwatch {

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasItem.empty()) {
        if (m_hasItem.back())
            m_out += ',';
        m_hasItem.back() = true;
    }
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_out += '{';
    m_hasItem.push_back(false);
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_out += '}';
    m_hasItem.pop_back();
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_out += '[';
    m_hasItem.push_back(false);
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_out += ']';
    m_hasItem.pop_back();
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view name)
{
    separate();
    appendString(m_out, name);
    m_out += ':';
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::value(std::string_view text)
{
    separate();
    appendString(m_out, text);
    return *this;
}

JsonWriter &JsonWriter::value(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    return value(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

JsonWriter &JsonWriter::value(bool flag)
{
    separate();
    m_out += flag ? "true" : "false";
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, number);
    m_out.append(buffer, r.ptr - buffer);
    return *this;
}

JsonWriter &JsonWriter::value(quint64 number)
{
    separate();
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, number);
    m_out.append(buffer, r.ptr - buffer);
    return *this;
}

JsonWriter &JsonWriter::value(double number)
{
    if (!std::isfinite(number))
        return null();
    separate();
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, number);
    m_out.append(buffer, r.ptr - buffer);
    return *this;
}

JsonWriter &JsonWriter::value(double number, int decimals)
{
    if (!std::isfinite(number))
        return null();
    const double scale = std::pow(10.0, decimals);
    // From 2^53 on a double has no fractional digits left to round, and number * scale could
    // overflow to infinity: a finite number is never written as null.
    if (std::fabs(number) >= 9007199254740992.0)
        return value(number);
    const double rounded = std::round(number * scale) / scale;
    // Shortest round-trip form of the rounded value: 12.346, 12, 0.5 (never "12.346000000001").
    return value(rounded == 0 ? 0.0 : rounded);
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_out += "null";
    return *this;
}

JsonWriter &JsonWriter::raw(QByteArrayView json)
{
    separate();
    m_out += json;
    return *this;
}

void JsonWriter::appendString(QByteArray &out, std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t plainStart = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(text.data() + plainStart, qsizetype(i - plainStart));
        plainStart = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default: {
            const char escape[] = { '\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15] };
            out.append(escape, sizeof escape);
            break;
        }
        }
    }
    out.append(text.data() + plainStart, qsizetype(text.size() - plainStart));
    out += '"';
}

} // namespace perfwatch
