// The ingest journal's file format and bookkeeping: what comes back from a replay, what a mark
// skips, holds and what resolves them, damage at the tail or inside, and which files a cut keeps.

#include "ingestjournal.h"
#include "latencysketch.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kNow = 1'700'000'000'000;

/// A replayed record with copies of what it points to.
struct Seen
{
    quint64 seq = 0;
    IngestJournal::RecordType type = IngestJournal::RecordType::Insert;
    quint8 flags = 0;
    qint64 nowMs = 0;
    std::vector<quint64> resolves;
    QStringList events; ///< one line per event with every field
    QStringList rows; ///< a checkpoint's rows, one line each
    bool covered = false;
};

QString describe(const IngestEvent &e)
{
    QString line = u"%1 %2/%3 req=%4 fields=%5 ts=%6 v=%7 items=%8 misses=%9"_s.arg(int(e.kind))
                       .arg(QString::fromUtf8(e.service), QString::fromUtf8(e.name), QString::fromUtf8(e.requestId),
                           QString::fromUtf8(e.fields))
                       .arg(e.timestampMs)
                       .arg(e.value, 0, 'g', 17)
                       .arg(e.items)
                       .arg(e.misses);
    line += u" status=%1 error=%2 approx=%3"_s.arg(e.status).arg(e.error).arg(e.approximate);
    if (e.histogram)
        line += u" hist=%1/%2/%3"_s.arg(e.histogram->count()).arg(e.histogram->min()).arg(e.histogram->max());
    return line;
}

QStringList describe(std::span<const IngestEvent> events)
{
    QStringList out;
    for (const IngestEvent &e : events)
        out << describe(e);
    return out;
}

QString describe(const RollupRow &row)
{
    const MetricStats &st = row.stats;
    return u"%1 %2 %3/%4 at=%5 additive=%6 approx=%7 n=%8 err=%9"_s.arg(int(row.scope))
               .arg(int(row.meta.kind))
               .arg(row.meta.service, row.meta.name)
               .arg(row.startMs)
               .arg(row.additive)
               .arg(row.meta.approximate)
               .arg(st.count)
               .arg(st.errors)
        + u" sum=%1 min=%2 max=%3 items=%4 misses=%5 last=%6@%7 sketch=%8"_s.arg(st.sum, 0, 'g', 17)
              .arg(st.min, 0, 'g', 17)
              .arg(st.max, 0, 'g', 17)
              .arg(st.items)
              .arg(st.misses)
              .arg(st.last, 0, 'g', 17)
              .arg(st.lastMs)
              .arg(QString::fromLatin1(row.sketch.toHex()));
}

QStringList describe(std::span<const RollupRow> rows)
{
    QStringList out;
    for (const RollupRow &row : rows)
        out << describe(row);
    return out;
}

std::vector<Seen> replayAll(IngestJournal &journal, quint64 mark, IngestJournal::ReplayResult *result = nullptr)
{
    std::vector<Seen> seen;
    const IngestJournal::ReplayResult r = journal.replay(mark, [&](const IngestJournal::Record &record) {
        seen.push_back({ record.seq, record.type, record.flags, record.nowMs,
            std::vector<quint64>(record.resolves.begin(), record.resolves.end()), describe(record.events),
            describe(record.rows), record.covered });
    });
    if (result)
        *result = r;
    return seen;
}

quint64 append(IngestJournal &journal, IngestJournal::RecordType type, std::span<const IngestEvent> events,
    std::vector<quint64> resolves = {}, quint8 flags = 0)
{
    QByteArray record;
    IngestJournal::encode(record, type, flags, kNow, events, resolves);
    return journal.append(record);
}

IngestEvent api(std::string_view name, double ms, std::string_view requestId = {})
{
    IngestEvent e;
    e.kind = MetricKind::Api;
    e.service = "checkout";
    e.name = name;
    e.value = ms;
    e.status = 200;
    e.requestId = requestId;
    e.timestampMs = kNow - 1500;
    return e;
}

quint64 checkpoint(IngestJournal &journal, std::span<const RollupRow> rows)
{
    QByteArray record;
    IngestJournal::encodeCheckpoint(record, kNow, rows);
    return journal.append(record);
}

