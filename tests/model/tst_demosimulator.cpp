#include "analyzer.h"
#include "demosimulator.h"
#include "metricstore.h"

#include <QDateTime>
#include <QSet>
#include <QTest>

using namespace perfwatch;

class TestDemoSimulator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstLaunchFiresSeveralRules()
    {
        MetricStore store;
        DemoSimulator demo(store);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        demo.generate(now - 45 * 60'000, now, now);

        QSet<QString> names;
        for (const KeyMeta &k : store.keys())
            names.insert(k.name);
        for (const char *expected : { "GET:/api/trips", "GET:/api/trips/{id}", "POST:/api/trips/upload",
                 "GET:/api/coverage", "find:trips", "aggregate:coverage", "insert:trips", "map_matching", "geocode",
                 "db.pool.in_use", "db.pool.size", "trip_cache", "process.memory.rss_bytes" })
            QVERIFY2(names.contains(QString::fromLatin1(expected)), expected);
        QCOMPARE(store.services().size(), 2);

        Analyzer analyzer;
        const AnalysisResult result = analyzer.analyze(store, now);
        QVERIFY(result.score.band != Band::NoData);
        QSet<QString> rules;
        for (const Recommendation &r : result.recommendations)
            rules.insert(r.rule);
        for (const char *rule : { "slow_endpoint", "slow_query", "connection_pool", "processing_bottleneck",
                 "low_throughput", "cache_hit_rate", "memory_growth", "n_plus_one" })
            QVERIFY2(rules.contains(QString::fromLatin1(rule)), rule);
    }
};

QTEST_GUILESS_MAIN(TestDemoSimulator)
#include "tst_demosimulator.moc"
