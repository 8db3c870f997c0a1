#include "prometheusexposition.h"
#include "testserver.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

KeyTotals totals(KeyId id, MetricKind kind, const QString &service, const QString &name, quint64 count, double sum,
    quint64 errors = 0, quint64 items = 0, quint64 misses = 0)
{
    KeyTotals t;
    t.meta = KeyMeta { id, kind, service, name };
    t.count = count;
    t.sum = sum;
    t.errors = errors;
    t.items = items;
    t.misses = misses;
    return t;
}

KeyAggregate windowOf(const KeyTotals &t, std::initializer_list<double> values)
{
    KeyAggregate k;
    k.meta = t.meta;
    qint64 ts = 1;
    for (const double v : values) {
        IngestEvent e;
        e.kind = t.meta.kind;
        e.value = v;
        k.agg.stats.add(e, ts++);
        if (kindHasLatency(t.meta.kind))
            k.agg.sketch.add(v);
    }
    return k;
}

} // namespace

class tst_PrometheusExposition : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapesLabelValues_data();
    void escapesLabelValues();
    void formatsValues();
    void rendersEveryKind();
    void rendersFamiliesOnce();
    void leavesOutEmptyFamilies();
    void servesMetricsOverHttp();
};

void tst_PrometheusExposition::escapesLabelValues_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("escaped");
    QTest::newRow("plain") << QByteArray("/api/trips/{id}") << QByteArray("/api/trips/{id}");
    QTest::newRow("quote") << QByteArray(R"(say "hi")") << QByteArray(R"(say \"hi\")");
    QTest::newRow("backslash") << QByteArray(R"(C:\temp)") << QByteArray(R"(C:\\temp)");
    QTest::newRow("newline") << QByteArray("a\nb") << QByteArray(R"(a\nb)");
    QTest::newRow("all") << QByteArray("\\\"\n") << QByteArray(R"(\\\"\n)");
    QTest::newRow("UTF-8 kept") << QByteArray("zürich") << QByteArray("zürich");
}

void tst_PrometheusExposition::escapesLabelValues()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, escaped);
    QCOMPARE(PrometheusExposition::escapeLabelValue(value.toStdString()), escaped);
}

void tst_PrometheusExposition::formatsValues()
{
    QCOMPARE(PrometheusExposition::formatValue(NAN), QByteArray("NaN"));
    QCOMPARE(PrometheusExposition::formatValue(INFINITY), QByteArray("+Inf"));
    QCOMPARE(PrometheusExposition::formatValue(-INFINITY), QByteArray("-Inf"));
    QCOMPARE(PrometheusExposition::formatValue(0), QByteArray("0"));
    QCOMPARE(PrometheusExposition::formatValue(0.125), QByteArray("0.125"));
    QCOMPARE(PrometheusExposition::formatValue(123456789), QByteArray("123456789"));
    QCOMPARE(PrometheusExposition::formatValue(1e-7), QByteArray("1e-07"));
}

