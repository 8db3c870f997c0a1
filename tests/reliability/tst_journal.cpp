// A 202 means the data survives a crash: batches answered over real HTTP, the data folder copied
// exactly as a `kill -9` would leave it (the process keeps running, nothing is flushed or closed),
// and a second engine started on the copy must count every acknowledged event exactly once.
// Also: held OTLP metrics, a damaged journal tail, a history that lost its last flush, and a
// journal that cannot write (RLIMIT_FSIZE: the same EFBIG/ENOSPC path as a full disk).

#include "aggregate.h"
#include "engine.h"
#include "httptestclient.h"
#include "ingestservice.h"
#include "otlpmetricsstate.h"
#include "performanceroutes.h"
#include "statsdlistener.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUdpSocket>
#include <QTest>
#include <atomic>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

using namespace perfwatch;
using perfwatch::test::HttpTestClient;
using namespace Qt::StringLiterals;

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

EngineConfig configFor(const QString &dir)
{
    EngineConfig c;
    c.dataDir = dir;
    // Flushes and checkpoints happen when the test says; the sync timer may run (it changes
    // nothing a copy sees).
    c.flushIntervalMs = 3600'000;
    c.journalCheckpointMs = 3600'000;
    c.analysisIntervalMs = 3600'000;
    return c;
}

/// Copies the data folder as it is this instant: what a kill -9 leaves (the page cache is the
/// file as far as a restarted process is concerned).
void copyAsACrashLeavesIt(const QString &from, const QString &to)
{
    QDir().mkpath(to + u"/journal"_s);
    for (const QString &name : QDir(from).entryList(QDir::Files))
        QVERIFY(QFile::copy(from + u'/' + name, to + u'/' + name));
    for (const QString &name : QDir(from + u"/journal"_s).entryList(QDir::Files))
        QVERIFY(QFile::copy(from + u"/journal/"_s + name, to + u"/journal/"_s + name));
}

std::map<QString, quint64> counts(const PerformanceEngine &engine, double hours = 1)
{
    std::map<QString, quint64> out;
    for (const KeyAggregate &k : engine.summary(hours, now()).keys)
        out[k.meta.service + u'/' + k.meta.name] = k.agg.stats.count;
    return out;
}

/// Per key: count, errors, sum, min, max and the p50/p95/p99 of the last hour, one line each.
std::map<QString, QString> figures(const PerformanceEngine &engine)
{
    std::map<QString, QString> out;
    for (const KeyAggregate &k : engine.summary(1, now()).keys) {
        const MetricStats &s = k.agg.stats;
        out[k.meta.service + u'/' + k.meta.name]
            = u"n=%1 err=%2 sum=%3 min=%4 max=%5 p50=%6 p95=%7 p99=%8"_s.arg(s.count)
                  .arg(s.errors)
                  .arg(s.sum, 0, 'g', 12)
                  .arg(s.min)
                  .arg(s.max)
                  .arg(k.agg.quantile(0.5), 0, 'g', 12)
                  .arg(k.agg.quantile(0.95), 0, 'g', 12)
                  .arg(k.agg.quantile(0.99), 0, 'g', 12);
    }
    return out;
}

/// `n` api events per key for k in [0, keys), durations from `base` up, every 7th an error.
QByteArray varied(int keys, int n, int base)
{
    QByteArray body = "[";
    for (int k = 0; k < keys; ++k) {
        for (int i = 0; i < n; ++i) {
            if (body.size() > 1)
                body += ',';
            body += R"({"type":"api","service":"shop","method":"GET","route":"/v)" + QByteArray::number(k)
                + R"(","duration_ms":)" + QByteArray::number(base + 3 * i + k) + R"(,"status":)"
                + (i % 7 == 3 ? "503" : "200") + '}';
        }
    }
    return body + ']';
}

QByteArray post(const QByteArray &body)
{
    return "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

/// `n` api events of route /r<k> for k in [0, keys), as one native batch.
QByteArray batch(int keys, int n)
{
    QByteArray body = "[";
    for (int k = 0; k < keys; ++k) {
        for (int i = 0; i < n; ++i) {
            if (body.size() > 1)
                body += ',';
            body += R"({"type":"api","service":"shop","method":"GET","route":"/r)" + QByteArray::number(k)
                + R"(","duration_ms":)" + QByteArray::number(5 + i) + R"(,"status":200})";
        }
    }
    return body + ']';
}

