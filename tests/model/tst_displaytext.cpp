// Names a sender wrote, made safe to put inside PerfWatch's own text: bidi controls shown, names
// that could reorder text isolated, every other name unchanged.

#include "displaytext.h"

#include <QTest>

using namespace perfwatch;
using namespace Qt::StringLiterals;

class TestDisplayText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isolate_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("shown");
        QTest::newRow("plain route") << u"GET:/api/trips/{id}"_s << u"GET:/api/trips/{id}"_s;
        QTest::newRow("non-ASCII left-to-right") << u"find:straße"_s << u"find:straße"_s;
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("formula stays (CSV handles it)") << u"=1+2"_s << u"=1+2"_s;
        QTest::newRow("right-to-left override") << u"/pay\u202etxt.exe"_s << u"\u2068/pay[U+202E]txt.exe\u2069"_s;
        QTest::newRow("every explicit control")
            << u"a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j"_s
            << u"\u2068a[U+202A]b[U+202B]c[U+202C]d[U+202D]e[U+202E]f[U+2066]g[U+2067]h[U+2068]i[U+2069]j\u2069"_s;
        QTest::newRow("an unpaired pop cannot close our isolate") << u"x\u2069y"_s << u"\u2068x[U+2069]y\u2069"_s;
        QTest::newRow("Hebrew") << u"\u05d7\u05e0\u05d5\u05ea"_s << u"\u2068\u05d7\u05e0\u05d5\u05ea\u2069"_s;
        QTest::newRow("Arabic with digits")
            << u"GET:/\u0645\u062a\u062c\u0631/42"_s << u"\u2068GET:/\u0645\u062a\u062c\u0631/42\u2069"_s;
        QTest::newRow("Arabic-Indic digits") << u"\u0661\u0662"_s << u"\u2068\u0661\u0662\u2069"_s;
        // Adlam is right-to-left and outside the BMP (a surrogate pair).
        QTest::newRow("Adlam") << u"x\U0001E900"_s << u"\u2068x\U0001E900\u2069"_s;
        QTest::newRow("marks are not controls") << u"a\u200eb"_s << u"a\u200eb"_s;
    }
    void isolate()
    {
        QFETCH(QString, name);
        QFETCH(QString, shown);
        QCOMPARE(DisplayText::isolate(name), shown);
        QCOMPARE(DisplayText::affectsOrder(name), shown != name);
    }

    void showControlsChangesNothingElse()
    {
        QCOMPARE(DisplayText::showControls(u"\u05d0/pay\u202etxt"_s), u"\u05d0/pay[U+202E]txt"_s);
        QCOMPARE(DisplayText::showControls(u"plain"_s), u"plain"_s);
        QVERIFY(DisplayText::isBidiControl(u'\u202e'));
        QVERIFY(!DisplayText::isBidiControl(u'\u200f'));
    }
};

QTEST_GUILESS_MAIN(TestDisplayText)
#include "tst_displaytext.moc"
