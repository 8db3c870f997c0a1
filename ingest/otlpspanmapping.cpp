#include "otlpspanmapping.h"

#include "routenormalizer.h"
#include "valuebounds.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace perfwatch::otlp {

namespace {

constexpr std::pair<std::string_view, Attr> kAttributeNames[] = {
    { "http.request.method", HttpRequestMethod },
    { "http.method", HttpMethod },
    { "http.route", HttpRoute },
    { "url.path", UrlPath },
    { "http.target", HttpTarget },
    { "http.url", HttpUrl },
    { "url.full", UrlFull },
    { "http.response.status_code", HttpResponseStatusCode },
    { "http.status_code", HttpStatusCode },
    { "db.system", DbSystem },
    { "db.system.name", DbSystemName },
    { "db.operation.name", DbOperationName },
    { "db.operation", DbOperation },
    { "db.query.text", DbQueryText },
    { "db.statement", DbStatement },
    { "db.collection.name", DbCollectionName },
    { "db.mongodb.collection", DbMongodbCollection },
    { "db.sql.table", DbSqlTable },
    { "server.address", ServerAddress },
    { "server.port", ServerPort },
    { "net.peer.name", NetPeerName },
    { "net.peer.port", NetPeerPort },
    { "express.type", FrameworkType },
    { "koa.type", FrameworkType },
    { "fastify.type", FrameworkType },
    { "hapi.type", FrameworkType },
    { "db.client.connection.state", ConnectionState },
    { "state", ConnectionState },
    { "messaging.destination.name", MessagingDestinationName },
    { "messaging.destination", MessagingDestination },
};

bool isSpace(char c);

/// Instrumentation scopes whose spans are a web framework's own steps of a request, or the
/// runtime's plumbing (a DNS lookup, a socket connect, a file read): never work a user names.
constexpr std::string_view kFrameworkScopes[] = {
    "@opentelemetry/instrumentation-express",
    "@opentelemetry/instrumentation-koa",
    "@opentelemetry/instrumentation-fastify",
    "@fastify/otel",
    "@opentelemetry/instrumentation-hapi",
    "@opentelemetry/instrumentation-restify",
    "@opentelemetry/instrumentation-connect",
    "@opentelemetry/instrumentation-router",
    "@opentelemetry/instrumentation-nestjs-core",
    "@opentelemetry/instrumentation-dns",
    "@opentelemetry/instrumentation-net",
    "@opentelemetry/instrumentation-fs",
};

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

bool containsIgnoringCase(std::string_view text, std::string_view part)
{
    if (part.size() > text.size())
        return false;
    for (std::size_t i = 0; i + part.size() <= text.size(); ++i) {
        if (equalsIgnoringCase(text.substr(i, part.size()), part))
            return true;
    }
    return false;
}

/// The table a SQL statement reads or writes: the name after its first FROM, INTO, UPDATE or
/// JOIN, without a schema prefix or quotes ("SELECT * FROM public.trips t" -> "trips").
std::string_view tableOfStatement(std::string_view sql)
{
    for (std::size_t pos = 0;;) {
        const std::string_view w = [&] {
            while (pos < sql.size() && (isSpace(sql[pos]) || sql[pos] == '(' || sql[pos] == ','))
                ++pos;
            std::size_t end = pos;
            while (end < sql.size() && !isSpace(sql[end]) && sql[end] != '(' && sql[end] != ',')
                ++end;
            const std::string_view out = sql.substr(pos, end - pos);
            pos = end;
            return out;
        }();
        if (w.empty())
            return {};
        if (!equalsIgnoringCase(w, "from") && !equalsIgnoringCase(w, "into") && !equalsIgnoringCase(w, "update")
            && !equalsIgnoringCase(w, "join"))
            continue;
        while (pos < sql.size() && isSpace(sql[pos]))
            ++pos;
        std::size_t end = pos;
        while (end < sql.size() && !isSpace(sql[end]) && sql[end] != '(' && sql[end] != ',' && sql[end] != ';'
            && sql[end] != ')')
            ++end;
        std::string_view table = sql.substr(pos, end - pos);
        if (const std::size_t dot = table.rfind('.'); dot != std::string_view::npos)
            table = table.substr(dot + 1);
        while (!table.empty() && (table.front() == '"' || table.front() == '`' || table.front() == '['))
            table.remove_prefix(1);
        while (!table.empty() && (table.back() == '"' || table.back() == '`' || table.back() == ']'))
            table.remove_suffix(1);
        if (!table.empty() && table.front() != '$' && table.front() != '?')
            return table;
        // "FROM (SELECT ...)", "INTO $1": look further
    }
}

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// The n-th (0-based) whitespace-separated word of `text`; empty when there is none.
std::string_view word(std::string_view text, int n)
{
    std::size_t pos = 0;
    for (int i = 0;; ++i) {
        while (pos < text.size() && isSpace(text[pos]))
            ++pos;
        std::size_t end = pos;
        while (end < text.size() && !isSpace(text[end]))
            ++end;
        if (pos == end)
            return {};
        if (i == n)
            return text.substr(pos, end - pos);
        pos = end;
    }
}

/// The path of an absolute URL ("https://h:8080/a?b" -> "/a?b"); a relative one unchanged.
std::string_view pathOfUrl(std::string_view url)
{
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return url;
    const std::size_t slash = url.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
}

} // namespace