/// The engine and its HTTP routes on a free port, as perfwatch runs them.
struct Running
{
    explicit Running(const QString &dir)
        : engine(configFor(dir))
    {
        QString error;
        started = engine.start(&error);
        notice = error;
        service = std::make_unique<IngestService>(
            [this](IngestServer &server) { PerformanceRoutes::install(server, engine); });
        IngestConfig config;
        config.port = 0;
        port = service->start(config);
    }
    ~Running() { service.reset(); }
    PerformanceEngine engine;
    std::unique_ptr<IngestService> service;
    quint16 port = 0;
    bool started = false;
    QString notice;
};

IngestEvent heldMetric(const char *service, quint64 count, LatencySketch &sketch)
{
    for (quint64 i = 0; i < count; ++i)
        sketch.add(20.0 + double(i));
    IngestEvent e;
    e.kind = MetricKind::Api;
    e.service = service;
    e.name = "GET:/api/trips/{id}";
    e.status = 200;
    e.histogram = &sketch;
    e.value = 20.0 * double(count);
    e.approximate = true;
    return e;
}

} // namespace

class tst_Journal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everythingAnsweredSurvivesAKill();
    void heldMetricsSurviveAndCountOnce();
    void spansInTheJournalCoverHeldMetrics();
    void aTornJournalStartsAndSaysWhatItKept();
    void aHistoryThatLostAFlushIsReported();
    void aJournalThatCannotWriteSaysSo();
    void statsdCountersReadBeforeACrashSurviveIt();
    void checkpointsReplayToTheSameFigures();
    void aKillBetweenACheckpointAndTheNextFlushCountsOnce();
    void lateRowsOfACheckpointReachTheHistoryOnce();
    void heldMetricsAndSpansAcrossACheckpoint();
    void concurrentIngestAcrossCheckpointsAndFlushesCountsOnce();
};

void tst_Journal::everythingAnsweredSurvivesAKill()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s), crashed = dir.filePath(u"crashed"_s);
    Running a(live);
    QVERIFY(a.started && a.port != 0);
    HttpTestClient client(a.port);
    // Before and after a flush, and one batch answered just before the "kill".
    for (int i = 0; i < 3; ++i)
        QCOMPARE(client.request(post(batch(20, 5)))->status, 202);
    a.engine.flushNow();
    for (int i = 0; i < 4; ++i)
        QCOMPARE(client.request(post(batch(20, 5)))->status, 202);
    const auto last = client.request(post(batch(1, 1)));
    QCOMPARE(last->status, 202);
    QCOMPARE(last->header("X-PerfWatch-Durable"), QByteArray()); // said only when it is not
    copyAsACrashLeavesIt(live, crashed);

    const auto health = client.request("GET /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const QJsonObject journal = health->json().value(u"journal"_s).toObject();
    QCOMPARE(journal.value(u"enabled"_s).toBool(), true);
    QCOMPARE(journal.value(u"durable"_s).toBool(), true);
    QVERIFY(journal.value(u"size_bytes"_s).toInteger() > 8);
    QCOMPARE(journal.value(u"sync_interval_ms"_s).toInteger(), 1000);

    PerformanceEngine b(configFor(crashed));
    QString notice;
    QVERIFY(b.start(&notice));
    QVERIFY2(notice.isEmpty(), qPrintable(notice));
    std::map<QString, quint64> expected;
    for (int k = 0; k < 20; ++k)
        expected[u"shop/GET:/r"_s + QString::number(k)] = 7 * 5;
    expected[u"shop/GET:/r0"_s] += 1;
    QCOMPARE(counts(b), expected);
    const IngestJournal::Status status = b.journalStatus();
    QCOMPARE(status.replay.records, 5u); // the 3 before the flush were cut with it
    QCOMPARE(status.replay.skippedRecords, 0u);
    QVERIFY(!status.replay.damaged);

    // And again: the replayed data is not counted twice by a second crash before a flush ...
    const QString twice = dir.filePath(u"twice"_s);
    copyAsACrashLeavesIt(crashed, twice);
    {
        PerformanceEngine c(configFor(twice));
        QVERIFY(c.start());
        QCOMPARE(counts(c), expected);
        // ... nor after one, and the flush cut what it covered.
        c.flushNow();
        QCOMPARE(c.journalStatus().files, 1u);
        c.stop();
    }
    PerformanceEngine d(configFor(twice));
    QVERIFY(d.start());
    QCOMPARE(counts(d), expected);
    QCOMPARE(d.journalStatus().replay.records, 0u);
}

