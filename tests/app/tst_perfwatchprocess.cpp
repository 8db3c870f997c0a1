// End-to-end tests of the perfwatch executable: command line, busy port, hostile input over
// real HTTP, clean shutdown on SIGTERM and history that survives a restart.

#include "httptestclient.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace perfwatch::test;

namespace {

QByteArray post(const QByteArray &body, const QByteArray &contentType = "application/json")
{
    return "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
        + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

/// A perfwatch process and the port it reported.
class Server
{
public:
    explicit Server(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        m_process.setProcessEnvironment(env);
        // StatsD and gRPC on ports of the system's choice: tests run in parallel, and 8125 or
        // 4317 may be taken.
        QStringList all = args + QStringList { QStringLiteral("--statsd-port"), QStringLiteral("0") };
        if (!args.contains(QStringLiteral("--grpc-port")))
            all << QStringLiteral("--grpc-port") << QStringLiteral("0");
        m_process.start(QStringLiteral(PERFWATCH_BINARY), all);
    }
    ~Server()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    /// Waits for the "listening on" line; 0 when the process ended first.
    quint16 waitForPort()
    {
        static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 15000) {
            m_stdout += m_process.readAllStandardOutput();
            const auto match = listening.match(QString::fromUtf8(m_stdout));
            if (match.hasMatch())
                return quint16(match.captured(1).toUInt());
            if (m_process.state() == QProcess::NotRunning)
                return 0;
            m_process.waitForReadyRead(200);
        }
        return 0;
    }
    bool terminate(int signalNumber = SIGTERM)
    {
        ::kill(pid_t(m_process.processId()), signalNumber);
        const bool finished = m_process.waitForFinished(15000);
        m_stdout += m_process.readAllStandardOutput();
        return finished;
    }
    QProcess &process() { return m_process; }
    QByteArray standardOutput() { return m_stdout += m_process.readAllStandardOutput(); }

private:
    QProcess m_process;
    QByteArray m_stdout;
};

QJsonObject summaryOf(quint16 port)
{
    HttpTestClient client(port);
    const auto reply = client.request(get("/api/performance/summary?hours=1"));
    return reply ? reply->json() : QJsonObject();
}

} // namespace

class TestPerfwatchProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpListsEveryFlag();
    void busyPortIsOneClearLine();
    void busyGrpcPortIsOneClearLine();
    void addressNotOnThisHostNamesBind();
    void badArgumentsAndEnvironment();
    void hostileInputKeepsServerAndData();
    void sigtermFlushesAndRestartKeepsHistory();
    void offLoopbackRequiresToken();
};

void TestPerfwatchProcess::helpListsEveryFlag()
{
    QProcess p;
    p.start(QStringLiteral(PERFWATCH_BINARY), { QStringLiteral("--help") });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QString help = QString::fromUtf8(p.readAllStandardOutput());
    for (const char *flag : { "--headless", "--demo", "--bind", "--port", "--statsd-port", "--grpc-port", "--data-dir",
             "--token", "--refresh-ms", "--lang", "--export-report", "--hours" })
        QVERIFY2(help.contains(QLatin1String(flag)), flag);
}

void TestPerfwatchProcess::busyPortIsOneClearLine()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PERFWATCH_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
            QStringLiteral("--grpc-port"), QStringLiteral("0"), QStringLiteral("--port"),
            QString::number(squatter.serverPort()), QStringLiteral("--data-dir"), dir.path() });
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    const QString error = QString::fromUtf8(p.readAllStandardError()).trimmed();
    QCOMPARE(error,
        QStringLiteral("perfwatch: port %1 on 127.0.0.1 is already in use; choose another with --port")
            .arg(squatter.serverPort()));
}

void TestPerfwatchProcess::busyGrpcPortIsOneClearLine()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PERFWATCH_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"), QStringLiteral("--port"),
            QStringLiteral("0"), QStringLiteral("--grpc-port"), QString::number(squatter.serverPort()),
            QStringLiteral("--data-dir"), dir.path() });
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    QCOMPARE(QString::fromUtf8(p.readAllStandardError()).trimmed(),
        QStringLiteral("perfwatch: OTLP/gRPC port %1 on 127.0.0.1 is already in use; choose another with --grpc-port "
                       "(0 picks a free port, off turns gRPC off)")
            .arg(squatter.serverPort()));

    // "off" turns it off: nothing listens, and /health says so.
    Server server({ QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
                      QStringLiteral("--grpc-port"), QStringLiteral("off"), QStringLiteral("--port"),
                      QStringLiteral("0"), QStringLiteral("--data-dir"), dir.path() },
        {});
    const quint16 port = server.waitForPort();
    QVERIFY(port != 0);
    QTest::qWait(200); // the lines after the HTTP one
    QVERIFY(!server.standardOutput().contains("OTLP/gRPC listening"));
    HttpTestClient client(port);
    const auto health = client.request(get("/api/performance/health"));
    QVERIFY(health);
    QCOMPARE(
        health->json()[QStringLiteral("ingest")][QStringLiteral("grpc")][QStringLiteral("listening")].toBool(), false);
}

