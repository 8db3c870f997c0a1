#include "analyzer.h"
#include "metricstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QTest>
#include <cmath>
#include <deque>
#include <limits>
#include <string>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kNow = 1'700'000'000'000; // 2023-11-14T22:13:20Z
constexpr qint64 kMinute = 60'000;
constexpr qint64 kWindow = 15 * kMinute;

KeyAggregate makeKey(KeyId id, MetricKind kind, const QString &name, const QString &service = u"shop"_s)
{
    KeyAggregate k;
    k.meta.id = id;
    k.meta.kind = kind;
    k.meta.name = name;
    k.meta.service = service;
    return k;
}

/// Adds `n` measurements of `ms` the way the store does: stats and sketch.
void add(KeyAggregate &k, double ms, int n = 1, bool error = false, quint64 items = 0)
{
    IngestEvent e;
    e.kind = k.meta.kind;
    e.value = ms;
    e.error = error;
    e.items = items;
    for (int i = 0; i < n; ++i) {
        k.agg.stats.add(e, kNow);
        if (kindHasLatency(k.meta.kind))
            k.agg.sketch.add(ms);
    }
}

void addApi(KeyAggregate &k, double ms, int n, quint16 status = 200)
{
    add(k, ms, n, status >= 500);
}

KeyAggregate cacheKey(KeyId id, const QString &name, quint64 hits, quint64 misses)
{
    KeyAggregate k = makeKey(id, MetricKind::Cache, name);
    IngestEvent e;
    e.kind = MetricKind::Cache;
    e.items = hits;
    e.misses = misses;
    k.agg.stats.add(e, kNow);
    return k;
}

TimePoint gaugePoint(qint64 startMs, std::initializer_list<double> values)
{
    TimePoint p;
    p.startMs = startMs;
    IngestEvent e;
    e.kind = MetricKind::Gauge;
    for (double v : values) {
        e.value = v;
        p.agg.stats.add(e, startMs);
    }
    return p;
}

/// A result's recommendations as JSON: every field, for comparing two analyses.
QByteArray recommendationsJson(const AnalysisResult &result)
{
    QJsonArray out;
    for (const Recommendation &r : result.recommendations)
        out.append(r.toJson());
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

AnalyzerInput makeInput()
{
    AnalyzerInput in;
    in.nowMs = kNow;
    in.windowMs = kWindow;
    return in;
}

std::vector<const Recommendation *> byRule(const AnalysisResult &result, const QString &rule)
{
    std::vector<const Recommendation *> out;
    for (const Recommendation &r : result.recommendations) {
        if (r.rule == rule)
            out.push_back(&r);
    }
    return out;
}

/// The single recommendation of a rule, or nullptr when it did not fire.
const Recommendation *single(const AnalysisResult &result, const QString &rule)
{
    const auto found = byRule(result, rule);
    return found.size() == 1 ? found.front() : nullptr;
}

double ev(const Recommendation *r, const char *field)
{
    return r->evidence.value(QLatin1String(field)).toDouble(std::numeric_limits<double>::quiet_NaN());
}

/// The 84-point example of the brief: 100 GET:/api/trips (90 x 100 ms, 10 x 1100 ms) and 50 find:trips at 50 ms.
AnalyzerInput exampleInput()
{
    AnalyzerInput in = makeInput();
    KeyAggregate trips = makeKey(1, MetricKind::Api, u"GET:/api/trips"_s);
    addApi(trips, 100, 90);
    addApi(trips, 1100, 10);
    KeyAggregate find = makeKey(2, MetricKind::Db, u"find:trips"_s);
    add(find, 50, 50);
    in.current = { trips, find };
    return in;
}

} // namespace

Q_DECLARE_METATYPE(Priority)
Q_DECLARE_METATYPE(Band)
Q_DECLARE_METATYPE(TrendDirection)

class TestAnalyzer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // Score (docs/DESIGN.md §11)
    void acceptanceExample();
    void bandForScore_data();
    void bandForScore();
    void scoreBands_data();
    void scoreBands();
    void apiLoss_data();
    void apiLoss();
    void dbLoss_data();
    void dbLoss();
    void errorLoss_data();
    void errorLoss();
    void cacheBonus_data();
    void cacheBonus();
    void cacheLookupsSaturate();
    void noData();
    void breakdownJson();
    void apdex();
    void apdexWithErrors();
    void apdexInResult();

    // Rules (docs/DESIGN.md §12)
    void slowEndpoint_data();
    void slowEndpoint();
    void slowEndpointDbShare();
    void slowEndpointDbShareBelowHalf();
    void highErrorRate_data();
    void highErrorRate();
    void failedDbOperations();
    void namesInSentencesAreIsolated();
    void slowQuery_data();
    void slowQuery();
    void missingIndex_data();
    void missingIndex();
    void connectionPool_data();
    void connectionPool();
    void processingBottleneck_data();
    void processingBottleneck();
    void lowThroughput_data();
    void lowThroughput();
    void cacheHitRate_data();
    void cacheHitRate();
    void degradation_data();
    void degradation();
    void memoryGrowth_data();
    void memoryGrowth();
    void nPlusOne_data();
    void nPlusOne();

    // Ordering, identity, trends, JSON
    void sortOrder();
    void firstSeen();
    void rememberedRecommendations();
    void trends_data();
    void trends();
    void recommendationJson();

    // Through a real store
    void collectFromStore();
    void keyCardinalityNamesThePatterns();
};