void tst_Journal::heldMetricsSurviveAndCountOnce()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s);
    PerformanceEngine a(configFor(live));
    QVERIFY(a.start());
    OtlpMetricsState metrics(a.store(), now() - 60'000);
    LatencySketch sketch;
    const IngestEvent e = heldMetric("metrics-only", 12, sketch);
    QVERIFY(metrics.submit(std::span(&e, 1), now()));
    QCOMPARE(metrics.counters().held, 1u);
    a.flushNow(); // the hold is not in the history, whatever the mark says
    copyAsACrashLeavesIt(live, dir.filePath(u"held"_s));
    {
        PerformanceEngine b(configFor(dir.filePath(u"held"_s)));
        QVERIFY(b.start());
        QCOMPARE(counts(b), (std::map<QString, quint64> { { u"metrics-only/GET:/api/trips/{id}"_s, 12 } }));
    }
    // Released into the store (after the hold), flushed, crashed: still 12, not 24.
    metrics.releaseDue(now(), true);
    QCOMPARE(counts(a), (std::map<QString, quint64> { { u"metrics-only/GET:/api/trips/{id}"_s, 12 } }));
    copyAsACrashLeavesIt(live, dir.filePath(u"released"_s));
    {
        PerformanceEngine b(configFor(dir.filePath(u"released"_s)));
        QVERIFY(b.start());
        QCOMPARE(counts(b), (std::map<QString, quint64> { { u"metrics-only/GET:/api/trips/{id}"_s, 12 } }));
    }
    a.flushNow();
    copyAsACrashLeavesIt(live, dir.filePath(u"flushed"_s));
    PerformanceEngine b(configFor(dir.filePath(u"flushed"_s)));
    QVERIFY(b.start());
    QCOMPARE(counts(b), (std::map<QString, quint64> { { u"metrics-only/GET:/api/trips/{id}"_s, 12 } }));
}

void tst_Journal::spansInTheJournalCoverHeldMetrics()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s);
    PerformanceEngine a(configFor(live));
    QVERIFY(a.start());
    OtlpMetricsState metrics(a.store(), now() - 60'000);
    LatencySketch sketch;
    const IngestEvent held = heldMetric("both", 5, sketch);
    QVERIFY(metrics.submit(std::span(&held, 1), now()));
    // The same service's spans arrive while the metric waits (the SDK flushes both at exit).
    std::vector<IngestEvent> spans(5);
    for (IngestEvent &s : spans) {
        s.kind = MetricKind::Api;
        s.service = "both";
        s.name = "GET:/api/trips/{id}";
        s.value = 21;
        s.status = 200;
    }
    QVERIFY(a.store().insert(spans, now(), MetricStore::InsertOptions { .journal = true, .fromSpans = true, .resolves = {} }));
    metrics.noteSpans(spans, now());
    copyAsACrashLeavesIt(live, dir.filePath(u"crashed"_s));
    PerformanceEngine b(configFor(dir.filePath(u"crashed"_s)));
    QVERIFY(b.start());
    QCOMPARE(counts(b), (std::map<QString, quint64> { { u"both/GET:/api/trips/{id}"_s, 5 } }));
}

/// A key's figures in an engine's last hour: (count, items, misses, last value).
struct KeyFigures
{
    quint64 items = 0;
    quint64 misses = 0;
    double last = 0;
    bool found = false;
};

