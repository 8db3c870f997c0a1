#pragma once

// One description of OTLP spans written both ways, as OTLP/JSON and as protobuf
// (ExportTraceServiceRequest, field numbers from opentelemetry-proto), so tests can check that
// the two encodings decode into the same events. The protobuf side uses ProtoWriter; the
// end-to-end tests check the decoder against the real SDK exporter.

#include "protowire.h"

#include <QByteArray>
#include <QList>
#include <variant>
#include <zlib.h>

namespace perfwatch::test {

struct OtlpTestAttribute
{
    QByteArray key;
    std::variant<QByteArray, qint64, double, bool> value;
};

struct OtlpTestSpan
{
    QByteArray traceId; ///< 16 raw bytes
    QByteArray name;
    int kind = 1;
    quint64 startNs = 0;
    quint64 endNs = 0;
    int statusCode = 0; ///< 2 = ERROR
    QList<OtlpTestAttribute> attributes;
};

struct OtlpTestResource
{
    QByteArray service;
    QList<OtlpTestSpan> spans;
};

inline QByteArray protoAnyValue(const std::variant<QByteArray, qint64, double, bool> &v)
{
    ProtoWriter w;
    if (const auto *s = std::get_if<QByteArray>(&v)) {
        w.bytesField(1, std::string_view(s->constData(), std::size_t(s->size())));
    } else if (const auto *i = std::get_if<qint64>(&v)) {
        w.varintField(3, quint64(*i));
    } else if (const auto *d = std::get_if<double>(&v)) {
        // fixed64: wire type 1
        QByteArray raw = w.take();
        raw.append(char((4 << 3) | 1));
        raw.append(reinterpret_cast<const char *>(d), 8);
        return raw;
    } else {
        w.varintField(2, std::get<bool>(v) ? 1 : 0);
    }
    return w.take();
}

inline std::string_view view(const QByteArray &b)
{
    return { b.constData(), std::size_t(b.size()) };
}

inline QByteArray protoKeyValue(const QByteArray &key, const std::variant<QByteArray, qint64, double, bool> &v)
{
    ProtoWriter kv;
    kv.bytesField(1, view(key));
    kv.bytesField(2, view(protoAnyValue(v)));
    return kv.take();
}

inline QByteArray fixed64Field(quint32 field, quint64 value)
{
    QByteArray out;
    out.append(char((field << 3) | 1));
    out.append(reinterpret_cast<const char *>(&value), 8);
    return out;
}

inline QByteArray protoSpan(const OtlpTestSpan &s)
{
    ProtoWriter w;
    if (!s.traceId.isEmpty())
        w.bytesField(1, view(s.traceId));
    w.bytesField(2, "\x01\x02\x03\x04\x05\x06\x07\x08"); // span_id: not read
    w.bytesField(5, view(s.name));
    if (s.kind)
        w.varintField(6, quint64(s.kind));
    QByteArray out = w.take();
    if (s.startNs)
        out += fixed64Field(7, s.startNs);
    if (s.endNs)
        out += fixed64Field(8, s.endNs);
    ProtoWriter rest;
    for (const OtlpTestAttribute &a : s.attributes)
        rest.bytesField(9, view(protoKeyValue(a.key, a.value)));
    if (s.statusCode) {
        ProtoWriter status;
        status.bytesField(2, "failed");
        status.varintField(3, quint64(s.statusCode));
        rest.bytesField(15, view(status.data()));
    }
    return out + rest.take();
}

inline QByteArray protoRequest(const QList<OtlpTestResource> &resources)
{
    ProtoWriter request;
    for (const OtlpTestResource &r : resources) {
        ProtoWriter resource;
        resource.bytesField(1, view(protoKeyValue("service.name", r.service)));
        ProtoWriter scope;
        ProtoWriter scopeInfo;
        scopeInfo.bytesField(1, "perfwatch-test");
        scope.bytesField(1, view(scopeInfo.data()));
        for (const OtlpTestSpan &s : r.spans)
            scope.bytesField(2, view(protoSpan(s)));
        ProtoWriter resourceSpans;
        resourceSpans.bytesField(1, view(resource.data()));
        resourceSpans.bytesField(2, view(scope.data()));
        request.bytesField(1, view(resourceSpans.data()));
    }
    return request.take();
}

inline QByteArray jsonAnyValue(const std::variant<QByteArray, qint64, double, bool> &v)
{
    if (const auto *s = std::get_if<QByteArray>(&v))
        return R"({"stringValue":")" + *s + R"("})";
    if (const auto *i = std::get_if<qint64>(&v))
        return R"({"intValue":")" + QByteArray::number(*i) + R"("})";
    if (const auto *d = std::get_if<double>(&v))
        return R"({"doubleValue":)" + QByteArray::number(*d, 'g', 17) + "}";
    return std::get<bool>(v) ? R"({"boolValue":true})" : R"({"boolValue":false})";
}

inline QByteArray jsonRequest(const QList<OtlpTestResource> &resources)
{
    QByteArray out = R"({"resourceSpans":[)";
    for (qsizetype r = 0; r < resources.size(); ++r) {
        if (r)
            out += ',';
        out += R"({"resource":{"attributes":[{"key":"service.name","value":{"stringValue":")" + resources[r].service
            + R"("}}]},"scopeSpans":[{"scope":{"name":"perfwatch-test"},"spans":[)";
        for (qsizetype i = 0; i < resources[r].spans.size(); ++i) {
            const OtlpTestSpan &s = resources[r].spans[i];
            if (i)
                out += ',';
            out += "{";
            if (!s.traceId.isEmpty())
                out += R"("traceId":")" + s.traceId.toHex() + R"(",)";
            out += R"("spanId":"0102030405060708","name":")" + s.name + R"(","kind":)" + QByteArray::number(s.kind)
                + R"(,"startTimeUnixNano":")" + QByteArray::number(s.startNs) + R"(","endTimeUnixNano":")"
                + QByteArray::number(s.endNs) + R"(","attributes":[)";
            for (qsizetype a = 0; a < s.attributes.size(); ++a) {
                if (a)
                    out += ',';
                out += R"({"key":")" + s.attributes[a].key + R"(","value":)" + jsonAnyValue(s.attributes[a].value)
                    + "}";
            }
            out += "]";
            if (s.statusCode)
                out += R"(,"status":{"message":"failed","code":)" + QByteArray::number(s.statusCode) + "}";
            out += "}";
        }
        out += "]}]}";
    }
    return out + "]}";
}