void TestAnalyzer::initTestCase()
{
    // Messages are asserted verbatim; pin the number format.
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TestAnalyzer::acceptanceExample()
{
    Analyzer analyzer;
    const AnalysisResult result = analyzer.analyze(exampleInput());

    QCOMPARE(result.score.value, 84);
    QCOMPARE(result.score.band, Band::Excellent);
    QCOMPARE(result.score.computedAtMs, kNow);
    const ScoreBreakdown &b = result.score.breakdown;
    QCOMPARE(b.apiRequests, 100u);
    QVERIFY2(std::abs(b.apiP95Ms - 1100) <= 11, qPrintable(QString::number(b.apiP95Ms)));
    QCOMPARE(b.apiThresholdMs, 500.0);
    QVERIFY2(std::abs(b.apiPointsLost - 16) <= 0.3, qPrintable(QString::number(b.apiPointsLost)));
    QCOMPARE(b.dbOperations, 50u);
    QCOMPARE(b.dbAvgMs, 50.0);
    QCOMPARE(b.dbThresholdMs, 200.0);
    QCOMPARE(b.dbPointsLost, 0.0);
    QCOMPARE(b.errorCount, 0u);
    QCOMPARE(b.errorTotal, 150u);
    QCOMPARE(b.errorRate, 0.0);
    QCOMPARE(b.errorPointsLost, 0.0);
    QCOMPARE(b.cacheLookups, 0u);
    QVERIFY(std::isnan(b.cacheHitRate));
    QCOMPARE(b.cacheBonus, 0.0);

    QCOMPARE(result.recommendations.size(), 1u);
    const Recommendation &r = result.recommendations.front();
    QCOMPARE(r.id, u"slow_endpoint:shop:GET:/api/trips"_s);
    QCOMPARE(r.rule, u"slow_endpoint"_s);
    QCOMPARE(r.type, RecommendationType::Api);
    QCOMPARE(r.priority, Priority::High); // p95 > 2 x 500 ms
    QCOMPARE(r.target, u"GET:/api/trips"_s);
    QCOMPARE(r.service, u"shop"_s);
    QCOMPARE(r.evidence.value("requests"_L1).toInteger(), 100);
    QCOMPARE(r.evidence.value("avg_ms"_L1).toDouble(), 200.0);
    QVERIFY(std::abs(r.evidence.value("p95_ms"_L1).toDouble() - 1100) <= 11);
    QCOMPARE(r.evidence.value("threshold_ms"_L1).toDouble(), 500.0);
    QCOMPARE(r.message,
        u"GET:/api/trips is slow: p95 %1 ms over the last 15 min (threshold 500 ms)"_s.arg(
            QLocale().toString(b.apiP95Ms, 'f', 0)));
    QVERIFY(r.message.contains(u"p95 1,0"_s) || r.message.contains(u"p95 1,1"_s)); // grouped thousands
    QVERIFY(!r.suggestion.isEmpty());
    QCOMPARE(r.firstSeenMs, kNow);
    QCOMPARE(r.lastSeenMs, kNow);
}

void TestAnalyzer::bandForScore_data()
{
    QTest::addColumn<int>("score");
    QTest::addColumn<Band>("band");
    QTest::newRow("100") << 100 << Band::Excellent;
    QTest::newRow("80") << 80 << Band::Excellent;
    QTest::newRow("79") << 79 << Band::Good;
    QTest::newRow("60") << 60 << Band::Good;
    QTest::newRow("59") << 59 << Band::Fair;
    QTest::newRow("40") << 40 << Band::Fair;
    QTest::newRow("39") << 39 << Band::Poor;
    QTest::newRow("0") << 0 << Band::Poor;
}

void TestAnalyzer::bandForScore()
{
    QFETCH(int, score);
    QFETCH(Band, band);
    QCOMPARE(perfwatch::bandForScore(score), band);
}

void TestAnalyzer::scoreBands_data()
{
    // All api requests take the same time, so p95 is exact (quantiles clamp to min/max).
    // API loss = 40 (p95 - 500) / 1500, db loss = 25 (avg - 200) / 600.
    QTest::addColumn<double>("apiMs");
    QTest::addColumn<double>("dbMs");
    QTest::addColumn<int>("score");
    QTest::addColumn<Band>("band");
    QTest::addColumn<QString>("bandName");
    QTest::newRow("80") << 1250.0 << 100.0 << 80 << Band::Excellent << u"excellent"_s;
    QTest::newRow("79") << 1287.5 << 100.0 << 79 << Band::Good << u"good"_s;
    QTest::newRow("60") << 2000.0 << 100.0 << 60 << Band::Good << u"good"_s;
    QTest::newRow("59") << 2000.0 << 224.0 << 59 << Band::Fair << u"fair"_s;
    QTest::newRow("40") << 2000.0 << 680.0 << 40 << Band::Fair << u"fair"_s;
    QTest::newRow("39") << 2000.0 << 704.0 << 39 << Band::Poor << u"poor"_s;
    QTest::newRow("35 (all latency lost)") << 5000.0 << 5000.0 << 35 << Band::Poor << u"poor"_s;
    QTest::newRow("100") << 100.0 << 100.0 << 100 << Band::Excellent << u"excellent"_s;
}

void TestAnalyzer::scoreBands()
{
    QFETCH(double, apiMs);
    QFETCH(double, dbMs);
    QFETCH(int, score);
    QFETCH(Band, band);
    QFETCH(QString, bandName);
    KeyAggregate api = makeKey(1, MetricKind::Api, u"GET:/a"_s);
    addApi(api, apiMs, 20);
    KeyAggregate db = makeKey(2, MetricKind::Db, u"find:a"_s);
    add(db, dbMs, 20);
    const Score s = Analyzer().computeScore({ api, db }, kNow);
    QCOMPARE(s.value, score);
    QCOMPARE(s.band, band);
    QCOMPARE(perfwatch::bandName(s.band), bandName);
}

void TestAnalyzer::apiLoss_data()
{
    QTest::addColumn<QList<double>>("durations");
    QTest::addColumn<double>("p95");
    QTest::addColumn<double>("lost");
    QTest::newRow("below threshold") << QList<double> { 400 } << 400.0 << 0.0;
    QTest::newRow("at threshold") << QList<double> { 500 } << 500.0 << 0.0;
    QTest::newRow("quarter") << QList<double> { 875 } << 875.0 << 10.0;
    QTest::newRow("half") << QList<double> { 1250 } << 1250.0 << 20.0;
    QTest::newRow("at 4x") << QList<double> { 2000 } << 2000.0 << 40.0;
    QTest::newRow("clamped") << QList<double> { 9000 } << 9000.0 << 40.0;
    // p95 over all api keys: two keys merged, 95 fast + 5 slow -> rank 94.05 is a fast one.
    QTest::newRow("merged keys") << QList<double> { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
        100, 100, 100, 100, 100, 100, 2000 }
                                 << 100.0 << 0.0;
}

void TestAnalyzer::apiLoss()
{
    QFETCH(QList<double>, durations);
    QFETCH(double, p95);
    QFETCH(double, lost);
    // Two api keys; every duration goes 5 times into one of them, alternating.
    KeyAggregate a = makeKey(1, MetricKind::Api, u"GET:/a"_s);
    KeyAggregate b = makeKey(2, MetricKind::Api, u"GET:/b"_s);
    for (qsizetype i = 0; i < durations.size(); ++i)
        addApi(i % 2 ? b : a, durations[i], 5);
    const Score s = Analyzer().computeScore({ a, b }, kNow);
    QCOMPARE(s.breakdown.apiRequests, quint64(durations.size() * 5));
    // Exact when all durations are equal (quantiles clamp to min and max), else within the sketch's 1%.
    QVERIFY2(std::abs(s.breakdown.apiP95Ms - p95) <= 0.01 * p95, qPrintable(QString::number(s.breakdown.apiP95Ms)));
    QCOMPARE(s.breakdown.apiPointsLost, lost);
    QCOMPARE(s.value, int(std::round(100 - lost)));
}

void TestAnalyzer::dbLoss_data()
{
    QTest::addColumn<double>("fastMs");
    QTest::addColumn<double>("slowMs");
    QTest::addColumn<double>("avg");
    QTest::addColumn<double>("lost");
    // Two db keys of 10 operations each; the loss uses the weighted average over both.
    QTest::newRow("below") << 100.0 << 200.0 << 150.0 << 0.0;
    QTest::newRow("at threshold") << 200.0 << 200.0 << 200.0 << 0.0;
    QTest::newRow("half") << 100.0 << 900.0 << 500.0 << 12.5;
    QTest::newRow("at 4x") << 800.0 << 800.0 << 800.0 << 25.0;
    QTest::newRow("clamped") << 1000.0 << 3000.0 << 2000.0 << 25.0;
}

void TestAnalyzer::dbLoss()
{
    QFETCH(double, fastMs);
    QFETCH(double, slowMs);
    QFETCH(double, avg);
    QFETCH(double, lost);
    KeyAggregate a = makeKey(1, MetricKind::Db, u"find:a"_s);
    add(a, fastMs, 10);
    KeyAggregate b = makeKey(2, MetricKind::Db, u"find:b"_s);
    add(b, slowMs, 10);
    const Score s = Analyzer().computeScore({ a, b }, kNow);
    QCOMPARE(s.breakdown.dbOperations, 20u);
    QCOMPARE(s.breakdown.dbAvgMs, avg);
    QCOMPARE(s.breakdown.dbPointsLost, lost);
    QCOMPARE(s.breakdown.apiRequests, 0u);
    QVERIFY(std::isnan(s.breakdown.apiP95Ms));
    QCOMPARE(s.value, int(std::round(100 - lost)));
}

void TestAnalyzer::errorLoss_data()
{
    QTest::addColumn<int>("apiErrors");
    QTest::addColumn<int>("dbErrors");
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("lost");
    // 800 api requests + 200 db operations = 1000.
    QTest::newRow("none") << 0 << 0 << 0.0 << 0.0;
    QTest::newRow("at 1%") << 10 << 0 << 0.01 << 0.0;
    QTest::newRow("6.4% mixed") << 44 << 20 << 0.064 << 21.0;
    QTest::newRow("at 10%") << 60 << 40 << 0.10 << 35.0;
    QTest::newRow("clamped") << 300 << 0 << 0.30 << 35.0;
}

void TestAnalyzer::errorLoss()
{
    QFETCH(int, apiErrors);
    QFETCH(int, dbErrors);
    QFETCH(double, rate);
    QFETCH(double, lost);
    KeyAggregate api = makeKey(1, MetricKind::Api, u"GET:/a"_s);
    addApi(api, 100, 800 - apiErrors, 200);
    addApi(api, 100, apiErrors, 503);
    KeyAggregate db = makeKey(2, MetricKind::Db, u"find:a"_s);
    add(db, 10, 200 - dbErrors);
    add(db, 10, dbErrors, true);
    const Score s = Analyzer().computeScore({ api, db }, kNow);
    QCOMPARE(s.breakdown.errorCount, quint64(apiErrors + dbErrors));
    QCOMPARE(s.breakdown.errorTotal, 1000u);
    QCOMPARE(s.breakdown.errorRate, rate);
    QCOMPARE(s.breakdown.errorRateLow, 0.01);
    QCOMPARE(s.breakdown.errorRateHigh, 0.10);
    QCOMPARE(s.breakdown.errorPointsLost, lost);
    QCOMPARE(s.value, int(std::round(100 - lost)));
}

void TestAnalyzer::cacheBonus_data()
{
    QTest::addColumn<quint64>("hits");
    QTest::addColumn<quint64>("misses");
    QTest::addColumn<double>("bonus");
    QTest::addColumn<int>("score");
    // With 20 points of api latency lost, the bonus shows as 85 instead of 80.
    QTest::newRow("80% of 100") << quint64(80) << quint64(20) << 5.0 << 85;
    QTest::newRow("79% of 100") << quint64(79) << quint64(21) << 0.0 << 80;
    QTest::newRow("90% of 99") << quint64(89) << quint64(10) << 0.0 << 80;
    QTest::newRow("100% of 1000") << quint64(1000) << quint64(0) << 5.0 << 85;
    QTest::newRow("no lookups") << quint64(0) << quint64(0) << 0.0 << 80;
}

void TestAnalyzer::cacheBonus()
{
    QFETCH(quint64, hits);
    QFETCH(quint64, misses);
    QFETCH(double, bonus);
    QFETCH(int, score);
    KeyAggregate api = makeKey(1, MetricKind::Api, u"GET:/a"_s);
    addApi(api, 1250, 10);
    // Split the lookups over two cache keys: the hit rate is over all of them.
    const KeyAggregate c1 = cacheKey(2, u"c1"_s, hits / 2, misses / 2);
    const KeyAggregate c2 = cacheKey(3, u"c2"_s, hits - hits / 2, misses - misses / 2);
    const Score s = Analyzer().computeScore({ api, c1, c2 }, kNow);
    QCOMPARE(s.breakdown.cacheLookups, hits + misses);
    QCOMPARE(s.breakdown.cacheBonus, bonus);
    QCOMPARE(s.breakdown.cacheBonusThreshold, 0.80);
    QCOMPARE(s.breakdown.cacheBonusMinLookups, 100u);
    QCOMPARE(s.value, score);

    // Cache alone is data too; the bonus cannot push the score above 100.
    const Score cacheOnly = Analyzer().computeScore({ c1, c2 }, kNow);
    if (hits + misses > 0) {
        QCOMPARE(cacheOnly.value, 100);
        QCOMPARE(cacheOnly.band, Band::Excellent);
    } else {
        QCOMPARE(cacheOnly.band, Band::NoData);
    }
}

void TestAnalyzer::cacheLookupsSaturate()
{
    // 2^63 hits and 2^63 misses over two keys wrapped to 0 lookups: "no data" and no hit rate.
    const quint64 half = quint64(1) << 63;
    const KeyAggregate c1 = cacheKey(2, u"c1"_s, half, 0);
    const KeyAggregate c2 = cacheKey(3, u"c2"_s, 0, half);
    const Score s = Analyzer().computeScore({ c1, c2 }, kNow);
    QCOMPARE(s.breakdown.cacheLookups, std::numeric_limits<quint64>::max());
    QCOMPARE(s.breakdown.cacheHitRate, 0.5);
    QCOMPARE(s.breakdown.cacheBonus, 0.0); // 50 % is below the bonus threshold
    QCOMPARE(s.band, Band::Excellent);
    QCOMPARE(s.value, 100);
}

void TestAnalyzer::noData()
{
    Analyzer analyzer;
    const Score empty = analyzer.computeScore({}, kNow);
    QCOMPARE(empty.band, Band::NoData);
    QCOMPARE(empty.value, 0);
    QCOMPARE(bandName(empty.band), u"no_data"_s);
    QVERIFY(std::isnan(empty.breakdown.apiP95Ms));
    QVERIFY(std::isnan(empty.breakdown.dbAvgMs));
    QVERIFY(std::isnan(empty.breakdown.errorRate));
    QCOMPARE(empty.breakdown.apiThresholdMs, 500.0);
    QCOMPARE(empty.breakdown.apiPointsLost, 0.0);

    // Gauges alone are not data for the score.
    KeyAggregate gauge = makeKey(1, MetricKind::Gauge, u"process.memory.rss_bytes"_s);
    add(gauge, 1e8, 3);
    QCOMPARE(analyzer.computeScore({ gauge }, kNow).band, Band::NoData);

    // Processing alone is.
    KeyAggregate step = makeKey(2, MetricKind::Processing, u"validate"_s);
    add(step, 5, 3, false, 100);
    const Score processing = analyzer.computeScore({ gauge, step }, kNow);
    QCOMPARE(processing.band, Band::Excellent);
    QCOMPARE(processing.value, 100);

    const AnalysisResult result = analyzer.analyze(makeInput());
    QCOMPARE(result.score.band, Band::NoData);
    QVERIFY(result.recommendations.empty());
    QVERIFY(result.trends.empty());
    QVERIFY(result.apdex.empty());
}

void TestAnalyzer::breakdownJson()
{
    const Score s = Analyzer().computeScore(exampleInput().current, kNow);
    const QJsonObject json = s.breakdown.toJson();
    const QStringList keys { u"api_requests"_s, u"api_p95_ms"_s, u"api_threshold_ms"_s, u"api_points_lost"_s,
        u"db_operations"_s, u"db_avg_ms"_s, u"db_threshold_ms"_s, u"db_points_lost"_s, u"error_count"_s,
        u"error_total"_s, u"error_rate"_s, u"error_rate_low"_s, u"error_rate_high"_s, u"error_points_lost"_s,
        u"cache_lookups"_s, u"cache_hit_rate"_s, u"cache_bonus_threshold"_s, u"cache_bonus_min_lookups"_s,
        u"cache_bonus"_s };
    QCOMPARE(json.size(), keys.size());
    for (const QString &key : keys)
        QVERIFY2(json.contains(key), qPrintable(key));
    QCOMPARE(json.value("api_requests"_L1).toInteger(), 100);
    QCOMPARE(json.value("db_avg_ms"_L1).toDouble(), 50.0);
    QCOMPARE(json.value("api_threshold_ms"_L1).toDouble(), 500.0);
    QCOMPARE(json.value("error_total"_L1).toInteger(), 150);
    QVERIFY(json.value("cache_hit_rate"_L1).isNull()); // NaN without lookups
    QCOMPARE(json.value("cache_bonus"_L1).toDouble(), 0.0);

    const QJsonObject empty = Analyzer().computeScore({}, kNow).breakdown.toJson();
    QVERIFY(empty.value("api_p95_ms"_L1).isNull());
    QVERIFY(empty.value("db_avg_ms"_L1).isNull());
    QVERIFY(empty.value("error_rate"_L1).isNull());
    // Serialises (no NaN/inf reaching the writer).
    QVERIFY(QJsonDocument(empty).toJson().contains("\"api_p95_ms\": null"));
}

void TestAnalyzer::apdex()
{
    KeyAggregate k = makeKey(1, MetricKind::Api, u"GET:/a"_s);
    addApi(k, 100, 60); // satisfied
    addApi(k, 500, 10); // satisfied: at T
    addApi(k, 1000, 20); // tolerating
    addApi(k, 2000, 5); // tolerating: at 4T
    addApi(k, 3000, 5); // frustrated
    // (70 + 25 / 2) / 100
    QCOMPARE(Analyzer().apdex(k.agg), 0.825);
    QVERIFY(std::isnan(Analyzer().apdex(Aggregate {})));

    AnalyzerConfig config;
    config.slowApiMs = 50; // everything below 200 ms tolerating, the rest frustrated
    QCOMPARE(Analyzer(config).apdex(k.agg), 0.3);
}

void TestAnalyzer::apdexWithErrors()
{
    // 10% 5xx, spread like the other requests: the proportional removal is exact here.
    KeyAggregate k = makeKey(1, MetricKind::Api, u"GET:/a"_s);
    addApi(k, 100, 54);
    addApi(k, 100, 6, 500);
    addApi(k, 1000, 18);
    addApi(k, 1000, 2, 502);
    addApi(k, 3000, 18);
    addApi(k, 3000, 2, 503);
    // satisfied 54, tolerating 18 -> (54 + 9) / 100
    QCOMPARE(Analyzer().apdex(k.agg), 0.63);

    KeyAggregate allErrors = makeKey(2, MetricKind::Api, u"GET:/b"_s);
    addApi(allErrors, 10, 7, 500);
    QCOMPARE(Analyzer().apdex(allErrors.agg), 0.0);
}

void TestAnalyzer::apdexInResult()
{
    const AnalysisResult result = Analyzer().analyze(exampleInput());
    QCOMPARE(result.apdex.size(), 1u); // api keys only
    QVERIFY(result.apdex.count(1));
    QCOMPARE(result.apdex.at(1), 0.95); // 90 satisfied, 10 tolerating
}

// ---- Rules ----

void TestAnalyzer::slowEndpoint_data()
{
    QTest::addColumn<int>("fastCount");
    QTest::addColumn<double>("fastMs");
    QTest::addColumn<int>("slowCount");
    QTest::addColumn<double>("slowMs");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::addColumn<QString>("message");
    QTest::newRow("p95 over T") << 0 << 0.0 << 10 << 600.0 << true << Priority::Medium
                                << u"GET:/api/trips is slow: p95 600 ms over the last 15 min (threshold 500 ms)"_s;
    QTest::newRow("p95 over 2T") << 0 << 0.0 << 10 << 1200.0 << true << Priority::High
                                 << u"GET:/api/trips is slow: p95 1,200 ms over the last 15 min (threshold 500 ms)"_s;
    // p95 (rank 18.05 of 20) is a fast request, but one 10 s outlier lifts the average to 595 ms.
    QTest::newRow("avg only") << 19 << 100.0 << 1 << 10000.0 << true << Priority::Medium
                              << u"GET:/api/trips is slow: average 595 ms over the last 15 min (threshold 500 ms)"_s;
    QTest::newRow("too few requests") << 0 << 0.0 << 9 << 600.0 << false << Priority::Medium << QString();
    QTest::newRow("at threshold") << 0 << 0.0 << 10 << 500.0 << false << Priority::Medium << QString();
}

void TestAnalyzer::slowEndpoint()
{
    QFETCH(int, fastCount);
    QFETCH(double, fastMs);
    QFETCH(int, slowCount);
    QFETCH(double, slowMs);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    QFETCH(QString, message);
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(7, MetricKind::Api, u"GET:/api/trips"_s);
    addApi(k, fastMs, fastCount);
    addApi(k, slowMs, slowCount);
    in.current = { k };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"slow_endpoint"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->target, u"GET:/api/trips"_s);
    QCOMPARE(r->priority, priority);
    QCOMPARE(r->message, message);
    QCOMPARE(ev(r, "requests"), double(fastCount + slowCount));
    QCOMPARE(ev(r, "avg_ms"), (fastCount * fastMs + slowCount * slowMs) / (fastCount + slowCount));
    QCOMPARE(ev(r, "threshold_ms"), 500.0);
    QVERIFY(!r->evidence.contains("db_share"_L1)); // no traces
    QVERIFY(r->suggestion.contains(u"request_id"_s));
}

