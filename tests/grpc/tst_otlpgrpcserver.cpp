// OTLP/gRPC: a real gRPC client (libgrpc++'s generic stub) calls the real server on loopback
// with the bytes an exporter sends; what it stores, and each status a client relies on.

#include "logbook.h"
#include "metricstore.h"
#include "otlpgrpcserver.h"
#include "otlpmetricsstate.h"
#include "otlptestspans.h"
#include "rpcstatus.h"

#include <QDateTime>
#include <QTcpServer>
#include <QTest>
#include <future>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

using namespace perfwatch;
using namespace perfwatch::test;
using namespace Qt::StringLiterals;

namespace {

constexpr const char *kTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

struct CallResult
{
    grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
    std::string message;
    std::string details; ///< grpc-status-details-bin: a google.rpc.Status
    QByteArray response;
};

CallResult call(quint16 port, const char *method, const QByteArray &request,
    const std::function<void(grpc::ClientContext &)> &prepare = {}, const QHostAddress &host = QHostAddress::LocalHost)
{
    const QString target = (host.protocol() == QAbstractSocket::IPv6Protocol ? u"[::1]"_s : host.toString()) + u':'
        + QString::number(port);
    auto channel = grpc::CreateChannel(target.toStdString(), grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (prepare)
        prepare(context);
    grpc::Slice slice(request.constData(), std::size_t(request.size()));
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &in, &out,
        [&done](grpc::Status status) { done.set_value(std::move(status)); });
    const grpc::Status status = done.get_future().get();
    CallResult result;
    result.code = status.error_code();
    result.message = status.error_message();
    result.details = status.error_details();
    std::vector<grpc::Slice> slices;
    if (status.ok() && out.Dump(&slices).ok()) {
        for (const grpc::Slice &s : slices)
            result.response.append(reinterpret_cast<const char *>(s.begin()), qsizetype(s.size()));
    }
    return result;
}

QList<OtlpTestResource> trace(int dbSpans)
{
    return tripTrace("grpc-service", QByteArray(16, '\x5b'), dbSpans, quint64(QDateTime::currentMSecsSinceEpoch()));
}

QMap<QString, quint64> counts(MetricStore &store)
{
    QMap<QString, quint64> out;
    for (const KeyAggregate &k : store.window(0, QDateTime::currentMSecsSinceEpoch() + 1000))
        out[k.meta.service + u'/' + k.meta.name] = k.agg.stats.count;
    return out;
}

OtlpGrpcConfig testConfig()
{
    OtlpGrpcConfig config;
    config.port = 0;
    return config;
}

} // namespace

class tst_OtlpGrpcServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storesAnExport();
    void acceptsGzip();
    void reportsPartialSuccess();
    void refusesWhatItCannotUse();
    void refusesTooLargeMessages();
    void asksForTheToken();
    void shedsWithRetryInfo();
    void answersOtherSignals();
    void countsLogs();
    void reportsABusyPort();
    void reportsAnAddressNotOnThisHost();
    void listensOnBothLoopbacks();
    void startsAgainAfterAStop();
};

void tst_OtlpGrpcServer::storesAnExport()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    QString error;
    const quint16 port = server.start(testConfig(), &error);
    QVERIFY2(port != 0, qPrintable(error));
    const CallResult r = call(port, kTraces, protoRequest(trace(3)));
    QCOMPARE(int(r.code), int(grpc::StatusCode::OK));
    QCOMPARE(r.response, QByteArray()); // nothing to report
    QCOMPARE(counts(store),
        (QMap<QString, quint64> { { u"grpc-service/GET:/api/trips/{id}"_s, 1 }, { u"grpc-service/find:trips"_s, 3 } }));
    const GrpcCountersSnapshot c = server.counters().snapshot();
    QCOMPARE(c.requests, 1u);
    QCOMPARE(c.acceptedEvents, 4u);
    QCOMPARE(c.refusedRequests, 0u);
    QVERIFY(c.listening);
    QCOMPARE(c.port, port);
}

void tst_OtlpGrpcServer::acceptsGzip()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    const quint16 port = server.start(testConfig());
    QVERIFY(port != 0);
    const CallResult r = call(port, kTraces, protoRequest(trace(2)),
        [](grpc::ClientContext &c) { c.set_compression_algorithm(GRPC_COMPRESS_GZIP); });
    QCOMPARE(int(r.code), int(grpc::StatusCode::OK));
    QCOMPARE(counts(store).value(u"grpc-service/find:trips"_s), 2u);
}

