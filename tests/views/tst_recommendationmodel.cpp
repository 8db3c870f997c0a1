#include "recommendationmodel.h"
#include "recommendationspage.h"

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTextEdit>

using namespace perfwatch;

namespace {

Recommendation rec(const char *id, Priority priority, const char *suggestion = "do something")
{
    Recommendation r;
    r.id = QString::fromLatin1(id);
    r.rule = QStringLiteral("slow_query");
    r.type = RecommendationType::Database;
    r.priority = priority;
    r.service = QStringLiteral("svc");
    r.target = QString::fromLatin1(id);
    r.message = QStringLiteral("%1 is slow").arg(r.target);
    r.suggestion = QString::fromLatin1(suggestion);
    r.evidence = { { QStringLiteral("avg_ms"), 268.4 }, { QStringLiteral("threshold_ms"), 200 } };
    r.firstSeenMs = 1000;
    return r;
}

} // namespace

class TestRecommendationModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsIdentityAcrossTicks()
    {
        RecommendationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        model.setRecommendations(
            { rec("a", Priority::Low), rec("b", Priority::High), rec("c", Priority::Medium) }, 10'000);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), 3);

        // b goes away, c changes, d arrives.
        Recommendation c = rec("c", Priority::High);
        model.setRecommendations({ rec("a", Priority::Low), c, rec("d", Priority::Medium) }, 10'000);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(removed.at(0).at(2).toInt(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.recommendationAt(1).priority, Priority::High);
        QCOMPARE(model.rowOf(QStringLiteral("d")), 2);
        QCOMPARE(reset.count(), 0);

        model.setRecommendations({}, 10'000);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(reset.count(), 0);
    }

    void updatesTheSameAdviceInPlace()
    {
        RecommendationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const std::vector<Recommendation> first { rec("a", Priority::Low), rec("b", Priority::High),
            rec("c", Priority::Medium), rec("d", Priority::Low) };
        model.setRecommendations(first, 10'000);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // The same advice in the same order: nothing to tell the views.
        model.setRecommendations(first, 20'000);
        QCOMPARE(changed.count(), 0);

        // Two of it changed: one signal from the first to the last changed row.
        std::vector<Recommendation> second = first;
        second[1].message = QStringLiteral("b is slower");
        second[2].evidence.insert(QStringLiteral("avg_ms"), 300.5);
        model.setRecommendations(second, 30'000);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(changed.at(0).at(1).value<QModelIndex>().row(), 2);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().column(), 0);
        QCOMPARE(changed.at(0).at(1).value<QModelIndex>().column(), RecommendationModel::ColumnCount - 1);
        QCOMPARE(model.recommendationAt(1).message, QStringLiteral("b is slower"));
        QCOMPARE(model.recommendationAt(2).evidence.value(QStringLiteral("avg_ms")).toDouble(), 300.5);

        // A new minute changes every "first seen ... ago": all rows.
        model.setRecommendations(second, 90'000);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 0);
        QCOMPARE(changed.at(1).at(1).value<QModelIndex>().row(), 3);

        // The same ids in another order keep their rows.
        model.setRecommendations({ second[3], second[2], second[1], second[0] }, 90'000);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(model.rowOf(QStringLiteral("a")), 0);
        QCOMPARE(model.rowOf(QStringLiteral("d")), 3);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);

        // As many as before but one is new: b goes, e comes, c changes where it is.
        Recommendation c = second[2];
        c.priority = Priority::High;
        model.setRecommendations({ second[0], c, second[3], rec("e", Priority::Low) }, 90'000);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 3);
        QCOMPARE(changed.at(2).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(changed.at(2).at(1).value<QModelIndex>().row(), 1);
        QCOMPARE(model.rowOf(QStringLiteral("e")), 3);

        // The rows found after that change are those updated on the next tick.
        c.message = QStringLiteral("c is slower");
        model.setRecommendations({ rec("e", Priority::Low), second[3], c, second[0] }, 90'000);
        QCOMPARE(changed.count(), 4);
        QCOMPARE(changed.at(3).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(changed.at(3).at(1).value<QModelIndex>().row(), 1);
        QCOMPARE(model.recommendationAt(1).message, QStringLiteral("c is slower"));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(removed.count(), 1);
    }

    void sortsByPriorityThenCopiesTheSuggestion()
    {
        RecommendationsPage page;
        DashboardSnapshot snapshot;
        snapshot.nowMs = 120'000;
        snapshot.analysis.recommendations = { rec("low", Priority::Low, "nothing urgent"),
            rec("high", Priority::High, "create index on trips(user_id, start_time)"),
            rec("medium", Priority::Medium, "grow the pool") };
        page.apply(snapshot);
        QAbstractItemModelTester tester(page.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Sorted by priority (SortRole: high = 0), not by the translated word.
        QCOMPARE(page.proxy()->index(0, RecommendationModel::Target).data().toString(), QStringLiteral("high"));
        QCOMPARE(page.proxy()->index(1, RecommendationModel::Target).data().toString(), QStringLiteral("medium"));
        QCOMPARE(page.proxy()->index(2, RecommendationModel::Target).data().toString(), QStringLiteral("low"));

        // The first row is selected; Ctrl+C on the table copies its suggestion.
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.view()->setFocus();
        QGuiApplication::clipboard()->clear();
        QTest::keySequence(page.view(), QKeySequence::Copy);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("create index on trips(user_id, start_time)"));

        QVERIFY(page.selectRow(1));
        QVERIFY(page.copySuggestion());
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("grow the pool"));
    }

    void namesAreIsolatedOnThePage()
    {
        // The target and service columns, the detail title and the evidence show the override as
        // "[U+202E]" inside an isolate; nothing on the page holds the raw control.
        RecommendationsPage page;
        DashboardSnapshot snapshot;
        snapshot.nowMs = 120'000;
        Recommendation r = rec("x", Priority::High);
        r.target = QStringLiteral("GET:/pay\u202etxt.exe");
        r.service = QStringLiteral("\u05d7\u05e0\u05d5\u05ea");
        r.evidence = { { QStringLiteral("db_operation"), QStringLiteral("find:a\u202eb") } };
        snapshot.analysis.recommendations = { r };
        page.apply(snapshot);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectRow(0));
        QCOMPARE(page.proxy()->index(0, RecommendationModel::Target).data().toString(),
            QStringLiteral("\u2068GET:/pay[U+202E]txt.exe\u2069"));
        QCOMPARE(page.proxy()->index(0, RecommendationModel::Service).data().toString(),
            QStringLiteral("\u2068\u05d7\u05e0\u05d5\u05ea\u2069"));
        QStringList texts;
        for (const QLabel *label : page.findChildren<QLabel *>())
            texts << label->text();
        for (const QTextEdit *edit : page.findChildren<QTextEdit *>())
            texts << edit->toPlainText();
        for (const QPlainTextEdit *edit : page.findChildren<QPlainTextEdit *>())
            texts << edit->toPlainText();
        QVERIFY2(texts.contains(QStringLiteral("High priority · Database · \u2068GET:/pay[U+202E]txt.exe\u2069")),
            qPrintable(texts.join(u'|')));
        QVERIFY2(texts.join(u'|').contains(QStringLiteral("db operation: \u2068find:a[U+202E]b\u2069")),
            qPrintable(texts.join(u'|')));
        for (const QString &t : texts)
            QVERIFY2(!t.contains(u'\u202e'), qPrintable(t));
    }

    void evidenceIsReadable()
    {
        QCOMPARE(RecommendationModel::evidenceText({ { QStringLiteral("avg_ms"), 268.4 },
                     { QStringLiteral("fields"), QStringLiteral("city,street_id") } }),
            QStringLiteral("avg ms: 268.4\nfields: city,street_id"));
    }
};

QTEST_MAIN(TestRecommendationModel)
#include "tst_recommendationmodel.moc"
