// The real perfwatch executable: --export-report from the persisted history (PDF, CSV, every
// CSV), its errors, and GET /api/performance/report?format=pdf|csv of a --headless server; the PDFs
// in the report's own fonts. Also run with PERFWATCH_TEST_FONTS=urw-dejavu (see reporttestdata.h).

#include "engine.h"
#include "historydatabase.h"
#include "httptestclient.h"
#include "reporttestdata.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runPerfwatch(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY")); // a server or CI machine: no display at all
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QDir::tempPath() + QStringLiteral("/perfwatch-report-test-config"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PERFWATCH_BINARY), args);
    p.waitForFinished(120'000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
        QString::fromUtf8(p.readAllStandardError()) };
}

/// A history with ten minutes of traffic up to now, scored and flushed as a stopped perfwatch leaves it.
void writeHistory(const QString &dir)
{
    EngineConfig config;
    config.dataDir = dir;
    PerformanceEngine engine(config);
    QString error;
    QVERIFY2(engine.start(&error), qPrintable(error));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    addTraffic(engine.store(), now);
    for (qint64 t = now - 8 * kMin; t <= now; t += kMin)
        engine.analyzeNow(t);
    engine.flushNow();
    engine.stop();
}

QString utcDate()
{
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd"));
}

QByteArray get(const QByteArray &path)
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

} // namespace

class TestReportCommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyDataFolderSaysSo()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("report.pdf"));
        const QString data = dir.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(data));
        const Run run = runPerfwatch({ QStringLiteral("--export-report"), out, QStringLiteral("--data-dir"), data });
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.err, QStringLiteral("perfwatch: no history in %1: nothing to report\n").arg(data));
        QVERIFY(run.out.isEmpty());
        QVERIFY(!QFileInfo::exists(out));
        QCOMPARE(QDir(data).entryList(QDir::NoDotAndDotDot | QDir::AllEntries), QStringList()); // nothing created

        const QString missing = dir.filePath(QStringLiteral("missing"));
        const Run noFolder
            = runPerfwatch({ QStringLiteral("--export-report"), out, QStringLiteral("--data-dir"), missing });
        QCOMPARE(noFolder.exitCode, 1);
        QCOMPARE(noFolder.err, QStringLiteral("perfwatch: no history in %1: nothing to report\n").arg(missing));
        QVERIFY(!QFileInfo::exists(missing));
    }

    void badArgumentsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("extension") << QStringList { QStringLiteral("--export-report"), QStringLiteral("/tmp/r.txt") }
                                   << QStringLiteral(
                                          "perfwatch: cannot tell what to write to /tmp/r.txt: use a .pdf or "
                                          ".csv file, or a folder for every CSV file\n");
        QTest::newRow("hours") << QStringList { QStringLiteral("--export-report"), QStringLiteral("/tmp/r.pdf"),
            QStringLiteral("--hours"), QStringLiteral("soon") }
                               << QStringLiteral(
                                      "perfwatch: --hours needs a number of hours between 0 and 2160, not \"soon\"\n");
        QTest::newRow("page size") << QStringList { QStringLiteral("--export-report"), QStringLiteral("/tmp/r.pdf"),
            QStringLiteral("--page-size"), QStringLiteral("A5") }
                                   << QStringLiteral("perfwatch: --page-size must be A4 or Letter, not \"A5\"\n");
    }
    void badArgumentsAreOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run run = runPerfwatch(args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err, message);
    }

    void exportsPdfCsvAndFolderFromTheHistory()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        writeHistory(data);
        HistoryDatabase before(data, QStringLiteral("report-test-before"));
        QVERIFY(before.open());
        const std::size_t scoresBefore = before.scores(0, std::numeric_limits<qint64>::max()).size();
        const std::size_t adviceBefore = before.recommendations().size();
        QVERIFY(scoresBefore > 0);
        QVERIFY(adviceBefore > 0);
        before.close();

        const QString pdf = dir.filePath(QStringLiteral("out/report.pdf"));
        const Run pdfRun = runPerfwatch({ QStringLiteral("--export-report"), pdf, QStringLiteral("--data-dir"), data,
            QStringLiteral("--hours"), QStringLiteral("2") });
        QVERIFY2(pdfRun.exitCode == 0, qPrintable(pdfRun.err));
        QCOMPARE(pdfRun.out, pdf + u'\n');
        QVERIFY(pdfRun.err.isEmpty());
        if (havePoppler()) {
            QVERIFY(pdfPages(pdf) >= 2);
            const QString text = pdfText(pdf);
            QVERIFY(pdfShows(text, QStringLiteral("POST:/api/trips/upload")));
            QVERIFY(pdfShows(text, QStringLiteral("GET:/api/trips")));
            QVERIFY2(text.contains(QStringLiteral(" of 100 · ")), qPrintable(text.left(700)));
            QVERIFY2(substitutedCharacters(text).isEmpty(), qPrintable(substitutedCharacters(text)));
            QVERIFY2(inReportFontsOnly(pdf), qPrintable(pdfFonts(pdf).join(u',')));
        }

        const QString csv = dir.filePath(QStringLiteral("api.csv"));
        const Run csvRun = runPerfwatch({ QStringLiteral("--export-report"), csv, QStringLiteral("--data-dir"), data });
        QVERIFY2(csvRun.exitCode == 0, qPrintable(csvRun.err));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QString error;
        const QList<QStringList> records = parseCsv(csvFile.readAll(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(records[0][0], QStringLiteral("endpoint"));
        QCOMPARE(records.size(), 1 + 3);
        QVERIFY(
            std::any_of(records.begin(), records.end(), [](const QStringList &r) { return r[0] == kAwkwardRoute; }));

        const QString folder = dir.filePath(QStringLiteral("tables"));
        const Run folderRun
            = runPerfwatch({ QStringLiteral("--export-report"), folder, QStringLiteral("--data-dir"), data });
        QVERIFY2(folderRun.exitCode == 0, qPrintable(folderRun.err));
        QCOMPARE(QDir(folder).entryList({ QStringLiteral("*.csv") }, QDir::Files).size(), 6);
        QCOMPARE(folderRun.out.count(u'\n'), 6);

        // Reading is all an export does: the history is as it was.
        HistoryDatabase after(data, QStringLiteral("report-test-after"));
        QVERIFY(after.open());
        QCOMPARE(after.scores(0, std::numeric_limits<qint64>::max()).size(), scoresBefore);
        QCOMPARE(after.recommendations().size(), adviceBefore);

        const QString german = dir.filePath(QStringLiteral("de.pdf"));
        const Run germanRun = runPerfwatch(
            { QStringLiteral("--export-report"), german, QStringLiteral("--data-dir"), data, QStringLiteral("--lang"),
                QStringLiteral("de"), QStringLiteral("--page-size"), QStringLiteral("Letter") });
        QVERIFY2(germanRun.exitCode == 0, qPrintable(germanRun.err));
        if (havePoppler()) {
            QVERIFY(pdfShows(pdfText(german), QStringLiteral("Leistungsbericht")));
            QVERIFY(QString::fromUtf8(popplerOutput(QStringLiteral("pdfinfo"), { german }))
                        .contains(QLatin1String("letter")));
        }
    }

    void headlessServerAnswersPdfAndCsv()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        writeHistory(data);
        QProcess server;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        server.setProcessEnvironment(env);
        server.start(QStringLiteral(PERFWATCH_BINARY),
            { QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--statsd-port"), QStringLiteral("0"), QStringLiteral("--grpc-port"),
                QStringLiteral("0"), QStringLiteral("--data-dir"), data });
        QByteArray out;
        quint16 port = 0;
        static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
        for (int i = 0; i < 100 && port == 0 && server.state() != QProcess::NotRunning; ++i) {
            server.waitForReadyRead(200);
            out += server.readAllStandardOutput();
            const auto match = listening.match(QString::fromUtf8(out));
            if (match.hasMatch())
                port = quint16(match.captured(1).toUInt());
        }
        QVERIFY2(port != 0, out.constData());
        const QString stderrAtStart = QString::fromUtf8(server.readAllStandardError());
        QVERIFY2(stderrAtStart.isEmpty(), qPrintable(stderrAtStart)); // no platform noise on a server

        {
            HttpTestClient client(port);
            const auto reply = client.request(get("/api/performance/report?format=pdf&hours=2"), 60'000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->header("Content-Type"), QByteArray("application/pdf"));
            QCOMPARE(reply->header("Content-Disposition"),
                "attachment; filename=\"perfwatch-report-" + utcDate().toLatin1() + ".pdf\"");
            QVERIFY(reply->body.startsWith("%PDF-"));
            if (havePoppler()) {
                QFile file(dir.filePath(QStringLiteral("api.pdf")));
                QVERIFY(file.open(QIODevice::WriteOnly));
                file.write(reply->body);
                file.close();
                QVERIFY(pdfPages(file.fileName()) >= 2);
                QVERIFY(pdfShows(pdfText(file.fileName()), QStringLiteral("POST:/api/trips/upload")));
                QVERIFY2(inReportFontsOnly(file.fileName()), qPrintable(pdfFonts(file.fileName()).join(u',')));
            }
        }
        {
            HttpTestClient client(port);
            const auto reply = client.request(get("/api/performance/report?format=csv"), 60'000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->header("Content-Type"), QByteArray("text/csv; charset=utf-8"));
            QCOMPARE(reply->header("Content-Disposition"),
                "attachment; filename=\"perfwatch-report-" + utcDate().toLatin1() + ".csv\"");
            QString error;
            const QList<QStringList> records = parseCsv(reply->body, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(records[0][0], QStringLiteral("endpoint"));
            QVERIFY(std::any_of(
                records.begin(), records.end(), [](const QStringList &r) { return r[0] == kAwkwardRoute; }));
        }
        {
            HttpTestClient client(port);
            const auto reply = client.request(get("/api/performance/report?format=csv&table=database"), 60'000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->header("Content-Disposition"),
                "attachment; filename=\"perfwatch-report-" + utcDate().toLatin1() + "-database.csv\"");
            QVERIFY(reply->body.startsWith("operation,service,operations,"));
        }
        // An export beside the running server reads the same history and leaves the server's
        // write-ahead log alone (it once deleted it: the server lost its locks to its own reader).
        const QString wal = QDir(data).filePath(QStringLiteral("perfwatch.sqlite-wal"));
        QVERIFY(QFileInfo::exists(wal));
        const Run beside = runPerfwatch({ QStringLiteral("--export-report"), dir.filePath(QStringLiteral("beside.csv")),
            QStringLiteral("--data-dir"), data });
        QVERIFY2(beside.exitCode == 0, qPrintable(beside.err));
        QVERIFY(QFileInfo::exists(wal));
        QVERIFY(QFileInfo::exists(QDir(data).filePath(QStringLiteral("perfwatch.sqlite-shm"))));

        for (const QByteArray &bad : { QByteArray("/api/performance/report?format=csv&table=nope"),
                 QByteArray("/api/performance/report?format=pdf&hours=0"),
                 QByteArray("/api/performance/report?format=docx") }) {
            HttpTestClient client(port);
            const auto reply = client.request(get(bad));
            QVERIFY2(reply && reply->status == 400, bad.constData());
            QVERIFY(!reply->json().value(QStringLiteral("detail")).toString().isEmpty());
        }
        server.terminate();
        QVERIFY(server.waitForFinished(15'000));
    }
};

int main(int argc, char *argv[])
{
    QTemporaryDir fontConfig; // the perfwatch processes started here read it too
    const QString error = restrictFontsIfAsked(fontConfig.path());
    if (!error.isEmpty()) {
        fprintf(stderr, "tst_reportcommandline: %s\n", qPrintable(error));
        return 1;
    }
    QApplication app(argc, argv);
    TestReportCommandLine test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_reportcommandline.moc"