void tst_PrometheusExposition::rendersEveryKind()
{
    PrometheusInput in;
    in.totals = {
        totals(0, MetricKind::Api, u"shop"_s, u"GET:/api/\"q\"\\x"_s, 4, 1000, 1),
        totals(1, MetricKind::Db, u"shop"_s, u"find:trips"_s, 2, 30, 0),
        totals(2, MetricKind::Processing, u"etl"_s, u"validate"_s, 3, 1500, 0, 300),
        totals(3, MetricKind::Gauge, u"shop"_s, u"db.pool.in_use"_s, 2, 17),
        totals(4, MetricKind::Cache, u"shop"_s, u"trip_cache"_s, 2, 0, 0, 90, 10),
        totals(5, MetricKind::Gauge, u"shop"_s, u"stale"_s, 1, 1),
    };
    in.window = { windowOf(in.totals[0], { 100, 200, 300, 400 }), windowOf(in.totals[3], { 9, 8 }) };
    in.band = Band::Good;
    in.score = 72;
    in.ingest.requests = 10;
    in.ingest.acceptedEvents = 9;
    in.ingest.openConnections = 2;
    in.store.keys = 6;
    const QByteArray text = PrometheusExposition::render(in);
    const QList<QByteArray> lines = text.split('\n');

    const QByteArray api = R"({service="shop",method="GET",route="/api/\"q\"\\x"})";
    const QList<QByteArray> expectedLines {
        QByteArray("perfwatch_api_requests_total" + api + " 4"),
        QByteArray("perfwatch_api_errors_total" + api + " 1"),
        QByteArray("perfwatch_api_request_duration_seconds_sum" + api + " 1"),
        QByteArray("perfwatch_api_request_duration_seconds_count" + api + " 4"),
        QByteArray(R"(perfwatch_db_operations_total{service="shop",operation="find",collection="trips"} 2)"),
        QByteArray(R"(perfwatch_db_operation_duration_seconds_sum{service="shop",operation="find",)"
                   R"(collection="trips"} 0.03)"),
        // No db data in the window: quantiles are NaN, as Prometheus clients write an empty window.
        QByteArray(R"(perfwatch_db_operation_duration_seconds{service="shop",operation="find",)"
                   R"(collection="trips",quantile="0.99"} NaN)"),
        QByteArray(R"(perfwatch_processing_runs_total{service="etl",step="validate"} 3)"),
        QByteArray(R"(perfwatch_processing_items_total{service="etl",step="validate"} 300)"),
        QByteArray(R"(perfwatch_processing_duration_seconds_sum{service="etl",step="validate"} 1.5)"),
        QByteArray(R"(perfwatch_resource_value{service="shop",name="db.pool.in_use"} 8)"),
        QByteArray(R"(perfwatch_cache_hits_total{service="shop",cache="trip_cache"} 90)"),
        QByteArray(R"(perfwatch_cache_misses_total{service="shop",cache="trip_cache"} 10)"),
        QByteArray("perfwatch_performance_score 72"),
        QByteArray(R"(perfwatch_performance_status{status="good"} 1)"),
        QByteArray(R"(perfwatch_performance_status{status="excellent"} 0)"),
        QByteArray(R"(perfwatch_recommendations{priority="high"} 0)"),
        QByteArray("perfwatch_ingest_requests_total 10"),
        QByteArray("perfwatch_ingest_accepted_events_total 9"),
        QByteArray("perfwatch_ingest_open_connections 2"),
        QByteArray("perfwatch_store_keys 6"),
        QByteArray("# TYPE perfwatch_api_request_duration_seconds summary"),
        QByteArray("# TYPE perfwatch_api_requests_total counter"),
        QByteArray("# TYPE perfwatch_resource_value gauge"),
    };
    for (const QByteArray &expected : expectedLines)
        QVERIFY2(lines.contains(expected), expected.constData());

    // Quantiles of the window, in seconds, within the sketch's 1%.
    const QRegularExpression p95(uR"(perfwatch_api_request_duration_seconds\{[^}]*quantile="0.95"\} ([0-9.e-]+))"_s);
    const auto match = p95.match(QString::fromUtf8(text));
    QVERIFY(match.hasMatch());
    QCOMPARE(match.captured(1).toUtf8(), PrometheusExposition::formatValue(in.window[0].agg.quantile(0.95) / 1000));
    QVERIFY(match.captured(1).toDouble() >= 0.297 && match.captured(1).toDouble() <= 0.404);
    // A gauge without a value in the window is left out rather than shown stale.
    QVERIFY(!text.contains("name=\"stale\""));
    // No StatsD: no StatsD families.
    QVERIFY(!text.contains("perfwatch_statsd"));
}

void tst_PrometheusExposition::rendersFamiliesOnce()
{
    PrometheusInput in;
    for (KeyId i = 0; i < 3; ++i)
        in.totals.push_back(totals(i, MetricKind::Api, u"s"_s, u"GET:/r"_s + QString::number(i), 1, 1));
    in.statsd = StatsdCountersSnapshot {};
    const QByteArray text = PrometheusExposition::render(in);
    QSet<QByteArray> seen;
    QByteArray current;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith("# HELP ")) {
            current = line.split(' ').value(2);
            QVERIFY2(!seen.contains(current), current.constData());
            seen.insert(current);
        } else if (line.startsWith("# TYPE ")) {
            QCOMPARE(line.split(' ').value(2), current);
        } else if (!line.isEmpty()) {
            // Every sample belongs to the family announced last.
            QVERIFY2(line.startsWith(current), line.constData());
        }
    }
    QVERIFY(text.endsWith('\n'));
    QVERIFY(seen.contains("perfwatch_statsd_lines_total"));
    QCOMPARE(PrometheusExposition::render(in).count("# HELP perfwatch_api_requests_total"), 1);
}

void tst_PrometheusExposition::leavesOutEmptyFamilies()
{
    const QByteArray text = PrometheusExposition::render({});
    QVERIFY(!text.contains("perfwatch_api_requests_total"));
    QVERIFY(text.contains("\nperfwatch_performance_score NaN\n"));
    QVERIFY(text.contains("\nperfwatch_performance_status{status=\"no_data\"} 1\n"));
}

void tst_PrometheusExposition::servesMetricsOverHttp()
{
    TestServer server;
    QVERIFY(server.start());
    const auto posted = server.post("/api/performance/ingest",
        R"([{"type":"api","method":"GET","route":"/a","duration_ms":250,"status":200},)"
        R"({"type":"api","method":"GET","route":"/a","duration_ms":750,"status":503}])");
    QVERIFY(posted);
    QCOMPARE(posted->status, 202);
    const auto reply = server.get("/metrics");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("Content-Type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    const QList<QByteArray> lines = reply->body.split('\n');
    QVERIFY(lines.contains(R"(perfwatch_api_requests_total{service="default",method="GET",route="/a"} 2)"));
    QVERIFY(lines.contains(R"(perfwatch_api_errors_total{service="default",method="GET",route="/a"} 1)"));
    QVERIFY(
        lines.contains(R"(perfwatch_api_request_duration_seconds_sum{service="default",method="GET",route="/a"} 1)"));
    QVERIFY(lines.contains("perfwatch_ingest_accepted_events_total 2"));
    const auto post = server.post("/metrics", "x");
    QVERIFY(post);
    QCOMPARE(post->status, 405);
}

QTEST_GUILESS_MAIN(tst_PrometheusExposition)
#include "tst_prometheusexposition.moc"
