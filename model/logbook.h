#pragma once

#include <QString>
#include <QtGlobal>
#include <array>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

namespace perfwatch {

/// OpenTelemetry log records, counted, not kept: per service and severity, and for ERROR and
/// above a per-minute count of the last hour so the error-log rate of a service can be shown.
/// Thread-safe: OTLP/HTTP and OTLP/gRPC threads add, /health and the summary read.
class LogBook
{
public:
    /// The severity classes of OTLP's SeverityNumber (1-4 TRACE ... 21-24 FATAL; 0 unspecified).
    enum Severity : quint8
    {
        Unspecified,
        Trace,
        Debug,
        Info,
        Warn,
        Error,
        Fatal,
        SeverityCount
    };
    static Severity severityOf(qint64 severityNumber);
    static const char *severityName(Severity s); ///< "trace", ..., "unspecified"

    struct ServiceCounts
    {
        QString service; ///< "default" when the resource named none
        std::array<quint64, SeverityCount> bySeverity {};
        quint64 records = 0;
        quint64 errors = 0; ///< ERROR and FATAL, since start
        quint64 errorsLast5Min = 0;
        double errorsPerMinute = 0; ///< over the last 5 minutes (or since start when younger)
    };
    struct Snapshot
    {
        quint64 records = 0;
        std::array<quint64, SeverityCount> bySeverity {};
        std::vector<ServiceCounts> services; ///< by service name
    };

    /// Adds `count` records of one service and severity that arrived at nowMs.
    void add(std::string_view service, Severity severity, quint64 count, qint64 nowMs);
    Snapshot snapshot(qint64 nowMs) const;

    static constexpr std::size_t kMaxServices = 1000; ///< more go to "other"

private:
    struct Entry
    {
        std::array<quint64, SeverityCount> bySeverity {};
        std::array<quint64, 60> errorMinutes {}; ///< ring by minute of the epoch % 60
        std::array<qint64, 60> minuteOf {}; ///< which minute each slot holds
        qint64 firstMs = 0;
    };
    mutable std::mutex m_mutex;
    std::map<QString, Entry> m_services;
};

} // namespace perfwatch
