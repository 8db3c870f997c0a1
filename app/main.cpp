// perfwatch: parses the command line, reads settings and wires the engine, the ingest server,
// the demo service and (with a display) the window together. Nothing else lives here.

#include "appsettings.h"
#include "demosimulator.h"
#include "engine.h"
#include "ingestconfig.h"
#include "ingestservice.h"
#include "otlpgrpcserver.h"
#include "otlpmetricsstate.h"
#include "performanceroutes.h"
#include "signalwatcher.h"
#include "statsdservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QHostAddress>
#include <QSettings>
#include <QTimer>

#ifdef PERFWATCH_HAVE_VIEWS
#include "enginedashboardsource.h"
#include "eventlooplagprobe.h"
#include "mainwindow.h"
#include "reportexporter.h"
#include "reportscheduler.h"
#include "theme.h"
#include "translations.h"

#include <QApplication>
#include <QMessageBox>
#include <QTimer>
#endif

#include <cmath>
#include <cstdio>
#include <memory>

#ifdef __GLIBC__
#include <malloc.h>
#endif

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

#ifdef PERFWATCH_HAVE_VIEWS
QtMessageHandler g_previousHandler = nullptr;

/// Drops the warning QGuiApplication gives while choosing a platform on machines without a
/// desktop session (servers, CI): the runtime folder it looks for is never used here.
void quietRuntimeDirWarning(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set")))
        return;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
    else
        printLine(stderr, qFormatLogMessage(type, context, message));
}
#endif

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
#ifdef __GLIBC__
    // Request bodies are megabytes. glibc raises its mmap threshold to the largest block freed,
    // after which such buffers come from the heap and their memory is kept after a burst
    // (200 MB more RSS after 2 minutes of 6.5 MB bodies). A fixed threshold returns it.
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
    // --help and --version print and exit (help2man runs them while building the man page): no
    // platform plugin for them, nor the runtime folder it creates.
    const bool onlyPrints = hasFlag(argc, argv, "--help") || hasFlag(argc, argv, "-h")
        || hasFlag(argc, argv, "--version") || hasFlag(argc, argv, "-v");
    const bool wantsWindow
        = !onlyPrints && !hasFlag(argc, argv, "--headless") && !hasFlag(argc, argv, "--export-report");
#ifdef PERFWATCH_HAVE_VIEWS
    const bool window = wantsWindow && displayAvailable();
    // Without a window (--headless, --export-report, no display) a QGuiApplication on the offscreen
    // platform: PDF reports need fonts, and no display is opened.
    std::unique_ptr<QCoreApplication> app;
    if (onlyPrints) {
        app = std::make_unique<QCoreApplication>(argc, argv);
    } else if (window) {
        app = std::make_unique<QApplication>(argc, argv);
        // Wayland compositors find the window's name and icon through the installed desktop entry.
        QGuiApplication::setDesktopFileName(QStringLiteral(PERFWATCH_APP_ID));
    } else {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        g_previousHandler = qInstallMessageHandler(quietRuntimeDirWarning);
        app = std::make_unique<QGuiApplication>(argc, argv);
        qInstallMessageHandler(g_previousHandler);
    }
