// perfwatch-views-demo: the dashboard window on a PerformanceEngine fed by the DemoSimulator,
// without the ingest server. A development tool for looking at the window, taking screenshots in
// light and dark palettes and timing ticks at many keys.
#include "dashboardcontroller.h"
#include "dashboardsnapshot.h"
#include "demosimulator.h"
#include "engine.h"
#include "enginedashboardsource.h"
#include "eventlooplagprobe.h"
#include "historydatabase.h"
#include "mainwindow.h"
#include "metricstore.h"
#include "settingsdialog.h"
#include "snapshotbuilder.h"
#include "theme.h"
#include "translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <string>

using namespace perfwatch;

namespace {

/// Adds `count` synthetic keys (API endpoints, db operations, steps) with traffic over the last minutes.
void addSyntheticKeys(MetricStore &store, int count, qint64 nowMs)
{
    std::vector<std::string> names;
    names.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i) {
        const int kind = i % 3;
        names.push_back(kind == 0 ? "GET:/api/bench/r" + std::to_string(i)
                : kind == 1       ? "find:bench_" + std::to_string(i)
                                  : "step_" + std::to_string(i));
    }
    std::vector<IngestEvent> events;
    for (qint64 t = nowMs - 14 * 60'000; t < nowMs; t += 20'000) {
        events.clear();
        for (int i = 0; i < count; ++i) {
            IngestEvent e;
            e.kind = i % 3 == 0 ? MetricKind::Api : i % 3 == 1 ? MetricKind::Db : MetricKind::Processing;
            e.service = "bench";
            e.name = names[std::size_t(i)];
            e.value = 5.0 + (i * 7 + t / 1000) % 300;
            e.status = 200;
            e.items = 3;
            e.timestampMs = t + (i % 20) * 1000;
            events.push_back(e);
        }
        store.insert(events, nowMs);
    }
}

/// CPU time of the calling thread in ms: on a shared machine wall time also counts other processes.
double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

