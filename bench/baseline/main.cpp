// perfwatch-baseline-server: parse-only reference server for the ingest benchmark.

#include "baselineserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QThread>
#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace perfwatch::bench;

namespace {

int s_signalFds[2] = { -1, -1 };

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(s_signalFds[0], &byte, 1);
}

/// SIGINT/SIGTERM quit the event loop (through a socket pair, the async-signal-safe way), so
/// the server thread is joined and the totals are printed.
void installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s_signalFds) != 0)
        return;
    auto *notifier = new QSocketNotifier(s_signalFds[1], QSocketNotifier::Read, qApp);
    QObject::connect(notifier, &QSocketNotifier::activated, qApp, [] { QCoreApplication::quit(); });
    struct sigaction action
    {
    };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("perfwatch-baseline-server"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Parse-only reference for the ingest benchmark: POST /api/performance/ingest is parsed completely "
        "(every field of every event) and answered 202 {\"accepted\":N}; nothing is validated or stored."));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("Port to listen on; 0 picks a free one."), QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption bindOption(QStringLiteral("bind"), QStringLiteral("Address to listen on."),
        QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption qjsonOption(
        QStringLiteral("qjson"), QStringLiteral("Parse with QJsonDocument instead of simdjson."));
    parser.addOptions({ portOption, bindOption, qjsonOption });
    parser.process(app);

    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    const QHostAddress address(parser.value(bindOption));
    if (!portOk || port > 65535 || address.isNull()) {
        std::fprintf(stderr, "perfwatch-baseline-server: invalid --port or --bind\n");
        return 2;
    }

    // Like PerfWatch, the HTTP server runs on its own thread; the main thread only waits for a signal.
    QThread serverThread;
    serverThread.setObjectName(QStringLiteral("ingest"));
    auto *server = new BaselineServer(parser.isSet(qjsonOption) ? ParserKind::QJson : ParserKind::Simdjson);
    server->moveToThread(&serverThread);
    QObject::connect(&serverThread, &QThread::finished, server, &QObject::deleteLater);
    serverThread.start();

    quint16 listening = 0;
    QMetaObject::invokeMethod(
        server, [&] { listening = server->start(address, quint16(port)); }, Qt::BlockingQueuedConnection);
    if (listening == 0) {
        std::fprintf(stderr, "perfwatch-baseline-server: cannot listen on %s:%u (choose another with --port)\n",
            qPrintable(address.toString()), port);
        serverThread.quit();
        serverThread.wait();
        return 1;
    }
    // Scripts wait for exactly this line to learn the port.
    std::printf("listening on %s:%u\n", qPrintable(address.toString()), unsigned(listening));
    std::fflush(stdout);
    std::fprintf(stderr, "perfwatch-baseline-server: parsing with %s\n",
        parser.isSet(qjsonOption) ? "QJsonDocument" : "simdjson On-Demand");

    installSignalHandlers();
    const int rc = QCoreApplication::exec();

    const BaselineCounters totals = server->counters();
    serverThread.quit();
    serverThread.wait();
    std::fprintf(stderr,
        "perfwatch-baseline-server: %llu requests, %llu events, %llu malformed (checksums %.3f %.3f %llu)\n",
        static_cast<unsigned long long>(totals.requests), static_cast<unsigned long long>(totals.events),
        static_cast<unsigned long long>(totals.malformed), totals.durationSum, totals.numberSum,
        static_cast<unsigned long long>(totals.stringBytes));
    return rc;
}