std::vector<RollupRow> someRows()
{
    std::vector<RollupRow> rows(3);
    rows[0].meta.kind = MetricKind::Api;
    rows[0].meta.service = u"checkout"_s;
    rows[0].meta.name = u"GET:/ä"_s;
    rows[0].meta.approximate = true;
    rows[0].startMs = kNow - kNow % 60'000;
    rows[0].stats = MetricStats { 7, 2, 70.5, 1.25, 30, 3, 1, 12.5, kNow - 10 };
    LatencySketch sketch;
    for (int i = 1; i <= 7; ++i)
        sketch.add(double(i) * 3.5);
    rows[0].sketch = sketch.encode();
    rows[1] = rows[0];
    rows[1].scope = RollupRow::Scope::Group;
    rows[1].meta.name.clear();
    rows[2].meta.kind = MetricKind::Cache;
    rows[2].meta.service = u"cart"_s;
    rows[2].meta.name = u"session"_s;
    rows[2].startMs = kNow - 5 * 3600'000 - kNow % 60'000;
    rows[2].stats = MetricStats { 4, 0, 0, 0, 0, 9, 3, 0, 0 };
    rows[2].additive = true;
    return rows;
}

QStringList journalFiles(const QString &dir)
{
    return QDir(dir).entryList({ u"*.pwj"_s }, QDir::Files, QDir::Name);
}

} // namespace

class tst_IngestJournal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFieldComesBack();
    void markSkipsWhatTheHistoryHasAndHoldsWaitForTheirResolution();
    void aTornTailKeepsTheRecordsBeforeIt();
    void aFlippedByteStopsTheReplayThere();
    void cutKeepsFilesWithOpenHoldsAndTheCurrentOne();
    void aMarkBelowTheOldestFileIsALostFlush();
    void numbersNeverGoBelowTheMark();
    void aSecondJournalOnTheSameFolderIsRefused();
    void aCheckpointCoversTheInsertsBeforeIt();
    void whileAHoldWaitsCoveredSpansAreHandedOver();
    void writesLandInNumberOrderAndARotationWaitsForThem();
    void spanRequestIdsTakeSixteenBytes();
};

void tst_IngestJournal::everyFieldComesBack()
{
    QTemporaryDir dir;
    LatencySketch sketch;
    for (double v : { 3.0, 40.0, 41.0, 950.0 })
        sketch.add(v);
    std::vector<IngestEvent> events;
    events.push_back(api("GET:/api/trips/{id}", 12.5, "0af7651916cd43dd8448eb211c80319c")); // a trace id: 16 bytes
    IngestEvent db;
    db.kind = MetricKind::Db;
    db.service = "checkout";
    db.name = "find:trip_points";
    db.fields = "trip_id,seq";
    db.requestId = "req-42"; // not hex: kept as text
    db.value = 0.25;
    db.items = 17;
    db.error = true;
    db.timestampMs = 0; // "time received"
    events.push_back(db);
    IngestEvent hist = api("POST:/api/trips", 1034.0);
    hist.histogram = &sketch;
    hist.approximate = true;
    hist.status = 503;
    hist.error = true;
    hist.service = "edge \xe2\x80\xae name"; // bytes are bytes
    events.push_back(hist);
    IngestEvent cache;
    cache.kind = MetricKind::Cache;
    cache.name = "trip_cache";
    cache.items = 18'446'744'073'709'551'615ull;
    cache.misses = 3;
    cache.timestampMs = kNow + 5; // ahead of "now": a negative delta the other way
    events.push_back(cache);
    IngestEvent gauge;
    gauge.kind = MetricKind::Gauge;
    gauge.name = "db.pool.waiting";
    gauge.value = -0.0000123;
    events.push_back(gauge);
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        QCOMPARE(replayAll(journal, 0).size(), std::size_t(0));
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, events, {}, IngestJournal::kFromSpans), 1u);
    }
    IngestJournal again;
    QVERIFY(again.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    const std::vector<Seen> seen = replayAll(again, 0, &result);
    QCOMPARE(seen.size(), std::size_t(1));
    QCOMPARE(seen[0].seq, 1u);
    QCOMPARE(seen[0].flags, IngestJournal::kFromSpans);
    QCOMPARE(seen[0].nowMs, kNow);
    QCOMPARE(seen[0].events, describe(events));
    QCOMPARE(result.records, 1u);
    QCOMPARE(result.replayedEvents, 4u + 4u); // four single events and a histogram of four
    QVERIFY(!result.damaged);
    QVERIFY(result.message.isEmpty());
}