bool attributeFor(std::string_view key, Attr &attr)
{
    for (const auto &[name, id] : kAttributeNames) {
        if (name == key) {
            attr = id;
            return true;
        }
    }
    return false;
}

bool isHttpMethod(std::string_view method)
{
    return !method.empty() && std::all_of(method.begin(), method.end(), isTokenChar);
}

std::string_view routeOf(const AnyValue *attrs, std::string_view spanName, std::string &scratch)
{
    std::string_view route = attrs[HttpRoute].string();
    if (route.empty())
        route = attrs[UrlPath].string();
    if (route.empty())
        route = attrs[HttpTarget].string();
    if (route.empty())
        route = pathOfUrl((attrs[UrlFull].present() ? attrs[UrlFull] : attrs[HttpUrl]).string());
    if (route.empty()) {
        // The span name of an HTTP server span is "{method} {route}" when the route is known.
        const std::string_view second = word(spanName, 1);
        route = second.starts_with('/') ? second : spanName.starts_with('/') ? word(spanName, 0) : "/";
    }
    if (normalizeRoute(route, scratch))
        route = scratch;
    return route.empty() ? std::string_view("/") : route;
}

bool statusOf(const AnyValue *attrs, qint64 &status)
{
    const AnyValue &value
        = attrs[HttpResponseStatusCode].present() ? attrs[HttpResponseStatusCode] : attrs[HttpStatusCode];
    if (!value.present())
        return true;
    return value.toInt(status) && status >= 100 && status <= 599;
}

void dbOperationAndCollection(
    const AnyValue *attrs, std::string_view spanName, std::string_view &operation, std::string_view &collection)
{
    const auto first = [attrs](Attr a, Attr b) -> const AnyValue & { return attrs[a].present() ? attrs[a] : attrs[b]; };
    const AnyValue &statement = first(DbQueryText, DbStatement);
    operation = first(DbOperationName, DbOperation).string();
    if (operation.empty())
        operation = word(statement.string(), 0);
    if (operation.empty())
        operation = word(spanName, 0);
    collection = attrs[DbCollectionName].string();
    if (collection.empty())
        collection = attrs[DbMongodbCollection].string();
    if (collection.empty())
        collection = attrs[DbSqlTable].string();
    if (collection.empty())
        collection = tableOfStatement(statement.string());
    if (collection.empty() && !statement.present())
        collection = word(spanName, 1); // "find trips"; with a statement, "SELECT postgres" names the database
    if (collection.empty())
        collection = first(DbSystemName, DbSystem).string();
}

std::string_view compose(StringArena &arena, std::string_view a, char separator, std::string_view b, bool upperA)
{
    const std::size_t size = a.size() + 1 + b.size();
    char *out = arena.allocate(size);
    for (std::size_t i = 0; i < a.size(); ++i)
        out[i] = upperA && a[i] >= 'a' && a[i] <= 'z' ? char(a[i] - 'a' + 'A') : a[i];
    out[a.size()] = separator;
    std::memcpy(out + a.size() + 1, b.data(), b.size());
    return { out, size };
}