void tst_OtlpGrpcServer::reportsPartialSuccess()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    const quint16 port = server.start(testConfig());
    QVERIFY(port != 0);
    QList<OtlpTestResource> spans = trace(1);
    spans[0].spans[1].endNs = spans[0].spans[1].startNs - 1;
    const CallResult r = call(port, kTraces, protoRequest(spans));
    QCOMPARE(int(r.code), int(grpc::StatusCode::OK));
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1), error_message (2) } }
    ProtoReader outer(std::string_view(r.response.constData(), std::size_t(r.response.size())));
    QVERIFY(outer.next() && outer.field() == 1 && outer.isLength());
    ProtoReader inner(outer.bytes());
    QVERIFY(inner.next() && inner.field() == 1 && inner.isVarint());
    QCOMPARE(inner.value(), 1u);
    QVERIFY(inner.next() && inner.field() == 2 && inner.isLength());
    QCOMPARE(std::string(inner.bytes()),
        std::string("1 span could not be used: span 1: end_time_unix_nano is before start_time_unix_nano"));
    QCOMPARE(counts(store).size(), 1);
}

void tst_OtlpGrpcServer::refusesWhatItCannotUse()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    const quint16 port = server.start(testConfig());
    QVERIFY(port != 0);
    const CallResult r = call(port, kTraces, QByteArray("\x0a\xff\xff\x03", 4));
    QCOMPARE(int(r.code), int(grpc::StatusCode::INVALID_ARGUMENT));
    QCOMPARE(r.message, std::string("malformed protobuf: the body is not an ExportTraceServiceRequest"));
    QVERIFY(counts(store).isEmpty());
    QCOMPARE(server.counters().snapshot().refusedRequests, 1u);
}

void tst_OtlpGrpcServer::refusesTooLargeMessages()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    OtlpGrpcConfig config = testConfig();
    config.maxMessageBytes = 64 * 1024;
    config.decoder.maxEvents = 3;
    const quint16 port = server.start(config);
    QVERIFY(port != 0);
    // More spans than allowed.
    const CallResult many = call(port, kTraces, protoRequest(trace(5)));
    QCOMPARE(int(many.code), int(grpc::StatusCode::RESOURCE_EXHAUSTED));
    QCOMPARE(many.message, std::string("the request holds more than 3 spans; send at most 3 per request"));
    // More bytes than allowed: gRPC refuses it before PerfWatch reads it, compressed or not.
    QList<OtlpTestResource> big = trace(0);
    big[0].spans[0].name = QByteArray(100 * 1024, 'x');
    for (const bool gzip : { false, true }) {
        const CallResult r = call(port, kTraces, protoRequest(big), [gzip](grpc::ClientContext &c) {
            if (gzip)
                c.set_compression_algorithm(GRPC_COMPRESS_GZIP);
        });
        QCOMPARE(int(r.code), int(grpc::StatusCode::RESOURCE_EXHAUSTED));
    }
    QVERIFY(counts(store).isEmpty());
}

void tst_OtlpGrpcServer::asksForTheToken()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    OtlpGrpcConfig config = testConfig();
    config.token = "s3cret";
    const quint16 port = server.start(config);
    QVERIFY(port != 0);
    const CallResult none = call(port, kTraces, protoRequest(trace(0)));
    QCOMPARE(int(none.code), int(grpc::StatusCode::UNAUTHENTICATED));
    QCOMPARE(none.message, std::string("send the token as \"authorization: Bearer <token>\" metadata"));
    const CallResult wrong = call(port, kTraces, protoRequest(trace(0)),
        [](grpc::ClientContext &c) { c.AddMetadata("authorization", "Bearer guess"); });
    QCOMPARE(int(wrong.code), int(grpc::StatusCode::UNAUTHENTICATED));
    QVERIFY(counts(store).isEmpty());
    const CallResult right = call(port, kTraces, protoRequest(trace(0)),
        [](grpc::ClientContext &c) { c.AddMetadata("authorization", "Bearer s3cret"); });
    QCOMPARE(int(right.code), int(grpc::StatusCode::OK));
    QCOMPARE(counts(store).size(), 1);
}

