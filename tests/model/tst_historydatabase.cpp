#include "historydatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
// An hour boundary (and so a 5-minute boundary), so slot arithmetic in the tests stays obvious.
constexpr qint64 kBase = 472'222LL * kHour;

/// Dyadic values (multiples of 0.25): sums are exact in any order, so merged sums compare with ==.
std::vector<double> valuesFor(int seed, int n)
{
    std::vector<double> values;
    values.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i)
        values.push_back(0.5 * double((seed * 31 + i * 17) % 400) + 0.25);
    return values;
}

RollupRow makeRow(RollupRow::Scope scope, MetricKind kind, const QString &service, const QString &name, qint64 startMs,
    const std::vector<double> &values, bool additive = false)
{
    RollupRow row;
    row.scope = scope;
    row.meta.kind = kind;
    row.meta.service = service;
    row.meta.name = scope == RollupRow::Scope::Group ? QString() : name;
    row.startMs = startMs;
    row.additive = additive;
    LatencySketch sketch;
    for (std::size_t i = 0; i < values.size(); ++i) {
        IngestEvent e;
        e.kind = kind;
        e.value = values[i];
        e.error = i % 4 == 0;
        e.items = i % 3;
        e.misses = i % 2;
        row.stats.add(e, startMs + qint64(i));
        if (kindHasLatency(kind))
            sketch.add(values[i]);
    }
    if (kindHasLatency(kind))
        row.sketch = sketch.encode();
    return row;
}

RollupRow keyRow(const QString &name, qint64 startMs, int seed, int n, bool additive = false)
{
    return makeRow(RollupRow::Scope::Key, MetricKind::Api, u"svc"_s, name, startMs, valuesFor(seed, n), additive);
}

LatencySketch sketchOf(const RollupRow &row)
{
    if (row.sketch.isEmpty())
        return {};
    const auto sketch = LatencySketch::decode(row.sketch);
    return sketch ? *sketch : LatencySketch();
}

void mergeInto(Aggregate &agg, const RollupRow &row)
{
    agg.stats.merge(row.stats);
    agg.sketch.merge(sketchOf(row));
}

QString describeStats(const MetricStats &s)
{
    return u"count=%1 errors=%2 sum=%3 min=%4 max=%5 items=%6 misses=%7 last=%8 lastMs=%9"_s.arg(s.count)
        .arg(s.errors)
        .arg(s.sum, 0, 'g', 17)
        .arg(s.min, 0, 'g', 17)
        .arg(s.max, 0, 'g', 17)
        .arg(s.items)
        .arg(s.misses)
        .arg(s.last, 0, 'g', 17)
        .arg(s.lastMs);
}

bool sameStats(const MetricStats &a, const MetricStats &b)
{
    return a.count == b.count && a.errors == b.errors && a.sum == b.sum && a.min == b.min && a.max == b.max
        && a.items == b.items && a.misses == b.misses && a.last == b.last && a.lastMs == b.lastMs;
}

#define COMPARE_STATS(actual, expected)                                                                                \
    QVERIFY2(sameStats(actual, expected),                                                                              \
        qPrintable(describeStats(actual) + u"\n   expected "_s + describeStats(expected)))

#define COMPARE_AGGREGATE(actual, expected)                                                                            \
    do {                                                                                                               \
        COMPARE_STATS((actual).stats, (expected).stats);                                                               \
        QVERIFY((actual).sketch == (expected).sketch);                                                                 \
        for (double q : { 0.0, 0.5, 0.95, 0.99, 1.0 })                                                                 \
            QCOMPARE((actual).sketch.quantile(q), (expected).sketch.quantile(q));                                      \
    } while (false)

/// Runs one statement on the instance's own connection (same thread) and returns the first column.
QVariant pragma(const HistoryDatabase &db, const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(db.connectionName(), false));
    if (!q.exec(sql) || !q.next())
        return {};
    return q.value(0);
}

quint64 totalCount(const std::vector<KeyAggregate> &window)
{
    quint64 total = 0;
    for (const KeyAggregate &k : window)
        total += k.agg.stats.count;
    return total;
}

} // namespace

class TestHistoryDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripAcrossInstances();
    void replaceKeepsTheLastWrite();
    void additiveRowsMergeExactly();
    void keyWindowsMixMinuteAndCompactedRows();
    void seriesBucketing();
    void groupSeriesFiltersServices();
    void retentionDeletesExactlyWhatIsOlder();
    void journalModeIsWal();
    void scoresRoundTrip();
    void recommendationsRoundTrip();
    void sameRecommendationsAreNotRewritten();
    void recommendationFromJsonRejectsIncomplete();
    void damagedFileIsMovedAside();
    void truncatedFileIsMovedAside();
    void unusableFolderFailsCleanly();
    void failedWritesRollBackAndRetry_data();
    void failedWritesRollBackAndRetry();
    void undecodableSketchIsSkipped();
    void readersRunWhileWriterWritesAndCompacts();
    void writesTenThousandRowsInEveryMode();
    void keyWindowsOverADayOfThousandKeys();
    void releaseCacheReturnsThePages();
};

