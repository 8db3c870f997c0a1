// The CSV files of a report: RFC 4180, UTF-8, C-locale numbers that read back exactly, ISO 8601
// UTC times, and keys with commas, quotes, line breaks and non-ASCII letters intact.

#include "keystatsmodel.h"
#include "reportbuilder.h"
#include "reportcsv.h"
#include "reporttestdata.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

ReportData buildReport(MetricStore &store, double hours = 1)
{
    addTraffic(store, kReportNow);
    auto source = reportSource(store);
    source->addScoreHistory({ { kReportNow - 5 * kMin, 70, Band::Good }, { kReportNow - 2 * kMin, 64, Band::Good } });
    ReportRequest request;
    request.hours = hours;
    request.nowMs = kReportNow;
    return ReportBuilder::build(*source, request);
}

QList<QStringList> parsed(const QByteArray &csv)
{
    QString error;
    const QList<QStringList> records = parseCsv(csv, &error);
    if (!error.isEmpty())
        qWarning("CSV does not parse: %s", qPrintable(error));
    return records;
}

/// The CSV value of a numeric cell: empty for "no value", else the exact double.
double valueOf(const QString &field)
{
    if (field.isEmpty())
        return std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    const double v = field.toDouble(&ok); // QString::toDouble reads the C locale
    return ok ? v : std::numeric_limits<double>::infinity();
}