void tst_OtlpGrpcServer::shedsWithRetryInfo()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    OtlpGrpcConfig config = testConfig();
    config.maxCallsPerSecond = 1;
    const quint16 port = server.start(config);
    QVERIFY(port != 0);
    QCOMPARE(int(call(port, kTraces, protoRequest(trace(1))).code), int(grpc::StatusCode::OK));
    // A second call within the second is shed: UNAVAILABLE, and when to retry, as OTLP says. "The
    // last second" is the policy's sliding estimate, so a call that lands just after a bucket
    // boundary may still be admitted; the one after it, in the same second, is not.
    unsigned admitted = 1;
    CallResult shed;
    for (int i = 0; i < 3; ++i) {
        CallResult r = call(port, kTraces, protoRequest(trace(1)));
        if (r.code == grpc::StatusCode::OK) {
            ++admitted;
            continue;
        }
        shed = std::move(r);
        break;
    }
    QVERIFY2(admitted <= 2, "at most one call may slip through at a bucket boundary");
    QCOMPARE(int(shed.code), int(grpc::StatusCode::UNAVAILABLE));
    QCOMPARE(shed.message, std::string("more than 1 export calls per second; batch more per call"));
    const RpcStatus status = parseRpcStatus(shed.details);
    QVERIFY(status.valid);
    QCOMPARE(status.code, qint64(grpc::StatusCode::UNAVAILABLE));
    QCOMPARE(status.detailType, std::string("type.googleapis.com/google.rpc.RetryInfo"));
    QCOMPARE(status.retrySeconds, 1);
    QCOMPARE(server.counters().refusedRequests.load(), 1u);
    // Only the admitted calls were stored.
    QCOMPARE(counts(store).value(u"grpc-service/GET:/api/trips/{id}"_s), quint64(admitted));
}

