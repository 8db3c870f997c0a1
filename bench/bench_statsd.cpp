// Sustained StatsD throughput: one sender thread sends tagged timers (100 API keys, ~90 bytes
// each) to a receiver for D seconds, as fast as it can or at a fixed rate. Three receivers, one
// after the other in the same run:
//   recvmmsg    - UdpReceiver reading and discarding: what the socket itself delivers (ceiling)
//   qudpsocket  - QUdpSocket::readDatagram one at a time, discarding (how StatsD used to read)
//   perfwatch   - the real StatsdService: read, parse, translate, insert into a MetricStore
// Reported per receiver: datagrams offered and read per second, the share dropped, and datagrams
// read per CPU-second of the receiver (process CPU time minus the senders' threads): with one
// sender on two cores the sender is usually the limit, so the CPU figure is the receiver's
// capacity. The ratios are against recvmmsg measured in the same run.
//
//   perfwatch-bench-statsd [--seconds D] [--rate DATAGRAMS_PER_S] [--senders N] [--only NAME]

#include "metricstore.h"
#include "statsdservice.h"
#include "udpreceiver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QUdpSocket>
#include <QVariant>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <vector>

using namespace perfwatch;

namespace {

struct Options
{
    double seconds = 5;
    double rate = 0; ///< datagrams/s offered per sender; 0 = as fast as the sender can
    int senders = 1;
    std::string only;
};

struct Result
{
    quint64 sent = 0;
    quint64 read = 0;
    quint64 dropped = 0; ///< sent - read
    double seconds = 0;
    qint64 counted = -1; ///< drops PerfWatch counted itself (perfwatch only)
    double receiverCpuSeconds = 0; ///< CPU time of everything but the senders
};

std::vector<std::string> datagrams()
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
    std::vector<std::string> out;
    for (int i = 0; i < 1000; ++i) {
        char line[160];
        std::snprintf(line, sizeof line,
            "api.request:%d.%d|ms|#service:shop,method:%s,route:/api/v1/items%d/{id},status:%d", 3 + (i * 37) % 400,
            i % 10, methods[i % 4], (i / 4) % 25, i % 50 == 0 ? 500 : 200);
        out.emplace_back(line);
    }
    return out;
}

double cpuSeconds(clockid_t clock)
{
    timespec t {};
    clock_gettime(clock, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

/// Sends until `stop`; paced to `rate` when it is above 0. Returns datagrams sent; `cpu` gets the
/// sender thread's CPU time.
quint64 sendLoop(quint16 port, double rate, const std::atomic<bool> &stop, double &cpu)
{
    const double cpuStart = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    const std::vector<std::string> payloads = datagrams();
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    constexpr int kBatch = 32;
    std::vector<iovec> iov(kBatch);
    std::vector<mmsghdr> messages(kBatch);
    quint64 sent = 0;
    std::size_t next = 0;
    QElapsedTimer clock;
    clock.start();
    while (!stop.load(std::memory_order_relaxed)) {
        if (rate > 0) {
            const double due = double(clock.nsecsElapsed()) * 1e-9 * rate;
            if (double(sent) >= due) {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                continue;
            }
        }
        for (int i = 0; i < kBatch; ++i) {
            const std::string &p = payloads[next++ % payloads.size()];
            iov[std::size_t(i)] = { const_cast<char *>(p.data()), p.size() };
            msghdr &h = messages[std::size_t(i)].msg_hdr;
            h = msghdr {};
            h.msg_name = &to;
            h.msg_namelen = sizeof to;
            h.msg_iov = &iov[std::size_t(i)];
            h.msg_iovlen = 1;
        }
        const int n = ::sendmmsg(fd, messages.data(), kBatch, 0);
        if (n > 0)
            sent += quint64(n);
    }
    ::close(fd);
    cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart;
    return sent;
}

/// Runs the sender for the configured time against `port`; `readSoFar` is polled until the
/// receiver has been idle 200 ms after the sender stopped.
template<typename ReadSoFar>
Result drive(quint16 port, const Options &options, ReadSoFar readSoFar)
{
    std::atomic<bool> stop { false };
    const auto senderCount = std::size_t(options.senders);
    std::vector<quint64> sentBy(senderCount, 0);
    std::vector<double> cpuOf(senderCount, 0);
    const double processCpuStart = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    QElapsedTimer clock;
    clock.start();
    std::vector<std::thread> senders;
    for (std::size_t i = 0; i < senderCount; ++i)
        senders.emplace_back([&, i] { sentBy[i] = sendLoop(port, options.rate, stop, cpuOf[i]); });
    std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
    stop = true;
    for (std::thread &t : senders)
        t.join();
    const double seconds = double(clock.nsecsElapsed()) * 1e-9;
    quint64 sent = 0;
    double senderCpu = 0;
    for (std::size_t i = 0; i < senderCount; ++i) {
        sent += sentBy[i];
        senderCpu += cpuOf[i];
    }
    quint64 last = readSoFar();
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const quint64 now = readSoFar();
        if (now == last)
            break;
        last = now;
    }
    Result r { sent, last, sent - qMin(sent, last), seconds };
    r.receiverCpuSeconds = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - processCpuStart - senderCpu;
    return r;
}

Result runRecvmmsg(const Options &options)
{
    UdpReceiver::Options o;
    UdpReceiver receiver(o);
    QString error;
    if (!receiver.bind(QHostAddress::LocalHost, 0, &error)) {
        std::fprintf(stderr, "bench-statsd: %s\n", qPrintable(error));
        std::exit(1);
    }
    std::atomic<quint64> read { 0 };
    std::atomic<bool> done { false };
    std::thread reader([&] {
        std::size_t bytes = 0;
        while (!done.load(std::memory_order_relaxed)) {
            const int n = receiver.receive();
            if (n <= 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(100));
                continue;
            }
            for (int i = 0; i < n; ++i)
                bytes += receiver.datagram(i).size();
            read.fetch_add(quint64(n), std::memory_order_relaxed);
        }
        (void)bytes;
    });
    const Result r = drive(receiver.localPort(), options, [&] { return read.load(); });
    done = true;
    reader.join();
    return r;
}

