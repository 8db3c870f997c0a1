#include "demosimulator.h"

#include "metricstore.h"

#include <QDateTime>
#include <QTimer>
#include <cmath>
#include <deque>
#include <random>
#include <string>

namespace perfwatch {

namespace {

constexpr qint64 kTickMs = 200;
constexpr std::string_view kApiService = "trips-api";
constexpr std::string_view kWorkerService = "trips-worker";

/// Strings the events point into; kept alive until the batch is inserted.
struct Arena
{
    std::deque<std::string> strings;
    std::string_view keep(std::string s)
    {
        strings.push_back(std::move(s));
        return strings.back();
    }
};

} // namespace

struct DemoSimulator::Private
{
    explicit Private(MetricStore &s)
        : store(s)
    { }

    MetricStore &store;
    QTimer timer;
    std::mt19937_64 rng { 20240120 };
    qint64 generatedUntil = 0;
    quint64 requestCounter = 0;
    double rssBytes = 180.0 * 1024 * 1024;

    double lognormal(double median, double sigma)
    {
        std::lognormal_distribution<double> d(std::log(median), sigma);
        return d(rng);
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
    int poisson(double mean) { return std::poisson_distribution<int>(mean)(rng); }

    /// A slow spell for 90 s of every 5 minutes: everything on the database takes 2.5 times longer.
    static double slowFactor(qint64 ms) { return (ms / 1000) % 300 < 90 ? 2.5 : 1.0; }

    void tick(qint64 fromMs, qint64 toMs, std::vector<IngestEvent> &events, Arena &arena)
    {
        const double seconds = double(toMs - fromMs) / 1000.0;
        const qint64 mid = fromMs + (toMs - fromMs) / 2;
        const double slow = slowFactor(mid);
        std::uniform_int_distribution<qint64> when(fromMs, toMs - 1);

        auto api = [&](std::string_view name, double ms, quint16 status, std::string_view requestId, qint64 ts) {
            IngestEvent e;
            e.kind = MetricKind::Api;
            e.service = kApiService;
            e.name = name;
            e.value = ms;
            e.status = status;
            e.error = status >= 500;
            e.requestId = requestId;
            e.timestampMs = ts;
            events.push_back(e);
        };
        auto db = [&](std::string_view name, double ms, std::string_view fields, std::string_view requestId, qint64 ts,
                      quint64 documents) {
            IngestEvent e;
            e.kind = MetricKind::Db;
            e.service = kApiService;
            e.name = name;
            e.value = ms;
            e.fields = fields;
            e.requestId = requestId;
            e.timestampMs = ts;
            e.items = documents;
            events.push_back(e);
            return ms;
        };
        auto nextRequestId = [&] { return arena.keep("demo-" + std::to_string(++requestCounter)); };

        // GET /api/trips: list a user's trips, sorted by start time.
        for (int i = poisson(18 * seconds); i > 0; --i) {
            const qint64 ts = when(rng);
            const auto rid = nextRequestId();
            const double q = db("find:trips", lognormal(35, 0.5) * slow, "user_id,start_time", rid, ts, 50);
            api("GET:/api/trips", q + lognormal(25, 0.4), chance(0.002) ? 500 : 200, rid, ts);
        }
        // GET /api/trips/{id}: one trip plus its points, fetched one by one (an N+1 pattern).
        for (int i = poisson(12 * seconds); i > 0; --i) {
            const qint64 ts = when(rng);
            const auto rid = nextRequestId();
            double total = db("find:trips", lognormal(4, 0.3) * slow, "_id", rid, ts, 1);
            const int points = chance(0.3) ? 8 + poisson(4) : 1;
            for (int p = 0; p < points; ++p)
                total += db("find:trip_points", lognormal(3, 0.4) * slow, "trip_id", rid, ts, 1);
            api("GET:/api/trips/{id}", total + lognormal(8, 0.3), chance(0.25 / 100) ? 404 : 200, rid, ts);
        }
        // POST /api/trips/upload: insert a trip, then map-match and geocode it (slow; some failures).
        for (int i = poisson(3 * seconds); i > 0; --i) {
            const qint64 ts = when(rng);
            const auto rid = nextRequestId();
            const double insert = db("insert:trips", lognormal(45, 0.3) * slow, {}, rid, ts, 1);
            api("POST:/api/trips/upload", insert + lognormal(850, 0.35), chance(slow > 1 ? 0.06 : 0.01) ? 503 : 201,
                rid, ts);
        }
        // GET /api/coverage: an aggregation without a supporting index.
        for (int i = poisson(7 * seconds); i > 0; --i) {
            const qint64 ts = when(rng);
            const auto rid = nextRequestId();
            const double agg = db("aggregate:coverage", lognormal(560, 0.35) * slow, "city,street_id", rid, ts, 400);
            api("GET:/api/coverage", agg + lognormal(40, 0.3), 200, rid, ts);
        }

        // Processing on the worker service.
        auto step = [&](std::string_view name, double ms, quint64 items, qint64 ts) {
            IngestEvent e;
            e.kind = MetricKind::Processing;
            e.service = kWorkerService;
            e.name = name;
            e.value = ms;
            e.items = items;
            e.timestampMs = ts;
            events.push_back(e);
        };
        for (int i = poisson(1.2 * seconds); i > 0; --i) {
            const qint64 ts = when(rng);
            const quint64 points = 400 + quint64(poisson(900));
            step("map_matching", lognormal(1400, 0.3), points, ts);
            step("geocode", lognormal(160, 0.4), 1, ts);
            step("data_validation", lognormal(6, 0.3), points, ts);
        }

        // Gauges and the trip cache, once per tick.
        auto gauge = [&](std::string_view name, double value, std::string_view service) {
            IngestEvent e;
            e.kind = MetricKind::Gauge;
            e.service = service;
            e.name = name;
            e.value = value;
            e.timestampMs = mid;
            events.push_back(e);
        };
        const double inUse = std::min(10.0, 8.0 + double(poisson(1.2)) + (slow > 1 ? 2 : 0));
        gauge("db.pool.size", 10, kApiService);
        gauge("db.pool.in_use", inUse, kApiService);
        gauge("db.pool.waiting", slow > 1 ? double(poisson(3)) : 0.0, kApiService);
        rssBytes += 1.5 * 1024 * 1024 * seconds / 60.0 + std::normal_distribution<double>(0, 64 * 1024)(rng);
        gauge("process.memory.rss_bytes", rssBytes, kApiService);

        IngestEvent cache;
        cache.kind = MetricKind::Cache;
        cache.service = kApiService;
        cache.name = "trip_cache";
        cache.items = quint64(poisson(30 * seconds)); // hits
        cache.misses = quint64(poisson(14 * seconds));
        cache.timestampMs = mid;
        events.push_back(cache);
    }
};

DemoSimulator::DemoSimulator(MetricStore &store, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(store))
{
    connect(&d->timer, &QTimer::timeout, this, [this] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        generate(d->generatedUntil, now, now);
    });
}

DemoSimulator::~DemoSimulator() = default;

void DemoSimulator::start(int backfillMinutes)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    d->generatedUntil = now - qint64(backfillMinutes) * 60'000;
    generate(d->generatedUntil, now, now);
    d->timer.start(int(kTickMs));
}

void DemoSimulator::stop()
{
    d->timer.stop();
}

void DemoSimulator::generate(qint64 fromMs, qint64 toMs, qint64 nowMs)
{
    std::vector<IngestEvent> events;
    Arena arena;
    for (qint64 t = fromMs; t < toMs; t += kTickMs) {
        const qint64 end = std::min(toMs, t + kTickMs);
        d->tick(t, end, events, arena);
        if (events.size() >= 5000) {
            d->store.insert(events, nowMs);
            events.clear();
            arena.strings.clear();
        }
    }
    d->store.insert(events, nowMs);
    d->generatedUntil = std::max(d->generatedUntil, toMs);
}

} // namespace perfwatch
