// OTLP/protobuf traces: the same spans as OTLP/JSON give the same events (one mapping for both),
// fields in any order and unknown fields are read as protobuf requires, and damaged input is
// rejected span by span or refused as a whole, never read past its end.

#include "otlpprototracedecoder.h"
#include "otlptestspans.h"
#include "otlptracedecoder.h"

#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000;
constexpr quint64 kNs = 1'000'000; // per ms

QByteArray traceId(char c)
{
    return QByteArray(16, c);
}

OtlpTestSpan serverSpan(const QByteArray &route, quint64 endMs, quint64 ms, qint64 status)
{
    OtlpTestSpan s;
    s.traceId = traceId(char(0xA0 + (endMs % 16)));
    s.name = "GET " + route;
    s.kind = 2;
    s.startNs = (endMs - ms) * kNs;
    s.endNs = endMs * kNs;
    s.attributes = { { "http.request.method", QByteArray("GET") }, { "http.route", route },
        { "http.response.status_code", status }, { "net.peer.port", qint64(40000) } };
    return s;
}

/// A mixed export: stable and old HTTP names, a database span, a processing span, an error.
QList<OtlpTestResource> mixedExport()
{
    const quint64 end = quint64(kNowMs) - 1000;
    OtlpTestSpan oldNames;
    oldNames.traceId = traceId('\x11');
    oldNames.name = "POST";
    oldNames.kind = 2;
    oldNames.startNs = (end - 7) * kNs;
    oldNames.endNs = end * kNs + 250'000;
    oldNames.attributes = { { "http.method", QByteArray("post") }, { "http.target", QByteArray("/api/trips/123?x=1") },
        { "http.status_code", qint64(503) } };
    OtlpTestSpan db;
    db.traceId = traceId('\x11');
    db.name = "find trips";
    db.kind = 3;
    db.startNs = (end - 5) * kNs;
    db.endNs = (end - 2) * kNs;
    db.statusCode = 2;
    db.attributes = { { "db.system", QByteArray("mongodb") }, { "db.operation", QByteArray("find") },
        { "db.mongodb.collection", QByteArray("trips") }, { "db.mongodb.ok", true }, { "ratio", 0.5 } };
    OtlpTestSpan step;
    step.traceId = traceId('\x22');
    step.name = "compute fares";
    step.kind = 1;
    step.startNs = (end - 30) * kNs;
    step.endNs = end * kNs;
    return { { "trips", { serverSpan("/api/trips/{id}", end, 12, 200), oldNames, db } },
        { "fares", { step, serverSpan("/api/fares", end - 3, 4, 500) } } };
}

QString describe(const IngestEvent &e)
{
    const auto s = [](std::string_view v) { return QString::fromUtf8(v.data(), qsizetype(v.size())); };
    return u"%1|%2|%3|%4|%5|%6|%7|%8|%9"_s.arg(int(e.kind))
        .arg(s(e.service), s(e.name), s(e.requestId))
        .arg(e.timestampMs)
        .arg(e.value, 0, 'g', 17)
        .arg(e.status)
        .arg(e.error)
        .arg(e.items);
}

QStringList events(const DecodedBatch &batch)
{
    QStringList out;
    for (const IngestEvent &e : batch.events())
        out << describe(e);
    return out;
}

} // namespace

class tst_OtlpProtoTraceDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesTheSameEventsAsJson();
    void readsFieldsInAnyOrderAndSkipsUnknownOnes();
    void rejectsBadSpansOnly();
    void refusesMalformedBodies_data();
    void refusesMalformedBodies();
    void refusesTooManySpans();
    void acceptsAnEmptyExport();
};

void tst_OtlpProtoTraceDecoder::decodesTheSameEventsAsJson()
{
    const QList<OtlpTestResource> spans = mixedExport();
    OtlpProtoTraceDecoder proto;
    OtlpTraceDecoder json;
    DecodedBatch fromProto;
    DecodedBatch fromJson;
    // The events point into the bodies: keep them while the events are read.
    const QByteArray protoBody = protoRequest(spans);
    const QByteArray jsonBody = jsonRequest(spans);
    QVERIFY(proto.decode(view(protoBody), kNowMs, fromProto));
    QVERIFY(json.decode(view(jsonBody), kNowMs, fromJson));
    QCOMPARE(fromProto.rejected(), 0u);
    QCOMPARE(fromJson.rejected(), 0u);
    QCOMPARE(events(fromProto), events(fromJson));
    QCOMPARE(proto.spanCount(), 5u);

    // And the events are the ones a user expects, whichever encoding brought them.
    const auto &e = fromProto.events();
    QCOMPARE(e.size(), 5u);
    QCOMPARE(describe(e[0]),
        u"0|trips|GET:/api/trips/{id}|trips/%1|%2|12|200|0|0"_s
            .arg(QString::fromLatin1(traceId(char(0xA0 + (kNowMs - 1000) % 16)).toHex()))
            .arg(kNowMs - 1000));
    QCOMPARE(describe(e[1]),
        u"0|trips|POST:/api/trips/{id}|trips/11111111111111111111111111111111|%1|7.25|503|1|0"_s.arg(kNowMs - 1000));
    QCOMPARE(QString::fromUtf8(e[2].name.data(), qsizetype(e[2].name.size())), u"find:trips"_s);
    QCOMPARE(e[2].kind, MetricKind::Db);
    QVERIFY(e[2].error);
    QCOMPARE(e[2].requestId, e[1].requestId); // one trace: the db span correlates with its request
    QCOMPARE(e[3].kind, MetricKind::Processing);
    QCOMPARE(e[3].service, std::string_view("fares"));
    QCOMPARE(e[4].status, quint16(500));
    QVERIFY(e[4].error);
}

