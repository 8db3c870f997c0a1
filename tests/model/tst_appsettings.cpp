#include "appsettings.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace perfwatch;

class TestAppSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsMatchDesign()
    {
        const AppSettings s;
        QCOMPARE(s.bindAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(s.port, 4318);
        QCOMPARE(s.statsdPort, 8125);
        QCOMPARE(s.grpcPort, 4317);
        QCOMPARE(s.cleanupIntervalMinutes, 30);
        QCOMPARE(s.maxMetricHistory, 1000);
        QCOMPARE(s.slowApiMs, 500.0);
        QCOMPARE(s.slowDbMs, 200.0);
        QCOMPARE(s.minThroughput, 100.0);
        QCOMPARE(s.ingestThreads, 2);
        QVERIFY(s.validate().isEmpty());
        const EngineConfig e = s.engineConfig();
        QCOMPARE(e.store.rawHistory, 1000);
        QCOMPARE(e.cleanupIntervalMs, qint64(30 * 60'000));
        QCOMPARE(e.analyzer.slowApiMs, 500.0);
    }

    void environmentOverridesSettings()
    {
        QTemporaryDir dir;
        QSettings stored(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        AppSettings saved;
        saved.slowApiMs = 800;
        saved.slowDbMs = 150;
        saved.port = 9000;
        saved.ingestThreads = 3;
        saved.save(stored);

        AppSettings s;
        s.load(stored);
        QCOMPARE(s.slowApiMs, 800.0);
        QCOMPARE(s.port, 9000);
        QCOMPARE(s.ingestThreads, 3);

        QProcessEnvironment env;
        env.insert(QStringLiteral("PERFORMANCE_SLOW_API_THRESHOLD_MS"), QStringLiteral("250"));
        env.insert(QStringLiteral("PERFORMANCE_MAX_METRIC_HISTORY"), QStringLiteral("50"));
        env.insert(QStringLiteral("PERFORMANCE_CLEANUP_INTERVAL_MINUTES"), QStringLiteral("5"));
        env.insert(QStringLiteral("PERFORMANCE_MIN_THROUGHPUT"), QStringLiteral("12.5"));
        env.insert(QStringLiteral("PERFWATCH_TOKEN"), QStringLiteral("s3cret"));
        env.insert(QStringLiteral("PERFWATCH_INGEST_THREADS"), QStringLiteral("1"));
        QVERIFY(s.applyEnvironment(env).isEmpty());
        QCOMPARE(s.slowApiMs, 250.0);
        QCOMPARE(s.slowDbMs, 150.0); // not in the environment: the saved value stays
        QCOMPARE(s.maxMetricHistory, 50);
        QCOMPARE(s.cleanupIntervalMinutes, 5);
        QCOMPARE(s.minThroughput, 12.5);
        QCOMPARE(s.token, QStringLiteral("s3cret"));
        QCOMPARE(s.ingestThreads, 1);
    }

    void invalidEnvironmentWarns_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::newRow("text") << "PERFORMANCE_SLOW_DB_THRESHOLD_MS"
                              << "fast";
        QTest::newRow("negative") << "PERFORMANCE_SLOW_API_THRESHOLD_MS"
                                  << "-5";
        QTest::newRow("zero") << "PERFORMANCE_MIN_THROUGHPUT"
                              << "0";
        QTest::newRow("fraction for a count") << "PERFORMANCE_MAX_METRIC_HISTORY"
                                              << "10.5";
        QTest::newRow("nan") << "PERFORMANCE_SLOW_API_THRESHOLD_MS"
                             << "nan";
        QTest::newRow("no ingest threads") << "PERFWATCH_INGEST_THREADS"
                                           << "0";
    }

    void invalidEnvironmentWarns()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        AppSettings s;
        const AppSettings before = s;
        QProcessEnvironment env;
        env.insert(name, value);
        const QStringList warnings = s.applyEnvironment(env);
        QCOMPARE(warnings.size(), 1);
        QVERIFY(warnings[0].startsWith(name + u'=' + value));
        QCOMPARE(s.slowApiMs, before.slowApiMs);
        QCOMPARE(s.slowDbMs, before.slowDbMs);
        QCOMPARE(s.maxMetricHistory, before.maxMetricHistory);
        QCOMPARE(s.minThroughput, before.minThroughput);
        QCOMPARE(s.ingestThreads, before.ingestThreads);
    }

    void validation()
    {
        AppSettings s;
        s.bindAddress = QStringLiteral("0.0.0.0");
        QCOMPARE(s.validate().size(), 1); // off loopback without a token
        s.token = QStringLiteral("t");
        QVERIFY(s.validate().isEmpty());
        s.bindAddress = QStringLiteral("not-an-address");
        s.port = 70000;
        s.refreshMs = 10;
        QCOMPARE(s.validate().size(), 3);
        s = AppSettings();
        s.ingestThreads = 0;
        QCOMPARE(s.validate(), QStringList { QStringLiteral("ingest threads must be between 1 and 64") });
        s = AppSettings();
        s.bindAddress = QStringLiteral("::1");
        QVERIFY(s.bindsLoopback());
        QVERIFY(s.validate().isEmpty());
    }

    void reportSettingsRoundTripAndValidate()
    {
        const AppSettings defaults;
        QCOMPARE(defaults.reportHours, 24);
        QCOMPARE(defaults.reportPageSize, QStringLiteral("A4"));
        QVERIFY(!defaults.scheduledReports); // off by default
        QCOMPARE(defaults.scheduledReportEveryHours, 24);

        QTemporaryDir dir;
        QSettings stored(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        AppSettings saved;
        saved.reportHours = 6;
        saved.reportPageSize = QStringLiteral("Letter");
        saved.scheduledReports = true;
        saved.scheduledReportEveryHours = 12;
        saved.scheduledReportDir = dir.path();
        QVERIFY(saved.validate().isEmpty());
        saved.save(stored);
        AppSettings loaded;
        loaded.load(stored);
        QCOMPARE(loaded.reportHours, 6);
        QCOMPARE(loaded.reportPageSize, QStringLiteral("Letter"));
        QVERIFY(loaded.scheduledReports);
        QCOMPARE(loaded.scheduledReportEveryHours, 12);
        QCOMPARE(loaded.scheduledReportDir, dir.path());

        AppSettings bad;
        bad.reportHours = 0;
        bad.reportPageSize = QStringLiteral("A5");
        bad.scheduledReportEveryHours = 0;
        bad.scheduledReports = true; // without a folder
        QCOMPARE(bad.validate().size(), 4);
        bad = AppSettings();
        bad.reportHours = bad.retentionHours + 1; // beyond what the history keeps
        QCOMPARE(bad.validate().size(), 1);
    }

    void tokenFileIsPrivate()
    {
        QTemporaryDir dir;
        QString error;
        const QString token = loadOrCreateToken(dir.path(), &error);
        QVERIFY2(!token.isEmpty(), qPrintable(error));
        QVERIFY(token.size() >= 40);
        const QFileInfo info(QDir(dir.path()).filePath(QStringLiteral("token")));
        QCOMPARE(info.permissions()
                & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
            QFileDevice::Permissions());
        QCOMPARE(loadOrCreateToken(dir.path(), &error), token); // stable across starts
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
