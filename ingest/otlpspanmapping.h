#pragma once

#include "decodedbatch.h"
#include "nativedecoder.h"

#include <QtGlobal>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch::otlp {

// OTLP SpanKind and StatusCode values (opentelemetry/proto/trace/v1/trace.proto).
constexpr qint64 kKindUnspecified = 0;
constexpr qint64 kKindInternal = 1;
constexpr qint64 kKindServer = 2;
constexpr qint64 kKindClient = 3;
constexpr qint64 kKindProducer = 4;
constexpr qint64 kKindConsumer = 5;
constexpr qint64 kStatusError = 2;

/// An attribute value (AnyValue) reduced to what the mapping reads.
struct AnyValue
{
    enum class Type : quint8
    {
        None,
        String,
        Int,
        Double,
        Bool,
        Other, ///< array, kvlist, bytes: present but not used
    };
    Type type = Type::None;
    std::string_view text;
    qint64 integer = 0;
    double number = 0;
    bool flag = false;

    bool present() const { return type != Type::None; }
    /// The value as text when it is a non-empty string.
    std::string_view string() const { return type == Type::String ? text : std::string_view(); }
    /// The value as an integer: intValue (string or number), a whole doubleValue or a numeric string.
    bool toInt(qint64 &out) const
    {
        switch (type) {
        case Type::Int:
            out = integer;
            return true;
        case Type::Double:
            if (!std::isfinite(number) || number != std::floor(number) || std::fabs(number) > 9.0e15)
                return false;
            out = qint64(number);
            return true;
        case Type::String: {
            const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
            return r.ec == std::errc() && r.ptr == text.data() + text.size();
        }
        default:
            return false;
        }
    }
};

/// The span attributes the mapping reads, old and stable names side by side.
enum Attr : quint8
{
    HttpRequestMethod, ///< http.request.method (stable)
    HttpMethod, ///< http.method (old)
    HttpRoute,
    UrlPath,
    HttpTarget,
    HttpUrl,
    UrlFull,
    HttpResponseStatusCode,
    HttpStatusCode,
    DbSystem,
    DbSystemName,
    DbOperationName,
    DbOperation,
    DbQueryText,
    DbStatement,
    DbCollectionName,
    DbMongodbCollection,
    DbSqlTable,
    ServerAddress, ///< server.address (stable)
    ServerPort,
    NetPeerName, ///< net.peer.name (old)
    NetPeerPort,
    FrameworkType, ///< express.type, koa.type, fastify.type, hapi.type: a framework's own span
    ConnectionState, ///< metrics: db.client.connection.state (stable), state (old): "used" or "idle"
    MessagingDestinationName, ///< messaging.destination.name (stable)
    MessagingDestination, ///< messaging.destination (old)
    AttrCount
};

/// The attribute a key names; false for the attributes the mapping does not read.
bool attributeFor(std::string_view key, Attr &attr);

// The parts of a key that spans and metric points name alike (one mapping for both signals).

/// A non-empty HTTP token ("GET", "PATCH").
bool isHttpMethod(std::string_view method);
/// An api key's route: http.route, else url.path, http.target, the path of url.full/http.url,
/// else the second word of `spanName` ("GET /trips"), else "/"; ids normalised ("/trips/{id}").
/// May point into `scratch`.
std::string_view routeOf(const AnyValue *attrs, std::string_view spanName, std::string &scratch);
/// http.response.status_code (or http.status_code) into `status` when present; false when it is
/// present but not an integer from 100 to 599 (`status` is left unchanged when absent).
bool statusOf(const AnyValue *attrs, qint64 &status);
/// A db key's operation and collection: db.operation.name/db.operation, else the statement's or
/// the span name's first word; db.collection.name (and older names), else the table of the
/// statement, else the span name's second word, else the database system. Either may be empty.
void dbOperationAndCollection(
    const AnyValue *attrs, std::string_view spanName, std::string_view &operation, std::string_view &collection);
/// "a<separator>b" in `arena` (a upper-cased when asked).
std::string_view compose(
    StringArena &arena, std::string_view a, char separator, std::string_view b, bool upperA = false);

/// The fields of one span the mapping needs.
struct Span
{
    std::string_view traceId; ///< lower-case hex, as in OTLP/JSON (the protobuf decoder converts)
    std::string_view spanId; ///< as sent (hex in JSON, bytes in protobuf): compared, never shown
    std::string_view parentSpanId;
    std::string_view scope; ///< the instrumentation scope's name
    std::string_view name;
    qint64 kind = kKindUnspecified;
    quint64 startNs = 0;
    quint64 endNs = 0;
    bool hasStart = false;
    bool hasEnd = false;
    bool statusError = false;
    AnyValue attrs[AttrCount];

    const AnyValue &first(Attr a, Attr b) const { return attrs[a].present() ? attrs[a] : attrs[b]; }
};

/// Turns decoded spans into PerfWatch events: the one mapping behind OTLP/JSON and OTLP/protobuf
/// (README "OpenTelemetry"; the rules are listed on OtlpTraceDecoder).
///
/// Spans that are part of a request rather than work of their own fold into it (no event):
/// a web framework's spans (its instrumentation scope, or an express/koa/fastify/hapi `*.type`
/// attribute), the runtime's plumbing (DNS lookups, socket connects and file reads of the
/// dns/net/fs instrumentations, in a request or not: the SDK's own resource detection makes
/// them at start-up), connection-pool spans (`pg-pool.connect`, any database span that names a connect
/// or pool and carries no statement or operation), and INTERNAL spans whose parent chain in the
/// same resource of the same export reaches a SERVER span.
///
/// Per request: begin(); per resource: beginResource(), map() each span, endResource() with the
/// resource's service.name (known only then: a resource may follow its spans). Not thread-safe.
class SpanMapper
{
public:
    explicit SpanMapper(const NativeDecoderLimits &limits)
        : m_limits(limits)
    { }

    void begin(DecodedBatch &batch, qint64 nowMs)
    {
        m_batch = &batch;
        m_nowMs = nowMs;
        m_folded = 0;
    }
    /// Spans of this request that folded into their request: neither events nor rejected.
    std::size_t folded() const { return m_folded; }
    void beginResource()
    {
        m_pending.clear();
        m_tree.clear();
    }
    /// Maps span `index` (counted across the request) or rejects it with a reason.
    void map(const Span &span, std::size_t index);
    /// Gives the resource's events their service and appends them to the batch.
    void endResource(std::string_view service);
    /// Rejects span `index`: "span <index>: <what>".
    void reject(std::size_t index, std::string_view what);

    /// Lower-case hex of `bytes`, in the batch's arena (protobuf ids are bytes, JSON ids hex).
    std::string_view hex(std::string_view bytes);
    DecodedBatch &batch() { return *m_batch; }

private:
    static bool isFrameworkSpan(const Span &span);
    static bool isPoolSpan(const Span &span);
    std::string_view compose(std::string_view a, char separator, std::string_view b, bool upperA = false);

    const NativeDecoderLimits &m_limits;
    DecodedBatch *m_batch = nullptr;
    qint64 m_nowMs = 0;
    std::size_t m_folded = 0;
    std::string m_message;
    std::string m_routeScratch;
    /// A span of the resource being decoded, for the parent walk at its end.
    struct Node
    {
        std::string_view spanId;
        std::string_view parentSpanId;
        qint64 kind = kKindUnspecified;
        int event = -1; ///< index into m_pending of a foldable INTERNAL span's event
    };
    std::vector<IngestEvent> m_pending; ///< events of the resource being decoded
    std::vector<Node> m_tree;
};

} // namespace perfwatch::otlp
