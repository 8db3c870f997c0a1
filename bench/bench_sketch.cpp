// Micro-benchmarks of LatencySketch, the per-bucket quantile sketch on the ingest and query paths.

#include "latencydata.h"
#include "latencysketch.h"

#include <benchmark/benchmark.h>
#include <vector>

using perfwatch::LatencySketch;
using perfwatch::bench::latencySamples;

namespace {

constexpr std::size_t kSampleCount = 1 << 16; // a power of two: the loops index with a mask
constexpr std::size_t kSampleMask = kSampleCount - 1;

const std::vector<double> &samples()
{
    static const std::vector<double> values = latencySamples(kSampleCount);
    return values;
}

const std::vector<int> &sampleIndices()
{
    static const std::vector<int> indices = [] {
        std::vector<int> out;
        out.reserve(kSampleCount);
        for (const double v : samples())
            out.push_back(LatencySketch::indexFor(v));
        return out;
    }();
    return indices;
}

/// A sketch holding `count` samples, dense unless compacted.
LatencySketch filledSketch(std::size_t count, bool compact, std::uint64_t seed = 7)
{
    const std::vector<double> values = latencySamples(count, seed);
    LatencySketch sketch;
    for (const double v : values)
        sketch.add(v);
    if (compact)
        sketch.compact();
    return sketch;
}

/// `buckets` sketches of `perBucket` samples each, as a window of time buckets would hold.
std::vector<LatencySketch> bucketSketches(std::size_t buckets, std::size_t perBucket, bool compact)
{
    std::vector<LatencySketch> out;
    out.reserve(buckets);
    for (std::size_t i = 0; i < buckets; ++i)
        out.push_back(filledSketch(perBucket, compact, 100 + i));
    return out;
}

void BM_IndexFor(benchmark::State &state)
{
    const std::vector<double> &values = samples();
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(LatencySketch::indexFor(values[i++ & kSampleMask]));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndexFor);

void BM_Add(benchmark::State &state)
{
    const std::vector<double> &values = samples();
    LatencySketch sketch;
    std::size_t i = 0;
    for (auto _ : state) {
        sketch.add(values[i++ & kSampleMask]);
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(sketch.count());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Add);

// The store computes the bin once per event and adds it to several sketches (key, group, minute).
void BM_AddIndex(benchmark::State &state)
{
    const std::vector<double> &values = samples();
    const std::vector<int> &indices = sampleIndices();
    LatencySketch sketch;
    std::size_t i = 0;
    for (auto _ : state) {
        const std::size_t at = i++ & kSampleMask;
        sketch.addIndex(indices[at], values[at]);
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(sketch.count());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddIndex);

// Adding to a compacted (sealed) sketch unpacks it first: the cost of a late event.
void BM_AddToCompact(benchmark::State &state)
{
    const LatencySketch sealed = filledSketch(10'000, true);
    const std::vector<double> &values = samples();
    std::vector<LatencySketch> copies(256, sealed);
    std::size_t i = 0;
    while (state.KeepRunningBatch(std::int64_t(copies.size()))) {
        state.PauseTiming();
        std::fill(copies.begin(), copies.end(), sealed);
        state.ResumeTiming();
        for (LatencySketch &c : copies)
            c.add(values[i++ & kSampleMask]);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddToCompact);

/// Arg(0): buckets merged into one window; Arg(1): samples per bucket.
void mergeWindow(benchmark::State &state, bool compact)
{
    const std::vector<LatencySketch> buckets
        = bucketSketches(std::size_t(state.range(0)), std::size_t(state.range(1)), compact);
    for (auto _ : state) {
        LatencySketch window;
        for (const LatencySketch &b : buckets)
            window.merge(b);
        benchmark::DoNotOptimize(window.count());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0)); // items = sketches merged
}

void BM_MergeDense(benchmark::State &state)
{
    mergeWindow(state, false);
}
// 90 x 10 s buckets = the 15 min score window of one key; 900 x 1 s = the same at group level.
BENCHMARK(BM_MergeDense)->Args({ 90, 100 })->Args({ 90, 10'000 })->Args({ 900, 100 });

void BM_MergeCompact(benchmark::State &state)
{
    mergeWindow(state, true);
}
BENCHMARK(BM_MergeCompact)->Args({ 90, 100 })->Args({ 90, 10'000 })->Args({ 900, 100 });

/// Arg(0): 1 for a compacted sketch; Arg(1): the quantile in per mille.
void BM_Quantile(benchmark::State &state)
{
    const LatencySketch sketch = filledSketch(1'000'000, state.range(0) != 0);
    const double q = double(state.range(1)) / 1000.0;
    for (auto _ : state)
        benchmark::DoNotOptimize(sketch.quantile(q));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Quantile)->ArgsProduct({ { 0, 1 }, { 500, 990 } })->ArgNames({ "compact", "q_permille" });

void BM_Compact(benchmark::State &state)
{
    const LatencySketch dense = filledSketch(std::size_t(state.range(0)), false);
    std::vector<LatencySketch> copies(256, dense);
    while (state.KeepRunningBatch(std::int64_t(copies.size()))) {
        state.PauseTiming();
        std::fill(copies.begin(), copies.end(), dense);
        state.ResumeTiming();
        for (LatencySketch &c : copies)
            c.compact();
        benchmark::ClobberMemory();
    }
    state.counters["dense_bytes"] = double(dense.memoryUsage());
    state.counters["compact_bytes"] = double(copies.front().memoryUsage());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Compact)->Arg(100)->Arg(10'000);

void BM_Encode(benchmark::State &state)
{
    const LatencySketch sketch = filledSketch(10'000, state.range(0) != 0);
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray encoded = sketch.encode();
        bytes = encoded.size();
        benchmark::DoNotOptimize(encoded.constData());
    }
    state.counters["encoded_bytes"] = double(bytes);
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(1)->ArgName("compact");

void BM_Decode(benchmark::State &state)
{
    const QByteArray encoded = filledSketch(10'000, false).encode();
    for (auto _ : state) {
        auto decoded = LatencySketch::decode(encoded);
        benchmark::DoNotOptimize(decoded);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * encoded.size());
}
BENCHMARK(BM_Decode);

} // namespace

BENCHMARK_MAIN();
