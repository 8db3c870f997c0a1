// Overload in the process (issue 6 item 3): request bodies held in memory are bounded by a global
// budget, and a request whose body does not fit is answered 503 with Retry-After before its body
// is read. scripts/reliability/overload.sh drives the real binary at 3x capacity.

#include "bodybudget.h"
#include "engine.h"
#include "httptestclient.h"
#include "ingestservice.h"
#include "performanceroutes.h"

#include <QElapsedTimer>
#include <QTest>
#include <memory>
#include <vector>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kKiB = 1024;

/// A valid body of exactly `size` bytes: one api event, then spaces.
QByteArray paddedBody(int size)
{
    QByteArray body = R"([{"type":"api","method":"GET","route":"/big","duration_ms":3,"status":200}])";
    body += QByteArray(size - body.size(), ' ');
    return body;
}

QByteArray head(qint64 contentLength, const QByteArray &extraHeaders = {})
{
    return "POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + extraHeaders + "Content-Length: " + QByteArray::number(contentLength) + "\r\n\r\n";
}

} // namespace

class tst_Overload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void budgetReservesAndReleases();
    void bodyOverBudgetIsRefusedBeforeItIsRead();
    void pipelinedRequestBeforeARefusedOneIsAnswered();
    void chunkedBodiesAreReservedChunkByChunk();
    void closedConnectionsGiveTheirReservationBack();
    void unauthenticatedUploadsDoNotTakeTheBudget();

private:
    quint64 buffered() const { return m_service->counters().bufferedBodyBytes; }

    std::unique_ptr<PerformanceEngine> m_engine;
    std::unique_ptr<IngestService> m_service;
    quint16 m_port = 0;
};

void tst_Overload::init()
{
    m_engine = std::make_unique<PerformanceEngine>(EngineConfig {});
    QVERIFY(m_engine->start());
    m_service = std::make_unique<IngestService>(
        [engine = m_engine.get()](IngestServer &server) { PerformanceRoutes::install(server, *engine); });
    IngestConfig config;
    config.port = 0;
    config.maxBufferedBodyBytes = 1024 * kKiB;
    config.sweepIntervalMs = 50;
    config.lingerMs = 500;
    m_port = m_service->start(config);
    QVERIFY(m_port != 0);
}

void tst_Overload::cleanup()
{
    m_service.reset();
    m_engine.reset();
}

void tst_Overload::budgetReservesAndReleases()
{
    BodyBudget budget(100);
    QVERIFY(budget.tryReserve(60));
    QVERIFY(!budget.tryReserve(41));
    QCOMPARE(budget.inUse(), std::uint64_t(60));
    QVERIFY(budget.tryReserve(40)); // exactly full
    QVERIFY(!budget.tryReserve(1));
    budget.release(60);
    QVERIFY(!budget.tryReserve(61));
    QVERIFY(budget.tryReserve(60));
    QCOMPARE(budget.inUse(), std::uint64_t(100));
    QCOMPARE(budget.refusals(), std::uint64_t(3));
    QVERIFY(!budget.tryReserve(std::uint64_t(-1))); // no overflow past the capacity
    budget.release(100);
    QCOMPARE(budget.inUse(), std::uint64_t(0));
}

