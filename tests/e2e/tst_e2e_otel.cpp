// End to end: the OpenTelemetry JavaScript SDK (a peer we did not write) exports spans to the
// real perfwatch program over OTLP/HTTP, protobuf (the spec's default) and JSON, and OTLP/gRPC,
// each plain and gzip-compressed, configured by nothing but the endpoint (and the compression
// variable).

#include "httptestclient.h"
#include "perfwatchprocess.h"

#include <QDir>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTest>

using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_E2eOtel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sdkSpansShowUpInPerfWatch_data();
    void sdkSpansShowUpInPerfWatch();

private:
    static QJsonObject getJson(quint16 port, const QByteArray &path)
    {
        HttpTestClient client(port);
        const auto reply = client.request("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return reply && reply->status == 200 ? reply->json() : QJsonObject();
    }
};

void tst_E2eOtel::sdkSpansShowUpInPerfWatch_data()
{
    QTest::addColumn<QString>("exporter");
    QTest::addColumn<QString>("compression");
    QTest::newRow("http/protobuf") << u"proto"_s << QString();
    QTest::newRow("http/protobuf gzip") << u"proto"_s << u"gzip"_s;
    QTest::newRow("http/json") << u"json"_s << QString();
    QTest::newRow("http/json gzip") << u"json"_s << u"gzip"_s;
    QTest::newRow("grpc") << u"grpc"_s << QString();
    QTest::newRow("grpc gzip") << u"grpc"_s << u"gzip"_s;
}

void tst_E2eOtel::sdkSpansShowUpInPerfWatch()
{
    QFETCH(QString, exporter);
    QFETCH(QString, compression);
    if (QStandardPaths::findExecutable(u"node"_s).isEmpty())
        QSKIP("node is not installed (scripts/setup --tests installs it); the OpenTelemetry JS peer cannot run");
    const QString modules = qEnvironmentVariable("PERFWATCH_E2E_OTEL_MODULES");
    QVERIFY2(QDir(modules + u"/@opentelemetry/exporter-trace-otlp-proto"_s).exists(),
        qPrintable(u"the OpenTelemetry packages are missing from "_s + modules
            + u"; the e2e_npm_otel fixture installs them (npm ci)"_s));

    PerfwatchProcess perfwatch;
    QVERIFY(perfwatch.start());
    QString output;
    // Only the endpoint is configured, as a user would: the exporter adds /v1/traces itself.
    const quint16 port = exporter == u"grpc" ? perfwatch.grpcPort() : perfwatch.port();
    QStringList environment { u"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:%1"_s.arg(port),
        u"PERFWATCH_E2E_EXPORTER="_s + exporter };
    if (!compression.isEmpty())
        environment << u"OTEL_EXPORTER_OTLP_COMPRESSION="_s + compression;
    const int code
        = runNode(QStringLiteral(PERFWATCH_SOURCE_DIR "/tests/e2e/otel/emit.js"), modules, environment, output);
    QVERIFY2(code == 0, qPrintable(output));

    const QJsonObject summary = getJson(perfwatch.port(), "/api/performance/summary?hours=1");
    const QJsonObject api = summary.value(u"api_requests"_s).toObject();
    const QJsonObject db = summary.value(u"database_operations"_s).toObject();
    const QJsonObject processing = summary.value(u"processing"_s).toObject();
    QCOMPARE(api.keys(), QStringList({ u"GET:/api/trips/{id}"_s, u"POST:/api/trips"_s }));
    const QJsonObject get = api.value(u"GET:/api/trips/{id}"_s).toObject();
    QCOMPARE(get.value(u"request_count"_s).toInt(), 5);
    QCOMPARE(get.value(u"error_count"_s).toInt(), 0);
    QCOMPARE(get.value(u"max_duration_ms"_s).toDouble(), 45.0);
    QCOMPARE(get.value(u"service"_s).toString(), u"otel-trip-service"_s);
    const QJsonObject post = api.value(u"POST:/api/trips"_s).toObject();
    QCOMPARE(post.value(u"request_count"_s).toInt(), 3);
    QCOMPARE(post.value(u"error_count"_s).toInt(), 1);
    QCOMPARE(db.keys(), QStringList({ u"INSERT:trips"_s, u"find:trips"_s }));
    QCOMPARE(db.value(u"find:trips"_s).toObject().value(u"operation_count"_s).toInt(), 10);
    QCOMPARE(db.value(u"find:trips"_s).toObject().value(u"avg_duration_ms"_s).toDouble(), 4.0);
    QCOMPARE(db.value(u"INSERT:trips"_s).toObject().value(u"operation_count"_s).toInt(), 3);
    QCOMPARE(db.value(u"INSERT:trips"_s).toObject().value(u"error_count"_s).toInt(), 1);
    // validate_trip ran inside its request (an INTERNAL child of the POST's server span): it folds
    // into the request instead of becoming a step; the background job outside any request stays.
    QCOMPARE(processing.keys(), QStringList({ u"rebuild_fare_cache"_s }));
    QCOMPARE(processing.value(u"rebuild_fare_cache"_s).toObject().value(u"operation_count"_s).toInt(), 2);
    QCOMPARE(processing.value(u"rebuild_fare_cache"_s).toObject().value(u"avg_duration_ms"_s).toDouble(), 15.0);

    // The six identical queries of one trace are an N+1 on the endpoint that ran them.
    const QJsonObject report = getJson(perfwatch.port(), "/api/performance/report");
    QJsonObject nPlusOne;
    for (const QJsonValue r : report.value(u"recommendations"_s).toArray()) {
        if (r[u"rule"_s].toString() == u"n_plus_one"_s)
            nPlusOne = r.toObject();
    }
    QVERIFY2(!nPlusOne.isEmpty(), QJsonDocument(report).toJson().constData());
    QCOMPARE(nPlusOne.value(u"target"_s).toString(), u"GET:/api/trips/{id}"_s);
    QCOMPARE(nPlusOne.value(u"service"_s).toString(), u"otel-trip-service"_s);
    QCOMPARE(nPlusOne[u"evidence"_s][u"db_operation"_s].toString(), u"find:trips"_s);
    QCOMPARE(nPlusOne[u"evidence"_s][u"max_queries_per_request"_s].toInt(), 6);
    QCOMPARE(nPlusOne[u"evidence"_s][u"occurrences"_s].toInt(), 1);

    const QJsonObject health = getJson(perfwatch.port(), "/api/performance/health");
    // gRPC calls are counted apart from HTTP requests.
    const QJsonObject counters
        = exporter == u"grpc" ? health[u"ingest"_s][u"grpc"_s].toObject() : health[u"ingest"_s].toObject();
    QCOMPARE(counters[u"accepted_events"_s].toInt(), 23); // 26 spans, 3 folded
    QCOMPARE(counters[u"rejected_events"_s].toInt(), 0);
}

QTEST_GUILESS_MAIN(tst_E2eOtel)
#include "tst_e2e_otel.moc"
