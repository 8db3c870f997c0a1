#pragma once

#include "aggregate.h"

#include <QJsonObject>
#include <QString>
#include <array>
#include <map>
#include <unordered_map>
#include <vector>

namespace perfwatch {

class MetricStore;

/// Thresholds of the score (docs/DESIGN.md §11) and of the recommendation rules (docs/DESIGN.md §12).
struct AnalyzerConfig
{
    qint64 windowMs = 15 * 60 * 1000; ///< score window
    double slowApiMs = 500; ///< T_api, PERFORMANCE_SLOW_API_THRESHOLD_MS
    double slowDbMs = 200; ///< T_db, PERFORMANCE_SLOW_DB_THRESHOLD_MS
    double minThroughput = 100; ///< items/s, PERFORMANCE_MIN_THROUGHPUT

    // Score
    double apiMaxLost = 40;
    double dbMaxLost = 25;
    double errorMaxLost = 35;
    double errorRateLow = 0.01; ///< no points lost at or below
    double errorRateHigh = 0.10; ///< all errorMaxLost points lost at or above
    double cacheBonus = 5;
    double cacheBonusHitRate = 0.80;
    quint64 cacheBonusMinLookups = 100;

    // Rules
    quint64 slowEndpointMinRequests = 10; ///< rule 1
    double slowEndpointDbShare = 0.5; ///< rule 1: name db operations when they take over half
    double errorRateThreshold = 0.01; ///< rule 2
    double errorRateHighPriority = 0.05; ///< rule 2: high priority above this rate
    quint64 errorRateMinRequests = 20; ///< rule 2
    double frequentQueryPerHour = 1000; ///< rule 4
    double frequentQueryFraction = 0.25; ///< rule 4: avg above this fraction of T_db
    double poolHighUtilisation = 0.90; ///< rule 5
    double poolLowUtilisation = 0.20; ///< rule 5
    double poolGrowFactor = 1.25; ///< rule 5
    double processingSlowMs = 1000; ///< rule 6
    double processingShare = 0.50; ///< rule 6
    double cacheMinHitRate = 0.80; ///< rule 8
    quint64 cacheMinLookups = 100; ///< rule 8
    double degradationFactor = 1.5; ///< rule 9
    quint64 degradationMinSamples = 50; ///< rule 9
    qint64 memoryGrowthMinSpanMs = 30 * 60 * 1000; ///< rule 10
    double memoryGrowthMinR2 = 0.8; ///< rule 10: least-squares fit quality
    double memoryGrowthMinPerHour = 0.05; ///< rule 10: growth per hour relative to the mean
    quint32 nPlusOneMinQueries = 5; ///< rule 11

    // Trends
    double trendChangeThreshold = 0.20; ///< p95 change beyond +/- this is degrading / improving
};

/// The fixed limits of the score (docs/DESIGN.md §11); the thresholds they scale are AnalyzerConfig's.
///
/// A component loses nothing at or below its threshold, all its points at or above the limit given here,
/// linearly in between. The error component's limits are AnalyzerConfig::errorRateLow and errorRateHigh.
/// In one place so computeScore() and the texts that explain the score (the PDF report) cannot disagree.
struct ScoreLimits
{
    static constexpr double kApiAllLostFactor = 4; ///< all apiMaxLost points lost at p95 >= 4 x T_api
    static constexpr double kDbAllLostFactor = 4; ///< all dbMaxLost points lost at average >= 4 x T_db
    static constexpr double kMaxScore = 100; ///< score = clamp(round(kMaxScore - lost + bonus), 0, kMaxScore)
    static constexpr int kExcellentFrom = 80; ///< lowest score of Band::Excellent
    static constexpr int kGoodFrom = 60; ///< lowest score of Band::Good
    static constexpr int kFairFrom = 40; ///< lowest score of Band::Fair; below is Band::Poor
};

enum class Band : quint8
{
    NoData,
    Poor,
    Fair,
    Good,
    Excellent
};

/// Wire name of a band: "excellent", "good", "fair", "poor", "no_data".
QString bandName(Band band);
/// The band a score falls in.
Band bandForScore(int score);

/// Where the points of the score went (docs/DESIGN.md §11). Measured values are NaN without data.
struct ScoreBreakdown
{
    quint64 apiRequests = 0;
    double apiP95Ms = 0;
    double apiThresholdMs = 0;
    double apiPointsLost = 0;