KeyFigures figures(const PerformanceEngine &engine, MetricKind kind, const QString &name)
{
    for (const KeyAggregate &k : engine.summary(1, now()).keys) {
        if (k.meta.kind == kind && k.meta.name == name)
            return KeyFigures { k.agg.stats.items, k.agg.stats.misses, k.agg.stats.last, true };
    }
    return {};
}

void tst_Journal::statsdCountersReadBeforeACrashSurviveIt()
{
    // StatsD counters become events only at the flush (every 10 s): what was read before it is
    // journaled as holds, so a crash loses no increment read, and the flush settles the holds.
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s);
    PerformanceEngine a(configFor(live));
    QVERIFY(a.start());
    StatsdCounters counters;
    StatsdConfig config;
    config.port = 0;
    config.flushIntervalMs = 3600'000; // flushed when the test says
    StatsdListener listener(a.store(), counters, config);
    QString error;
    const quint16 port = listener.listen(&error);
    QVERIFY2(port != 0, qPrintable(error));
    QTest::qWait(20); // a rate needs the interval to have begun at least a millisecond ago
    QUdpSocket udp;
    int lines = 0;
    const auto send = [&](const QByteArray &datagram) {
        QCOMPARE(udp.writeDatagram(datagram, QHostAddress::LocalHost, port), qint64(datagram.size()));
        lines += int(datagram.count('\n')) + 1;
    };
    for (int i = 0; i < 6; ++i)
        send("trip_cache.hit:1|c");
    send("trip_cache.hit:1|c|@0.5\ntrip_cache.miss:2|c"); // a sampled hit counts twice
    send("orders.placed:2|c");
    send("orders.placed:3|c");
    QTRY_COMPARE(counters.acceptedLines.load(), quint64(lines));

    copyAsACrashLeavesIt(live, dir.filePath(u"unflushed"_s));
    {
        PerformanceEngine b(configFor(dir.filePath(u"unflushed"_s)));
        QVERIFY(b.start());
        const KeyFigures cache = figures(b, MetricKind::Cache, u"trip_cache"_s);
        QVERIFY(cache.found);
        QCOMPARE(cache.items, 8u);
        QCOMPARE(cache.misses, 2u);
        const KeyFigures total = figures(b, MetricKind::Gauge, u"orders.placed"_s);
        QVERIFY(total.found);
        QCOMPARE(total.last, 5.0); // the running total as of its last datagram
        QVERIFY(figures(b, MetricKind::Gauge, u"orders.placed.per_second"_s).found);
    }

    // The flush stores the interval and settles its holds; one more hit is held after it.
    listener.flush();
    send("trip_cache.hit:1|c");
    QTRY_COMPARE(counters.acceptedLines.load(), quint64(lines));
    copyAsACrashLeavesIt(live, dir.filePath(u"flushed"_s));
    {
        PerformanceEngine b(configFor(dir.filePath(u"flushed"_s)));
        QVERIFY(b.start());
        const KeyFigures cache = figures(b, MetricKind::Cache, u"trip_cache"_s);
        QCOMPARE(cache.items, 9u); // 8 flushed + 1 held, not 8 + 8 + 1
        QCOMPARE(cache.misses, 2u);
    }
    // And once the history has the flush, the same.
    a.flushNow();
    copyAsACrashLeavesIt(live, dir.filePath(u"history"_s));
    PerformanceEngine c(configFor(dir.filePath(u"history"_s)));
    QVERIFY(c.start());
    QCOMPARE(figures(c, MetricKind::Cache, u"trip_cache"_s).items, 9u);
}

