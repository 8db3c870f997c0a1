#include "format.h"
#include "keyfilterproxymodel.h"
#include "keystatsmodel.h"
#include "viewtestdata.h"

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QSignalSpy>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

std::vector<KeyRow> apiRows(std::initializer_list<std::pair<const char *, quint64>> keys, double p95 = 100)
{
    std::vector<KeyRow> rows;
    for (const auto &[name, count] : keys)
        rows.push_back(row(MetricKind::Api, QString::fromLatin1(name), count, p95));
    return rows;
}

QStringList namesInViewOrder(const QAbstractItemModel &proxy, int nameColumn)
{
    QStringList names;
    for (int r = 0; r < proxy.rowCount(); ++r)
        names << proxy.index(r, nameColumn).data().toString();
    return names;
}

} // namespace

class TestKeyStatsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void passesModelTester_data()
    {
        QTest::addColumn<int>("table");
        QTest::newRow("api") << int(KeyStatsModel::Table::Api);
        QTest::newRow("database") << int(KeyStatsModel::Table::Database);
        QTest::newRow("processing") << int(KeyStatsModel::Table::Processing);
        QTest::newRow("gauges") << int(KeyStatsModel::Table::Gauges);
        QTest::newRow("caches") << int(KeyStatsModel::Table::Caches);
    }
    void passesModelTester()
    {
        QFETCH(int, table);
        KeyStatsModel model { KeyStatsModel::Table(table) };
        KeyFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(model.sectionOf(KeyStatsModel::Name));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const MetricKind kind = model.kind();
        std::vector<KeyRow> rows;
        for (int i = 0; i < 5; ++i)
            rows.push_back(row(kind, QStringLiteral("key%1").arg(i), quint64(10 + i), 50.0 * i));
        model.setRows(rows, AnalyzerConfig {});
        rows[2].count = 99;
        rows.push_back(row(kind, QStringLiteral("key5"), 1, 1));
        model.setRows(rows, AnalyzerConfig {});
        rows.erase(rows.begin());
        model.setRows(rows, AnalyzerConfig {}); // key0 turns idle
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(proxy.rowCount(), 5);
    }

    void newKeysInsertRowsOnceNeverReset()
    {
        KeyStatsModel model { KeyStatsModel::Table::Api };
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.setRows(apiRows({ { "GET:/a", 5 }, { "GET:/b", 7 } }), AnalyzerConfig {});
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 1);
        QCOMPARE(changed.count(), 0);

        // Two new keys in one tick: one insert for the batch, appended after the known rows.
        model.setRows(
            apiRows({ { "GET:/a", 5 }, { "GET:/b", 7 }, { "GET:/c", 1 }, { "GET:/d", 2 } }), AnalyzerConfig {});
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 2);
        QCOMPARE(inserted.at(1).at(2).toInt(), 3);
        QCOMPARE(changed.count(), 0); // nothing else moved
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.rowAt(2).key.name, QStringLiteral("GET:/c"));
        QCOMPARE(reset.count(), 0);
    }

    void changedValuesEmitDataChanged()
    {
        KeyStatsModel model { KeyStatsModel::Table::Api };
        model.setRows(
            apiRows({ { "GET:/a", 5 }, { "GET:/b", 7 }, { "GET:/c", 9 }, { "GET:/d", 11 } }), AnalyzerConfig {});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // One of four rows changed: one signal for exactly that row, all columns.
        model.setRows(
            apiRows({ { "GET:/a", 5 }, { "GET:/b", 7 }, { "GET:/c", 10 }, { "GET:/d", 11 } }), AnalyzerConfig {});
        QCOMPARE(changed.count(), 1);
        auto topLeft = changed.at(0).at(0).value<QModelIndex>();
        auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(topLeft.row(), 2);
        QCOMPARE(bottomRight.row(), 2);
        QCOMPARE(topLeft.column(), 0);
        QCOMPARE(bottomRight.column(), model.columnCount() - 1);
        const auto roles = changed.at(0).at(2).value<QList<int>>();
        QVERIFY(roles.contains(Qt::DisplayRole));
        QVERIFY(roles.contains(KeyStatsModel::SortRole));
        QCOMPARE(model.index(2, model.sectionOf(KeyStatsModel::Count)).data().toString(), QStringLiteral("10"));

        // Every row changed: one range signal over the whole table.
        changed.clear();
        model.setRows(
            apiRows({ { "GET:/a", 6 }, { "GET:/b", 8 }, { "GET:/c", 11 }, { "GET:/d", 12 } }), AnalyzerConfig {});
        QCOMPARE(changed.count(), 1);
        topLeft = changed.at(0).at(0).value<QModelIndex>();
        bottomRight = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(topLeft.row(), 0);
        QCOMPARE(bottomRight.row(), 3);

        // Nothing changed: no signal at all.
        changed.clear();
        model.setRows(
            apiRows({ { "GET:/a", 6 }, { "GET:/b", 8 }, { "GET:/c", 11 }, { "GET:/d", 12 } }), AnalyzerConfig {});
        QCOMPARE(changed.count(), 0);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
    }

    void keyWithoutDataTurnsIdle()
    {
        KeyStatsModel model { KeyStatsModel::Table::Api };
        KeyFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        model.setRows(apiRows({ { "GET:/a", 5 }, { "GET:/b", 7 } }), AnalyzerConfig {});
        QCOMPARE(proxy.rowCount(), 2);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.setRows(apiRows({ { "GET:/b", 7 } }), AnalyzerConfig {});
        QCOMPARE(model.rowCount(), 2); // the model keeps the key ...
        QCOMPARE(removed.count(), 0);
        QCOMPARE(model.index(0, 0).data(KeyStatsModel::IdleRole).toBool(), true);
        QCOMPARE(model.index(0, model.sectionOf(KeyStatsModel::P95)).data().toString(), QStringLiteral("—"));
        QCOMPARE(proxy.rowCount(), 1); // ... the view hides it
        proxy.setShowIdle(true);
        QCOMPARE(proxy.rowCount(), 2);
    }

    void sortsNumerically()
    {
        KeyStatsModel model { KeyStatsModel::Table::Api };
        KeyFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        std::vector<KeyRow> rows
            = apiRows({ { "GET:/nine", 9 }, { "GET:/hundred", 100 }, { "GET:/ten", 10 }, { "GET:/thousand", 1000 } });
        rows[0].p95 = 9;
        rows[1].p95 = 1000;
        rows[2].p95 = KeyRow::kNaN; // no value sorts after every number
        rows[3].p95 = 85;
        model.setRows(rows, AnalyzerConfig {});
        const int name = model.sectionOf(KeyStatsModel::Name);

        proxy.sort(model.sectionOf(KeyStatsModel::Count), Qt::DescendingOrder);
        // As text "9" > "1000" > "100" > "10"; as numbers the other way round.
        QCOMPARE(namesInViewOrder(proxy, name),
            (QStringList { QStringLiteral("GET:/thousand"), QStringLiteral("GET:/hundred"), QStringLiteral("GET:/ten"),
                QStringLiteral("GET:/nine") }));
        QCOMPARE(proxy.index(0, model.sectionOf(KeyStatsModel::Count)).data().toString(), QStringLiteral("1,000"));

        proxy.sort(model.sectionOf(KeyStatsModel::P95), Qt::AscendingOrder);
        QCOMPARE(namesInViewOrder(proxy, name),
            (QStringList { QStringLiteral("GET:/nine"), QStringLiteral("GET:/thousand"), QStringLiteral("GET:/hundred"),
                QStringLiteral("GET:/ten") }));

        // A tick that changes the numbers re-sorts the view.
        rows[0].count = 5000;
        model.setRows(rows, AnalyzerConfig {});
        proxy.sort(model.sectionOf(KeyStatsModel::Count), Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, name).data().toString(), QStringLiteral("GET:/nine"));
    }

    void tintsCellsOverThreshold()
    {
        KeyStatsModel api { KeyStatsModel::Table::Api };
        AnalyzerConfig t;
        t.slowApiMs = 500;
        std::vector<KeyRow> rows = apiRows({ { "GET:/fast", 100 }, { "GET:/slow", 100 } });
        rows[0].p95 = 499;
        rows[1].p95 = 501;
        rows[1].errors = 2;
        rows[1].errorRate = 0.02;
        api.setRows(rows, t);
        const int p95 = api.sectionOf(KeyStatsModel::P95);
        const int errorPercent = api.sectionOf(KeyStatsModel::ErrorPercent);
        QVERIFY(!api.index(0, p95).data(Qt::BackgroundRole).isValid());
        QVERIFY(api.index(1, p95).data(Qt::BackgroundRole).isValid());
        QCOMPARE(api.index(1, p95).data(KeyStatsModel::SeverityRole).toInt(), int(Theme::Severity::Critical));
        QCOMPARE(api.index(1, errorPercent).data(KeyStatsModel::SeverityRole).toInt(), int(Theme::Severity::Critical));
        QCOMPARE(api.index(0, errorPercent).data(KeyStatsModel::SeverityRole).toInt(), int(Theme::Severity::None));
        QCOMPARE(api.index(1, p95).data(Qt::ToolTipRole).toString(), QStringLiteral("Above the 500 ms threshold"));

        // Raising the threshold re-tints every row in one signal.
        QSignalSpy changed(&api, &QAbstractItemModel::dataChanged);
        t.slowApiMs = 600;
        api.setRows(rows, t);
        QCOMPARE(changed.count(), 1);
        QVERIFY(!api.index(1, p95).data(Qt::BackgroundRole).isValid());

        KeyStatsModel caches { KeyStatsModel::Table::Caches };
        KeyRow cache;
        cache.key = { MetricKind::Cache, QStringLiteral("svc"), QStringLiteral("trip_cache"), 0 };
        cache.count = 10;
        cache.hits = 79;
        cache.misses = 21;
        cache.hitRate = 0.79;
        caches.setRows({ cache }, AnalyzerConfig {});
        const int hitRate = caches.sectionOf(KeyStatsModel::HitRate);
        QCOMPARE(caches.index(0, hitRate).data().toString(), QStringLiteral("79.0%"));
        QCOMPARE(caches.index(0, hitRate).data(KeyStatsModel::SeverityRole).toInt(), int(Theme::Severity::Critical));
    }

    void namesAreIsolatedForDisplay()
    {
        // A right-to-left override must not show "/pay\u202etxt.exe" as "/payexe.txt": the control is
        // shown and the name isolated, while sorting and filtering keep the name as sent.
        KeyStatsModel model { KeyStatsModel::Table::Api };
        std::vector<KeyRow> rows = apiRows({ { "GET:/a", 1 } });
        rows[0].key.name = QStringLiteral("GET:/pay\u202etxt.exe");
        rows[0].key.service = QStringLiteral("\u05d7\u05e0\u05d5\u05ea");
        model.setRows(rows, AnalyzerConfig {});
        const QModelIndex name = model.index(0, model.sectionOf(KeyStatsModel::Name));
        const QModelIndex service = model.index(0, model.sectionOf(KeyStatsModel::Service));
        QCOMPARE(name.data().toString(), QStringLiteral("\u2068GET:/pay[U+202E]txt.exe\u2069"));
        QCOMPARE(service.data().toString(), QStringLiteral("\u2068\u05d7\u05e0\u05d5\u05ea\u2069"));
        QCOMPARE(name.data(Qt::ToolTipRole).toString(),
            QStringLiteral("\u2068GET:/pay[U+202E]txt.exe\u2069 (service \u2068\u05d7\u05e0\u05d5\u05ea\u2069)"));
        QCOMPARE(name.data(KeyStatsModel::SortRole).toString(), QStringLiteral("get:/pay\u202etxt.exe"));
        QCOMPARE(service.data(KeyStatsModel::ServiceRole).toString(), QStringLiteral("\u05d7\u05e0\u05d5\u05ea"));
    }

    void overflowKeyShowsOnlyCounts()
    {
        // The overflow key mixes many names: its name is a label and its durations are not shown
        // or tinted, while a real key named "other" is shown as any key.
        KeyStatsModel model { KeyStatsModel::Table::Api };
        std::vector<KeyRow> rows = apiRows({ { "other", 10 }, { "", 40 } }, 4000);
        rows[1].errors = 4;
        rows[1].errorRate = 0.1;
        rows[1].ratePerSec = 2;
        model.setRows(rows, AnalyzerConfig {});
        const auto cell = [&](int r, KeyStatsModel::Column c) { return model.index(r, model.sectionOf(c)); };
        QCOMPARE(cell(0, KeyStatsModel::Name).data().toString(), QStringLiteral("other"));
        QCOMPARE(cell(0, KeyStatsModel::P95).data().toString(), QStringLiteral("4.00 s"));
        QCOMPARE(cell(1, KeyStatsModel::Name).data().toString(), QStringLiteral("(other keys)"));
        QCOMPARE(cell(1, KeyStatsModel::Count).data().toString(), QStringLiteral("40"));
        QCOMPARE(cell(1, KeyStatsModel::Errors).data().toString(), QStringLiteral("4"));
        QCOMPARE(cell(1, KeyStatsModel::ErrorPercent).data().toString(), QStringLiteral("10.0%"));
        for (const KeyStatsModel::Column c : { KeyStatsModel::Avg, KeyStatsModel::P50, KeyStatsModel::P95,
                 KeyStatsModel::P99, KeyStatsModel::Max, KeyStatsModel::Apdex }) {
            QCOMPARE(cell(1, c).data().toString(), Format::none());
            QCOMPARE(cell(1, c).data(KeyStatsModel::SeverityRole).toInt(), int(Theme::Severity::None));
        }
        QCOMPARE(cell(0, KeyStatsModel::P95).data(KeyStatsModel::SeverityRole).toInt(), int(Theme::Severity::Critical));
        QVERIFY(!(model.flags(cell(1, KeyStatsModel::Name)) & Qt::ItemIsSelectable)); // nothing to drill into
        QVERIFY(model.flags(cell(0, KeyStatsModel::Name)) & Qt::ItemIsSelectable);
        QVERIFY(cell(1, KeyStatsModel::Name).data(Qt::ToolTipRole).toString().startsWith(
            QStringLiteral("Events of names beyond the key limit of service")));
    }

    void filtersByTextAndService()
    {
        KeyStatsModel model { KeyStatsModel::Table::Api };
        KeyFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        std::vector<KeyRow> rows = apiRows({ { "GET:/trips", 1 }, { "GET:/users", 2 }, { "POST:/trips", 3 } });
        rows[2].key.service = QStringLiteral("worker");
        model.setRows(rows, AnalyzerConfig {});
        proxy.setFilterText(QStringLiteral("TRIPS"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setServices({ QStringLiteral("worker") });
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, model.sectionOf(KeyStatsModel::Name)).data().toString(), QStringLiteral("POST:/trips"));
        proxy.setFilterText({});
        proxy.setServices({});
        QCOMPARE(proxy.rowCount(), 3);
    }
};

QTEST_MAIN(TestKeyStatsModel)
#include "tst_keystatsmodel.moc"
