#include "otlpgrpcserver.h"

#include "listenerror.h"
#include "metricstore.h"
#include "otlplogsendpoint.h"
#include "otlpmetricsdecoder.h"
#include "otlpmetricsstate.h"
#include "otlpprototracedecoder.h"
#include "otlptraceendpoint.h"
#include "overloadpolicy.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTcpServer>
#include <grpc/support/log.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

constexpr std::string_view kTraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr std::string_view kMetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
constexpr std::string_view kLogsExport = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

/// gRPC logs through gpr_log; PerfWatch says what matters itself (a busy port, a refused call),
/// so the library stays quiet unless PERFWATCH_GRPC_LOG is set.
void quietLog(gpr_log_func_args *args)
{
    static const bool verbose = qEnvironmentVariableIsSet("PERFWATCH_GRPC_LOG");
    if (verbose)
        fprintf(stderr, "grpc: %s\n", args->message);
}

/// One decoder and batch, lent to one call at a time.
struct DecodeState
{
    DecodeState(const NativeDecoderLimits &limits, OtlpMetricsState *metrics)
        : decoder(limits)
        , metricsDecoder(limits, metrics)
        , logsDecoder(limits)
    { }
    OtlpProtoTraceDecoder decoder;
    DecodedBatch batch;
    OtlpMetricsDecoder metricsDecoder;
    OtlpLogsDecoder logsDecoder;
    OtlpLogsDecoder::Result logs;
    std::string body; ///< the request's slices joined, when it came in several
};

bool ipv6LoopbackWorks()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHostIPv6, 0);
}

std::string endpoint(const QHostAddress &address, quint16 port)
{
    const QString host
        = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    return QString(host + u':' + QString::number(port)).toStdString();
}

} // namespace

struct OtlpGrpcServer::Impl final
{
    Impl(MetricStore &s, LogBook *l, OtlpMetricsState *m)
        : store(s)
        , logs(l)
        , metrics(m)
    { }

    std::unique_ptr<DecodeState> acquire()
    {
        {
            const std::lock_guard lock(poolMutex);
            if (!pool.empty()) {
                std::unique_ptr<DecodeState> state = std::move(pool.back());
                pool.pop_back();
                return state;
            }
        }
        return std::make_unique<DecodeState>(config.decoder, metrics);
    }
    void release(std::unique_ptr<DecodeState> state)
    {
        const std::lock_guard lock(poolMutex);
        if (pool.size() < 16)
            pool.push_back(std::move(state));
    }

    MetricStore &store;
    LogBook *logs; ///< LogsService counts here; without one it answers UNIMPLEMENTED
    OtlpMetricsState *metrics; ///< MetricsService stores through it; without one UNIMPLEMENTED
    OtlpGrpcConfig config;
    std::string expectedAuthorization; ///< "Bearer <token>", empty when no token is asked for
    GrpcCounters counters;
    /// gRPC lets a generic service serve one server only: a new one for every start().
    std::unique_ptr<grpc::CallbackGenericService> service;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<OverloadPolicy> overload; ///< made by start() from the config
    quint16 port = 0;
    std::mutex poolMutex;
    std::vector<std::unique_ptr<DecodeState>> pool;
};

namespace {

/// One Export call: read the request, decode and store it, answer. gRPC runs it on its threads.
class ExportCall final : public grpc::ServerGenericBidiReactor
{
public:
    ExportCall(OtlpGrpcServer::Impl &server, grpc::GenericCallbackServerContext *context)
        : m_server(server)
    {
        const std::string &method = context->method();
        if (method == kTraceExport) {
            m_signal = Signal::Traces;
        } else if (method == kMetricsExport && m_server.metrics) {
            m_signal = Signal::Metrics;
        } else if (method == kLogsExport && m_server.logs) {
            m_signal = Signal::Logs;
        } else {
            refuse(grpc::StatusCode::UNIMPLEMENTED, "PerfWatch serves no method " + method + " here");
            return;
        }
        if (!m_server.expectedAuthorization.empty()) {
            const auto &metadata = context->client_metadata();
            const auto it = metadata.find("authorization");
            if (it == metadata.end()
                || std::string_view(it->second.data(), it->second.size()) != m_server.expectedAuthorization) {
                refuse(grpc::StatusCode::UNAUTHENTICATED,
                    it == metadata.end() ? "send the token as \"authorization: Bearer <token>\" metadata"
                                         : "the bearer token is wrong");
                return;
            }
        }
        StartRead(&m_request);
    }