void tst_Journal::aTornJournalStartsAndSaysWhatItKept()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s), crashed = dir.filePath(u"crashed"_s);
    {
        Running a(live);
        HttpTestClient client(a.port);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(client.request(post(batch(2, 3)))->status, 202);
        copyAsACrashLeavesIt(live, crashed);
    }
    const QStringList files = QDir(crashed + u"/journal"_s).entryList({ u"*.pwj"_s }, QDir::Files);
    QCOMPARE(files.size(), 1);
    QFile file(crashed + u"/journal/"_s + files[0]);
    QVERIFY(file.resize(file.size() - 3)); // the last record was being written
    Running b(crashed);
    QVERIFY(b.started && b.port != 0);
    QVERIFY2(b.notice.startsWith(u"The ingest journal was damaged after record 2: kept 2 records, "_s),
        qPrintable(b.notice));
    QCOMPARE(counts(b.engine),
        (std::map<QString, quint64> { { u"shop/GET:/r0"_s, 6 }, { u"shop/GET:/r1"_s, 6 } }));
    HttpTestClient client(b.port);
    const auto health = client.request("GET /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const QJsonObject replay = health->json().value(u"journal"_s).toObject().value(u"replay"_s).toObject();
    QCOMPARE(replay.value(u"records"_s).toInteger(), 2);
    QCOMPARE(replay.value(u"events"_s).toInteger(), 12);
    QCOMPARE(replay.value(u"damaged"_s).toBool(), true);
    QCOMPARE(replay.value(u"message"_s).toString(), b.notice);
    // New batches are journaled after the good records and survive the next crash.
    QCOMPARE(client.request(post(batch(1, 1)))->status, 202);
    copyAsACrashLeavesIt(crashed, dir.filePath(u"again"_s));
    PerformanceEngine c(configFor(dir.filePath(u"again"_s)));
    QString notice;
    QVERIFY(c.start(&notice));
    QVERIFY2(notice.isEmpty(), qPrintable(notice));
    QCOMPARE(counts(c), (std::map<QString, quint64> { { u"shop/GET:/r0"_s, 7 }, { u"shop/GET:/r1"_s, 6 } }));
}

void tst_Journal::aHistoryThatLostAFlushIsReported()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s), crashed = dir.filePath(u"crashed"_s);
    Running a(live);
    HttpTestClient client(a.port);
    QCOMPARE(client.request(post(batch(1, 4)))->status, 202);
    QCOMPARE(client.request(post(batch(1, 4)))->status, 202);
    a.engine.flushNow(); // in the -wal; the journal is cut
    copyAsACrashLeavesIt(live, crashed);
    QVERIFY(QFile::remove(crashed + u"/perfwatch.sqlite-wal"_s)); // the -wal is lost
    PerformanceEngine b(configFor(crashed));
    QString notice;
    QVERIFY(b.start(&notice));
    QCOMPARE(notice,
        u"The history is missing a flush (its last 2 journal records were already cut): a damaged or replaced "
        "-wal file lost data"_s);
    QCOMPARE(b.journalStatus().replay.lostRecords, 2u);
}

