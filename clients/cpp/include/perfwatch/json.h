#pragma once

#include <string>
#include <string_view>

namespace perfwatch {

/// Appends `text` as a JSON string literal, quotes included.
///
/// Quotes, backslashes and control characters are escaped; valid UTF-8 is copied as is; every
/// ill-formed sequence (stray continuation bytes, overlong forms, surrogates, code points above
/// U+10FFFF, truncated sequences) becomes U+FFFD, one per maximal ill-formed subpart as Unicode
/// recommends. PerfWatch refuses a whole body with invalid UTF-8, so this matters.
void appendJsonString(std::string &out, std::string_view text);

} // namespace perfwatch
