#pragma once

#include <QByteArray>
#include <string>
#include <string_view>

namespace perfwatch {

enum class InflateResult
{
    Ok,
    TooLarge, ///< the decompressed body would pass the limit
    Malformed, ///< not gzip, damaged, or cut short
};

/// Decompresses a gzip body (RFC 1952; several members one after the other are one body) into
/// `out`, streaming with zlib: `out` never holds more than maxBytes, so a small bomb that
/// inflates to gigabytes costs at most maxBytes of memory and stops there. `error` gets one
/// line on failure.
InflateResult gunzip(std::string_view in, std::size_t maxBytes, QByteArray &out, std::string *error = nullptr);

} // namespace perfwatch
