#pragma once

#include "nativedecoder.h"
#include "requestguard.h"

#include <QByteArray>
#include <QHostAddress>

namespace perfwatch {

/// Everything the ingest server needs to know; the defaults are docs/DESIGN.md §13 and §14.
struct IngestConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 4318; ///< 0 picks a free port (tests)
    /// Bearer token. Required when `address` is not loopback; on loopback, requests need it only
    /// when it is set.
    QByteArray token;

    /// Threads that serve HTTP, each with its own server, decoder and routes; clamped to 1..the
    /// number of CPUs. Thread 0 accepts and hands connections round-robin to all of them.
    int ingestThreads = 2;

    int maxConnections = 256; ///< over all threads; beyond: 503 with Retry-After, then close
    qint64 idleTimeoutMs = 15'000; ///< no request in progress for this long: close
    qint64 requestTimeoutMs = 15'000; ///< a request not complete after this long: 408, close
    qint64 sweepIntervalMs = 1'000; ///< how often connections are checked against the timeouts
    qint64 lingerMs = 2'000; ///< after refusing, how long unread input is drained before closing
    /// Answers queued for a client that does not read them; beyond this the connection is cut.
    qint64 maxUnsentBytes = 32 * 1024 * 1024;

    /// Request bodies held in memory at once over all connections (BodyBudget); beyond, a request
    /// gets 503 with Retry-After before its body is read. 8 bodies of the 8 MiB maximum, or 500
    /// of a typical 1,000-event batch. A body being received is in memory twice (the socket's
    /// read transaction and Qt's parsed copy), so bodies take at most twice this.
    std::uint64_t maxBufferedBodyBytes = 64ULL * 1024 * 1024;

    RequestGuardLimits limits; ///< header block, body size, framing
    NativeDecoderLimits decoder; ///< events per batch, string length, depth, timestamp window

    /// Overload policy of the write routes (see OverloadPolicy). Both are off by default: a
    /// saturated ingest thread already pushes back on clients (they wait for their answer), and
    /// refusing at full speed would only lower what PerfWatch takes in. Set them to make busy
    /// clients back off instead: more ingest requests per second than maxIngestRequestsPerSecond
    /// get 429 (0 = no cap); when the thread spent more than maxBusyFraction of the last second
    /// decoding and storing, requests get 503 until it recovers (>= 1 = never).
    int maxIngestRequestsPerSecond = 0;
    double maxBusyFraction = 1.0;
};

} // namespace perfwatch
