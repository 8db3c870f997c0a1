#include "statsdparser.h"

#include <QTest>

using namespace perfwatch;
using namespace Qt::StringLiterals;
using Type = StatsdMetric::Type;

Q_DECLARE_METATYPE(StatsdMetric::Type)

class tst_StatsdParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesLines_data();
    void parsesLines();
    void splitsMultipleValues();
    void countsMalformedLines_data();
    void countsMalformedLines();
    void ignoresEventsAndServiceChecks();
    void parsesDatagrams();
    void readsTags();
    void survivesEveryPrefixOfALine();
};

void tst_StatsdParser::parsesLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<Type>("type");
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("delta");
    QTest::addColumn<double>("rate");
    QTest::addColumn<QByteArray>("tags");

    QTest::newRow("counter") << QByteArray("page.views:1|c") << QByteArray("page.views") << Type::Counter << 1.0
                             << false << 1.0 << QByteArray();
    QTest::newRow("negative counter") << QByteArray("queue:-2|c") << QByteArray("queue") << Type::Counter << -2.0
                                      << false << 1.0 << QByteArray();
    QTest::newRow("sampled counter") << QByteArray("hits:3|c|@0.25") << QByteArray("hits") << Type::Counter << 3.0
                                     << false << 0.25 << QByteArray();
    QTest::newRow("timer") << QByteArray("db.query:12.5|ms") << QByteArray("db.query") << Type::Timer << 12.5 << false
                           << 1.0 << QByteArray();
    QTest::newRow("histogram") << QByteArray("size:7|h") << QByteArray("size") << Type::Histogram << 7.0 << false << 1.0
                               << QByteArray();
    QTest::newRow("distribution") << QByteArray("lat:0.5|d") << QByteArray("lat") << Type::Distribution << 0.5 << false
                                  << 1.0 << QByteArray();
    QTest::newRow("gauge") << QByteArray("pool.in_use:8|g") << QByteArray("pool.in_use") << Type::Gauge << 8.0 << false
                           << 1.0 << QByteArray();
    QTest::newRow("gauge +delta") << QByteArray("pool:+3|g") << QByteArray("pool") << Type::Gauge << 3.0 << true << 1.0
                                  << QByteArray();
    QTest::newRow("gauge -delta") << QByteArray("pool:-4.5|g") << QByteArray("pool") << Type::Gauge << -4.5 << true
                                  << 1.0 << QByteArray();
    QTest::newRow("tags") << QByteArray("req:20|ms|#service:api,route:/a") << QByteArray("req") << Type::Timer << 20.0
                          << false << 1.0 << QByteArray("service:api,route:/a");
    QTest::newRow("rate and tags") << QByteArray("req:20|ms|@0.5|#env:prod") << QByteArray("req") << Type::Timer << 20.0
                                   << false << 0.5 << QByteArray("env:prod");
    QTest::newRow("tags then rate") << QByteArray("req:20|ms|#env:prod|@0.5") << QByteArray("req") << Type::Timer
                                    << 20.0 << false << 0.5 << QByteArray("env:prod");
    QTest::newRow("container and timestamp fields")
        << QByteArray("req:1|c|#a:b|c:83c0a99c0a54c0c187f461c7980e9b57f3f6a8b0c918c8d93df19a9de6f3fe1d|T1656581400")
        << QByteArray("req") << Type::Counter << 1.0 << false << 1.0 << QByteArray("a:b");
    QTest::newRow("CRLF") << QByteArray("x:1|c\r") << QByteArray("x") << Type::Counter << 1.0 << false << 1.0
                          << QByteArray();
    QTest::newRow("exponent") << QByteArray("x:1e3|ms") << QByteArray("x") << Type::Timer << 1000.0 << false << 1.0
                              << QByteArray();
    QTest::newRow("UTF-8 name") << QByteArray("zürich.trips:1|c") << QByteArray("zürich.trips") << Type::Counter << 1.0
                                << false << 1.0 << QByteArray();
    // The bounds themselves are accepted.
    QTest::newRow("rate at the floor 1e-6")
        << QByteArray("x:1|c|@0.000001") << QByteArray("x") << Type::Counter << 1.0 << false << 1e-6 << QByteArray();
    QTest::newRow("timer at 1e12 ms") << QByteArray("x:1e12|ms") << QByteArray("x") << Type::Timer << 1e12 << false
                                      << 1.0 << QByteArray();
    QTest::newRow("gauge delta -1e300") << QByteArray("x:-1e300|g") << QByteArray("x") << Type::Gauge << -1e300 << true
                                        << 1.0 << QByteArray();
    QTest::newRow("counter 2^53") << QByteArray("x:9007199254740992|c") << QByteArray("x") << Type::Counter
                                  << 9007199254740992.0 << false << 1.0 << QByteArray();
}