void TestHistoryDatabase::roundTripAcrossInstances()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::vector<RollupRow> rows;
    for (int m = 0; m < 10; ++m) {
        const qint64 start = kBase + m * kMinute;
        rows.push_back(keyRow(u"GET:/api/trips"_s, start, m, 20 + m));
        rows.push_back(makeRow(
            RollupRow::Scope::Key, MetricKind::Db, u"billing"_s, u"find:trips"_s, start, valuesFor(m + 100, 7)));
        rows.push_back(
            makeRow(RollupRow::Scope::Key, MetricKind::Gauge, u"svc"_s, u"db.pool.in_use"_s, start, { 3, 5, 4.5 }));
        rows.push_back(makeRow(RollupRow::Scope::Group, MetricKind::Api, u"svc"_s, {}, start, valuesFor(m + 7, 30)));
    }
    {
        HistoryDatabase db(dir.path(), u"writer"_s);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        QVERIFY(error.isEmpty());
        QVERIFY(db.recoveredFrom().isEmpty());
        QCOMPARE(db.path(), QDir(dir.path()).filePath(u"perfwatch.sqlite"_s));
        QVERIFY2(db.writeRollups(rows), qPrintable(db.lastError()));
    }
    QVERIFY(QFileInfo::exists(QDir(dir.path()).filePath(u"perfwatch.sqlite"_s)));

    HistoryDatabase db(dir.path(), u"reader"_s);
    QVERIFY(db.open());
    // [from, to): minute 2 is in, minute 8 is out.
    const std::vector<RollupRow> keys = db.loadRollups(RollupRow::Scope::Key, kBase + 2 * kMinute, kBase + 8 * kMinute);
    QVERIFY2(db.lastError().isEmpty(), qPrintable(db.lastError()));
    QCOMPARE(keys.size(), std::size_t(6 * 3));
    std::map<std::pair<qint64, QString>, const RollupRow *> expected;
    for (const RollupRow &r : rows) {
        if (r.scope == RollupRow::Scope::Key)
            expected[{ r.startMs, r.meta.name }] = &r;
    }
    qint64 previousStart = 0;
    for (const RollupRow &got : keys) {
        QVERIFY(got.startMs >= previousStart); // ordered by start
        previousStart = got.startMs;
        QCOMPARE(got.scope, RollupRow::Scope::Key);
        const auto it = expected.find({ got.startMs, got.meta.name });
        QVERIFY(it != expected.end());
        const RollupRow &want = *it->second;
        QCOMPARE(got.meta.kind, want.meta.kind);
        QCOMPARE(got.meta.service, want.meta.service);
        QVERIFY(got.meta.id > 0);
        QVERIFY(!got.additive);
        COMPARE_STATS(got.stats, want.stats);
        QCOMPARE(got.sketch, want.sketch);
        const LatencySketch a = sketchOf(got);
        const LatencySketch b = sketchOf(want);
        QVERIFY(a == b);
        QCOMPARE(a.count(), kindHasLatency(want.meta.kind) ? want.stats.count : 0u);
        for (double q : { 0.5, 0.95, 0.99 })
            QCOMPARE(a.quantile(q), b.quantile(q));
    }

    const std::vector<RollupRow> groups = db.loadRollups(RollupRow::Scope::Group, kBase, kBase + kHour);
    QCOMPARE(groups.size(), std::size_t(10));
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const RollupRow &want = rows[i * 4 + 3];
        QCOMPARE(groups[i].scope, RollupRow::Scope::Group);
        QCOMPARE(groups[i].meta.kind, MetricKind::Api);
        QCOMPARE(groups[i].meta.service, u"svc"_s);
        QVERIFY(groups[i].meta.name.isEmpty());
        QCOMPARE(groups[i].startMs, want.startMs);
        COMPARE_STATS(groups[i].stats, want.stats);
        QCOMPARE(groups[i].sketch, want.sketch);
    }

    const std::vector<KeyMeta> known = db.knownKeys();
    QCOMPARE(known.size(), std::size_t(3)); // groups are not keys
    QCOMPARE(known[0].name, u"GET:/api/trips"_s);
    QCOMPARE(known[1].name, u"find:trips"_s);
    QCOMPARE(known[1].service, u"billing"_s);
    QCOMPARE(known[1].kind, MetricKind::Db);
    QCOMPARE(known[2].kind, MetricKind::Gauge);
    QCOMPARE(db.sketchDecodeFailures(), 0u);
}

void TestHistoryDatabase::replaceKeepsTheLastWrite()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"replace"_s);
    QVERIFY(db.open());
    const RollupRow first = keyRow(u"k"_s, kBase, 1, 10);
    const RollupRow second = keyRow(u"k"_s, kBase, 2, 25);
    QVERIFY(db.writeRollups({ first }));
    QVERIFY(db.writeRollups({ second }));
    const auto rows = db.loadRollups(RollupRow::Scope::Key, kBase, kBase + kMinute);
    QCOMPARE(rows.size(), std::size_t(1));
    COMPARE_STATS(rows[0].stats, second.stats);
    QCOMPARE(rows[0].stats.count, 25u);
    QCOMPARE(rows[0].sketch, second.sketch);
    QCOMPARE(db.knownKeys().size(), std::size_t(1));
}

void TestHistoryDatabase::additiveRowsMergeExactly()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"additive"_s);
    QVERIFY(db.open());
    const RollupRow base = keyRow(u"k"_s, kBase, 1, 10);
    const RollupRow late1 = keyRow(u"k"_s, kBase, 2, 7, true);
    const RollupRow late2 = keyRow(u"k"_s, kBase, 3, 5, true);
    const RollupRow lateNew = keyRow(u"k"_s, kBase + kMinute, 4, 3, true); // nothing to merge into yet
    RollupRow gauge = makeRow(RollupRow::Scope::Key, MetricKind::Gauge, u"svc"_s, u"rss"_s, kBase, { 10, 20 });
    RollupRow lateGauge
        = makeRow(RollupRow::Scope::Key, MetricKind::Gauge, u"svc"_s, u"rss"_s, kBase, { 5, 30, 25 }, true);
    lateGauge.stats.lastMs = kBase + 30'000; // the newest value of the minute
    QVERIFY(db.writeRollups({ base, gauge }));
    QVERIFY(db.writeRollups({ late1, lateNew, lateGauge }));
    QVERIFY(db.writeRollups({ late2 })); // a second late batch for the same minute

    Aggregate want;
    mergeInto(want, base);
    mergeInto(want, late1);
    mergeInto(want, late2);
    QCOMPARE(want.stats.count, 22u);

    const auto rows = db.loadRollups(RollupRow::Scope::Key, kBase, kBase + 2 * kMinute);
    QCOMPARE(rows.size(), std::size_t(3));
    std::map<std::pair<qint64, QString>, RollupRow> byKey;
    for (const RollupRow &r : rows)
        byKey[{ r.startMs, r.meta.name }] = r;
    const RollupRow &merged = byKey[{ kBase, u"k"_s }];
    COMPARE_STATS(merged.stats, want.stats);
    QVERIFY(sketchOf(merged) == want.sketch);
    QCOMPARE(sketchOf(merged).count(), 22u);

    const RollupRow &fresh = byKey[{ kBase + kMinute, u"k"_s }];
    COMPARE_STATS(fresh.stats, lateNew.stats);
    QCOMPARE(fresh.sketch, lateNew.sketch);

    const RollupRow &g = byKey[{ kBase, u"rss"_s }];
    QCOMPARE(g.stats.count, 5u);
    QCOMPARE(g.stats.sum, 90.0);
    QCOMPARE(g.stats.min, 5.0);
    QCOMPARE(g.stats.max, 30.0);
    QCOMPARE(g.stats.last, 25.0);
    QCOMPARE(g.stats.lastMs, kBase + 30'000);
    QVERIFY(g.sketch.isEmpty());
}