void tst_IngestJournal::spanRequestIdsTakeSixteenBytes()
{
    // OTLP spans scope their trace id with the service ("checkout/<32 hex>", "default/..." for
    // none): the journal keeps the 16 bytes and the service it already has, and gives back the
    // same text; ids that only look alike stay text.
    const char *trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    std::vector<std::string> ids;
    std::vector<IngestEvent> events;
    const auto add = [&](std::string_view service, std::string id) {
        ids.push_back(std::move(id));
        events.push_back(api("GET:/api/trips/{id}", 3));
        events.back().service = service;
    };
    add("checkout", std::string("checkout/") + trace);
    add("", std::string("default/") + trace); // no service: scoped as "default"
    add("checkout", std::string("billing/") + trace); // another service's scope: text
    add("checkout", std::string("checkout/") + "4BF92F3577B34DA6A3CE929D0E0E4736"); // upper case: text
    add("checkout", std::string("checkout/") + trace + "0"); // too long: text
    add("checkout", std::string("checkout:") + trace); // not a '/': text
    for (std::size_t i = 0; i < events.size(); ++i)
        events[i].requestId = ids[i];

    QByteArray scoped;
    IngestJournal::encode(scoped, IngestJournal::RecordType::Insert, 0, kNow, std::span(events.data(), 2));
    std::vector<IngestEvent> asText(events.begin(), events.begin() + 2);
    const std::string other1 = std::string("checkout~") + trace, other2 = std::string("default~") + trace;
    asText[0].requestId = other1; // same lengths, not scoped
    asText[1].requestId = other2;
    QByteArray unscoped;
    IngestJournal::encode(unscoped, IngestJournal::RecordType::Insert, 0, kNow, asText);
    // Each id: 16 bytes instead of its length and 40 or 41 bytes of text.
    QVERIFY2(unscoped.size() - scoped.size() >= 2 * 24, qPrintable(u"%1 vs %2"_s.arg(scoped.size()).arg(unscoped.size())));

    QTemporaryDir dir;
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, events), 1u);
    }
    IngestJournal again;
    QVERIFY(again.open(dir.path(), 1000, nullptr));
    const std::vector<Seen> seen = replayAll(again, 0);
    QCOMPARE(seen.size(), std::size_t(1));
    QCOMPARE(seen[0].events, describe(events));
}

void tst_IngestJournal::markSkipsWhatTheHistoryHasAndHoldsWaitForTheirResolution()
{
    QTemporaryDir dir;
    const IngestEvent a = api("GET:/a", 1), b = api("GET:/b", 2), c = api("GET:/c", 3), d = api("GET:/d", 4);
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&a, 1)), 1u);
        QCOMPARE(append(journal, IngestJournal::RecordType::Hold, std::span(&b, 1)), 2u);
        QCOMPARE(journal.rotate(), 3u); // a flush: the history includes records below 3
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&c, 1), { 2 }), 3u); // stores hold 2
        QCOMPARE(append(journal, IngestJournal::RecordType::Hold, std::span(&d, 1)), 4u);
    }
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    const std::vector<Seen> seen = replayAll(journal, 3, &result);
    // Insert 1 is in the history; hold 2 was resolved by insert 3, which is not: only 3 and 4.
    QCOMPARE(seen.size(), std::size_t(2));
    QCOMPARE(seen[0].seq, 3u);
    QCOMPARE(seen[0].type, IngestJournal::RecordType::Insert);
    QCOMPARE(seen[0].resolves, std::vector<quint64> { 2 });
    QCOMPARE(seen[0].events, describe(std::span(&c, 1)));
    QCOMPARE(seen[1].seq, 4u);
    QCOMPARE(seen[1].type, IngestJournal::RecordType::Hold);
    QCOMPARE(result.records, 4u);
    QCOMPARE(result.skippedRecords, 2u);
    QCOMPARE(journal.status().nextSeq, 5u);
}

