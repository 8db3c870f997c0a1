// Micro-benchmarks of MetricStore: the ingest write path and the reads behind the score and charts.

#include "latencydata.h"
#include "metricstore.h"

#include <benchmark/benchmark.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace perfwatch;
using perfwatch::bench::latencySamples;

namespace {

constexpr qint64 kStartMs = 1'700'000'000'000; // a fixed wall-clock time, so runs are comparable
constexpr qint64 kWindowMs = 15 * 60 * 1000;
constexpr std::size_t kBatchSize = 1000;

/// Key names shaped like the load generator's: per ten keys six api, three db, one processing.
struct KeyNames
{
    explicit KeyNames(std::size_t count)
    {
        names.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t slot = i % 10;
            const std::string id = std::to_string(i);
            if (slot < 6)
                names.push_back((i % 7 == 3 ? "POST:/api/k" : "GET:/api/k") + id);
            else if (slot < 9)
                names.push_back("find:k" + id);
            else
                names.push_back("k" + id);
        }
    }
    static MetricKind kindOf(std::size_t key)
    {
        const std::size_t slot = key % 10;
        return slot < 6 ? MetricKind::Api : (slot < 9 ? MetricKind::Db : MetricKind::Processing);
    }
    std::vector<std::string> names; ///< owns the bytes the events' string_views point at
};

/// One event per key index in `keys`, with realistic durations and outcomes.
std::vector<IngestEvent> makeEvents(const KeyNames &names, const std::vector<std::size_t> &keys, std::uint64_t seed)
{
    const std::vector<double> durations = latencySamples(keys.size(), seed);
    std::vector<IngestEvent> events(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        IngestEvent &e = events[i];
        const std::size_t key = keys[i];
        e.kind = KeyNames::kindOf(key);
        e.service = "loadgen";
        e.name = names.names[key];
        e.value = durations[i];
        e.error = (i * 2654435761U) % 200 == 0; // 0.5%
        if (e.kind == MetricKind::Api) {
            e.status = e.error ? 500 : 200;
        } else if (e.kind == MetricKind::Db) {
            e.fields = key % 2 ? "start_time,user_id" : "user_id";
            e.items = i % 50;
        } else {
            e.items = 1 + i % 500;
        }
    }
    return events;
}

/// Arg(0): distinct keys the 1,000-event batches cycle through.
void BM_StoreInsert(benchmark::State &state)
{
    const auto keyCount = std::size_t(state.range(0));
    const KeyNames names(keyCount);
    // Sixteen different batches, rotated; event j of the run goes to key j % keyCount.
    std::vector<std::vector<IngestEvent>> batches;
    std::size_t next = 0;
    for (std::uint64_t b = 0; b < 16; ++b) {
        std::vector<std::size_t> keys(kBatchSize);
        for (std::size_t &k : keys)
            k = next++ % keyCount;
        batches.push_back(makeEvents(names, keys, b + 1));
    }

    MetricStore store;
    // Create every key first: the steady state is the interesting one, not key creation.
    qint64 nowMs = kStartMs;
    for (std::size_t k = 0; k < keyCount; k += kBatchSize)
        store.insert(batches[(k / kBatchSize) % batches.size()], nowMs);

    // Simulated time advances 1 ms per batch (1 M events/s), so buckets roll over as in a real run.
    std::size_t i = 0;
    for (auto _ : state) {
        store.insert(batches[i++ % batches.size()], ++nowMs);
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(kBatchSize));
    state.counters["keys"] = double(store.keyCount());
}
BENCHMARK(BM_StoreInsert)->Arg(10)->Arg(1000)->Arg(10'000);

/// A store with `keyCount` keys that each received one event per second for the last 16 minutes.
/// Built once per key count and shared by the read benchmarks (setup takes seconds at 10,000 keys).
const MetricStore &populatedStore(std::size_t keyCount)
{
    static std::map<std::size_t, std::unique_ptr<MetricStore>> stores;
    static std::map<std::size_t, std::unique_ptr<KeyNames>> names;
    auto &store = stores[keyCount];
    if (!store) {
        names[keyCount] = std::make_unique<KeyNames>(keyCount);
        store = std::make_unique<MetricStore>();
        std::vector<std::size_t> allKeys(keyCount);
        for (std::size_t k = 0; k < keyCount; ++k)
            allKeys[k] = k;
        std::vector<std::vector<IngestEvent>> perSecond;
        for (std::uint64_t s = 0; s < 8; ++s)
            perSecond.push_back(makeEvents(*names[keyCount], allKeys, 1000 + s));
        for (qint64 second = 0; second < 16 * 60; ++second)
            store->insert(perSecond[std::size_t(second) % perSecond.size()], kStartMs + second * 1000);
    }
    return *store;
}

constexpr qint64 kPopulatedNowMs = kStartMs + 16 * 60 * 1000;

/// Arg(0): keys. The 15-minute aggregate of every key: what the analyzer reads every tick.
void BM_StoreWindow(benchmark::State &state)
{
    const auto keyCount = std::size_t(state.range(0));
    const MetricStore &store = populatedStore(keyCount);
    for (auto _ : state) {
        const std::vector<KeyAggregate> window = store.window(kPopulatedNowMs - kWindowMs, kPopulatedNowMs);
        benchmark::DoNotOptimize(window.data());
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(keyCount)); // items = keys aggregated
    state.counters["store_MiB"] = double(store.memoryUsage()) / (1024.0 * 1024.0);
}
BENCHMARK(BM_StoreWindow)->Arg(1000)->Arg(10'000)->Unit(benchmark::kMillisecond);

/// Arg(0): step in seconds. One key's 15-minute series: what a chart reads every tick.
void BM_StoreKeySeries(benchmark::State &state)
{
    const MetricStore &store = populatedStore(1000);
    const qint64 stepMs = state.range(0) * 1000;
    KeyId key = 0;
    std::size_t points = 0;
    for (auto _ : state) {
        const std::vector<TimePoint> series
            = store.keySeries(key, kPopulatedNowMs - kWindowMs, kPopulatedNowMs, stepMs);
        points = series.size();
        benchmark::DoNotOptimize(series.data());
        key = (key + 1) % 1000;
    }
    state.counters["points"] = double(points);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreKeySeries)->Arg(10)->Arg(60)->ArgName("step_s");

} // namespace

BENCHMARK_MAIN();