void TestAnalyzer::slowEndpointDbShare()
{
    AnalyzerInput in = exampleInput();
    KeyAggregate users = makeKey(3, MetricKind::Db, u"find:users"_s);
    add(users, 20, 10);
    in.current.push_back(users);
    // Two correlated requests: 1,000 ms of api time, 800 of it in the database.
    for (int i = 0; i < 2; ++i) {
        RequestTrace t;
        t.timestampMs = kNow - 1000;
        t.hasApi = true;
        t.apiKey = 1;
        t.apiMs = 500;
        t.dbMs = 400;
        t.db = { { 2, 3, 300 }, { 3, 5, 100 } };
        in.traces.push_back(t);
    }
    // A request of another endpoint does not count.
    RequestTrace other;
    other.hasApi = true;
    other.apiKey = 99;
    other.apiMs = 1000;
    other.dbMs = 10;
    in.traces.push_back(other);

    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"slow_endpoint"_s);
    QVERIFY(r);
    QCOMPARE(ev(r, "traced_requests"), 2.0);
    QCOMPARE(ev(r, "db_share"), 0.8);
    QCOMPARE(ev(r, "db_share_threshold"), 0.5);
    const QJsonArray ops = r->evidence.value("db_operations"_L1).toArray();
    QCOMPARE(ops.size(), 2); // find:trips alone is 75% of db time, under the 80% named
    QCOMPARE(ops[0].toObject().value("target"_L1).toString(), u"find:trips"_s);
    QCOMPARE(ops[0].toObject().value("total_ms"_L1).toDouble(), 600.0);
    QCOMPARE(ops[0].toObject().value("calls"_L1).toInteger(), 6);
    QCOMPARE(ops[1].toObject().value("target"_L1).toString(), u"find:users"_s);
    QCOMPARE(r->suggestion,
        u"80% of its time is spent in the database (2 traced requests); optimise find:trips (75% of db time) "
        "and find:users (25% of db time) first."_s);
}

