// Disk trouble inside the process (issue 6 item 2): the history writer's own SQLite connection is
// made to fail with `PRAGMA max_page_count` (SQLITE_FULL, as on a full disk) or `PRAGMA
// query_only` (SQLITE_READONLY, as on a read-only folder). PerfWatch must keep serving live data,
// say so in /health and in the window's status bar, keep what it could not write (within a
// bound, oldest minutes dropped first) and write it once the disk takes writes again.
// scripts/reliability/disk-trouble.sh does the same end to end with a small tmpfs that really fills up.

#include "engine.h"
#include "historydatabase.h"
#include "httptestclient.h"
#include "ingestservice.h"
#include "performanceroutes.h"

#ifdef PERFWATCH_HAVE_VIEWS
#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>
#endif

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <string>
#include <vector>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMinute = 60'000;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

EngineConfig configFor(const QString &dir)
{
    EngineConfig c;
    c.dataDir = dir;
    // The test flushes with flushNow(); the timers must not interleave their own flushes.
    c.flushIntervalMs = 3600'000;
    c.analysisIntervalMs = 3600'000;
    return c;
}

/// `count` events for each of the routes /r<first>..., at `ts` (0 = now).
void insertRoutes(MetricStore &store, int first, int keys, int count, qint64 ts = 0)
{
    std::vector<std::string> names;
    names.reserve(std::size_t(keys));
    for (int k = first; k < first + keys; ++k)
        names.push_back("GET:/r" + std::to_string(k));
    std::vector<IngestEvent> events;
    for (const std::string &name : names) {
        for (int i = 0; i < count; ++i) {
            IngestEvent e;
            e.kind = MetricKind::Api;
            e.name = name;
            e.value = 10 + i;
            e.status = 200;
            e.timestampMs = ts;
            events.push_back(e);
        }
    }
    store.insert(events, now());
}

/// Runs one statement on the history writer's own connection, on the engine thread.
void onWriter(PerformanceEngine &engine, const QString &sql)
{
    bool ok = false;
    engine.runOnHistoryWriter([&](HistoryDatabase *writer) {
        QVERIFY(writer);
        QSqlQuery q(QSqlDatabase::database(writer->connectionName(), false));
        ok = q.exec(sql);
    });
    QVERIFY2(ok, qPrintable(sql));
}

/// Makes the database unable to grow by a single page: the next write that needs one fails
/// with SQLITE_FULL ("database or disk is full"), as on a full disk.
void fillDisk(PerformanceEngine &engine)
{
    qint64 pages = 0;
    engine.runOnHistoryWriter([&](HistoryDatabase *writer) {
        QSqlQuery q(QSqlDatabase::database(writer->connectionName(), false));
        if (q.exec(u"PRAGMA page_count"_s) && q.next())
            pages = q.value(0).toLongLong();
    });
    QVERIFY(pages > 0);
    onWriter(engine, u"PRAGMA max_page_count = "_s + QString::number(pages));
}

void freeDisk(PerformanceEngine &engine)
{
    onWriter(engine, u"PRAGMA max_page_count = 1073741823"_s);
}

/// Request counts per api key, straight from the file (after the engine stopped).
std::map<QString, quint64> storedCounts(const QString &dir)
{
    std::map<QString, quint64> counts;
    HistoryDatabase db(dir, u"tst-disktrouble-check"_s);
    if (!db.open())
        return counts;
    for (const KeyAggregate &k : db.keyWindows(0, now() + kMinute))
        counts[k.meta.name] = k.agg.stats.count;
    return counts;
}

quint64 liveCount(const PerformanceEngine &engine, const QString &name)
{
    for (const KeyAggregate &k : engine.summary(1, now()).keys) {
        if (k.meta.name == name)
            return k.agg.stats.count;
    }
    return 0;
}

} // namespace

class tst_DiskTrouble : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fullDiskKeepsServingAndResumes();
    void readOnlyDiskKeepsServingAndResumes();
    void pendingRowsAreBoundedOldestFirst();
    void unavailableHistoryAtStartIsRetried();
    void lateHistoryKeepsEarlierRunsMinutes();
    void permanentProblemStillRefusesToStart();
    void windowSaysHistoryIsFailing();
};

