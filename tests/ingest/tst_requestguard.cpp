#include "requestguard.h"

#include <QTest>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

constexpr int kMaxHeader = 16 * 1024;
constexpr qint64 kMaxBody = 8 * 1024 * 1024;

struct Outcome
{
    quint64 started = 0;
    quint64 completed = 0;
    int status = 0;
    bool inRequest = false;
    std::string detail;

    bool operator==(const Outcome &o) const
    {
        return started == o.started && completed == o.completed && status == o.status && inRequest == o.inRequest
            && detail == o.detail;
    }
};

/// Feeds `stream` in pieces cut at `cuts` (ascending offsets) and sums the progress reports.
Outcome feedSplit(const QByteArray &stream, const std::vector<qsizetype> &cuts)
{
    RequestGuard guard;
    Outcome out;
    qsizetype from = 0;
    const auto feed = [&](qsizetype to) {
        const auto p = guard.feed(stream.constData() + from, std::size_t(to - from));
        out.started += p.started;
        out.completed += p.completed;
        from = to;
    };
    for (const qsizetype cut : cuts)
        feed(cut);
    feed(stream.size());
    // The running totals must agree with the sum of what each feed reported.
    if (out.started != guard.requestsStarted() || out.completed != guard.requestsCompleted())
        out.status = -1;
    else
        out.status = guard.violationStatus();
    out.inRequest = guard.inRequest();
    out.detail = guard.violationDetail();
    return out;
}

QByteArray headerOfSize(int total)
{
    // "GET / HTTP/1.1\r\n" + "X: <filler>\r\n" + "\r\n" == total bytes
    const QByteArray start = "GET / HTTP/1.1\r\nX: ";
    return start + QByteArray(total - start.size() - 4, 'x') + "\r\n\r\n";
}

QByteArray post(const QByteArray &body)
{
    return "POST /in HTTP/1.1\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

const QByteArray kGet = "GET /api/performance/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const QByteArray kChunked
    = "POST /in HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nA;name=v\r\n0123456789\r\n0\r\n\r\n";

} // namespace

class tst_RequestGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void framesStreams_data();
    void framesStreams();
    void decidesHeaderLimitAtTheFirstByteOver();
    void refusesLargeBodiesBeforeTheBody_data();
    void refusesLargeBodiesBeforeTheBody();
    void refusesLargeChunkedBodies();
    void tracksRequestState();
    void ignoresBytesAfterAViolation();
    void showsEachHeadToTheCheck();
    void headCheckRefusesBeforeTheBody();
};