void tst_IngestJournal::aTornTailKeepsTheRecordsBeforeIt()
{
    QTemporaryDir dir;
    const IngestEvent e = api("GET:/torn", 5);
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 0, nullptr)); // 0: synced at every record
        replayAll(journal, 0);
        for (int i = 0; i < 5; ++i)
            QVERIFY(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)) != 0);
    }
    const QStringList files = journalFiles(dir.path());
    QCOMPARE(files.size(), 1);
    QFile file(QDir(dir.path()).filePath(files[0]));
    const qint64 size = file.size();
    QVERIFY(file.resize(size - 7)); // the kill came in the middle of the fifth record
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 0, nullptr));
        IngestJournal::ReplayResult result;
        QCOMPARE(replayAll(journal, 0, &result).size(), std::size_t(4));
        QVERIFY(result.damaged);
        QCOMPARE(result.records, 4u);
        const qint64 record = (size - 8) / 5; // the magic, then five records of one size
        QCOMPARE(result.damagedBytes, quint64(record - 7));
        QCOMPARE(result.message,
            u"The ingest journal was damaged after record 4: kept 4 records, %1 bytes after it could not be read"_s.arg(
                record - 7));
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)), 5u);
    }
    // The good records were kept and the damage cut off: the next replay reads past them.
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 0, nullptr));
    IngestJournal::ReplayResult result;
    QCOMPARE(replayAll(journal, 0, &result).size(), std::size_t(5));
    QVERIFY(!result.damaged);
}

void tst_IngestJournal::aFlippedByteStopsTheReplayThere()
{
    QTemporaryDir dir;
    const IngestEvent e = api("GET:/flip", 6);
    quint64 recordBytes = 0;
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        for (int i = 0; i < 3; ++i)
            QVERIFY(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)) != 0);
        journal.rotate();
        QVERIFY(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)) != 0);
        recordBytes = (journal.status().bytes - 16) / 4;
    }
    QStringList files = journalFiles(dir.path());
    QCOMPARE(files.size(), 2);
    {
        QFile file(QDir(dir.path()).filePath(files[0]));
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 at = 8 + qint64(recordBytes) + 20; // inside the second record
        file.seek(at);
        char byte = 0;
        file.getChar(&byte);
        file.seek(at);
        file.putChar(char(byte ^ 0x10));
    }
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    QCOMPARE(replayAll(journal, 0, &result).size(), std::size_t(1)); // the first record only
    QVERIFY(result.damaged);
    QCOMPARE(result.records, 1u);
    QCOMPARE(result.damagedBytes, 2 * recordBytes + (8 + recordBytes));
    // The file after the damage is set aside, not replayed and not deleted.
    QVERIFY(QFile::exists(QDir(dir.path()).filePath(files[1] + u".damaged"_s)));
    // Numbers of the set-aside file are not used again either.
    QCOMPARE(journal.status().nextSeq, 4u);
}

void tst_IngestJournal::cutKeepsFilesWithOpenHoldsAndTheCurrentOne()
{
    QTemporaryDir dir;
    const IngestEvent e = api("GET:/cut", 7);
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    replayAll(journal, 0);
    QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)), 1u);
    QCOMPARE(append(journal, IngestJournal::RecordType::Hold, std::span(&e, 1)), 2u);
    quint64 mark = journal.rotate();
    QCOMPARE(mark, 3u);
    QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)), 3u);
    journal.cut(mark);
    QCOMPARE(journalFiles(dir.path()).size(), 2); // hold 2 still waits in the first file
    mark = journal.rotate();
    QCOMPARE(mark, 4u);
    QCOMPARE(append(journal, IngestJournal::RecordType::Insert, {}, { 2 }), 4u); // hold 2 dropped (spans came)
    QCOMPARE(journalFiles(dir.path()).size(), 3);
    journal.cut(mark); // below 4 everything is in the history, and no hold waits any more
    QCOMPARE(journalFiles(dir.path()), QStringList { u"00000000000000000004.pwj"_s });
    mark = journal.rotate();
    QCOMPARE(mark, 5u);
    journal.cut(mark);
    QCOMPARE(journalFiles(dir.path()), QStringList { u"00000000000000000005.pwj"_s });
    // Rotating an empty file does not make another.
    QCOMPARE(journal.rotate(), 5u);
    QCOMPARE(journalFiles(dir.path()).size(), 1);
    QCOMPARE(journal.status().files, 1u);
    QCOMPARE(journal.status().bytes, 8u);
}

