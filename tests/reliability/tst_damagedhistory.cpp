// A damaged history file, end to end through the perfwatch binary (issue 6 item 1): it is moved
// aside with a clear one-line message, a fresh history starts, the server serves and the new
// history survives a restart. Damage made three ways: not SQLite at all, a database cut short,
// and a database with a page overwritten in the middle.

#include "httptestclient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

/// A perfwatch process on a data folder, with its output.
class Perfwatch
{
public:
    explicit Perfwatch(const QString &dataDir)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, dataDir + u"/home"_s); // no saved settings from whoever runs this
        env.insert(u"XDG_CONFIG_HOME"_s, dataDir + u"/home/.config"_s);
        m_process.setProcessEnvironment(env);
        m_process.start(QStringLiteral(PERFWATCH_BINARY),
            { u"--headless"_s, u"--port"_s, u"0"_s, u"--statsd-port"_s, u"0"_s, u"--grpc-port"_s, u"0"_s,
                u"--data-dir"_s, dataDir });
    }
    ~Perfwatch()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    quint16 waitForPort()
    {
        static const QRegularExpression listening(u"listening on http://[^:]+:(\\d+)"_s);
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20'000) {
            m_out += m_process.readAllStandardOutput();
            if (const auto match = listening.match(QString::fromUtf8(m_out)); match.hasMatch())
                return quint16(match.captured(1).toUInt());
            if (m_process.state() == QProcess::NotRunning)
                return 0;
            m_process.waitForReadyRead(100);
        }
        return 0;
    }
    bool stop()
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        return m_process.waitForFinished(20'000) && m_process.exitStatus() == QProcess::NormalExit
            && m_process.exitCode() == 0;
    }
    QString errorOutput() { return QString::fromUtf8(m_err += m_process.readAllStandardError()); }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

QByteArray ingestRequest(int keys, int perKey)
{
    QByteArray body = "[";
    for (int k = 0; k < keys; ++k) {
        for (int i = 0; i < perKey; ++i) {
            body += QByteArray(body.size() > 1 ? "," : "") + R"({"type":"api","method":"GET","route":"/damage/k)"
                + QByteArray::number(k) + R"(","duration_ms":)" + QByteArray::number(5 + i) + R"(,"status":200})";
        }
    }
    body += ']';
    return "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QJsonObject apiSummary(quint16 port)
{
    HttpTestClient client(port);
    const auto reply
        = client.request("GET /api/performance/summary?hours=24 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 10'000);
    return reply ? reply->json().value(u"api_requests"_s).toObject() : QJsonObject();
}

/// The moved database files (their -wal and -shm, when SQLite had made them, move along).
QStringList corruptFiles(const QString &dir)
{
    QStringList files = QDir(dir).entryList({ u"perfwatch.sqlite.corrupt-*"_s }, QDir::Files);
    files.removeIf([](const QString &f) { return f.endsWith(u"-wal"_s) || f.endsWith(u"-shm"_s); });
    return files;
}

} // namespace

class tst_DamagedHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void damagedFileIsMovedAside_data();
    void damagedFileIsMovedAside();
};

void tst_DamagedHistory::damagedFileIsMovedAside_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not SQLite") << u"garbage"_s << u"file is not an SQLite database (unexpected header)"_s;
    QTest::newRow("cut short") << u"truncate"_s << u""_s;
    QTest::newRow("page overwritten") << u"overwrite"_s << u""_s;
}

void tst_DamagedHistory::damagedFileIsMovedAside()
{
    QFETCH(QString, damage);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString file = QDir(dir.path()).filePath(u"perfwatch.sqlite"_s);

    // A real history of a few hundred keys (many pages), written by a clean stop.
    {
        Perfwatch first(dir.path());
        const quint16 port = first.waitForPort();
        QVERIFY(port != 0);
        HttpTestClient client(port);
        const auto reply = client.request(ingestRequest(400, 2), 10'000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
        QVERIFY(first.stop());
    }
    QFile db(file);
    QVERIFY(db.size() > 16 * 4096);
    QVERIFY(db.open(QIODevice::ReadWrite));
    QByteArray original = db.readAll();
    if (damage == u"garbage"_s) {
        db.seek(0);
        db.write(QByteArray(int(original.size()), 'x'));
    } else if (damage == u"truncate"_s) {
        db.resize(original.size() / 3);
    } else {
        // Every page but the first one (schema) filled with noise: the tables' b-trees break.
        QByteArray noise(4096, '\0');
        for (int i = 0; i < noise.size(); ++i)
            noise[i] = char((i * 131 + 7) & 0xff);
        for (qint64 at = 4096; at < original.size(); at += 4096) {
            db.seek(at);
            db.write(noise);
        }
    }
    db.close();
    db.open(QIODevice::ReadOnly);
    const QByteArray damaged = db.readAll();
    db.close();

    Perfwatch second(dir.path());
    const quint16 port = second.waitForPort();
    QVERIFY2(port != 0, qPrintable(second.errorOutput()));
    const QStringList moved = corruptFiles(dir.path());
    QCOMPARE(moved.size(), 1);
    const QString movedPath = QDir(dir.path()).filePath(moved.first());
    const QString message = second.errorOutput().trimmed();
    // One clear line: what was wrong, where the file went, what happens now.
    QVERIFY2(!message.contains(u'\n'), qPrintable(message));
    QVERIFY2(message.startsWith(u"perfwatch: History database "_s + file + u" was damaged ("_s), qPrintable(message));
    QVERIFY2(message.endsWith(u"); moved it to "_s + movedPath + u" and started a fresh one"_s), qPrintable(message));
    if (!reason.isEmpty())
        QVERIFY2(message.contains(reason), qPrintable(message));
    // The damaged bytes are kept for whoever wants to look at them.
    QFile kept(movedPath);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), damaged);

    // A fresh history that works: it serves, stores and keeps what it stores.
    {
        HttpTestClient client(port);
        const auto reply = client.request(ingestRequest(3, 5), 10'000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
    }
    // The fresh history also got back what the clean stop's journal checkpoint held: the 400
    // keys of the first run's last minutes (the damaged file's own copy of them is unreadable).
    QJsonObject recovered = apiSummary(port);
    QCOMPARE(recovered.size(), 400);
    QCOMPARE(recovered.value(u"GET:/damage/k1"_s).toObject().value(u"request_count"_s).toInt(), 2 + 5);
    QCOMPARE(recovered.value(u"GET:/damage/k399"_s).toObject().value(u"request_count"_s).toInt(), 2);
    QVERIFY(second.stop());

    Perfwatch third(dir.path());
    const quint16 again = third.waitForPort();
    QVERIFY(again != 0);
    QVERIFY2(third.errorOutput().isEmpty(), qPrintable(third.errorOutput()));
    const QJsonObject api = apiSummary(again);
    QCOMPARE(api.size(), 400);
    QCOMPARE(api.value(u"GET:/damage/k1"_s).toObject().value(u"request_count"_s).toInt(), 2 + 5);
    QCOMPARE(corruptFiles(dir.path()).size(), 1);
    QVERIFY(third.stop());
}

QTEST_GUILESS_MAIN(tst_DamagedHistory)
#include "tst_damagedhistory.moc"