void tst_StatsdParser::parsesLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, name);
    QFETCH(Type, type);
    QFETCH(double, value);
    QFETCH(bool, delta);
    QFETCH(double, rate);
    QFETCH(QByteArray, tags);

    std::vector<StatsdMetric> out;
    std::string error;
    const std::string bytes = line.toStdString(); // the metric's views point into it
    QCOMPARE(StatsdParser::parseLine(bytes, out, &error), StatsdParser::LineResult::Metric);
    QCOMPARE(out.size(), 1u);
    const StatsdMetric &m = out[0];
    QCOMPARE(QByteArray(m.name.data(), qsizetype(m.name.size())), name);
    QCOMPARE(m.type, type);
    QCOMPARE(m.value, value);
    QCOMPARE(m.delta, delta);
    QCOMPARE(m.sampleRate, rate);
    QCOMPARE(QByteArray(m.tags.data(), qsizetype(m.tags.size())), tags);
}

void tst_StatsdParser::splitsMultipleValues()
{
    std::vector<StatsdMetric> out;
    QCOMPARE(StatsdParser::parseLine("lat:1:2.5:4|d|#service:x", out), StatsdParser::LineResult::Metric);
    QCOMPARE(out.size(), 3u);
    QCOMPARE(out[0].value, 1.0);
    QCOMPARE(out[1].value, 2.5);
    QCOMPARE(out[2].value, 4.0);
    for (const StatsdMetric &m : out) {
        QCOMPARE(m.name, std::string_view("lat"));
        QCOMPARE(m.tags, std::string_view("service:x"));
    }
    out.clear();
    QCOMPARE(StatsdParser::parseLine("users:alice|s", out), StatsdParser::LineResult::Metric);
    QCOMPARE(out[0].type, Type::Set);
    QCOMPARE(out[0].text, std::string_view("alice"));
}

void tst_StatsdParser::countsMalformedLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error");
    QTest::newRow("no type") << QByteArray("x:1") << u"expected name:value|type"_s;
    QTest::newRow("no value") << QByteArray("x|c") << u"expected name:value|type"_s;
    QTest::newRow("empty name") << QByteArray(":1|c") << u"empty metric name"_s;
    QTest::newRow("unknown type") << QByteArray("x:1|q") << u"unknown type (expected c, ms, h, d, g or s)"_s;
    QTest::newRow("empty type") << QByteArray("x:1|") << u"unknown type (expected c, ms, h, d, g or s)"_s;
    QTest::newRow("not a number") << QByteArray("x:abc|c") << u"value is not a finite number"_s;
    QTest::newRow("empty value") << QByteArray("x:|c") << u"value is not a finite number"_s;
    QTest::newRow("nan") << QByteArray("x:nan|ms") << u"value is not a finite number"_s;
    QTest::newRow("inf") << QByteArray("x:inf|g") << u"value is not a finite number"_s;
    QTest::newRow("trailing junk") << QByteArray("x:12ms|ms") << u"value is not a finite number"_s;
    QTest::newRow("one bad of many") << QByteArray("x:1:b:3|d") << u"value is not a finite number"_s;
    QTest::newRow("negative timer") << QByteArray("x:-1|ms") << u"a timer value must be >= 0"_s;
    QTest::newRow("rate 0") << QByteArray("x:1|c|@0") << u"sample rate must be a number from 0.000001 to 1"_s;
    QTest::newRow("rate > 1") << QByteArray("x:1|c|@2") << u"sample rate must be a number from 0.000001 to 1"_s;
    QTest::newRow("rate text") << QByteArray("x:1|c|@x") << u"sample rate must be a number from 0.000001 to 1"_s;
    QTest::newRow("two rates") << QByteArray("x:1|c|@0.5|@0.5") << u"sample rate must be a number from 0.000001 to 1"_s;
    // Below the floor one counter of 1 would count 1e300 (valuebounds.h).
    QTest::newRow("rate 1e-300") << QByteArray("x:1|c|@1e-300") << u"sample rate must be a number from 0.000001 to 1"_s;
    QTest::newRow("rate just below 1e-6")
        << QByteArray("x:1|c|@0.00000099") << u"sample rate must be a number from 0.000001 to 1"_s;
    QTest::newRow("timer 1e308") << QByteArray("x:1e308|ms")
                                 << u"a timer value must be at most 1e12 ms (about 31.7 years)"_s;
    QTest::newRow("distribution 1e13") << QByteArray("x:1:1e13|d")
                                       << u"a timer value must be at most 1e12 ms (about 31.7 years)"_s;
    QTest::newRow("gauge 1e308") << QByteArray("x:1e308|g") << u"a gauge value must be from -1e300 to 1e300"_s;
    QTest::newRow("gauge delta +1e308") << QByteArray("x:+1e308|g") << u"a gauge value must be from -1e300 to 1e300"_s;
    QTest::newRow("gauge delta -1e301") << QByteArray("x:-1e301|g") << u"a gauge value must be from -1e300 to 1e300"_s;
    QTest::newRow("counter 1e300") << QByteArray("x:1e300|c") << u"a counter value must be from -2^53 to 2^53"_s;
    QTest::newRow("counter -2^53 - 2") << QByteArray("x:-9007199254740994|c")
                                       << u"a counter value must be from -2^53 to 2^53"_s;
    QTest::newRow("two tag fields") << QByteArray("x:1|c|#a|#b") << u"more than one tag field"_s;
    QTest::newRow("unknown field") << QByteArray("x:1|c|zz") << u"unknown field after the type"_s;
    QTest::newRow("space in name") << QByteArray("a b:1|c") << u"metric name contains a space, '#' or '@'"_s;
    QTest::newRow("invalid UTF-8") << QByteArray("x\xc3:1|c") << u"not valid UTF-8"_s;
    QTest::newRow("overlong UTF-8") << QByteArray("x\xc0\xaf:1|c") << u"not valid UTF-8"_s;
    QTest::newRow("long name") << QByteArray(1025, 'n') + ":1|c" << u"metric name longer than 1024 bytes"_s;
    QTest::newRow("empty set member") << QByteArray("u:|s") << u"empty set member"_s;
}

