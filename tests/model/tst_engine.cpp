#include "engine.h"
#include "historydatabase.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace perfwatch;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;

EngineConfig configFor(const QString &dir)
{
    EngineConfig c;
    c.dataDir = dir;
    // Periodic work is driven by the test through flushNow()/analyzeNow().
    c.flushIntervalMs = 3600'000;
    c.analysisIntervalMs = 3600'000;
    return c;
}

IngestEvent api(std::string_view route, double ms, quint16 status, qint64 ts)
{
    IngestEvent e;
    e.kind = MetricKind::Api;
    e.name = route;
    e.value = ms;
    e.status = status;
    e.error = status >= 500;
    e.timestampMs = ts;
    return e;
}

const KeyAggregate *find(const PeriodSummary &s, const QString &name)
{
    for (const auto &k : s.keys) {
        if (k.meta.name == name)
            return &k;
    }
    return nullptr;
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

class TestEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void restartKeepsRollupsScoresAndRecommendations()
    {
        QTemporaryDir dir;
        const qint64 t0 = now();
        QStringList firstIds;
        qint64 firstSeen = 0;
        {
            PerformanceEngine engine(configFor(dir.path()));
            QString error;
            QVERIFY2(engine.start(&error), qPrintable(error));
            QVERIFY(engine.persistenceStatus().enabled);
            std::vector<IngestEvent> batch;
            for (int i = 0; i < 90; ++i)
                batch.push_back(api("GET:/api/trips", 100, 200, t0 - 10 * kMinute + i * 1000));
            for (int i = 0; i < 10; ++i)
                batch.push_back(api("GET:/api/trips", 1100, 200, t0 - 5 * kMinute + i * 1000));
            engine.store().insert(batch, t0);
            const AnalysisResult result = engine.analyzeNow(t0);
            QCOMPARE(result.score.value, 84);
            QVERIFY(!result.recommendations.empty());
            for (const auto &r : result.recommendations)
                firstIds << r.id;
            firstSeen = result.recommendations.front().firstSeenMs;
            engine.stop(); // flushes
            const PersistenceStatus status = engine.persistenceStatus();
            QVERIFY(status.healthy);
            QCOMPARE(status.pendingRows, quint64(0));
        }

        PerformanceEngine engine(configFor(dir.path()));
        QVERIFY(engine.start());
        const PeriodSummary summary = engine.summary(1, now());
        const KeyAggregate *trips = find(summary, QStringLiteral("GET:/api/trips"));
        QVERIFY(trips);
        QCOMPARE(trips->agg.stats.count, quint64(100));
        QCOMPARE(trips->agg.stats.sum, 90 * 100.0 + 10 * 1100.0);
        QVERIFY(std::abs(trips->agg.quantile(0.95) - 1100) <= 11);

        const auto scores = engine.scoreHistory(t0 - kHour, now() + 1);
        QVERIFY(!scores.empty());
        QCOMPARE(scores.front().score, 84);
        QCOMPARE(scores.front().band, Band::Excellent);

        // The same advice keeps its original first-seen time after the restart.
        const AnalysisResult again = engine.analyzeNow(now());
        QVERIFY(!again.recommendations.empty());
        QCOMPARE(again.recommendations.front().id, firstIds.front());
        QCOMPARE(again.recommendations.front().firstSeenMs, firstSeen);
    }

    void readOnlyReadsHistoryWithoutWritingIt()
    {
        QTemporaryDir dir;
        const qint64 t0 = now();
        {
            PerformanceEngine engine(configFor(dir.path()));
            QVERIFY(engine.start());
            std::vector<IngestEvent> batch;
            for (int i = 0; i < 20; ++i)
                batch.push_back(api("GET:/api/slow", 1500, 200, t0 - 5 * kMinute + i * 1000));
            engine.store().insert(batch, t0);
            QVERIFY(!engine.analyzeNow(t0).recommendations.empty());
            engine.stop();
        }
        const auto counts = [&] {
            HistoryDatabase db(dir.path(), QStringLiteral("read-only-check"));
            db.open();
            return std::make_pair(db.scores(0, now() + kHour).size(), db.recommendations().size());
        };
        const auto before = counts();
        QCOMPARE(before.second, std::size_t(1));

        EngineConfig config = configFor(dir.path());
        config.readOnly = true;
        PerformanceEngine reader(config);
        QVERIFY(reader.start());
        QCOMPARE(reader.persistedRecommendations().size(), std::size_t(1));
        QCOMPARE(reader.persistedRecommendations().front().target, QStringLiteral("GET:/api/slow"));
        QVERIFY(find(reader.summary(1, now()), QStringLiteral("GET:/api/slow")));
        // Nothing in the window an hour later: an analysis with no advice must not replace the saved one.
        reader.analyzeNow(now() + kHour);
        reader.flushNow();
        reader.stop();
        QCOMPARE(counts(), before);
    }

    void summaryJoinsHistoryAndMemory()
    {
        QTemporaryDir dir;
        const qint64 t = now();
        const qint64 threeHoursAgo = (t - 3 * kHour) / kMinute * kMinute;
        {
            // An earlier run left rollups three hours back (older than memory holds).
            HistoryDatabase db(dir.path(), QStringLiteral("seed"));
            QVERIFY(db.open());
            RollupRow row;
            row.meta.kind = MetricKind::Api;
            row.meta.service = QStringLiteral("default");
            row.meta.name = QStringLiteral("GET:/api/trips");
            row.startMs = threeHoursAgo;
            LatencySketch sketch;
            sketch.add(40, 30);
            row.sketch = sketch.encode();
            row.stats.count = 30;
            row.stats.sum = 1200;
            row.stats.min = row.stats.max = 40;
            QVERIFY(db.writeRollups({ row }));
        }
        PerformanceEngine engine(configFor(dir.path()));
        QVERIFY(engine.start());
        engine.store().insert(std::vector { api("GET:/api/trips", 10, 200, t), api("GET:/api/other", 5, 200, t) }, t);

        const PeriodSummary day = engine.summary(24, t);
        const KeyAggregate *trips = find(day, QStringLiteral("GET:/api/trips"));
        QVERIFY(trips);
        QCOMPARE(trips->agg.stats.count, quint64(31));
        QCOMPARE(trips->agg.stats.sum, 1210.0);
        QCOMPARE(trips->agg.stats.min, 10.0);
        QCOMPARE(trips->agg.stats.max, 40.0);
        QCOMPARE(trips->agg.sketch.count(), quint64(31));
        QVERIFY(find(day, QStringLiteral("GET:/api/other")));

        // One hour reaches only memory.
        const PeriodSummary hour = engine.summary(1, t);
        QCOMPARE(find(hour, QStringLiteral("GET:/api/trips"))->agg.stats.count, quint64(1));

        // A 6 h series at 5 min steps shows the old point from history and the new one from memory.
        KeyMeta meta;
        for (const KeyMeta &k : engine.store().keys()) {
            if (k.name == u"GET:/api/trips")
                meta = k;
        }
        const auto series = engine.keySeries(meta, t - 6 * kHour, t + 1, 5 * kMinute);
        QCOMPARE(series.size(), std::size_t(2));
        QCOMPARE(series.front().startMs, threeHoursAgo - threeHoursAgo % (5 * kMinute));
        QCOMPARE(series.front().agg.stats.count, quint64(30));
        QCOMPARE(series.back().agg.stats.count, quint64(1));
        const auto kind = engine.kindSeries(MetricKind::Api, {}, t - 6 * kHour, t + 1, 5 * kMinute);
        QCOMPARE(kind.back().agg.stats.count, quint64(2));
    }

    void periodicWorkRunsOnItsOwnThread()
    {
        QTemporaryDir dir;
        EngineConfig config = configFor(dir.path());
        config.analysisIntervalMs = 100;
        config.flushIntervalMs = 100;
        PerformanceEngine engine(config);
        QVERIFY(engine.start());
        const qint64 t = now();
        engine.store().insert(std::vector { api("GET:/x", 700, 200, t) }, t);
        QSignalSpy analysed(&engine, &PerformanceEngine::analysisUpdated);
        QVERIFY(analysed.wait(5000));
        QTRY_VERIFY_WITH_TIMEOUT(engine.persistenceStatus().lastFlushMs >= t, 5000);
        QCOMPARE(engine.latestAnalysis().score.breakdown.apiRequests, quint64(1));
    }

    void withoutDataDirKeepsWorking()
    {
        EngineConfig config;
        PerformanceEngine engine(config);
        QVERIFY(engine.start());
        QVERIFY(!engine.persistenceStatus().enabled);
        const qint64 t = now();
        engine.store().insert(std::vector { api("GET:/x", 5, 200, t) }, t);
        engine.flushNow();
        QCOMPARE(engine.summary(24, t).keys.size(), std::size_t(1));
    }

    void unusableDataDirFailsClearly()
    {
        QTemporaryDir dir;
        // A regular file where the data folder should be.
        const QString path = dir.filePath(QStringLiteral("not-a-folder"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("x");
        file.close();
        PerformanceEngine engine(configFor(path));
        QString error;
        QVERIFY(!engine.start(&error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!error.contains(u'\n'));
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
