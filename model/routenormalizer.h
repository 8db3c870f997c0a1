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

/// The shape of any key name, for telling which names carry identifiers: in each run of letters,
/// digits and dashes, an identifier (isIdentifierSegment()) becomes "{id}" and any other digits
/// become "{n}"; the rest stays. "GET:/orders/8812" and "GET:/orders/93" share "GET:/orders/{id}",
/// "worker17.depth" becomes "worker{n}.depth".
std::string namePattern(std::string_view name);

} // namespace perfwatch
