// End to end with peers we did not write: an Express 5 service over a real PostgreSQL, started as
// a new user starts it (`node --require @opentelemetry/auto-instrumentations-node/register`) with
// nothing set but OTEL_EXPORTER_OTLP_ENDPOINT. Its SDK sends traces, metrics and logs over
// http/protobuf (the defaults), or gRPC when a case asks; the test drives its routes over HTTP and
// checks what PerfWatch made of them, request by request.

#include "httptestclient.h"
#include "perfwatchprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

const QString kSource = QStringLiteral(PERFWATCH_SOURCE_DIR "/tests/e2e/express");

QJsonObject getJson(quint16 port, const QByteArray &path)
{
    HttpTestClient client(port);
    const auto reply = client.request("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return reply && reply->status == 200 ? reply->json() : QJsonObject();
}

/// The trip service: node with the OpenTelemetry register hook, its SDK at its defaults.
class TripService
{
public:
    ~TripService() { stop(); }

    bool start(const QString &modules, const QStringList &environment)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &key : env.keys()) {
            if (key.startsWith(u"OTEL_"_s)) // the user's own OpenTelemetry settings must not leak in
                env.remove(key);
        }
        env.insert(u"NODE_PATH"_s, modules);
        for (const QString &entry : environment) {
            const qsizetype eq = entry.indexOf(u'=');
            env.insert(entry.left(eq), entry.mid(eq + 1));
        }
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStandardPaths::findExecutable(u"node"_s),
            { u"--require"_s, u"@opentelemetry/auto-instrumentations-node/register"_s, kSource + u"/server.js"_s });
        if (!m_process.waitForStarted(10'000))
            return false;
        static const QRegularExpression listening(u"listening on (\\d+)"_s);
        QElapsedTimer timer;
        timer.start();
        while (m_port == 0 && timer.elapsed() < 30'000 && m_process.state() == QProcess::Running) {
            m_process.waitForReadyRead(200);
            m_output += QString::fromUtf8(m_process.readAll());
            if (const auto m = listening.match(m_output); m.hasMatch())
                m_port = quint16(m.captured(1).toUInt());
        }
        return m_port != 0;
    }

    /// SIGTERM, as a service manager stops it: the SDK flushes every signal, then node exits.
    bool stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitStatus() == QProcess::NormalExit;
        m_process.terminate();
        const bool ended = m_process.waitForFinished(30'000);
        m_output += QString::fromUtf8(m_process.readAll());
        if (!ended) {
            m_process.kill();
            m_process.waitForFinished(5'000);
        }
        return ended;
    }

    int call(const QByteArray &method, const QByteArray &path, const QByteArray &body = {})
    {
        HttpTestClient client(m_port);
        QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
        if (!body.isEmpty())
            request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
        const auto reply = client.request(request + "\r\n" + body, 10'000);
        return reply ? reply->status : 0;
    }

    QString output() const { return m_output; }

private:
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};

/// One PostgreSQL cluster for every case, on a Unix socket in a temporary folder (pg-cluster.sh).
class PostgresCluster
{
public:
    ~PostgresCluster() { stop(); }

    /// Empty when it started; otherwise why not.
    QString start()
    {
        if (!m_dir.isValid())
            return u"no temporary folder"_s;
        // As root the cluster runs as `postgres`, which must be able to reach the folder.
        QFile::setPermissions(m_dir.path(),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                | QFile::ReadOther | QFile::ExeOther);
        QProcess script;
        script.setProcessChannelMode(QProcess::SeparateChannels);
        script.start(u"sh"_s, { kSource + u"/pg-cluster.sh"_s, u"start"_s, m_dir.path() });
        if (!script.waitForFinished(120'000))
            return u"pg-cluster.sh start did not finish"_s;
        const QString out = QString::fromUtf8(script.readAllStandardOutput()).trimmed();
        if (script.exitCode() != 0)
            return QString::fromUtf8(script.readAllStandardError()).trimmed();
        m_started = true;
        m_environment = out.split(u' ', Qt::SkipEmptyParts);
        return {};
    }

    void stop()
    {
        if (!m_started)
            return;
        QProcess::execute(u"sh"_s, { kSource + u"/pg-cluster.sh"_s, u"stop"_s, m_dir.path() });
        m_started = false;
    }

    /// PGHOST, PGUSER and PGDATABASE for node-postgres.
    QStringList environment() const { return m_environment; }

private:
    QTemporaryDir m_dir;
    QStringList m_environment;
    bool m_started = false;
};

} // namespace

class tst_E2eExpress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void tracesMetricsAndLogsCountOnce_data();
    void tracesMetricsAndLogsCountOnce();
    void metricsAloneGiveTheSameKeys_data();
    void metricsAloneGiveTheSameKeys();

private:
    /// The workload every case sends; the counts below follow from it.
    void drive(TripService &service);
    QString m_modules;
    PostgresCluster m_postgres;
};

void tst_E2eExpress::initTestCase()
{
    if (QStandardPaths::findExecutable(u"node"_s).isEmpty())
        QSKIP("node is not installed (scripts/setup --tests installs it); the Express peer cannot run");
    if (QDir(u"/usr/lib/postgresql"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty())
        QSKIP("PostgreSQL is not installed (scripts/setup --tests installs postgresql)");
    m_modules = qEnvironmentVariable("PERFWATCH_E2E_EXPRESS_MODULES");
    QVERIFY2(QDir(m_modules + u"/@opentelemetry/auto-instrumentations-node"_s).exists(),
        qPrintable(u"the Express service's packages are missing from "_s + m_modules
            + u"; the e2e_npm_express fixture installs them (npm ci)"_s));
    const QString problem = m_postgres.start();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_E2eExpress::cleanupTestCase()
{
    m_postgres.stop();
}

void tst_E2eExpress::drive(TripService &service)
{
    for (int i = 0; i < 6; ++i)
        QCOMPARE(service.call("GET", "/api/trips/" + QByteArray::number(3 + i)), 200);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(service.call("GET", "/api/trips/7/fare"), 200);
    QCOMPARE(service.call("POST", "/api/trips", R"({"city":"Lyon"})"), 201);
    QCOMPARE(service.call("POST", "/api/trips", R"({"city":"Graz"})"), 201);
    QCOMPARE(service.call("POST", "/api/trips", R"({"town":"Bern"})"), 422);
    QVERIFY2(service.stop(), qPrintable(service.output()));
}

void tst_E2eExpress::tracesMetricsAndLogsCountOnce_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("compression");
    QTest::newRow("defaults (http/protobuf)") << QString() << QString();
    QTest::newRow("http/protobuf gzip") << QString() << u"gzip"_s;
    QTest::newRow("grpc") << u"grpc"_s << QString();
}

void tst_E2eExpress::tracesMetricsAndLogsCountOnce()
{
    QFETCH(QString, protocol);
    QFETCH(QString, compression);
    PerfwatchProcess perfwatch;
    QVERIFY(perfwatch.start());
    const quint16 port = protocol == u"grpc" ? perfwatch.grpcPort() : perfwatch.port();
    QStringList environment = m_postgres.environment();
    environment << u"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:%1"_s.arg(port);
    if (!protocol.isEmpty())
        environment << u"OTEL_EXPORTER_OTLP_PROTOCOL="_s + protocol;
    if (!compression.isEmpty())
        environment << u"OTEL_EXPORTER_OTLP_COMPRESSION="_s + compression;
    TripService service;
    QVERIFY2(service.start(m_modules, environment), qPrintable(service.output()));
    drive(service);
    if (QTest::currentTestFailed())
        return;

    // The SDK flushed all three signals before node exited; metrics wait up to 10 s for spans.
    QJsonObject health;
    QTRY_VERIFY_WITH_TIMEOUT((health = getJson(perfwatch.port(), "/api/performance/health"),
                                 health[u"ingest"_s][u"otlp_metrics"_s][u"waiting_for_spans"_s].toInt() == 0
                                     && health[u"ingest"_s][u"otlp_metrics"_s][u"data_points"_s].toInt() > 0),
        20'000);

    const QJsonObject summary = getJson(perfwatch.port(), "/api/performance/summary?hours=1");
    const QJsonObject api = summary[u"api_requests"_s].toObject();
    QCOMPARE(api.keys(), QStringList({ u"GET:/api/trips/:id"_s, u"GET:/api/trips/:id/fare"_s, u"POST:/api/trips"_s }));
    // Spans and http.server.request.duration both described these requests: each counts once.
    QCOMPARE(api[u"GET:/api/trips/:id"_s][u"request_count"_s].toInt(), 6);
    QCOMPARE(api[u"GET:/api/trips/:id/fare"_s][u"request_count"_s].toInt(), 4);
    QCOMPARE(api[u"POST:/api/trips"_s][u"request_count"_s].toInt(), 3);
    QCOMPARE(api[u"GET:/api/trips/:id"_s][u"error_count"_s].toInt(), 0);
    const QString service_ = api[u"GET:/api/trips/:id"_s][u"service"_s].toString();
    QVERIFY2(service_.startsWith(u"unknown_service"_s), qPrintable(service_));
    QCOMPARE(api[u"GET:/api/trips/:id"_s][u"approximate"_s].toBool(), false);

    // node-postgres spans keyed by table, not by the database; pool spans are no operations.
    const QJsonObject db = summary[u"database_operations"_s].toObject();
    QCOMPARE(db.keys(), QStringList({ u"INSERT:trips"_s, u"SELECT:trip_points"_s, u"SELECT:trips"_s }));
    QCOMPARE(db[u"SELECT:trips"_s][u"operation_count"_s].toInt(), 6 + 4);
    QCOMPARE(db[u"SELECT:trip_points"_s][u"operation_count"_s].toInt(), 6 * 10 + 4);
    QCOMPARE(db[u"INSERT:trips"_s][u"operation_count"_s].toInt(), 2);

    // Express's middleware and handler spans folded into their requests; the outgoing call to
    // the fare dependency is a step named by method and address.
    const QJsonObject processing = summary[u"processing"_s].toObject();
    QVERIFY2(processing.size() == 1, QJsonDocument(processing).toJson().constData());
    const QString call = processing.keys().value(0);
    QVERIFY2(QRegularExpression(u"^GET 127\\.0\\.0\\.1:\\d+$"_s).match(call).hasMatch(), qPrintable(call));
    QCOMPARE(processing[call][u"operation_count"_s].toInt(), 4);

    // The ten point queries of each trip request are a true N+1; the fare route's two
    // different queries (each behind its own pg-pool.connect) are not.
    const QJsonObject report = getJson(perfwatch.port(), "/api/performance/report");
    QList<QJsonObject> nPlusOne;
    for (const QJsonValue r : report[u"recommendations"_s].toArray()) {
        if (r[u"rule"_s].toString() == u"n_plus_one"_s)
            nPlusOne << r.toObject();
    }
    QCOMPARE(nPlusOne.size(), 1);
    QCOMPARE(nPlusOne[0][u"target"_s].toString(), u"GET:/api/trips/:id"_s);
    QCOMPARE(nPlusOne[0][u"evidence"_s][u"db_operation"_s].toString(), u"SELECT:trip_points"_s);
    QCOMPARE(nPlusOne[0][u"evidence"_s][u"max_queries_per_request"_s].toInt(), 10);
    QCOMPARE(nPlusOne[0][u"evidence"_s][u"occurrences"_s].toInt(), 6);

    // Logs: three records, one ERROR, for the service.
    health = getJson(perfwatch.port(), "/api/performance/health");
    const QJsonArray logServices = health[u"logs"_s][u"services"_s].toArray();
    QCOMPARE(logServices.size(), 1);
    const QJsonObject logs = logServices[0].toObject();
    QCOMPARE(logs[u"service"_s].toString(), service_);
    QCOMPARE(logs[u"records"_s].toInt(), 3);
    QCOMPARE(logs[u"errors"_s].toInt(), 1);
    QCOMPARE(logs[u"errors_last_5_min"_s].toInt(), 1);
    QCOMPARE(logs[u"by_severity"_s][u"info"_s].toInt(), 2);
    QVERIFY(health[u"ingest"_s][u"otlp_metrics"_s][u"counted_by_spans"_s].toInt() > 0);
}

void tst_E2eExpress::metricsAloneGiveTheSameKeys_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::newRow("http/protobuf") << QString();
    QTest::newRow("grpc") << u"grpc"_s;
}

void tst_E2eExpress::metricsAloneGiveTheSameKeys()
{
    QFETCH(QString, protocol);
    PerfwatchProcess perfwatch;
    QVERIFY(perfwatch.start());
    const quint16 port = protocol == u"grpc" ? perfwatch.grpcPort() : perfwatch.port();
    QStringList environment = m_postgres.environment();
    environment << u"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:%1"_s.arg(port) << u"OTEL_TRACES_EXPORTER=none"_s
                << u"OTEL_LOGS_EXPORTER=none"_s;
    if (!protocol.isEmpty())
        environment << u"OTEL_EXPORTER_OTLP_PROTOCOL="_s + protocol;
    TripService service;
    QVERIFY2(service.start(m_modules, environment), qPrintable(service.output()));
    drive(service);
    if (QTest::currentTestFailed())
        return;

    // No spans come: after the 10 s wait the histograms are the requests.
    QJsonObject api;
    QTRY_VERIFY_WITH_TIMEOUT(
        (api = getJson(perfwatch.port(), "/api/performance/summary?hours=1")[u"api_requests"_s].toObject(),
            api.size() == 3),
        25'000);
    QCOMPARE(api.keys(), QStringList({ u"GET:/api/trips/:id"_s, u"GET:/api/trips/:id/fare"_s, u"POST:/api/trips"_s }));
    QCOMPARE(api[u"GET:/api/trips/:id"_s][u"request_count"_s].toInt(), 6);
    QCOMPARE(api[u"GET:/api/trips/:id/fare"_s][u"request_count"_s].toInt(), 4);
    QCOMPARE(api[u"POST:/api/trips"_s][u"request_count"_s].toInt(), 3);
    // Explicit buckets: the percentiles are interpolated, and the key says so.
    QCOMPARE(api[u"GET:/api/trips/:id"_s][u"approximate"_s].toBool(), true);

    const QJsonObject db
        = getJson(perfwatch.port(), "/api/performance/summary?hours=1")[u"database_operations"_s].toObject();
    QVERIFY2(!db.isEmpty(), "db.client.operation.duration gave no database keys");
    int operations = 0;
    for (const QJsonValue v : db)
        operations += v[u"operation_count"_s].toInt();
    QCOMPARE(operations, 6 * 11 + 4 * 2 + 2);

    const QJsonObject health = getJson(perfwatch.port(), "/api/performance/health");
    QCOMPARE(health[u"ingest"_s][u"otlp_metrics"_s][u"counted_by_spans"_s].toInt(), 0);
}

QTEST_GUILESS_MAIN(tst_E2eExpress)
#include "tst_e2e_express.moc"
