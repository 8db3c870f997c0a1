#pragma once

#include "aggregate.h"
#include "analyzer.h"
#include "engine.h"
#include "ingestcounters.h"
#include "metricstore.h"

#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QStringList>
#include <array>
#include <limits>
#include <memory>
#include <vector>

namespace perfwatch {

/// The time ranges the dashboard offers.
enum class TimeRange : quint8
{
    Minutes5,
    Minutes15,
    Hour1,
    Hours6,
    Hours24,
};
inline constexpr std::array kTimeRanges { TimeRange::Minutes5, TimeRange::Minutes15, TimeRange::Hour1,
    TimeRange::Hours6, TimeRange::Hours24 };

/// Length of a range in milliseconds.
qint64 rangeMs(TimeRange range);
/// Chart resolution of a range: a bucket tier the store keeps, at most kMaxChartPoints points.
qint64 rangeStepMs(TimeRange range);

/// The most points one chart series gets per tick.
inline constexpr int kMaxChartPoints = 600;
/// Marks a key that exists only in the persisted history, not in the live store.
inline constexpr KeyId kNoLiveKey = KeyId(-1);

/// Who a key is, stable across the live store and the persisted history.
struct KeyRef
{
    MetricKind kind = MetricKind::Api;
    QString service;
    QString name;
    KeyId id = kNoLiveKey; ///< live store id; not part of the identity

    bool isValid() const { return !name.isEmpty(); }
    /// The overflow key (KeyMeta::isOverflow()): a table row, never a selection (isValid() is false).
    bool isOverflow() const { return name.isEmpty(); }
    KeyMeta meta() const { return KeyMeta { id, kind, service, name }; }
    static KeyRef fromMeta(const KeyMeta &meta) { return KeyRef { meta.kind, meta.service, meta.name, meta.id }; }
    friend bool operator==(const KeyRef &a, const KeyRef &b)
    {
        return a.kind == b.kind && a.name == b.name && a.service == b.service;
    }
};
size_t qHash(const KeyRef &key, size_t seed = 0) noexcept;

/// What the GUI asks the worker to build.
struct DashboardRequest
{
    quint64 sequence = 0;
    TimeRange range = TimeRange::Minutes15;
    QStringList services; ///< empty: every service
    KeyRef selected; ///< invalid: charts show all traffic
    int rawSampleLimit = 200;
    qint64 nowMs = 0; ///< 0: the wall clock (tests pin it)
};

/// One row of a key table: a key's figures over the selected range. NaN means "no value".
struct KeyRow
{
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

    KeyRef key;
    quint64 count = 0;
    double ratePerSec = 0;
    double avg = kNaN;
    double p50 = kNaN;
    double p95 = kNaN;
    double p99 = kNaN;
    double min = kNaN;
    double max = kNaN;
    quint64 errors = 0;
    double errorRate = kNaN; ///< fraction
    double apdex = kNaN;
    quint64 items = 0; ///< processing: items; db: documents; cache: hits
    double itemsPerSec = kNaN;
    quint64 hits = 0;
    quint64 misses = 0;
    double hitRate = kNaN; ///< fraction
    double last = kNaN; ///< gauges
    /// p50/p95/p99 were interpolated inside histogram buckets (OTLP metrics); the rest is exact.
    bool approximate = false;

    /// Same figures (NaN equals NaN); the key is not compared.
    bool sameValues(const KeyRow &o) const;
};

/// The headline figures of one window, for the KPI tiles.
struct Kpis
{
    double requestsPerSec = KeyRow::kNaN;
    double apiP95Ms = KeyRow::kNaN;
    double errorRate = KeyRow::kNaN; ///< API 5xx and failed db operations over both
    double dbAvgMs = KeyRow::kNaN;
    double cacheHitRate = KeyRow::kNaN;
};

/// OpenTelemetry error logs (ERROR and FATAL records) of the services shown, for their tile.
struct ErrorLogs
{
    bool haveLogs = false; ///< the services shown sent log records since the start
    double perMinute = 0; ///< over the last 5 minutes (or since start when younger)
    quint64 last5Min = 0;
    quint64 sinceStart = 0;
    QStringList services; ///< the services with error logs in the last 5 minutes, most first
};

/// What the latency chart shows: latency percentiles, or for a selected gauge or cache its value.
enum class LatencyMode : quint8
{
    Latency, ///< p50, p95, p99 in ms
    Gauge, ///< average, minimum, maximum of the gauge
    HitRate, ///< cache hit rate in percent (slot 0)
};

/// Ingest and persistence state for the status bar.
struct IngestStatus
{
    bool haveIngest = false; ///< false without an ingest server (dev tool, tests)
    IngestCountersSnapshot ingest;
    StoreCounters store;
    double eventsPerSec = 0;
    PersistenceStatus persistence;
};

/// Everything one tick shows; built on the worker thread, immutable once handed over.
struct DashboardSnapshot
{
    DashboardRequest request;
    qint64 nowMs = 0;
    qint64 fromMs = 0; ///< start of the charts' x range (aligned to stepMs)
    qint64 stepMs = 0;
    double windowSeconds = 0; ///< the span the table rates divide by

    std::array<std::vector<KeyRow>, kMetricKindCount> rows; ///< by MetricKind, every key with data
    QStringList services;
    bool hasData = false; ///< anything ever arrived

    AnalysisResult analysis;
    AnalyzerConfig thresholds;
    Kpis current;
    Kpis previous; ///< the window of the same length before the current one
    ErrorLogs errorLogs;

    LatencyMode latencyMode = LatencyMode::Latency;
    std::array<QList<QPointF>, 3> latency; ///< p50, p95, p99 (or per LatencyMode)
    std::array<QList<QPointF>, 3> throughput; ///< requests/s, db ops/s, processing items/s
    std::array<QList<QPointF>, 2> errorRate; ///< API 5xx %, failed db %
    QList<QPointF> score;

    KeyRef rawKey; ///< whose raw samples these are
    std::vector<RawSample> rawSamples; ///< newest last

    IngestStatus status;
    qint64 buildMicros = 0; ///< how long the worker took

    const std::vector<KeyRow> &rowsOf(MetricKind kind) const { return rows[std::size_t(kind)]; }
};

using DashboardSnapshotPtr = std::shared_ptr<const DashboardSnapshot>;

} // namespace perfwatch

Q_DECLARE_METATYPE(perfwatch::DashboardRequest)
Q_DECLARE_METATYPE(perfwatch::DashboardSnapshotPtr)