void TestAnalyzer::slowEndpointDbShareBelowHalf()
{
    AnalyzerInput in = exampleInput();
    RequestTrace t;
    t.hasApi = true;
    t.apiKey = 1;
    t.apiMs = 1000;
    t.dbMs = 500; // exactly half: not over it
    t.db = { { 2, 1, 500 } };
    in.traces = { t };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"slow_endpoint"_s);
    QVERIFY(r);
    QCOMPARE(ev(r, "db_share"), 0.5);
    QVERIFY(!r->evidence.contains("db_operations"_L1));
    QVERIFY2(r->suggestion.startsWith(u"Only 50% of its time is spent in the database"_s), qPrintable(r->suggestion));
}

void TestAnalyzer::highErrorRate_data()
{
    QTest::addColumn<int>("requests");
    QTest::addColumn<int>("errors");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::newRow("2%") << 100 << 2 << true << Priority::Medium;
    QTest::newRow("5%") << 100 << 5 << true << Priority::Medium;
    QTest::newRow("6%") << 100 << 6 << true << Priority::High;
    QTest::newRow("20 requests, 25%") << 20 << 5 << true << Priority::High;
    QTest::newRow("at 1%") << 100 << 1 << false << Priority::Medium;
    QTest::newRow("19 requests") << 19 << 5 << false << Priority::Medium;
}

void TestAnalyzer::highErrorRate()
{
    QFETCH(int, requests);
    QFETCH(int, errors);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(4, MetricKind::Api, u"POST:/api/orders"_s, u"orders"_s);
    addApi(k, 50, requests - errors - 3);
    addApi(k, 50, 3, 404); // client errors are not failures
    addApi(k, 50, errors, 500);
    in.current = { k };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"high_error_rate"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->id, u"high_error_rate:orders:POST:/api/orders"_s);
    QCOMPARE(r->type, RecommendationType::Api);
    QCOMPARE(r->priority, priority);
    QCOMPARE(ev(r, "requests"), double(requests));
    QCOMPARE(ev(r, "errors"), double(errors));
    QCOMPARE(ev(r, "error_rate"), double(errors) / requests);
    QCOMPARE(ev(r, "threshold_rate"), 0.01);
    if (requests == 100 && errors == 2) {
        QCOMPARE(r->message,
            u"POST:/api/orders fails too often: 2% of 100 requests returned 5xx over the last 15 min "
            "(threshold 1%)"_s);
    }
}

void TestAnalyzer::failedDbOperations()
{
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(5, MetricKind::Db, u"update:orders"_s);
    add(k, 10, 47);
    add(k, 10, 3, true);
    KeyAggregate ok = makeKey(6, MetricKind::Db, u"find:orders"_s);
    add(ok, 10, 99);
    add(ok, 10, 1, true);
    in.current = { k, ok };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"high_error_rate"_s);
    QVERIFY(r);
    QCOMPARE(r->target, u"update:orders"_s);
    QCOMPARE(r->type, RecommendationType::Database);
    QCOMPARE(r->priority, Priority::High);
    QCOMPARE(ev(r, "operations"), 50.0);
    QCOMPARE(ev(r, "error_rate"), 0.06);
}

void TestAnalyzer::slowQuery_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<bool>("withFields");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::newRow("300 ms with fields") << 300.0 << true << true << Priority::Medium;
    QTest::newRow("500 ms without fields") << 500.0 << false << true << Priority::High;
    QTest::newRow("at threshold") << 200.0 << true << false << Priority::Medium;
}

void TestAnalyzer::namesInSentencesAreIsolated()
{
    // A right-to-left override in a name would read "find:trips" backwards and reverse the rest of
    // the sentence; each name is isolated with its controls shown, the sentence stays ours.
    const QString db = u"find:tr\u202eips"_s;
    const QString dbShown = u"\u2068find:tr[U+202E]ips\u2069"_s;
    const QString api = u"GET:/pay\u202etxt.exe"_s;
    const QString apiShown = u"\u2068GET:/pay[U+202E]txt.exe\u2069"_s;
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(8, MetricKind::Db, db);
    add(k, 300, 10, false, 4);
    KeyAggregate endpoint = makeKey(9, MetricKind::Api, api, u"\u05d7\u05e0\u05d5\u05ea"_s); // Hebrew "shop"
    addApi(endpoint, 50, 10);
    KeyAggregate cache = cacheKey(10, u"trip\u2067_cache"_s, 70, 30);
    in.current = { k, endpoint, cache };
    in.fieldSets[8] = { { u"user_id,start_time"_s, 7 } };
    for (int i = 0; i < 3; ++i) {
        RequestTrace t;
        t.hasApi = true;
        t.apiKey = 9;
        t.apiMs = 50;
        t.dbMs = 24;
        t.db = { { 8, 12, 24 } };
        in.traces.push_back(t);
    }
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *slow = single(result, u"slow_query"_s);
    QVERIFY(slow);
    QCOMPARE(slow->target, db); // the data stays as sent
    QCOMPARE(
        slow->message, dbShown + u" is slow: average 300 ms over 10 calls in the last 15 min (threshold 200 ms)"_s);
    QCOMPARE(slow->evidence.value("index"_L1).toString(), u"create index on tr\u202eips(user_id, start_time)"_s);
    QVERIFY2(slow->suggestion.endsWith(u": \u2068create index on tr[U+202E]ips(user_id, start_time)\u2069"_s),
        qPrintable(slow->suggestion));
    const Recommendation *n1 = single(result, u"n_plus_one"_s);
    QVERIFY(n1);
    QCOMPARE(n1->message,
        apiShown + u" runs "_s + dbShown
            + u" up to 12 times per request (N+1 queries), in 3 requests over the last 15 min"_s);
    QVERIFY2(n1->suggestion.contains(u"from \u2068tr[U+202E]ips\u2069 in one query"_s), qPrintable(n1->suggestion));
    const Recommendation *hits = single(result, u"cache_hit_rate"_s);
    QVERIFY(hits);
    QCOMPARE(hits->message,
        u"\u2068trip[U+2067]_cache\u2069 hits only 70% of 100 lookups over the last 15 min (threshold 80%)"_s);
}

void TestAnalyzer::slowQuery()
{
    QFETCH(double, ms);
    QFETCH(bool, withFields);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(8, MetricKind::Db, u"find:trips"_s);
    add(k, ms, 10, false, 4);
    in.current = { k };
    if (withFields) {
        in.fieldSets[8] = { { u"user_id"_s, 3 }, { u"user_id,start_time"_s, 7 }, { QString(), 9 } };
    }
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"slow_query"_s);
    QCOMPARE(r != nullptr, fires);
    QVERIFY(byRule(result, u"missing_index"_s).empty()); // 40 calls/h: not frequent
    if (!fires)
        return;
    QCOMPARE(r->id, u"slow_query:shop:find:trips"_s);
    QCOMPARE(r->target, u"find:trips"_s);
    QCOMPARE(r->type, RecommendationType::Database);
    QCOMPARE(r->priority, priority);
    QCOMPARE(ev(r, "avg_ms"), ms);
    QCOMPARE(ev(r, "calls"), 10.0);
    QCOMPARE(ev(r, "threshold_ms"), 200.0);
    QCOMPARE(ev(r, "avg_documents"), 4.0);
    if (withFields) {
        QCOMPARE(
            r->message, u"find:trips is slow: average 300 ms over 10 calls in the last 15 min (threshold 200 ms)"_s);
        QVERIFY2(r->suggestion.endsWith(u": create index on trips(user_id, start_time)"_s), qPrintable(r->suggestion));
        QVERIFY2(r->suggestion.contains(u"(7 of 19 calls"_s), qPrintable(r->suggestion));
        QCOMPARE(r->evidence.value("index"_L1).toString(), u"create index on trips(user_id, start_time)"_s);
        QCOMPARE(r->evidence.value("fields"_L1).toString(), u"user_id, start_time"_s);
        QCOMPARE(ev(r, "field_set_count"), 7.0);
    } else {
        QVERIFY(!r->suggestion.contains(u"create index"_s));
        QVERIFY(!r->evidence.contains("index"_L1));
    }
}

void TestAnalyzer::missingIndex_data()
{
    QTest::addColumn<int>("calls");
    QTest::addColumn<double>("ms");
    QTest::addColumn<bool>("withFields");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<double>("perHour");
    // 15 min window: calls x 4 per hour; fraction 0.25 x 200 ms = 50 ms.
    QTest::newRow("1,200/h at 60 ms") << 300 << 60.0 << true << true << 1200.0;
    QTest::newRow("1,000/h at 60 ms") << 250 << 60.0 << true << true << 1000.0;
    QTest::newRow("996/h") << 249 << 60.0 << true << false << 996.0;
    QTest::newRow("at 50 ms") << 300 << 50.0 << true << false << 1200.0;
    QTest::newRow("no fields") << 300 << 60.0 << false << false << 1200.0;
    QTest::newRow("slow query instead") << 300 << 250.0 << true << false << 1200.0;
}