void tst_RequestGuard::framesStreams_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("started");
    QTest::addColumn<int>("completed");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("inRequest");
    QTest::addColumn<QString>("detail");

    // Well-formed sequences
    QTest::newRow("get") << kGet << 1 << 1 << 0 << false << QString();
    QTest::newRow("get, LF line ends") << QByteArray("GET / HTTP/1.0\nHost: x\n\n") << 1 << 1 << 0 << false
                                       << QString();
    QTest::newRow("post with a body") << post("{\"a\":1}") << 1 << 1 << 0 << false << QString();
    QTest::newRow("post with Content-Length 0") << post({}) << 1 << 1 << 0 << false << QString();
    QTest::newRow("keep-alive: get, post, chunked, get")
        << kGet + post("[1,2,3]") + kChunked + kGet << 4 << 4 << 0 << false << QString();
    QTest::newRow("empty lines between requests are skipped") << "\r\n" + kGet + "\r\n\r\n" + post("x") + "\n"
                                                              << 2 << 2 << 0 << false << QString();
    QTest::newRow("same Content-Length twice")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length:3\r\n\r\nabc") << 1 << 1 << 0 << false
        << QString();
    QTest::newRow("chunked, upper-case hex and header")
        << QByteArray("POST / HTTP/1.1\r\nTRANSFER-ENCODING:  Chunked \r\n\r\nA\r\n0123456789\r\n0\r\n\r\n") << 1 << 1
        << 0 << false << QString();
    QTest::newRow("leading zeros in Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0003\r\n\r\nabc") << 1 << 1 << 0 << false << QString();
    QTest::newRow("header block of exactly 16 KiB") << headerOfSize(kMaxHeader) << 1 << 1 << 0 << false << QString();

    // Incomplete
    QTest::newRow("headers incomplete") << kGet.chopped(2) << 1 << 0 << 0 << true << QString();
    QTest::newRow("body incomplete") << post("0123456789").chopped(4) << 1 << 0 << 0 << true << QString();
    QTest::newRow("chunked, last chunk missing") << kChunked.chopped(5) << 1 << 0 << 0 << true << QString();
    QTest::newRow("pipelined, third partial") << kGet + post("ab") + kGet.left(10) << 3 << 2 << 0 << true << QString();
    QTest::newRow("only empty lines") << QByteArray("\r\n\r\n") << 0 << 0 << 0 << false << QString();

    // 431
    QTest::newRow("header block of 16 KiB + 1")
        << headerOfSize(kMaxHeader + 1) << 1 << 0 << 431 << false << u"the request header block exceeds 16384 bytes"_s;
    QByteArray manyFields = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 101; ++i)
        manyFields += "X-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("101 header fields") << manyFields + "\r\n"
                                       << 1 << 0 << 431 << false << u"the request has more than 100 header fields"_s;
    QTest::newRow("16 KiB of empty lines") << QByteArray(kMaxHeader + 1, '\n') << 0 << 0 << 431 << false
                                           << u"the request header block exceeds 16384 bytes"_s;

    // 413 (only the header is sent)
    QTest::newRow("Content-Length 8 MiB + 1")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 8388609\r\n") << 1 << 0 << 413 << false
        << u"Content-Length 8388609 exceeds the limit of 8388608 bytes"_s;
    QTest::newRow("Content-Length of 30 digits")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 123456789012345678901234567890\r\n\r\n") << 1 << 0 << 413
        << false << u"Content-Length 123456789012345678901234567890 exceeds the limit of 8388608 bytes"_s;
    QTest::newRow("chunk of 8 MiB + 1") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800001\r\n")
                                        << 1 << 0 << 413 << false
                                        << u"the chunked body exceeds the limit of 8388608 bytes"_s;
    QTest::newRow("chunk size of 40 hex digits")
        << QByteArray(
               "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffffffffffffffffffff\r\n")
        << 1 << 0 << 413 << false << u"the chunked body exceeds the limit of 8388608 bytes"_s;

    // 400
    const auto bad
        = [](const char *name, const QByteArray &stream, const QString &detail, int started = 1, int completed = 0) {
              QTest::newRow(name) << stream << started << completed << 400 << false << detail;
          };
    bad("request line without version", "GET /\r\n\r\n", u"malformed request line"_s);
    bad("request line with two spaces", "GET  / HTTP/1.1\r\n\r\n", u"malformed request line: invalid request target"_s);
    bad("bare CR in the request line", "GET /\r HTTP/1.1\r\n\r\n", u"a bare CR inside a line"_s);
    bad("TLS hello", QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 x y\n", 16),
        u"malformed request line: invalid method"_s);
    bad("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        u"unsupported HTTP version (HTTP/1.1 or HTTP/1.0 expected)"_s);
    bad("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", u"unsupported HTTP version (HTTP/1.1 or HTTP/1.0 expected)"_s);
    bad("non-ASCII target", "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", u"malformed request line: invalid request target"_s);
    bad("NUL in target", QByteArray("GET /\0 HTTP/1.1\r\n\r\n", 19),
        u"malformed request line: invalid request target"_s);
    bad("conflicting Content-Length", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        u"conflicting Content-Length fields"_s);
    bad("Content-Length list", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", u"invalid Content-Length"_s);
    bad("signed Content-Length", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", u"invalid Content-Length"_s);
    bad("negative Content-Length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", u"invalid Content-Length"_s);
    bad("empty Content-Length", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", u"invalid Content-Length"_s);
    bad("hex Content-Length", "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", u"invalid Content-Length"_s);
    bad("Content-Length and chunked", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        u"both Content-Length and Transfer-Encoding"_s);
    bad("chunked and Content-Length", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        u"both Content-Length and Transfer-Encoding"_s);
    bad("Transfer-Encoding gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        u"only \"Transfer-Encoding: chunked\" is supported"_s);
    bad("Transfer-Encoding identity", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
        u"only \"Transfer-Encoding: chunked\" is supported"_s);
    bad("chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        u"repeated Transfer-Encoding"_s);
    bad("header without colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", u"malformed header field"_s);
    bad("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", u"malformed header field"_s);
    bad("folded header", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", u"folded header lines are not supported"_s);
    bad("bare CR in a header", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", u"a bare CR inside a line"_s);
    bad("control character in a value", "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", u"control character in a header value"_s);
    bad("chunk size not hex", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", u"invalid chunk size"_s);
    bad("chunk size with junk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n",
        u"invalid chunk size"_s);
    bad("chunk size line with bare LF", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n",
        u"a chunk-size line must end with CRLF"_s);
    bad("chunk data too long", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello!\r\n",
        u"chunk data must be followed by CRLF"_s);
    bad("chunked trailer", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Sum: 1\r\n\r\n",
        u"chunked trailer fields are not supported"_s);
    bad("chunk-size line too long",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;" + QByteArray(2000, 'e') + "\r\n",
        u"a chunk-size line exceeds 1024 bytes"_s);
    bad("garbage after a good request", kGet + "HELLO\r\n\r\n", u"malformed request line"_s, 2, 1);
}

void tst_RequestGuard::framesStreams()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, started);
    QFETCH(int, completed);
    QFETCH(int, status);
    QFETCH(bool, inRequest);
    QFETCH(QString, detail);
    const Outcome expected { quint64(started), quint64(completed), status, inRequest, detail.toStdString() };

    const auto check = [&](const std::vector<qsizetype> &cuts) {
        const Outcome got = feedSplit(stream, cuts);
        if (got == expected)
            return true;
        QString where;
        for (const auto c : cuts)
            where += QString::number(c) + u' ';
        qWarning("cuts [%s]: started %llu completed %llu status %d inRequest %d detail \"%s\"", qPrintable(where),
            got.started, got.completed, got.status, int(got.inRequest), got.detail.c_str());
        return false;
    };

    QVERIFY(check({}));
    // Byte by byte.
    std::vector<qsizetype> everyByte;
    for (qsizetype i = 1; i < stream.size(); ++i)
        everyByte.push_back(i);
    QVERIFY(check(everyByte));
    // Every split into two pieces, and into three for the short streams.
    for (qsizetype i = 1; i < stream.size(); ++i) {
        QVERIFY(check({ i }));
        if (stream.size() <= 160) {
            for (qsizetype j = i + 1; j < stream.size(); ++j)
                QVERIFY(check({ i, j }));
        }
    }
}

void tst_RequestGuard::decidesHeaderLimitAtTheFirstByteOver()
{
    const QByteArray stream = headerOfSize(kMaxHeader + 100);
    RequestGuard guard;
    for (qsizetype i = 0; i < stream.size(); ++i) {
        guard.feed(stream.constData() + i, 1);
        if (guard.hasViolation()) {
            QCOMPARE(i + 1, qsizetype(kMaxHeader + 1));
            QCOMPARE(guard.violationStatus(), 431);
            QCOMPARE(guard.violationError(), std::string_view("header_too_large"));
            return;
        }
    }
    QFAIL("no violation");
}

void tst_RequestGuard::refusesLargeBodiesBeforeTheBody_data()
{
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("status");
    QTest::newRow("8 MiB") << kMaxBody << 0;
    QTest::newRow("8 MiB + 1") << kMaxBody + 1 << 413;
    QTest::newRow("1 GiB") << (qint64(1) << 30) << 413;
}

void tst_RequestGuard::refusesLargeBodiesBeforeTheBody()
{
    QFETCH(qint64, length);
    QFETCH(int, status);
    const QByteArray head = "POST /api/performance/ingest HTTP/1.1\r\nHost: h\r\nContent-Length: "
        + QByteArray::number(length) + "\r\nContent-Type: application/json\r\n\r\n";
    RequestGuard guard;
    guard.feed(head.constData(), std::size_t(head.size()));
    QCOMPARE(guard.violationStatus(), status);
    if (status == 0) {
        QVERIFY(guard.inBody());
        QCOMPARE(guard.contentLength(), length);
        // The whole declared body completes the request; a byte more starts the next one.
        const QByteArray chunk(64 * 1024, 'x');
        qint64 sent = 0;
        RequestGuard::Progress p;
        while (sent < length) {
            const auto n = std::min<qint64>(chunk.size(), length - sent);
            p = guard.feed(chunk.constData(), std::size_t(n));
            sent += n;
        }
        QCOMPARE(p.completed, 1u);
        QVERIFY(!guard.inRequest());
        QVERIFY(!guard.hasViolation());
    }
}

void tst_RequestGuard::refusesLargeChunkedBodies()
{
    // Two chunks of 4 MiB fill the limit exactly; the next chunk-size line is refused at once.
    QByteArray stream = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    const QByteArray data(4 * 1024 * 1024, 'd');
    for (int i = 0; i < 2; ++i)
        stream += "400000\r\n" + data + "\r\n";
    RequestGuard guard;
    for (qsizetype from = 0; from < stream.size(); from += 65536)
        guard.feed(stream.constData() + from, std::size_t(std::min<qsizetype>(65536, stream.size() - from)));
    QVERIFY(!guard.hasViolation());
    QVERIFY(guard.inBody());
    guard.feed("1\r\n");
    QCOMPARE(guard.violationStatus(), 413);
    QCOMPARE(QString::fromStdString(guard.violationDetail()), u"the chunked body exceeds the limit of 8388608 bytes"_s);

    // The same limit completes normally with the last chunk.
    RequestGuard exact;
    for (qsizetype from = 0; from < stream.size(); from += 65536)
        exact.feed(stream.constData() + from, std::size_t(std::min<qsizetype>(65536, stream.size() - from)));
    const auto p = exact.feed("0\r\n\r\n");
    QCOMPARE(p.completed, 1u);
    QVERIFY(!exact.hasViolation());
}

void tst_RequestGuard::tracksRequestState()
{
    RequestGuard guard;
    QVERIFY(!guard.inRequest());
    auto p = guard.feed("\r\n");
    QCOMPARE(p.started, 0u);
    QVERIFY(!guard.inRequest());
    p = guard.feed("P");
    QCOMPARE(p.started, 1u);
    QVERIFY(guard.inRequest());
    QVERIFY(!guard.inBody());
    guard.feed("OST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    QVERIFY(guard.inBody());
    QVERIFY(guard.awaitsContinue());
    QCOMPARE(guard.contentLength(), qint64(4));
    guard.feed("ab");
    QVERIFY(!guard.awaitsContinue());
    p = guard.feed("cdGET / HTTP/1.1\r\n");
    QCOMPARE(p.completed, 1u);
    QCOMPARE(p.started, 1u);
    QVERIFY(guard.inRequest());
    QCOMPARE(guard.requestsStarted(), 2u);
    QCOMPARE(guard.requestsCompleted(), 1u);
    QCOMPARE(guard.contentLength(), qint64(-1));
    p = guard.feed("\r\n");
    QCOMPARE(p.completed, 1u);
    QVERIFY(!guard.inRequest());
    QCOMPARE(guard.bytesFed(), quint64(84));
}

void tst_RequestGuard::ignoresBytesAfterAViolation()
{
    RequestGuard guard;
    guard.feed("BAD\r\n");
    QCOMPARE(guard.violationStatus(), 400);
    const auto p = guard.feed(kGet.constData(), std::size_t(kGet.size()));
    QCOMPARE(p.started, 0u);
    QCOMPARE(p.completed, 0u);
    QCOMPARE(guard.violationStatus(), 400);
    QCOMPARE(QString::fromStdString(guard.violationDetail()), u"malformed request line"_s);
    guard.reset();
    QVERIFY(!guard.hasViolation());
    QCOMPARE(guard.feed(kGet.constData(), std::size_t(kGet.size())).completed, 1u);
}

void tst_RequestGuard::showsEachHeadToTheCheck()
{
    struct Seen
    {
        std::string method, target, authorization;
        bool http10, close, keepAlive;
        quint64 started;
    };
    std::vector<Seen> seen;
    RequestGuard guard;
    guard.setHeadCheck([&](const RequestHead &h) {
        seen.push_back({ std::string(h.method), std::string(h.target), std::string(h.authorization), h.http10,
            h.connectionClose, h.connectionKeepAlive, guard.requestsStarted() });
        return true;
    });
    const QByteArray stream = "POST /in?x=1 HTTP/1.1\r\nAuthorization: Bearer a\r\nauthorization:  Bearer b \r\n"
                              "Connection: Keep-Alive, Upgrade\r\nContent-Length: 3\r\n\r\nabc"
                              "GET /health HTTP/1.0\r\n\r\n"
                              "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n";
    const auto p = guard.feed(stream.constData(), std::size_t(stream.size()));
    QCOMPARE(p.completed, 3u);
    QVERIFY(!guard.hasViolation());
    QCOMPARE(seen.size(), std::size_t(3));
    QCOMPARE(seen[0].method, std::string("POST"));
    QCOMPARE(seen[0].target, std::string("/in?x=1"));
    QCOMPARE(seen[0].authorization, std::string("Bearer a, Bearer b")); // joined like Qt's parser
    QVERIFY(!seen[0].http10 && !seen[0].close && seen[0].keepAlive);
    QCOMPARE(seen[0].started, 1u);
    QCOMPARE(seen[1].method, std::string("GET"));
    QCOMPARE(seen[1].authorization, std::string()); // nothing carried over from the request before
    QVERIFY(seen[1].http10 && !seen[1].close && !seen[1].keepAlive);
    QCOMPARE(seen[2].method, std::string("HEAD"));
    QVERIFY(seen[2].http10 && seen[2].close && seen[2].keepAlive);
    QCOMPARE(seen[2].started, 3u);
}

void tst_RequestGuard::headCheckRefusesBeforeTheBody()
{
    int checks = 0;
    RequestGuard guard;
    guard.setHeadCheck([&](const RequestHead &h) {
        ++checks;
        return h.authorization == "Bearer right";
    });
    // An allowed request, then one refused from its head: its 8 MiB body is never announced.
    const QByteArray allowed = "POST /in HTTP/1.1\r\nAuthorization: Bearer right\r\nContent-Length: 2\r\n\r\nok";
    const QByteArray refused = "POST /in HTTP/1.1\r\nAuthorization: Bearer wrong\r\nContent-Length: 8388608\r\n\r\n";
    const QByteArray stream = allowed + refused + QByteArray(1000, 'x');
    const auto p = guard.feed(stream.constData(), std::size_t(stream.size()));
    QCOMPARE(checks, 2);
    QCOMPARE(p.started, 2u);
    QCOMPARE(p.completed, 1u);
    QCOMPARE(guard.violation(), RequestGuard::Violation::Unauthorized);
    QCOMPARE(guard.violationStatus(), 401);
    QCOMPARE(guard.violationError(), std::string_view("unauthorized"));
    QCOMPARE(QString::fromStdString(guard.violationDetail()), u"send the token as \"Authorization: Bearer <token>\""_s);
    QCOMPARE(guard.bodyBytesAnnounced(), quint64(2));
    QVERIFY(!guard.inBody());

    // The check survives a reset; without a check nothing is refused.
    guard.reset();
    guard.feed(refused.constData(), std::size_t(refused.size()));
    QCOMPARE(guard.violationStatus(), 401);
    RequestGuard unchecked;
    unchecked.feed(refused.constData(), std::size_t(refused.size()));
    QVERIFY(!unchecked.hasViolation());
    QCOMPARE(unchecked.bodyBytesAnnounced(), quint64(8388608));
}

QTEST_GUILESS_MAIN(tst_RequestGuard)
#include "tst_requestguard.moc"