#else
    const bool window = false;
    auto app = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication::setOrganizationName(QStringLiteral("PerfWatch"));
    QCoreApplication::setApplicationName(QStringLiteral("perfwatch"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PERFWATCH_VERSION));

    // Before anything prints "listening": a SIGTERM that arrives early must still shut down cleanly.
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, app.get(), [] { QCoreApplication::quit(); });

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
        QCoreApplication::translate("main", "StatsD UDP port (default 8125; 0 picks one)."), QStringLiteral("N"));
    const QCommandLineOption grpcPort(QStringLiteral("grpc-port"),
        QCoreApplication::translate("main", "OTLP/gRPC port (default 4317; 0 picks one; off turns it off)."),
        QStringLiteral("N"));
    const QCommandLineOption ingestThreads(QStringLiteral("ingest-threads"),
        QCoreApplication::translate("main", "HTTP ingest threads (default 2; at most the number of CPUs)."),
        QStringLiteral("N"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "Folder for the history database."), QStringLiteral("DIR"));
    const QCommandLineOption token(QStringLiteral("token"),
        QCoreApplication::translate("main", "Bearer token clients must send."), QStringLiteral("T"));
    const QCommandLineOption journalSync(QStringLiteral("journal-sync-ms"),
        QCoreApplication::translate("main",
            "How often the ingest journal is synced to disk (default 1000; 0: every batch)."),
        QStringLiteral("N"));
    const QCommandLineOption journalCheckpoint(QStringLiteral("journal-checkpoint-ms"),
        QCoreApplication::translate("main",
            "How often the changed rollups are checkpointed into the ingest journal, so start-up replays "
            "only what came after the last checkpoint (default 2000; 0: none)."),
        QStringLiteral("N"));
    const QCommandLineOption noJournal(QStringLiteral("no-journal"),
        QCoreApplication::translate("main",
            "Do not journal ingest (benchmarks): a crash then loses what arrived since the last flush."));
    const QCommandLineOption refresh(QStringLiteral("refresh-ms"),
        QCoreApplication::translate("main", "Window refresh interval (default 1000)."), QStringLiteral("N"));
    const QCommandLineOption lang(QStringLiteral("lang"),
        QCoreApplication::translate("main", "Language (en, de; default: system)."), QStringLiteral("L"));
    const QCommandLineOption exportReport(QStringLiteral("export-report"),
        QCoreApplication::translate("main", "Write a report (FILE.pdf, FILE.csv or a folder) and exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption hours(QStringLiteral("hours"),
        QCoreApplication::translate("main", "Hours the report covers (default 24)."), QStringLiteral("N"));
    const QCommandLineOption pageSize(QStringLiteral("page-size"),
        QCoreApplication::translate("main", "Page size of PDF reports: A4 (default) or Letter."),
        QStringLiteral("SIZE"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QCoreApplication::translate("main", "Save PNGs of every page of the window into DIR and exit."),
        QStringLiteral("DIR"));
    parser.addOptions({ headless, demo, bind, port, statsdPort, grpcPort, ingestThreads, dataDir, token, journalSync,
        journalCheckpoint, noJournal, refresh, lang, exportReport, hours, pageSize, screenshot });
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
        || (parser.value(grpcPort) != u"off"
            && !intOption(parser, QStringLiteral("grpc-port"), settings.grpcPort, &problem))
        || !intOption(parser, QStringLiteral("ingest-threads"), settings.ingestThreads, &problem)
        || !intOption(parser, QStringLiteral("refresh-ms"), settings.refreshMs, &problem)
        || !intOption(parser, QStringLiteral("journal-sync-ms"), settings.journalSyncMs, &problem)
        || !intOption(parser, QStringLiteral("journal-checkpoint-ms"), settings.journalCheckpointMs, &problem))
        return fail(problem, 2);
    if (parser.isSet(grpcPort) && parser.value(grpcPort) == u"off")
        settings.grpcPort = -1;
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

    if (parser.isSet(pageSize))
        settings.reportPageSize = parser.value(pageSize);
    double reportHours = settings.reportHours;
    if (parser.isSet(hours)) {
        bool ok = false;
        reportHours = parser.value(hours).toDouble(&ok);
        if (!ok || !std::isfinite(reportHours) || reportHours <= 0 || reportHours > 24 * 90)
            return fail(
                QCoreApplication::translate("main", "--hours needs a number of hours between 0 and 2160, not \"%1\"")
                    .arg(parser.value(hours)),
                2);
    }

    if (parser.isSet(exportReport)) {
#ifdef PERFWATCH_HAVE_VIEWS
        // Reads the persisted history; no server, no window, no writes to the history.
        installTranslations(*app, settings.language);
        ReportExportRequest request;
        request.path = parser.value(exportReport);
        request.report.hours = reportHours;
        QString problem;
        if (!ReportExporter::formatForPath(request.path, request.format, &problem))
            return fail(problem, 2);
        if (!ReportPdfWriter::pageSizeFromName(settings.reportPageSize, request.pdf.pageSize))
            return fail(QCoreApplication::translate("main", "--page-size must be A4 or Letter, not \"%1\"")
                            .arg(settings.reportPageSize),
                2);
        const ReportExportResult result = ReportExporter::runFromHistory(settings.engineConfig(), request);
        if (!result.ok)
            return fail(result.error);
        for (const QString &file : result.files)
            printLine(stdout, file);
        return 0;
#else
        return fail(QCoreApplication::translate("main", "--export-report needs the views library (a GUI build)"), 2);
#endif
    }

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
#ifdef PERFWATCH_HAVE_VIEWS
    installTranslations(*app, settings.language);
#endif

    EngineConfig engineConfig = settings.engineConfig();
    engineConfig.journal = !parser.isSet(noJournal);
    PerformanceEngine engine(engineConfig);
    QString error;
    if (!engine.start(&error))
        return fail(error);
    if (!error.isEmpty()) // started, with a notice (for example a damaged history moved aside)
        printLine(stderr, QStringLiteral("perfwatch: ") + error);

#ifdef PERFWATCH_HAVE_VIEWS
    // One read-only view of the engine for everything that reports on it (API files, scheduler).
    const auto reportSource = std::make_shared<EngineDashboardSource>(engine);
    ReportPdfOptions pdfOptions;
    ReportPdfWriter::pageSizeFromName(settings.reportPageSize, pdfOptions.pageSize);
    const ReportRenderer reportRenderer = ReportExporter::makeRenderer(reportSource, pdfOptions);
#else
    const ReportRenderer reportRenderer; // the report routes answer 501 for PDF and CSV
#endif
    // StatsD first, so the HTTP routes can show its counters; it runs on its own thread.
    StatsdService statsd(engine.store());
    StatsdConfig statsdConfig;
    statsdConfig.address = QHostAddress(settings.bindAddress);
    statsdConfig.port = quint16(settings.statsdPort);
    const quint16 boundStatsdPort = statsd.start(statsdConfig, &error);
    if (boundStatsdPort == 0)
        return fail(error);

    // OTLP metrics over HTTP and gRPC share their cumulative streams and the count-once rule;
    // metric events waiting for a service's spans are released every second.
    OtlpMetricsState otlpMetrics(engine.store(), QDateTime::currentMSecsSinceEpoch());
    QTimer releaseMetrics;
    QObject::connect(&releaseMetrics, &QTimer::timeout, &releaseMetrics,
        [&otlpMetrics] { otlpMetrics.releaseDue(QDateTime::currentMSecsSinceEpoch()); });
    releaseMetrics.start(1000);

    // OTLP/gRPC on threads of its own, into the same store; the token rule as for HTTP.
    OtlpGrpcServer grpc(engine.store(), &engine.logs(), &otlpMetrics);
    const auto grpcConfigFor = [](const AppSettings &s) {
        OtlpGrpcConfig c;
        c.address = QHostAddress(s.bindAddress);
        c.port = quint16(s.grpcPort);
        c.token = s.token.toUtf8();
        return c;
    };
    quint16 boundGrpcPort = 0;
    if (settings.grpcPort >= 0) {
        boundGrpcPort = grpc.start(grpcConfigFor(settings), &error);
        if (boundGrpcPort == 0)
            return fail(error);
    }

    const PerformanceRoutes::Options routeOptions { &statsd.counters(), reportRenderer, &grpc.counters(),
        &otlpMetrics };
    IngestService ingest(
        [&engine, routeOptions](IngestServer &server) { PerformanceRoutes::install(server, engine, routeOptions); });
    const auto ingestConfigFor = [](const AppSettings &s) {
        IngestConfig c;
        c.address = QHostAddress(s.bindAddress);
        c.port = quint16(s.port);
        c.token = s.token.toUtf8();
        c.ingestThreads = s.ingestThreads;
        return c;
    };
    const auto addressOf = [](const AppSettings &s, quint16 boundPort) {
        const bool v6 = QHostAddress(s.bindAddress).protocol() == QAbstractSocket::IPv6Protocol;
        return QStringLiteral("http://%1:%2").arg(v6 ? u'[' + s.bindAddress + u']' : s.bindAddress).arg(boundPort);
    };
    const quint16 boundPort = ingest.start(ingestConfigFor(settings), &error);
    if (boundPort == 0)
        return fail(error);
    const QString address = addressOf(settings, boundPort);
    printLine(stdout,
        QCoreApplication::translate("main", "PerfWatch %1 listening on %2 (history: %3)")
            .arg(QCoreApplication::applicationVersion(), address, engine.persistenceStatus().path));
    printLine(stdout,
        QCoreApplication::translate("main", "StatsD listening on udp://%1:%2; web dashboard at %3/performance")
            .arg(settings.bindAddress)
            .arg(boundStatsdPort)
            .arg(address));
    if (boundGrpcPort != 0)
        printLine(stdout,
            QCoreApplication::translate("main", "OTLP/gRPC listening on %1:%2")
                .arg(QHostAddress(settings.bindAddress).protocol() == QAbstractSocket::IPv6Protocol
                        ? u'[' + settings.bindAddress + u']'
                        : settings.bindAddress)
                .arg(boundGrpcPort));
    if (!settings.bindsLoopback())
        printLine(stdout,
            QCoreApplication::translate(
                "main", "Note: StatsD has no authentication; anyone who reaches UDP port %1 can send metrics.")
                .arg(boundStatsdPort));
    if (wantsWindow && !window)
        printLine(stdout, QCoreApplication::translate("main", "No display found; serving without a window."));

    std::unique_ptr<DemoSimulator> simulator;
    if (parser.isSet(demo)) {
        simulator = std::make_unique<DemoSimulator>(engine.store());
        simulator->start(30);
        // Score the back-filled half hour minute by minute, so the score chart has a history too.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (qint64 t = now - 29 * 60'000; t < now; t += 60'000)
            engine.analyzeNow(t);
        engine.analyzeNow(now);
        printLine(stdout, QCoreApplication::translate("main", "Demo service running: simulated trip app traffic."));
    }

#ifdef PERFWATCH_HAVE_VIEWS
    ReportScheduler reportScheduler(reportSource);
    reportScheduler.setSettings(settings);
    std::unique_ptr<MainWindow> mainWindow;
    if (window) {
        auto *guiApp = static_cast<QApplication *>(app.get());
        Theme::applyApplicationLook(*guiApp, Theme::isDark(QGuiApplication::palette()));
        mainWindow = std::make_unique<MainWindow>(engine, &ingest.liveCounters(), address);
        mainWindow->setSettings(settings);
        QObject::connect(mainWindow.get(), &MainWindow::settingsChanged, mainWindow.get(),
            [&, current = settings](const AppSettings &changed) mutable {
                if (changed.bindAddress != current.bindAddress || changed.grpcPort != current.grpcPort
                    || changed.token != current.token) {
                    // gRPC: the same, on its own; off stays off.
                    grpc.stop();
                    QString grpcError;
                    if (changed.grpcPort >= 0 && grpc.start(grpcConfigFor(changed), &grpcError) == 0) {
                        QMessageBox::warning(
                            mainWindow.get(), QCoreApplication::translate("main", "PerfWatch"), grpcError);
                        if (current.grpcPort >= 0)
                            grpc.start(grpcConfigFor(current), &grpcError);
                    }
                }
                if (changed.bindAddress == current.bindAddress && changed.port == current.port
                    && changed.token == current.token) {
                    current = changed;
                    return;
                }
                // A new address, port or token: restart the server; keep the old one
                // when the new one cannot be used.
                ingest.stop();
                QString restartError;
                quint16 port = ingest.start(ingestConfigFor(changed), &restartError);
                if (port != 0) {
                    current = changed;
                } else {
                    QMessageBox::warning(
                        mainWindow.get(), QCoreApplication::translate("main", "PerfWatch"), restartError);
                    port = ingest.start(ingestConfigFor(current), &restartError);
                }
                mainWindow->setIngestAddress(port ? addressOf(current, port) : QString());
            });
        QObject::connect(
            mainWindow.get(), &MainWindow::settingsChanged, &reportScheduler, &ReportScheduler::setSettings);
        QObject::connect(&reportScheduler, &ReportScheduler::reportWritten, mainWindow.get(),
            [&](const QString &path) { mainWindow->showScheduledReport(path, false); });
        QObject::connect(&reportScheduler, &ReportScheduler::reportFailed, mainWindow.get(),
            [&](const QString &error) { mainWindow->showScheduledReport(error, true); });
        mainWindow->show();
        if (const int probeSeconds = qEnvironmentVariableIntValue("PERFWATCH_LAG_PROBE_SECONDS"); probeSeconds > 0) {
            // Benchmark aid (docs/PERFORMANCE.md): how late the GUI loop runs under load, then exit.
            auto *probe = new EventLoopLagProbe(mainWindow.get());
            probe->start();
            QTimer::singleShot(probeSeconds * 1000, probe, [probe] {
                const EventLoopLagProbe::Result r = probe->result();
                printLine(stdout,
                    QStringLiteral("GUI event loop late by median %1 ms, p99 %2 ms, max %3 ms over %4 samples")
                        .arg(r.medianMs, 0, 'f', 2)
                        .arg(r.p99Ms, 0, 'f', 2)
                        .arg(r.maxMs, 0, 'f', 2)
                        .arg(r.samples));
                QCoreApplication::quit();
            });
        }
        if (parser.isSet(screenshot)) {
            // Let the first ticks (and the demo's back-fill) reach the window, then save and quit.
            QTimer::singleShot(2500, mainWindow.get(), [&] {
                QString shotError;
                const QStringList files = mainWindow->saveScreenshots(parser.value(screenshot), &shotError);
                if (files.isEmpty())
                    printLine(stderr, QStringLiteral("perfwatch: ") + shotError);
                for (const QString &file : files)
                    printLine(stdout, file);
                QCoreApplication::exit(files.isEmpty() ? 1 : 0);
            });
        }
    } else {
        QObject::connect(&reportScheduler, &ReportScheduler::reportWritten, &reportScheduler, [](const QString &path) {
            printLine(stdout, QCoreApplication::translate("main", "Report written: %1").arg(path));
        });
        QObject::connect(&reportScheduler, &ReportScheduler::reportFailed, &reportScheduler, [](const QString &error) {
            printLine(stderr,
                QStringLiteral("perfwatch: ")
                    + QCoreApplication::translate("main", "scheduled report failed: %1").arg(error));
        });
    }
#endif
    if (parser.isSet(screenshot) && !window)
        return fail(
            QCoreApplication::translate("main", "--screenshot needs the window (a display, not --headless)"), 2);

    const int code = app->exec();

#ifdef PERFWATCH_HAVE_VIEWS
    mainWindow.reset();
    reportScheduler.stop(); // a report being written reads the engine: finish before it stops
#endif
    if (simulator)
        simulator->stop();
    ingest.stop();
    grpc.stop();
    statsd.stop();
    otlpMetrics.releaseDue(QDateTime::currentMSecsSinceEpoch(), true); // nothing accepted is left out
    engine.stop();
    printLine(stdout, QCoreApplication::translate("main", "PerfWatch stopped; history saved."));
    return code;
}