void TestAnalyzer::missingIndex()
{
    QFETCH(int, calls);
    QFETCH(double, ms);
    QFETCH(bool, withFields);
    QFETCH(bool, fires);
    QFETCH(double, perHour);
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(9, MetricKind::Db, u"find:users"_s);
    add(k, ms, calls);
    in.current = { k };
    if (withFields)
        in.fieldSets[9] = { { u"email"_s, quint64(calls) } };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"missing_index"_s);
    QCOMPARE(r != nullptr, fires);
    QCOMPARE(single(result, u"slow_query"_s) != nullptr, ms > 200);
    if (!fires)
        return;
    QCOMPARE(r->target, u"find:users"_s);
    QCOMPARE(r->priority, Priority::Low);
    QCOMPARE(r->type, RecommendationType::Database);
    QCOMPARE(ev(r, "calls_per_hour"), perHour);
    QCOMPARE(ev(r, "avg_ms"), ms);
    QCOMPARE(ev(r, "threshold_ms"), 50.0);
    QCOMPARE(ev(r, "threshold_calls_per_hour"), 1000.0);
    QVERIFY2(r->suggestion.endsWith(u"create index on users(email)"_s), qPrintable(r->suggestion));
}

void TestAnalyzer::connectionPool_data()
{
    QTest::addColumn<double>("size");
    QTest::addColumn<double>("avgInUse");
    QTest::addColumn<double>("peakInUse");
    QTest::addColumn<double>("waiting");
    QTest::addColumn<bool>("staleWaiting");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::addColumn<double>("suggested");
    QTest::newRow("nearly full") << 10.0 << 9.5 << 10.0 << 0.0 << false << true << Priority::Medium << 13.0;
    QTest::newRow("waiting") << 10.0 << 6.0 << 10.0 << 3.0 << false << true << Priority::High << 13.0;
    QTest::newRow("oversized") << 50.0 << 5.0 << 8.0 << 0.0 << false << true << Priority::Low << 10.0;
    QTest::newRow("healthy") << 10.0 << 5.0 << 7.0 << 0.0 << false << false << Priority::Low << 0.0;
    QTest::newRow("89% on average") << 10.0 << 8.9 << 10.0 << 0.0 << false << false << Priority::Low << 0.0;
    QTest::newRow("peak at 20%") << 50.0 << 5.0 << 10.0 << 0.0 << false << false << Priority::Low << 0.0;
    QTest::newRow("waiting before the window") << 10.0 << 5.0 << 7.0 << 0.0 << true << false << Priority::Low << 0.0;
}

void TestAnalyzer::connectionPool()
{
    QFETCH(double, size);
    QFETCH(double, avgInUse);
    QFETCH(double, peakInUse);
    QFETCH(double, waiting);
    QFETCH(bool, staleWaiting);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    QFETCH(double, suggested);
    AnalyzerInput in = makeInput();
    GaugeSeries sizeSeries { makeKey(20, MetricKind::Gauge, u"db.pool.size"_s, u"api"_s).meta, {} };
    GaugeSeries inUse { makeKey(21, MetricKind::Gauge, u"db.pool.in_use"_s, u"api"_s).meta, {} };
    GaugeSeries wait { makeKey(22, MetricKind::Gauge, u"db.pool.waiting"_s, u"api"_s).meta, {} };
    // Before the window the pool was saturated; that must not count.
    sizeSeries.points.push_back(gaugePoint(kNow - 30 * kMinute, { 2 }));
    inUse.points.push_back(gaugePoint(kNow - 30 * kMinute, { 2 }));
    if (staleWaiting)
        wait.points.push_back(gaugePoint(kNow - 30 * kMinute, { 5 }));
    for (int m = 0; m < 15; ++m) {
        const qint64 start = kNow - kWindow + m * kMinute;
        sizeSeries.points.push_back(gaugePoint(start, { size }));
        // Minute 0 holds the peak; every minute averages avgInUse.
        inUse.points.push_back(
            m == 0 ? gaugePoint(start, { peakInUse, 2 * avgInUse - peakInUse }) : gaugePoint(start, { avgInUse }));
        wait.points.push_back(gaugePoint(start, { m == 7 ? waiting : 0 }));
    }
    in.gauges = { sizeSeries, inUse, wait };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"connection_pool"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->id, u"connection_pool:api:db.pool.size"_s);
    QCOMPARE(r->service, u"api"_s);
    QCOMPARE(r->priority, priority);
    QCOMPARE(r->type, RecommendationType::Resources);
    QCOMPARE(ev(r, "pool_size"), size);
    QCOMPARE(ev(r, "peak_in_use"), peakInUse);
    QCOMPARE(ev(r, "max_waiting"), waiting);
    QCOMPARE(ev(r, "suggested_size"), suggested);
    QCOMPARE(ev(r, "avg_utilisation"), avgInUse / size);
    QCOMPARE(ev(r, "threshold_utilisation"), priority == Priority::Low ? 0.2 : 0.9);
    const QString from = QLocale().toString(size, 'f', 0);
    const QString to = QLocale().toString(suggested, 'f', 0);
    QVERIFY2(r->suggestion.contains(u"from %1 to %2 connections"_s.arg(from, to)), qPrintable(r->suggestion));
}

void TestAnalyzer::processingBottleneck_data()
{
    QTest::addColumn<double>("aMs");
    QTest::addColumn<int>("aRuns");
    QTest::addColumn<double>("bMs");
    QTest::addColumn<int>("bRuns");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::addColumn<double>("share");
    QTest::newRow("slow step") << 1500.0 << 10 << 0.0 << 0 << true << Priority::Medium << qQNaN();
    QTest::newRow("very slow step") << 2500.0 << 10 << 10.0 << 10 << true << Priority::High << 25000.0 / 25100;
    QTest::newRow("60% share") << 100.0 << 60 << 50.0 << 80 << true << Priority::Low << 0.6;
    QTest::newRow("at 1 s") << 1000.0 << 10 << 0.0 << 0 << false << Priority::Low << 0.0;
    QTest::newRow("50% share") << 100.0 << 50 << 100.0 << 50 << false << Priority::Low << 0.0;
    QTest::newRow("single step") << 10.0 << 100 << 0.0 << 0 << false << Priority::Low << 0.0;
}

void TestAnalyzer::processingBottleneck()
{
    QFETCH(double, aMs);
    QFETCH(int, aRuns);
    QFETCH(double, bMs);
    QFETCH(int, bRuns);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    QFETCH(double, share);
    AnalyzerInput in = makeInput();
    KeyAggregate a = makeKey(30, MetricKind::Processing, u"render_report"_s);
    add(a, aMs, aRuns, false, 1'000'000);
    in.current = { a };
    if (bRuns > 0) {
        KeyAggregate b = makeKey(31, MetricKind::Processing, u"load_data"_s);
        add(b, bMs, bRuns, false, 1'000'000);
        in.current.push_back(b);
    }
    // Another service's processing is another pipeline.
    KeyAggregate elsewhere = makeKey(32, MetricKind::Processing, u"resize"_s, u"images"_s);
    add(elsewhere, 1, 10'000, false, 1'000'000);
    in.current.push_back(elsewhere);

    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"processing_bottleneck"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->target, u"render_report"_s);
    QCOMPARE(r->type, RecommendationType::Processing);
    QCOMPARE(r->priority, priority);
    QCOMPARE(ev(r, "avg_ms"), aMs);
    QCOMPARE(ev(r, "runs"), double(aRuns));
    QCOMPARE(ev(r, "threshold_ms"), 1000.0);
    QCOMPARE(ev(r, "threshold_share"), 0.5);
    if (std::isnan(share))
        QVERIFY(r->evidence.value("share"_L1).isNull());
    else
        QCOMPARE(ev(r, "share"), std::round(share * 1e4) / 1e4);
    if (priority == Priority::Low) {
        QCOMPARE(r->message,
            u"render_report is a processing bottleneck: it takes 60% of all processing time of shop "
            "(threshold 50%)"_s);
    }
}

void TestAnalyzer::lowThroughput_data()
{
    QTest::addColumn<int>("itemsPerRun");
    QTest::addColumn<bool>("fires");
    // 10 runs of 100 ms: one second in total.
    QTest::newRow("50/s") << 5 << true;
    QTest::newRow("0/s") << 0 << true;
    QTest::newRow("100/s") << 10 << false;
}

void TestAnalyzer::lowThroughput()
{
    QFETCH(int, itemsPerRun);
    QFETCH(bool, fires);
    AnalyzerInput in = makeInput();
    KeyAggregate k = makeKey(40, MetricKind::Processing, u"import_rows"_s);
    add(k, 100, 10, false, quint64(itemsPerRun));
    in.current = { k };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"low_throughput"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->target, u"import_rows"_s);
    QCOMPARE(r->priority, Priority::Medium);
    QCOMPARE(r->type, RecommendationType::Processing);
    QCOMPARE(ev(r, "items_per_second"), double(itemsPerRun * 10));
    QCOMPARE(ev(r, "threshold_items_per_second"), 100.0);
    QCOMPARE(ev(r, "total_ms"), 1000.0);
    QVERIFY(r->impact >= 1 && r->impact <= 1000);
    if (itemsPerRun == 5) {
        QCOMPARE(r->message, u"import_rows processes only 50 items per second (minimum 100 per second)"_s);
        QCOMPARE(r->impact, 2.0);
    } else if (itemsPerRun == 0) {
        QCOMPARE(r->message, u"import_rows processes only 0 items per second (minimum 100 per second)"_s);
        QCOMPARE(r->impact, 1000.0); // capped
    }
    QVERIFY(r->suggestion.contains(u"batches"_s));
}

void TestAnalyzer::cacheHitRate_data()
{
    QTest::addColumn<quint64>("hits");
    QTest::addColumn<quint64>("misses");
    QTest::addColumn<bool>("fires");
    QTest::newRow("70% of 100") << quint64(70) << quint64(30) << true;
    QTest::newRow("0% of 500") << quint64(0) << quint64(500) << true;
    QTest::newRow("80% of 100") << quint64(80) << quint64(20) << false;
    QTest::newRow("51% of 99") << quint64(50) << quint64(49) << false;
}