void TestHistoryDatabase::keyWindowsMixMinuteAndCompactedRows()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"mixed"_s);
    QVERIFY(db.open());
    const qint64 now = kBase + 24 * kHour;
    // Minutes from 8 h ago to 5 h ago: the first two hours end up compacted, the last hour stays.
    const qint64 from = now - 8 * kHour;
    const qint64 to = now - 5 * kHour;
    std::vector<RollupRow> rows;
    int seed = 0;
    for (qint64 t = from; t < to; t += kMinute) {
        if ((t / kMinute) % 7 == 3)
            continue; // gaps, so some 5-minute slots are partial
        ++seed;
        rows.push_back(keyRow(u"a"_s, t, seed, 1 + seed % 13));
        rows.push_back(makeRow(RollupRow::Scope::Key, MetricKind::Db, u"svc"_s, u"find:b"_s, t, valuesFor(++seed, 4)));
        rows.push_back(makeRow(RollupRow::Scope::Key, MetricKind::Gauge, u"svc"_s, u"g"_s, t, { double(seed % 50) }));
        rows.push_back(makeRow(RollupRow::Scope::Group, MetricKind::Api, u"svc"_s, {}, t, valuesFor(seed, 3)));
    }
    QVERIFY(db.writeRollups(rows));

    auto expectedWindow = [&](qint64 a, qint64 b) {
        std::map<QString, Aggregate> want;
        for (const RollupRow &r : rows) {
            if (r.scope == RollupRow::Scope::Key && r.startMs >= a && r.startMs < b)
                mergeInto(want[r.meta.name], r);
        }
        return want;
    };
    auto checkWindow = [&](qint64 a, qint64 b) {
        const auto want = expectedWindow(a, b);
        const std::vector<KeyAggregate> got = db.keyWindows(a, b);
        QVERIFY2(db.lastError().isEmpty(), qPrintable(db.lastError()));
        QCOMPARE(got.size(), want.size());
        for (const KeyAggregate &k : got) {
            const auto it = want.find(k.meta.name);
            QVERIFY(it != want.end());
            COMPARE_AGGREGATE(k.agg, it->second);
        }
    };
    const std::vector<TimePoint> seriesBefore = db.keySeries(MetricKind::Api, u"svc"_s, u"a"_s, from, to, 5 * kMinute);

    QVERIFY2(db.applyRetention(now, 48), qPrintable(db.lastError()));
    // The minute table keeps only the last uncompacted hour.
    const auto minuteRows = db.loadRollups(RollupRow::Scope::Key, from, to);
    QVERIFY(!minuteRows.empty());
    for (const RollupRow &r : minuteRows)
        QVERIFY(r.startMs >= now - HistoryDatabase::kCompactAfterMs);
    qsizetype uncompacted = 0;
    for (const RollupRow &r : rows)
        uncompacted += r.scope == RollupRow::Scope::Key && r.startMs >= now - 6 * kHour ? 1 : 0;
    QCOMPARE(qsizetype(minuteRows.size()), uncompacted);
    {
        QSqlQuery q(QSqlDatabase::database(db.connectionName(), false));
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM rollup_5m"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 4 * 24); // 4 keys (3 + 1 group) x 2 h of 5-minute slots
    }

    checkWindow(from, to); // the whole range: 5-minute rows plus minutes
    checkWindow(from + 25 * kMinute, to - 10 * kMinute); // aligned sub-range across the border
    checkWindow(now - 6 * kHour, to); // minutes only
    checkWindow(from + 5 * kMinute, from + 20 * kMinute); // 5-minute rows only

    // A 5-minute step gives the same series before and after compaction.
    const std::vector<TimePoint> seriesAfter = db.keySeries(MetricKind::Api, u"svc"_s, u"a"_s, from, to, 5 * kMinute);
    QCOMPARE(seriesAfter.size(), seriesBefore.size());
    for (std::size_t i = 0; i < seriesAfter.size(); ++i) {
        QCOMPARE(seriesAfter[i].startMs, seriesBefore[i].startMs);
        COMPARE_AGGREGATE(seriesAfter[i].agg, seriesBefore[i].agg);
    }

    // Idempotent: a second run changes nothing.
    QVERIFY(db.applyRetention(now, 48));
    checkWindow(from, to);

    // Late data for an already compacted slot is merged into it by the next run, counted once.
    const RollupRow late = keyRow(u"a"_s, from + 2 * kMinute, 999, 9, true);
    QVERIFY(db.writeRollups({ late }));
    rows.push_back(late);
    checkWindow(from, to);
    QVERIFY(db.applyRetention(now, 48));
    checkWindow(from, to);
    QVERIFY(db.loadRollups(RollupRow::Scope::Key, from, from + 5 * kMinute).empty());
    QCOMPARE(db.sketchDecodeFailures(), 0u);
}

void TestHistoryDatabase::seriesBucketing()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"series"_s);
    QVERIFY(db.open());
    // Two hours of minutes starting on an hour boundary, minutes 10..14 missing (an empty bucket).
    std::vector<RollupRow> rows;
    for (int m = 0; m < 120; ++m) {
        if (m >= 10 && m < 15)
            continue;
        rows.push_back(keyRow(u"k"_s, kBase + m * kMinute, m, 1 + m % 5));
    }
    rows.push_back(keyRow(u"other"_s, kBase, 1, 100)); // another key must not leak in
    QVERIFY(db.writeRollups(rows));

    auto expected = [&](qint64 from, qint64 to, qint64 step) {
        std::map<qint64, Aggregate> buckets;
        for (const RollupRow &r : rows) {
            if (r.meta.name == u"k"_s && r.startMs >= from && r.startMs < to)
                mergeInto(buckets[r.startMs / step * step], r);
        }
        return buckets;
    };
    auto check = [&](qint64 from, qint64 to, qint64 step, std::size_t points) {
        const auto want = expected(from, to, step);
        const auto got = db.keySeries(MetricKind::Api, u"svc"_s, u"k"_s, from, to, step);
        QCOMPARE(got.size(), points);
        QCOMPARE(got.size(), want.size());
        auto it = want.begin();
        for (const TimePoint &p : got) {
            QCOMPARE(p.startMs, it->first);
            QCOMPARE(p.startMs % step, 0);
            COMPARE_AGGREGATE(p.agg, it->second);
            ++it;
        }
    };
    check(kBase, kBase + 2 * kHour, 5 * kMinute, 23); // 24 slots, one empty
    check(kBase, kBase + 2 * kHour, kHour, 2);
    check(kBase + 7 * kMinute, kBase + 33 * kMinute, 5 * kMinute, 5); // 5 (7..9), 15, 20, 25, 30 (30..32)

    const auto five = db.keySeries(MetricKind::Api, u"svc"_s, u"k"_s, kBase, kBase + kHour, 5 * kMinute);
    QCOMPARE(five.front().startMs, kBase);
    QCOMPARE(five[2].startMs, kBase + 15 * kMinute); // the 10-minute slot is absent
    QCOMPARE(five.front().agg.stats.count, quint64(1 + 2 + 3 + 4 + 5));
    const auto hours = db.keySeries(MetricKind::Api, u"svc"_s, u"k"_s, kBase, kBase + 2 * kHour, kHour);
    QCOMPARE(hours[0].agg.stats.count, quint64(12 * 15 - 15)); // 12 rounds of 1..5 minus minutes 10..14
    QCOMPARE(hours[1].agg.stats.count, quint64(12 * 15));

    QVERIFY(db.keySeries(MetricKind::Api, u"svc"_s, u"missing"_s, kBase, kBase + kHour, kMinute).empty());
    QVERIFY(db.keySeries(MetricKind::Db, u"svc"_s, u"k"_s, kBase, kBase + kHour, kMinute).empty());
}