void TestPerfwatchProcess::addressNotOnThisHostNamesBind()
{
    // Issue 13 §6: the address is what to change; the message used to name --statsd-port.
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PERFWATCH_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--bind"), QStringLiteral("192.0.2.1"), QStringLiteral("--port"),
            QStringLiteral("0"), QStringLiteral("--statsd-port"), QStringLiteral("0"), QStringLiteral("--grpc-port"),
            QStringLiteral("0"), QStringLiteral("--data-dir"), dir.path() });
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    QCOMPARE(QString::fromUtf8(p.readAllStandardError()).trimmed(),
        QStringLiteral("perfwatch: cannot listen on 192.0.2.1: it is not an address of this host; choose another with "
                       "--bind (127.0.0.1 for this host only, 0.0.0.0 for every interface)"));
}

void TestPerfwatchProcess::badArgumentsAndEnvironment()
{
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PERFWATCH_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
            QStringLiteral("--grpc-port"), QStringLiteral("0"), QStringLiteral("--port"), QStringLiteral("fast"),
            QStringLiteral("--data-dir"), dir.path() });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QCOMPARE(QString::fromUtf8(p.readAllStandardError()).trimmed(),
        QStringLiteral("perfwatch: --port needs a whole number, not \"fast\""));

    // An invalid environment value is a warning, not a failure.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PERFORMANCE_SLOW_API_THRESHOLD_MS"), QStringLiteral("-3"));
    Server server({ QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
                      QStringLiteral("--grpc-port"), QStringLiteral("0"), QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--data-dir"), dir.path() },
        env);
    QVERIFY(server.waitForPort() != 0);
    QVERIFY(server.terminate());
    QVERIFY(QString::fromUtf8(server.process().readAllStandardError())
                .contains(QStringLiteral("PERFORMANCE_SLOW_API_THRESHOLD_MS=-3 is not a positive number; using 500")));
}

void TestPerfwatchProcess::hostileInputKeepsServerAndData()
{
    QTemporaryDir dir;
    Server server({ QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
        QStringLiteral("--grpc-port"), QStringLiteral("0"), QStringLiteral("--port"), QStringLiteral("0"),
        QStringLiteral("--data-dir"), dir.path() });
    const quint16 port = server.waitForPort();
    QVERIFY(port != 0);

    {
        HttpTestClient client(port);
        const auto accepted = client.request(
            post(R"([{"type":"api","method":"GET","route":"/api/trips","duration_ms":120,"status":200},)"
                 R"({"type":"db","operation":"find","collection":"trips","duration_ms":40}])"));
        QVERIFY(accepted);
        QCOMPARE(accepted->status, 202);
    }

    QByteArray deep(100'000, '[');
    QByteArray invalidUtf8 = R"({"type":"api","method":"GET","route":"/bad-)";
    invalidUtf8 += "\xC3\x28\xFF";
    invalidUtf8 += R"(","duration_ms":1,"status":200})";
    const QList<QPair<const char *, QByteArray>> hostile {
        { "truncated JSON", R"([{"type":"api","method":"GET","route":"/x","duration_ms":)" },
        { "wrong types", R"({"type":"api","method":7,"route":["/x"],"duration_ms":"fast","status":"ok"})" },
        { "NaN", R"({"type":"api","method":"GET","route":"/x","duration_ms":NaN,"status":200})" },
        { "1e400", R"({"type":"api","method":"GET","route":"/x","duration_ms":1e400,"status":200})" },
        { "100k-deep nesting", deep },
        { "invalid UTF-8", invalidUtf8 },
        { "negative duration", R"({"type":"db","operation":"find","collection":"c","duration_ms":-1})" },
        { "status 999", R"({"type":"api","method":"GET","route":"/x","duration_ms":1,"status":999})" },
    };
    for (const auto &[what, body] : hostile) {
        HttpTestClient client(port);
        const auto reply = client.request(post(body));
        QVERIFY2(reply, what);
        QVERIFY2(reply->status >= 400 && reply->status < 500, what);
        QVERIFY2(!reply->json().value(QStringLiteral("detail")).toString().isEmpty()
                || !reply->json().value(QStringLiteral("errors")).toArray().isEmpty(),
            what);
    }

    // 9 MiB announced: refused with 413 from the headers alone.
    {
        HttpTestClient client(port);
        QVERIFY(client.send("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/json\r\nContent-Length: 9437184\r\n\r\n["));
        const auto reply = client.read();
        QVERIFY(reply);
        QCOMPARE(reply->status, 413);
    }

    // A client that stalls mid-body does not block anyone else.
    HttpTestClient staller(port);
    QVERIFY(staller.send("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"type\""));
    {
        HttpTestClient client(port);
        const auto health = client.request(get("/api/performance/health"));
        QVERIFY(health);
        QCOMPARE(health->status, 200);
    }

    const QJsonObject summary = summaryOf(port);
    QCOMPARE(summary.value(QStringLiteral("api_requests"))
                 .toObject()
                 .value(QStringLiteral("GET:/api/trips"))
                 .toObject()
                 .value(QStringLiteral("request_count"))
                 .toInt(),
        1);
    QCOMPARE(summary.value(QStringLiteral("database_operations"))
                 .toObject()
                 .value(QStringLiteral("find:trips"))
                 .toObject()
                 .value(QStringLiteral("operation_count"))
                 .toInt(),
        1);
    QCOMPARE(summary.value(QStringLiteral("api_requests")).toObject().size(), 1);
    QCOMPARE(server.process().state(), QProcess::Running);
}