void tst_IngestJournal::aMarkBelowTheOldestFileIsALostFlush()
{
    QTemporaryDir dir;
    const IngestEvent e = api("GET:/lost", 8);
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        for (int i = 0; i < 10; ++i)
            append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1));
        const quint64 mark = journal.rotate();
        append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1));
        journal.cut(mark); // the flush at 11 was cut ...
    }
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    const std::vector<Seen> seen = replayAll(journal, 4, &result); // ... but the history says 4
    QCOMPARE(seen.size(), std::size_t(1));
    QCOMPARE(result.lostRecords, 7u);
    QCOMPARE(result.message,
        u"The history is missing a flush (its last 7 journal records were already cut): a damaged or replaced "
        "-wal file lost data"_s);
}

void tst_IngestJournal::numbersNeverGoBelowTheMark()
{
    // A journal folder deleted by hand, a history that says 500: new records must not be taken
    // for ones the history already has.
    QTemporaryDir dir;
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    replayAll(journal, 500);
    const IngestEvent e = api("GET:/after", 9);
    QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&e, 1)), 500u);
}

void tst_IngestJournal::aSecondJournalOnTheSameFolderIsRefused()
{
    // Another PerfWatch on the same data folder must not replay, truncate or cut these files.
    QTemporaryDir dir;
    const IngestEvent e = api("GET:/mine", 10);
    auto first = std::make_unique<IngestJournal>();
    QVERIFY(first->open(dir.path(), 1000, nullptr));
    replayAll(*first, 0);
    QCOMPARE(append(*first, IngestJournal::RecordType::Insert, std::span(&e, 1)), 1u);
    const QStringList before = journalFiles(dir.path());
    {
        IngestJournal second;
        QString error;
        QVERIFY(!second.open(dir.path(), 1000, &error));
        QCOMPARE(error, u"Another PerfWatch is using the ingest journal in %1"_s.arg(QDir::toNativeSeparators(dir.path())));
        QVERIFY(!second.isOpen());
    }
    QCOMPARE(journalFiles(dir.path()), before);
    first.reset(); // the lock goes with it
    IngestJournal third;
    QVERIFY(third.open(dir.path(), 1000, nullptr));
    QCOMPARE(replayAll(third, 0).size(), std::size_t(1));
}

void tst_IngestJournal::aCheckpointCoversTheInsertsBeforeIt()
{
    QTemporaryDir dir;
    const IngestEvent a = api("GET:/a", 1), b = api("GET:/b", 2), c = api("GET:/c", 3);
    const std::vector<RollupRow> rows = someRows();
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&a, 1)), 1u);
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&b, 1)), 2u);
        QCOMPARE(checkpoint(journal, rows), 3u);
        QCOMPARE(checkpoint(journal, std::span(rows).first(1)), 4u);
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&c, 1)), 5u);
    }
    {
        // No history: both checkpoints, every row as it was written, then only the Insert after them.
        QTemporaryDir copy;
        for (const QString &name : journalFiles(dir.path()))
            QVERIFY(QFile::copy(dir.filePath(name), copy.filePath(name)));
        IngestJournal journal;
        QVERIFY(journal.open(copy.path(), 1000, nullptr));
        IngestJournal::ReplayResult result;
        const std::vector<Seen> seen = replayAll(journal, 0, &result);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[0].seq, 3u);
        QCOMPARE(seen[0].type, IngestJournal::RecordType::Checkpoint);
        QCOMPARE(seen[0].rows, describe(rows));
        QCOMPARE(seen[1].seq, 4u);
        QCOMPARE(seen[1].rows, describe(std::span(rows).first(1)));
        QCOMPARE(seen[2].seq, 5u);
        QCOMPARE(seen[2].events, describe(std::span(&c, 1)));
        QCOMPARE(result.records, 3u);
        QCOMPARE(result.checkpoints, 2u);
        QCOMPARE(result.checkpointRows, 4u);
        QCOMPARE(result.skippedRecords, 2u);
        QCOMPARE(result.replayedEvents, 1u);
    }
    // A flush wrote its checkpoint at its mark (4): the history has that one and the one before.
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    const std::vector<Seen> seen = replayAll(journal, 4, &result);
    QCOMPARE(seen.size(), std::size_t(1));
    QCOMPARE(seen[0].seq, 5u);
    QCOMPARE(result.checkpoints, 0u);
}

