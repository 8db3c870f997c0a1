// End to end: hot-shots (the npm StatsD/DogStatsD client, a peer we did not write) sends timers,
// counters and gauges with tags and sample rates to the real perfwatch program.

#include "httptestclient.h"
#include "perfwatchprocess.h"
#include "udpburst.h"

#include <QDir>
#include <QStandardPaths>
#include <QTest>
#include <QUdpSocket>

using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_E2eStatsd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hotShotsMetricsShowUpInPerfWatch();
    void readsOnAfterABurst();

private:
    static QJsonObject getJson(quint16 port, const QByteArray &path)
    {
        HttpTestClient client(port);
        const auto reply = client.request("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return reply && reply->status == 200 ? reply->json() : QJsonObject();
    }
};

void tst_E2eStatsd::hotShotsMetricsShowUpInPerfWatch()
{
    if (QStandardPaths::findExecutable(u"node"_s).isEmpty())
        QSKIP("node is not installed (scripts/setup --tests installs it); the hot-shots peer cannot run");
    const QString modules = qEnvironmentVariable("PERFWATCH_E2E_STATSD_MODULES");
    QVERIFY2(QDir(modules + u"/hot-shots"_s).exists(),
        qPrintable(u"hot-shots is missing from "_s + modules + u"; the e2e_npm_statsd fixture installs it (npm ci)"_s));

    PerfwatchProcess perfwatch;
    QVERIFY(perfwatch.start());
    QString output;
    const int code = runNode(QStringLiteral(PERFWATCH_SOURCE_DIR "/tests/e2e/statsd/send.js"), modules,
        { u"STATSD_PORT=%1"_s.arg(perfwatch.statsdPort()) }, output);
    QVERIFY2(code == 0, qPrintable(output));
    // A line that is not StatsD is counted and skipped.
    QUdpSocket socket;
    socket.writeDatagram("this is not statsd\n", QHostAddress::LocalHost, perfwatch.statsdPort());

    QTRY_COMPARE_WITH_TIMEOUT(
        getJson(perfwatch.port(), "/api/performance/health")[u"ingest"_s][u"statsd"_s][u"lines"_s].toInt(), 17, 10'000);
    const QJsonObject statsd
        = getJson(perfwatch.port(), "/api/performance/health")[u"ingest"_s][u"statsd"_s].toObject();
    QCOMPARE(statsd.value(u"accepted_lines"_s).toInt(), 16);
    QCOMPARE(statsd.value(u"malformed_lines"_s).toInt(), 1);

    // Counters arrive with the next flush (every 10 s).
    const auto resources = [&] {
        return getJson(perfwatch.port(), "/api/performance/summary?hours=1").value(u"resources"_s).toObject();
    };
    QTRY_VERIFY_WITH_TIMEOUT(resources().contains(u"orders.created"_s), 15'000);

    const QJsonObject summary = getJson(perfwatch.port(), "/api/performance/summary?hours=1");
    const QJsonObject step = summary[u"processing"_s][u"checkout.validate"_s].toObject();
    QCOMPARE(step.value(u"operation_count"_s).toInt(), 3);
    QCOMPARE(step.value(u"avg_duration_ms"_s).toDouble(), 18.0);
    QCOMPARE(step.value(u"max_duration_ms"_s).toDouble(), 30.0);
    QCOMPARE(step.value(u"service"_s).toString(), u"hotshots-shop"_s);
    const QJsonObject api = summary[u"api_requests"_s][u"GET:/api/orders/{id}"_s].toObject();
    QCOMPARE(api.value(u"request_count"_s).toInt(), 3);
    QCOMPARE(api.value(u"error_count"_s).toInt(), 1);
    QCOMPARE(api.value(u"avg_duration_ms"_s).toDouble(), 63.333);
    // One sample at rate 0.5 counts twice.
    QCOMPARE(summary[u"database_operations"_s][u"find:orders"_s][u"operation_count"_s].toInt(), 2);
    const QJsonObject cache = summary[u"cache"_s][u"order_cache"_s].toObject();
    QCOMPARE(cache.value(u"hits"_s).toInt(), 8);
    QCOMPARE(cache.value(u"misses"_s).toInt(), 2);
    const QJsonObject gauges = summary.value(u"resources"_s).toObject();
    QCOMPARE(gauges[u"db.pool.in_use"_s][u"last"_s].toDouble(), 8.0); // 10, +3, -5
    QCOMPARE(gauges[u"db.pool.in_use"_s][u"max"_s].toDouble(), 13.0);
    QCOMPARE(gauges[u"db.pool.size"_s][u"last"_s].toDouble(), 20.0);
    QCOMPARE(gauges[u"orders.created"_s][u"last"_s].toDouble(), 7.0); // 1 + 2 + 1 at rate 0.25
    QCOMPARE(gauges[u"orders.created"_s][u"service"_s].toString(), u"hotshots-shop"_s);
    QVERIFY(gauges.contains(u"orders.created.per_second"_s));
}

void tst_E2eStatsd::readsOnAfterABurst()
{
    // As reported: a fresh perfwatch, a burst far beyond what it reads at once, then a few
    // datagrams 0.3 s apart. They must all be read, and the burst is stored or counted as dropped.
    PerfwatchProcess perfwatch;
    QVERIFY(perfwatch.start());
    QCOMPARE(sendBurst(perfwatch.statsdPort(), 20'000, "x:1|ms"), 20'000);
    QUdpSocket socket;
    for (int i = 0; i < 10; ++i) {
        QTest::qWait(300);
        QCOMPARE(socket.writeDatagram("after.burst:1|ms", QHostAddress::LocalHost, perfwatch.statsdPort()), qint64(16));
    }
    const auto statsd
        = [&] { return getJson(perfwatch.port(), "/api/performance/health")[u"ingest"_s][u"statsd"_s].toObject(); };
    QTRY_COMPARE_WITH_TIMEOUT(
        statsd().value(u"datagrams"_s).toInteger() + statsd().value(u"dropped_datagrams"_s).toInteger(), 20'010,
        10'000);
    const QJsonObject summary = getJson(perfwatch.port(), "/api/performance/summary?hours=1");
    QCOMPARE(summary[u"processing"_s][u"after.burst"_s][u"operation_count"_s].toInt(), 10);
    const QJsonObject counters = statsd();
    QCOMPARE(summary[u"processing"_s][u"x"_s][u"operation_count"_s].toInteger(),
        20'000 - counters.value(u"dropped_datagrams"_s).toInteger());
    QVERIFY(counters.value(u"listening"_s).toBool());
    QVERIFY(counters.value(u"receive_buffer_bytes"_s).toInteger() > 0);
}

QTEST_GUILESS_MAIN(tst_E2eStatsd)
#include "tst_e2e_statsd.moc"
