// End to end: headless Chromium (a peer we did not write) loads the /performance page from a
// server holding demo data, runs its script, and shows the same score as the API.

#include "demosimulator.h"
#include "testserver.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_E2eBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rendersTheApiScore();
    void takesScreenshots();
    void asksForTheTokenWhenAuthIsOn();

private:
    /// Runs Chromium headless on `url` with `mode` ("--dump-dom" or "--screenshot=FILE").
    QByteArray chromium(const QString &url, const QStringList &mode, int *exitCode = nullptr) const;
    void startWithDemoData(const IngestConfig &config = TestServer::defaultConfig());
    QJsonObject getJson(const QByteArray &path) const;

    QString m_chromium;
    TestServer m_server;
};

void tst_E2eBrowser::initTestCase()
{
    for (const char *name : { "chromium", "chromium-browser" }) {
        m_chromium = QStandardPaths::findExecutable(QString::fromLatin1(name));
        if (!m_chromium.isEmpty())
            break;
    }
    if (m_chromium.isEmpty())
        QSKIP("chromium is not installed (Debian package chromium; scripts/setup --tests installs it)");
    startWithDemoData();
}

void tst_E2eBrowser::startWithDemoData(const IngestConfig &config)
{
    QVERIFY(m_server.start(config));
    // The demo service's last 30 minutes, written once: the data stays put while the page loads.
    DemoSimulator demo(m_server.engine->store());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    demo.generate(now - 30 * 60'000, now, now);
}

QJsonObject tst_E2eBrowser::getJson(const QByteArray &path) const
{
    const auto reply = m_server.get(path);
    return reply && reply->status == 200 ? reply->json() : QJsonObject();
}

QByteArray tst_E2eBrowser::chromium(const QString &url, const QStringList &mode, int *exitCode) const
{
    QTemporaryDir profile;
    QProcess process;
    process.setProgram(m_chromium);
    process.setArguments(
        QStringList { u"--headless"_s, u"--no-sandbox"_s, u"--disable-gpu"_s, u"--disable-quic"_s, u"--no-first-run"_s,
            u"--disable-background-networking"_s, u"--disable-component-update"_s, u"--disable-sync"_s,
            u"--hide-scrollbars"_s, u"--user-data-dir="_s + profile.path(), u"--virtual-time-budget=5000"_s }
        + mode + QStringList { url });
    process.start();
    const bool finished = process.waitForStarted(10'000) && process.waitForFinished(90'000);
    if (!finished)
        process.kill();
    if (exitCode)
        *exitCode = finished && process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return process.readAllStandardOutput();
}

void tst_E2eBrowser::rendersTheApiScore()
{
    const QString url = u"http://127.0.0.1:%1/performance"_s.arg(m_server.port);
    int code = 0;
    const QByteArray dom = chromium(url, { u"--dump-dom"_s }, &code);
    QCOMPARE(code, 0);
    const QJsonObject health = getJson("/api/performance/health");
    QVERIFY(health.contains(u"performance_score"_s));

    // What the page's script wrote into the DOM.
    const QRegularExpression score(uR"(<span id="score-value"[^>]*>(\d+)</span>)"_s);
    const QRegularExpression status(uR"x(<section class="card" id="score-card" data-status="([a-z_]+)")x"_s);
    const QString text = QString::fromUtf8(dom);
    const auto scoreMatch = score.match(text);
    QVERIFY2(scoreMatch.hasMatch(), dom.left(3000).constData());
    QCOMPARE(scoreMatch.captured(1).toInt(), health.value(u"performance_score"_s).toInt());
    QCOMPARE(status.match(text).captured(1), health.value(u"status"_s).toString());
    QVERIFY(text.contains(u"<span id=\"score-status\">"_s));

    // The other sections were filled in too: endpoints of the demo service, its recommendations.
    const int rows = int(text.count(u"<td class=\"endpoint\""_s));
    QCOMPARE(rows, int(getJson("/api/performance/summary?hours=1").value(u"api_requests"_s).toObject().size()));
    const int recs = int(getJson("/api/performance/report").value(u"recommendations"_s).toArray().size());
    QVERIFY(recs > 0);
    QCOMPARE(int(text.count(u"<li class=\"rec prio-"_s)), recs);
    QVERIFY(text.contains(u"<div id=\"error-banner\" role=\"alert\" hidden=\"\"></div>"_s)); // no fetch failed
}

void tst_E2eBrowser::takesScreenshots()
{
    // Kept in the build folder; docs/screenshots/web-performance.png is a copy of the desktop one.
    const QString dir = QDir::current().filePath(u"screenshots"_s);
    QVERIFY(QDir().mkpath(dir));
    const QString url = u"http://127.0.0.1:%1/performance"_s.arg(m_server.port);
    for (const auto &[name, size] : { std::pair { u"web-performance.png"_s, u"1280,1500"_s },
             std::pair { u"web-performance-phone.png"_s, u"390,1800"_s } }) {
        const QString file = QDir(dir).filePath(name);
        QFile::remove(file);
        int code = 0;
        chromium(url, { u"--screenshot="_s + file, u"--window-size="_s + size }, &code);
        QCOMPARE(code, 0);
        QVERIFY2(QFileInfo(file).size() > 20'000, qPrintable(file));
        qInfo("screenshot: %s", qPrintable(file));
    }
}

void tst_E2eBrowser::asksForTheTokenWhenAuthIsOn()
{
    IngestConfig config = TestServer::defaultConfig();
    config.token = "e2e-token";
    startWithDemoData(config);
    const QByteArray dom = chromium(u"http://127.0.0.1:%1/performance"_s.arg(m_server.port), { u"--dump-dom"_s });
    // The page itself loads without the token; its data does not, so it asks for the token.
    QVERIFY(dom.contains("<div id=\"auth\">"));
    QVERIFY(dom.contains("<span id=\"updated\">Token required</span>"));
}

QTEST_GUILESS_MAIN(tst_E2eBrowser)
#include "tst_e2e_browser.moc"