bool SpanMapper::isFrameworkSpan(const Span &span)
{
    if (span.kind == kKindServer)
        return false;
    if (span.attrs[FrameworkType].present())
        return true;
    return std::find(std::begin(kFrameworkScopes), std::end(kFrameworkScopes), span.scope)
        != std::end(kFrameworkScopes);
}

bool SpanMapper::isPoolSpan(const Span &span)
{
    const bool isDb = span.attrs[DbSystem].present() || span.attrs[DbSystemName].present();
    if (!isDb || span.first(DbQueryText, DbStatement).present() || span.first(DbOperationName, DbOperation).present())
        return false;
    return containsIgnoringCase(span.name, "connect") || containsIgnoringCase(span.name, "pool");
}

void SpanMapper::map(const Span &span, std::size_t index)
{
    // Every span is a link in its trace's parent chain, folded or not.
    m_tree.push_back({ span.spanId, span.parentSpanId, span.kind, -1 });
    if (isFrameworkSpan(span) || isPoolSpan(span)) {
        ++m_folded;
        return; // part of its request, not work of its own
    }

    const std::size_t maxString = m_limits.maxStringBytes;
    IngestEvent e;
    e.value = double(span.endNs - span.startNs) / 1e6;
    if (!bounds::isDurationMs(e.value))
        return reject(index, "lasts more than 1e12 ms (about 31.7 years)");
    e.timestampMs = qint64(span.endNs / 1'000'000);
    if (e.timestampMs < m_nowMs - m_limits.maxAgeMs)
        return reject(index, "ends more than " + std::to_string(m_limits.maxAgeMs / 3'600'000) + " h in the past");
    if (e.timestampMs > m_nowMs + m_limits.maxAheadMs)
        return reject(index, "ends more than " + std::to_string(m_limits.maxAheadMs / 60'000) + " min in the future");
    if (span.traceId.size() <= maxString)
        e.requestId = span.traceId; // scoped to the service once the resource is known

    const std::string_view method = span.first(HttpRequestMethod, HttpMethod).string();
    const bool isDb = span.attrs[DbSystem].present() || span.attrs[DbSystemName].present();
    const bool dbKind = span.kind == kKindClient || span.kind == kKindInternal || span.kind == kKindUnspecified;

    if (span.kind == kKindServer && !method.empty()) {
        if (!isHttpMethod(method))
            return reject(index, "\"http.request.method\" must be an HTTP method such as \"GET\"");
        const std::string_view route = routeOf(span.attrs, span.name, m_routeScratch);
        qint64 status = span.statusError ? 500 : 200;
        if (!statusOf(span.attrs, status))
            return reject(index, "\"http.response.status_code\" must be an integer from 100 to 599");
        if (method.size() + 1 + route.size() > maxString)
            return reject(index, "method and route together must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Api;
        e.name = compose(method, ':', route, true);
        e.status = quint16(status);
        e.error = status >= 500;
    } else if (isDb && dbKind) {
        std::string_view operation;
        std::string_view collection;
        dbOperationAndCollection(span.attrs, span.name, operation, collection);
        if (operation.empty() || collection.empty())
            return reject(index,
                "a database span needs an operation and a collection (\"db.operation.name\", "
                "\"db.collection.name\" or a span name such as \"find trips\")");
        if (operation.size() + 1 + collection.size() > maxString)
            return reject(
                index, "operation and collection together must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Db;
        e.name = compose(operation, ':', collection);
        e.error = span.statusError;
    } else if (span.kind == kKindClient && !method.empty()) {
        // An outgoing HTTP call: named by method and the server it went to, never a bare "GET".
        if (!isHttpMethod(method))
            return reject(index, "\"http.request.method\" must be an HTTP method such as \"GET\"");
        std::string_view host = span.first(ServerAddress, NetPeerName).string();
        qint64 port = 0;
        const AnyValue &portValue = span.first(ServerPort, NetPeerPort);
        if (host.empty()) {
            // http.url / url.full: "https://host:port/path"
            std::string_view url = span.first(UrlFull, HttpUrl).string();
            if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
                url.remove_prefix(scheme + 3);
                host = url.substr(0, std::min(url.find('/'), url.size()));
            }
        } else if (portValue.present() && (!portValue.toInt(port) || port < 1 || port > 65535)) {
            port = 0;
        }
        if (host.empty())
            host = "unknown host";
        std::string target(host);
        if (port > 0)
            target += ':' + std::to_string(port);
        if (method.size() + 1 + target.size() > maxString)
            return reject(index, "method and server together must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Processing;
        e.name = compose(method, ' ', target, true);
        e.items = 1;
    } else if (const std::string_view destination = span.first(MessagingDestinationName, MessagingDestination).string();
               span.kind == kKindConsumer && !destination.empty()) {
        // A message taken from a queue or topic: the step is the destination ("orders"), so
        // "orders process", "process orders" and "orders receive" spans are one step.
        if (destination.size() > maxString)
            return reject(
                index, "\"messaging.destination.name\" must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Processing;
        e.name = destination;
        e.items = 1;
    } else {
        if (span.name.empty())
            return reject(index, "\"name\" must not be empty");
        if (span.name.size() > maxString)
            return reject(index, "\"name\" must be at most " + std::to_string(maxString) + " bytes");
        e.kind = MetricKind::Processing;
        e.name = span.name;
        e.items = 1;
        // Folds at the end of the resource when it turns out to run inside a server span.
        if (span.kind == kKindInternal || span.kind == kKindUnspecified)
            m_tree.back().event = int(m_pending.size());
    }
    m_pending.push_back(e);
}

void SpanMapper::endResource(std::string_view service)
{
    if (service.size() > m_limits.maxStringBytes)
        service = {}; // too long to be a service name: "default"
    // INTERNAL spans whose parent chain in this resource reaches a SERVER span are steps of
    // that request: they fold into it.
    std::vector<char> folded(m_pending.size(), 0);
    if (std::any_of(m_tree.begin(), m_tree.end(), [](const Node &n) { return n.event >= 0; })) {
        std::unordered_map<std::string_view, std::size_t> byId;
        byId.reserve(m_tree.size());
        for (std::size_t i = 0; i < m_tree.size(); ++i) {
            if (!m_tree[i].spanId.empty())
                byId.emplace(m_tree[i].spanId, i);
        }
        for (const Node &n : m_tree) {
            if (n.event < 0)
                continue;
            std::string_view parent = n.parentSpanId;
            for (int depth = 0; depth < 64 && !parent.empty(); ++depth) {
                const auto it = byId.find(parent);
                if (it == byId.end())
                    break;
                const Node &p = m_tree[it->second];
                if (p.kind == kKindServer) {
                    folded[std::size_t(n.event)] = 1;
                    ++m_folded;
                    break;
                }
                parent = p.parentSpanId;
            }
        }
    }
    for (std::size_t i = 0; i < m_pending.size(); ++i) {
        if (folded[i])
            continue;
        // The request id scopes the trace to the service, so another service's server span in
        // the same trace does not take over.
        IngestEvent &e = m_pending[i];
        e.service = service;
        if (!e.requestId.empty()) {
            const std::string_view id
                = compose(service.empty() ? std::string_view("default") : service, '/', e.requestId);
            e.requestId = id.size() <= m_limits.maxStringBytes ? id : std::string_view();
        }
        m_batch->appendEvent() = e;
    }
    m_pending.clear();
    m_tree.clear();
}

std::string_view SpanMapper::hex(std::string_view bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    char *out = m_batch->arena().allocate(bytes.size() * 2);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        out[2 * i] = kDigits[b >> 4];
        out[2 * i + 1] = kDigits[b & 15];
    }
    return { out, bytes.size() * 2 };
}

void SpanMapper::reject(std::size_t index, std::string_view what)
{
    m_message.assign("span ");
    m_message.append(std::to_string(index));
    m_message.append(": ");
    m_message.append(what);
    m_batch->reject(index, m_message);
}

std::string_view SpanMapper::compose(std::string_view a, char separator, std::string_view b, bool upperA)
{
    return otlp::compose(m_batch->arena(), a, separator, b, upperA);
}

} // namespace perfwatch::otlp
