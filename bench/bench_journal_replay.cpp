// How long PerfWatch takes to replay an ingest journal at start-up.
//
//   perfwatch-bench-journal-replay --events N [--batch B] [--keys K] [--kind native|spans]
//                                  [--checkpoint-s S]
//
// Ingests N events in batches of B (K api keys; `spans` gives every event a trace id, as OTLP
// span batches carry) into a PerformanceEngine on a fresh data folder, as a minute of load: the
// batches' receive times spread over 60 s, and a journal checkpoint every S of those seconds
// (default 2, as --journal-checkpoint-ms; 0: none). No flush runs, so the journal holds the
// whole minute. The folder is then copied as a kill -9 leaves it and a second PerformanceEngine
// started on the copy; reports the replay's duration (IngestJournal::Status::replay), the
// journal's size and the events the replayed store counts. One line of JSON.
#include "engine.h"
#include "ingestjournal.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace perfwatch;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    quint64 events = 1'000'000;
    int batch = 1000;
    int keys = 300;
    bool spans = false;
    double checkpointS = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--events"))
            events = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--keys"))
            keys = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--kind"))
            spans = !std::strcmp(argv[i + 1], "spans");
        else if (!std::strcmp(argv[i], "--checkpoint-s"))
            checkpointS = std::atof(argv[i + 1]);
        else {
            std::fprintf(stderr, "perfwatch-bench-journal-replay: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (batch < 1 || keys < 1) {
        std::fprintf(stderr, "perfwatch-bench-journal-replay: --batch and --keys must be positive\n");
        return 2;
    }
    QTemporaryDir dir;
    std::vector<std::string> names, traceIds;
    for (int k = 0; k < keys; ++k)
        names.push_back("GET:/api/k" + std::to_string(k));
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - 60'000; // a minute of load, just before
    EngineConfig config;
    config.dataDir = dir.filePath(QStringLiteral("live"));
    config.flushIntervalMs = 3600'000;
    config.analysisIntervalMs = 3600'000;
    config.journalCheckpointMs = 0; // the bench takes them, at the load's own pace
    const QString crashed = dir.filePath(QStringLiteral("crashed"));
    QElapsedTimer timer;
    timer.start();
    quint64 written = 0;
    quint64 checkpoints = 0;
    {
        PerformanceEngine live(config);
        QString error;
        if (!live.start(&error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::vector<IngestEvent> batchEvents;
        char id[33];
        quint64 n = 0;
        const quint64 checkpointEvery
            = checkpointS > 0 ? std::max<quint64>(1, quint64(double(events) * checkpointS / 60)) : 0;
        quint64 nextCheckpoint = checkpointEvery;
        while (written < events) {
            batchEvents.clear();
            traceIds.clear();
            const qint64 nowMs = start + qint64(written * 60'000 / std::max<quint64>(events, 1));
            for (int i = 0; i < batch && written + batchEvents.size() < events; ++i, ++n) {
                IngestEvent e;
                e.kind = MetricKind::Api;
                e.service = "loadgen";
                e.name = names[n % names.size()];
                e.value = 3.0 + double(n % 97);
                e.status = n % 50 == 0 ? 500 : 200;
                e.error = e.status >= 500;
                e.timestampMs = nowMs - qint64(n % 900);
                if (spans) {
                    std::snprintf(id, sizeof id, "%016llx%016llx", 0x5eedull, static_cast<unsigned long long>(n));
                    traceIds.emplace_back(id, 32);
                }
                batchEvents.push_back(e);
            }
            if (spans) {
                for (std::size_t i = 0; i < batchEvents.size(); ++i)
                    batchEvents[i].requestId = traceIds[i];
            }
            if (!live.store().insert(batchEvents, nowMs,
                    MetricStore::InsertOptions { .journal = true, .fromSpans = spans, .resolves = {} })) {
                std::fprintf(stderr, "perfwatch-bench-journal-replay: append failed\n");
                return 1;
            }
            written += batchEvents.size();
            if (checkpointEvery != 0 && written >= nextCheckpoint && written < events) {
                live.checkpointNow();
                ++checkpoints;
                nextCheckpoint += checkpointEvery;
            }
        }
        // What a kill -9 leaves: the files as they are, nothing flushed or closed.
        for (const QString &sub : { QString(), QStringLiteral("/journal") }) {
            QDir().mkpath(crashed + sub);
            for (const QString &name : QDir(config.dataDir + sub).entryList(QDir::Files)) {
                if (!QFile::copy(config.dataDir + sub + u'/' + name, crashed + sub + u'/' + name)) {
                    std::fprintf(stderr, "perfwatch-bench-journal-replay: cannot copy %s\n", qPrintable(name));
                    return 1;
                }
            }
        }
        QFile::remove(crashed + QStringLiteral("/journal/lock"));
    }
    const qint64 writeMs = timer.elapsed();

    config.dataDir = crashed;
    PerformanceEngine engine(config);
    timer.restart();
    QString notice;
    if (!engine.start(&notice)) {
        std::fprintf(stderr, "%s\n", qPrintable(notice));
        return 1;
    }
    const qint64 startMs = timer.elapsed();
    const IngestJournal::Status status = engine.journalStatus();
    quint64 stored = 0; // from the minute tier: restored checkpoint rows and replayed batches
    for (const KeyAggregate &k : engine.store().window(start - 3600'000, QDateTime::currentMSecsSinceEpoch() + 1))
        stored += k.agg.stats.count;
    std::printf("{\"events\":%llu,\"batch\":%d,\"kind\":\"%s\",\"journal_bytes\":%llu,\"bytes_per_event\":%.1f,"
                "\"write_ms\":%lld,\"replay_ms\":%lld,\"start_ms\":%lld,\"replayed_events\":%llu,\"stored\":%llu,"
                "\"replay_events_per_s\":%.0f,\"checkpoints\":%llu,\"checkpoints_replayed\":%llu}\n",
        static_cast<unsigned long long>(written), batch, spans ? "spans" : "native",
        static_cast<unsigned long long>(status.bytes), double(status.bytes) / double(std::max<quint64>(written, 1)),
        static_cast<long long>(writeMs), static_cast<long long>(status.replay.durationMs),
        static_cast<long long>(startMs), static_cast<unsigned long long>(status.replay.replayedEvents),
        static_cast<unsigned long long>(stored),
        double(status.replay.replayedEvents) * 1000.0 / double(std::max<qint64>(status.replay.durationMs, 1)),
        static_cast<unsigned long long>(checkpoints), static_cast<unsigned long long>(status.replay.checkpoints));
    engine.stop();
    return stored == written ? 0 : 1;
}