    quint64 dbOperations = 0;
    double dbAvgMs = 0;
    double dbThresholdMs = 0;
    double dbPointsLost = 0;

    quint64 errorCount = 0; ///< API 5xx + failed db operations
    quint64 errorTotal = 0; ///< API requests + db operations
    double errorRate = 0;
    double errorRateLow = 0;
    double errorRateHigh = 0;
    double errorPointsLost = 0;

    quint64 cacheLookups = 0;
    double cacheHitRate = 0;
    double cacheBonusThreshold = 0;
    quint64 cacheBonusMinLookups = 0;
    double cacheBonus = 0;

    QJsonObject toJson() const;
};

struct Score
{
    int value = 0; ///< 0..100; 0 with Band::NoData
    Band band = Band::NoData;
    ScoreBreakdown breakdown;
    qint64 computedAtMs = 0;
};

enum class RecommendationType : quint8
{
    Api,
    Database,
    Processing,
    Resources,
    Trend
};
enum class Priority : quint8
{
    High,
    Medium,
    Low
};

QString typeName(RecommendationType type); ///< "api", "database", "processing", "resources", "trend"
QString priorityName(Priority priority); ///< "high", "medium", "low"
/// Inverses of the wire names; false (leaving the output alone) for an unknown name.
bool bandFromName(const QString &name, Band &band);
bool typeFromName(const QString &name, RecommendationType &type);
bool priorityFromName(const QString &name, Priority &priority);

/// One piece of advice with the numbers that triggered it (docs/DESIGN.md §12).
struct Recommendation
{
    QString id; ///< stable across ticks: "<rule>:<service>:<target>" (n_plus_one appends ":<db key>")
    QString rule; ///< "slow_endpoint", "high_error_rate", "slow_query", "missing_index", "connection_pool",
                  ///< "processing_bottleneck", "low_throughput", "cache_hit_rate", "degradation",
                  ///< "memory_growth", "n_plus_one", "key_cardinality"
    RecommendationType type = RecommendationType::Api;
    Priority priority = Priority::Medium;
    QString service;
    QString target; ///< the key the advice is about
    QString message; ///< what is wrong, one sentence
    QString suggestion; ///< what to do, one or two sentences (an index statement where it applies)
    QJsonObject evidence; ///< measured numbers and the threshold that fired
    /// Severity within a priority: how many times over the threshold that fired the measured value is
    /// (>= 1; for "below" rules such as cache hit rate or throughput, threshold / measured). Rules with
    /// two thresholds use the larger ratio; see model/rules_*.cpp for each rule's formula.
    double impact = 0;
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;

    QJsonObject toJson() const;
};

enum class TrendDirection : quint8
{
    Improving,
    Stable,
    Degrading
};

QString trendDirectionName(TrendDirection direction); ///< "improving", "stable", "degrading"

/// How a latency key's p95 moved between the hour before the window and the window.
struct Trend
{
    KeyMeta meta;
    double currentP95Ms = 0;
    double previousP95Ms = 0;
    double change = 0; ///< current / previous - 1
    quint64 currentCount = 0;
    quint64 previousCount = 0;
    TrendDirection direction = TrendDirection::Stable;

