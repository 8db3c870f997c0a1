#include "alertpolicy.h"
#include "translations.h"

#include <QTest>

using namespace perfwatch;

namespace {

constexpr qint64 kMinute = 60'000;

AnalysisResult result(int score, Band band, std::initializer_list<std::pair<const char *, Priority>> recs = {})
{
    AnalysisResult r;
    r.score.value = score;
    r.score.band = band;
    for (const auto &[id, priority] : recs) {
        Recommendation x;
        x.id = QString::fromUtf8(id);
        x.target = QString::fromUtf8(id);
        x.message = QStringLiteral("is slow");
        x.priority = priority;
        r.recommendations.push_back(x);
    }
    return r;
}

} // namespace

class TestAlertPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { installTranslations(*QCoreApplication::instance(), QStringLiteral("en")); }

    void notifiesWhenTheScoreDropsABand()
    {
        AlertPolicy policy(5 * kMinute);
        QVERIFY(!policy.update(result(90, Band::Excellent), 0)); // the starting state is not news
        QVERIFY(!policy.update(result(85, Band::Excellent), kMinute));
        const auto alert = policy.update(result(55, Band::Fair), 2 * kMinute);
        QVERIFY(alert);
        QCOMPARE(alert->title, QStringLiteral("Performance score dropped to fair"));
        QCOMPARE(alert->message, QStringLiteral("The score is 55 now."));
        QVERIFY(!alert->critical);
        QVERIFY(!policy.update(result(70, Band::Good), 3 * kMinute)); // rising is not an alert
        QVERIFY(!policy.update(result(50, Band::Fair), 4 * kMinute)); // rate-limited ...
        const auto later = policy.update(result(50, Band::Fair), 8 * kMinute); // ... and delivered later
        QVERIFY(later);
        QCOMPARE(later->title, QStringLiteral("Performance score dropped to fair"));
        const auto poor = policy.update(result(30, Band::Poor), 14 * kMinute);
        QVERIFY(poor);
        QVERIFY(poor->critical);
    }

    void notifiesAboutNewHighPriorityAdvice()
    {
        AlertPolicy policy(0);
        QVERIFY(!policy.update(result(90, Band::Excellent, { { "old", Priority::High } }), 0));
        QVERIFY(
            !policy.update(result(90, Band::Excellent, { { "old", Priority::High }, { "low", Priority::Low } }), 1));
        const auto alert
            = policy.update(result(90, Band::Excellent, { { "old", Priority::High }, { "new", Priority::High } }), 2);
        QVERIFY(alert);
        QCOMPARE(alert->title, QStringLiteral("1 new high-priority recommendation"));
        QCOMPARE(alert->message, QStringLiteral("new: is slow"));
    }

    void isolatesTheTargetInTheNotification()
    {
        AlertPolicy policy(0);
        QVERIFY(!policy.update(result(90, Band::Excellent), 0));
        const auto alert
            = policy.update(result(90, Band::Excellent, { { "GET:/pay\u202etxt.exe", Priority::High } }), 1);
        QVERIFY(alert);
        QCOMPARE(alert->message, QStringLiteral("\u2068GET:/pay[U+202E]txt.exe\u2069: is slow"));
    }

    void mutedStaysQuiet()
    {
        AlertPolicy policy(0);
        policy.setMuted(true);
        QVERIFY(!policy.update(result(90, Band::Excellent), 0));
        QVERIFY(!policy.update(result(20, Band::Poor, { { "x", Priority::High } }), 1));
        policy.setMuted(false);
        QVERIFY(!policy.update(result(20, Band::Poor, { { "x", Priority::High } }), 2)); // old news by now
    }
};

QTEST_GUILESS_MAIN(TestAlertPolicy)
#include "tst_alertpolicy.moc"