void TestAnalyzer::cacheHitRate()
{
    QFETCH(quint64, hits);
    QFETCH(quint64, misses);
    QFETCH(bool, fires);
    AnalyzerInput in = makeInput();
    in.current = { cacheKey(50, u"trip_cache"_s, hits, misses) };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"cache_hit_rate"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->id, u"cache_hit_rate:shop:trip_cache"_s);
    QCOMPARE(r->priority, Priority::Medium);
    QCOMPARE(ev(r, "hit_rate"), double(hits) / double(hits + misses));
    QCOMPARE(ev(r, "lookups"), double(hits + misses));
    QCOMPARE(ev(r, "threshold_hit_rate"), 0.8);
    QVERIFY(std::isfinite(r->impact));
    if (hits == 70)
        QCOMPARE(r->message, u"trip_cache hits only 70% of 100 lookups over the last 15 min (threshold 80%)"_s);
}

void TestAnalyzer::degradation_data()
{
    QTest::addColumn<double>("currentMs");
    QTest::addColumn<int>("currentCount");
    QTest::addColumn<double>("previousMs");
    QTest::addColumn<int>("previousCount");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::newRow("x3") << 300.0 << 50 << 100.0 << 50 << true << Priority::Medium;
    QTest::newRow("x4") << 400.0 << 60 << 100.0 << 80 << true << Priority::High;
    QTest::newRow("x1.5") << 150.0 << 50 << 100.0 << 50 << false << Priority::Medium;
    QTest::newRow("49 now") << 300.0 << 49 << 100.0 << 50 << false << Priority::Medium;
    QTest::newRow("49 before") << 300.0 << 50 << 100.0 << 49 << false << Priority::Medium;
}

void TestAnalyzer::degradation()
{
    QFETCH(double, currentMs);
    QFETCH(int, currentCount);
    QFETCH(double, previousMs);
    QFETCH(int, previousCount);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    AnalyzerInput in = makeInput();
    KeyAggregate now = makeKey(60, MetricKind::Db, u"aggregate:events"_s);
    add(now, currentMs, currentCount);
    KeyAggregate before = now;
    before.agg = {};
    add(before, previousMs, previousCount);
    in.current = { now };
    in.previous = { before };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"degradation"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->id, u"degradation:shop:aggregate:events"_s);
    QCOMPARE(r->type, RecommendationType::Trend);
    QCOMPARE(r->priority, priority);
    QCOMPARE(ev(r, "current_p95_ms"), currentMs);
    QCOMPARE(ev(r, "previous_p95_ms"), previousMs);
    QCOMPARE(ev(r, "ratio"), currentMs / previousMs);
    QCOMPARE(ev(r, "threshold_ratio"), 1.5);
    QCOMPARE(ev(r, "current_count"), double(currentCount));
    QCOMPARE(ev(r, "previous_count"), double(previousCount));
    if (currentMs == 300) {
        QCOMPARE(r->message,
            u"aggregate:events is getting slower: p95 rose from 100 ms to 300 ms (× 3.0) over the last 15 min "
            "compared with the hour before (threshold × 1.5)"_s);
    }
}

void TestAnalyzer::memoryGrowth_data()
{
    QTest::addColumn<double>("bytesPerHour");
    QTest::addColumn<double>("noise");
    QTest::addColumn<int>("minutes");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::newRow("10 MB/h over 39 min") << 10e6 << 0.0 << 40 << true << Priority::Medium;
    QTest::newRow("30 MB/h") << 30e6 << 0.0 << 40 << true << Priority::High;
    QTest::newRow("over exactly 30 min") << 10e6 << 0.0 << 31 << true << Priority::Medium;
    QTest::newRow("over 29 min") << 10e6 << 0.0 << 30 << false << Priority::Medium;
    QTest::newRow("3 MB/h") << 3e6 << 0.0 << 40 << false << Priority::Medium;
    QTest::newRow("noisy") << 6e6 << 5e6 << 40 << false << Priority::Medium;
    QTest::newRow("shrinking") << -10e6 << 0.0 << 40 << false << Priority::Medium;
}

void TestAnalyzer::memoryGrowth()
{
    QFETCH(double, bytesPerHour);
    QFETCH(double, noise);
    QFETCH(int, minutes);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    AnalyzerInput in = makeInput();
    GaugeSeries rss { makeKey(70, MetricKind::Gauge, u"process.memory.rss_bytes"_s, u"worker"_s).meta, {} };
    for (int i = 0; i < minutes; ++i) {
        const double v = 100e6 + bytesPerHour * i / 60.0 + (i % 2 ? noise : -noise);
        rss.points.push_back(gaugePoint(kNow - (minutes - i) * kMinute, { v }));
    }
    in.gauges = { rss };
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"memory_growth"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->id, u"memory_growth:worker:process.memory.rss_bytes"_s);
    QCOMPARE(r->type, RecommendationType::Resources);
    QCOMPARE(r->priority, priority);
    QCOMPARE(ev(r, "slope_bytes_per_hour"), bytesPerHour);
    QCOMPARE(ev(r, "r2"), 1.0);
    QCOMPARE(ev(r, "span_minutes"), double(minutes - 1));
    QCOMPARE(ev(r, "threshold_r2"), 0.8);
    QCOMPARE(ev(r, "threshold_growth_per_hour"), 0.05);
    const double mean = 100e6 + bytesPerHour * (minutes - 1) / 2.0 / 60.0;
    QCOMPARE(ev(r, "growth_per_hour"), std::round(bytesPerHour / mean * 1e4) / 1e4);
    if (minutes == 40 && bytesPerHour == 10e6) {
        QCOMPARE(r->message,
            u"Memory of worker is growing steadily: +10.0 MB/h (9.69% of its average per hour) over the last "
            "39 min (R² 1.00)"_s);
    }
}

void TestAnalyzer::nPlusOne_data()
{
    QTest::addColumn<bool>("hasApi");
    QTest::addColumn<quint32>("queries");
    QTest::addColumn<bool>("fires");
    QTest::addColumn<Priority>("priority");
    QTest::newRow("endpoint, 12 per request") << true << 12u << true << Priority::Medium;
    QTest::newRow("endpoint, 20 per request") << true << 20u << true << Priority::High;
    QTest::newRow("no endpoint, 5 per request") << false << 5u << true << Priority::Medium;
    QTest::newRow("4 per request") << true << 4u << false << Priority::Medium;
}

void TestAnalyzer::nPlusOne()
{
    QFETCH(bool, hasApi);
    QFETCH(quint32, queries);
    QFETCH(bool, fires);
    QFETCH(Priority, priority);
    AnalyzerInput in = makeInput();
    KeyAggregate api = makeKey(80, MetricKind::Api, u"GET:/api/trips"_s);
    addApi(api, 50, 10);
    KeyAggregate users = makeKey(81, MetricKind::Db, u"find:users"_s);
    add(users, 2, 40);
    in.current = { api, users };
    for (int i = 0; i < 3; ++i) {
        RequestTrace t;
        t.hasApi = hasApi;
        t.apiKey = hasApi ? 80 : 0;
        t.apiMs = 50;
        t.dbMs = 2.0 * queries;
        // The last trace repeats fewer times: max and average differ.
        t.db = { { 81, i == 2 ? queries - 2 : queries, 2.0 * queries } };
        in.traces.push_back(t);
    }
    const AnalysisResult result = Analyzer().analyze(in);
    const Recommendation *r = single(result, u"n_plus_one"_s);
    QCOMPARE(r != nullptr, fires);
    if (!fires)
        return;
    QCOMPARE(r->type, RecommendationType::Database);
    QCOMPARE(r->priority, priority);
    QCOMPARE(ev(r, "max_queries_per_request"), double(queries));
    QCOMPARE(ev(r, "threshold_queries"), 5.0);
    QCOMPARE(r->evidence.value("db_operation"_L1).toString(), u"find:users"_s);
    QVERIFY(r->suggestion.contains(u"$in"_s));
    if (hasApi) {
        QCOMPARE(r->id, u"n_plus_one:shop:GET:/api/trips:find:users"_s);
        QCOMPARE(r->target, u"GET:/api/trips"_s);
        QCOMPARE(r->evidence.value("endpoint"_L1).toString(), u"GET:/api/trips"_s);
        QCOMPARE(ev(r, "occurrences"), 3.0);
        QCOMPARE(ev(r, "avg_queries_per_request"), std::round((3.0 * queries - 2) / 3 * 100) / 100);
        if (queries == 12) {
            QCOMPARE(r->message,
                u"GET:/api/trips runs find:users up to 12 times per request (N+1 queries), in 3 requests over "
                "the last 15 min"_s);
        }
    } else {
        // Only two of the three traces reach 5 queries.
        QCOMPARE(r->id, u"n_plus_one:shop:find:users"_s);
        QCOMPARE(r->target, u"find:users"_s);
        QVERIFY(r->evidence.value("endpoint"_L1).isNull());
        QCOMPARE(ev(r, "occurrences"), 2.0);
        QVERIFY2(r->message.startsWith(u"An unknown endpoint runs find:users up to 5 times"_s), qPrintable(r->message));
    }
}

// ---- Ordering, identity, trends, JSON ----