    QJsonObject toJson() const;
};

/// Minute points of one gauge key.
struct GaugeSeries
{
    KeyMeta meta;
    std::vector<TimePoint> points;
};

/// Everything the analyzer looks at; plain values so tests can craft it directly.
/// A service and kind whose names went beyond the key caps during the window (see KeyCaps).
struct KeyOverflow
{
    QString service;
    MetricKind kind = MetricKind::Api;
    quint64 events = 0; ///< events of the window counted only in the overflow key
    quint64 allEvents = 0; ///< events of the window of the service and kind, overflow included
    int keys = 0; ///< live keys of the service and kind
    int limit = 0; ///< the most one service holds of a kind (KeyCaps::perService)
    struct Pattern
    {
        QString pattern; ///< namePattern() of the names
        int keys = 0; ///< live keys with this pattern
        QString example; ///< one of them
    };
    std::vector<Pattern> patterns; ///< the patterns with most distinct keys, most first, at most 3
};

struct AnalyzerInput
{
    qint64 nowMs = 0;
    qint64 windowMs = 0;
    std::vector<KeyAggregate> current; ///< per key, the score window
    std::vector<KeyAggregate> previous; ///< per key, the hour before the window
    std::vector<GaugeSeries> gauges; ///< gauge keys, minute points over the last 80 min
    std::vector<RequestTrace> traces; ///< correlated requests finished in the window
    std::map<KeyId, std::vector<FieldSetCount>> fieldSets; ///< db keys of the window
    std::vector<KeyOverflow> overflows; ///< services and kinds beyond the key caps in the window
};

/// Output of one analysis.
struct AnalysisResult
{
    Score score;
    std::vector<Recommendation> recommendations; ///< high priority first, then by impact
    std::vector<Trend> trends; ///< keys with enough samples in both periods
    std::unordered_map<KeyId, double> apdex; ///< API keys of the window
};

/// Per-key recommendations of the previous analysis with the exact inputs they were built from, so a
/// key whose numbers did not change gets the same advice (sharing its strings) without formatting it
/// again. Internal to Analyzer; declared here so Analyzer stays a copyable value.
struct RecommendationMemo
{
    static constexpr std::size_t kMaxInputs = 8;
    struct Entry
    {
        std::array<quint64, kMaxInputs> inputs {}; ///< bit patterns of the numbers and thresholds used
        Recommendation recommendation; ///< without first/last seen, which are set per analysis
        quint64 analysis = 0; ///< the analysis that last used it; older entries are dropped
    };
    std::unordered_map<quint64, Entry> entries; ///< by rule << 32 | key id
    QString language; ///< locale and window text the texts were formatted with
    quint64 analysis = 0;
};

/// Apdex of one API key's aggregate with threshold T (satisfied <= T, tolerating <= 4 T); 5xx
/// count as frustrated. NaN without requests. A pure function.
double apdex(const Aggregate &agg, double thresholdMs);

/// Computes the score, the recommendations and the trends.
///
/// Pure except for remembering when each recommendation was first seen.
class Analyzer
{
public:
    explicit Analyzer(AnalyzerConfig config = {});

    const AnalyzerConfig &config() const { return m_config; }
    void setConfig(const AnalyzerConfig &config) { m_config = config; }

    /// Reads what analyze() needs from the store (short locks, value copies).
    AnalyzerInput collect(const MetricStore &store, qint64 nowMs) const;
    AnalysisResult analyze(const AnalyzerInput &input);
    /// collect() then analyze().
    AnalysisResult analyze(const MetricStore &store, qint64 nowMs);

    /// The score alone (docs/DESIGN.md §11) over a window's key aggregates.
    Score computeScore(const std::vector<KeyAggregate> &window, qint64 nowMs) const;
    /// perfwatch::apdex() with T = T_api.
    double apdex(const Aggregate &agg) const;

    /// Restores first-seen times (from persistence) so they survive restarts.
    void rememberFirstSeen(const std::vector<Recommendation> &recommendations);

private:
    AnalyzerConfig m_config;
    struct Seen
    {
        qint64 firstMs = 0;
        qint64 lastMs = 0;
    };
    /// When each recommendation id fired first and last; ids quiet for an hour are forgotten, so
    /// advice that comes back later is new again and the map stays bounded.
    std::unordered_map<QString, Seen> m_firstSeen;
    RecommendationMemo m_memo;
};

} // namespace perfwatch