void tst_DiskTrouble::fullDiskKeepsServingAndResumes()
{
    QTemporaryDir dir;
    PerformanceEngine engine(configFor(dir.path()));
    QVERIFY(engine.start());
    QSignalSpy changed(&engine, &PerformanceEngine::persistenceStatusChanged);
    insertRoutes(engine.store(), 0, 1, 5);
    engine.flushNow();
    PersistenceStatus status = engine.persistenceStatus();
    QVERIFY(status.enabled && status.healthy);
    QVERIFY(status.savedUpToMs > 0);
    const qint64 savedBefore = status.savedUpToMs;

    fillDisk(engine);
    // 300 new keys need new pages for their key rows and rollups.
    insertRoutes(engine.store(), 1, 300, 3);
    engine.flushNow();
    status = engine.persistenceStatus();
    QVERIFY(status.enabled);
    QVERIFY(!status.healthy);
    QVERIFY2(status.lastError.contains(u"full"_s), qPrintable(status.lastError));
    QCOMPARE(status.savedUpToMs, savedBefore); // nothing new is on disk
    QVERIFY(status.pendingRows >= 300);
    QCOMPARE(status.droppedRows, quint64(0));
    QCOMPARE(changed.count(), 1);

    // Live data is served meanwhile, over HTTP too, and /health says what is wrong.
    QCOMPARE(liveCount(engine, u"GET:/r150"_s), quint64(3));
    IngestService service([&engine](IngestServer &server) { PerformanceRoutes::install(server, engine); });
    IngestConfig config;
    config.port = 0;
    const quint16 port = service.start(config);
    QVERIFY(port != 0);
    {
        HttpTestClient client(port);
        const QByteArray body = R"({"type":"api","method":"GET","route":"/during","duration_ms":7,"status":200})";
        const auto ingest = client.request("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(ingest);
        QCOMPARE(ingest->status, 202);
        const auto health = client.request("GET /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(health);
        QCOMPARE(health->status, 200);
        const QJsonObject p = health->json().value(u"persistence"_s).toObject();
        QCOMPARE(p.value(u"enabled"_s).toBool(), true);
        QCOMPARE(p.value(u"healthy"_s).toBool(), false);
        QVERIFY2(
            p.value(u"last_error"_s).toString().contains(u"full"_s), qPrintable(p.value(u"last_error"_s).toString()));
        QVERIFY(p.value(u"pending_rows"_s).toInteger() >= 300);
        QCOMPARE(p.value(u"dropped_rows"_s).toInteger(), 0);
    }
    QCOMPARE(liveCount(engine, u"GET:/during"_s), quint64(1));

    // Retried at every flush; the same minutes replace each other, so the backlog does not grow.
    const quint64 pending = engine.persistenceStatus().pendingRows;
    engine.flushNow();
    QVERIFY(!engine.persistenceStatus().healthy);
    QVERIFY(engine.persistenceStatus().pendingRows <= pending + 2); // "/during" and its group

    // Space returns: the next flush writes the backlog and says so.
    freeDisk(engine);
    engine.flushNow();
    status = engine.persistenceStatus();
    QVERIFY(status.healthy);
    QVERIFY(status.lastError.isEmpty());
    QCOMPARE(status.pendingRows, quint64(0));
    QVERIFY(status.savedUpToMs > savedBefore);
    QCOMPARE(changed.count(), 2);
    service.stop();
    engine.stop();

    // Nothing accepted while the disk was full was lost.
    const std::map<QString, quint64> stored = storedCounts(dir.path());
    QCOMPARE(stored.size(), std::size_t(302));
    QCOMPARE(stored.at(u"GET:/r0"_s), quint64(5));
    for (int k = 1; k <= 300; ++k)
        QCOMPARE(stored.at(u"GET:/r"_s + QString::number(k)), quint64(3));
    QCOMPARE(stored.at(u"GET:/during"_s), quint64(1));
}

void tst_DiskTrouble::readOnlyDiskKeepsServingAndResumes()
{
    QTemporaryDir dir;
    PerformanceEngine engine(configFor(dir.path()));
    QVERIFY(engine.start());
    insertRoutes(engine.store(), 0, 10, 2);
    engine.flushNow();
    QVERIFY(engine.persistenceStatus().healthy);

    onWriter(engine, u"PRAGMA query_only = 1"_s);
    insertRoutes(engine.store(), 0, 10, 2); // the same keys: only replaced minutes to write
    engine.flushNow();
    PersistenceStatus status = engine.persistenceStatus();
    QVERIFY(!status.healthy);
    QVERIFY2(status.lastError.contains(u"readonly"_s), qPrintable(status.lastError));
    QCOMPARE(liveCount(engine, u"GET:/r3"_s), quint64(4));

    onWriter(engine, u"PRAGMA query_only = 0"_s);
    engine.flushNow();
    status = engine.persistenceStatus();
    QVERIFY(status.healthy);
    QCOMPARE(status.pendingRows, quint64(0));
    engine.stop();
    const std::map<QString, quint64> stored = storedCounts(dir.path());
    QCOMPARE(stored.size(), std::size_t(10));
    for (const auto &[name, count] : stored)
        QCOMPARE(count, quint64(4));
}

void tst_DiskTrouble::pendingRowsAreBoundedOldestFirst()
{
    QTemporaryDir dir;
    EngineConfig config = configFor(dir.path());
    config.maxPendingRows = 30;
    PerformanceEngine engine(config);
    QVERIFY(engine.start());
    onWriter(engine, u"PRAGMA query_only = 1"_s);

    // 10 keys in each of 5 minutes: 50 key rows and 5 group rows, 25 over the bound.
    const qint64 thisMinute = now() / kMinute * kMinute;
    for (int m = 4; m >= 0; --m)
        insertRoutes(engine.store(), 0, 10, 1, thisMinute - m * kMinute + 1000);
    engine.flushNow();
    PersistenceStatus status = engine.persistenceStatus();
    QVERIFY(!status.healthy);
    QCOMPARE(status.pendingRows, quint64(30));
    QCOMPARE(status.droppedRows, quint64(25));
    // Live data is untouched by what persistence gave up on.
    QCOMPARE(liveCount(engine, u"GET:/r0"_s), quint64(5));

    onWriter(engine, u"PRAGMA query_only = 0"_s);
    engine.flushNow();
    status = engine.persistenceStatus();
    QVERIFY(status.healthy);
    QCOMPARE(status.pendingRows, quint64(0));
    QCOMPARE(status.droppedRows, quint64(25)); // a running total, not reset by recovery
    engine.stop();

    // What was kept are the newest minutes: the two youngest whole, part of the one before,
    // nothing of the two oldest.
    HistoryDatabase db(dir.path(), u"tst-disktrouble-bound"_s);
    QVERIFY(db.open());
    std::map<qint64, int> keysPerMinute;
    for (const RollupRow &row : db.loadRollups(RollupRow::Scope::Key, 0, now() + kMinute))
        ++keysPerMinute[row.startMs];
    int groupRows = int(db.loadRollups(RollupRow::Scope::Group, 0, now() + kMinute).size());
    int keyRows = 0;
    for (const auto &[start, n] : keysPerMinute)
        keyRows += n;
    QCOMPARE(keyRows + groupRows, 30);
    QVERIFY(!keysPerMinute.count(thisMinute - 4 * kMinute));
    QVERIFY(!keysPerMinute.count(thisMinute - 3 * kMinute));
    QCOMPARE(keysPerMinute[thisMinute], 10);
    QCOMPARE(keysPerMinute[thisMinute - kMinute], 10);
}

void tst_DiskTrouble::unavailableHistoryAtStartIsRetried()
{
    // The data folder cannot be created (a file is in the way of its parent), as when the disk
    // is full or the folder read-only at start: PerfWatch runs without history for now.
    QTemporaryDir dir;
    const QString blocker = dir.filePath(u"blocker"_s);
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString dataDir = blocker + u"/data"_s;
    PerformanceEngine engine(configFor(dataDir));
    QString notice;
    QVERIFY(engine.start(&notice));
    QVERIFY2(notice.contains(u"Cannot create the data folder"_s), qPrintable(notice));
    QVERIFY2(notice.contains(u"serving live data without history"_s), qPrintable(notice));
    QVERIFY(!notice.contains(u'\n'));
    PersistenceStatus status = engine.persistenceStatus();
    QVERIFY(status.enabled);
    QVERIFY(!status.healthy);
    QCOMPARE(status.lastError, notice);

    insertRoutes(engine.store(), 0, 20, 2);
    QCOMPARE(liveCount(engine, u"GET:/r7"_s), quint64(2));
    engine.flushNow(); // tries to open again, keeps the rows
    status = engine.persistenceStatus();
    QVERIFY(!status.healthy);
    QVERIFY(status.pendingRows >= 20);

    QSignalSpy changed(&engine, &PerformanceEngine::persistenceStatusChanged);
    QVERIFY(QFile::remove(blocker));
    insertRoutes(engine.store(), 0, 20, 1);
    engine.flushNow();
    status = engine.persistenceStatus();
    QVERIFY2(status.healthy, qPrintable(status.lastError));
    QVERIFY(status.lastError.isEmpty());
    QCOMPARE(status.pendingRows, quint64(0));
    QCOMPARE(changed.count(), 1);
    // History reads work once it is open (the reader came up too) and memory still has everything.
    QCOMPARE(liveCount(engine, u"GET:/r7"_s), quint64(3));
    engine.stop();
    const std::map<QString, quint64> stored = storedCounts(dataDir);
    QCOMPARE(stored.size(), std::size_t(20));
    for (const auto &[name, count] : stored)
        QCOMPARE(count, quint64(3));
}

void tst_DiskTrouble::lateHistoryKeepsEarlierRunsMinutes()
{
    // An earlier run wrote this minute; this run starts while the history cannot be opened and
    // stores more in the same minutes. Once it opens, the minute must hold both runs' events.
    QTemporaryDir dir;
    const qint64 thisMinute = now() / kMinute * kMinute;
    {
        PerformanceEngine earlier(configFor(dir.path()));
        QVERIFY(earlier.start());
        insertRoutes(earlier.store(), 0, 5, 4);
        insertRoutes(earlier.store(), 0, 5, 1, thisMinute - 10 * kMinute); // an older minute too
        earlier.stop();
    }
    const QString file = QDir(dir.path()).filePath(u"perfwatch.sqlite"_s);
    QVERIFY(QFile::rename(file, file + u".away"_s));
    QVERIFY(QDir().mkdir(file)); // SQLite cannot open a folder: "unable to open database file"

    PerformanceEngine engine(configFor(dir.path()));
    QString notice;
    QVERIFY(engine.start(&notice));
    QVERIFY2(notice.contains(u"serving live data without history"_s), qPrintable(notice));
    insertRoutes(engine.store(), 0, 5, 2);
    insertRoutes(engine.store(), 0, 5, 3, thisMinute - 10 * kMinute);
    engine.flushNow();
    QVERIFY(!engine.persistenceStatus().healthy);

    QVERIFY(QDir(file).removeRecursively());
    QVERIFY(QFile::rename(file + u".away"_s, file));
    engine.flushNow();
    QVERIFY2(engine.persistenceStatus().healthy, qPrintable(engine.persistenceStatus().lastError));
    // Later flushes of the same minutes still add the earlier run's part.
    insertRoutes(engine.store(), 0, 5, 1);
    engine.flushNow();
    engine.stop();

    const std::map<QString, quint64> stored = storedCounts(dir.path());
    QCOMPARE(stored.size(), std::size_t(5));
    for (const auto &[name, count] : stored)
        QCOMPARE(count, quint64(4 + 1 + 2 + 3 + 1));
    // Percentiles come from the merged sketches: 11 samples per key, the largest 13 ms.
    HistoryDatabase db(dir.path(), u"tst-disktrouble-late"_s);
    QVERIFY(db.open());
    for (const KeyAggregate &k : db.keyWindows(0, now() + kMinute)) {
        QCOMPARE(k.agg.sketch.count(), quint64(11));
        QVERIFY(qAbs(k.agg.quantile(1.0) - 13) <= 0.13);
    }
}

void tst_DiskTrouble::permanentProblemStillRefusesToStart()
{
    // The data path is a file: no amount of waiting fixes that, so it is a clear error.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"a-file"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    PerformanceEngine engine(configFor(path));
    QString error;
    QVERIFY(!engine.start(&error));
    QCOMPARE(error, u"The data folder "_s + path + u" is a file, not a folder"_s);
}

void tst_DiskTrouble::windowSaysHistoryIsFailing()
{
#ifdef PERFWATCH_HAVE_VIEWS
    QTemporaryDir dir;
    PerformanceEngine engine(configFor(dir.path()));
    QVERIFY(engine.start());
    MainWindow window(engine, nullptr, u"http://127.0.0.1:4318"_s);
    window.show();
    const auto historyLabel = [&]() -> QLabel * {
        for (QLabel *label : window.statusBar()->findChildren<QLabel *>()) {
            if (label->text().startsWith(u"History:"_s))
                return label;
        }
        return nullptr;
    };
    insertRoutes(engine.store(), 0, 3, 1);
    engine.flushNow();
    QTRY_VERIFY(historyLabel() && historyLabel()->text().startsWith(u"History: saved"_s));

    onWriter(engine, u"PRAGMA query_only = 1"_s);
    insertRoutes(engine.store(), 0, 3, 1);
    engine.flushNow();
    QTRY_COMPARE_WITH_TIMEOUT(historyLabel()->text(), u"History: failing"_s, 10'000);
    QVERIFY(historyLabel()->toolTip().contains(engine.persistenceStatus().lastError));
    QVERIFY(historyLabel()->toolTip().contains(u"waiting to be written"_s));

    onWriter(engine, u"PRAGMA query_only = 0"_s);
    engine.flushNow();
    QTRY_VERIFY_WITH_TIMEOUT(historyLabel()->text().startsWith(u"History: saved"_s), 10'000);
    window.close();
#else
    QSKIP("built without the window (PERFWATCH_BUILD_GUI=OFF)");
#endif
}

#ifdef PERFWATCH_HAVE_VIEWS
QTEST_MAIN(tst_DiskTrouble)
#else
QTEST_GUILESS_MAIN(tst_DiskTrouble)
#endif
#include "tst_disktrouble.moc"
