#pragma once

#include "grpccounters.h"
#include "nativedecoder.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <memory>

namespace perfwatch {

class LogBook;
class MetricStore;
class OtlpMetricsState;

struct OtlpGrpcConfig
{
    /// Where to listen: 127.0.0.1 also listens on [::1] (like the HTTP port) when it can.
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 4317; ///< 0 picks a free port
    /// Calls must carry "authorization: Bearer <token>" metadata when not empty (off loopback).
    QByteArray token;
    std::size_t maxMessageBytes = 8 * 1024 * 1024; ///< after decompression; beyond: RESOURCE_EXHAUSTED
    NativeDecoderLimits decoder;
    /// Load shedding, the HTTP port's policy (IngestConfig) for gRPC: more Export calls per second
    /// than maxCallsPerSecond (0 = no cap), or calls while the gRPC threads spent more than
    /// maxBusyFraction of the last second decoding and storing, get UNAVAILABLE with RetryInfo
    /// (retry after 1 s), as the OTLP specification describes.
    int maxCallsPerSecond = 0;
    double maxBusyFraction = 1.0;
};

/// OTLP/gRPC: TraceService, MetricsService and LogsService Export on its own gRPC threads, writing into the same store
/// as HTTP.
///
/// The calls are taken by a generic (untyped) service: the request's bytes go to the same
/// protobuf decoder and span mapping as OTLP/HTTP, so there is no generated code and no second
/// mapping. LogsService/Export counts log records per service and severity (LogBook);
/// MetricsService/Export goes through the same metrics decoder and OtlpMetricsState as
/// /v1/metrics. gzip (and deflate) compressed calls are decompressed by gRPC. A body that is not an export
/// request INVALID_ARGUMENT; too many spans or more than maxMessageBytes RESOURCE_EXHAUSTED;
/// a missing or wrong token UNAUTHENTICATED; a call the overload policy sheds UNAVAILABLE with
/// google.rpc.RetryInfo in the status details. Partial success is reported in the response.
class OtlpGrpcServer final
{
public:
    /// LogsService/Export counts into `logs`, MetricsService/Export stores through `metrics`;
    /// without one, that service answers UNIMPLEMENTED.
    explicit OtlpGrpcServer(MetricStore &store, LogBook *logs = nullptr, OtlpMetricsState *metrics = nullptr);
    ~OtlpGrpcServer();
    Q_DISABLE_COPY_MOVE(OtlpGrpcServer)

    /// Starts listening. Returns the bound port, or 0 with a one-line error (a busy port names
    /// --grpc-port).
    quint16 start(const OtlpGrpcConfig &config, QString *error = nullptr);
    /// Finishes the calls in flight (at most a second) and stops. Safe to call twice.
    void stop();

    bool isRunning() const;
    quint16 port() const;
    const GrpcCounters &counters() const;

    struct Impl; ///< defined in the .cpp (public only so its call handlers can name it)

private:
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
