#pragma once

#include <string>
#include <string_view>

namespace perfwatch {

/// Turns a raw request path into a route template so that /api/trips/42 and /api/trips/43
/// share one key. Segments that are numbers, UUIDs, or long hex strings become "{id}"; the
/// query string and fragment are dropped; a trailing slash is removed (except for "/").
///
/// Returns false when nothing had to change, leaving `out` untouched, so the hot path can keep
/// pointing into the original bytes.
bool normalizeRoute(std::string_view path, std::string &out);

/// Whether one path segment looks like an identifier rather than a name.
bool isIdentifierSegment(std::string_view segment);

} // namespace perfwatch