void TestAnalyzer::sortOrder()
{
    AnalyzerInput in = makeInput();
    KeyAggregate slow = makeKey(1, MetricKind::Api, u"GET:/slow"_s);
    addApi(slow, 1200, 20); // high, impact 2.4
    KeyAggregate failing = makeKey(2, MetricKind::Api, u"GET:/failing"_s);
    addApi(failing, 10, 15);
    addApi(failing, 10, 5, 500); // high, impact 25
    KeyAggregate query = makeKey(3, MetricKind::Db, u"find:a"_s);
    add(query, 300, 10); // medium, impact 1.5
    KeyAggregate query2 = makeKey(4, MetricKind::Db, u"find:b"_s);
    add(query2, 380, 10); // medium, impact 1.9
    KeyAggregate frequent = makeKey(5, MetricKind::Db, u"find:c"_s);
    add(frequent, 60, 400); // low
    in.fieldSets[5] = { { u"x"_s, 1 } };
    in.current = { frequent, query, slow, query2, failing };
    const AnalysisResult result = Analyzer().analyze(in);
    QStringList ids;
    for (const Recommendation &r : result.recommendations)
        ids.append(r.id);
    QCOMPARE(ids,
        (QStringList { u"high_error_rate:shop:GET:/failing"_s, u"slow_endpoint:shop:GET:/slow"_s,
            u"slow_query:shop:find:b"_s, u"slow_query:shop:find:a"_s, u"missing_index:shop:find:c"_s }));
    QCOMPARE(result.recommendations[0].impact, 25.0);
    QCOMPARE(result.recommendations[1].impact, 2.4);
    QCOMPARE(result.recommendations[2].impact, 1.9);
}

