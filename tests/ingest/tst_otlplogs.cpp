// OTLP logs: records are counted per service and severity (number, enum name or text), over
// protobuf and JSON, plain and gzip, and shown in /health and the summary.

#include "otlplogsdecoder.h"
#include "otlptestspans.h"
#include "protowire.h"
#include "testserver.h"

#include <QJsonArray>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

/// One LogRecord: severity_number (2) and severity_text (3), a body (5), a time (1).
QByteArray record(int number, const QByteArray &text = {})
{
    ProtoWriter w;
    if (number)
        w.varintField(2, quint64(number));
    if (!text.isEmpty())
        w.bytesField(3, view(text));
    ProtoWriter body;
    body.bytesField(1, "user 42 not found");
    w.bytesField(5, view(body.data()));
    QByteArray out = w.take();
    const quint64 ns = 1'700'000'000'000'000'000ULL;
    out.append(char((1 << 3) | 1)).append(reinterpret_cast<const char *>(&ns), 8);
    return out;
}

QByteArray resourceLogs(const QByteArray &service, const QList<QByteArray> &records)
{
    ProtoWriter any;
    any.bytesField(1, view(service));
    ProtoWriter kv;
    kv.bytesField(1, "service.name");
    kv.bytesField(2, view(any.data()));
    ProtoWriter resource;
    resource.bytesField(1, view(kv.data()));
    ProtoWriter scope;
    for (const QByteArray &r : records)
        scope.bytesField(2, view(r));
    ProtoWriter rl;
    rl.bytesField(1, view(resource.data()));
    rl.bytesField(2, view(scope.data()));
    ProtoWriter request;
    request.bytesField(1, view(rl.data()));
    return request.take();
}

/// shop: 2 INFO, 1 WARN (by text), 3 ERROR (17, 19, "error"), 1 FATAL; billing: 1 unspecified.
QByteArray protobufExport()
{
    return resourceLogs("shop",
               { record(9), record(10), record(0, "Warning"), record(17), record(19), record(0, "error"), record(21) })
        + resourceLogs("billing", { record(0) });
}

QByteArray jsonExport()
{
    return R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},)"
           R"("scopeLogs":[{"scope":{"name":"app"},"logRecords":[)"
           R"({"severityNumber":9,"body":{"stringValue":"a"}},{"severityNumber":"SEVERITY_NUMBER_INFO2"},)"
           R"({"severityText":"Warning"},{"severityNumber":17},{"severityNumber":"SEVERITY_NUMBER_ERROR3"},)"
           R"({"severityText":"error"},{"severityNumber":21}]}]},)"
           R"({"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},)"
           R"("scopeLogs":[{"logRecords":[{}]}]}]})";
}

QString describe(const OtlpLogsDecoder::Result &r)
{
    QStringList parts;
    for (const auto &t : r.tallies)
        parts << u"%1/%2=%3"_s
                     .arg(QString::fromUtf8(t.service.data(), qsizetype(t.service.size())),
                         QString::fromLatin1(LogBook::severityName(t.severity)))
                     .arg(t.count);
    return parts.join(u' ');
}

} // namespace

class tst_OtlpLogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsBySeverityInBothEncodings();
    void refusesMalformedAndTooManyRecords();
    void countsWhatArrivesOverHttp_data();
    void countsWhatArrivesOverHttp();
};

void tst_OtlpLogs::countsBySeverityInBothEncodings()
{
    const QString expected = u"shop/info=2 shop/warn=1 shop/error=3 shop/fatal=1 billing/unspecified=1"_s;
    OtlpLogsDecoder decoder;
    OtlpLogsDecoder::Result r;
    const QByteArray protobuf = protobufExport(); // the tallies point into it
    QVERIFY(decoder.decodeProtobuf(view(protobuf), r));
    QCOMPARE(r.records, 8u);
    QCOMPARE(describe(r), expected);
    const QByteArray json = jsonExport();
    QVERIFY2(decoder.decodeJson(view(json), r), r.refusal.c_str());
    QCOMPARE(r.records, 8u);
    QCOMPARE(describe(r), expected);
}

void tst_OtlpLogs::refusesMalformedAndTooManyRecords()
{
    OtlpLogsDecoder decoder;
    OtlpLogsDecoder::Result r;
    const QByteArray cut = protobufExport().first(40);
    QVERIFY(!decoder.decodeProtobuf(view(cut), r));
    QVERIFY(r.refusal.starts_with("malformed protobuf"));
    QVERIFY(r.tallies.empty());
    QVERIFY(!decoder.decodeJson("{\"resourceLogs\":[", r));
    QVERIFY(r.refusal.starts_with("malformed JSON"));
    NativeDecoderLimits limits;
    limits.maxEvents = 5;
    OtlpLogsDecoder small(limits);
    const QByteArray body = protobufExport();
    QVERIFY(!small.decodeProtobuf(view(body), r));
    QVERIFY(r.tooLarge);
    QCOMPARE(r.refusal, std::string("the request holds more than 5 log records; send at most 5 per request"));
}

void tst_OtlpLogs::countsWhatArrivesOverHttp_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("compressed");
    QTest::newRow("protobuf") << QByteArray("application/x-protobuf") << protobufExport() << false;
    QTest::newRow("protobuf gzip") << QByteArray("application/x-protobuf") << protobufExport() << true;
    QTest::newRow("json") << QByteArray("application/json") << jsonExport() << false;
    QTest::newRow("json gzip") << QByteArray("application/json") << jsonExport() << true;
}

void tst_OtlpLogs::countsWhatArrivesOverHttp()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, body);
    QFETCH(bool, compressed);
    TestServer server;
    QVERIFY(server.start());
    const auto reply = server.post("/v1/logs", compressed ? gzip(body) : body, type,
        compressed ? QByteArray("Content-Encoding: gzip\r\n") : QByteArray());
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Content-Type"), type);
    QCOMPARE(reply->body, type == "application/json" ? QByteArray("{}") : QByteArray());

    const auto health = server.get("/api/performance/health");
    QVERIFY(health);
    const QJsonObject logs = health->json().value(u"logs"_s).toObject();
    QCOMPARE(logs.value(u"records"_s).toInt(), 8);
    QCOMPARE(logs[u"by_severity"_s][u"error"_s].toInt(), 3);
    QCOMPARE(logs[u"by_severity"_s][u"fatal"_s].toInt(), 1);
    const QJsonArray services = logs.value(u"services"_s).toArray();
    QCOMPARE(services.size(), 2); // by name: billing, shop
    QCOMPARE(services[0][u"service"_s].toString(), u"billing"_s);
    QCOMPARE(services[0][u"errors"_s].toInt(), 0);
    const QJsonObject shop = services[1].toObject();
    QCOMPARE(shop.value(u"service"_s).toString(), u"shop"_s);
    QCOMPARE(shop.value(u"records"_s).toInt(), 7);
    QCOMPARE(shop.value(u"errors"_s).toInt(), 4);
    QCOMPARE(shop.value(u"errors_last_5_min"_s).toInt(), 4);
    QCOMPARE(shop.value(u"error_logs_per_min"_s).toDouble(), 4.0); // younger than a minute: per 1 min
    const auto summary = server.get("/api/performance/summary?hours=1");
    QVERIFY(summary);
    QCOMPARE(summary->json()[u"logs"_s][u"records"_s].toInt(), 8);
}

QTEST_GUILESS_MAIN(tst_OtlpLogs)
#include "tst_otlplogs.moc"
