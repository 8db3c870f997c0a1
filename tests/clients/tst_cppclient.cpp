// The C++ client (clients/cpp) against a real perfwatch process and, where the test needs to see
// each request or script the answers, against a small capturing HTTP server on a thread.

#include "perfwatch/client.h"
#include "perfwatch/json.h"
#include "perfwatch/scopedtimer.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QUdpSocket>
#include <arpa/inet.h>
#include <atomic>
#include <cmath>
#include <deque>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

/// A TCP socket on 127.0.0.1 with a kernel-chosen port; listening when `backlog` > 0.
int loopbackSocket(quint16 &port, int backlog)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    port = ntohs(addr.sin_port);
    if (backlog > 0)
        ::listen(fd, backlog);
    return fd;
}

quint16 freeTcpPort()
{
    quint16 port = 0;
    ::close(loopbackSocket(port, 0));
    return port;
}

quint16 freeUdpPort()
{
    QUdpSocket socket;
    socket.bind(QHostAddress::LocalHost, 0);
    return socket.localPort();
}

/// perfwatch --headless on a free (or given) port; the port is read from its first line.
class PerfWatchProcess
{
public:
    explicit PerfWatchProcess(quint16 port = 0)
    {
        m_process.setProgram(QStringLiteral(PERFWATCH_BINARY));
        m_process.setArguments({ QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(port),
            QStringLiteral("--statsd-port"), QString::number(freeUdpPort()), QStringLiteral("--grpc-port"),
            QStringLiteral("0"), QStringLiteral("--data-dir"), m_dir.path() });
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start();
        QElapsedTimer timer;
        timer.start();
        static const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        while (timer.elapsed() < 30000 && m_port == 0) {
            if (!m_process.waitForReadyRead(1000) && m_process.state() != QProcess::Running)
                break;
            m_output += QString::fromUtf8(m_process.readAllStandardOutput());
            if (const auto match = listening.match(m_output); match.hasMatch())
                m_port = quint16(match.captured(1).toUInt());
        }
    }
    ~PerfWatchProcess()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }

    quint16 port() const { return m_port; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    QString output() const { return m_output + QString::fromUtf8(m_process.readAllStandardError()); }

    QJsonObject get(const QString &path) const
    {
        QNetworkAccessManager manager;
        QNetworkReply *reply = manager.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path))));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        delete reply;
        return json;
    }
    QJsonObject summary() const { return get(QStringLiteral("/api/performance/summary?hours=1")); }

private:
    QTemporaryDir m_dir;
    mutable QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};

/// One request the capture server saw.
struct Captured
{
    std::string head;
    std::string body;
    std::chrono::steady_clock::time_point at;

    QJsonArray events() const { return QJsonDocument::fromJson(QByteArray::fromStdString(body)).array(); }
    bool hasHeader(const std::string &line) const { return head.find("\r\n" + line + "\r\n") != std::string::npos; }
};