bool sameNumber(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace

class TestReportCsv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // A locale with a decimal comma and a group separator: the CSV must not follow it.
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    }

    void fieldQuoting_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QStringLiteral("GET:/api/trips") << QStringLiteral("GET:/api/trips");
        QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
        QTest::newRow("line feed") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
        QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("\"a\rb\"");
        QTest::newRow("non-ASCII") << QStringLiteral("Zürich/straße") << QStringLiteral("Zürich/straße");
        QTest::newRow("empty") << QString() << QString();
    }
    void fieldQuoting()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(ReportCsv::field(text), expected);
    }

    void numbersAndTimes()
    {
        QCOMPARE(ReportCsv::number(1234567.25), QStringLiteral("1234567.25")); // no group separator, a point
        QCOMPARE(ReportCsv::number(0.1), QStringLiteral("0.1"));
        QCOMPARE(ReportCsv::number(-0.0), QStringLiteral("0"));
        QCOMPARE(ReportCsv::number(1e-7), QStringLiteral("0.0000001"));
        QCOMPARE(ReportCsv::number(std::nan("")), QString());
        QCOMPARE(ReportCsv::number(INFINITY), QString());
        const double third = 1.0 / 3.0;
        QCOMPARE(ReportCsv::number(third).toDouble(), third); // shortest form, exact
        QCOMPARE(ReportCsv::time(kReportNow), QStringLiteral("2023-11-14T22:14:00Z"));
        QCOMPARE(ReportCsv::time(0), QString());
    }

    void apiTableEqualsTheModelsNumbers()
    {
        MetricStore store;
        const ReportData data = buildReport(store);
        QCOMPARE(data.api.size(), std::size_t(3));

        const QList<QStringList> records = parsed(ReportCsv::file(data, ReportCsv::File::ApiRequests));
        QCOMPARE(records.size(), 1 + int(data.api.size()));
        QCOMPARE(records[0],
            QStringList({ QStringLiteral("endpoint"), QStringLiteral("service"), QStringLiteral("requests"),
                QStringLiteral("rate_per_s"), QStringLiteral("avg_ms"), QStringLiteral("p50_ms"),
                QStringLiteral("p95_ms"), QStringLiteral("p99_ms"), QStringLiteral("max_ms"), QStringLiteral("errors"),
                QStringLiteral("error_rate"), QStringLiteral("apdex") }));

        // The window's model given the same rows: every numeric cell equals its SortRole exactly.
        KeyStatsModel model(KeyStatsModel::Table::Api);
        model.setRows(data.api, data.thresholds);
        QCOMPARE(model.columnCount(), records[0].size());
        for (int r = 0; r < model.rowCount(); ++r) {
            const QStringList &fields = records[r + 1];
            QCOMPARE(fields[0], data.api[std::size_t(r)].key.name);
            QCOMPARE(fields[1], data.api[std::size_t(r)].key.service);
            for (int c = 2; c < model.columnCount(); ++c) {
                const QVariant expected = model.data(model.index(r, c), KeyStatsModel::SortRole);
                const double value = valueOf(fields[c]);
                QVERIFY2(sameNumber(value, expected.isValid() ? expected.toDouble() : std::nan("")),
                    qPrintable(QStringLiteral("row %1 column %2: %3 vs %4")
                                   .arg(r)
                                   .arg(records[0][c], fields[c], expected.toString())));
            }
        }
        // Sorted by p95, slowest first; the failing upload endpoint is the slowest.
        QCOMPARE(records[1][0], QStringLiteral("POST:/api/trips/upload"));
        QVERIFY(valueOf(records[1][6]) >= valueOf(records[2][6]));
        QCOMPARE(valueOf(records[1][9]), double(data.api[0].errors));
        QVERIFY(data.api[0].errors > 0);
    }

    void awkwardKeysSurviveARoundTrip()
    {
        MetricStore store;
        const ReportData data = buildReport(store);
        const QByteArray csv = ReportCsv::file(data, ReportCsv::File::ApiRequests);
        QVERIFY(csv.contains("Zürich")); // UTF-8 bytes, not escapes
        QVERIFY(!csv.startsWith("\xEF\xBB\xBF")); // no byte-order mark
        const QList<QStringList> records = parsed(csv);
        QVERIFY(!records.isEmpty());
        bool found = false;
        for (const QStringList &r : records) {
            if (r[0] == kAwkwardRoute) {
                QCOMPARE(r[1], kAwkwardService);
                found = true;
            }
        }
        QVERIFY2(found, csv.constData());
    }

    void everyFileOfAFolder()
    {
        MetricStore store;
        const ReportData data = buildReport(store);
        QTemporaryDir dir;
        QStringList written;
        QString error;
        QVERIFY2(ReportCsv::writeAll(data, dir.filePath(QStringLiteral("out")), &written, &error), qPrintable(error));
        QStringList names;
        for (const QString &path : written)
            names << QFileInfo(path).fileName();
        QCOMPARE(names,
            QStringList({ QStringLiteral("api_requests.csv"), QStringLiteral("database_operations.csv"),
                QStringLiteral("processing.csv"), QStringLiteral("resources.csv"),
                QStringLiteral("recommendations.csv"), QStringLiteral("timeseries.csv") }));
        for (const QString &path : written) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QString parseError;
            const QList<QStringList> records = parseCsv(f.readAll(), &parseError);
            QVERIFY2(parseError.isEmpty(), qPrintable(path + u' ' + parseError));
            QVERIFY2(records.size() >= 2, qPrintable(path)); // a header and data
        }
    }

    void databaseAndResourceTables()
    {
        MetricStore store;
        const ReportData data = buildReport(store);
        const QList<QStringList> db = parsed(ReportCsv::file(data, ReportCsv::File::DatabaseOperations));
        QCOMPARE(db[0].last(), QStringLiteral("documents_per_s"));
        QCOMPARE(db[1][0], QStringLiteral("find:trips"));
        QCOMPARE(valueOf(db[1][2]), 120.0);
        QCOMPARE(valueOf(db[1][4]), data.database[0].avg);

        const QList<QStringList> resources = parsed(ReportCsv::file(data, ReportCsv::File::Resources));
        QCOMPARE(resources[0],
            QStringList({ QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("service"),
                QStringLiteral("last"), QStringLiteral("min"), QStringLiteral("avg"), QStringLiteral("max"),
                QStringLiteral("samples"), QStringLiteral("hit_rate"), QStringLiteral("hits"), QStringLiteral("misses"),
                QStringLiteral("lookups_per_s") }));
        QCOMPARE(resources.size(), 1 + 2 + 1); // two gauges, one cache
        const QStringList &cache = resources.last();
        QCOMPARE(cache[0], QStringLiteral("cache"));
        QCOMPARE(valueOf(cache[8]), 0.6); // 6 hits of 10 lookups each time
        QCOMPARE(valueOf(cache[9]), 720.0);
        QCOMPARE(valueOf(cache[10]), 480.0);
        QVERIFY(cache[3].isEmpty()); // gauge columns stay empty for a cache
    }

    void recommendationsAndTimeSeries()
    {
        MetricStore store;
        const ReportData data = buildReport(store);
        QVERIFY(!data.recommendations.empty());
        const QList<QStringList> recs = parsed(ReportCsv::file(data, ReportCsv::File::Recommendations));
        QCOMPARE(recs.size(), 1 + int(data.recommendations.size()));
        QCOMPARE(recs[0].first(), QStringLiteral("priority"));
        for (std::size_t i = 0; i < data.recommendations.size(); ++i) {
            const Recommendation &r = data.recommendations[i];
            const QStringList &row = recs[int(i) + 1];
            QCOMPARE(row[0], priorityName(r.priority));
            QCOMPARE(row[5], r.message);
            QCOMPARE(row[6], r.suggestion);
            QCOMPARE(QJsonDocument::fromJson(row[7].toUtf8()).object(), r.evidence);
            QCOMPARE(valueOf(row[8]), r.impact);
        }

        const QList<QStringList> series = parsed(ReportCsv::file(data, ReportCsv::File::TimeSeries));
        QCOMPARE(series[0].first(), QStringLiteral("timestamp"));
        QVERIFY(series.size() > 5);
        // Whole minutes in UTC, ascending, and the p95 of each step as the data holds it.
        const QDateTime first = QDateTime::fromString(series[1][0], Qt::ISODate);
        QVERIFY(first.isValid());
        QCOMPARE(first.timeSpec(), Qt::UTC);
        QCOMPARE(first.toMSecsSinceEpoch() % kMin, 0);
        for (int i = 2; i < series.size(); ++i)
            QVERIFY(series[i][0] > series[i - 1][0]);
        for (const QPointF &p : data.latency[1]) {
            const QString stamp = ReportCsv::time(qint64(p.x()));
            auto it = std::find_if(series.begin(), series.end(), [&](const QStringList &r) { return r[0] == stamp; });
            QVERIFY(it != series.end());
            QCOMPARE(valueOf((*it)[2]), p.y());
        }
    }
};

QTEST_MAIN(TestReportCsv)
#include "tst_reportcsv.moc"