/// `data` as one gzip member (RFC 1952), at the best compression; empty when zlib fails.
inline QByteArray gzip(const QByteArray &data)
{
    z_stream z {};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&z, uLong(data.size()))), Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : QByteArray();
}

/// A request of `service`: a GET /api/trips/{id} server span of 40 ms ending at endMs, with
/// `dbSpans` "find trips" MongoDB client spans of 2 ms under it, all of one trace.
inline QList<OtlpTestResource> tripTrace(
    const QByteArray &service, const QByteArray &traceId, int dbSpans, quint64 endMs)
{
    OtlpTestSpan server;
    server.traceId = traceId;
    server.name = "GET /api/trips/{id}";
    server.kind = 2;
    server.startNs = (endMs - 40) * 1'000'000;
    server.endNs = endMs * 1'000'000;
    server.attributes = { { "http.request.method", QByteArray("GET") }, { "http.route", QByteArray("/api/trips/{id}") },
        { "http.response.status_code", qint64(200) } };
    QList<OtlpTestSpan> spans { server };
    for (int i = 0; i < dbSpans; ++i) {
        OtlpTestSpan db;
        db.traceId = traceId;
        db.name = "find trips";
        db.kind = 3;
        db.startNs = (endMs - 30) * 1'000'000;
        db.endNs = (endMs - 28) * 1'000'000;
        db.attributes = { { "db.system", QByteArray("mongodb") }, { "db.operation", QByteArray("find") },
            { "db.mongodb.collection", QByteArray("trips") } };
        spans << db;
    }
    return { { service, spans } };
}

} // namespace perfwatch::test
