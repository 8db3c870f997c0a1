#pragma once

#include "engine.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

class QSettings;

namespace perfwatch {

/// Everything a user can configure, with docs/DESIGN.md §13's precedence: command line > environment >
/// settings (QSettings, the settings dialog) > defaults.
struct AppSettings
{
    QString bindAddress = QStringLiteral("127.0.0.1");
    int port = 4318;
    int statsdPort = 8125;
    int grpcPort = 4317; ///< OTLP/gRPC; -1 turns it off (--grpc-port off)
    int ingestThreads = 2; ///< PERFWATCH_INGEST_THREADS, --ingest-threads: HTTP threads (capped at the CPUs)
    QString dataDir; ///< empty: the platform's application-data folder
    QString token; ///< bearer token; required (and generated) when bound off loopback
    /// --journal-sync-ms: how often the ingest journal is synced (a power loss loses at most
    /// this); 0 syncs every batch. Not saved: a command-line choice.
    int journalSyncMs = 1000;
    /// --journal-checkpoint-ms: how often the changed rollups go into the journal as a
    /// checkpoint (start-up replays only what came after the last one); 0: none. Not saved.
    int journalCheckpointMs = 2000;
    int refreshMs = 1000;
    QString language; ///< empty: the system locale
    int cleanupIntervalMinutes = 30; ///< PERFORMANCE_CLEANUP_INTERVAL_MINUTES
    int maxMetricHistory = 1000; ///< PERFORMANCE_MAX_METRIC_HISTORY
    double slowApiMs = 500; ///< PERFORMANCE_SLOW_API_THRESHOLD_MS
    double slowDbMs = 200; ///< PERFORMANCE_SLOW_DB_THRESHOLD_MS
    double minThroughput = 100; ///< PERFORMANCE_MIN_THROUGHPUT
    int retentionHours = 48;
    int maxKeys = 10000;
    bool closeToTray = false;
    bool notifications = true;
    int reportHours = 24; ///< the period a report covers (window exports and scheduled reports)
    QString reportPageSize = QStringLiteral("A4"); ///< "A4" or "Letter"
    bool scheduledReports = false; ///< write a PDF report every scheduledReportEveryHours
    int scheduledReportEveryHours = 24;
    QString scheduledReportDir; ///< where scheduled reports go

    /// Reads saved values; keys that are missing or invalid keep their current value.
    void load(const QSettings &settings);
    void save(QSettings &settings) const;
    /// Applies the PERFORMANCE_*, PERFWATCH_TOKEN and PERFWATCH_INGEST_THREADS variables. Returns one warning line per
    /// variable that is set but invalid (that variable is then ignored).
    QStringList applyEnvironment(const QProcessEnvironment &env);
    /// Why the values cannot be used, one line each; empty when they are fine.
    QStringList validate() const;

    /// The data folder to use: dataDir, or the platform default.
    QString resolvedDataDir() const;
    bool bindsLoopback() const;
    EngineConfig engineConfig() const;
    AnalyzerConfig analyzerConfig() const;
};

/// Reads the token stored in `dataDir`, or creates a random one there (file mode 0600).
/// Returns an empty string and sets `error` when the file cannot be read or written.
QString loadOrCreateToken(const QString &dataDir, QString *error);

} // namespace perfwatch
