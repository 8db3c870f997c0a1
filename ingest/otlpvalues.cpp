#include "otlpvalues.h"

#include "protowire.h"

#include <charconv>
#include <cmath>

namespace perfwatch::otlp {

namespace dom = simdjson::dom;

// Field numbers (opentelemetry-proto common/v1).
namespace field {
constexpr quint32 kKey = 1; // KeyValue
constexpr quint32 kValue = 2;
constexpr quint32 kStringValue = 1; // AnyValue
constexpr quint32 kBoolValue = 2;
constexpr quint32 kIntValue = 3;
constexpr quint32 kDoubleValue = 4;
} // namespace field

namespace json {

bool unixNanos(dom::element e, quint64 &out)
{
    switch (e.type()) {
    case dom::element_type::STRING: {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS || s.empty())
            return false;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    case dom::element_type::UINT64:
    case dom::element_type::INT64: {
        int64_t signedValue = 0;
        if (e.get_int64().get(signedValue) == simdjson::SUCCESS) {
            if (signedValue < 0)
                return false;
            out = quint64(signedValue);
            return true;
        }
        uint64_t value = 0;
        if (e.get_uint64().get(value) != simdjson::SUCCESS)
            return false;
        out = value;
        return true;
    }
    case dom::element_type::DOUBLE: {
        double value = 0;
        if (e.get_double().get(value) != simdjson::SUCCESS || !std::isfinite(value) || value < 0 || value >= 1.8e19)
            return false;
        out = quint64(value);
        return true;
    }
    default:
        return false;
    }
}

bool enumValue(dom::element e, std::initializer_list<std::string_view> names, qint64 &out)
{
    if (e.type() == dom::element_type::STRING) {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS)
            return false;
        qint64 i = 0;
        for (std::string_view name : names) {
            if (name == s) {
                out = i;
                return true;
            }
            ++i;
        }
        return false;
    }
    int64_t value = 0;
    if (e.get_int64().get(value) != simdjson::SUCCESS)
        return false;
    out = value;
    return true;
}

AnyValue anyValue(dom::element e)
{
    AnyValue v;
    dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS)
        return v;
    for (const auto field : object) {
        const std::string_view key = field.key;
        const dom::element value = field.value;
        if (key == "stringValue") {
            if (value.get_string().get(v.text) == simdjson::SUCCESS)
                v.type = AnyValue::Type::String;
        } else if (key == "intValue") {
            int64_t i = 0;
            std::string_view s;
            if (value.get_int64().get(i) == simdjson::SUCCESS) {
                v.integer = i;
                v.type = AnyValue::Type::Int;
            } else if (value.get_string().get(s) == simdjson::SUCCESS) {
                const auto r = std::from_chars(s.data(), s.data() + s.size(), v.integer);
                if (r.ec == std::errc() && r.ptr == s.data() + s.size())
                    v.type = AnyValue::Type::Int;
            }
        } else if (key == "doubleValue") {
            if (value.get_double().get(v.number) == simdjson::SUCCESS)
                v.type = AnyValue::Type::Double;
        } else if (key == "boolValue") {
            if (value.get_bool().get(v.flag) == simdjson::SUCCESS)
                v.type = AnyValue::Type::Bool;
        } else if (key == "arrayValue" || key == "kvlistValue" || key == "bytesValue") {
            v.type = AnyValue::Type::Other;
        }
    }
    return v;
}

bool unsignedValue(dom::element e, quint64 &out)
{
    return unixNanos(e, out);
}

bool doubleValue(dom::element e, double &out)
{
    if (e.get_double().get(out) != simdjson::SUCCESS)
        return false;
    return std::isfinite(out);
}

} // namespace json

namespace proto {

bool validUtf8(std::string_view s)
{
    return simdjson::validate_utf8(s.data(), s.size());
}

/// An AnyValue message; false when it is malformed.
bool anyValue(std::string_view bytes, AnyValue &v)
{
    ProtoReader r(bytes);
    while (r.next()) {
        switch (r.field()) {
        case field::kStringValue:
            if (!r.isLength())
                return false;
            v.type = AnyValue::Type::String;
            v.text = r.bytes();
            break;
        case field::kBoolValue:
            if (!r.isVarint())
                return false;
            v.type = AnyValue::Type::Bool;
            v.flag = r.value() != 0;
            break;
        case field::kIntValue:
            if (!r.isVarint())
                return false;
            v.type = AnyValue::Type::Int;
            v.integer = r.signedValue();
            break;
        case field::kDoubleValue:
            if (!r.isFixed64())
                return false;
            v.type = AnyValue::Type::Double;
            v.number = r.doubleValue();
            break;
        default:
            v.type = AnyValue::Type::Other; // array, kvlist, bytes: present, not used
            break;
        }
    }
    return !r.failed();
}

/// A KeyValue message: its key and the raw AnyValue bytes.
bool keyValue(std::string_view bytes, std::string_view &key, std::string_view &value, bool &hasValue)
{
    ProtoReader r(bytes);
    hasValue = false;
    while (r.next()) {
        if (r.field() == field::kKey) {
            if (!r.isLength())
                return false;
            key = r.bytes();
        } else if (r.field() == field::kValue) {
            if (!r.isLength())
                return false;
            value = r.bytes();
            hasValue = true;
        }
    }
    return !r.failed();
}

} // namespace proto

} // namespace perfwatch::otlp