void TestPerfwatchProcess::sigtermFlushesAndRestartKeepsHistory()
{
    QTemporaryDir dir;
    const QStringList args { QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
        QStringLiteral("--grpc-port"), QStringLiteral("0"), QStringLiteral("--port"), QStringLiteral("0"),
        QStringLiteral("--data-dir"), dir.path() };
    {
        Server server(args);
        const quint16 port = server.waitForPort();
        QVERIFY(port != 0);
        HttpTestClient client(port);
        QByteArray batch = "[";
        for (int i = 0; i < 250; ++i)
            batch += QByteArray(i ? "," : "")
                + R"({"type":"api","method":"POST","route":"/api/trips/upload","duration_ms":)"
                + QByteArray::number(100 + i) + R"(,"status":)" + (i % 50 == 0 ? "503" : "201") + "}";
        batch += ']';
        const auto reply = client.request(post(batch));
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
        QVERIFY(server.terminate(SIGTERM));
        QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.process().exitCode(), 0);
        QVERIFY(server.standardOutput().contains("PerfWatch stopped; history saved."));
    }
    QVERIFY(QFileInfo::exists(QDir(dir.path()).filePath(QStringLiteral("perfwatch.sqlite"))));

    Server again(args);
    const quint16 port = again.waitForPort();
    QVERIFY(port != 0);
    const QJsonObject upload = summaryOf(port)
                                   .value(QStringLiteral("api_requests"))
                                   .toObject()
                                   .value(QStringLiteral("POST:/api/trips/upload"))
                                   .toObject();
    QCOMPARE(upload.value(QStringLiteral("request_count")).toInt(), 250);
    QCOMPARE(upload.value(QStringLiteral("error_count")).toInt(), 5);
    QCOMPARE(upload.value(QStringLiteral("min_duration_ms")).toDouble(), 100.0);
    QCOMPARE(upload.value(QStringLiteral("max_duration_ms")).toDouble(), 349.0);
    QVERIFY(again.terminate(SIGINT));
    QCOMPARE(again.process().exitCode(), 0);
}

void TestPerfwatchProcess::offLoopbackRequiresToken()
{
    QTemporaryDir dir;
    Server server({ QStringLiteral("--headless"), QStringLiteral("--statsd-port"), QStringLiteral("0"),
        QStringLiteral("--grpc-port"), QStringLiteral("0"), QStringLiteral("--bind"), QStringLiteral("0.0.0.0"),
        QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"), dir.path() });
    const quint16 port = server.waitForPort();
    QVERIFY(port != 0);
    QFile tokenFile(QDir(dir.path()).filePath(QStringLiteral("token")));
    QVERIFY(tokenFile.open(QIODevice::ReadOnly));
    QCOMPARE(tokenFile.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    const QByteArray token = tokenFile.readAll().trimmed();
    QVERIFY(token.size() >= 40);
    {
        HttpTestClient client(port);
        const auto reply = client.request(get("/api/performance/health"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
    }
    HttpTestClient client(port);
    const auto reply = client.request(get("/api/performance/health", "Authorization: Bearer " + token + "\r\n"));
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

QTEST_GUILESS_MAIN(TestPerfwatchProcess)
#include "tst_perfwatchprocess.moc"