void tst_StatsdParser::countsMalformedLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);
    std::vector<StatsdMetric> out;
    std::string why;
    QCOMPARE(StatsdParser::parseLine(line.toStdString(), out, &why), StatsdParser::LineResult::Malformed);
    QCOMPARE(QString::fromStdString(why), error);
    QVERIFY(out.empty());
}

void tst_StatsdParser::ignoresEventsAndServiceChecks()
{
    std::vector<StatsdMetric> out;
    QCOMPARE(StatsdParser::parseLine("_e{5,4}:title|text|#a:b", out), StatsdParser::LineResult::Ignored);
    QCOMPARE(StatsdParser::parseLine("_sc|db.up|0|#a:b", out), StatsdParser::LineResult::Ignored);
    QCOMPARE(StatsdParser::parseLine("", out), StatsdParser::LineResult::Blank);
    QCOMPARE(StatsdParser::parseLine("\r", out), StatsdParser::LineResult::Blank);
    QVERIFY(out.empty());
}

void tst_StatsdParser::parsesDatagrams()
{
    std::vector<StatsdMetric> out;
    const auto counts = StatsdParser::parseDatagram("a:1|c\nb:2|ms\n\nbad line\nc:1:2|d\n_e{1,1}:a|b\nd:3|g|@1\n", out);
    QCOMPARE(counts.lines, 6u);
    QCOMPARE(counts.metricLines, 4u);
    QCOMPARE(counts.malformedLines, 1u);
    QCOMPARE(counts.ignoredLines, 1u);
    QCOMPARE(out.size(), 5u);
    QCOMPARE(out.back().name, std::string_view("d"));
}

void tst_StatsdParser::readsTags()
{
    QCOMPARE(StatsdParser::tagValue("service:api,env:prod", "service"), std::string_view("api"));
    QCOMPARE(StatsdParser::tagValue("service:api,env:prod", "env"), std::string_view("prod"));
    QCOMPARE(StatsdParser::tagValue("route:/a:b,flag", "route"), std::string_view("/a:b"));
    QCOMPARE(StatsdParser::tagValue("flag,service", "service"), std::string_view());
    QCOMPARE(StatsdParser::tagValue("services:x", "service"), std::string_view());
    QCOMPARE(StatsdParser::tagValue("", "service"), std::string_view());
}

void tst_StatsdParser::survivesEveryPrefixOfALine()
{
    // Truncated datagrams: every prefix parses to something without crashing or reading past it.
    const std::string line = "req.latency:12.5:13|ms|@0.5|#service:api,method:GET|c:abc|T123";
    for (std::size_t n = 0; n <= line.size(); ++n) {
        std::vector<StatsdMetric> out;
        const std::string prefix = line.substr(0, n);
        StatsdParser::parseLine(prefix, out);
        for (const StatsdMetric &m : out) {
            QVERIFY(m.name.data() >= prefix.data() && m.name.data() + m.name.size() <= prefix.data() + prefix.size());
            QVERIFY(m.sampleRate > 0 && m.sampleRate <= 1);
        }
    }
}

QTEST_GUILESS_MAIN(tst_StatsdParser)
#include "tst_statsdparser.moc"