Result runQUdpSocket(const Options &options)
{
    std::atomic<quint64> read { 0 };
    std::atomic<bool> done { false };
    std::atomic<quint16> port { 0 };
    std::thread reader([&] {
        QUdpSocket socket;
        socket.bind(QHostAddress::LocalHost, 0);
        socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(8 * 1024 * 1024));
        port = socket.localPort();
        QByteArray buffer(65'536, Qt::Uninitialized);
        while (!done.load(std::memory_order_relaxed)) {
            if (!socket.waitForReadyRead(50))
                continue;
            while (socket.hasPendingDatagrams()) {
                if (socket.readDatagram(buffer.data(), buffer.size()) < 0)
                    break;
                read.fetch_add(1, std::memory_order_relaxed);
            }
        }
    });
    while (port.load() == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const Result r = drive(port.load(), options, [&] { return read.load(); });
    done = true;
    reader.join();
    return r;
}

Result runPerfwatch(const Options &options)
{
    MetricStore store;
    StatsdService service(store);
    StatsdConfig config;
    config.port = 0;
    QString error;
    const quint16 port = service.start(config, &error);
    if (port == 0) {
        std::fprintf(stderr, "bench-statsd: %s\n", qPrintable(error));
        std::exit(1);
    }
    Result r = drive(port, options, [&] { return service.counters().snapshot().datagrams; });
    const StatsdCountersSnapshot c = service.counters().snapshot();
    r.counted = qint64(c.droppedDatagrams);
    if (c.acceptedLines != c.datagrams)
        std::fprintf(stderr, "bench-statsd: %llu of %llu lines accepted\n", c.acceptedLines, c.datagrams);
    service.stop();
    return r;
}

void print(const char *name, const Result &r, const Result *baseline)
{
    const double offered = double(r.sent) / r.seconds;
    const double read = double(r.read) / r.seconds;
    const auto perCpu
        = [](const Result &x) { return x.receiverCpuSeconds > 0 ? double(x.read) / x.receiverCpuSeconds : 0.0; };
    std::printf("%-11s offered %9.0f/s  read %9.0f/s  dropped %5.1f%%  receiver %9.0f per CPU-second", name, offered,
        read, r.sent ? 100.0 * double(r.dropped) / double(r.sent) : 0.0, perCpu(r));
    if (baseline)
        std::printf("  ratio to recvmmsg: read %.2f, per CPU-second %.2f",
            read / (double(baseline->read) / baseline->seconds), perCpu(r) / perCpu(*baseline));
    if (r.counted >= 0)
        std::printf("  (counted as dropped: %lld of %llu)", r.counted, r.dropped);
    std::printf("\n");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--seconds" && hasValue)
            options.seconds = std::atof(argv[++i]);
        else if (a == "--rate" && hasValue)
            options.rate = std::atof(argv[++i]);
        else if (a == "--senders" && hasValue)
            options.senders = std::atoi(argv[++i]);
        else if (a == "--only" && hasValue)
            options.only = argv[++i];
        else {
            std::fprintf(stderr,
                "usage: perfwatch-bench-statsd [--seconds D] [--rate N] [--senders N] [--only "
                "recvmmsg|qudpsocket|perfwatch]\n");
            return 2;
        }
    }
    if (!(options.seconds > 0) || options.rate < 0 || options.senders < 1 || options.senders > 16) {
        std::fprintf(stderr, "bench-statsd: --seconds must be above 0, --rate at least 0, --senders 1 to 16\n");
        return 2;
    }
    std::printf("%.0f s per receiver, %d sender(s), %s\n", options.seconds, options.senders,
        options.rate > 0 ? qPrintable(QStringLiteral("each offering %1 datagrams/s").arg(options.rate, 0, 'f', 0))
                         : "each as fast as it can");
    Result baseline;
    bool haveBaseline = false;
    if (options.only.empty() || options.only == "recvmmsg") {
        baseline = runRecvmmsg(options);
        haveBaseline = true;
        print("recvmmsg", baseline, nullptr);
    }
    if (options.only.empty() || options.only == "qudpsocket") {
        const Result r = runQUdpSocket(options);
        print("qudpsocket", r, haveBaseline ? &baseline : nullptr);
    }
    if (options.only.empty() || options.only == "perfwatch") {
        const Result r = runPerfwatch(options);
        print("perfwatch", r, haveBaseline ? &baseline : nullptr);
    }
    return 0;
}