void tst_OtlpProtoTraceDecoder::readsFieldsInAnyOrderAndSkipsUnknownOnes()
{
    // A span written end first, with fields PerfWatch does not read (events, links, flags, a
    // field number from the future), inside a resource whose attributes come after its spans.
    const quint64 end = quint64(kNowMs) * kNs;
    QByteArray span = fixed64Field(8, end) + fixed64Field(7, end - 3 * kNs);
    ProtoWriter w;
    w.varintField(6, 2);
    w.bytesField(9, view(protoKeyValue("http.route", QByteArray("/api/x"))));
    w.bytesField(11,
        "\x0a\x03"
        "abc"); // an event
    w.varintField(999, 12345); // unknown
    w.bytesField(5, "GET /api/x");
    w.bytesField(9, view(protoKeyValue("http.request.method", QByteArray("GET"))));
    span += w.take();
    span.append("\x85\x01\x01\0\0\0", 6); // flags (16): fixed32, its tag a two-byte varint
    ProtoWriter scope;
    scope.bytesField(2, view(span));
    ProtoWriter resource;
    resource.bytesField(1, view(protoKeyValue("service.name", QByteArray("late"))));
    ProtoWriter resourceSpans;
    resourceSpans.bytesField(2, view(scope.data()));
    resourceSpans.varintField(77, 1); // unknown
    resourceSpans.bytesField(1, view(resource.data()));
    ProtoWriter request;
    request.bytesField(1, view(resourceSpans.data()));

    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode(view(request.data()), kNowMs, batch));
    QVERIFY2(batch.rejected() == 0, batch.errors().empty() ? "" : batch.errors()[0].message.c_str());
    QCOMPARE(events(batch), QStringList { u"0|late|GET:/api/x||%1|3|200|0|0"_s.arg(kNowMs) });
}

void tst_OtlpProtoTraceDecoder::rejectsBadSpansOnly()
{
    const quint64 end = quint64(kNowMs) - 10;
    OtlpTestSpan good = serverSpan("/api/ok", end, 5, 200);
    OtlpTestSpan backwards = good;
    backwards.startNs = good.endNs + 1;
    OtlpTestSpan noStart = good;
    noStart.startNs = 0;
    OtlpTestSpan badUtf8 = good;
    badUtf8.kind = 1;
    badUtf8.attributes.clear();
    badUtf8.name = "step \xff\xfe";
    OtlpTestSpan badStatus = good;
    badStatus.attributes[2].value = qint64(42);
    QByteArray request = protoRequest({ { "svc", { good, backwards, noStart, badUtf8, badStatus } } });

    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode(view(request), kNowMs, batch));
    QCOMPARE(batch.accepted(), 1u);
    QCOMPARE(batch.rejected(), 4u);
    QStringList messages;
    for (const auto &error : batch.errors())
        messages << QString::fromStdString(error.message);
    QCOMPARE(messages,
        QStringList({ u"span 1: end_time_unix_nano is before start_time_unix_nano"_s,
            u"span 2: start_time_unix_nano is required"_s, u"span 3: name is not valid UTF-8"_s,
            u"span 4: \"http.response.status_code\" must be an integer from 100 to 599"_s }));
}

void tst_OtlpProtoTraceDecoder::refusesMalformedBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    const QByteArray valid = protoRequest(mixedExport());
    QTest::newRow("JSON sent as protobuf") << jsonRequest(mixedExport());
    QTest::newRow("cut in the middle") << valid.first(valid.size() / 2);
    QTest::newRow("length past the end") << QByteArray("\x0a\xff\xff\x03", 4);
    QTest::newRow("varint of 11 bytes") << QByteArray("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12);
    QTest::newRow("group wire type") << QByteArray("\x0b\x0c", 2);
    QTest::newRow("field number 0") << QByteArray("\x02\x00", 2);
    QTest::newRow("resource_spans as a varint") << QByteArray("\x08\x01", 2);
}

void tst_OtlpProtoTraceDecoder::refusesMalformedBodies()
{
    QFETCH(QByteArray, body);
    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    QVERIFY(!decoder.decode(view(body), kNowMs, batch));
    QVERIFY(batch.isRefused());
    QVERIFY(!batch.isRefusedAsTooLarge());
    QVERIFY2(QByteArray::fromStdString(std::string(batch.refusal())).startsWith("malformed protobuf"),
        std::string(batch.refusal()).c_str());
    QCOMPARE(batch.events().size(), 0u);
}

void tst_OtlpProtoTraceDecoder::refusesTooManySpans()
{
    NativeDecoderLimits limits;
    limits.maxEvents = 2;
    OtlpProtoTraceDecoder decoder(limits);
    DecodedBatch batch;
    const QByteArray body = protoRequest(mixedExport());
    QVERIFY(!decoder.decode(view(body), kNowMs, batch));
    QVERIFY(batch.isRefusedAsTooLarge());
    QCOMPARE(
        std::string(batch.refusal()), std::string("the request holds more than 2 spans; send at most 2 per request"));
}

void tst_OtlpProtoTraceDecoder::acceptsAnEmptyExport()
{
    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    QVERIFY(decoder.decode({}, kNowMs, batch));
    QCOMPARE(batch.accepted(), 0u);
    QCOMPARE(batch.rejected(), 0u);
}

QTEST_GUILESS_MAIN(tst_OtlpProtoTraceDecoder)
#include "tst_otlpprototracedecoder.moc"