void tst_IngestJournal::whileAHoldWaitsCoveredSpansAreHandedOver()
{
    QTemporaryDir dir;
    const IngestEvent held = api("GET:/held", 1), span = api("GET:/span", 2), later = api("GET:/later", 3);
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        QCOMPARE(
            append(journal, IngestJournal::RecordType::Insert, std::span(&span, 1), {}, IngestJournal::kFromSpans), 1u);
        QCOMPARE(append(journal, IngestJournal::RecordType::Hold, std::span(&held, 1)), 2u);
        QCOMPARE(
            append(journal, IngestJournal::RecordType::Insert, std::span(&span, 1), {}, IngestJournal::kFromSpans), 3u);
        QCOMPARE(append(journal, IngestJournal::RecordType::Insert, std::span(&later, 1)), 4u);
        QCOMPARE(checkpoint(journal, {}), 5u);
    }
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    const std::vector<Seen> seen = replayAll(journal, 0, &result);
    // The hold, the span Insert after it (covered: only for its services), the checkpoint.
    QCOMPARE(seen.size(), std::size_t(3));
    QCOMPARE(seen[0].seq, 2u);
    QCOMPARE(seen[0].type, IngestJournal::RecordType::Hold);
    QCOMPARE(seen[1].seq, 3u);
    QVERIFY(seen[1].covered);
    QCOMPARE(seen[1].events, describe(std::span(&span, 1)));
    QCOMPARE(seen[2].seq, 5u);
    QVERIFY(!seen[2].covered);
    QCOMPARE(result.replayedEvents, 1u); // the hold's event; the covered span is not replayed
}

void tst_IngestJournal::writesLandInNumberOrderAndARotationWaitsForThem()
{
    QTemporaryDir dir;
    std::vector<IngestEvent> events;
    for (int i = 0; i < 4; ++i)
        events.push_back(api("GET:/n", i));
    {
        IngestJournal journal;
        QVERIFY(journal.open(dir.path(), 1000, nullptr));
        replayAll(journal, 0);
        std::vector<QByteArray> records(4);
        for (int i = 0; i < 4; ++i)
            IngestJournal::encode(records[i], IngestJournal::RecordType::Insert, 0, kNow, std::span(&events[i], 1));
        QCOMPARE(journal.reserve(), 1u);
        QCOMPARE(journal.reserve(), 2u);
        QCOMPARE(journal.reserve(), 3u);
        QCOMPARE(journal.rotate(), 4u); // records 1-3 are not written yet: the new file waits
        QCOMPARE(journal.reserve(), 4u);
        // 4, 3 and 2 are handed over first; each waits for the ones before it.
        bool ok4 = false, ok3 = false, ok2 = false;
        std::thread t4([&] { ok4 = journal.write(4, records[3]); });
        std::thread t3([&] { ok3 = journal.write(3, records[2]); });
        std::thread t2([&] { ok2 = journal.write(2, records[1]); });
        QVERIFY(journal.write(1, records[0]));
        t2.join();
        t3.join();
        t4.join();
        QVERIFY(ok2 && ok3 && ok4);
    }
    QCOMPARE(journalFiles(dir.path()), (QStringList { u"00000000000000000001.pwj"_s, u"00000000000000000004.pwj"_s }));
    IngestJournal journal;
    QVERIFY(journal.open(dir.path(), 1000, nullptr));
    IngestJournal::ReplayResult result;
    const std::vector<Seen> seen = replayAll(journal, 0, &result);
    QCOMPARE(seen.size(), std::size_t(4));
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(seen[i].seq, quint64(i + 1));
        QCOMPARE(seen[i].events, describe(std::span(&events[i], 1)));
    }
    QVERIFY(!result.damaged);
    // Only the records from 4 on are in the second file: a cut at 4 leaves exactly record 4.
    journal.cut(4);
    QCOMPARE(journalFiles(dir.path()).size(), 2); // the second file and the new one of this run
}

QTEST_GUILESS_MAIN(tst_IngestJournal)
#include "tst_ingestjournal.moc"
