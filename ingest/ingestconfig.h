#pragma once

#include "nativedecoder.h"
#include "requestguard.h"

#include <QByteArray>
#include <QHostAddress>

namespace perfwatch {

/// Everything the ingest server needs to know; the defaults are DESIGN §8 and §9.
struct IngestConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 4318; ///< 0 picks a free port (tests)
    /// Bearer token. Required when `address` is not loopback; on loopback, requests need it only
    /// when it is set.
    QByteArray token;

    int maxConnections = 256; ///< beyond: 503 with Retry-After, then close
    qint64 idleTimeoutMs = 15'000; ///< no request in progress for this long: close
    qint64 requestTimeoutMs = 15'000; ///< a request not complete after this long: 408, close
    qint64 sweepIntervalMs = 1'000; ///< how often connections are checked against the timeouts
    qint64 lingerMs = 2'000; ///< after refusing, how long unread input is drained before closing
    /// Answers queued for a client that does not read them; beyond this the connection is cut.
    qint64 maxUnsentBytes = 32 * 1024 * 1024;

    RequestGuardLimits limits; ///< header block, body size, framing
    NativeDecoderLimits decoder; ///< events per batch, string length, depth, timestamp window

    /// Overload policy of the write routes (see OverloadPolicy): more ingest requests per second
    /// than this are answered 429; 0 disables the cap.
    int maxIngestRequestsPerSecond = 2'000;
    /// When the ingest thread spent more than this fraction of the last second decoding and
    /// storing, ingest requests are answered 503 until it recovers.
    double maxBusyFraction = 0.9;
};

} // namespace perfwatch
