#include "metricstore.h"
#include "statsdservice.h"
#include "testserver.h"
#include "udpburst.h"
#include "udpreceiver.h"

#include <QFile>
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
    void refusesASecondListenerOnItsPort();
    void namesAnAddressItCannotUse();
    void listensOnIpv6Loopback();
    void reportsTheReceiveBufferItGot();
    void keepsTheWholeLinesOfATruncatedDatagram();
    void receiverCountsWhatTheKernelDropped();
    void readsOnAfterABurst_data();
    void readsOnAfterABurst();

private:
    static quint64 countOf(MetricStore &store, const QString &name)
    {
        for (const KeyAggregate &k : store.window(0, QDateTime::currentMSecsSinceEpoch() + 1000)) {
            if (k.meta.name == name)
                return k.agg.stats.count;
        }
        return 0;
    }
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
    QVERIFY(metrics->body.contains("\nperfwatch_statsd_dropped_datagrams_total 0\n"));
    QCOMPARE(statsd.value(u"dropped_datagrams"_s).toInt(), 0);
    QCOMPARE(statsd.value(u"truncated_datagrams"_s).toInt(), 0);
    QVERIFY(statsd.value(u"receive_buffer_bytes"_s).toInt() > 0);
}

void tst_StatsdService::refusesASecondListenerOnItsPort()
{
    // Exclusive: a second PerfWatch must not share the port and take half of the datagrams.
    MetricStore store;
    StatsdService first(store);
    const quint16 port = first.start(testConfig());
    QVERIFY(port != 0);
    StatsdService second(store);
    StatsdConfig config = testConfig();
    config.port = port;
    QString error;
    QCOMPARE(second.start(config, &error), quint16(0));
    QCOMPARE(error,
        u"StatsD port %1 on 127.0.0.1 is already in use; choose another with --statsd-port (0 turns the choice "
        u"over to the system)"_s.arg(port));
    // The first one still gets everything.
    send(port, "still.first:1|ms");
    QTRY_COMPARE(first.counters().snapshot().datagrams, 1u);
}

void tst_StatsdService::namesAnAddressItCannotUse()
{
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.address = QHostAddress(u"192.0.2.1"_s); // TEST-NET-1: on no interface of this machine
    QString error;
    QCOMPARE(service.start(config, &error), quint16(0));
    // The address is what to change, not the port (issue 13 §6).
    QCOMPARE(error,
        u"cannot listen on 192.0.2.1: it is not an address of this host; choose another with --bind (127.0.0.1 for "
        u"this host only, 0.0.0.0 for every interface)"_s);
}

void tst_StatsdService::listensOnIpv6Loopback()
{
    QUdpSocket probe;
    if (!probe.bind(QHostAddress::LocalHostIPv6, 0))
        QSKIP("this machine has no IPv6 loopback");
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.address = QHostAddress::LocalHostIPv6;
    QString error;
    const quint16 port = service.start(config, &error);
    QVERIFY2(port != 0, qPrintable(error));
    QUdpSocket socket;
    QCOMPARE(socket.writeDatagram("over.ipv6:4|ms", QHostAddress::LocalHostIPv6, port), qint64(14));
    QTRY_COMPARE(countOf(store, u"over.ipv6"_s), 1u);
}

void tst_StatsdService::reportsTheReceiveBufferItGot()
{
    // Linux reports twice the size asked for (the other half is its bookkeeping). Without
    // CAP_NET_ADMIN the request is capped at net.core.rmem_max.
    QFile limitFile(u"/proc/sys/net/core/rmem_max"_s);
    QVERIFY(limitFile.open(QIODevice::ReadOnly));
    const qint64 limit = limitFile.readAll().trimmed().toLongLong();
    QVERIFY(limit > 0);
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.receiveBufferBytes = 1 << 20;
    QVERIFY(service.start(config) != 0);
    const qint64 granted = qint64(service.counters().snapshot().receiveBufferBytes);
    QVERIFY2(granted >= 2 * qMin<qint64>(config.receiveBufferBytes, limit), qPrintable(QString::number(granted)));
    QVERIFY(granted <= 2 * qint64(config.receiveBufferBytes));
}