    void OnReadDone(bool ok) override
    {
        if (!ok) {
            refuse(grpc::StatusCode::INVALID_ARGUMENT, "the call carried no export request");
            return;
        }
        OverloadPolicy &overload = *m_server.overload;
        switch (overload.admit(QDateTime::currentMSecsSinceEpoch())) {
        case OverloadPolicy::Verdict::Admit:
            break;
        case OverloadPolicy::Verdict::TooManyRequests:
            shed("more than " + std::to_string(m_server.config.maxCallsPerSecond)
                + " export calls per second; batch more per call");
            return;
        case OverloadPolicy::Verdict::Busy:
            shed("the store is not keeping up; retry after 1 s");
            return;
        }
        // The time this call keeps a gRPC thread busy, however it ends.
        struct BusyTime
        {
            OverloadPolicy &policy;
            QElapsedTimer timer;
            ~BusyTime()
            {
                if (policy.isEnabled())
                    policy.recordWork(QDateTime::currentMSecsSinceEpoch(), timer.nsecsElapsed());
            }
        } busy { overload, {} };
        busy.timer.start();

        std::unique_ptr<DecodeState> state = m_server.acquire();
        std::vector<grpc::Slice> slices;
        std::string_view body;
        if (!m_request.Dump(&slices).ok()) {
            m_server.release(std::move(state));
            refuse(grpc::StatusCode::INTERNAL, "the request could not be read");
            return;
        }
        if (slices.size() == 1) {
            body = std::string_view(reinterpret_cast<const char *>(slices[0].begin()), slices[0].size());
        } else {
            state->body.clear();
            for (const grpc::Slice &s : slices)
                state->body.append(reinterpret_cast<const char *>(s.begin()), s.size());
            body = state->body;
        }
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        GrpcCounters &counters = m_server.counters;
        if (m_signal == Signal::Metrics) {
            m_server.metrics->releaseDue(nowMs);
            const bool decoded = state->metricsDecoder.decodeProtobuf(body, nowMs, state->batch);
            m_server.metrics->countPoints(state->metricsDecoder.pointCount(), 0);
            if (!decoded) {
                counters.rejectedEvents.fetch_add(state->metricsDecoder.pointCount(), std::memory_order_relaxed);
                const bool tooLarge = state->batch.isRefusedAsTooLarge();
                const std::string why(state->batch.refusal());
                m_server.release(std::move(state));
                refuse(tooLarge ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::INVALID_ARGUMENT, why);
                return;
            }
            if (state->batch.accepted() > 0)
                m_server.metrics->submit(state->batch.events(), nowMs);
            counters.acceptedEvents.fetch_add(state->batch.accepted(), std::memory_order_relaxed);
            counters.rejectedEvents.fetch_add(state->batch.rejected(), std::memory_order_relaxed);
            counters.requests.fetch_add(1, std::memory_order_relaxed);
            const QByteArray answer = OtlpTraceEndpoint::protobufResponse(state->batch, "data point", "data points");
            m_server.release(std::move(state));
            grpc::Slice slice(answer.constData(), std::size_t(answer.size()));
            m_response = grpc::ByteBuffer(&slice, 1);
            StartWriteAndFinish(&m_response, grpc::WriteOptions(), grpc::Status::OK);
            return;
        }
        if (m_signal == Signal::Logs) {
            const bool decoded = state->logsDecoder.decodeProtobuf(body, state->logs);
            if (decoded)
                OtlpLogsEndpoint::record(*m_server.logs, state->logs, nowMs);
            const bool tooLarge = state->logs.tooLarge;
            const std::string why = state->logs.refusal;
            m_server.release(std::move(state));
            if (!decoded) {
                refuse(tooLarge ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::INVALID_ARGUMENT, why);
                return;
            }
            counters.requests.fetch_add(1, std::memory_order_relaxed);
            grpc::Slice empty; // an ExportLogsServiceResponse with nothing to report
            m_response = grpc::ByteBuffer(&empty, 1);
            StartWriteAndFinish(&m_response, grpc::WriteOptions(), grpc::Status::OK);
            return;
        }
        if (!state->decoder.decode(body, nowMs, state->batch)) {
            counters.rejectedEvents.fetch_add(state->decoder.spanCount(), std::memory_order_relaxed);
            const bool tooLarge = state->batch.isRefusedAsTooLarge();
            const std::string why(state->batch.refusal());
            m_server.release(std::move(state));
            refuse(tooLarge ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::INVALID_ARGUMENT, why);
            return;
        }
        if (state->batch.accepted() > 0) {
            m_server.store.insert(state->batch.events(), nowMs,
                MetricStore::InsertOptions { .journal = true, .fromSpans = true, .resolves = {} });
            if (m_server.metrics)
                m_server.metrics->noteSpans(state->batch.events(), nowMs);
        }
        counters.acceptedEvents.fetch_add(state->batch.accepted(), std::memory_order_relaxed);
        counters.rejectedEvents.fetch_add(state->batch.rejected(), std::memory_order_relaxed);
        counters.requests.fetch_add(1, std::memory_order_relaxed);
        const QByteArray answer = OtlpTraceEndpoint::protobufResponse(state->batch);
        m_server.release(std::move(state));
        grpc::Slice slice(answer.constData(), std::size_t(answer.size()));
        m_response = grpc::ByteBuffer(&slice, 1);
        StartWriteAndFinish(&m_response, grpc::WriteOptions(), grpc::Status::OK);
    }

