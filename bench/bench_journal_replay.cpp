// How long PerfWatch takes to replay an ingest journal at start-up.
//
//   perfwatch-bench-journal-replay --events N [--batch B] [--keys K] [--kind native|spans]
//
// Writes a journal of N events in batches of B (K api keys; `spans` gives every event a trace id
// and a db child, as OTLP span batches carry) through the same encode and append as ingest, into
// a fresh data folder with an empty history, then starts a PerformanceEngine on it and reports
// the replay's duration (IngestJournal::Status::replay) and the journal's size. One line of JSON.

#include "engine.h"
#include "ingestjournal.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
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
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--events"))
            events = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--keys"))
            keys = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--kind"))
            spans = !std::strcmp(argv[i + 1], "spans");
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
    QElapsedTimer timer;
    timer.start();
    quint64 written = 0;
    {
        IngestJournal journal;
        QString error;
        if (!journal.open(dir.filePath(QStringLiteral("journal")), 1000, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        journal.replay(0, {});
        std::vector<IngestEvent> batchEvents;
        QByteArray record;
        char id[33];
        quint64 n = 0;
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
            IngestJournal::encode(record, IngestJournal::RecordType::Insert, spans ? IngestJournal::kFromSpans : 0,
                nowMs, batchEvents);
            if (journal.append(record) == 0) {
                std::fprintf(stderr, "perfwatch-bench-journal-replay: append failed\n");
                return 1;
            }
            written += batchEvents.size();
        }
    }
    const qint64 writeMs = timer.elapsed();

    EngineConfig config;
    config.dataDir = dir.path();
    config.flushIntervalMs = 3600'000;
    config.analysisIntervalMs = 3600'000;
    PerformanceEngine engine(config);
    timer.restart();
    QString notice;
    if (!engine.start(&notice)) {
        std::fprintf(stderr, "%s\n", qPrintable(notice));
        return 1;
    }
    const qint64 startMs = timer.elapsed();
    const IngestJournal::Status status = engine.journalStatus();
    quint64 stored = 0;
    for (const KeyTotals &t : engine.store().totals())
        stored += t.count;
    std::printf("{\"events\":%llu,\"batch\":%d,\"kind\":\"%s\",\"journal_bytes\":%llu,\"bytes_per_event\":%.1f,"
                "\"write_ms\":%lld,\"replay_ms\":%lld,\"start_ms\":%lld,\"replayed_events\":%llu,\"stored\":%llu,"
                "\"replay_events_per_s\":%.0f}\n",
        static_cast<unsigned long long>(written), batch, spans ? "spans" : "native",
        static_cast<unsigned long long>(status.bytes),
        double(status.bytes) / double(std::max<quint64>(written, 1)), static_cast<long long>(writeMs),
        static_cast<long long>(status.replay.durationMs), static_cast<long long>(startMs),
        static_cast<unsigned long long>(status.replay.replayedEvents), static_cast<unsigned long long>(stored),
        double(status.replay.replayedEvents) * 1000.0 / double(std::max<qint64>(status.replay.durationMs, 1)));
    engine.stop();
    return stored == written ? 0 : 1;
}