void tst_Overload::bodyOverBudgetIsRefusedBeforeItIsRead()
{
    const QByteArray big = paddedBody(600 * kKiB);
    // A holds 600 KiB of the 1 MiB budget while its body trickles in.
    HttpTestClient a(m_port);
    QVERIFY(a.send(head(big.size()) + big.first(100)));
    QTRY_COMPARE(buffered(), quint64(big.size()));

    // B announces another 600 KiB: refused at once, from the headers, body never sent.
    QElapsedTimer timer;
    timer.start();
    HttpTestClient b(m_port);
    const auto refused = b.request(head(big.size()));
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->header("Retry-After"), QByteArray("1"));
    QCOMPARE(refused->header("Connection"), QByteArray("close"));
    QCOMPARE(refused->json().value(u"error"_s).toString(), u"server_busy"_s);
    QVERIFY2(refused->json().value(u"detail"_s).toString().contains(u"1 MiB"_s),
        qPrintable(refused->json().value(u"detail"_s).toString()));
    QVERIFY(timer.elapsed() < 2000);
    QVERIFY(b.waitForClosed());
    QCOMPARE(buffered(), quint64(big.size()));

    // A small body still fits next to A.
    {
        HttpTestClient c(m_port);
        const QByteArray small = paddedBody(kKiB);
        const auto reply = c.request(head(small.size()) + small);
        QVERIFY(reply);
        QCOMPARE(reply->status, 202);
    }

    // A finishes: answered, and its reservation goes back.
    const auto done = a.request(big.sliced(100), 10'000);
    QVERIFY(done);
    QCOMPARE(done->status, 202);
    QTRY_COMPARE(buffered(), quint64(0));

    // B's retry now fits.
    HttpTestClient retry(m_port);
    const auto reply = retry.request(head(big.size()) + big, 10'000);
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
    QTRY_COMPARE(buffered(), quint64(0));
    QCOMPARE(m_engine->store().counters().events, quint64(3));
}

void tst_Overload::pipelinedRequestBeforeARefusedOneIsAnswered()
{
    const QByteArray big = paddedBody(600 * kKiB);
    HttpTestClient a(m_port);
    QVERIFY(a.send(head(big.size()) + big.first(100)));
    QTRY_COMPARE(buffered(), quint64(big.size()));

    // One write: a small request, then one whose body does not fit, both complete. The first is
    // answered, the second refused, and nothing else is sent.
    const QByteArray small = paddedBody(kKiB);
    HttpTestClient b(m_port);
    QVERIFY(b.send(head(small.size()) + small + head(big.size()) + big));
    const auto first = b.read();
    QVERIFY(first);
    QCOMPARE(first->status, 202);
    const auto second = b.read();
    QVERIFY(second);
    QCOMPARE(second->status, 503);
    QVERIFY(b.waitForClosed());
    QCOMPARE(b.unparsed(), QByteArray());
    QCOMPARE(m_engine->store().counters().events, quint64(1));
}

void tst_Overload::chunkedBodiesAreReservedChunkByChunk()
{
    HttpTestClient client(m_port);
    QVERIFY(client.send("POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"));
    const QByteArray piece(512 * kKiB, ' ');
    for (int i = 0; i < 2; ++i) {
        QVERIFY(client.send(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n"));
        QTRY_COMPARE(buffered(), quint64((i + 1) * piece.size()));
    }
    // The budget is full: the next chunk's size line alone gets the 503.
    const auto reply = client.request("400\r\n");
    QVERIFY(reply);
    QCOMPARE(reply->status, 503);
    QCOMPARE(reply->header("Retry-After"), QByteArray("1"));
    QTRY_COMPARE(buffered(), quint64(0));
}

void tst_Overload::closedConnectionsGiveTheirReservationBack()
{
    for (int i = 0; i < 3; ++i) {
        {
            HttpTestClient client(m_port);
            QVERIFY(client.send(head(900 * kKiB) + "[{"));
            QTRY_COMPARE(buffered(), quint64(900 * kKiB));
        } // the client goes away mid-body
        QTRY_COMPARE(buffered(), quint64(0));
    }
    // And the server still takes a full-size body.
    HttpTestClient client(m_port);
    const QByteArray body = paddedBody(1024 * kKiB);
    const auto reply = client.request(head(body.size()) + body, 10'000);
    QVERIFY(reply);
    QCOMPARE(reply->status, 202);
}

void tst_Overload::unauthenticatedUploadsDoNotTakeTheBudget()
{
    // Issue 13 §3: with a token, eight clients without it announcing 8 MiB bodies used to fill the
    // 64 MiB budget (their 401 came after the whole body), so an authorised batch got 503. The
    // token is now checked from the headers: 401 and close, nothing reserved, nothing kept.
    m_service.reset();
    m_service = std::make_unique<IngestService>(
        [engine = m_engine.get()](IngestServer &server) { PerformanceRoutes::install(server, *engine); });
    IngestConfig config;
    config.port = 0;
    config.token = "s3cret-token";
    config.sweepIntervalMs = 50;
    QCOMPARE(config.maxBufferedBodyBytes, std::uint64_t(64 * 1024 * kKiB)); // the default the issue measured
    m_port = m_service->start(config);
    QVERIFY(m_port != 0);
    const auto before = m_service->counters();

    constexpr int kUploads = 8;
    const QByteArray unauthenticated = head(8 * 1024 * kKiB);
    const QByteArray bodyStart(64 * kKiB, ' ');
    std::vector<std::unique_ptr<HttpTestClient>> uploads;
    for (int i = 0; i < kUploads; ++i) {
        uploads.push_back(std::make_unique<HttpTestClient>(m_port));
        QVERIFY(uploads.back()->isConnected());
        QVERIFY(uploads.back()->send(unauthenticated + bodyStart));
    }
    // The server has read every head and the start of every body...
    const quint64 sent = kUploads * quint64(unauthenticated.size() + bodyStart.size());
    QTRY_VERIFY_WITH_TIMEOUT(m_service->counters().bytesReceived - before.bytesReceived >= sent, 10'000);
    // ...and holds none of it in the budget.
    QCOMPARE(buffered(), quint64(0));

    // The uploads go on sending while an authorised 3.7 MB batch is accepted.
    for (const auto &upload : uploads) {
        upload->socket().write(bodyStart);
        upload->socket().flush();
    }
    const QByteArray batch = paddedBody(3'700'000);
    HttpTestClient authorised(m_port);
    const auto accepted
        = authorised.request(head(batch.size(), "Authorization: Bearer s3cret-token\r\n") + batch, 30'000);
    QVERIFY(accepted);
    QCOMPARE(accepted->status, 202);
    QCOMPARE(accepted->body, QByteArray(R"({"accepted":1,"rejected":0,"errors":[]})"));

    // Each upload got its 401 with 128 KiB of its 8 MiB sent, and is closed.
    const QByteArray expected
        = R"({"error":"unauthorized","detail":"send the token as \"Authorization: Bearer <token>\""})";
    for (const auto &upload : uploads) {
        const auto reply = upload->read(10'000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
        QCOMPARE(reply->header("WWW-Authenticate"), QByteArray("Bearer realm=\"perfwatch\""));
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QCOMPARE(reply->body, expected);
        QVERIFY(upload->waitForClosed(10'000));
        QCOMPARE(upload->unparsed(), QByteArray());
    }
    const auto after = m_service->counters();
    QCOMPARE(after.refusedRequests - before.refusedRequests, quint64(kUploads));
    QCOMPARE(m_engine->store().counters().events, quint64(1));
    QTRY_COMPARE(buffered(), quint64(0));
}

QTEST_GUILESS_MAIN(tst_Overload)
#include "tst_overload.moc"
