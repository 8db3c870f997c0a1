// perfwatch: parses the command line, reads settings and wires the engine, the ingest server,
// the demo service and (with a display) the window together. Nothing else lives here.

#include "appsettings.h"
#include "demosimulator.h"
#include "engine.h"
#include "ingestconfig.h"
#include "ingestservice.h"
#include "performanceroutes.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QSettings>

#ifdef PERFWATCH_HAVE_VIEWS
#include <QApplication>
#endif

#include <cstdio>
#include <memory>

using namespace perfwatch;

namespace {

void printLine(FILE *stream, const QString &line)
{
    std::fputs(qPrintable(line + u'\n'), stream);
    std::fflush(stream);
}

int fail(const QString &message, int code = 1)
{
    printLine(stderr, QStringLiteral("perfwatch: ") + message);
    return code;
}

bool hasFlag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], flag) == 0)
            return true;
    }
    return false;
}

[[maybe_unused]] bool displayAvailable()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

/// Reads an integer option into `target`; false (with a message) when it is not a whole number.
bool intOption(const QCommandLineParser &parser, const QString &name, int &target, QString *problem)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok) {
        *problem = QCoreApplication::translate("main", "--%1 needs a whole number, not \"%2\"")
                       .arg(name, parser.value(name));
        return false;
    }
    target = value;
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    const bool wantsWindow = !hasFlag(argc, argv, "--headless") && !hasFlag(argc, argv, "--help")
        && !hasFlag(argc, argv, "-h") && !hasFlag(argc, argv, "--version") && !hasFlag(argc, argv, "--export-report");
#ifdef PERFWATCH_HAVE_VIEWS
    const bool window = wantsWindow && displayAvailable();
    std::unique_ptr<QCoreApplication> app
        = window ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