void tst_Journal::aJournalThatCannotWriteSaysSo()
{
    // A file-size limit makes write() fail with EFBIG, as ENOSPC on a full disk: the batch is
    // accepted into memory, answered with X-PerfWatch-Durable: false, and /health says why.
    QTemporaryDir dir;
    Running a(dir.path());
    HttpTestClient client(a.port);
    QCOMPARE(client.request(post(batch(1, 1)))->status, 202);
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old {};
    QVERIFY(getrlimit(RLIMIT_FSIZE, &old) == 0);
    const quint64 size = a.engine.journalStatus().bytes;
    rlimit tight = old;
    tight.rlim_cur = rlim_t(size + 16);
    QVERIFY(setrlimit(RLIMIT_FSIZE, &tight) == 0);
    const auto full = client.request(post(batch(5, 5)));
    const auto health = client.request("GET /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(setrlimit(RLIMIT_FSIZE, &old) == 0);
    std::signal(SIGXFSZ, previous);
    QCOMPARE(full->status, 202);
    QCOMPARE(full->header("X-PerfWatch-Durable"), QByteArray("false"));
    QCOMPARE(full->json().value(u"accepted"_s).toInteger(), 25);
    const QJsonObject journal = health->json().value(u"journal"_s).toObject();
    QCOMPARE(journal.value(u"durable"_s).toBool(), false);
    QVERIFY2(journal.value(u"last_error"_s).toString().startsWith(u"Cannot append to the ingest journal"_s),
        qPrintable(journal.value(u"last_error"_s).toString()));
    QCOMPARE(journal.value(u"append_failures"_s).toInteger(), 1);
    QCOMPARE(counts(a.engine)[u"shop/GET:/r4"_s], 5u); // in memory all the same

    // Space again: durable again, and the journal is still readable after the failed write.
    const auto again = client.request(post(batch(1, 1)));
    QCOMPARE(again->status, 202);
    QCOMPARE(again->header("X-PerfWatch-Durable"), QByteArray());
    QVERIFY(a.engine.journalStatus().durable);
    copyAsACrashLeavesIt(dir.path(), dir.filePath(u"crashed"_s));
    PerformanceEngine b(configFor(dir.filePath(u"crashed"_s)));
    QString notice;
    QVERIFY(b.start(&notice));
    QVERIFY2(notice.isEmpty(), qPrintable(notice));
    QCOMPARE(counts(b), (std::map<QString, quint64> { { u"shop/GET:/r0"_s, 2 } })); // not the 25 of the failed write
}

void tst_Journal::checkpointsReplayToTheSameFigures()
{
    // The same batches, once with checkpoints between them and once without: a crash leaves
    // journals that replay to the same per-key counts, sums and percentiles, and to the live ones.
    QTemporaryDir dir;
    std::map<QString, QString> live[2];
    std::map<QString, QString> replayed[2];
    IngestJournal::ReplayResult replay[2];
    for (int withCheckpoints = 0; withCheckpoints < 2; ++withCheckpoints) {
        const QString from = dir.filePath(u"live%1"_s.arg(withCheckpoints));
        const QString to = dir.filePath(u"crashed%1"_s.arg(withCheckpoints));
        {
            Running a(from);
            QVERIFY(a.started && a.port != 0);
            HttpTestClient client(a.port);
            QCOMPARE(client.request(post(varied(12, 9, 4)))->status, 202);
            a.engine.flushNow();
            for (int round = 0; round < 4; ++round) {
                QCOMPARE(client.request(post(varied(12 - round, 11, 10 * round + 1)))->status, 202);
                QCOMPARE(client.request(post(varied(3, 5, 700 + round)))->status, 202);
                if (withCheckpoints)
                    a.engine.checkpointNow();
            }
            QCOMPARE(client.request(post(varied(2, 4, 40)))->status, 202); // after the last checkpoint
            live[withCheckpoints] = figures(a.engine);
            copyAsACrashLeavesIt(from, to);
        }
        PerformanceEngine b(configFor(to));
        QString notice;
        QVERIFY(b.start(&notice));
        QVERIFY2(notice.isEmpty(), qPrintable(notice));
        replayed[withCheckpoints] = figures(b);
        replay[withCheckpoints] = b.journalStatus().replay;
    }
    QCOMPARE(replayed[0], live[0]);
    QCOMPARE(replayed[1], live[1]);
    QCOMPARE(live[1], live[0]);
    QCOMPARE(replayed[1].size(), std::size_t(12));
    // Without checkpoints every batch after the flush is replayed; with them only the last one.
    QCOMPARE(replay[0].checkpoints, 0u);
    QCOMPARE(replay[0].replayedEvents, quint64(11 * (12 + 11 + 10 + 9) + 4 * 3 * 5 + 2 * 4));
    QCOMPARE(replay[1].checkpoints, 4u);
    QCOMPARE(replay[1].replayedEvents, quint64(2 * 4));
    QCOMPARE(replay[1].skippedRecords, 8u);
}

void tst_Journal::aKillBetweenACheckpointAndTheNextFlushCountsOnce()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s);
    Running a(live);
    QVERIFY(a.started && a.port != 0);
    HttpTestClient client(a.port);
    QCOMPARE(client.request(post(batch(5, 3)))->status, 202);
    a.engine.flushNow();
    QCOMPARE(client.request(post(batch(5, 2)))->status, 202);
    a.engine.checkpointNow();
    QCOMPARE(client.request(post(batch(3, 1)))->status, 202);
    a.engine.checkpointNow();
    copyAsACrashLeavesIt(live, dir.filePath(u"k1"_s)); // right after a checkpoint
    QCOMPARE(client.request(post(batch(1, 4)))->status, 202);
    copyAsACrashLeavesIt(live, dir.filePath(u"k2"_s)); // after a checkpoint and one more batch
    const std::map<QString, quint64> before { { u"shop/GET:/r0"_s, 6 }, { u"shop/GET:/r1"_s, 6 },
        { u"shop/GET:/r2"_s, 6 }, { u"shop/GET:/r3"_s, 5 }, { u"shop/GET:/r4"_s, 5 } };
    std::map<QString, quint64> after = before;
    after[u"shop/GET:/r0"_s] += 4;
    {
        PerformanceEngine b(configFor(dir.filePath(u"k1"_s)));
        QVERIFY(b.start());
        QCOMPARE(counts(b), before);
        QCOMPARE(b.journalStatus().replay.checkpoints, 2u);
        QCOMPARE(b.journalStatus().replay.replayedEvents, 0u);
    }
    {
        // (One engine at a time from here: two in one process share their SQLite connection names.)
        PerformanceEngine b(configFor(dir.filePath(u"k2"_s)));
        QVERIFY(b.start());
        QCOMPARE(counts(b), after);
        QCOMPARE(b.journalStatus().replay.replayedEvents, 4u);
        // The restarted one takes a checkpoint of its own and is killed again before any flush ...
        b.checkpointNow();
        copyAsACrashLeavesIt(dir.filePath(u"k2"_s), dir.filePath(u"k3"_s));
        // ... or after one (the history has the checkpoints' rows now, and the journal is cut).
        b.flushNow();
        QCOMPARE(b.journalStatus().files, 1u);
        copyAsACrashLeavesIt(dir.filePath(u"k2"_s), dir.filePath(u"k4"_s));
    }
    {
        // The old checkpoints, the new one and what came after count once.
        PerformanceEngine c(configFor(dir.filePath(u"k3"_s)));
        QVERIFY(c.start());
        QCOMPARE(counts(c), after);
        QCOMPARE(c.journalStatus().replay.checkpoints, 3u);
        QCOMPARE(c.journalStatus().replay.replayedEvents, 0u);
    }
    PerformanceEngine d(configFor(dir.filePath(u"k4"_s)));
    QVERIFY(d.start());
    QCOMPARE(counts(d), after);
    QCOMPARE(d.journalStatus().replay.checkpoints, 0u);
    QCOMPARE(d.journalStatus().replay.records, 0u);
}

