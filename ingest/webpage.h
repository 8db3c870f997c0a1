#pragma once

#include "httpresponse.h"

#include <QByteArray>

namespace perfwatch {

class IngestServer;

/// The self-contained /performance dashboard (resources/web/performance.html, compiled in).
///
/// The page is static: it draws itself from the JSON routes, so it is served without the bearer
/// token (RouteKind::Public) and asks for the token when a fetch answers 401. "/" redirects to it.
class WebPage
{
public:
    /// Registers GET /performance, /performance/ and / on `server`.
    static void install(IngestServer &server);

    /// The page as served: HTML with its CSS and script inline.
    static QByteArray html();
    /// The answer to GET /performance.
    static HttpResponse page();
};

} // namespace perfwatch
