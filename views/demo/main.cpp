// perfwatch-views-demo: the dashboard window on a MetricStore fed by the DemoSimulator, without
// the ingest server or SQLite history. A development tool for looking at the window, taking
// screenshots in light and dark palettes and timing ticks at many keys.
#include "dashboardcontroller.h"
#include "dashboardsnapshot.h"
#include "demosimulator.h"
#include "mainwindow.h"
#include "metricstore.h"
#include "snapshotbuilder.h"
#include "storedashboardsource.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QLibraryInfo>
#include <QTimer>
#include <QTranslator>
#include <algorithm>
#include <cstdio>
#include <string>

#ifdef PERFWATCH_HAVE_ANALYZER
#include "analyzer.h"
#endif

using namespace perfwatch;

namespace {

#ifndef PERFWATCH_HAVE_ANALYZER
/// A fixed analysis shaped like what the analyzer will report for the demo service; only for
/// looking at the layout until the analyzer is linked. Not a score computation.
AnalysisResult layoutSampleAnalysis(qint64 nowMs)
{
    AnalysisResult r;
    r.score.value = 71;
    r.score.band = Band::Good;
    r.score.computedAtMs = nowMs - nowMs % 10'000;
    ScoreBreakdown &b = r.score.breakdown;
    b.apiRequests = 31'000;
    b.apiP95Ms = 684;
    b.apiThresholdMs = 500;
    b.apiPointsLost = 4.9;
    b.dbOperations = 52'000;
    b.dbAvgMs = 268;
    b.dbThresholdMs = 200;
    b.dbPointsLost = 2.8;
    b.errorCount = 640;
    b.errorTotal = 83'000;
    b.errorRate = 0.0177;
    b.errorRateLow = 0.01;
    b.errorRateHigh = 0.10;
    b.errorPointsLost = 3.0;
    b.cacheLookups = 39'600;
    b.cacheHitRate = 0.68;
    b.cacheBonusThreshold = 0.80;
    b.cacheBonus = 0;
    auto rec = [&](const char *rule, RecommendationType type, Priority p, const char *target, const char *message,
                   const char *suggestion, QJsonObject evidence, qint64 agoMs) {
        Recommendation x;
        x.rule = QString::fromLatin1(rule);
        x.id = x.rule + QStringLiteral(":trips-api:") + QString::fromLatin1(target);
        x.type = type;
        x.priority = p;
        x.service = QStringLiteral("trips-api");
        x.target = QString::fromLatin1(target);
        x.message = QString::fromUtf8(message);
        x.suggestion = QString::fromUtf8(suggestion);
        x.evidence = evidence;
        x.firstSeenMs = nowMs - agoMs;
        x.lastSeenMs = nowMs;
        r.recommendations.push_back(x);
    };
    rec("slow_query", RecommendationType::Database, Priority::High, "aggregate:coverage",
        "aggregate:coverage averages 268 ms, above the 200 ms threshold.",
        "create index on coverage(city, street_id)",
        { { QStringLiteral("avg_ms"), 268.4 }, { QStringLiteral("threshold_ms"), 200 },
            { QStringLiteral("operations"), 3600 }, { QStringLiteral("fields"), QStringLiteral("city,street_id") } },
        22 * 60'000);
    rec("slow_endpoint", RecommendationType::Api, Priority::High, "POST:/api/trips/upload",
        "POST:/api/trips/upload has a p95 of 1.21 s, above the 500 ms threshold.",
        "Move map matching and geocoding off the request path (queue the upload and answer 202).",
        { { QStringLiteral("p95_ms"), 1210.0 }, { QStringLiteral("threshold_ms"), 500 },
            { QStringLiteral("requests"), 1080 }, { QStringLiteral("db_share"), 0.06 } },
        40 * 60'000);
    rec("n_plus_one", RecommendationType::Database, Priority::Medium, "GET:/api/trips/{id}",
        "Requests to GET:/api/trips/{id} run find:trip_points up to 14 times each.",
        "Fetch the trip's points in one query: find trip_points where trip_id in (...).",
        { { QStringLiteral("max_repeats"), 14 }, { QStringLiteral("operation"), QStringLiteral("find:trip_points") } },
        18 * 60'000);
    rec("connection_pool", RecommendationType::Resources, Priority::Medium, "db.pool.in_use",
        "The database pool is 94% used and requests wait for connections.",
        "Grow the pool to 13 connections.",
        { { QStringLiteral("peak_in_use"), 10 }, { QStringLiteral("size"), 10 },
            { QStringLiteral("utilisation"), 0.94 }, { QStringLiteral("waiting_max"), 4 } },
        12 * 60'000);
    rec("cache_hit_rate", RecommendationType::Resources, Priority::Low, "trip_cache",
        "trip_cache hits 68% of lookups, below 80%.",
        "Cache trip lists per user and raise the TTL; check the key includes only what varies.",
        { { QStringLiteral("hit_rate"), 0.68 }, { QStringLiteral("lookups"), 39600 } }, 35 * 60'000);
    rec("memory_growth", RecommendationType::Trend, Priority::Low, "process.memory.rss_bytes",
        "Memory grows steadily by about 90 MiB per hour.", "Look for caches or lists that never shrink.",
        { { QStringLiteral("slope_mib_per_hour"), 90.2 }, { QStringLiteral("r2"), 0.97 } }, 8 * 60'000);
    return r;
}
#endif

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
    const QCommandLineOption empty(
        QStringLiteral("empty"), QStringLiteral("Start without data; the simulator starts after S seconds."),
        QStringLiteral("S"));
    const QCommandLineOption keys(
        QStringLiteral("keys"), QStringLiteral("Add N synthetic keys."), QStringLiteral("N"));
    const QCommandLineOption bench(
        QStringLiteral("bench"), QStringLiteral("Time N ticks (build + apply) and exit."), QStringLiteral("N"));
    const QCommandLineOption backfill(QStringLiteral("backfill"),
        QStringLiteral("Minutes of simulated history (default 70)."), QStringLiteral("MIN"), QStringLiteral("70"));
    parser.addOptions({ dark, lang, shots, empty, keys, bench, backfill });
    parser.process(app);

    Theme::applyApplicationLook(app, parser.isSet(dark));
    QTranslator qtTranslator;
    QTranslator translator;
    if (parser.isSet(lang)) {
        const QLocale locale(parser.value(lang));
        QLocale::setDefault(locale);
        if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator(&qtTranslator);
        if (translator.load(locale, QStringLiteral("perfwatch"), QStringLiteral("_"), QStringLiteral(":/i18n")))
            QCoreApplication::installTranslator(&translator);
    }

    MetricStore store;
    auto source = std::make_shared<StoreDashboardSource>(store);
    source->setAnalysisIntervalMs(10'000);
#ifdef PERFWATCH_HAVE_ANALYZER
    source->setAnalysisFunction([](const MetricStore &s, qint64 now) {
        static Analyzer analyzer;
        return analyzer.analyze(s, now);
    });
    source->setApdexFunction([](const Aggregate &agg, const AnalyzerConfig &config) { return Analyzer(config).apdex(agg); });
#else
    source->setAnalysisFunction([](const MetricStore &, qint64 now) { return layoutSampleAnalysis(now); });
    {
        // A score history shaped like the demo's slow spells, so the chart has something to show.
        std::vector<ScorePoint> points;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (qint64 t = now - 80 * 60'000; t < now; t += 10'000) {
            const bool slow = (t / 1000) % 300 < 40;
            const int score = slow ? 52 + int((t / 10'000) % 5) : 70 + int((t / 10'000) % 7);
            points.push_back({ t, score, score >= 80 ? Band::Excellent : score >= 60 ? Band::Good : Band::Fair });
        }
        source->addScoreHistory(points);
    }
#endif

    DemoSimulator simulator(store);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(keys))
        addSyntheticKeys(store, parser.value(keys).toInt(), now);

    if (parser.isSet(bench)) {
        simulator.generate(now - 20 * 60'000, now, now);
        SnapshotBuilder builder(source, nullptr);
        MainWindow window(source, nullptr, QStringLiteral("http://127.0.0.1:4318"));
        window.controller()->setPaused(true);
        window.show();
        const int n = std::max(1, parser.value(bench).toInt());
        std::vector<double> buildMs;
        std::vector<double> applyMs;
        for (TimeRange range : { TimeRange::Minutes15, TimeRange::Minutes5, TimeRange::Hour1 }) {
            buildMs.clear();
            applyMs.clear();
            for (int i = 0; i < n; ++i) {
                // A little new traffic each tick, so values change the way they do live.
                const qint64 t = QDateTime::currentMSecsSinceEpoch();
                simulator.generate(t - 1000, t, t);
                DashboardRequest request;
                request.range = range;
                QElapsedTimer timer;
                timer.start();
                const DashboardSnapshotPtr snapshot = builder.build(request);
                buildMs.push_back(double(timer.nsecsElapsed()) / 1e6);
                timer.restart();
                window.applySnapshot(*snapshot);
                applyMs.push_back(double(timer.nsecsElapsed()) / 1e6);
                QCoreApplication::processEvents();
            }
            std::sort(buildMs.begin(), buildMs.end());
            std::sort(applyMs.begin(), applyMs.end());
            std::printf("range %-6s keys %6zu  build median %7.2f ms (max %7.2f)  apply median %7.2f ms (max %7.2f)\n",
                qPrintable(QString::number(rangeMs(range) / 60'000) + QStringLiteral("min")), store.keyCount(),
                buildMs[buildMs.size() / 2], buildMs.back(), applyMs[applyMs.size() / 2], applyMs.back());
        }
        return 0;
    }

    MainWindow window(source, nullptr, QStringLiteral("http://127.0.0.1:4318"));
    window.resize(1440, 900);
    window.show();
    if (parser.isSet(empty)) {
        QTimer::singleShot(int(parser.value(empty).toDouble() * 1000), &simulator, [&] {
            simulator.start(int(parser.value(backfill).toInt()));
        });
    } else {
        simulator.start(parser.value(backfill).toInt());
    }

    if (parser.isSet(shots)) {
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