void TestAnalyzer::firstSeen()
{
    Analyzer analyzer;
    AnalyzerInput in = exampleInput();
    const AnalysisResult first = analyzer.analyze(in);
    QCOMPARE(first.recommendations.front().firstSeenMs, kNow);

    in.nowMs = kNow + 10'000;
    const AnalysisResult second = analyzer.analyze(in);
    QCOMPARE(second.recommendations.front().firstSeenMs, kNow);
    QCOMPARE(second.recommendations.front().lastSeenMs, kNow + 10'000);

    // A restarted analyzer gets its first-seen times back from persistence.
    Recommendation persisted = first.recommendations.front();
    persisted.firstSeenMs = kNow - 3'600'000;
    Analyzer restarted;
    restarted.rememberFirstSeen({ persisted });
    const AnalysisResult third = restarted.analyze(in);
    QCOMPARE(third.recommendations.front().firstSeenMs, kNow - 3'600'000);
    QCOMPARE(third.recommendations.front().lastSeenMs, kNow + 10'000);

    // A later time never overrides an earlier one.
    persisted.firstSeenMs = kNow;
    restarted.rememberFirstSeen({ persisted });
    QCOMPARE(restarted.analyze(in).recommendations.front().firstSeenMs, kNow - 3'600'000);

    // Advice that stayed quiet for over an hour is new again when it comes back.
    AnalyzerInput quiet = in;
    quiet.current.clear();
    quiet.nowMs = kNow + 10'000 + 3'600'001;
    QVERIFY(analyzer.analyze(quiet).recommendations.empty());
    in.nowMs = quiet.nowMs + 1000;
    QCOMPARE(analyzer.analyze(in).recommendations.front().firstSeenMs, in.nowMs);
}

void TestAnalyzer::rememberedRecommendations()
{
    // One analyzer analysing again and again remembers per-key advice; each of its results must be
    // exactly what a fresh analyzer makes of the same input, whatever changed in between.
    AnalyzerInput in = makeInput();
    KeyAggregate failing = makeKey(10, MetricKind::Api, u"POST:/api/pay"_s);
    addApi(failing, 100, 90);
    addApi(failing, 100, 10, 503); // high_error_rate
    KeyAggregate import = makeKey(40, MetricKind::Processing, u"import_rows"_s);
    add(import, 100, 10, false, 5); // low_throughput: 50 items/s
    KeyAggregate render = makeKey(41, MetricKind::Processing, u"render_report"_s);
    add(render, 1500, 4, false, 1000); // processing_bottleneck: 1,500 ms per run
    in.current = { failing, import, render, cacheKey(50, u"trip_cache"_s, 70, 30) };

    Analyzer analyzer;
    QByteArray fresh; // what a new analyzer makes of the input of the latest check()
    const auto check = [&](const AnalyzerConfig &config = {}) {
        fresh = recommendationsJson(Analyzer(config).analyze(in));
        return analyzer.analyze(in);
    };
    AnalysisResult result = check();
    QCOMPARE(recommendationsJson(result), fresh);
    QCOMPARE(result.recommendations.size(), 4u);
    for (const char *rule : { "high_error_rate", "low_throughput", "processing_bottleneck", "cache_hit_rate" })
        QVERIFY2(single(result, QLatin1String(rule)), rule);

    // Nothing changed: the same advice, sharing the previous analysis's texts.
    const QString previousMessage = single(result, u"low_throughput"_s)->message;
    result = check();
    QCOMPARE(recommendationsJson(result), fresh);
    QCOMPARE(single(result, u"low_throughput"_s)->message.constData(), previousMessage.constData());

    // The key's numbers changed.
    add(in.current[1], 100, 10, false, 8);
    result = check();
    QCOMPARE(recommendationsJson(result), fresh);
    QCOMPARE(single(result, u"low_throughput"_s)->message,
        u"import_rows processes only 65 items per second (minimum 100 per second)"_s);

    // The thresholds changed.
    AnalyzerConfig config;
    config.minThroughput = 200;
    config.errorRateThreshold = 0.02;
    config.cacheMinHitRate = 0.9;
    config.processingSlowMs = 1200;
    analyzer.setConfig(config);
    result = check(config);
    QCOMPARE(recommendationsJson(result), fresh);
    QCOMPARE(ev(single(result, u"low_throughput"_s), "threshold_items_per_second"), 200.0);
    QCOMPARE(ev(single(result, u"high_error_rate"_s), "threshold_rate"), 0.02);
    QCOMPARE(ev(single(result, u"cache_hit_rate"_s), "threshold_hit_rate"), 0.9);
    QCOMPARE(ev(single(result, u"processing_bottleneck"_s), "threshold_ms"), 1200.0);

    // The window slid to another length (its text is part of the messages).
    in.windowMs = 5 * kMinute;
    result = check(config);
    QCOMPARE(recommendationsJson(result), fresh);
    QVERIFY2(single(result, u"cache_hit_rate"_s)->message.contains(u"over the last 5 min"_s),
        qPrintable(single(result, u"cache_hit_rate"_s)->message));

    // The locale changed: numbers are formatted anew.
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    result = check(config);
    QCOMPARE(recommendationsJson(result), fresh);
    const QString german = single(result, u"processing_bottleneck"_s)->message;
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QVERIFY2(german.contains(u"1.500 ms"_s), qPrintable(german));
    result = check(config);
    QCOMPARE(recommendationsJson(result), fresh);
    QVERIFY(single(result, u"processing_bottleneck"_s)->message.contains(u"1,500 ms"_s));

    // Another key under the same id (another store) gets its own advice, and advice that no longer
    // applies is not brought back later.
    KeyAggregate renamed = makeKey(40, MetricKind::Processing, u"export_rows"_s);
    add(renamed, 100, 10, false, 5);
    in.current[1] = renamed;
    result = check(config);
    QCOMPARE(recommendationsJson(result), fresh);
    QCOMPARE(single(result, u"low_throughput"_s)->target, u"export_rows"_s);
    in.current.erase(in.current.begin() + 1);
    result = check(config);
    QCOMPARE(recommendationsJson(result), fresh);
    QVERIFY(!single(result, u"low_throughput"_s));
}

void TestAnalyzer::trends_data()
{
    QTest::addColumn<double>("previousMs");
    QTest::addColumn<double>("currentMs");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("present");
    QTest::addColumn<TrendDirection>("direction");
    QTest::newRow("+25%") << 100.0 << 125.0 << 50 << true << TrendDirection::Degrading;
    QTest::newRow("+15%") << 100.0 << 115.0 << 50 << true << TrendDirection::Stable;
    QTest::newRow("-15%") << 100.0 << 85.0 << 50 << true << TrendDirection::Stable;
    QTest::newRow("-25%") << 100.0 << 75.0 << 50 << true << TrendDirection::Improving;
    QTest::newRow("too few samples") << 100.0 << 200.0 << 49 << false << TrendDirection::Stable;
}

void TestAnalyzer::trends()
{
    QFETCH(double, previousMs);
    QFETCH(double, currentMs);
    QFETCH(int, count);
    QFETCH(bool, present);
    QFETCH(TrendDirection, direction);
    AnalyzerInput in = makeInput();
    KeyAggregate now = makeKey(90, MetricKind::Processing, u"validate"_s);
    add(now, currentMs, count, false, 1000);
    KeyAggregate before = now;
    before.agg = {};
    add(before, previousMs, count, false, 1000);
    // Caches and gauges have no latency and never trend.
    const KeyAggregate cache = cacheKey(91, u"c"_s, 100, 100);
    in.current = { now, cache };
    in.previous = { before, cache };
    const AnalysisResult result = Analyzer().analyze(in);
    QCOMPARE(result.trends.size(), present ? 1u : 0u);
    if (!present)
        return;
    const Trend &t = result.trends.front();
    QCOMPARE(t.meta.id, 90u);
    QCOMPARE(t.currentP95Ms, currentMs);
    QCOMPARE(t.previousP95Ms, previousMs);
    QCOMPARE(t.change, currentMs / previousMs - 1);
    QCOMPARE(t.direction, direction);
    QCOMPARE(t.currentCount, quint64(count));
    const QJsonObject json = t.toJson();
    QCOMPARE(json.value("target"_L1).toString(), u"validate"_s);
    QCOMPARE(json.value("kind"_L1).toString(), u"processing"_s);
    QCOMPARE(json.value("direction"_L1).toString(), trendDirectionName(direction));
    QCOMPARE(json.value("change"_L1).toDouble(), std::round((currentMs / previousMs - 1) * 1e4) / 1e4);
    QCOMPARE(json.value("previous_p95_ms"_L1).toDouble(), previousMs);
}

void TestAnalyzer::recommendationJson()
{
    const AnalysisResult result = Analyzer().analyze(exampleInput());
    const QJsonObject json = result.recommendations.front().toJson();
    QCOMPARE(json.value("id"_L1).toString(), u"slow_endpoint:shop:GET:/api/trips"_s);
    QCOMPARE(json.value("rule"_L1).toString(), u"slow_endpoint"_s);
    QCOMPARE(json.value("type"_L1).toString(), u"api"_s);
    QCOMPARE(json.value("priority"_L1).toString(), u"high"_s);
    QCOMPARE(json.value("service"_L1).toString(), u"shop"_s);
    QCOMPARE(json.value("target"_L1).toString(), u"GET:/api/trips"_s);
    QVERIFY(json.value("message"_L1).toString().startsWith(u"GET:/api/trips is slow"_s));
    QVERIFY(!json.value("suggestion"_L1).toString().isEmpty());
    QCOMPARE(json.value("evidence"_L1).toObject().value("threshold_ms"_L1).toDouble(), 500.0);
    QCOMPARE(json.value("first_seen"_L1).toString(), u"2023-11-14T22:13:20Z"_s);
    QCOMPARE(json.value("last_seen"_L1).toString(), u"2023-11-14T22:13:20Z"_s);
    QVERIFY(json.value("impact"_L1).toDouble() > 2);

    Recommendation unseen;
    QVERIFY(unseen.toJson().value("first_seen"_L1).isNull());
    QCOMPARE(typeName(RecommendationType::Database), u"database"_s);
    QCOMPARE(typeName(RecommendationType::Resources), u"resources"_s);
    QCOMPARE(typeName(RecommendationType::Trend), u"trend"_s);
    QCOMPARE(priorityName(Priority::Low), u"low"_s);
    QCOMPARE(priorityName(Priority::Medium), u"medium"_s);
}

void TestAnalyzer::collectFromStore()
{
    // The 84-point example as ingested events. The 10 slow requests carry a request_id and run
    // find:trips 5 times each (the 50 db events), with the fields they filter on.
    std::deque<std::string> requestIds; // IngestEvent holds views; keep the strings alive
    std::vector<IngestEvent> events;
    const qint64 start = kNow - 10 * kMinute;
    for (int i = 0; i < 100; ++i) {
        const bool slow = i % 10 == 9;
        IngestEvent api;
        api.kind = MetricKind::Api;
        api.service = "shop";
        api.name = "GET:/api/trips";
        api.timestampMs = start + i * 1000;
        api.value = slow ? 1100 : 100;
        api.status = 200;
        if (slow) {
            requestIds.push_back("req-" + std::to_string(i));
            api.requestId = requestIds.back();
            for (int q = 0; q < 5; ++q) {
                IngestEvent db;
                db.kind = MetricKind::Db;
                db.service = "shop";
                db.name = "find:trips";
                db.requestId = requestIds.back();
                db.fields = "user_id,start_time";
                db.timestampMs = api.timestampMs;
                db.value = 50;
                events.push_back(db);
            }
        }
        events.push_back(api);
    }
    // The hour before the window, and a pool gauge.
    for (int i = 0; i < 5; ++i) {
        IngestEvent old;
        old.kind = MetricKind::Api;
        old.service = "shop";
        old.name = "GET:/api/trips";
        old.timestampMs = kNow - 30 * kMinute + i * 1000;
        old.value = 80;
        old.status = 200;
        events.push_back(old);
    }
    IngestEvent pool;
    pool.kind = MetricKind::Gauge;
    pool.service = "shop";
    pool.name = "db.pool.size";
    pool.timestampMs = kNow - 5 * kMinute;
    pool.value = 10;
    events.push_back(pool);

    MetricStore store;
    store.insert(events, kNow);

    Analyzer analyzer;
    const AnalyzerInput input = analyzer.collect(store, kNow);
    QCOMPARE(input.nowMs, kNow);
    QCOMPARE(input.windowMs, kWindow);
    QCOMPARE(input.current.size(), 3u); // api, db, gauge
    QCOMPARE(input.previous.size(), 1u);
    QCOMPARE(input.previous.front().agg.stats.count, 5u);
    QCOMPARE(input.gauges.size(), 1u);
    QCOMPARE(input.gauges.front().meta.name, u"db.pool.size"_s);
    QCOMPARE(input.gauges.front().points.size(), 1u);
    QCOMPARE(input.traces.size(), 10u);
    KeyId findId = 0;
    for (const KeyAggregate &k : input.current) {
        if (k.meta.name == u"find:trips")
            findId = k.meta.id;
    }
    QVERIFY(input.fieldSets.count(findId));
    QCOMPARE(input.fieldSets.at(findId).front().fields, u"user_id,start_time"_s);
    QCOMPARE(input.fieldSets.at(findId).front().count, 50u);

    const AnalysisResult result = analyzer.analyze(store, kNow);
    QCOMPARE(result.score.value, 84);
    QCOMPARE(result.score.band, Band::Excellent);
    QCOMPARE(result.score.breakdown.apiRequests, 100u);
    QCOMPARE(result.score.breakdown.dbOperations, 50u);
    QCOMPARE(result.score.breakdown.dbAvgMs, 50.0);

    QCOMPARE(result.recommendations.size(), 2u);
    const Recommendation &slow = result.recommendations[0];
    QCOMPARE(slow.id, u"slow_endpoint:shop:GET:/api/trips"_s);
    QCOMPARE(slow.priority, Priority::High);
    QCOMPARE(slow.evidence.value("requests"_L1).toInteger(), 100);
    QCOMPARE(slow.evidence.value("avg_ms"_L1).toDouble(), 200.0);
    QVERIFY(std::abs(slow.evidence.value("p95_ms"_L1).toDouble() - 1100) <= 11);
    // 250 of 1,100 ms in the database: not the place to look.
    QCOMPARE(slow.evidence.value("traced_requests"_L1).toInteger(), 10);
    QCOMPARE(slow.evidence.value("db_share"_L1).toDouble(), 0.2273);
    QVERIFY2(slow.suggestion.startsWith(u"Only 22.7% of its time"_s), qPrintable(slow.suggestion));
    const Recommendation &nPlusOne = result.recommendations[1];
    QCOMPARE(nPlusOne.id, u"n_plus_one:shop:GET:/api/trips:find:trips"_s);
    QCOMPARE(nPlusOne.evidence.value("occurrences"_L1).toInteger(), 10);
    QCOMPARE(nPlusOne.evidence.value("max_queries_per_request"_L1).toInteger(), 5);
}

void TestAnalyzer::keyCardinalityNamesThePatterns()
{
    // A service sends order ids inside its route: beyond its share of the keys (3 of 10 here)
    // the names land in the overflow key, and the advice says which pattern took the keys.
    StoreConfig config;
    config.maxKeys = 10;
    MetricStore store(config);
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i)
        names.push_back("GET:/api/orders/" + std::to_string(80'000 + i));
    names.push_back("GET:/api/cart"); // beyond the cap too, under its own pattern
    std::vector<IngestEvent> events;
    for (const std::string &n : names) {
        for (int i = 0; i < 30; ++i) {
            IngestEvent e;
            e.kind = MetricKind::Api;
            e.service = "shop";
            e.name = n;
            e.value = 4000; // slow, but mixed names: no slow_endpoint for the overflow key
            e.timestampMs = kNow - kMinute;
            events.push_back(e);
        }
    }
    store.insert(events, kNow);

    Analyzer analyzer;
    const AnalyzerInput input = analyzer.collect(store, kNow);
    QCOMPARE(input.overflows.size(), 1u);
    QCOMPARE(input.overflows[0].events, quint64(38 * 30));
    QCOMPARE(input.overflows[0].allEvents, quint64(41 * 30));
    const AnalysisResult result = analyzer.analyze(input);
    const Recommendation *cardinality = nullptr;
    for (const Recommendation &r : result.recommendations) {
        if (r.rule == u"key_cardinality")
            cardinality = &r;
        else // no rule but this one reads the overflow key's mixed figures
            QVERIFY2(!r.target.isEmpty(), qPrintable(r.id));
    }
    QVERIFY(cardinality);
    QCOMPARE(cardinality->id, u"key_cardinality:shop:api"_s);
    QCOMPARE(cardinality->priority, Priority::High);
    QCOMPARE(cardinality->type, RecommendationType::Api);
    QCOMPARE(cardinality->evidence.value("keys"_L1).toInt(), 3);
    QCOMPARE(cardinality->evidence.value("limit_per_service"_L1).toInt(), 3);
    QCOMPARE(cardinality->evidence.value("overflow_events"_L1).toInteger(), 38 * 30);
    QCOMPARE(cardinality->evidence.value("overflow_share"_L1).toDouble(), 0.9268);
    const QJsonArray patterns = cardinality->evidence.value("patterns"_L1).toArray();
    QCOMPARE(patterns.size(), 1);
    QCOMPARE(patterns[0].toObject().value("pattern"_L1).toString(), u"GET:/api/orders/{id}"_s);
    QCOMPARE(patterns[0].toObject().value("keys"_L1).toInt(), 3);
    QCOMPARE(patterns[0].toObject().value("example"_L1).toString(), u"GET:/api/orders/80000"_s);
    QVERIFY2(cardinality->message.startsWith(u"shop sends more distinct endpoints than PerfWatch keeps apart (3 keys"_s),
        qPrintable(cardinality->message));
    QVERIFY2(cardinality->suggestion.startsWith(u"Most keys come from GET:/api/orders/{id} (3 keys)"_s),
        qPrintable(cardinality->suggestion));
    // The score still counts every request, the overflow key's too.
    QCOMPARE(result.score.breakdown.apiRequests, quint64(41 * 30));
}

QTEST_GUILESS_MAIN(TestAnalyzer)
#include "tst_analyzer.moc"
