// Benchmark of the history writer's flush: what one 10-second flush of N keys costs against a
// database that already holds an hour of minutes (and, for 1,000 keys, 10 minutes to 12 hours),
// with the page cache kept between flushes (SQLite's default) and released after each one (what
// the engine does, so memory does not grow with the file).

#include "historydatabase.h"
#include "latencydata.h"
#include "latencysketch.h"

#include <QString>
#include <QTemporaryDir>
#include <benchmark/benchmark.h>
#include <vector>

using namespace perfwatch;
using perfwatch::bench::latencySamples;

namespace {

constexpr qint64 kStartMs = 1'700'000'000'000; // a fixed wall-clock time, so runs are comparable
constexpr qint64 kMinuteMs = 60'000;
constexpr int kEventsPerRow = 50;
constexpr int kFlushesPerMinute = 6; // the engine flushes every 10 s

std::vector<RollupRow> minuteRows(int keys, qint64 startMs, std::uint64_t seed)
{
    const std::vector<double> values = latencySamples(std::size_t(keys) * kEventsPerRow, seed);
    std::vector<RollupRow> rows(static_cast<std::size_t>(keys));
    for (int k = 0; k < keys; ++k) {
        RollupRow &row = rows[std::size_t(k)];
        row.meta.kind = MetricKind::Api;
        row.meta.service = QStringLiteral("loadgen");
        row.meta.name = QStringLiteral("GET:/api/k") + QString::number(k);
        row.startMs = startMs;
        LatencySketch sketch;
        for (int i = 0; i < kEventsPerRow; ++i) {
            const double v = values[std::size_t(k) * kEventsPerRow + std::size_t(i)];
            IngestEvent e;
            e.kind = MetricKind::Api;
            e.value = v;
            e.error = i == 0 && k % 20 == 0;
            row.stats.add(e, startMs + i);
            sketch.add(v);
        }
        row.sketch = sketch.encode();
    }
    return rows;
}

/// Args: keys, release (0 = keep the page cache, 1 = releaseCache() after every flush), minutes of
/// history written before timing.
void BM_HistoryFlush(benchmark::State &state)
{
    const int keys = int(state.range(0));
    const bool release = state.range(1) != 0;
    const int historyMinutes = int(state.range(2));
    QTemporaryDir dir;
    HistoryDatabase db(dir.path(), QStringLiteral("bench-flush"));
    if (!db.open()) {
        state.SkipWithError("cannot open the history");
        return;
    }
    for (int m = 0; m < historyMinutes; ++m) {
        if (!db.writeRollups(minuteRows(keys, kStartMs + m * kMinuteMs, std::uint64_t(m)))) {
            state.SkipWithError("cannot write the history");
            return;
        }
    }
    db.releaseCache();
    // A flush re-sends the open minute (replace); every sixth flush starts a new minute. The rows
    // are made before timing, so only SQLite's work is measured.
    std::vector<std::vector<RollupRow>> flushes;
    for (int m = 0; m < 4; ++m)
        flushes.push_back(minuteRows(keys, kStartMs + (historyMinutes + m) * kMinuteMs, std::uint64_t(100 + m)));
    std::size_t flush = 0;
    qint64 peakHeap = 0;
    for (auto _ : state) {
        const std::vector<RollupRow> &rows = flushes[(flush / kFlushesPerMinute) % flushes.size()];
        if (!db.writeRollups(rows)) {
            state.SkipWithError("flush failed");
            break;
        }
        peakHeap = std::max(peakHeap, HistoryDatabase::sqliteHeapBytes());
        if (release)
            db.releaseCache();
        ++flush;
    }
    state.SetItemsProcessed(state.iterations() * keys);
    state.counters["sqlite_heap_MiB"] = double(peakHeap) / (1024 * 1024);
}
// Kept or released cache, with an hour of history.
BENCHMARK(BM_HistoryFlush)
    ->ArgsProduct({ { 1000, 10'000 }, { 0, 1 }, { 60 } })
    ->ArgNames({ "keys", "release", "history_min" })
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5);
// Does a flush get slower as the history grows? 1,000 keys, released cache, 10 min to 12 h.
BENCHMARK(BM_HistoryFlush)
    ->ArgsProduct({ { 1000 }, { 1 }, { 10, 240, 720 } })
    ->ArgNames({ "keys", "release", "history_min" })
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);

} // namespace

BENCHMARK_MAIN();
