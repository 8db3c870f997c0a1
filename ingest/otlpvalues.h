#pragma once

#include "otlpspanmapping.h"

#include <initializer_list>
#include <simdjson.h>
#include <string_view>

/// Readers of the OTLP value types every signal shares (AnyValue, KeyValue, Unix-nanosecond
/// times, enums), for the JSON and protobuf decoders of traces, metrics and logs.
namespace perfwatch::otlp {

namespace json {

/// A Unix-nanosecond time: a string of digits (the JSON mapping of fixed64) or a number.
bool unixNanos(simdjson::dom::element e, quint64 &out);
/// An enum field: a number or the enum value's name (the JSON mapping allows both); `names`
/// are the enum's values in order from 0.
bool enumValue(simdjson::dom::element e, std::initializer_list<std::string_view> names, qint64 &out);
/// An AnyValue object ({"stringValue": ...}); Type::None when it is none.
AnyValue anyValue(simdjson::dom::element e);
/// A fixed64 or uint64 count: a number or a string of digits.
bool unsignedValue(simdjson::dom::element e, quint64 &out);
/// A double: a number, or "NaN"/"Infinity" strings are refused (false).
bool doubleValue(simdjson::dom::element e, double &out);

} // namespace json

namespace proto {

/// An AnyValue message; false when it is malformed.
bool anyValue(std::string_view bytes, AnyValue &v);
/// A KeyValue message: its key and the raw AnyValue bytes.
bool keyValue(std::string_view bytes, std::string_view &key, std::string_view &value, bool &hasValue);
/// Whether bytes are valid UTF-8 (protobuf strings are not checked by the wire format).
bool validUtf8(std::string_view s);

} // namespace proto

} // namespace perfwatch::otlp