void tst_OtlpGrpcServer::answersOtherSignals()
{
    MetricStore store;
    {
        OtlpGrpcServer server(store); // no metrics state: MetricsService is not served
        const quint16 port = server.start(testConfig());
        QVERIFY(port != 0);
        const CallResult metrics = call(port, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", {});
        QCOMPARE(int(metrics.code), int(grpc::StatusCode::UNIMPLEMENTED));
        const CallResult other = call(port, "/some.Service/Method", {});
        QCOMPARE(int(other.code), int(grpc::StatusCode::UNIMPLEMENTED));
        QCOMPARE(other.message, std::string("PerfWatch serves no method /some.Service/Method here"));
    }
    OtlpMetricsState metricsState(store, QDateTime::currentMSecsSinceEpoch());
    OtlpGrpcServer server(store, nullptr, &metricsState);
    const quint16 port = server.start(testConfig());
    QVERIFY(port != 0);
    // An empty ExportMetricsServiceRequest is a valid export with nothing in it.
    const CallResult metrics = call(port, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", {});
    QCOMPARE(int(metrics.code), int(grpc::StatusCode::OK));
    // A cut one is INVALID_ARGUMENT.
    const CallResult cut
        = call(port, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", QByteArray("\x0a\x05\x01", 3));
    QCOMPARE(int(cut.code), int(grpc::StatusCode::INVALID_ARGUMENT));
}

void tst_OtlpGrpcServer::countsLogs()
{
    // ExportLogsServiceRequest { resource_logs { resource { service.name = "shop" }, scope_logs {
    // log_records: ERROR (17), INFO (9) } } }
    const auto view = [](const QByteArray &b) { return std::string_view(b.constData(), std::size_t(b.size())); };
    ProtoWriter any;
    any.bytesField(1, "shop");
    ProtoWriter kv;
    kv.bytesField(1, "service.name");
    kv.bytesField(2, view(any.data()));
    ProtoWriter resource;
    resource.bytesField(1, view(kv.data()));
    ProtoWriter error;
    error.varintField(2, 17);
    ProtoWriter info;
    info.varintField(2, 9);
    ProtoWriter scope;
    scope.bytesField(2, view(error.data()));
    scope.bytesField(2, view(info.data()));
    ProtoWriter rl;
    rl.bytesField(1, view(resource.data()));
    rl.bytesField(2, view(scope.data()));
    ProtoWriter request;
    request.bytesField(1, view(rl.data()));

    MetricStore store;
    LogBook logs;
    OtlpGrpcServer server(store, &logs);
    const quint16 port = server.start(testConfig());
    QVERIFY(port != 0);
    const CallResult r = call(port, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", request.data(),
        [](grpc::ClientContext &c) { c.set_compression_algorithm(GRPC_COMPRESS_GZIP); });
    QCOMPARE(int(r.code), int(grpc::StatusCode::OK));
    const LogBook::Snapshot snapshot = logs.snapshot(QDateTime::currentMSecsSinceEpoch());
    QCOMPARE(snapshot.records, 2u);
    QCOMPARE(snapshot.services.size(), 1u);
    QCOMPARE(snapshot.services[0].service, u"shop"_s);
    QCOMPARE(snapshot.services[0].errors, 1u);
    QCOMPARE(snapshot.bySeverity[LogBook::Info], 1u);
    QVERIFY(counts(store).isEmpty()); // logs are not events

    // Without a LogBook the service is not offered.
    OtlpGrpcServer tracesOnly(store);
    const quint16 other = tracesOnly.start(testConfig());
    QCOMPARE(int(call(other, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", request.data()).code),
        int(grpc::StatusCode::UNIMPLEMENTED));
}

void tst_OtlpGrpcServer::reportsABusyPort()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    MetricStore store;
    OtlpGrpcServer server(store);
    OtlpGrpcConfig config = testConfig();
    config.port = squatter.serverPort();
    QString error;
    QCOMPARE(server.start(config, &error), quint16(0));
    QVERIFY(!server.isRunning());
    QCOMPARE(error,
        u"OTLP/gRPC port %1 on 127.0.0.1 is already in use; choose another with --grpc-port (0 picks a free port, "
        u"off turns gRPC off)"_s.arg(config.port));

    // Exclusive: a second server on a running one's port fails the same way.
    OtlpGrpcServer first(store);
    const quint16 port = first.start(testConfig());
    QVERIFY(port != 0);
    OtlpGrpcServer second(store);
    config.port = port;
    QCOMPARE(second.start(config, &error), quint16(0));
    QVERIFY(error.contains(u"already in use"_s));
}

void tst_OtlpGrpcServer::reportsAnAddressNotOnThisHost()
{
    MetricStore store;
    OtlpGrpcServer server(store);
    OtlpGrpcConfig config = testConfig();
    config.address = QHostAddress(u"192.0.2.1"_s); // TEST-NET-1 (RFC 5737): on no interface of this machine
    config.token = "t";
    QString error;
    QCOMPARE(server.start(config, &error), quint16(0));
    QVERIFY(!server.isRunning());
    QCOMPARE(error,
        u"cannot listen on 192.0.2.1: it is not an address of this host; choose another with --bind (127.0.0.1 for "
        u"this host only, 0.0.0.0 for every interface)"_s);
}

void tst_OtlpGrpcServer::listensOnBothLoopbacks()
{
    QTcpServer v6;
    if (!v6.listen(QHostAddress::LocalHostIPv6, 0))
        QSKIP("this machine has no IPv6 loopback");
    // A fixed port is needed for both: take a free one and let it go.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 free = probe.serverPort();
    probe.close();
    MetricStore store;
    OtlpGrpcServer server(store);
    OtlpGrpcConfig config = testConfig();
    config.port = free;
    QString error;
    QCOMPARE(server.start(config, &error), free);
    QCOMPARE(int(call(free, kTraces, protoRequest(trace(0))).code), int(grpc::StatusCode::OK));
    QCOMPARE(int(call(free, kTraces, protoRequest(trace(0)), {}, QHostAddress::LocalHostIPv6).code),
        int(grpc::StatusCode::OK));
    QCOMPARE(counts(store).value(u"grpc-service/GET:/api/trips/{id}"_s), 2u);
}

void tst_OtlpGrpcServer::startsAgainAfterAStop()
{
    // What a port change in Settings does: stop, start on another port (or fail and go back).
    MetricStore store;
    OtlpGrpcServer server(store);
    const quint16 first = server.start(testConfig());
    QVERIFY(first != 0);
    server.stop();
    QVERIFY(!server.isRunning());
    QCOMPARE(server.counters().snapshot().listening, false);
    const quint16 second = server.start(testConfig());
    QVERIFY(second != 0);
    QCOMPARE(int(call(second, kTraces, protoRequest(trace(0))).code), int(grpc::StatusCode::OK));
    QCOMPARE(counts(store).value(u"grpc-service/GET:/api/trips/{id}"_s), 1u);
}

QTEST_GUILESS_MAIN(tst_OtlpGrpcServer)
#include "tst_otlpgrpcserver.moc"
