#include "testserver.h"
#include "webpage.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

class tst_WebPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void servesTheSelfContainedPage();
    void servesThePageWithoutTheToken();
    void answersTimeseries();
    void validatesTimeseries_data();
    void validatesTimeseries();
};

void tst_WebPage::servesTheSelfContainedPage()
{
    TestServer server;
    QVERIFY(server.start());
    const auto reply = server.get("/performance");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Content-Type"), QByteArray("text/html; charset=utf-8"));
    QVERIFY(reply->header("Content-Security-Policy").contains("connect-src 'self'"));
    QCOMPARE(reply->body, WebPage::html());
    QVERIFY(reply->body.startsWith("<!doctype html>"));
    for (const char *id : { "id=\"score-value\"", "id=\"latency-chart\"", "id=\"endpoints\"", "id=\"recs\"" })
        QVERIFY2(reply->body.contains(id), id);
    // Self-contained: no external script, style sheet, font or image.
    const QRegularExpression external(uR"((src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(\s*["']?(https?:)?//)"_s,
        QRegularExpression::CaseInsensitiveOption);
    QVERIFY2(!external.match(QString::fromUtf8(reply->body)).hasMatch(),
        qPrintable(external.match(QString::fromUtf8(reply->body)).captured(0)));
    QVERIFY(!reply->body.contains("<script src"));
    QVERIFY(!reply->body.contains("rel=\"stylesheet\""));
    // It reads the JSON routes, refreshes every 30 s unless ?refresh= says otherwise.
    QVERIFY(reply->body.contains("/api/performance/health"));
    QVERIFY(reply->body.contains("/api/performance/timeseries"));
    QVERIFY(reply->body.contains("intParam(\"refresh\", 30,"));

    const auto slash = server.get("/performance/");
    QVERIFY(slash);
    QCOMPARE(slash->status, 200);
    const auto root = server.get("/");
    QVERIFY(root);
    QCOMPARE(root->status, 302);
    QCOMPARE(root->header("Location"), QByteArray("/performance"));
}

void tst_WebPage::servesThePageWithoutTheToken()
{
    IngestConfig config = TestServer::defaultConfig();
    config.token = "s3cret";
    TestServer server;
    QVERIFY(server.start(config));
    const auto page = server.get("/performance");
    QVERIFY(page);
    QCOMPARE(page->status, 200);
    const auto data = server.get("/api/performance/health");
    QVERIFY(data);
    QCOMPARE(data->status, 401);
    const auto withToken = server.get("/api/performance/health", "Authorization: Bearer s3cret\r\n");
    QVERIFY(withToken);
    QCOMPARE(withToken->status, 200);
    // Public means the page only: a wrong method on it and the other routes still need the token.
    const auto post = server.post("/performance", "x");
    QVERIFY(post);
    QCOMPARE(post->status, 401);
    const auto metrics = server.get("/metrics");
    QVERIFY(metrics);
    QCOMPARE(metrics->status, 401);
}

void tst_WebPage::answersTimeseries()
{
    TestServer server;
    QVERIFY(server.start());
    const auto posted = server.post("/api/performance/ingest",
        R"([{"type":"api","method":"GET","route":"/a","duration_ms":100,"status":200},)"
        R"({"type":"api","method":"GET","route":"/b","duration_ms":300,"status":500},)"
        R"({"type":"api","method":"GET","route":"/b","duration_ms":200,"status":200},)"
        R"({"type":"db","operation":"find","collection":"c","duration_ms":5}])");
    QVERIFY(posted);
    QCOMPARE(posted->status, 202);
    const auto reply = server.get("/api/performance/timeseries?minutes=5");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const QJsonObject json = reply->json();
    QCOMPARE(json.value(u"kind"_s).toString(), u"api"_s);
    QCOMPARE(json.value(u"minutes"_s).toInt(), 5);
    QCOMPARE(json.value(u"step_seconds"_s).toInt(), 10);
    qint64 count = 0, errors = 0;
    double maxP99 = 0;
    for (const QJsonValue p : json.value(u"points"_s).toArray()) {
        count += p[u"count"_s].toInteger();
        errors += p[u"errors"_s].toInteger();
        maxP99 = qMax(maxP99, p[u"p99_ms"_s].toDouble());
        QVERIFY(p[u"t"_s].toInteger() % 10'000 == 0);
    }
    QCOMPARE(count, 3);
    QCOMPARE(errors, 1);
    // The sketch's quantile has rank q * (n - 1), taking the lower value: p99 of 100, 200, 300 is 200 (±1%).
    QVERIFY2(maxP99 >= 198 && maxP99 <= 202, reply->body.constData());

    const auto db = server.get("/api/performance/timeseries?kind=db&minutes=60");
    QVERIFY(db);
    QCOMPARE(db->json().value(u"step_seconds"_s).toInt(), 60);
    QCOMPARE(db->json().value(u"points"_s).toArray().size(), 1);
    QCOMPARE(db->json().value(u"points"_s).toArray()[0][u"count"_s].toInt(), 1);
}

void tst_WebPage::validatesTimeseries_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("zero") << QByteArray("minutes=0");
    QTest::newRow("too long") << QByteArray("minutes=2881");
    QTest::newRow("text") << QByteArray("minutes=ten");
    QTest::newRow("gauge") << QByteArray("kind=gauge");
    QTest::newRow("unknown kind") << QByteArray("kind=x");
}

void tst_WebPage::validatesTimeseries()
{
    QFETCH(QByteArray, query);
    TestServer server;
    QVERIFY(server.start());
    const auto reply = server.get("/api/performance/timeseries?" + query);
    QVERIFY(reply);
    QCOMPARE(reply->status, 400);
    QCOMPARE(reply->json().value(u"error"_s).toString(), u"bad_request"_s);
}

QTEST_GUILESS_MAIN(tst_WebPage)
#include "tst_webpage.moc"