void tst_Journal::lateRowsOfACheckpointReachTheHistoryOnce()
{
    // Data older than the minute tier goes to the history as additive rows: a checkpoint carries
    // them, replay hands them to the next flush, and each is added once.
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s), crashed = dir.filePath(u"crashed"_s);
    std::vector<IngestEvent> events(6);
    for (IngestEvent &e : events) {
        e.kind = MetricKind::Api;
        e.service = "late";
        e.name = "GET:/old";
        e.value = 12;
        e.status = 200;
        e.timestampMs = now() - 3 * 3600'000; // before the 80 min in memory, within the 48 h
    }
    {
        PerformanceEngine a(configFor(live));
        QVERIFY(a.start());
        QVERIFY(a.store().insert(std::span(events).first(2), now()));
        a.flushNow(); // the history has 2
        QVERIFY(a.store().insert(std::span(events).subspan(2, 3), now()));
        a.checkpointNow(); // + 3
        QVERIFY(a.store().insert(std::span(events).subspan(5, 1), now()));
        a.checkpointNow(); // + 1
        copyAsACrashLeavesIt(live, crashed);
    }
    {
        PerformanceEngine b(configFor(crashed));
        QVERIFY(b.start());
        QCOMPARE(b.journalStatus().replay.checkpoints, 2u);
        b.flushNow();
        QCOMPARE(counts(b, 4)[u"late/GET:/old"_s], 6u);
    }
    PerformanceEngine c(configFor(crashed)); // after a clean stop: the history alone
    QVERIFY(c.start());
    QCOMPARE(counts(c, 4)[u"late/GET:/old"_s], 6u);
}