/// Median and maximum of a sample.
struct Stat
{
    double median = 0;
    double max = 0;
};
Stat stat(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? Stat {} : Stat { v[v.size() / 2], v.back() };
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PerfWatch"));
    QApplication::setApplicationName(QStringLiteral("perfwatch-views-demo"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("PerfWatch dashboard on a simulated service (development tool)"));
    parser.addHelpOption();
    const QCommandLineOption dark(QStringLiteral("dark"), QStringLiteral("Use the dark palette."));
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("Language (de)."), QStringLiteral("L"));
    const QCommandLineOption shots(
        QStringLiteral("screenshot"), QStringLiteral("Write PNGs into DIR and exit."), QStringLiteral("DIR"));
    const QCommandLineOption empty(QStringLiteral("empty"),
        QStringLiteral("Start without data; the simulator starts after S seconds."), QStringLiteral("S"));
    const QCommandLineOption keys(QStringLiteral("keys"), QStringLiteral("Add N synthetic keys."), QStringLiteral("N"));
    const QCommandLineOption bench(
        QStringLiteral("bench"), QStringLiteral("Time N ticks (build + apply) and exit."), QStringLiteral("N"));
    const QCommandLineOption backfill(QStringLiteral("backfill"),
        QStringLiteral("Minutes of simulated history (default 70)."), QStringLiteral("MIN"), QStringLiteral("70"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QStringLiteral("History folder (default: a temporary one)."), QStringLiteral("DIR"));
    const QCommandLineOption size(QStringLiteral("size"),
        QStringLiteral("Window size for screenshots (default 1440x900)."), QStringLiteral("WxH"));
    const QCommandLineOption lag(QStringLiteral("lag"),
        QStringLiteral("Run live for S seconds and report how late a 10 ms GUI timer fires."), QStringLiteral("S"));
    const QCommandLineOption range(
        QStringLiteral("range"), QStringLiteral("Initial range: 5m, 15m, 1h, 6h or 24h."), QStringLiteral("R"));
    parser.addOptions({ dark, lang, shots, empty, keys, bench, backfill, dataDir, range, size, lag });
    parser.process(app);

    Theme::applyApplicationLook(app, parser.isSet(dark));
    installTranslations(app, parser.value(lang));

    // History in a folder of its own (a temporary one unless --data-dir), so 6 h and 24 h read SQLite.
    QTemporaryDir tempDir;
    EngineConfig config;
    config.dataDir = parser.isSet(dataDir) ? parser.value(dataDir) : tempDir.path();
    // The bench analyzes at its simulated clock; the engine's own wall-clock analyses would run
    // between its ticks at another time.
    if (parser.isSet(bench))
        config.analysisIntervalMs = 3600'000;
    PerformanceEngine engine(config);
    MetricStore &store = engine.store();
    auto source = std::make_shared<EngineDashboardSource>(engine);
    DemoSimulator simulator(store);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const int backfillMinutes = parser.isSet(empty) ? 0 : parser.value(backfill).toInt();
    if (backfillMinutes > 0) {
        // Back-filled traffic gets the history it would have had: what the memory tiers cannot hold
        // goes straight to SQLite hour by hour, the rest into the engine's store; scores are the
        // analyzer run at past moments.
        constexpr qint64 kInMemoryMinutes = 75;
        HistoryDatabase history(config.dataDir, QStringLiteral("perfwatch-demo-backfill"));
        QString error;
        if (!history.open(&error)) {
            std::fprintf(stderr, "history: %s\n", qPrintable(error));
            return 1;
        }
        std::vector<ScorePoint> scores;
        const qint64 memoryFrom = now - std::min<qint64>(backfillMinutes, kInMemoryMinutes) * 60'000;
        for (qint64 from = now - qint64(backfillMinutes) * 60'000; from < memoryFrom; from += 60 * 60'000) {
            const qint64 to = std::min(memoryFrom, from + 60 * 60'000);
            MetricStore chunk(config.store);
            DemoSimulator chunkSimulator(chunk);
            chunkSimulator.generate(from - 15 * 60'000, to, to); // 15 min lead-in for the first scores
            Analyzer analyzer(config.analyzer);
            for (qint64 at = from; at < to; at += 60'000) {
                const AnalysisResult r = analyzer.analyze(chunk, at);
                scores.push_back({ at, r.score.value, r.score.band });
            }
            std::vector<RollupRow> rows = chunk.takeDirtyRollups();
            rows.erase(
                std::remove_if(rows.begin(), rows.end(), [from](const RollupRow &r) { return r.startMs < from; }),
                rows.end());
            history.writeRollups(rows);
        }
        simulator.generate(memoryFrom, now, now);
        Analyzer analyzer(config.analyzer);
        AnalysisResult last;
        for (qint64 at = std::max(memoryFrom, now - 78 * 60'000); at < now; at += 20'000) {
            last = analyzer.analyze(store, at);
            scores.push_back({ at, last.score.value, last.score.band });
        }
        history.writeScores(scores);
        history.replaceRecommendations(last.recommendations);
    }
    QString error;
    if (!engine.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    engine.flushNow(); // back-filled minutes beyond the memory tiers go to the history now
    if (parser.isSet(keys))
        addSyntheticKeys(store, parser.value(keys).toInt(), now);

    if (parser.isSet(bench)) {
        SnapshotBuilder builder(source, nullptr);
        MainWindow window(engine, nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.show();
        const int n = std::max(1, parser.value(bench).toInt());
        // Wall time and CPU time of this thread per part; the tick is their sum (the analyzer runs
        // on the engine thread in the app, every analysisIntervalMs, but costs the same CPU there).
        enum Part
        {
            Snapshot,
            Apply,
            Analyzer,
            Tick,
            PartCount
        };
        // A simulated clock, one refresh interval per tick: each tick gets the second of traffic the
        // app would see between two refreshes, not however much wall time the previous tick took.
        constexpr qint64 kTickMs = 1000;
        qint64 clock = now;
        for (TimeRange range : { TimeRange::Minutes15, TimeRange::Minutes5, TimeRange::Hour1 }) {
            std::array<std::vector<double>, PartCount> wall;
            std::array<std::vector<double>, PartCount> cpu;
            for (int i = 0; i < n; ++i) {
                clock += kTickMs;
                const qint64 t = clock;
                simulator.generate(t - kTickMs, t, t);
                DashboardRequest request;
                request.range = range;
                request.nowMs = t;
                QElapsedTimer timer;
                std::array<double, PartCount> w {};
                std::array<double, PartCount> c {};
                timer.start();
                double c0 = threadCpuMs();
                engine.analyzeNow(t);
                w[Analyzer] = double(timer.nsecsElapsed()) / 1e6;
                c[Analyzer] = threadCpuMs() - c0;
                timer.restart();
                c0 = threadCpuMs();
                const DashboardSnapshotPtr snapshot = builder.build(request);
                w[Snapshot] = double(timer.nsecsElapsed()) / 1e6;
                c[Snapshot] = threadCpuMs() - c0;
                timer.restart();
                c0 = threadCpuMs();
                window.applySnapshot(*snapshot);
                w[Apply] = double(timer.nsecsElapsed()) / 1e6;
                c[Apply] = threadCpuMs() - c0;
                w[Tick] = w[Snapshot] + w[Apply] + w[Analyzer];
                c[Tick] = c[Snapshot] + c[Apply] + c[Analyzer];
                for (int p = 0; p < PartCount; ++p) {
                    wall[std::size_t(p)].push_back(w[std::size_t(p)]);
                    cpu[std::size_t(p)].push_back(c[std::size_t(p)]);
                }
                QCoreApplication::processEvents();
            }
            const char *names[] = { "snapshot", "apply", "analyzer", "tick" };
            std::printf("range %3lld min, %6zu keys, %lld s simulated per tick, medians (max) in ms:",
                rangeMs(range) / 60'000, store.keyCount(), kTickMs / 1000);
            for (int p = 0; p < PartCount; ++p) {
                const Stat sw = stat(wall[std::size_t(p)]);
                const Stat sc = stat(cpu[std::size_t(p)]);
                std::printf(" %s cpu %.2f (%.2f) wall %.2f (%.2f)%s", names[p], sc.median, sc.max, sw.median, sw.max,
                    p + 1 < PartCount ? ";" : "\n");
            }
        }
        return 0;
    }

    MainWindow window(engine, nullptr, QStringLiteral("http://127.0.0.1:4318"));
    const QStringList wh = parser.value(size).split(u'x');
    window.resize(wh.size() == 2 ? wh[0].toInt() : 1440, wh.size() == 2 ? wh[1].toInt() : 900);
    window.show();
    const QStringList ranges { QStringLiteral("5m"), QStringLiteral("15m"), QStringLiteral("1h"), QStringLiteral("6h"),
        QStringLiteral("24h") };
    if (const qsizetype r = ranges.indexOf(parser.value(range)); r >= 0)
        window.setRange(kTimeRanges[std::size_t(r)]);
    if (parser.isSet(empty))
        QTimer::singleShot(int(parser.value(empty).toDouble() * 1000), &simulator, [&] { simulator.start(0); });
    else
        simulator.start(0);

    // Event-loop lag while the dashboard refreshes live.
    EventLoopLagProbe lagProbe;
    if (parser.isSet(lag)) {
        lagProbe.start();
        QTimer::singleShot(int(parser.value(lag).toDouble() * 1000), &window, [&] {
            const EventLoopLagProbe::Result r = lagProbe.result();
            std::printf("%zu keys, %llu ticks applied, %llu skipped: GUI timer late by median %.2f ms, p99 %.2f ms, "
                        "max %.2f ms\n",
                store.keyCount(), static_cast<unsigned long long>(window.controller()->appliedSnapshots()),
                static_cast<unsigned long long>(window.controller()->skippedTicks()), r.medianMs, r.p99Ms, r.maxMs);
            QCoreApplication::exit(0);
        });
    }

    if (parser.isSet(shots) && parser.isSet(empty)) {
        // The empty state: what a first start shows before any service reports.
        QTimer::singleShot(500, &window, [&] {
            QDir().mkpath(parser.value(shots));
            const QString path = QDir(parser.value(shots)).filePath(QStringLiteral("empty.png"));
            window.grab().save(path);
            SettingsDialog dialog(window.settings(), nullptr, &window);
            dialog.show();
            QCoreApplication::processEvents();
            const QString settingsPath = QDir(parser.value(shots)).filePath(QStringLiteral("settings.png"));
            dialog.grab().save(settingsPath);
            std::printf("%s\n%s\n", qPrintable(path), qPrintable(settingsPath));
            QCoreApplication::exit(0);
        });
    } else if (parser.isSet(shots)) {
        QTimer::singleShot(300, &window, [&] {
            QString error;
            const QStringList files = window.saveScreenshots(parser.value(shots), &error);
            for (const QString &f : files)
                std::printf("%s\n", qPrintable(f));
            if (!error.isEmpty())
                std::fprintf(stderr, "%s\n", qPrintable(error));
            QCoreApplication::exit(files.isEmpty() ? 1 : 0);
        });
    }
    return QApplication::exec();
}