#else
    const bool window = false;
    auto app = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication::setOrganizationName(QStringLiteral("PerfWatch"));
    QCoreApplication::setApplicationName(QStringLiteral("perfwatch"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PERFWATCH_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "PerfWatch: a zero-setup application performance monitor."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(
        QStringLiteral("headless"), QCoreApplication::translate("main", "Serve without a window."));
    const QCommandLineOption demo(
        QStringLiteral("demo"), QCoreApplication::translate("main", "Feed a built-in simulated service."));
    const QCommandLineOption bind(QStringLiteral("bind"),
        QCoreApplication::translate("main", "Address to listen on (default 127.0.0.1)."), QStringLiteral("ADDR"));
    const QCommandLineOption port(QStringLiteral("port"),
        QCoreApplication::translate("main", "HTTP port (default 4318; 0 picks one)."), QStringLiteral("N"));
    const QCommandLineOption statsdPort(QStringLiteral("statsd-port"),
        QCoreApplication::translate("main", "StatsD UDP port (default 8125)."), QStringLiteral("N"));
    const QCommandLineOption ingestThreads(QStringLiteral("ingest-threads"),
        QCoreApplication::translate("main", "HTTP ingest threads (default 2; at most the number of CPUs)."),
        QStringLiteral("N"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "Folder for the history database."), QStringLiteral("DIR"));
    const QCommandLineOption token(QStringLiteral("token"),
        QCoreApplication::translate("main", "Bearer token clients must send."), QStringLiteral("T"));
    const QCommandLineOption refresh(QStringLiteral("refresh-ms"),
        QCoreApplication::translate("main", "Window refresh interval (default 1000)."), QStringLiteral("N"));
    const QCommandLineOption lang(QStringLiteral("lang"),
        QCoreApplication::translate("main", "Language (en, de; default: system)."), QStringLiteral("L"));
    const QCommandLineOption exportReport(QStringLiteral("export-report"),
        QCoreApplication::translate("main", "Write a report (FILE.pdf, FILE.csv or a folder) and exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption hours(QStringLiteral("hours"),
        QCoreApplication::translate("main", "Hours the report covers (default 24)."), QStringLiteral("N"));
    parser.addOptions(
        { headless, demo, bind, port, statsdPort, ingestThreads, dataDir, token, refresh, lang, exportReport, hours });
    parser.process(*app);

    // Precedence: command line > environment > saved settings > defaults.
    AppSettings settings;
    {
        const QSettings saved;
        settings.load(saved);
    }
    for (const QString &warning : settings.applyEnvironment(QProcessEnvironment::systemEnvironment()))
        printLine(stderr, QStringLiteral("perfwatch: ") + warning);
    QString problem;
    if (!intOption(parser, QStringLiteral("port"), settings.port, &problem)
        || !intOption(parser, QStringLiteral("statsd-port"), settings.statsdPort, &problem)
        || !intOption(parser, QStringLiteral("ingest-threads"), settings.ingestThreads, &problem)
        || !intOption(parser, QStringLiteral("refresh-ms"), settings.refreshMs, &problem))
        return fail(problem, 2);
    if (parser.isSet(bind))
        settings.bindAddress = parser.value(bind);
    if (parser.isSet(dataDir))
        settings.dataDir = parser.value(dataDir);
    else if (parser.isSet(demo))
        settings.dataDir = QDir(settings.resolvedDataDir()).filePath(QStringLiteral("demo")); // keep demo data apart
    if (parser.isSet(token))
        settings.token = parser.value(token);
    if (parser.isSet(lang))
        settings.language = parser.value(lang);

    if (parser.isSet(exportReport))
        return fail(QCoreApplication::translate("main", "--export-report is not available in this version yet"), 2);

    if (!settings.bindsLoopback() && settings.token.isEmpty()) {
        QString error;
        settings.token = loadOrCreateToken(settings.resolvedDataDir(), &error);
        if (settings.token.isEmpty())
            return fail(error);
        printLine(stdout,
            QCoreApplication::translate("main",
                "Binding %1 requires a token; clients must send "
                "\"Authorization: Bearer <token>\" (stored in %2).")
                .arg(settings.bindAddress, QDir(settings.resolvedDataDir()).filePath(QStringLiteral("token"))));
    }
    if (const QStringList problems = settings.validate(); !problems.isEmpty())
        return fail(problems.join(QStringLiteral("; ")), 2);

    PerformanceEngine engine(settings.engineConfig());
    QString error;
    if (!engine.start(&error))
        return fail(error);
    if (!error.isEmpty()) // started, with a notice (for example a damaged history moved aside)
        printLine(stderr, QStringLiteral("perfwatch: ") + error);

    IngestService ingest([&engine](IngestServer &server) { PerformanceRoutes::install(server, engine); });
    IngestConfig ingestConfig;
    ingestConfig.address = QHostAddress(settings.bindAddress);
    ingestConfig.port = quint16(settings.port);
    ingestConfig.token = settings.token.toUtf8();
    ingestConfig.ingestThreads = settings.ingestThreads;
    const quint16 boundPort = ingest.start(ingestConfig, &error);
    if (boundPort == 0)
        return fail(error);

    const QString address
        = QStringLiteral("http://%1:%2")
              .arg(ingestConfig.address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + settings.bindAddress + u']'
                                                                                    : settings.bindAddress)
              .arg(boundPort);
    printLine(stdout,
        QCoreApplication::translate("main", "PerfWatch %1 listening on %2 (history: %3)")
            .arg(QCoreApplication::applicationVersion(), address, engine.persistenceStatus().path));
    if (wantsWindow && !window)
        printLine(stdout, QCoreApplication::translate("main", "No display found; serving without a window."));

    std::unique_ptr<DemoSimulator> simulator;
    if (parser.isSet(demo)) {
        simulator = std::make_unique<DemoSimulator>(engine.store());
        simulator->start();
        printLine(stdout, QCoreApplication::translate("main", "Demo service running: simulated trip app traffic."));
    }

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, app.get(), [] { QCoreApplication::quit(); });

    const int code = app->exec();

    if (simulator)
        simulator->stop();
    ingest.stop();
    engine.stop();
    printLine(stdout, QCoreApplication::translate("main", "PerfWatch stopped; history saved."));
    return code;
}
