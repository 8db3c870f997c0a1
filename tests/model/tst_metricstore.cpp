#include "bucketring.h"
#include "metricstore.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

// A fixed, minute-aligned "now" so bucket boundaries are predictable.
constexpr qint64 kNow = 1'700'000'040'000; // 2023-11-14T22:14:00Z
constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;

IngestEvent api(std::string_view route, double ms, quint16 status = 200, qint64 ts = 0, std::string_view service = {})
{
    IngestEvent e;
    e.kind = MetricKind::Api;
    e.name = route;
    e.value = ms;
    e.status = status;
    e.error = status >= 500;
    e.timestampMs = ts;
    e.service = service;
    return e;
}

IngestEvent db(std::string_view name, double ms, std::string_view requestId = {}, std::string_view fields = {})
{
    IngestEvent e;
    e.kind = MetricKind::Db;
    e.name = name;
    e.value = ms;
    e.requestId = requestId;
    e.fields = fields;
    return e;
}

const KeyAggregate *find(const std::vector<KeyAggregate> &window, const QString &name)
{
    for (const auto &k : window) {
        if (k.meta.name == name)
            return &k;
    }
    return nullptr;
}

} // namespace

class TestMetricStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void windowStats()
    {
        MetricStore store;
        std::vector<IngestEvent> batch;
        for (int i = 0; i < 90; ++i)
            batch.push_back(api("GET:/api/trips", 100));
        for (int i = 0; i < 10; ++i)
            batch.push_back(api("GET:/api/trips", 1100, 503));
        for (int i = 0; i < 50; ++i)
            batch.push_back(db("find:trips", 50));
        store.insert(batch, kNow);

        const auto window = store.window(kNow - 15 * kMinute, kNow + 1);
        QCOMPARE(window.size(), std::size_t(2));
        const KeyAggregate *trips = find(window, QStringLiteral("GET:/api/trips"));
        QVERIFY(trips);
        QCOMPARE(trips->meta.kind, MetricKind::Api);
        QCOMPARE(trips->meta.service, QStringLiteral("default"));
        QCOMPARE(trips->agg.stats.count, quint64(100));
        QCOMPARE(trips->agg.stats.errors, quint64(10));
        QCOMPARE(trips->agg.stats.sum, 20000.0);
        QCOMPARE(trips->agg.stats.avg(), 200.0);
        QCOMPARE(trips->agg.stats.min, 100.0);
        QCOMPARE(trips->agg.stats.max, 1100.0);
        QVERIFY(std::abs(trips->agg.quantile(0.95) - 1100) <= 11);
        const KeyAggregate *find = ::find(window, QStringLiteral("find:trips"));
        QVERIFY(find);
        QCOMPARE(find->agg.stats.count, quint64(50));
        QCOMPARE(find->agg.stats.avg(), 50.0);
        QCOMPARE(store.counters().events, quint64(150));
        const auto totals = store.totals();
        QCOMPARE(totals.size(), std::size_t(2));
        QCOMPARE(totals[0].meta.name, QStringLiteral("GET:/api/trips"));
        QCOMPARE(totals[0].count, quint64(100));
        QCOMPARE(totals[0].errors, quint64(10));
        QCOMPARE(totals[0].sum, 20000.0);
        QCOMPARE(totals[1].count, quint64(50));
        QCOMPARE(store.counters().keys, quint64(2));
    }

    void fineBucketing()
    {
        MetricStore store;
        // One event per second for the minute before kNow.
        std::vector<IngestEvent> batch;
        for (int i = 0; i < 60; ++i)
            batch.push_back(api("GET:/a", 10 + i, 200, kNow - 60 * kSecond + i * kSecond));
        store.insert(batch, kNow);
        const KeyId id = store.keys().front().id;

        const auto tenSeconds = store.keySeries(id, kNow - 60 * kSecond, kNow, 10 * kSecond);
        QCOMPARE(tenSeconds.size(), std::size_t(6));
        for (std::size_t i = 0; i < tenSeconds.size(); ++i) {
            QCOMPARE(tenSeconds[i].startMs, kNow - 60 * kSecond + qint64(i) * 10 * kSecond);
            QCOMPARE(tenSeconds[i].agg.stats.count, quint64(10));
        }
        QCOMPARE(tenSeconds.back().agg.stats.min, 60.0);
        QCOMPARE(tenSeconds.back().agg.stats.max, 69.0);

        // The kind series has 1 s resolution.
        const auto perSecond = store.kindSeries(MetricKind::Api, {}, kNow - 60 * kSecond, kNow, kSecond);
        QCOMPARE(perSecond.size(), std::size_t(60));
        QCOMPARE(perSecond.front().startMs, kNow - 60 * kSecond);
        QCOMPARE(perSecond.front().agg.stats.sum, 10.0);
        QCOMPARE(perSecond.back().agg.stats.sum, 69.0);

        // A minute step merges the whole minute; an unaligned step aligns to multiples of itself.
        const auto minutes = store.keySeries(id, kNow - 2 * kMinute, kNow + 1, kMinute);
        QCOMPARE(minutes.size(), std::size_t(1));
        QCOMPARE(minutes[0].startMs, kNow - kMinute);
        QCOMPARE(minutes[0].agg.stats.count, quint64(60));
        QCOMPARE(minutes[0].agg.stats.sum, 60 * 10 + 59 * 60 / 2.0);
    }

    void minuteTierAndRetention()
    {
        MetricStore store;
        store.insert(std::vector { api("GET:/old", 5, 200, kNow - 30 * kMinute) }, kNow);
        store.insert(std::vector { api("GET:/old", 7, 200, kNow) }, kNow);
        // The 10 s tier only reaches back 16 min; a 1 h window uses minutes and sees both.
        QCOMPARE(store.keyWindow(0, kNow - 60 * kMinute, kNow + 1).stats.count, quint64(2));
        QCOMPARE(store.keyWindow(0, kNow - 31 * kMinute, kNow - 29 * kMinute).stats.sum, 5.0);

        // 81 minutes later the first minute bucket has left the ring.
        const qint64 later = kNow + 81 * kMinute;
        store.insert(std::vector { api("GET:/old", 9, 200, later) }, later);
        QCOMPARE(store.keyWindow(0, kNow - 60 * kMinute, later + 1).stats.count, quint64(1));

        // cleanup() expires keys that went quiet, without new events to rotate them.
        MetricStore idle;
        idle.insert(std::vector { api("GET:/idle", 5, 200, kNow) }, kNow);
        QVERIFY(idle.memoryUsage() > 0);
        idle.cleanup(kNow + 2 * 80 * kMinute);
        QCOMPARE(idle.keyWindow(0, 0, kNow + 1000 * kMinute).stats.count, quint64(0));
        QCOMPARE(idle.keyCount(), std::size_t(0)); // a key goes with its last bucket (the caps recover)
        QCOMPARE(idle.counters().retiredKeys, quint64(1));
    }

    void timestampsClampedAndLate()
    {
        MetricStore store;
        // Five minutes ahead counts as now (clock skew); older than 48 h is dropped.
        store.insert(std::vector { api("GET:/a", 1, 200, kNow + 5 * kMinute) }, kNow);
        store.insert(std::vector { api("GET:/a", 1, 200, kNow - 49 * 60 * kMinute) }, kNow);
        QCOMPARE(store.counters().droppedLate, quint64(1));
        const auto series = store.keySeries(0, kNow - kMinute, kNow + 10 * kMinute, 10 * kSecond);
        QCOMPARE(series.size(), std::size_t(1));
        QCOMPARE(series[0].startMs, kNow);

        // Two hours late: beyond the minute ring, so it goes to persistence as an additive row.
        store.takeDirtyRollups();
        store.insert(std::vector { api("GET:/a", 42, 200, kNow - 120 * kMinute + 5 * kSecond) }, kNow);
        const auto rows = store.takeDirtyRollups();
        QCOMPARE(rows.size(), std::size_t(2)); // the key and its group
        for (const RollupRow &row : rows) {
            QVERIFY(row.additive);
            QCOMPARE(row.startMs, kNow - 120 * kMinute);
            QCOMPARE(row.stats.sum, 42.0);
        }
    }

    void replayedBacklogReachesPersistence()
    {
        // A service replays 150 minutes of backlog, oldest first, in one go: minutes older than
        // the minute ring go out as additive rows, newer ones as the ring's own rows; none is lost.
        MetricStore store;
        std::vector<IngestEvent> batch;
        for (int m = 150; m >= 1; --m)
            batch.push_back(api("GET:/replay", m, 200, kNow - m * kMinute + kSecond));
        store.insert(batch, kNow);
        QCOMPARE(store.counters().droppedLate, quint64(0));
        const auto rows = store.takeDirtyRollups();
        quint64 keyEvents = 0;
        int additive = 0;
        for (const RollupRow &row : rows) {
            if (row.scope != RollupRow::Scope::Key)
                continue;
            keyEvents += row.stats.count;
            QCOMPARE(row.stats.count, quint64(1));
            QCOMPARE(row.stats.sum, double((kNow - row.startMs) / kMinute)); // the value names its minute
            additive += row.additive ? 1 : 0;
            QCOMPARE(row.additive, row.startMs < kNow - (StoreTiers::kMinuteSlots - 1) * kMinute);
        }
        QCOMPARE(keyEvents, quint64(150));
        QCOMPARE(additive, 150 - (StoreTiers::kMinuteSlots - 1));
        // What memory keeps is the last 80 minutes, not the oldest ones the replay started with.
        QCOMPARE(store.keyWindow(0, kNow - 79 * kMinute, kNow + 1).stats.count, quint64(StoreTiers::kMinuteSlots - 1));
    }

    void keyCapFoldsIntoTheOverflowKey()
    {
        StoreConfig config;
        config.maxKeys = 3; // caps: no reserve per kind, 3 shared, 1 per service and kind
        MetricStore store(config);
        QCOMPARE(store.caps().reservedPerKind, 0);
        QCOMPARE(store.caps().shared, 3);
        QCOMPARE(store.caps().perService, 1);
        std::vector<std::string> routes;
        for (int i = 0; i < 3; ++i)
            routes.push_back("GET:/r" + std::to_string(i));
        std::vector<IngestEvent> batch;
        for (const auto &r : routes)
            batch.push_back(api(r, 10));
        batch.push_back(api(routes[2], 10)); // twice beyond the cap
        store.insert(batch, kNow);
        const auto keys = store.keys();
        QCOMPARE(keys.size(), std::size_t(2));
        QCOMPARE(keys[0].name, QStringLiteral("GET:/r0"));
        QVERIFY(keys.back().isOverflow());
        QCOMPARE(keys.back().name, QString());
        QCOMPARE(store.counters().overflowEvents, quint64(3));
        QCOMPARE(store.keyWindow(keys.back().id, kNow - kMinute, kNow + 1).stats.count, quint64(3));
        // Known keys keep working after the cap is reached.
        store.insert(std::vector { api(routes[0], 10) }, kNow);
        QCOMPARE(store.keyWindow(0, kNow - kMinute, kNow + 1).stats.count, quint64(2));
        QCOMPARE(store.counters().overflowEvents, quint64(3));
    }

    void capsPerKindAndService()
    {
        // 10 keys: each kind can always reach 1, 5 are shared, a service holds at most 3 of a kind.
        StoreConfig config;
        config.maxKeys = 10;
        MetricStore store(config);
        QCOMPARE(store.caps().reservedPerKind, 1);
        QCOMPARE(store.caps().shared, 5);
        QCOMPARE(store.caps().perService, 3);
        std::vector<std::string> names;
        for (int i = 0; i < 40; ++i)
            names.push_back("GET:/orders/" + std::to_string(1000 + i));
        std::vector<IngestEvent> burst;
        for (int i = 0; i < 20; ++i)
            burst.push_back(api(names[std::size_t(i)], 5, 200, 0, "shop"));
        store.insert(burst, kNow);
        // One service takes its share of the api keys, no more.
        const auto countOf = [&](MetricKind kind, const QString &service) {
            int n = 0;
            for (const KeyMeta &k : store.keys())
                n += k.kind == kind && k.service == service && !k.isOverflow() ? 1 : 0;
            return n;
        };
        QCOMPARE(countOf(MetricKind::Api, u"shop"_s), 3);
        QCOMPARE(store.counters().overflowEvents, quint64(17));
        // Another service still gets api keys until the kind's reserve and the shared pool are gone.
        std::vector<IngestEvent> second;
        for (int i = 20; i < 40; ++i)
            second.push_back(api(names[std::size_t(i)], 5, 200, 0, "search"));
        store.insert(second, kNow);
        QCOMPARE(countOf(MetricKind::Api, u"search"_s), 3);
        // The api burst used the shared pool (5) and the api reserve (1): a third service's api
        // names overflow, but a database operation of the flooding service still gets its key.
        store.insert(std::vector { api("GET:/cart", 5, 200, 0, "cart") }, kNow);
        QCOMPARE(countOf(MetricKind::Api, u"cart"_s), 0);
        IngestEvent slowQuery = db("find:orders", 900);
        slowQuery.service = "shop";
        store.insert(std::vector { slowQuery }, kNow);
        const std::vector<KeyAggregate> window = store.window(kNow - kMinute, kNow + 1);
        const KeyAggregate *orders = find(window, u"find:orders"_s);
        QVERIFY(orders);
        QCOMPARE(orders->agg.stats.count, quint64(1));
        QCOMPARE(orders->meta.kind, MetricKind::Db);
        // Overflow keys: one per service and kind, not counted by the caps.
        int overflowKeys = 0;
        for (const KeyMeta &k : store.keys())
            overflowKeys += k.isOverflow() ? 1 : 0;
        QCOMPARE(overflowKeys, 3);
        QCOMPARE(store.keyCount(), std::size_t(3 + 3 + 1 + overflowKeys));
    }

    void aRealKeyNamedOtherIsNotTheOverflowKey()
    {
        StoreConfig config;
        config.maxKeys = 3;
        MetricStore store(config);
        IngestEvent gauge;
        gauge.kind = MetricKind::Gauge;
        gauge.name = "other";
        gauge.value = 7;
        IngestEvent flood = gauge;
        flood.name = "queue.depth.worker9";
        flood.value = 9999;
        store.insert(std::vector { gauge, flood, flood }, kNow);
        const std::vector<KeyAggregate> window = store.window(kNow - kMinute, kNow + 1);
        QCOMPARE(window.size(), std::size_t(2));
        const KeyAggregate *real = find(window, u"other"_s);
        QVERIFY(real);
        QVERIFY(!real->meta.isOverflow());
        QCOMPARE(real->agg.stats.count, quint64(1));
        QCOMPARE(real->agg.stats.last, 7.0);
        const KeyAggregate *overflow = find(window, QString());
        QVERIFY(overflow);
        QVERIFY(overflow->meta.isOverflow());
        QCOMPARE(overflow->agg.stats.count, quint64(2));
    }

    void idleKeysAreRemovedAndTheCapsRecover()
    {
        StoreConfig config;
        config.maxKeys = 10;
        MetricStore store(config);
        std::vector<IngestEvent> burst;
        std::vector<std::string> names;
        for (int i = 0; i < 8; ++i)
            names.push_back("GET:/u/" + std::to_string(i));
        for (const auto &n : names)
            burst.push_back(api(n, 5, 200, kNow));
        store.insert(burst, kNow);
        QCOMPARE(store.keyCount(), std::size_t(4)); // 3 + the overflow key
        const KeyId firstOverflow = store.keys().back().id;

        // One key stays busy; the others get nothing more.
        const qint64 kept = kNow + StoreTiers::kMinuteSlots * kMinute + 30 * kSecond;
        for (qint64 t = kNow + kMinute; t <= kept; t += 10 * kMinute)
            store.insert(std::vector { api(names[0], 5, 200, t) }, t);
        store.cleanup(kNow + (StoreTiers::kMinuteSlots - 1) * kMinute);
        QCOMPARE(store.keyCount(), std::size_t(4)); // the minute tier still holds their minute
        store.cleanup(kept);
        const std::vector<KeyMeta> left = store.keys();
        QCOMPARE(left.size(), std::size_t(1));
        QCOMPARE(left[0].name, u"GET:/u/0"_s);
        QCOMPARE(store.counters().retiredKeys, quint64(3));
        QVERIFY(store.isLive(left[0].id));
        QVERIFY(!store.isLive(firstOverflow));
        QVERIFY(store.rawSamples(firstOverflow, 10).empty());

        // The caps recovered: new names get keys again, under new ids.
        std::vector<IngestEvent> fresh;
        for (int i = 4; i < 8; ++i)
            fresh.push_back(api(names[std::size_t(i)], 5, 200, kept));
        store.insert(fresh, kept);
        QCOMPARE(store.keyCount(), std::size_t(4)); // 1 + 2 new (3 per service) + the overflow key
        for (const KeyMeta &k : store.keys(1))
            QVERIFY(k.id > firstOverflow);
        // The busy key kept its data (one event every 10 minutes).
        QCOMPARE(store.keyWindow(left[0].id, kept - StoreTiers::kMinuteSlots * kMinute, kept + 1).stats.count,
            quint64(8));
        // A name that came back is a new key with only its new data.
        store.insert(std::vector { api(names[1], 5, 200, kept) }, kept);
        std::vector<KeyAggregate> window = store.window(kept - StoreTiers::kMinuteSlots * kMinute, kept + 1);
        const KeyAggregate *back = find(window, u"GET:/u/1"_s);
        QVERIFY(!back); // the service's share is full again: it overflows
        QCOMPARE(find(window, QString())->agg.stats.count, quint64(3));
    }

    void restoredOverflowRowsStayOverflow()
    {
        StoreConfig config;
        config.maxKeys = 3;
        MetricStore first(config);
        first.insert(std::vector { api("GET:/a", 5), api("GET:/b", 7), api("GET:/c", 9) }, kNow);
        const std::vector<RollupRow> rows = first.takeDirtyRollups();
        MetricStore second(config);
        second.restore(rows, kNow);
        const std::vector<KeyAggregate> window = second.window(kNow - kMinute, kNow + 1);
        QCOMPARE(window.size(), std::size_t(2));
        QCOMPARE(find(window, u"GET:/a"_s)->agg.stats.count, quint64(1));
        QVERIFY(find(window, QString())->meta.isOverflow());
        QCOMPARE(find(window, QString())->agg.stats.count, quint64(2));
    }

    void sameNameStringAcrossKindsAndServices()
    {
        // Events of one batch share name strings (decoders do that); kind and service still
        // tell keys apart, and an equal name at another address is the same key.
        MetricStore store;
        const std::string name = "find:trips";
        const std::string copy = name;
        std::vector<IngestEvent> batch;
        for (int i = 0; i < 6; ++i) {
            IngestEvent e = i % 2 ? db(name, 1) : api(name, 1);
            e.service = i % 3 == 0 ? std::string_view("alpha") : std::string_view("beta");
            batch.push_back(e);
        }
        batch.push_back(db(copy, 1)); // default service
        IngestEvent alphaCopy = api(copy, 1);
        alphaCopy.service = "alpha";
        batch.push_back(alphaCopy);
        store.insert(batch, kNow);

        QCOMPARE(store.keyCount(), std::size_t(5));
        std::map<std::tuple<int, QString>, quint64> counts;
        for (const KeyMeta &k : store.keys())
            counts[{ int(k.kind), k.service }] = store.keyWindow(k.id, kNow - kMinute, kNow + 1).stats.count;
        QCOMPARE(counts[std::make_tuple(int(MetricKind::Api), QStringLiteral("alpha"))], quint64(2));
        QCOMPARE(counts[std::make_tuple(int(MetricKind::Api), QStringLiteral("beta"))], quint64(2));
        QCOMPARE(counts[std::make_tuple(int(MetricKind::Db), QStringLiteral("alpha"))], quint64(1));
        QCOMPARE(counts[std::make_tuple(int(MetricKind::Db), QStringLiteral("beta"))], quint64(2));
        QCOMPARE(counts[std::make_tuple(int(MetricKind::Db), QStringLiteral("default"))], quint64(1));
    }

    void servicesCapped()
    {
        StoreConfig config;
        config.maxServices = 2;
        MetricStore store(config);
        store.insert(std::vector { api("GET:/a", 1, 200, 0, "alpha"), api("GET:/a", 1, 200, 0, "beta"),
                         api("GET:/a", 1, 200, 0, "gamma"), api("GET:/a", 1, 200, 0, "delta") },
            kNow);
        QCOMPARE(store.services(),
            QStringList({ QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("other") }));
        const auto onlyAlpha
            = store.kindSeries(MetricKind::Api, { QStringLiteral("alpha") }, kNow - kMinute, kNow + 1, kMinute);
        QCOMPARE(onlyAlpha.size(), std::size_t(1));
        QCOMPARE(onlyAlpha[0].agg.stats.count, quint64(1));
        const auto all = store.kindSeries(MetricKind::Api, {}, kNow - kMinute, kNow + 1, kMinute);
        QCOMPARE(all[0].agg.stats.count, quint64(4));
    }

    void rawSamplesRing()
    {
        StoreConfig config;
        config.rawHistory = 5;
        MetricStore store(config);
        for (int i = 0; i < 8; ++i)
            store.insert(std::vector { api("GET:/a", i, i == 7 ? 500 : 200, kNow - 8 * kSecond + i * kSecond) }, kNow);
        const auto samples = store.rawSamples(0, 100);
        QCOMPARE(samples.size(), std::size_t(5));
        for (int i = 0; i < 5; ++i)
            QCOMPARE(samples[std::size_t(i)].value, double(i + 3));
        QCOMPARE(samples.back().status, quint16(500));
        QVERIFY(samples.back().error);
        QCOMPARE(store.rawSamples(0, 2).front().value, 6.0);
    }

    void fieldSetsCounted()
    {
        MetricStore store;
        store.insert(std::vector { db("find:trips", 5, {}, "start_time,user_id"), db("find:trips", 5, {}, "user_id"),
                         db("find:trips", 5, {}, "start_time,user_id") },
            kNow);
        const auto sets = store.fieldSets(0);
        QCOMPARE(sets.size(), std::size_t(2));
        QCOMPARE(sets[0].fields, QStringLiteral("start_time,user_id"));
        QCOMPARE(sets[0].count, quint64(2));
        QCOMPARE(sets[1].count, quint64(1));
    }

    void correlatesRequests()
    {
        MetricStore store;
        std::vector<IngestEvent> batch;
        for (int i = 0; i < 6; ++i)
            batch.push_back(db("find:points", 20, "req-1"));
        batch.push_back(db("aggregate:coverage", 100, "req-1"));
        IngestEvent request = api("GET:/api/trips/{id}", 300);
        request.requestId = "req-1";
        batch.push_back(request);
        batch.push_back(db("find:points", 3, "req-2")); // no endpoint yet, still within the grace period
        store.insert(batch, kNow);

        auto traces = store.traces(kNow - kMinute, kNow);
        QCOMPARE(traces.size(), std::size_t(1));
        const RequestTrace &t = traces[0];
        QVERIFY(t.hasApi);
        QCOMPARE(t.apiMs, 300.0);
        QCOMPARE(t.dbMs, 220.0);
        QCOMPARE(t.db.size(), std::size_t(2));
        QCOMPARE(t.db[0].count, quint32(6)); // most time first: 6 x 20 ms
        QCOMPARE(t.db[0].totalMs, 120.0);
        QCOMPARE(store.keys()[std::size_t(t.db[0].key)].name, QStringLiteral("find:points"));

        // After the grace period the orphan db event is finished too.
        store.cleanup(kNow + 20 * kSecond);
        traces = store.traces(kNow - kMinute, kNow + 20 * kSecond);
        QCOMPARE(traces.size(), std::size_t(2));
        QVERIFY(!traces[1].hasApi || !traces[0].hasApi);
    }

    void dirtyRollupsAreCumulative()
    {
        MetricStore store;
        store.insert(std::vector { api("GET:/a", 10), api("GET:/a", 30) }, kNow);
        auto rows = store.takeDirtyRollups();
        QCOMPARE(rows.size(), std::size_t(2)); // key + group
        const auto keyRow = std::find_if(
            rows.begin(), rows.end(), [](const RollupRow &r) { return r.scope == RollupRow::Scope::Key; });
        QVERIFY(keyRow != rows.end());
        QCOMPARE(keyRow->meta.name, QStringLiteral("GET:/a"));
        QCOMPARE(keyRow->startMs, kNow);
        QCOMPARE(keyRow->stats.count, quint64(2));
        QVERIFY(!keyRow->additive);
        QVERIFY(LatencySketch::decode(keyRow->sketch).has_value());
        QVERIFY(store.takeDirtyRollups().empty());

        store.insert(std::vector { api("GET:/a", 50) }, kNow + kSecond);
        rows = store.takeDirtyRollups();
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].stats.count, quint64(3)); // the whole minute, not the delta
        QCOMPARE(rows[0].stats.sum, 90.0);
    }

    void lateEventAfterItsFineBucketWasMerged()
    {
        MetricStore store;
        // The 10 s bucket at kNow is merged into its minute once an event opens the next one.
        store.insert(std::vector { api("GET:/a", 10, 200, kNow) }, kNow);
        store.insert(std::vector { api("GET:/a", 30, 200, kNow + 15 * kSecond) }, kNow + 15 * kSecond);
        store.takeDirtyRollups();
        // Late, into the merged bucket: it must reach the minute tier exactly once, and the
        // newest value stays the one with the latest timestamp.
        store.insert(std::vector { api("GET:/a", 20, 503, kNow + 2 * kSecond) }, kNow + 16 * kSecond);

        const Aggregate hour = store.keyWindow(0, kNow - 45 * kMinute, kNow + 15 * kMinute); // minute tier
        QCOMPARE(hour.stats.count, quint64(3));
        QCOMPARE(hour.stats.errors, quint64(1));
        QCOMPARE(hour.stats.sum, 60.0);
        QCOMPARE(hour.stats.min, 10.0);
        QCOMPARE(hour.stats.max, 30.0);
        QCOMPARE(hour.stats.last, 30.0);
        QCOMPARE(hour.stats.lastMs, kNow + 15 * kSecond);
        QCOMPARE(hour.sketch.count(), quint64(3));
        const Aggregate fine = store.keyWindow(0, kNow, kNow + kMinute); // 10 s tier
        QCOMPARE(fine.stats.count, quint64(3));
        QVERIFY(fine.sketch == hour.sketch);

        const auto tenSeconds = store.keySeries(0, kNow, kNow + kMinute, 10 * kSecond);
        QCOMPARE(tenSeconds.size(), std::size_t(2));
        QCOMPARE(tenSeconds[0].agg.stats.count, quint64(2));
        QCOMPARE(tenSeconds[1].agg.stats.count, quint64(1));
        const auto minutes = store.keySeries(0, kNow - 10 * kMinute, kNow + kMinute, kMinute);
        QCOMPARE(minutes.size(), std::size_t(1));
        QCOMPARE(minutes[0].agg.stats.count, quint64(3));
        const auto kind = store.kindSeries(MetricKind::Api, {}, kNow - 10 * kMinute, kNow + kMinute, kMinute);
        QCOMPARE(kind.size(), std::size_t(1));
        QCOMPARE(kind[0].agg.stats.count, quint64(3));
        QCOMPARE(kind[0].agg.stats.sum, 60.0);

        // Persistence gets the whole minute again, for the key and for its group.
        const auto rows = store.takeDirtyRollups();
        QCOMPARE(rows.size(), std::size_t(2));
        for (const RollupRow &row : rows) {
            QCOMPARE(row.startMs, kNow);
            QCOMPARE(row.stats.count, quint64(3));
            QCOMPARE(row.stats.sum, 60.0);
            QVERIFY(!row.additive);
            QCOMPARE(LatencySketch::decode(row.sketch)->count(), quint64(3));
        }
    }

    void idleKeyIsMergedByCleanup()
    {
        MetricStore store;
        store.insert(std::vector { api("GET:/idle", 10, 200, kNow), api("GET:/idle", 20, 200, kNow + kSecond) }, kNow);
        const auto rows = store.takeDirtyRollups();
        QCOMPARE(rows.size(), std::size_t(2));
        const Aggregate before = store.keyWindow(0, kNow - 30 * kMinute, kNow + 30 * kMinute);
        QCOMPARE(before.stats.count, quint64(2));

        // No event opens a newer bucket; cleanup merges the last one. Reads do not change, and the
        // minute, already reported with the open bucket in it, is not reported again.
        store.cleanup(kNow + 5 * kMinute);
        const Aggregate after = store.keyWindow(0, kNow - 30 * kMinute, kNow + 30 * kMinute);
        QCOMPARE(after.stats.count, before.stats.count);
        QCOMPARE(after.stats.sum, before.stats.sum);
        QCOMPARE(after.stats.last, 20.0);
        QVERIFY(after.sketch == before.sketch);
        const auto series = store.kindSeries(MetricKind::Api, {}, kNow - 10 * kMinute, kNow + 10 * kMinute, kMinute);
        QCOMPARE(series.size(), std::size_t(1));
        QCOMPARE(series[0].agg.stats.count, quint64(2));
        QVERIFY(store.takeDirtyRollups().empty());

        // A late event into the merged minute is reported with the rest of it.
        store.insert(std::vector { api("GET:/idle", 30, 200, kNow + 2 * kSecond) }, kNow + 5 * kMinute);
        const auto late = store.takeDirtyRollups();
        QCOMPARE(late.size(), std::size_t(2));
        QCOMPARE(late[0].stats.count, quint64(3));
        QCOMPARE(late[1].stats.count, quint64(3));

        // Once the minute ring moved past it, cleanup drops it like any expired minute.
        store.cleanup(kNow + 81 * kMinute);
        QCOMPARE(store.keyWindow(0, 0, kNow + 1000 * kMinute).stats.count, quint64(0));
        QVERIFY(store.takeDirtyRollups().empty());
    }

    void dirtyRollupsIncludeTheOpenBucket()
    {
        MetricStore store;
        // A merged 10 s bucket and an open one in the same minute.
        store.insert(std::vector { api("GET:/a", 10, 200, kNow) }, kNow);
        store.insert(std::vector { api("GET:/a", 30, 200, kNow + 15 * kSecond) }, kNow + 15 * kSecond);
        auto keyRows = [&store] {
            std::vector<RollupRow> keys;
            for (RollupRow &row : store.takeDirtyRollups()) {
                if (row.scope == RollupRow::Scope::Key)
                    keys.push_back(std::move(row));
            }
            return keys;
        };
        auto rows = keyRows();
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].startMs, kNow);
        QCOMPARE(rows[0].stats.count, quint64(2));
        QCOMPARE(rows[0].stats.sum, 40.0);
        QCOMPARE(rows[0].stats.max, 30.0);

        // More in the open bucket: the whole minute again.
        store.insert(std::vector { api("GET:/a", 50, 200, kNow + 16 * kSecond) }, kNow + 16 * kSecond);
        rows = keyRows();
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].stats.count, quint64(3));
        QCOMPARE(rows[0].stats.sum, 90.0);
        QCOMPARE(LatencySketch::decode(rows[0].sketch)->count(), quint64(3));

        // The next minute merges the open bucket, unchanged since it was reported: only the new
        // minute is written.
        store.insert(std::vector { api("GET:/a", 70, 200, kNow + 61 * kSecond) }, kNow + 61 * kSecond);
        rows = keyRows();
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].startMs, kNow + kMinute);
        QCOMPARE(rows[0].stats.count, quint64(1));
        QCOMPARE(store.keyWindow(0, kNow - 30 * kMinute, kNow + 30 * kMinute).stats.count, quint64(4));
    }

    void restoreFromRollups()
    {
        MetricStore original;
        std::vector<IngestEvent> batch;
        for (int i = 0; i < 100; ++i)
            batch.push_back(api("GET:/a", 1 + i, 200, kNow - 20 * kMinute + i * kSecond));
        original.insert(batch, kNow);
        const auto rows = original.takeDirtyRollups();

        MetricStore restored;
        restored.restore(rows, kNow);
        const Aggregate before = original.keyWindow(0, kNow - 30 * kMinute, kNow + 1);
        const Aggregate after = restored.keyWindow(0, kNow - 30 * kMinute, kNow + 1);
        QCOMPARE(after.stats.count, before.stats.count);
        QCOMPARE(after.stats.sum, before.stats.sum);
        QVERIFY(after.sketch == before.sketch);
        const auto series = restored.kindSeries(MetricKind::Api, {}, kNow - 30 * kMinute, kNow + 1, kMinute);
        QCOMPARE(series.size(), std::size_t(2));
        QVERIFY(restored.takeDirtyRollups().empty()); // restored rows are already on disk

        // Rows older than the minute ring stay on disk only.
        MetricStore later;
        later.restore(rows, kNow + 3 * 60 * kMinute);
        QCOMPARE(later.keyCount(), std::size_t(0));
    }

    void memoryGrowsWithKeysNotEvents()
    {
        MetricStore store;
        std::vector<std::string> names;
        for (int i = 0; i < 100; ++i)
            names.push_back("GET:/api/k" + std::to_string(i));
        auto feed = [&](int events, qint64 now) {
            std::vector<IngestEvent> batch;
            for (int i = 0; i < events; ++i)
                batch.push_back(api(names[std::size_t(i) % names.size()], 20 + (i * 7919) % 400, 200, now));
            store.insert(batch, now);
        };
        // Fill every bucket of the rings once, then keep going: memory must level off.
        for (int second = 0; second < 80 * 60; second += 10)
            feed(1000, kNow + second * kSecond);
        const std::size_t after480k = store.memoryUsage();
        for (int second = 80 * 60; second < 160 * 60; second += 10)
            feed(1000, kNow + second * kSecond);
        const std::size_t after960k = store.memoryUsage();
        QCOMPARE(store.counters().events, quint64(960'000));
        QVERIFY2(double(after960k) < 1.1 * double(after480k),
            qPrintable(QStringLiteral("%1 -> %2 bytes").arg(after480k).arg(after960k)));
        QVERIFY2(after960k / names.size() < 200 * 1024, qPrintable(QString::number(after960k / names.size())));
    }

    void windowCacheMatchesAFullMerge_data()
    {
        QTest::addColumn<int>("windows");
        QTest::newRow("dashboard and analyzer") << 0;
        QTest::newRow("fixed start") << 1;
        QTest::newRow("more than the cache keeps") << 2;
    }

    void windowCacheMatchesAFullMerge()
    {
        // window() keeps folds and idle keys' answers between reads; keyWindow() merges every bucket.
        // Through time moving on, late events into folded buckets, idle spells, cleanup and restore,
        // both must agree to the last bit (sums with fractions round differently in another order).
        QFETCH(int, windows);
        MetricStore store;
        const std::vector<std::string> names { "GET:/a", "GET:/b", "GET:/c", "GET:/d", "GET:/e", "GET:/f" };
        std::mt19937_64 random(7);
        auto uniform = [&random](qint64 below) { return qint64(random() % quint64(below)); };
        qint64 now = kNow;
        int compared = 0;
        auto windowsAt = [windows](qint64 at) -> std::vector<std::pair<qint64, qint64>> {
            const qint64 fixed = kNow + 10 * kMinute;
            switch (windows) {
            case 0:
                return {
                    { at - 15 * kMinute, at + 1 }, // the dashboard's 15 min
                    { at - 15 * kMinute, at }, // the analyzer's window ...
                    { at - 75 * kMinute, at - 15 * kMinute }, // ... and the hour before
                    { at - 5 * kMinute, at + 1 }, // fine buckets
                };
            case 1:
                // A start that stays while the rings move past it, and ends moving both ways.
                return {
                    { fixed, at + 1 },
                    { fixed, std::max(fixed + kMinute, at - (at / kMinute % 5) * kMinute) },
                    { at - 2 * kMinute - 30 * kSecond, at + 1 },
                };
            default:
                return {
                    { at - 15 * kMinute, at + 1 },
                    { at - 75 * kMinute, at - 15 * kMinute },
                    { at - 5 * kMinute, at + 1 },
                    { (at - 60 * kMinute) / kMinute * kMinute, at + 1 },
                    { at - 3 * kMinute, at - kMinute },
                    { at - 4 * kMinute, at },
                };
            }
        };
        auto compareAll = [&](qint64 at) {
            for (const auto &[from, to] : windowsAt(at)) {
                const std::vector<KeyAggregate> cached = store.window(from, to);
                std::size_t withData = 0;
                for (KeyId id = 0; id < store.keyCount(); ++id) {
                    const Aggregate full = store.keyWindow(id, from, to);
                    const auto it = std::find_if(
                        cached.begin(), cached.end(), [id](const KeyAggregate &k) { return k.meta.id == id; });
                    if (full.stats.count == 0) {
                        QVERIFY(it == cached.end());
                        continue;
                    }
                    ++withData;
                    QVERIFY(it != cached.end());
                    const MetricStats &a = it->agg.stats;
                    const MetricStats &b = full.stats;
                    QCOMPARE(a.count, b.count);
                    QCOMPARE(a.errors, b.errors);
                    QVERIFY2(std::memcmp(&a.sum, &b.sum, sizeof(double)) == 0,
                        qPrintable(QStringLiteral("%1 != %2").arg(a.sum, 0, 'g', 17).arg(b.sum, 0, 'g', 17)));
                    QCOMPARE(a.min, b.min);
                    QCOMPARE(a.max, b.max);
                    QCOMPARE(a.last, b.last);
                    QCOMPARE(a.lastMs, b.lastMs);
                    QVERIFY(it->agg.sketch == full.sketch);
                    QCOMPARE(it->agg.quantile(0.95), full.quantile(0.95));
                    ++compared;
                }
                QCOMPARE(cached.size(), withData);
            }
        };
        for (int step = 0; step < 700; ++step) {
            now += 1 + uniform(step % 50 < 40 ? 3 * kSecond : 150 * kSecond); // busy spells, then idle ones
            std::vector<IngestEvent> batch;
            const int events = step % 7 == 3 ? 0 : int(uniform(6));
            for (int i = 0; i < events; ++i) {
                // Keys d, e, f are often idle; some events are late: into a sealed fine bucket, a
                // folded minute, or further back.
                const std::size_t key = uniform(10) < 7 ? std::size_t(uniform(3)) : std::size_t(3 + uniform(3));
                const qint64 late = uniform(10) < 8 ? 0
                    : uniform(10) < 6               ? uniform(90 * kSecond)
                                                    : uniform(70 * kMinute);
                batch.push_back(api(names[key], 1.0 + double(uniform(1'000'000)) / 997.0, uniform(20) ? 200 : 503,
                    std::max<qint64>(now - late, 1)));
            }
            if (!batch.empty())
                store.insert(batch, now);
            if (step % 37 == 36)
                store.cleanup(now);
            if (step % 91 == 90) {
                // Restoring rewrites whole minute buckets: here one minute gets another's figures.
                std::vector<RollupRow> rows;
                const qint64 minute = (now - 4 * kMinute) / kMinute * kMinute;
                for (const KeyAggregate &k : store.window(now - 70 * kMinute, now + 1)) {
                    const Aggregate other = store.keyWindow(k.meta.id, minute - 6 * kMinute, minute - 5 * kMinute);
                    RollupRow row;
                    row.meta = k.meta;
                    row.startMs = minute;
                    row.stats = other.stats;
                    row.sketch = other.sketch.encode();
                    if (row.stats.count > 0)
                        rows.push_back(row);
                }
                store.restore(rows, now);
            }
            compareAll(now);
            if (QTest::currentTestFailed())
                return;
        }
        QVERIFY(compared > 5000);
    }

    void windowCacheIsBounded()
    {
        MetricStore store;
        std::vector<std::string> names;
        for (int i = 0; i < 50; ++i)
            names.push_back("GET:/k" + std::to_string(i));
        for (qint64 second = 0; second < 20 * 60; second += 5) {
            std::vector<IngestEvent> batch;
            for (const std::string &name : names)
                batch.push_back(api(name, 20 + double((second * 7 + qint64(name.size())) % 300)));
            store.insert(batch, kNow + second * kSecond);
        }
        const qint64 now = kNow + 20 * kMinute;
        const std::size_t before = store.memoryUsage();
        // Many different windows: each key keeps at most a few of them.
        for (int minutes = 2; minutes < 60; ++minutes)
            store.window(now - minutes * kMinute, now + 1);
        const std::size_t after = store.memoryUsage();
        QVERIFY2(
            after - before < names.size() * 8 * 1024, qPrintable(QString::number((after - before) / names.size())));
        // Windows no read asked for in a while are dropped by cleanup().
        store.cleanup(now + 10 * kMinute);
        QVERIFY2(
            store.memoryUsage() <= before, qPrintable(QStringLiteral("%1 > %2").arg(store.memoryUsage()).arg(before)));
    }

    void tracesInTimestampOrder()
    {
        MetricStore store;
        // Request a goes quiet first but started later than b, whose event arrives a second later
        // with an older timestamp: they finish in one order and must be listed in the other.
        IngestEvent a = api("GET:/a", 10, 200, kNow);
        a.requestId = "a";
        store.insert(std::vector { a }, kNow);
        IngestEvent b = api("GET:/b", 10, 200, kNow - 5 * kSecond);
        b.requestId = "b";
        store.insert(std::vector { b }, kNow + kSecond);
        store.cleanup(kNow + 10 * kSecond); // finishes a
        store.cleanup(kNow + 11 * kSecond); // finishes b
        const auto all = store.traces(0, kNow + 11 * kSecond);
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].timestampMs, kNow - 5 * kSecond);
        QCOMPARE(all[1].timestampMs, kNow);
        const auto recent = store.traces(kNow - kSecond, kNow + 11 * kSecond);
        QCOMPARE(recent.size(), std::size_t(1));
        QCOMPARE(recent[0].timestampMs, kNow);
    }

    void concurrentWritersAndReaders()
    {
        MetricStore store;
        constexpr int kBatches = 200;
        auto writer = [&](std::string_view route) {
            std::vector<IngestEvent> batch(500, api(route, 5));
            for (int i = 0; i < kBatches; ++i)
                store.insert(batch, kNow);
        };
        std::atomic<bool> done = false;
        std::thread reader([&] {
            while (!done) {
                for (const auto &k : store.window(kNow - 15 * kMinute, kNow + 1))
                    QVERIFY(k.agg.stats.count <= quint64(kBatches * 500));
            }
        });
        std::thread a(writer, "GET:/a");
        std::thread b(writer, "GET:/b");
        a.join();
        b.join();
        done = true;
        reader.join();
        for (const auto &k : store.window(kNow - 15 * kMinute, kNow + 1))
            QCOMPARE(k.agg.stats.count, quint64(kBatches * 500));
        QCOMPARE(store.counters().events, quint64(2 * kBatches * 500));
    }

    void ringCapacityStopsAtItsSlots()
    {
        // A full minute ring (80 slots) holds 80 buckets' worth of memory, not the 128 that
        // power-of-two growth would give it: 8 KB per key and tier less.
        BucketRing ring(kMinute, 80);
        for (qint64 m = 0; m < 200; ++m) {
            BucketRing::Bucket *b = ring.bucketFor(m);
            QVERIFY(b);
            QCOMPARE(b->index, m);
        }
        QCOMPARE(ring.buckets().size(), std::size_t(80));
        QCOMPARE(ring.buckets().front().index, qint64(120));
        QCOMPARE(ring.memoryUsage(), 80 * sizeof(BucketRing::Bucket));
        // Late data inside the ring fills a gap without growing past the slots either.
        BucketRing gaps(kMinute, 80);
        for (qint64 m = 0; m < 80; m += 2)
            gaps.bucketFor(m);
        for (qint64 m = 1; m < 80; m += 2)
            QCOMPARE(gaps.bucketFor(m)->index, m);
        QCOMPARE(gaps.buckets().size(), std::size_t(80));
        QVERIFY(std::is_sorted(gaps.buckets().begin(), gaps.buckets().end(),
            [](const BucketRing::Bucket &a, const BucketRing::Bucket &b) { return a.index < b.index; }));
        QCOMPARE(gaps.memoryUsage(), 80 * sizeof(BucketRing::Bucket));
    }
};

QTEST_GUILESS_MAIN(TestMetricStore)
#include "tst_metricstore.moc"