void TestHistoryDatabase::groupSeriesFiltersServices()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"groups"_s);
    QVERIFY(db.open());
    std::vector<RollupRow> rows;
    for (int m = 0; m < 10; ++m) {
        rows.push_back(
            makeRow(RollupRow::Scope::Group, MetricKind::Api, u"a"_s, {}, kBase + m * kMinute, valuesFor(m, 2)));
        rows.push_back(
            makeRow(RollupRow::Scope::Group, MetricKind::Api, u"b"_s, {}, kBase + m * kMinute, valuesFor(m + 50, 3)));
        rows.push_back(
            makeRow(RollupRow::Scope::Group, MetricKind::Db, u"a"_s, {}, kBase + m * kMinute, valuesFor(m + 90, 7)));
        // A key with the same kind and service is not part of the group series.
        rows.push_back(keyRow(u"x"_s, kBase + m * kMinute, m, 11));
    }
    QVERIFY(db.writeRollups(rows));
    auto sumOf = [&](MetricKind kind, const QStringList &services) {
        Aggregate agg;
        for (const RollupRow &r : rows) {
            if (r.scope == RollupRow::Scope::Group && r.meta.kind == kind
                && (services.isEmpty() || services.contains(r.meta.service)))
                mergeInto(agg, r);
        }
        return agg;
    };
    const auto onlyA = db.groupSeries(MetricKind::Api, { u"a"_s }, kBase, kBase + kHour, kHour);
    QCOMPARE(onlyA.size(), std::size_t(1));
    QCOMPARE(onlyA[0].agg.stats.count, 20u);
    COMPARE_AGGREGATE(onlyA[0].agg, sumOf(MetricKind::Api, { u"a"_s }));
    const auto all = db.groupSeries(MetricKind::Api, {}, kBase, kBase + kHour, kHour);
    QCOMPARE(all.size(), std::size_t(1));
    QCOMPARE(all[0].agg.stats.count, 50u);
    COMPARE_AGGREGATE(all[0].agg, sumOf(MetricKind::Api, {}));
    const auto db5 = db.groupSeries(MetricKind::Db, {}, kBase, kBase + kHour, 5 * kMinute);
    QCOMPARE(db5.size(), std::size_t(2));
    QCOMPARE(db5[0].agg.stats.count, 35u);
    QVERIFY(db.groupSeries(MetricKind::Api, { u"nobody"_s }, kBase, kBase + kHour, kHour).empty());
}

void TestHistoryDatabase::retentionDeletesExactlyWhatIsOlder()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"retention"_s);
    QVERIFY(db.open());
    const qint64 now = kBase + 100 * kHour;

    // Minute rows (younger than the compaction age), retention 2 h: cutoff = now - 2 h.
    const qint64 cutoff2 = now - 2 * kHour;
    QVERIFY(db.writeRollups({ keyRow(u"m"_s, cutoff2 - kMinute, 1, 1), keyRow(u"m"_s, cutoff2, 2, 2),
        keyRow(u"m"_s, cutoff2 + kMinute, 3, 4), keyRow(u"gone"_s, cutoff2 - 2 * kMinute, 4, 8) }));
    QVERIFY(db.writeScores(
        { { cutoff2 - 1, 50, Band::Fair }, { cutoff2, 60, Band::Good }, { cutoff2 + 1, 90, Band::Excellent } }));
    QVERIFY(db.applyRetention(now, 2));
    const auto minutes = db.loadRollups(RollupRow::Scope::Key, 0, now);
    QCOMPARE(minutes.size(), std::size_t(2));
    QCOMPARE(minutes[0].startMs, cutoff2);
    QCOMPARE(minutes[0].stats.count, 2u);
    QCOMPARE(minutes[1].startMs, cutoff2 + kMinute);
    const auto scores = db.scores(0, now);
    QCOMPARE(scores.size(), std::size_t(2));
    QCOMPARE(scores[0].timestampMs, cutoff2);
    QCOMPARE(scores[1].timestampMs, cutoff2 + 1);
    QCOMPARE(db.knownKeys().size(), std::size_t(2)); // "gone" lost its rows, not its key

    // Compacted rows, retention 48 h: cutoff = now - 48 h (a 5-minute boundary).
    const qint64 cutoff48 = now - 48 * kHour;
    QVERIFY(db.writeRollups({ keyRow(u"c"_s, cutoff48 - 5 * kMinute, 1, 16), keyRow(u"c"_s, cutoff48 - kMinute, 2, 32),
        keyRow(u"c"_s, cutoff48, 3, 1), keyRow(u"c"_s, cutoff48 + 4 * kMinute, 4, 2),
        keyRow(u"c"_s, cutoff48 + 5 * kMinute, 5, 4) }));
    QVERIFY(db.applyRetention(now, 1000)); // compacts into 3 slots, deletes nothing
    auto countOf = [&](const QString &name) {
        for (const KeyAggregate &k : db.keyWindows(0, now))
            if (k.meta.name == name)
                return k.agg.stats.count;
        return quint64(0);
    };
    QCOMPARE(countOf(u"c"_s), 16u + 32 + 1 + 2 + 4);
    QVERIFY(db.applyRetention(now, 48));
    QCOMPARE(countOf(u"c"_s), 1u + 2 + 4); // the slot before the cutoff is gone, the one at it stays
    const auto fiveMinute = db.keySeries(MetricKind::Api, u"svc"_s, u"c"_s, 0, now, 5 * kMinute);
    QCOMPARE(fiveMinute.size(), std::size_t(2));
    QCOMPARE(fiveMinute[0].startMs, cutoff48);
    QCOMPARE(fiveMinute[0].agg.stats.count, 3u);
    QCOMPARE(db.knownKeys().size(), std::size_t(3));
}

