#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <cstring>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Reads the protobuf wire format in place: no copies, no allocation, no generated code.
///
/// next() steps to the following field and reads its value by wire type; length-delimited
/// values (strings, bytes, nested messages) are views into the input. Groups (wire types 3
/// and 4, deprecated since proto2) and field number 0 are malformed. After next() returns
/// false, failed() tells a clean end from a malformed message.
///
///     ProtoReader r(bytes);
///     while (r.next()) {
///         if (r.field() == 5 && r.isLength()) name = r.bytes();
///     }
///     if (r.failed()) ...
class ProtoReader
{
public:
    enum WireType : quint8
    {
        Varint = 0,
        Fixed64 = 1,
        Length = 2,
        Fixed32 = 5,
    };

    explicit ProtoReader(std::string_view data)
        : m_p(data.data())
        , m_end(data.data() + data.size())
    { }

    bool next()
    {
        if (m_p == m_end || m_failed)
            return false;
        quint64 tag = 0;
        if (!varint(tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1FFF'FFFF)
            return fail();
        m_field = quint32(tag >> 3);
        m_type = quint8(tag & 7);
        switch (m_type) {
        case Varint:
            return varint(m_value) || fail();
        case Fixed64:
            if (m_end - m_p < 8)
                return fail();
            std::memcpy(&m_value, m_p, 8); // little-endian on every platform PerfWatch builds for
            m_p += 8;
            return true;
        case Fixed32: {
            if (m_end - m_p < 4)
                return fail();
            quint32 v = 0;
            std::memcpy(&v, m_p, 4);
            m_value = v;
            m_p += 4;
            return true;
        }
        case Length: {
            quint64 length = 0;
            if (!varint(length) || length > quint64(m_end - m_p))
                return fail();
            m_bytes = std::string_view(m_p, std::size_t(length));
            m_p += length;
            return true;
        }
        default:
            return fail();
        }
    }

    bool failed() const { return m_failed; }
    quint32 field() const { return m_field; }
    quint8 wireType() const { return m_type; }
    bool isVarint() const { return m_type == Varint; }
    bool isLength() const { return m_type == Length; }
    bool isFixed64() const { return m_type == Fixed64; }
    bool isFixed32() const { return m_type == Fixed32; }

    /// The value of a varint, fixed64 or fixed32 field (as raw bits).
    quint64 value() const { return m_value; }
    /// A varint read as int64 (two's complement, as protobuf's int64 and int32 are written).
    qint64 signedValue() const { return qint64(m_value); }
    double doubleValue() const
    {
        double d = 0;
        std::memcpy(&d, &m_value, sizeof d);
        return d;
    }
    /// The value of a length-delimited field.
    std::string_view bytes() const { return m_bytes; }

private:
    bool varint(quint64 &out)
    {
        quint64 result = 0;
        for (int shift = 0; shift < 64 && m_p != m_end; shift += 7) {
            const auto byte = static_cast<quint8>(*m_p++);
            result |= quint64(byte & 0x7F) << shift;
            if (!(byte & 0x80)) {
                out = result;
                return true;
            }
        }
        return false; // truncated, or longer than 10 bytes
    }
    bool fail()
    {
        m_failed = true;
        return false;
    }

    const char *m_p;
    const char *m_end;
    quint64 m_value = 0;
    std::string_view m_bytes;
    quint32 m_field = 0;
    quint8 m_type = 0;
    bool m_failed = false;
};

/// A sint32/sint64 field's value (zigzag-encoded varint).
inline qint64 zigzagDecode(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

/// Appends the values of a packed repeated varint field; false when the bytes are cut.
inline bool appendPackedVarints(std::string_view packed, std::vector<quint64> &out)
{
    const char *p = packed.data();
    const char *end = p + packed.size();
    while (p != end) {
        quint64 result = 0;
        int shift = 0;
        for (;; shift += 7) {
            if (p == end || shift >= 64)
                return false;
            const auto byte = static_cast<quint8>(*p++);
            result |= quint64(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                break;
        }
        out.push_back(result);
    }
    return true;
}

/// Appends the values of a packed repeated fixed64 or double field (8 bytes each, little-endian).
template<typename T>
inline bool appendPackedFixed64(std::string_view packed, std::vector<T> &out)
{
    static_assert(sizeof(T) == 8);
    if (packed.size() % 8 != 0)
        return false;
    const std::size_t n = packed.size() / 8;
    const std::size_t at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, packed.data(), packed.size());
    return true;
}

/// Writes the few protobuf messages PerfWatch answers with (OTLP responses, google.rpc.Status).
class ProtoWriter
{
public:
    void varintField(quint32 field, quint64 value)
    {
        tag(field, ProtoReader::Varint);
        varint(value);
    }
    void bytesField(quint32 field, std::string_view value)
    {
        tag(field, ProtoReader::Length);
        varint(value.size());
        m_out.append(value.data(), qsizetype(value.size()));
    }
    const QByteArray &data() const { return m_out; }
    QByteArray take() { return std::move(m_out); }

private:
    void tag(quint32 field, quint8 type) { varint((quint64(field) << 3) | type); }
    void varint(quint64 v)
    {
        while (v >= 0x80) {
            m_out.append(char(v | 0x80));
            v >>= 7;
        }
        m_out.append(char(v));
    }
    QByteArray m_out;
};

} // namespace perfwatch
