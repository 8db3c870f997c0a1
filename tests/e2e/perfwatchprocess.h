#pragma once

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace perfwatch::test {

/// The real perfwatch program (--headless, free ports, a fresh data and settings folder), as a
/// user starts it: end-to-end tests talk to it over its ports only.
class PerfwatchProcess
{
public:
    ~PerfwatchProcess() { stop(); }

    /// Starts perfwatch and waits for the lines naming its ports. False (with a test failure
    /// message) when it does not come up.
    bool start(const QStringList &extraArguments = {})
    {
        const QString program = qEnvironmentVariable("PERFWATCH_BIN");
        if (program.isEmpty()) {
            QTest::qFail("PERFWATCH_BIN is not set (CTest sets it)", __FILE__, __LINE__);
            return false;
        }
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // Settings of the user running the tests must not leak in.
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("HOME"), m_dir.path());
        env.remove(QStringLiteral("PERFWATCH_TOKEN"));
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(program,
            QStringList { QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--statsd-port"), QStringLiteral("0"), QStringLiteral("--grpc-port"),
                QStringLiteral("0"), QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")) }
                + extraArguments);
        if (!m_process.waitForStarted(10'000)) {
            QTest::qFail(
                qPrintable(QStringLiteral("perfwatch did not start: ") + m_process.errorString()), __FILE__, __LINE__);
            return false;
        }
        static const QRegularExpression http(QStringLiteral(R"(listening on http://127\.0\.0\.1:(\d+))"));
        static const QRegularExpression udp(QStringLiteral(R"(StatsD listening on udp://127\.0\.0\.1:(\d+))"));
        static const QRegularExpression grpc(QStringLiteral(R"(OTLP/gRPC listening on 127\.0\.0\.1:(\d+))"));
        QElapsedTimer timer;
        timer.start();
        while ((m_port == 0 || m_statsdPort == 0 || m_grpcPort == 0) && timer.elapsed() < 20'000) {
            if (!m_process.waitForReadyRead(500) && m_process.state() != QProcess::Running)
                break;
            m_output += QString::fromUtf8(m_process.readAllStandardOutput());
            if (const auto m = http.match(m_output); m.hasMatch())
                m_port = quint16(m.captured(1).toUInt());
            if (const auto m = udp.match(m_output); m.hasMatch())
                m_statsdPort = quint16(m.captured(1).toUInt());
            if (const auto m = grpc.match(m_output); m.hasMatch())
                m_grpcPort = quint16(m.captured(1).toUInt());
        }
        if (m_port == 0 || m_statsdPort == 0 || m_grpcPort == 0) {
            QTest::qFail(qPrintable(QStringLiteral("perfwatch did not report its ports; output: ") + m_output
                             + QString::fromUtf8(m_process.readAllStandardError())),
                __FILE__, __LINE__);
            return false;
        }
        return true;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(15'000)) {
            m_process.kill();
            m_process.waitForFinished(5'000);
        }
    }

    quint16 port() const { return m_port; }
    quint16 statsdPort() const { return m_statsdPort; }
    quint16 grpcPort() const { return m_grpcPort; }
    QString workDir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
    quint16 m_statsdPort = 0;
    quint16 m_grpcPort = 0;
};

/// Runs a Node script with the packages of `modulesDir` (NODE_PATH) and extra environment.
/// Returns its exit code (-1 when it could not run) and fills `output` with stdout and stderr.
inline int runNode(const QString &script, const QString &modulesDir, const QStringList &environment, QString &output,
    int timeoutMs = 60'000)
{
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_PATH"), modulesDir);
    for (const QString &entry : environment) {
        const qsizetype eq = entry.indexOf(u'=');
        env.insert(entry.left(eq), entry.mid(eq + 1));
    }
    node.setProcessEnvironment(env);
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.start(QStandardPaths::findExecutable(QStringLiteral("node")), { script });
    if (!node.waitForStarted(10'000))
        return -1;
    if (!node.waitForFinished(timeoutMs)) {
        node.kill();
        node.waitForFinished();
        output = QString::fromUtf8(node.readAll()) + QStringLiteral("\n(timed out)");
        return -1;
    }
    output = QString::fromUtf8(node.readAll());
    return node.exitStatus() == QProcess::NormalExit ? node.exitCode() : -1;
}

} // namespace perfwatch::test