void TestHistoryDatabase::journalModeIsWal()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"wal"_s);
    QVERIFY(db.open());
    QCOMPARE(pragma(db, u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(pragma(db, u"PRAGMA synchronous"_s).toInt(), 1); // NORMAL
    QCOMPARE(pragma(db, u"PRAGMA busy_timeout"_s).toInt(), HistoryDatabase::kBusyTimeoutMs);
    QCOMPARE(pragma(db, u"PRAGMA user_version"_s).toInt(), HistoryDatabase::kSchemaVersion);
    QVERIFY(db.writeRollups({ keyRow(u"k"_s, kBase, 1, 1) }));
    QVERIFY(QFileInfo::exists(db.path() + u"-wal"_s));
}

void TestHistoryDatabase::scoresRoundTrip()
{
    QTemporaryDir dir;
    const std::vector<ScorePoint> points = { { kBase, 95, Band::Excellent }, { kBase + 10'000, 70, Band::Good },
        { kBase + 20'000, 45, Band::Fair }, { kBase + 30'000, 12, Band::Poor }, { kBase + 40'000, 0, Band::NoData } };
    {
        HistoryDatabase db(dir.path(), u"scores-w"_s);
        QVERIFY(db.open());
        QVERIFY(db.writeScores(points));
        QVERIFY(db.writeScores({ { kBase + 10'000, 79, Band::Good } })); // same timestamp: replaced
    }
    HistoryDatabase db(dir.path(), u"scores-r"_s);
    QVERIFY(db.open());
    const auto all = db.scores(kBase, kBase + 40'001);
    QCOMPARE(all.size(), points.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        QCOMPARE(all[i].timestampMs, points[i].timestampMs);
        QCOMPARE(all[i].score, i == 1 ? 79 : points[i].score);
        QCOMPARE(all[i].band, points[i].band);
    }
    const auto part = db.scores(kBase + 10'000, kBase + 30'000); // [from, to)
    QCOMPARE(part.size(), std::size_t(2));
    QCOMPARE(part[1].timestampMs, kBase + 20'000);
}

void TestHistoryDatabase::recommendationsRoundTrip()
{
    QTemporaryDir dir;
    Recommendation slow;
    slow.id = u"slow_endpoint:svc:GET:/api/trips"_s;
    slow.rule = u"slow_endpoint"_s;
    slow.type = RecommendationType::Api;
    slow.priority = Priority::High;
    slow.service = u"svc"_s;
    slow.target = u"GET:/api/trips"_s;
    slow.message = u"GET:/api/trips is slow: p95 812 ms over 500 ms — “quoted”"_s;
    slow.suggestion = u"Add an index: create index on trips(user_id, start_time)"_s;
    slow.evidence = QJsonObject { { u"p95_ms"_s, 812.125 }, { u"threshold_ms"_s, 500 }, { u"requests"_s, 1234567 },
        { u"ratio"_s, 0.1 }, { u"tiny"_s, 1e-9 }, { u"fields"_s, QJsonArray { u"user_id"_s, u"start_time"_s } },
        { u"nested"_s, QJsonObject { { u"ok"_s, true } } } };
    slow.firstSeenMs = kBase - 3 * kHour;
    slow.lastSeenMs = kBase;
    Recommendation pool;
    pool.id = u"connection_pool:svc:db.pool"_s;
    pool.rule = u"connection_pool"_s;
    pool.type = RecommendationType::Resources;
    pool.priority = Priority::Low;
    pool.service = u"svc"_s;
    pool.target = u"db.pool"_s;
    pool.message = u"Pool mostly idle"_s;
    pool.suggestion = u"Shrink it"_s;
    pool.firstSeenMs = kBase - 1;
    pool.lastSeenMs = kBase + 1;
    Recommendation trend = pool;
    trend.id = u"degradation:svc:x"_s;
    trend.type = RecommendationType::Trend;
    trend.priority = Priority::Medium;

    auto same = [](const Recommendation &a, const Recommendation &b) {
        return a.id == b.id && a.rule == b.rule && a.type == b.type && a.priority == b.priority
            && a.service == b.service && a.target == b.target && a.message == b.message && a.suggestion == b.suggestion
            && a.evidence == b.evidence && a.firstSeenMs == b.firstSeenMs && a.lastSeenMs == b.lastSeenMs;
    };
    {
        HistoryDatabase db(dir.path(), u"recs-w"_s);
        QVERIFY(db.open());
        QVERIFY(db.replaceRecommendations({ trend }));
        QVERIFY(db.replaceRecommendations({ slow, pool })); // replaces, keeps this order
    }
    {
        HistoryDatabase db(dir.path(), u"recs-r"_s);
        QVERIFY(db.open());
        const auto got = db.recommendations();
        QCOMPARE(got.size(), std::size_t(2));
        QVERIFY(same(got[0], slow));
        QVERIFY(same(got[1], pool));
        QCOMPARE(got[0].evidence.value(u"requests"_s).toInteger(), 1234567);
        QCOMPARE(got[0].evidence.value(u"tiny"_s).toDouble(), 1e-9);
        QVERIFY(db.replaceRecommendations({}));
        QVERIFY(db.recommendations().empty());
    }
}

void TestHistoryDatabase::sameRecommendationsAreNotRewritten()
{
    QTemporaryDir dir;
    Recommendation slow;
    slow.id = u"slow_endpoint:svc:GET:/a"_s;
    slow.rule = u"slow_endpoint"_s;
    slow.priority = Priority::High;
    slow.service = u"svc"_s;
    slow.target = u"GET:/a"_s;
    slow.message = u"GET:/a is slow"_s;
    slow.suggestion = u"Cache it"_s;
    slow.evidence = QJsonObject { { u"p95_ms"_s, 812.5 } };
    slow.impact = 1.5;
    slow.firstSeenMs = kBase - kHour;
    slow.lastSeenMs = kBase;
    Recommendation pool = slow;
    pool.id = u"connection_pool:svc:db.pool"_s;
    pool.rule = u"connection_pool"_s;
    pool.priority = Priority::Low;
    pool.target = u"db.pool"_s;

    // Rows inserted, updated or deleted on the writer's connection so far.
    const auto changes = [](const HistoryDatabase &db) { return pragma(db, u"SELECT total_changes()"_s).toLongLong(); };
    std::vector<Recommendation> recs { slow, pool };
    {
        HistoryDatabase db(dir.path(), u"recs-same"_s);
        QVERIFY(db.open());
        QVERIFY(db.replaceRecommendations(recs));
        const qint64 written = changes(db);
        QVERIFY(written >= 2);

        // The same advice at the same time: nothing is written.
        recs[1].impact = 3; // not stored
        QVERIFY(db.replaceRecommendations(recs));
        QCOMPARE(changes(db), written);

        // The same advice a tick later: only last_seen_ms moves, one row update each.
        for (Recommendation &r : recs)
            r.lastSeenMs = kBase + 10'000;
        QVERIFY(db.replaceRecommendations(recs));
        QCOMPARE(changes(db), written + 2);
        auto got = db.recommendations();
        QCOMPARE(got.size(), std::size_t(2));
        QCOMPARE(got[0].lastSeenMs, kBase + 10'000);
        QCOMPARE(got[1].lastSeenMs, kBase + 10'000);
        QCOMPARE(got[1].message, slow.message);

        // Any stored field that changes is written, and only that row.
        const std::vector<std::function<void(Recommendation &)>> edits {
            [](Recommendation &r) { r.message = u"GET:/a is slower"_s; },
            [](Recommendation &r) { r.evidence.insert(u"p95_ms"_s, 900); },
            [](Recommendation &r) { r.priority = Priority::Medium; },
            [](Recommendation &r) { r.firstSeenMs -= 1; },
        };
        for (const auto &edit : edits) {
            const qint64 before = changes(db);
            edit(recs[1]);
            QVERIFY(db.replaceRecommendations(recs));
            QCOMPARE(changes(db), before + 1);
            got = db.recommendations();
            QCOMPARE(got.size(), std::size_t(2));
            QCOMPARE(got[1].message, recs[1].message);
            QCOMPARE(got[1].evidence, recs[1].evidence);
            QCOMPARE(got[1].priority, recs[1].priority);
            QCOMPARE(got[1].firstSeenMs, recs[1].firstSeenMs);
            QCOMPARE(got[0].message, slow.message);
        }
        // So are a new order (both rows), a dropped recommendation (deleted) and a new one.
        std::swap(recs[0], recs[1]);
        qint64 before = changes(db);
        QVERIFY(db.replaceRecommendations(recs));
        QCOMPARE(changes(db), before + 2);
        QCOMPARE(db.recommendations()[0].id, recs[0].id);
        QCOMPARE(db.recommendations()[1].id, recs[1].id);
        const Recommendation dropped = recs.back();
        recs.pop_back();
        before = changes(db);
        QVERIFY(db.replaceRecommendations(recs));
        QCOMPARE(changes(db), before + 1);
        QCOMPARE(db.recommendations().size(), std::size_t(1));
        recs.push_back(dropped);
        before = changes(db);
        QVERIFY(db.replaceRecommendations(recs));
        QCOMPARE(changes(db), before + 1);
        QCOMPARE(db.recommendations().size(), std::size_t(2));
        recs.pop_back();
        QVERIFY(db.replaceRecommendations(recs));
        for (Recommendation &r : recs)
            r.lastSeenMs = kBase + 20'000;
        QVERIFY(db.replaceRecommendations(recs));
    }
    {
        // A restart restores the last advice with its last time seen.
        HistoryDatabase db(dir.path(), u"recs-same-2"_s);
        QVERIFY(db.open());
        const auto got = db.recommendations();
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].id, recs[0].id);
        QCOMPARE(got[0].message, recs[0].message);
        QCOMPARE(got[0].priority, recs[0].priority);
        QCOMPARE(got[0].lastSeenMs, kBase + 20'000);
        // A new connection does not know what the table holds, so it writes in full.
        const qint64 before = changes(db);
        QVERIFY(db.replaceRecommendations(recs));
        QVERIFY(changes(db) > before);
    }
}

void TestHistoryDatabase::recommendationFromJsonRejectsIncomplete()
{
    Recommendation r;
    r.id = u"x"_s;
    r.type = RecommendationType::Database;
    r.priority = Priority::Medium;
    QJsonObject json = recommendationToStorageJson(r);
    QVERIFY(recommendationFromJson(json).has_value());
    QCOMPARE(recommendationFromJson(json)->type, RecommendationType::Database);
    json.insert(u"type"_s, u"bogus"_s);
    QVERIFY(!recommendationFromJson(json).has_value());
    json = recommendationToStorageJson(r);
    json.remove(u"priority"_s);
    QVERIFY(!recommendationFromJson(json).has_value());
    json = recommendationToStorageJson(r);
    json.remove(u"id"_s);
    QVERIFY(!recommendationFromJson(json).has_value());
    // The fields docs/DESIGN.md §12 names are enough.
    const QJsonObject minimal { { u"id"_s, u"y"_s }, { u"type"_s, u"trend"_s }, { u"priority"_s, u"low"_s },
        { u"target"_s, u"t"_s } };
    const auto parsed = recommendationFromJson(minimal);
    QVERIFY(parsed.has_value());
    QCOMPARE(parsed->target, u"t"_s);
    QCOMPARE(parsed->priority, Priority::Low);
}

void TestHistoryDatabase::damagedFileIsMovedAside()
{
    QTemporaryDir dir;
    const QString file = QDir(dir.path()).filePath(u"perfwatch.sqlite"_s);
    QByteArray garbage(4096, Qt::Uninitialized);
    QRandomGenerator random(42);
    random.fillRange(reinterpret_cast<quint32 *>(garbage.data()), garbage.size() / 4);
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(garbage), garbage.size());
        QFile wal(file + u"-wal"_s);
        QVERIFY(wal.open(QIODevice::WriteOnly));
        wal.write("not a wal either");
    }

    HistoryDatabase db(dir.path(), u"damaged"_s);
    QString notice;
    QVERIFY2(db.open(&notice), qPrintable(notice));
    const QRegularExpression moved(u"^.*/perfwatch\\.sqlite\\.corrupt-\\d{8}T\\d{6}Z$"_s);
    QVERIFY2(moved.match(db.recoveredFrom()).hasMatch(), qPrintable(db.recoveredFrom()));
    QVERIFY(notice.contains(u"damaged"_s));
    QVERIFY(notice.contains(QDir::toNativeSeparators(db.recoveredFrom())));
    QVERIFY(!notice.contains(u'\n'));
    qInfo("%s", qPrintable(notice));
    {
        QFile aside(db.recoveredFrom());
        QVERIFY(aside.open(QIODevice::ReadOnly));
        QCOMPARE(aside.readAll(), garbage); // moved untouched
    }
    QVERIFY2(QFileInfo::exists(db.recoveredFrom() + u"-wal"_s), qPrintable(QDir(dir.path()).entryList().join(u' ')));

    // The fresh database works.
    const RollupRow row = keyRow(u"k"_s, kBase, 1, 3);
    QVERIFY(db.writeRollups({ row }));
    const auto rows = db.loadRollups(RollupRow::Scope::Key, kBase, kBase + kMinute);
    QCOMPARE(rows.size(), std::size_t(1));
    COMPARE_STATS(rows[0].stats, row.stats);
    QCOMPARE(pragma(db, u"PRAGMA quick_check"_s).toString(), u"ok"_s);

    // A second instance on the now healthy file recovers nothing.
    HistoryDatabase other(dir.path(), u"damaged-2"_s);
    QVERIFY(other.open());
    QVERIFY(other.recoveredFrom().isEmpty());
    QCOMPARE(other.loadRollups(RollupRow::Scope::Key, kBase, kBase + kMinute).size(), std::size_t(1));
}

void TestHistoryDatabase::truncatedFileIsMovedAside()
{
    QTemporaryDir dir;
    const QString file = QDir(dir.path()).filePath(u"perfwatch.sqlite"_s);
    {
        HistoryDatabase db(dir.path(), u"to-truncate"_s);
        QVERIFY(db.open());
        std::vector<RollupRow> rows;
        for (int i = 0; i < 3000; ++i)
            rows.push_back(keyRow(u"k"_s + QString::number(i % 50), kBase + (i / 50) * kMinute, i, 20));
        QVERIFY(db.writeRollups(rows));
    } // the last connection closes: the WAL is checkpointed into the file and removed
    QVERIFY(!QFileInfo::exists(file + u"-wal"_s));
    const qint64 size = QFileInfo(file).size();
    QVERIFY(size > 64 * 1024);
    QVERIFY(QFile::resize(file, size / 2));
    {
        QFile wal(file + u"-wal"_s); // a stray -wal goes along with the damaged file
        QVERIFY(wal.open(QIODevice::WriteOnly));
        wal.write("stray");
    }

    HistoryDatabase db(dir.path(), u"truncated"_s);
    QString notice;
    QVERIFY2(db.open(&notice), qPrintable(notice));
    qInfo("%s", qPrintable(notice));
    QVERIFY(!db.recoveredFrom().isEmpty());
    QCOMPARE(QFileInfo(db.recoveredFrom()).size(), size / 2);
    QVERIFY(QFileInfo::exists(db.recoveredFrom() + u"-wal"_s));
    QVERIFY(db.knownKeys().empty());
    QVERIFY(db.writeRollups({ keyRow(u"k"_s, kBase, 1, 3) }));
    QCOMPARE(db.knownKeys().size(), std::size_t(1));
}

void TestHistoryDatabase::unusableFolderFailsCleanly()
{
    QTemporaryDir dir;
    const QString blocker = QDir(dir.path()).filePath(u"file"_s);
    {
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    // A regular file where the folder should be: mkpath fails even for root.
    HistoryDatabase db(blocker + u"/sub"_s, u"unusable"_s);
    QString error;
    QVERIFY(!db.open(&error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!error.contains(u'\n'));
    QCOMPARE(db.lastError(), error);
    QVERIFY(!db.isOpen());
    QVERIFY(!db.writeRollups({ keyRow(u"k"_s, kBase, 1, 1) }));
    QVERIFY(!db.lastError().isEmpty());
    QVERIFY(db.keyWindows(0, kBase).empty());
    QVERIFY(!db.applyRetention(kBase, 48));
}

void TestHistoryDatabase::failedWritesRollBackAndRetry_data()
{
    QTest::addColumn<QString>("block");
    QTest::addColumn<QString>("unblock");
    QTest::addColumn<QString>("expectedError");
    // Tests run as root, which ignores file modes, so chmod cannot make the file read-only. SQLite
    // itself refuses the writes instead: query_only behaves like a read-only file (SQLITE_READONLY),
    // and a max_page_count at the current size behaves like a full disk (SQLITE_FULL) — both fail
    // inside the transaction, after some rows were already written, which is what must roll back.
    QTest::newRow("read-only") << u"PRAGMA query_only = ON"_s << u"PRAGMA query_only = OFF"_s << u"readonly"_s;
    QTest::newRow("disk full") << u"PRAGMA max_page_count = %1"_s << u"PRAGMA max_page_count = 1000000"_s << u"full"_s;
}

void TestHistoryDatabase::failedWritesRollBackAndRetry()
{
    QFETCH(QString, block);
    QFETCH(QString, unblock);
    QFETCH(QString, expectedError);
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"failing"_s);
    QVERIFY(db.open());
    const RollupRow base = keyRow(u"k"_s, kBase, 1, 10);
    QVERIFY(db.writeRollups({ base }));

    // The batch: a late row for the stored minute (must merge exactly once), then many rows of
    // new keys, enough to need new pages.
    std::vector<RollupRow> batch { keyRow(u"k"_s, kBase, 2, 6, true) };
    for (int i = 0; i < 2000; ++i)
        batch.push_back(keyRow(u"new"_s + QString::number(i), kBase + kMinute, i, 30));

    const int pages = pragma(db, u"PRAGMA page_count"_s).toInt();
    QVERIFY(pages > 0);
    {
        QSqlQuery q(QSqlDatabase::database(db.connectionName(), false));
        QVERIFY(q.exec(block.contains(u"%1"_s) ? block.arg(pages) : block));
    }
    QVERIFY(!db.writeRollups(batch));
    qInfo("%s", qPrintable(db.lastError()));
    QVERIFY2(db.lastError().contains(expectedError, Qt::CaseInsensitive), qPrintable(db.lastError()));
    QVERIFY(!db.lastError().contains(u'\n'));

    // Nothing of the batch is visible: the stored minute and the key list are as before.
    {
        QSqlQuery q(QSqlDatabase::database(db.connectionName(), false));
        QVERIFY(q.exec(unblock));
    }
    QCOMPARE(pragma(db, u"PRAGMA quick_check"_s).toString(), u"ok"_s);
    auto rows = db.loadRollups(RollupRow::Scope::Key, kBase, kBase + 2 * kMinute);
    QCOMPARE(rows.size(), std::size_t(1));
    COMPARE_STATS(rows[0].stats, base.stats);
    QCOMPARE(db.knownKeys().size(), std::size_t(1));

    // The same batch, sent again, goes in once.
    QVERIFY2(db.writeRollups(batch), qPrintable(db.lastError()));
    QVERIFY(db.lastError().isEmpty());
    Aggregate want;
    mergeInto(want, base);
    mergeInto(want, batch[0]);
    rows = db.loadRollups(RollupRow::Scope::Key, kBase, kBase + kMinute);
    QCOMPARE(rows.size(), std::size_t(1));
    COMPARE_STATS(rows[0].stats, want.stats);
    QVERIFY(sketchOf(rows[0]) == want.sketch);
    QCOMPARE(db.loadRollups(RollupRow::Scope::Key, kBase + kMinute, kBase + 2 * kMinute).size(), std::size_t(2000));
    QCOMPARE(db.knownKeys().size(), std::size_t(2001));
}

void TestHistoryDatabase::undecodableSketchIsSkipped()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"bad-sketch"_s);
    QVERIFY(db.open());
    const RollupRow good = keyRow(u"k"_s, kBase, 1, 10);
    RollupRow bad = keyRow(u"k"_s, kBase + kMinute, 2, 5);
    bad.sketch = QByteArray("\x01\xff\xff garbage", 11);
    QVERIFY(db.writeRollups({ good, bad }));
    const auto window = db.keyWindows(kBase, kBase + kHour);
    QCOMPARE(window.size(), std::size_t(1));
    QCOMPARE(window[0].agg.stats.count, 15u); // stats of both rows
    QVERIFY(window[0].agg.sketch == sketchOf(good)); // only the good sketch
    QCOMPARE(db.sketchDecodeFailures(), 1u);
    const auto rows = db.loadRollups(RollupRow::Scope::Key, kBase, kBase + kHour);
    QCOMPARE(rows.size(), std::size_t(2));
    QVERIFY(rows[1].sketch.isEmpty());
    QCOMPARE(rows[1].stats.count, 5u);
    QCOMPARE(db.sketchDecodeFailures(), 2u);
    // Merging late data into it keeps the late sketch, and compaction survives it too.
    QVERIFY(db.writeRollups({ keyRow(u"k"_s, kBase + kMinute, 3, 2, true) }));
    QVERIFY(db.applyRetention(kBase + 24 * kHour, 48));
    const auto after = db.keyWindows(kBase, kBase + kHour);
    QCOMPARE(after[0].agg.stats.count, 17u);
    QCOMPARE(after[0].agg.sketch.count(), 12u);
}

void TestHistoryDatabase::readersRunWhileWriterWritesAndCompacts()
{
    QTemporaryDir dir;
    const qint64 now = kBase + 24 * kHour;
    const qint64 oldFrom = now - 8 * kHour;
    quint64 oldCount = 0;
    {
        // Old minutes that the writer will compact while the readers read.
        HistoryDatabase seed(dir.path(), u"seed"_s);
        QVERIFY(seed.open());
        std::vector<RollupRow> rows;
        for (int m = 0; m < 60; ++m) {
            for (int k = 0; k < 20; ++k) {
                rows.push_back(keyRow(u"old"_s + QString::number(k), oldFrom + m * kMinute, m + k, 4));
                oldCount += 4;
            }
        }
        QVERIFY(seed.writeRollups(rows));
    }

    constexpr int kBatches = 40;
    constexpr int kKeysPerBatch = 50;
    constexpr quint64 kPerBatch = kKeysPerBatch * 3;
    std::atomic<bool> writerDone { false };
    std::atomic<int> readersReady { 0 };
    std::atomic<int> readerPasses { 0 }; ///< passes that started while the writer was still writing
    std::mutex problemsMutex;
    QStringList problems;
    auto report = [&](const QString &problem) {
        std::lock_guard lock(problemsMutex);
        if (problems.size() < 20)
            problems << problem;
    };

    std::unique_ptr<QThread> writer(QThread::create([&] {
        HistoryDatabase db(dir.path(), u"concurrent-writer"_s);
        if (!db.open()) {
            report(u"writer open: "_s + db.lastError());
            writerDone = true;
            return;
        }
        // Start only once both readers are reading, so the overlap does not depend on scheduling.
        QElapsedTimer waited;
        waited.start();
        while (readersReady.load() < 2 && waited.elapsed() < 30'000)
            QThread::msleep(1);
        for (int b = 0; b < kBatches; ++b) {
            std::vector<RollupRow> batch;
            for (int k = 0; k < kKeysPerBatch; ++k)
                batch.push_back(keyRow(u"new"_s + QString::number(k), now - kHour + b * kMinute, b * 100 + k, 3));
            if (!db.writeRollups(batch))
                report(u"write: "_s + db.lastError());
            if (b == kBatches / 2) { // compaction while readers read
                QElapsedTimer timer;
                timer.start();
                if (!db.applyRetention(now, 48))
                    report(u"retention: "_s + db.lastError());
                // Readers must not stall the writer (a waiting WAL checkpoint would, for 5 s).
                if (timer.elapsed() > 3000)
                    report(u"retention took %1 ms"_s.arg(timer.elapsed()));
            }
            QThread::msleep(2);
        }
        writerDone = true;
    }));

    auto readerBody = [&](int n) {
        HistoryDatabase db(dir.path(), u"concurrent-reader-"_s + QString::number(n));
        if (!db.open()) {
            report(u"reader open: "_s + db.lastError());
            ++readersReady;
            return;
        }
        quint64 previous = 0;
        bool last = false;
        bool first = true;
        while (!last) {
            last = writerDone.load();
            if (!last)
                ++readerPasses;
            const quint64 total = totalCount(db.keyWindows(now - 24 * kHour, now + kHour));
            if (!db.lastError().isEmpty())
                report(u"read: "_s + db.lastError());
            // Batches are atomic and compaction never shows a minute twice or hides it.
            if (total < oldCount || (total - oldCount) % kPerBatch != 0 || total < previous
                || total > oldCount + kBatches * kPerBatch)
                report(u"reader %1 saw %2 after %3"_s.arg(n).arg(total).arg(previous));
            previous = total;
            if (first)
                ++readersReady;
            first = false;
        }
        if (previous != oldCount + kBatches * kPerBatch)
            report(u"reader %1 ended at %2"_s.arg(n).arg(previous));
    };
    std::unique_ptr<QThread> reader1(QThread::create(readerBody, 1));
    std::unique_ptr<QThread> reader2(QThread::create(readerBody, 2));

    // Writer first: it creates the schema; readers open the same file concurrently.
    writer->start();
    reader1->start();
    reader2->start();
    QVERIFY(writer->wait(60'000));
    QVERIFY(reader1->wait(60'000));
    QVERIFY(reader2->wait(60'000));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QVERIFY(readerPasses.load() >= 2);
    qInfo("%d reader passes overlapped the writer", readerPasses.load());

    HistoryDatabase check(dir.path(), u"concurrent-check"_s);
    QVERIFY(check.open());
    QCOMPARE(totalCount(check.keyWindows(now - 24 * kHour, now + kHour)), oldCount + kBatches * kPerBatch);
    QVERIFY(check.loadRollups(RollupRow::Scope::Key, oldFrom, now - 6 * kHour).empty()); // compacted
}

void TestHistoryDatabase::writesTenThousandRowsInEveryMode()
{
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"speed"_s);
    QVERIFY(db.open());
    std::vector<RollupRow> rows;
    for (int i = 0; i < 10'000; ++i)
        rows.push_back(keyRow(u"GET:/api/route/"_s + QString::number(i % 1000), kBase + (i / 1000) * kMinute, i, 40));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(db.writeRollups(rows));
    const qint64 fresh = timer.restart();
    QVERIFY(db.writeRollups(rows)); // the same minutes again: replace path, keys cached
    const qint64 replace = timer.restart();
    for (RollupRow &r : rows)
        r.additive = true;
    QVERIFY(db.writeRollups(rows));
    const qint64 additive = timer.elapsed();
    qInfo("10,000 rows: %lld ms new keys, %lld ms replace, %lld ms additive merge", fresh, replace, additive);
    // Timings are printed for information only; bench/ measures speed, tests check results.
    QCOMPARE(totalCount(db.keyWindows(kBase, kBase + kHour)), quint64(10'000 * 40 * 2));
}

void TestHistoryDatabase::keyWindowsOverADayOfThousandKeys()
{
    if (qEnvironmentVariableIsEmpty("PERFWATCH_BENCH"))
        QSKIP("set PERFWATCH_BENCH=1 to measure 24 h x 1,000 keys (writes 1.44 million rows)");
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"bench"_s);
    QVERIFY(db.open());
    const qint64 now = kBase + 48 * kHour;
    QElapsedTimer timer;
    timer.start();
    for (qint64 t = now - 24 * kHour; t < now; t += 10 * kMinute) {
        std::vector<RollupRow> rows;
        rows.reserve(10'000);
        for (qint64 m = t; m < t + 10 * kMinute; m += kMinute)
            for (int k = 0; k < 1000; ++k)
                rows.push_back(keyRow(u"GET:/api/route/"_s + QString::number(k), m, int(m / kMinute) + k, 20));
        QVERIFY(db.writeRollups(rows));
    }
    const qint64 writeMs = timer.restart();
    QVERIFY(db.applyRetention(now, 48));
    const qint64 compactMs = timer.restart();
    const auto window = db.keyWindows(now - 24 * kHour, now);
    const qint64 windowMs = timer.elapsed();
    QCOMPARE(window.size(), std::size_t(1000));
    QCOMPARE(totalCount(window), quint64(24 * 60 * 1000 * 20));
    timer.restart();
    HistoryDatabase reader(dir.path(), u"bench-reader"_s);
    QVERIFY(reader.open()); // includes PRAGMA quick_check over the whole file
    const qint64 openMs = timer.elapsed();
    qInfo("1.44 M rows written in %lld ms, compacted in %lld ms; keyWindows(24 h x 1,000 keys) %lld ms; "
          "open with quick_check %lld ms; file %lld MiB",
        writeMs, compactMs, windowMs, openMs, QFileInfo(db.path()).size() >> 20);
}

void TestHistoryDatabase::releaseCacheReturnsThePages()
{
    // SQLite keeps every page it touched up to cache_size (32 MiB here): without releaseCache()
    // a long-running writer's memory grows with the file. After it, only what SQLite needs to
    // stay open remains.
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), u"cache"_s);
    QVERIFY(db.open());
    const qint64 openBytes = HistoryDatabase::sqliteHeapBytes();
    QVERIFY2(openBytes > 0, "sqlite3_memory_used() reports nothing: memory statistics are off");
    std::vector<RollupRow> rows;
    for (int i = 0; i < 10'000; ++i)
        rows.push_back(keyRow(u"GET:/api/route/"_s + QString::number(i % 1000), kBase + (i / 1000) * kMinute, i, 40));
    QVERIFY(db.writeRollups(rows));
    QCOMPARE(totalCount(db.keyWindows(kBase, kBase + kHour)), quint64(10'000 * 40));
    const qint64 fileBytes = QFileInfo(db.path()).size() + QFileInfo(db.path() + u"-wal"_s).size();
    const qint64 cached = HistoryDatabase::sqliteHeapBytes();
    db.releaseCache();
    const qint64 released = HistoryDatabase::sqliteHeapBytes();
    qInfo("SQLite heap: %lld KiB open, %lld KiB after writing and reading (file and WAL %lld KiB), %lld KiB after "
          "releaseCache()",
        openBytes >> 10, cached >> 10, fileBytes >> 10, released >> 10);
    // The pages of the rows just written and read were cached, then given back.
    QVERIFY2(cached - openBytes > QFileInfo(db.path()).size() / 2, "the reads did not go through the page cache");
    QVERIFY2(released - openBytes < 256 * 1024, "releaseCache() kept the pages");
    // The connection still works after it.
    QCOMPARE(totalCount(db.keyWindows(kBase, kBase + kHour)), quint64(10'000 * 40));
}

QTEST_GUILESS_MAIN(TestHistoryDatabase)
#include "tst_historydatabase.moc"