void tst_StatsdService::keepsTheWholeLinesOfATruncatedDatagram()
{
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.maxDatagramBytes = 1024;
    const quint16 port = service.start(config);
    QVERIFY(port != 0);
    // 150 lines of 11 bytes: 1,024 bytes hold 93 whole lines and one byte of the next.
    send(port, QByteArray("trunc:1|ms\n").repeated(150));
    send(port, "whole:1|ms");
    QTRY_COMPARE(service.counters().snapshot().datagrams, 2u);
    const StatsdCountersSnapshot c = service.counters().snapshot();
    QCOMPARE(c.truncatedDatagrams, 1u);
    QCOMPARE(c.lines, 94u);
    QCOMPARE(c.malformedLines, 0u);
    QCOMPARE(countOf(store, u"trunc"_s), 93u);
    QCOMPARE(countOf(store, u"whole"_s), 1u);
}

void tst_StatsdService::receiverCountsWhatTheKernelDropped()
{
    // Nobody reads while 20,000 datagrams arrive at a small buffer: the kernel drops most of
    // them, and what is read plus what was dropped is what was sent.
    UdpReceiver::Options options;
    options.receiveBufferBytes = 64 * 1024;
    UdpReceiver receiver(options);
    QString error;
    QVERIFY2(receiver.bind(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QCOMPARE(sendBurst(receiver.localPort(), 20'000, "dropped:1|ms"), 20'000);
    quint64 read = 0;
    for (int n; (n = receiver.receive()) > 0;) {
        for (int i = 0; i < n; ++i)
            QCOMPARE(receiver.datagram(i), std::string_view("dropped:1|ms"));
        read += quint64(n);
    }
    const quint64 dropped = receiver.droppedDatagrams();
    QVERIFY2(read > 0 && dropped > 0, qPrintable(u"read %1, dropped %2"_s.arg(read).arg(dropped)));
    QCOMPARE(read + dropped, 20'000u);

    // The socket reads on: the next ten all arrive, and nothing more is counted as dropped.
    QCOMPARE(sendBurst(receiver.localPort(), 10, "after:1|ms"), 10);
    int after = 0;
    for (int n; (n = receiver.receive()) > 0;)
        after += n;
    QCOMPARE(after, 10);
    QCOMPARE(receiver.droppedDatagrams(), dropped);
}

void tst_StatsdService::readsOnAfterABurst_data()
{
    QTest::addColumn<int>("receiveBufferBytes");
    QTest::newRow("default buffer") << StatsdConfig().receiveBufferBytes;
    QTest::newRow("64 KiB buffer") << 64 * 1024;
}

void tst_StatsdService::readsOnAfterABurst()
{
    // The reported bug: after a burst the listener stopped reading for good, silently.
    QFETCH(int, receiveBufferBytes);
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config = testConfig();
    config.receiveBufferBytes = receiveBufferBytes;
    const quint16 port = service.start(config);
    QVERIFY(port != 0);
    QCOMPARE(sendBurst(port, 20'000, "burst:1|ms"), 20'000);
    for (int i = 0; i < 10; ++i) {
        QTest::qWait(50);
        send(port, "after:1|ms");
    }
    const auto accounted = [&] {
        const StatsdCountersSnapshot c = service.counters().snapshot();
        return c.datagrams + c.droppedDatagrams;
    };
    QTRY_COMPARE_WITH_TIMEOUT(accounted(), 20'010u, 10'000);
    // The ten sent after the burst are all read, and every burst datagram is either stored or
    // counted as dropped.
    QTRY_COMPARE(countOf(store, u"after"_s), 10u);
    const StatsdCountersSnapshot c = service.counters().snapshot();
    QCOMPARE(countOf(store, u"burst"_s), 20'000u - c.droppedDatagrams);
    QCOMPARE(c.events, c.datagrams);
    qInfo("%llu of 20,000 dropped with a %llu-byte buffer", c.droppedDatagrams, c.receiveBufferBytes);
}

QTEST_GUILESS_MAIN(tst_StatsdService)
#include "tst_statsdservice.moc"