void tst_Journal::heldMetricsAndSpansAcrossACheckpoint()
{
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s);
    PerformanceEngine a(configFor(live));
    QVERIFY(a.start());
    OtlpMetricsState metrics(a.store(), now() - 60'000);
    LatencySketch onlySketch, bothSketch;
    const IngestEvent only = heldMetric("metrics-only", 12, onlySketch);
    const IngestEvent both = heldMetric("both", 5, bothSketch);
    QVERIFY(metrics.submit(std::span(&only, 1), now()));
    QVERIFY(metrics.submit(std::span(&both, 1), now()));
    // The spans of "both" arrive while its metric waits; a checkpoint then covers them.
    std::vector<IngestEvent> spans(5);
    for (IngestEvent &s : spans) {
        s.kind = MetricKind::Api;
        s.service = "both";
        s.name = "GET:/api/trips/{id}";
        s.value = 21;
        s.status = 200;
    }
    QVERIFY(a.store().insert(
        spans, now(), MetricStore::InsertOptions { .journal = true, .fromSpans = true, .resolves = {} }));
    metrics.noteSpans(spans, now());
    a.checkpointNow();
    const std::map<QString, quint64> expected { { u"both/GET:/api/trips/{id}"_s, 5 },
        { u"metrics-only/GET:/api/trips/{id}"_s, 12 } };
    copyAsACrashLeavesIt(live, dir.filePath(u"held"_s));
    {
        PerformanceEngine b(configFor(dir.filePath(u"held"_s)));
        QVERIFY(b.start());
        QCOMPARE(counts(b), expected);
    }
    // Released (the metric-only one stored, the other dropped for the spans), then a checkpoint
    // covers the release: still counted once.
    metrics.releaseDue(now(), true);
    a.checkpointNow();
    QCOMPARE(counts(a), expected);
    copyAsACrashLeavesIt(live, dir.filePath(u"released"_s));
    PerformanceEngine b(configFor(dir.filePath(u"released"_s)));
    QVERIFY(b.start());
    QCOMPARE(counts(b), expected);
    QCOMPARE(b.journalStatus().replay.replayedEvents, 0u);
}

void tst_Journal::concurrentIngestAcrossCheckpointsAndFlushesCountsOnce()
{
    // Two ingest threads while checkpoints and flushes are taken: whatever a take includes is
    // exactly what lies below its number, so nothing is replayed on top of a row that has it.
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live"_s);
    PerformanceEngine a(configFor(live));
    QVERIFY(a.start());
    constexpr int kBatches = 2000, kKeys = 10, kPerKey = 5;
    std::vector<std::string> names;
    for (int k = 0; k < kKeys; ++k)
        names.push_back("GET:/c" + std::to_string(k));
    std::atomic<int> running = 2;
    const auto ingest = [&](int thread) {
        std::vector<IngestEvent> events;
        for (int b = 0; b < kBatches; ++b) {
            events.clear();
            for (int k = 0; k < kKeys; ++k) {
                for (int i = 0; i < kPerKey; ++i) {
                    IngestEvent &e = events.emplace_back();
                    e.kind = MetricKind::Api;
                    e.service = "conc";
                    e.name = names[std::size_t(k)];
                    e.value = 1 + thread + i;
                    e.status = 200;
                }
            }
            a.store().insert(events, now());
        }
        --running;
    };
    std::thread first(ingest, 0), second(ingest, 1);
    for (int round = 0; running.load() > 0; ++round) {
        if (round % 3 == 2)
            a.flushNow();
        else
            a.checkpointNow();
    }
    first.join();
    second.join();
    copyAsACrashLeavesIt(live, dir.filePath(u"crashed"_s));
    std::map<QString, quint64> expected;
    for (const std::string &name : names)
        expected[u"conc/"_s + QString::fromStdString(name)] = 2 * kBatches * kPerKey;
    QCOMPARE(counts(a), expected);
    PerformanceEngine b(configFor(dir.filePath(u"crashed"_s)));
    QVERIFY(b.start());
    QCOMPARE(counts(b), expected);
}

QTEST_GUILESS_MAIN(tst_Journal)
#include "tst_journal.moc"
