// perfwatch-bench-report: times a report over many keys and a day of history, the way
// `perfwatch --export-report` and GET /api/performance/report make it: a history in a temporary
// data folder (written first, not timed), a read-only engine over it, then
//   data  ReportBuilder::build (the period's per-key aggregates from SQLite and memory, series,
//         analysis) — the part every entry point shares,
//   pdf   ReportPdfWriter::write into memory (tables capped at 200 rows, as exported),
//   csv   ReportCsv::writeAll into a folder (every row of every table).
// Target (issue 4): data + pdf + csv ≤ 2 s for 10,000 keys over 24 h.

#include "engine.h"
#include "enginedashboardsource.h"
#include "historydatabase.h"
#include "latencydata.h"
#include "reportbuilder.h"
#include "reportcsv.h"
#include "reportpdfwriter.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

using namespace perfwatch;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
constexpr int kTemplates = 32;

struct Options
{
    int keys = 10'000;
    int hot = 100; ///< keys with a rollup every minute
    int everyMinutes = 30; ///< the other keys: one rollup per this many minutes
    double hours = 24;
    int runs = 5;
    QString keepDir; ///< write the history here and keep it (empty: a temporary folder)
};

/// A minute of one key: stats and an encoded sketch of 40 latencies shaped like production.
struct Minute
{
    MetricStats stats;
    LatencySketch sketch;
    QByteArray encoded;
};

std::vector<Minute> makeTemplates()
{
    std::vector<Minute> out(kTemplates);
    for (int t = 0; t < kTemplates; ++t) {
        const std::vector<double> values = bench::latencySamples(40, std::uint64_t(t + 1));
        Minute &m = out[std::size_t(t)];
        for (double v : values) {
            IngestEvent e;
            e.value = v;
            e.error = v > 2000;
            e.items = 3;
            m.stats.add(e, 0);
            m.sketch.add(v);
        }
        m.encoded = m.sketch.encode();
    }
    return out;
}

MetricKind kindOf(int key)
{
    const int slot = key % 10;
    return slot < 6 ? MetricKind::Api : (slot < 9 ? MetricKind::Db : MetricKind::Processing);
}

QString nameOf(int key)
{
    switch (kindOf(key)) {
    case MetricKind::Api:
        return QStringLiteral("GET:/api/bench/resource%1/{id}").arg(key);
    case MetricKind::Db:
        return QStringLiteral("find:bench_collection_%1").arg(key);
    default:
        return QStringLiteral("bench_step_%1").arg(key);
    }
}

