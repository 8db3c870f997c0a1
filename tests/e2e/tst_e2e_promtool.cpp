// End to end: Prometheus' own linter (promtool, a peer we did not write) checks GET /metrics of a
// server holding every kind of data, label values with quotes, backslashes and line feeds included.

#include "demosimulator.h"
#include "statsdcounters.h"
#include "testserver.h"

#include <QDateTime>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_E2ePromtool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void metricsPassPromtool_data();
    void metricsPassPromtool();

private:
    /// Runs `promtool check metrics` on `text`; returns its exit code and everything it printed.
    int promtool(const QByteArray &text, QByteArray &printed) const;
    QString m_promtool;
};

void tst_E2ePromtool::initTestCase()
{
    m_promtool = QStandardPaths::findExecutable(u"promtool"_s);
    if (m_promtool.isEmpty())
        QSKIP("promtool is not installed (Debian package prometheus; scripts/setup --tests installs it)");
}

int tst_E2ePromtool::promtool(const QByteArray &text, QByteArray &printed) const
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(m_promtool, { u"check"_s, u"metrics"_s });
    if (!process.waitForStarted(10'000))
        return -1;
    process.write(text);
    process.closeWriteChannel();
    if (!process.waitForFinished(30'000))
        return -1;
    printed = process.readAll();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void tst_E2ePromtool::metricsPassPromtool_data()
{
    QTest::addColumn<bool>("withData");
    QTest::newRow("empty server") << false;
    QTest::newRow("every kind of data") << true;
}

void tst_E2ePromtool::metricsPassPromtool()
{
    QFETCH(bool, withData);
    StatsdCounters statsd;
    statsd.datagrams = 3;
    statsd.malformedLines = 1;
    TestServer server;
    QVERIFY(server.start(TestServer::defaultConfig(), &statsd));
    if (withData) {
        const auto reply = server.post("/api/performance/ingest",
            R"([{"type":"api","service":"shop \"eu\"","method":"GET","route":"/api/\"quoted\"/C:\\dir","duration_ms":120,"status":200},)"
            R"({"type":"api","service":"shop \"eu\"","method":"POST","route":"/api/line\nfeed","duration_ms":900,"status":503},)"
            R"({"type":"db","operation":"find","collection":"trips\\archive","duration_ms":4,"error":true},)"
            R"({"type":"processing","name":"step \"one\"\n","duration_ms":1500,"items_processed":40},)"
            R"({"type":"gauge","name":"db.pool.in_use","value":7},)"
            R"({"type":"gauge","name":"weird \\ \"gauge\"","value":-1.5e-3},)"
            R"({"type":"cache","name":"trip_cache","hits":95,"misses":5}])");
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
        // And a realistic volume of everything, from the built-in demo service.
        DemoSimulator demo(server.engine->store());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        demo.generate(now - 5 * 60'000, now, now);
    }
    const auto metrics = server.get("/metrics");
    QVERIFY(metrics);
    QCOMPARE(metrics->status, 200);
    if (withData) {
        QVERIFY(metrics->body.contains(R"(route="/api/\"quoted\"/C:\\dir")"));
        QVERIFY(metrics->body.contains(R"(route="/api/line\nfeed")"));
        QVERIFY(
            metrics->body.contains(R"(perfwatch_processing_runs_total{service="default",step="step \"one\"\n"} 1)"));
    }
    QByteArray printed;
    const int code = promtool(metrics->body, printed);
    // No findings at all: promtool prints nothing and exits 0.
    QVERIFY2(code == 0 && printed.isEmpty(), printed.constData());
}

QTEST_GUILESS_MAIN(tst_E2ePromtool)
#include "tst_e2e_promtool.moc"