/// A keep-alive HTTP/1.1 server on its own thread that records requests and answers from a
/// script: (status, extra headers) per request, then 202 with the accepted count.
class CaptureServer
{
public:
    CaptureServer()
    {
        m_fd = loopbackSocket(m_port, 16);
        m_thread = std::thread([this] { serve(); });
    }
    ~CaptureServer()
    {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    void script(int status, std::string headers = {})
    {
        const std::lock_guard lock(m_mutex);
        m_answers.push_back({ status, std::move(headers) });
    }
    std::vector<Captured> requests() const
    {
        const std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    struct Answer
    {
        int status;
        std::string headers;
    };

    void serve()
    {
        while (!m_stop) {
            pollfd p { m_fd, POLLIN, 0 };
            if (::poll(&p, 1, 50) <= 0)
                continue;
            const int client = ::accept(m_fd, nullptr, nullptr);
            if (client < 0)
                continue;
            while (!m_stop && handle(client)) { }
            ::close(client);
        }
    }

    bool readMore(int fd, std::string &buffer)
    {
        while (!m_stop) {
            pollfd p { fd, POLLIN, 0 };
            if (::poll(&p, 1, 50) <= 0)
                continue;
            char chunk[65536];
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                return false;
            buffer.append(chunk, std::size_t(n));
            return true;
        }
        return false;
    }

    bool handle(int fd)
    {
        std::size_t end;
        while ((end = m_buffer.find("\r\n\r\n")) == std::string::npos) {
            if (!readMore(fd, m_buffer)) {
                m_buffer.clear();
                return false;
            }
        }
        Captured request { m_buffer.substr(0, end + 2), {}, std::chrono::steady_clock::now() };
        std::size_t length = 0;
        if (const auto pos = request.head.find("Content-Length: "); pos != std::string::npos)
            length = std::stoul(request.head.substr(pos + 16));
        m_buffer.erase(0, end + 4);
        while (m_buffer.size() < length) {
            if (!readMore(fd, m_buffer))
                return false;
        }
        request.body = m_buffer.substr(0, length);
        m_buffer.erase(0, length);

        Answer answer { 202, {} };
        std::string body;
        {
            const std::lock_guard lock(m_mutex);
            if (!m_answers.empty()) {
                answer = m_answers.front();
                m_answers.pop_front();
            }
            const auto n = request.events().size();
            body = answer.status == 202 ? R"({"accepted":)" + std::to_string(n) + R"(,"rejected":0,"errors":[]})"
                                        : R"({"error":"scripted"})";
            m_requests.push_back(std::move(request));
        }
        const std::string response = "HTTP/1.1 " + std::to_string(answer.status)
            + " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"
            + answer.headers + "\r\n" + body;
        return ::send(fd, response.data(), response.size(), MSG_NOSIGNAL) == ssize_t(response.size());
    }

    int m_fd = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stop { false };
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::deque<Answer> m_answers;
    std::vector<Captured> m_requests;
    std::string m_buffer;
};

perfwatch::ClientOptions testOptions(const std::string &url)
{
    perfwatch::ClientOptions options;
    options.url = url;
    options.service = "cpp-test";
    options.flushInterval = 30s; // only flush() or a full batch sends
    options.backoffInitial = 20ms;
    options.backoffMax = 100ms;
    options.timeout = 2s;
    return options;
}

constexpr std::uint64_t u64(std::uint64_t n)
{
    return n;
}

std::string escaped(std::string_view text)
{
    std::string out;
    perfwatch::appendJsonString(out, text);
    return out;
}

} // namespace

class TestCppClient : public QObject
{
    Q_OBJECT

private slots:
    void jsonEscaping_data();
    void jsonEscaping();
    void eventsAndScopedTimersReachPerfWatch();
    void oddNamesRoundTripThroughPerfWatch();
    void retriesUntilPerfWatchStarts();
    void exampleProgramReports();
    void exactJsonAndHeaders();
    void batchesAtMostAThousand();
    void boundedQueueDrops();
    void retryAfterIsHonoured();
    void badRequestDropsTheBatch();
    void neverBlocksWhilePerfWatchHangs();
};

void TestCppClient::jsonEscaping_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("map_matching") << QByteArray(R"("map_matching")");
    QTest::newRow("quote and backslash") << QByteArray(R"(a"b\c)") << QByteArray(R"("a\"b\\c")");
    QTest::newRow("short escapes") << QByteArray("\b\f\n\r\t") << QByteArray(R"("\b\f\n\r\t")");
    QTest::newRow("other controls") << QByteArray("\x01\x1f\x7f", 3) << QByteArray("\"\\u0001\\u001f\x7f\"");
    QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray(R"("a\u0000b")");
    QTest::newRow("utf-8 kept") << QByteArray("é漢字😀") << QByteArray("\"é漢字😀\"");
    QTest::newRow("edges kept") << QByteArray(
        "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf")
                                << QByteArray(
                                       "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
    QTest::newRow("stray continuation") << QByteArray("a\x80z") << QByteArray("\"a\xef\xbf\xbdz\"");
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << QByteArray("\"\xef\xbf\xbd\xef\xbf\xbd\"");
    QTest::newRow("overlong 3-byte") << QByteArray("\xe0\x80\xaf")
                                     << QByteArray("\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QByteArray("\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80")
                                    << QByteArray("\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    QTest::newRow("f5..ff") << QByteArray("\xf5\xff") << QByteArray("\"\xef\xbf\xbd\xef\xbf\xbd\"");
    QTest::newRow("truncated 3-byte, one U+FFFD") << QByteArray("\xe2\x82"
                                                                "x")
                                                  << QByteArray("\"\xef\xbf\xbdx\"");
    QTest::newRow("truncated at end") << QByteArray("\xf0\x9f\x98") << QByteArray("\"\xef\xbf\xbd\"");
}

void TestCppClient::jsonEscaping()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const std::string out = escaped(std::string_view(input.constData(), std::size_t(input.size())));
    QCOMPARE(QByteArray::fromStdString(out), expected);
    // Whatever went in, the result is one valid JSON string.
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson("[" + expected + "]", &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestCppClient::eventsAndScopedTimersReachPerfWatch()
{
    PerfWatchProcess perfwatch;
    QVERIFY2(perfwatch.port() != 0, qPrintable(perfwatch.output()));
    perfwatch::Client client(testOptions(perfwatch.url()));

    for (int i = 0; i < 7; ++i) {
        perfwatch::ScopedTimer t(client, "map_matching");
        t.setItems(10);
    }
    {
        perfwatch::ScopedTimer t(client, "cancelled_step");
        t.cancel();
    }
    for (int i = 0; i < 5; ++i) {
        auto t = perfwatch::ScopedTimer::api(client, "GET", "/api/trips/{trip_id}");
        if (i == 0)
            t.setStatus(503);
    }
    try {
        auto t = perfwatch::ScopedTimer::api(client, "post", "/api/trips/upload");
        throw std::runtime_error("handler failed");
    } catch (const std::runtime_error &) { }
    for (int i = 0; i < 4; ++i) {
        try {
            const perfwatch::RequestScope request("req-" + std::to_string(i));
            auto t = perfwatch::ScopedTimer::db(client, "find", "trips", { "user_id", "start_time" });
            t.setDocuments(3);
            if (i == 3)
                throw std::runtime_error("query failed");
        } catch (const std::runtime_error &) { }
    }
    client.db("insert", "trips", 2.5);
    client.db("insert", "trips", 3.5, { {}, true, std::nullopt, {} });
    client.processing("data_validation", 12, 300);
    client.gauge("db.pool.size", 10);
    client.cache("trip_cache", 8, 2);
    client.api("GET", "/x", std::nan(""), 200);
    client.api("GET", "/x", 1, 42);
    client.gauge("g", HUGE_VAL);

    QVERIFY(client.flush(10s));
    const perfwatch::ClientStats stats = client.stats();
    QCOMPARE(stats.sent, u64(7 + 5 + 1 + 4 + 2 + 1 + 1 + 1));
    QCOMPARE(stats.invalid, u64(3));
    QCOMPARE(stats.failed + stats.dropped + stats.rejected + stats.queued, u64(0));

    const QJsonObject summary = perfwatch.summary();
    const QJsonObject api = summary[u"api_requests"].toObject();
    QCOMPARE(api.keys(), QStringList({ u"GET:/api/trips/{trip_id}"_s, u"POST:/api/trips/upload"_s }));
    QCOMPARE(api[u"GET:/api/trips/{trip_id}"][u"request_count"].toInt(), 5);
    QCOMPARE(api[u"GET:/api/trips/{trip_id}"][u"error_count"].toInt(), 1);
    QCOMPARE(api[u"GET:/api/trips/{trip_id}"][u"service"].toString(), u"cpp-test"_s);
    QCOMPARE(api[u"POST:/api/trips/upload"][u"request_count"].toInt(), 1);
    QCOMPARE(api[u"POST:/api/trips/upload"][u"error_count"].toInt(), 1);

    const QJsonObject db = summary[u"database_operations"].toObject();
    QCOMPARE(db.keys(), QStringList({ u"find:trips"_s, u"insert:trips"_s }));
    QCOMPARE(db[u"find:trips"][u"operation_count"].toInt(), 4);
    QCOMPARE(db[u"find:trips"][u"error_count"].toInt(), 1);
    QCOMPARE(db[u"find:trips"][u"documents"].toInt(), 12);
    QCOMPARE(db[u"insert:trips"][u"operation_count"].toInt(), 2);
    QCOMPARE(db[u"insert:trips"][u"error_count"].toInt(), 1);
    QCOMPARE(db[u"insert:trips"][u"max_duration_ms"].toDouble(), 3.5);

    const QJsonObject processing = summary[u"processing"].toObject();
    QCOMPARE(processing.keys(), QStringList({ u"data_validation"_s, u"map_matching"_s }));
    QCOMPARE(processing[u"map_matching"][u"operation_count"].toInt(), 7);
    QCOMPARE(processing[u"map_matching"][u"items_processed"].toInt(), 70);
    QCOMPARE(processing[u"data_validation"][u"items_processed"].toInt(), 300);
    QCOMPARE(summary[u"resources"][u"db.pool.size"][u"last"].toDouble(), 10.0);
    QCOMPARE(summary[u"cache"][u"trip_cache"][u"hits"].toInt(), 8);
    QCOMPARE(summary[u"cache"][u"trip_cache"][u"misses"].toInt(), 2);
}

void TestCppClient::oddNamesRoundTripThroughPerfWatch()
{
    PerfWatchProcess perfwatch;
    QVERIFY2(perfwatch.port() != 0, qPrintable(perfwatch.output()));
    perfwatch::Client client(testOptions(perfwatch.url()));

    // What goes in (bytes) and the key PerfWatch must show.
    const std::vector<std::pair<std::string, QString>> names = {
        { R"(quote" and \backslash)", uR"(quote" and \backslash)"_s },
        { "tab\tnewline\ncr\rbell\x07", u"tab\tnewline\ncr\rbell\x07"_s },
        { std::string("nul\0inside", 10), QString::fromUtf8("nul\0inside", 10) },
        { "ünïcødé 漢字 😀", u"ünïcødé 漢字 😀"_s },
        { "bad \xff\xfe bytes", u"bad \uFFFD\uFFFD bytes"_s },
        { "surrogate \xed\xa0\x80", u"surrogate \uFFFD\uFFFD\uFFFD"_s },
        { "cut \xe2\x82", u"cut \uFFFD"_s },
        { "</script><b>", u"</script><b>"_s },
    };
    for (const auto &[name, key] : names)
        client.processing(name, 1.0, 2);
    {
        auto t = perfwatch::ScopedTimer::api(client, "GET", "/api/\"odd\"/{id}/\xc3\xa9");
    }

    QVERIFY(client.flush(10s));
    QCOMPARE(client.stats().sent, u64(names.size() + 1));
    QCOMPARE(client.stats().rejected, u64(0));
    const QJsonObject processing = perfwatch.summary()[u"processing"].toObject();
    for (const auto &[name, key] : names) {
        QVERIFY2(processing.contains(key), qPrintable(u"missing key: "_s + key));
        QCOMPARE(processing[key][u"operation_count"].toInt(), 1);
        QCOMPARE(processing[key][u"items_processed"].toInt(), 2);
    }
    QCOMPARE(processing.size(), qsizetype(names.size()));
    QVERIFY(perfwatch.summary()[u"api_requests"].toObject().contains(u"GET:/api/\"odd\"/{id}/é"_s));
}

void TestCppClient::retriesUntilPerfWatchStarts()
{
    const quint16 port = freeTcpPort();
    perfwatch::Client client(testOptions("http://127.0.0.1:" + std::to_string(port)));
    for (int i = 0; i < 25; ++i)
        client.api("GET", "/api/trips", 1.0 + i, 200);
    QVERIFY(!client.flush(300ms)); // nothing listens
    QVERIFY(client.stats().retries >= 1);
    QCOMPARE(client.stats().queued, u64(25));
    QVERIFY(client.stats().lastError.find("connect") != std::string::npos);

    PerfWatchProcess perfwatch(port);
    QVERIFY2(perfwatch.port() == port, qPrintable(perfwatch.output()));
    QVERIFY(client.flush(10s));
    QCOMPARE(client.stats().sent, u64(25));
    QCOMPARE(perfwatch.summary()[u"api_requests"][u"GET:/api/trips"][u"request_count"].toInt(), 25);
}

void TestCppClient::exampleProgramReports()
{
    PerfWatchProcess perfwatch;
    QVERIFY2(perfwatch.port() != 0, qPrintable(perfwatch.output()));
    QProcess example;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PERFWATCH_URL"_s, QString::fromStdString(perfwatch.url()));
    env.insert(u"PERFWATCH_SERVICE"_s, u"trip-worker"_s);
    env.remove(u"PERFWATCH_TOKEN"_s);
    example.setProcessEnvironment(env);
    example.start(QStringLiteral(PERFWATCH_CLIENT_EXAMPLE), { u"20"_s });
    QVERIFY(example.waitForFinished(30000));
    QCOMPARE(example.exitCode(), 0);
    QVERIFY(example.readAllStandardOutput().startsWith("sent 63,")); // 20 × (api, db, processing) + 3
    const QJsonObject summary = perfwatch.summary();
    const QJsonObject api = summary[u"api_requests"][u"GET:/api/trips/{trip_id}"].toObject();
    QCOMPARE(api[u"request_count"].toInt(), 20);
    QCOMPARE(api[u"service"].toString(), u"trip-worker"_s);
    QCOMPARE(summary[u"database_operations"][u"find_one:trips"][u"operation_count"].toInt(), 20);
    QCOMPARE(summary[u"processing"][u"map_matching"][u"operation_count"].toInt(), 20);
}

void TestCppClient::exactJsonAndHeaders()
{
    CaptureServer server;
    perfwatch::ClientOptions options = testOptions(server.url() + "/prefix/");
    options.token = "s3cret";
    perfwatch::Client client(options);
    const auto before
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    client.api("get", "/api/trips/{id}", 12.5, 200, "r-1");
    client.db("find", "trips", 3.25, { { "user_id", "start_time" }, true, 7, "r-1" });
    client.processing("map_matching", 100, 50);
    client.gauge("db.pool.in_use", 7);
    client.cache("trip_cache", 90, 10);
    QVERIFY(client.flush(5s));

    const std::vector<Captured> requests = server.requests();
    QCOMPARE(requests.size(), u64(1));
    QVERIFY(requests[0].head.rfind("POST /prefix/api/performance/ingest HTTP/1.1\r\n", 0) == 0);
    QVERIFY(requests[0].hasHeader("Authorization: Bearer s3cret"));
    QVERIFY(requests[0].hasHeader("Content-Type: application/json"));
    QJsonArray events = requests[0].events();
    QCOMPARE(events.size(), 5);
    for (qsizetype i = 0; i < events.size(); ++i) {
        QJsonObject event = events[i].toObject();
        QVERIFY(event[u"timestamp"].toDouble() >= double(before));
        event.remove(u"timestamp"_s);
        events[i] = event;
    }
    const auto json = [](const char *text) { return QJsonDocument::fromJson(text).object(); };
    QCOMPARE(events[0].toObject(),
        json(R"({"type":"api","service":"cpp-test","method":"GET","route":"/api/trips/{id}","duration_ms":12.5,
                 "status":200,"request_id":"r-1"})"));
    QCOMPARE(events[1].toObject(),
        json(R"({"type":"db","service":"cpp-test","operation":"find","collection":"trips","duration_ms":3.25,
                 "fields":["user_id","start_time"],"error":true,"documents":7,"request_id":"r-1"})"));
    QCOMPARE(
        events[2].toObject(), json(R"({"type":"processing","service":"cpp-test","name":"map_matching","duration_ms":100,
                 "items_processed":50})"));
    QCOMPARE(events[3].toObject(), json(R"({"type":"gauge","service":"cpp-test","name":"db.pool.in_use","value":7})"));
    QCOMPARE(events[4].toObject(),
        json(R"({"type":"cache","service":"cpp-test","name":"trip_cache","hits":90,"misses":10})"));
}

void TestCppClient::batchesAtMostAThousand()
{
    CaptureServer server;
    perfwatch::ClientOptions options = testOptions(server.url());
    options.maxQueue = 5000;
    perfwatch::Client client(options);
    for (int i = 0; i < 2500; ++i)
        client.processing("step", double(i));
    QVERIFY(client.flush(10s));
    const std::vector<Captured> requests = server.requests();
    QCOMPARE(requests.size(), u64(3));
    QCOMPARE(requests[0].events().size(), 1000);
    QCOMPARE(requests[1].events().size(), 1000);
    QCOMPARE(requests[2].events().size(), 500);
    QCOMPARE(requests[2].events().last()[u"duration_ms"].toDouble(), 2499.0);
    QCOMPARE(client.stats().sent, u64(2500));
}

void TestCppClient::boundedQueueDrops()
{
    CaptureServer server;
    perfwatch::ClientOptions options = testOptions(server.url());
    options.maxQueue = 10;
    perfwatch::Client client(options);
    for (int i = 0; i < 15; ++i)
        client.gauge("g", i);
    QCOMPARE(client.stats().queued, u64(10));
    QCOMPARE(client.stats().dropped, u64(5));
    QVERIFY(client.flush(5s));
    QCOMPARE(client.stats().sent, u64(10));
    QCOMPARE(server.requests().at(0).events().size(), 10);
}

void TestCppClient::retryAfterIsHonoured()
{
    for (const int status : { 503, 429 }) {
        CaptureServer server;
        server.script(status, "Retry-After: 1\r\n");
        perfwatch::Client client(testOptions(server.url())); // back-off alone: ~20 ms
        client.gauge("g", 1);
        QVERIFY(client.flush(10s));
        const std::vector<Captured> requests = server.requests();
        QCOMPARE(requests.size(), u64(2));
        const double gap = std::chrono::duration<double>(requests[1].at - requests[0].at).count();
        QVERIFY2(gap >= 0.95 && gap < 3.0, qPrintable(QString::number(gap)));
        QCOMPARE(client.stats().retries, u64(1));
        QCOMPARE(client.stats().sent, u64(1));
    }
}

void TestCppClient::badRequestDropsTheBatch()
{
    CaptureServer server;
    server.script(400);
    perfwatch::Client client(testOptions(server.url()));
    for (int i = 0; i < 3; ++i)
        client.gauge("g", 1);
    QVERIFY(client.flush(5s));
    QCOMPARE(client.stats().failed, u64(3));
    QCOMPARE(client.stats().retries, u64(0));
    QVERIFY(client.stats().lastError.rfind("HTTP 400", 0) == 0);
    client.gauge("g", 2);
    QVERIFY(client.flush(5s));
    QCOMPARE(server.requests().size(), u64(2)); // the refused batch was not sent again
    QCOMPARE(server.requests().at(1).events().size(), 1);
    QCOMPARE(client.stats().sent, u64(1));
}

void TestCppClient::neverBlocksWhilePerfWatchHangs()
{
    // Listening, never accepting: connects succeed, requests are never answered.
    quint16 port = 0;
    const int hole = loopbackSocket(port, 16);
    QElapsedTimer lifetime;
    {
        perfwatch::ClientOptions options = testOptions("http://127.0.0.1:" + std::to_string(port));
        options.timeout = 1s;
        options.flushInterval = 50ms;
        options.batchSize = 10;
        options.shutdownTimeout = 500ms;
        perfwatch::Client client(options);
        QElapsedTimer phase;
        phase.start();
        qint64 slowestNs = 0;
        while (phase.elapsed() < 1500) { // several 1-s request timeouts
            QElapsedTimer call;
            call.start();
            {
                auto t = perfwatch::ScopedTimer::api(client, "GET", "/x");
            }
            client.db("find", "trips", 1);
            slowestNs = std::max(slowestNs, call.nsecsElapsed());
            QThread::msleep(1);
        }
        QVERIFY2(slowestNs < 50'000'000, qPrintable(QString::number(slowestNs / 1e6) + u" ms"_s));
        QVERIFY(!client.flush(200ms));
        QCOMPARE(client.stats().sent, u64(0));
        QVERIFY(client.stats().retries >= 1);
        QVERIFY(client.stats().lastError.find("timed out") != std::string::npos);
        lifetime.start();
    } // the destructor gives up after shutdownTimeout
    QVERIFY2(lifetime.elapsed() < 1500, qPrintable(QString::number(lifetime.elapsed())));

    // A request hanging with a long timeout does not hold the destructor beyond shutdownTimeout.
    {
        perfwatch::ClientOptions options = testOptions("http://127.0.0.1:" + std::to_string(port));
        options.timeout = 30s;
        options.shutdownTimeout = 500ms;
        perfwatch::Client client(options);
        client.gauge("g", 1);
        QVERIFY(!client.flush(300ms)); // the POST is under way, unanswered
        lifetime.start();
    }
    QVERIFY2(lifetime.elapsed() < 1500, qPrintable(QString::number(lifetime.elapsed())));
    ::close(hole);
}

QTEST_GUILESS_MAIN(TestCppClient)
#include "tst_cppclient.moc"
