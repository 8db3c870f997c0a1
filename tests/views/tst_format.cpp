#include "format.h"

#include <QLocale>
#include <QTest>
#include <limits>

using namespace perfwatch;

class TestFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void duration_data()
    {
        QTest::addColumn<double>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("sub-ms") << 0.423 << QStringLiteral("0.42 ms");
        QTest::newRow("tens") << 12.34 << QStringLiteral("12.3 ms");
        QTest::newRow("hundreds") << 245.4 << QStringLiteral("245 ms");
        QTest::newRow("seconds") << 1240.0 << QStringLiteral("1.24 s");
        QTest::newRow("tens of seconds") << 12'500.0 << QStringLiteral("12.5 s");
        QTest::newRow("minutes") << 150'000.0 << QStringLiteral("2.5 min");
        QTest::newRow("none") << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("—");
    }
    void duration()
    {
        QFETCH(double, ms);
        QFETCH(QString, text);
        QCOMPARE(Format::duration(ms), text);
    }

    void rate_data()
    {
        QTest::addColumn<double>("perSecond");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0/s");
        QTest::newRow("small") << 0.25 << QStringLiteral("0.25/s");
        QTest::newRow("tens") << 35.24 << QStringLiteral("35.2/s");
        QTest::newRow("thousands") << 1234.0 << QStringLiteral("1.23 k/s");
        QTest::newRow("tens of thousands") << 45'600.0 << QStringLiteral("45.6 k/s");
        QTest::newRow("millions") << 3'400'000.0 << QStringLiteral("3.40 M/s");
    }
    void rate()
    {
        QFETCH(double, perSecond);
        QFETCH(QString, text);
        QCOMPARE(Format::rate(perSecond), text);
    }

    void percentCountBytes()
    {
        QCOMPARE(Format::percent(0.0123, 2), QStringLiteral("1.23%"));
        QCOMPARE(Format::percent(0.5), QStringLiteral("50.0%"));
        QCOMPARE(Format::count(1234567), QStringLiteral("1,234,567"));
        QCOMPARE(Format::compactCount(674'000), QStringLiteral("674 k"));
        QCOMPARE(Format::compactCount(4'560'000), QStringLiteral("4.56 M"));
        QCOMPARE(Format::gauge(QStringLiteral("process.memory.rss_bytes"), 180.0 * 1024 * 1024),
            QStringLiteral("180.0 MiB"));
        QCOMPARE(Format::gauge(QStringLiteral("db.pool.in_use"), 9.5), QStringLiteral("9.50"));
        QCOMPARE(Format::gauge(QStringLiteral("db.pool.in_use"), 10), QStringLiteral("10"));
    }

    void german()
    {
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        QCOMPARE(Format::duration(12.34), QStringLiteral("12,3 ms"));
        QCOMPARE(Format::count(1234567), QStringLiteral("1.234.567"));
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }
};

QTEST_GUILESS_MAIN(TestFormat)
#include "tst_format.moc"
