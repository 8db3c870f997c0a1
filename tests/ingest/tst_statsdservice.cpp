#include "metricstore.h"
#include "statsdservice.h"
#include "testserver.h"

#include <QTest>
#include <QUdpSocket>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_StatsdService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storesWhatArrives();
    void flushesCountersOnStop();
    void reportsABusyPort();
    void showsItsCountersInHealthAndMetrics();

private:
    static StatsdConfig testConfig()
    {
        StatsdConfig config;
        config.port = 0;
        config.flushIntervalMs = 100;
        return config;
    }
    static void send(quint16 port, const QByteArray &datagram)
    {
        QUdpSocket socket;
        QCOMPARE(socket.writeDatagram(datagram, QHostAddress::LocalHost, port), qint64(datagram.size()));
    }
};

void tst_StatsdService::storesWhatArrives()
{
    MetricStore store;
    StatsdService service(store);
    QString error;
    const quint16 port = service.start(testConfig(), &error);
    QVERIFY2(port != 0, qPrintable(error));
    QCOMPARE(service.port(), port);

    send(port, "checkout:120|ms|#service:shop\nbad\ncart.size:3|g|#service:shop");
    send(port, "orders:2|c|#service:shop\norders:1|c|@0.5|#service:shop");
    QTRY_COMPARE(service.counters().snapshot().datagrams, 2u);
    const StatsdCountersSnapshot c = service.counters().snapshot();
    QCOMPARE(c.lines, 5u);
    QCOMPARE(c.acceptedLines, 4u);
    QCOMPARE(c.malformedLines, 1u);
    QVERIFY(c.listening);
    QCOMPARE(c.port, port);

    // The counter arrives with the next flush (100 ms).
    const auto find = [&](const QString &name) -> KeyAggregate {
        for (const KeyAggregate &k : store.window(0, QDateTime::currentMSecsSinceEpoch() + 1000)) {
            if (k.meta.name == name)
                return k;
        }
        return {};
    };
    QTRY_VERIFY(find(u"orders"_s).agg.stats.count > 0);
    QCOMPARE(find(u"orders"_s).meta.service, u"shop"_s);
    QCOMPARE(find(u"orders"_s).agg.stats.last, 4.0);
    QCOMPARE(find(u"checkout"_s).meta.kind, MetricKind::Processing);
    QCOMPARE(find(u"checkout"_s).agg.stats.sum, 120.0);
    QCOMPARE(find(u"cart.size"_s).agg.stats.last, 3.0);
}

void tst_StatsdService::flushesCountersOnStop()
{
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.flushIntervalMs = 60'000;
    const quint16 port = service.start(config);
    QVERIFY(port != 0);
    send(port, "cache.hit:7|c");
    QTRY_COMPARE(service.counters().snapshot().acceptedLines, 1u);
    service.stop();
    QVERIFY(!service.isRunning());
    QCOMPARE(service.counters().snapshot().listening, false);
    const std::vector<KeyTotals> totals = store.totals();
    QCOMPARE(totals.size(), 1u);
    QCOMPARE(totals[0].meta.kind, MetricKind::Cache);
    QCOMPARE(totals[0].meta.name, u"cache"_s);
    QCOMPARE(totals[0].items, 7u);
}

void tst_StatsdService::reportsABusyPort()
{
    QUdpSocket holder;
    QVERIFY(holder.bind(QHostAddress::LocalHost, 0, QAbstractSocket::DontShareAddress));
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.port = holder.localPort();
    QString error;
    QCOMPARE(service.start(config, &error), quint16(0));
    QVERIFY(!service.isRunning());
    QCOMPARE(error,
        u"StatsD port %1 on 127.0.0.1 is already in use; choose another with --statsd-port (0 turns the choice "
        u"over to the system)"_s.arg(config.port));
}

void tst_StatsdService::showsItsCountersInHealthAndMetrics()
{
    MetricStore store; // only the counters matter here
    StatsdService service(store);
    const quint16 port = service.start(testConfig());
    QVERIFY(port != 0);
    TestServer server;
    QVERIFY(server.start(TestServer::defaultConfig(), &service.counters()));
    send(port, "a:1|c\nnot statsd\nb:1|q\n_e{1,1}:a|b");
    QTRY_COMPARE(service.counters().snapshot().lines, 4u);
    const auto health = server.get("/api/performance/health");
    QVERIFY(health);
    const QJsonObject statsd = health->json().value(u"ingest"_s).toObject().value(u"statsd"_s).toObject();
    QCOMPARE(statsd.value(u"listening"_s).toBool(), true);
    QCOMPARE(statsd.value(u"port"_s).toInt(), int(port));
    QCOMPARE(statsd.value(u"malformed_lines"_s).toInt(), 2);
    QCOMPARE(statsd.value(u"accepted_lines"_s).toInt(), 1);
    QCOMPARE(statsd.value(u"ignored_lines"_s).toInt(), 1);
    const auto metrics = server.get("/metrics");
    QVERIFY(metrics);
    QVERIFY(metrics->body.contains("\nperfwatch_statsd_lines_total{outcome=\"malformed\"} 2\n"));
    QVERIFY(metrics->body.contains("\nperfwatch_statsd_datagrams_total 1\n"));
}

QTEST_GUILESS_MAIN(tst_StatsdService)
#include "tst_statsdservice.moc"
