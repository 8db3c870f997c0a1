// The CSV files of a report: RFC 4180, UTF-8, C-locale numbers that read back exactly, ISO 8601
// UTC times, and keys with commas, quotes, line breaks and non-ASCII letters intact.

#include "keystatsmodel.h"
#include "reportbuilder.h"
#include "reportcsv.h"
#include "reporttestdata.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
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

    void textCellsCannotRunAsFormulas_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("equals") << kFormulaRoute << QStringLiteral("'") + kFormulaRoute;
        QTest::newRow("plus") << QStringLiteral("+1+1") << QStringLiteral("'+1+1");
        QTest::newRow("minus") << QStringLiteral("-2+3") << QStringLiteral("'-2+3");
        QTest::newRow("at") << QStringLiteral("@SUM(1)") << QStringLiteral("'@SUM(1)");
        QTest::newRow("tab") << QStringLiteral("\tx") << QStringLiteral("'\tx");
        QTest::newRow("carriage return") << QStringLiteral("\rx") << QStringLiteral("'\rx");
        QTest::newRow("later equals") << QStringLiteral("a=1") << QStringLiteral("a=1");
        QTest::newRow("plain") << QStringLiteral("GET:/api/trips") << QStringLiteral("GET:/api/trips");
        QTest::newRow("empty") << QString() << QString();
    }
    void textCellsCannotRunAsFormulas()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(ReportCsv::textCell(text), expected);
        QCOMPARE(ReportCsv::nameCell(text), expected);
    }

    void namesAreIsolated()
    {
        QCOMPARE(ReportCsv::nameCell(kOverrideRoute), kOverrideRouteShown);
        // Isolated first, so a formula behind a control is text as well.
        QCOMPARE(ReportCsv::nameCell(QStringLiteral("=1\u202e")), QStringLiteral("\u2068=1[U+202E]\u2069"));
        QCOMPARE(ReportCsv::textCell(QStringLiteral("=1\u202e")), QStringLiteral("'=1\u202e"));
    }

    /// Every file of a report with hostile names in every text column, as the REST API, the command
    /// line and the window's "Export all" write them (ReportCsv::file).
    void everyTableNeutralisesHostileNames()
    {
        MetricStore store;
        addHostileTraffic(store, kReportNow);
        auto source = reportSource(store);
        ReportRequest request;
        request.hours = 1;
        request.nowMs = kReportNow;
        const ReportData data = ReportBuilder::build(*source, request);
        const QString formula = QStringLiteral("'") + kFormulaRoute;

        const QList<QStringList> api = parsed(ReportCsv::file(data, ReportCsv::File::ApiRequests));
        QCOMPARE(api.size(), 4);
        QCOMPARE(api[0][0], QStringLiteral("endpoint"));
        QCOMPARE(api[0][1], QStringLiteral("service"));
        QStringList endpoints;
        for (int i = 1; i < api.size(); ++i) {
            endpoints << api[i][0];
            QCOMPARE(api[i][1], QStringLiteral("'@SUM(1)"));
        }
        endpoints.sort();
        QStringList expected { formula, QStringLiteral("'-GET:/pay"), kOverrideRouteShown };
        expected.sort();
        QCOMPARE(endpoints, expected);

        const QList<QStringList> db = parsed(ReportCsv::file(data, ReportCsv::File::DatabaseOperations));
        QCOMPARE(db.size(), 2);
        QCOMPARE(db[1][0], QStringLiteral("'+1+1"));
        QCOMPARE(db[1][1], QStringLiteral("'\tx"));
        QCOMPARE(valueOf(db[1][4]), 400.0);

        const QList<QStringList> processing = parsed(ReportCsv::file(data, ReportCsv::File::Processing));
        QCOMPARE(processing.size(), 2);
        QCOMPARE(processing[1][0], QStringLiteral("'-2+3"));
        QCOMPARE(processing[1][1], QStringLiteral("'\rx"));

        const QList<QStringList> resources = parsed(ReportCsv::file(data, ReportCsv::File::Resources));
        QCOMPARE(resources.size(), 3);
        QCOMPARE(resources[1].mid(0, 7),
            QStringList({ QStringLiteral("gauge"), QStringLiteral("'@SUM(1)"), QStringLiteral("'\tx"),
                QStringLiteral("-3.5"), QStringLiteral("-3.5"), QStringLiteral("-3.5"), QStringLiteral("-3.5") }));
        QCOMPARE(resources[2].mid(0, 3),
            QStringList({ QStringLiteral("cache"), QStringLiteral("'=1+2"), QStringLiteral("'\tx") }));
        QCOMPARE(valueOf(resources[2][8]), 0.1);

        // Messages start with the name: "=HYPERLINK(…) is slow: …" is text, and the override is isolated.
        const QList<QStringList> recs = parsed(ReportCsv::file(data, ReportCsv::File::Recommendations));
        QVERIFY(recs.size() > 5);
        QStringList targets;
        for (int i = 1; i < recs.size(); ++i) {
            const QStringList &row = recs[i];
            targets << row[4];
            for (int c : { 3, 4, 5, 6, 7, 11 }) {
                QVERIFY2(!row[c].isEmpty() || c == 6, qPrintable(row.join(u'|')));
                const QChar first = row[c].isEmpty() ? QChar() : row[c].front();
                QVERIFY2(!QStringLiteral("=+-@\t\r").contains(first), qPrintable(row[c]));
                QVERIFY2(!row[c].contains(u'\u202e'), qPrintable(row[c]));
            }
        }
        QVERIFY2(targets.contains(formula), qPrintable(targets.join(u'|')));
        QVERIFY(targets.contains(QStringLiteral("'-GET:/pay")));
        QVERIFY(targets.contains(kOverrideRouteShown));
        QVERIFY(targets.contains(QStringLiteral("'+1+1")));
        QVERIFY(targets.contains(QStringLiteral("'-2+3")));
        QVERIFY(targets.contains(QStringLiteral("'=1+2")));
        const auto slow = std::find_if(recs.begin(), recs.end(),
            [&](const QStringList &r) { return r[2] == u"slow_endpoint" && r[4] == formula; });
        QVERIFY(slow != recs.end());
        QCOMPARE((*slow)[3], QStringLiteral("'@SUM(1)"));
        const auto slowRec = std::find_if(data.recommendations.begin(), data.recommendations.end(),
            [](const Recommendation &r) { return r.rule == u"slow_endpoint" && r.target == kFormulaRoute; });
        QVERIFY(slowRec != data.recommendations.end());
        QVERIFY2(slowRec->message.startsWith(kFormulaRoute + QStringLiteral(" is slow: p95 ")),
            qPrintable(slowRec->message));
        QCOMPARE((*slow)[5], QStringLiteral("'") + slowRec->message);
        QCOMPARE((*slow)[11], QStringLiteral("slow_endpoint:@SUM(1):") + kFormulaRoute); // starts with the rule
        const auto reversed = std::find_if(recs.begin(), recs.end(),
            [&](const QStringList &r) { return r[2] == u"slow_endpoint" && r[4] == kOverrideRouteShown; });
        QVERIFY(reversed != recs.end());
        // The evidence stays JSON: the override escaped, the same object to a parser.
        const auto dominant = std::find_if(data.recommendations.begin(), data.recommendations.end(),
            [](const Recommendation &r) { return r.rule == u"slow_endpoint" && r.target == kOverrideRoute; });
        QVERIFY(dominant != data.recommendations.end());
        QVERIFY2(dominant->message.startsWith(kOverrideRouteShown + QStringLiteral(" is slow: p95 ")),
            qPrintable(dominant->message));
        QCOMPARE((*reversed)[5], dominant->message);
        QVERIFY(ReportCsv::evidence(QJsonObject { { QStringLiteral("target"), kOverrideRoute } })
            == QStringLiteral("{\"target\":\"GET:/pay\\u202etxt.exe\"}"));
        QCOMPARE(
            QJsonDocument::fromJson(ReportCsv::evidence(dominant->evidence).toUtf8()).object(), dominant->evidence);
    }

    /// The window's "Export table" writes the page's rows with keyTable() and resources().
    void windowTablesNeutraliseHostileNames()
    {
        KeyRow api;
        api.key = { MetricKind::Api, kAtService, kMinusMethodRoute };
        api.count = 3;
        api.avg = 12;
        const QList<QStringList> rows = parsed(ReportCsv::keyTable(KeyStatsModel::Table::Api, { api }));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[1][0], QStringLiteral("'-GET:/pay"));
        QCOMPARE(rows[1][1], QStringLiteral("'@SUM(1)"));
        QCOMPARE(rows[1][2], QStringLiteral("3"));

        KeyRow gauge;
        gauge.key = { MetricKind::Gauge, kCrService, kOverrideRoute };
        gauge.count = 1;
        gauge.last = gauge.min = gauge.avg = gauge.max = -0.25;
        const QList<QStringList> g = parsed(ReportCsv::keyTable(KeyStatsModel::Table::Gauges, { gauge }));
        QCOMPARE(g[1].mid(0, 4),
            QStringList(
                { QStringLiteral("gauge"), kOverrideRouteShown, QStringLiteral("'\rx"), QStringLiteral("-0.25") }));

        Recommendation r;
        r.rule = QStringLiteral("slow_query");
        r.service = kTabService;
        r.target = kPlusDb;
        r.message = QStringLiteral("-1 reads as a formula");
        r.suggestion = QStringLiteral("@ too");
        r.impact = 2;
        const QList<QStringList> recs = parsed(ReportCsv::recommendations({ r }));
        QCOMPARE(recs[1].mid(2, 5),
            QStringList({ QStringLiteral("slow_query"), QStringLiteral("'\tx"), QStringLiteral("'+1+1"),
                QStringLiteral("'-1 reads as a formula"), QStringLiteral("'@ too") }));
        QCOMPARE(recs[1][8], QStringLiteral("2"));
    }
};

QTEST_MAIN(TestReportCsv)
#include "tst_reportcsv.moc"