    void OnDone() override { delete this; }

private:
    void refuse(grpc::StatusCode code, const std::string &message)
    {
        m_server.counters.requests.fetch_add(1, std::memory_order_relaxed);
        m_server.counters.refusedRequests.fetch_add(1, std::memory_order_relaxed);
        Finish(grpc::Status(code, message));
    }

    /// UNAVAILABLE with google.rpc.RetryInfo (1 s) in the details: the exporter retries then.
    void shed(const std::string &message)
    {
        m_server.counters.requests.fetch_add(1, std::memory_order_relaxed);
        m_server.counters.refusedRequests.fetch_add(1, std::memory_order_relaxed);
        const QByteArray details = OtlpTraceEndpoint::retryStatus(int(grpc::StatusCode::UNAVAILABLE), message, 1);
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, message, details.toStdString()));
    }

    OtlpGrpcServer::Impl &m_server;
    grpc::ByteBuffer m_request;
    grpc::ByteBuffer m_response;
    enum class Signal : quint8
    {
        Traces,
        Metrics,
        Logs
    };
    Signal m_signal = Signal::Traces;
};

/// Hands every call to an ExportCall of the server it belongs to.
class ExportService final : public grpc::CallbackGenericService
{
public:
    explicit ExportService(OtlpGrpcServer::Impl &server)
        : m_server(server)
    { }
    grpc::ServerGenericBidiReactor *CreateReactor(grpc::GenericCallbackServerContext *context) override
    {
        return new ExportCall(m_server, context);
    }

private:
    OtlpGrpcServer::Impl &m_server;
};

} // namespace

OtlpGrpcServer::OtlpGrpcServer(MetricStore &store, LogBook *logs, OtlpMetricsState *metrics)
    : d(std::make_unique<Impl>(store, logs, metrics))
{
    gpr_set_log_function(quietLog);
}

OtlpGrpcServer::~OtlpGrpcServer()
{
    stop();
}

quint16 OtlpGrpcServer::start(const OtlpGrpcConfig &config, QString *error)
{
    if (d->server) {
        if (error)
            *error = u"OTLP/gRPC is already listening on port %1"_s.arg(d->port);
        return 0;
    }
    d->config = config;
    d->overload = std::make_unique<OverloadPolicy>(
        config.maxCallsPerSecond, config.maxBusyFraction, int(std::max(1u, std::thread::hardware_concurrency())));
    d->expectedAuthorization = config.token.isEmpty() ? std::string() : "Bearer " + config.token.toStdString();

    grpc::ServerBuilder builder;
    // No SO_REUSEPORT: a second PerfWatch on the same port must fail, not share the calls.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.SetMaxReceiveMessageSize(int(std::min<std::size_t>(config.maxMessageBytes, 1u << 30)));
    int selected = 0;
    builder.AddListeningPort(endpoint(config.address, config.port), grpc::InsecureServerCredentials(), &selected);
    // Like the HTTP port: loopback means both loopbacks, so "localhost" works whichever it is.
    int selectedV6 = 0;
    const bool alsoV6
        = config.address == QHostAddress(QHostAddress::LocalHost) && config.port != 0 && ipv6LoopbackWorks();
    if (alsoV6)
        builder.AddListeningPort(
            endpoint(QHostAddress::LocalHostIPv6, config.port), grpc::InsecureServerCredentials(), &selectedV6);
    d->service = std::make_unique<ExportService>(*d);
    builder.RegisterCallbackGenericService(d->service.get());
    d->server = builder.BuildAndStart();
    if (!d->server || selected == 0 || (alsoV6 && selectedV6 == 0)) {
        if (d->server)
            d->server->Shutdown();
        d->server.reset();
        d->service.reset();
        if (error) {
            QTcpServer probe;
            const QString address = config.address.toString();
            const bool probed = probe.listen(config.address, config.port);
            if (!probed && probe.serverError() == QAbstractSocket::SocketAddressNotAvailableError)
                *error = addressNotOnThisHostError(config.address);
            else if (!probed && probe.serverError() == QAbstractSocket::AddressInUseError)
                *error = u"OTLP/gRPC port %1 on %2 is already in use; choose another with --grpc-port (0 picks a "
                         u"free port, off turns gRPC off)"_s.arg(config.port)
                             .arg(address);
            else
                *error
                    = u"cannot listen for OTLP/gRPC on %1 port %2; choose another with --grpc-port"_s.arg(address).arg(
                        config.port);
        }
        return 0;
    }
    d->port = quint16(selected);
    d->counters.port.store(d->port, std::memory_order_relaxed);
    d->counters.listening.store(true, std::memory_order_relaxed);
    return d->port;
}

void OtlpGrpcServer::stop()
{
    if (!d->server)
        return;
    d->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    d->server->Wait();
    d->server.reset();
    d->service.reset();
    d->port = 0;
    d->counters.listening.store(false, std::memory_order_relaxed);
}

bool OtlpGrpcServer::isRunning() const
{
    return d->server != nullptr;
}

quint16 OtlpGrpcServer::port() const
{
    return d->port;
}

const GrpcCounters &OtlpGrpcServer::counters() const
{
    return d->counters;
}

} // namespace perfwatch