/// Writes the history: per-key rollups, per-service group rollups (what kindSeries reads),
/// a score every 10 s and a few recommendations; then the retention pass the app runs, which
/// folds minutes older than 6 h into 5-minute rows. Returns the rows written.
quint64 writeHistory(const Options &o, const QString &dir, qint64 now)
{
    HistoryDatabase db(dir, QStringLiteral("bench-report-writer"));
    QString error;
    if (!db.open(&error)) {
        std::fprintf(stderr, "history: %s\n", qPrintable(error));
        std::exit(1);
    }
    const std::vector<Minute> templates = makeTemplates();
    const qint64 from = (now - qint64(o.hours * double(kHour))) / kMinute * kMinute;
    const qint64 to = now / kMinute * kMinute;
    std::vector<RollupRow> batch;
    batch.reserve(60'000);
    quint64 rows = 0;
    const auto flush = [&] {
        if (!db.writeRollups(batch)) {
            std::fprintf(stderr, "history: %s\n", qPrintable(db.lastError()));
            std::exit(1);
        }
        rows += batch.size();
        batch.clear();
    };
    std::vector<QString> names(std::size_t(o.keys));
    for (int k = 0; k < o.keys; ++k)
        names[std::size_t(k)] = nameOf(k);
    const QString service[] = { QStringLiteral("bench-a"), QStringLiteral("bench-b"), QStringLiteral("bench-c"),
        QStringLiteral("bench-d") };
    for (qint64 t = from; t < to; t += kMinute) {
        const int minuteIndex = int((t - from) / kMinute);
        std::map<std::pair<int, int>, Minute> groups; // (service, kind)
        for (int k = 0; k < o.keys; ++k) {
            if (k >= o.hot && (minuteIndex + k) % o.everyMinutes != 0)
                continue;
            const Minute &m = templates[std::size_t((k * 7 + minuteIndex) % kTemplates)];
            RollupRow row;
            row.scope = RollupRow::Scope::Key;
            row.meta.kind = kindOf(k);
            row.meta.service = service[k % 4];
            row.meta.name = names[std::size_t(k)];
            row.startMs = t;
            row.stats = m.stats;
            row.sketch = m.encoded;
            batch.push_back(std::move(row));
            Minute &g = groups[{ k % 4, int(kindOf(k)) }];
            g.stats.merge(m.stats);
            g.sketch.merge(m.sketch);
        }
        for (auto &[key, g] : groups) {
            RollupRow row;
            row.scope = RollupRow::Scope::Group;
            row.meta.kind = MetricKind(key.second);
            row.meta.service = service[key.first];
            row.startMs = t;
            row.stats = g.stats;
            row.sketch = g.sketch.encode();
            batch.push_back(std::move(row));
        }
        if (batch.size() >= 50'000)
            flush();
    }
    flush();

    std::vector<ScorePoint> scores;
    for (qint64 t = from; t < now; t += 10'000) {
        const int score = 70 + int((t / kHour) % 25);
        scores.push_back({ t, score, bandForScore(score) });
    }
    db.writeScores(scores);
    db.applyRetention(now, 48);
    return rows;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

qint64 folderBytes(const QString &dir)
{
    qint64 total = 0;
    QDirIterator it(dir, QDir::Files);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv); // PDF rendering needs fonts
    QGuiApplication::setApplicationName(QStringLiteral("perfwatch-bench-report"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Times a report (data, PDF, CSV) over many keys and hours."));
    parser.addHelpOption();
    const QCommandLineOption keys(QStringLiteral("keys"), QStringLiteral("Keys (default 10000)."), QStringLiteral("N"));
    const QCommandLineOption hot(
        QStringLiteral("hot"), QStringLiteral("Keys with data every minute (default 100)."), QStringLiteral("N"));
    const QCommandLineOption every(QStringLiteral("every"),
        QStringLiteral("Minutes between rollups of the other keys (default 30; 1 = every key every minute)."),
        QStringLiteral("MIN"));
    const QCommandLineOption hours(
        QStringLiteral("hours"), QStringLiteral("Hours of history and report (default 24)."), QStringLiteral("H"));
    const QCommandLineOption runs(
        QStringLiteral("runs"), QStringLiteral("Timed runs (default 5)."), QStringLiteral("N"));
    const QCommandLineOption keep(QStringLiteral("data-dir"),
        QStringLiteral("Write the history into DIR and keep it (reused when it exists)."), QStringLiteral("DIR"));
    parser.addOptions({ keys, hot, every, hours, runs, keep });
    parser.process(app);

    Options o;
    if (parser.isSet(keys))
        o.keys = parser.value(keys).toInt();
    if (parser.isSet(hot))
        o.hot = parser.value(hot).toInt();
    if (parser.isSet(every))
        o.everyMinutes = std::max(1, parser.value(every).toInt());
    if (parser.isSet(hours))
        o.hours = parser.value(hours).toDouble();
    if (parser.isSet(runs))
        o.runs = std::max(1, parser.value(runs).toInt());
    o.keepDir = parser.value(keep);

    QTemporaryDir temp;
    const QString dir = o.keepDir.isEmpty() ? temp.path() : o.keepDir;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    std::printf("perfwatch-bench-report: %d keys (%d with a rollup every minute, the rest every %d min), %g h\n",
        o.keys, std::min(o.hot, o.keys), o.everyMinutes, o.hours);
    if (!QFileInfo::exists(QDir(dir).filePath(QStringLiteral("perfwatch.sqlite")))) {
        QElapsedTimer timer;
        timer.start();
        const quint64 rows = writeHistory(o, dir, now);
        std::printf("history: %llu rollup rows written and compacted in %.1f s (not timed below), %.1f MB on disk\n",
            static_cast<unsigned long long>(rows), double(timer.elapsed()) / 1000.0, double(folderBytes(dir)) / 1e6);
    } else {
        std::printf("history: reusing %s\n", qPrintable(dir));
    }

    EngineConfig config;
    config.dataDir = dir;
    config.readOnly = true;
    config.store.maxKeys = std::max(o.keys + 10, 10'000);
    PerformanceEngine engine(config);
    QString error;
    QElapsedTimer startTimer;
    startTimer.start();
    if (!engine.start(&error)) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(error));
        return 1;
    }
    std::printf(
        "engine start (restores the last 80 min into memory): %lld ms\n", static_cast<long long>(startTimer.elapsed()));
    const EngineDashboardSource source(engine);

    std::vector<double> data, pdf, csv, total;
    std::size_t keysInReport = 0;
    qint64 pdfBytes = 0;
    qint64 csvBytes = 0;
    for (int run = 0; run < o.runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        ReportRequest request;
        request.hours = o.hours;
        const ReportData report = ReportBuilder::build(source, request);
        const double dataMs = double(timer.nsecsElapsed()) / 1e6;
        keysInReport = report.api.size() + report.database.size() + report.processing.size() + report.gauges.size()
            + report.caches.size();

        timer.restart();
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (!ReportPdfWriter::write(report, &buffer, {}, &error)) {
            std::fprintf(stderr, "pdf: %s\n", qPrintable(error));
            return 1;
        }
        const double pdfMs = double(timer.nsecsElapsed()) / 1e6;
        pdfBytes = bytes.size();

        timer.restart();
        QTemporaryDir csvDir;
        QStringList files;
        if (!ReportCsv::writeAll(report, csvDir.path(), &files, &error)) {
            std::fprintf(stderr, "csv: %s\n", qPrintable(error));
            return 1;
        }
        const double csvMs = double(timer.nsecsElapsed()) / 1e6;
        csvBytes = folderBytes(csvDir.path());

        data.push_back(dataMs);
        pdf.push_back(pdfMs);
        csv.push_back(csvMs);
        total.push_back(dataMs + pdfMs + csvMs);
        std::printf("run %d: data %7.1f ms, pdf %7.1f ms, csv %7.1f ms, total %7.1f ms\n", run + 1, dataMs, pdfMs,
            csvMs, dataMs + pdfMs + csvMs);
    }
    std::printf("report: %zu keys with data, PDF %.0f kB, CSV files %.1f MB\n", keysInReport, double(pdfBytes) / 1e3,
        double(csvBytes) / 1e6);
    std::printf("median of %d: data %.1f ms, pdf %.1f ms, csv %.1f ms, total %.1f ms (target <= 2000 ms: %s)\n", o.runs,
        median(data), median(pdf), median(csv), median(total), median(total) <= 2000 ? "met" : "NOT met");

    // For information: the PDF with every row of every table instead of the first 200.
    {
        ReportRequest request;
        request.hours = o.hours;
        const ReportData report = ReportBuilder::build(source, request);
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        ReportPdfOptions all;
        all.maxTableRows = 0;
        QElapsedTimer timer;
        timer.start();
        ReportPdfWriter::write(report, &buffer, all, &error);
        std::printf("pdf with every row (not capped): %.1f ms, %.1f MB\n", double(timer.nsecsElapsed()) / 1e6,
            double(bytes.size()) / 1e6);
    }
    engine.stop();
    return 0;
}
