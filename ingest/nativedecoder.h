#pragma once

#include "decodedbatch.h"

#include <QByteArray>
#include <QtGlobal>
#include <cstddef>
#include <memory>
#include <string_view>

namespace perfwatch {

/// Body formats of POST /api/performance/ingest (docs/DESIGN.md §4).
enum class IngestFormat : quint8
{
    Json, ///< one object or an array of objects
    NdJson, ///< one object per line; blank lines are ignored
};

/// Limits of the native decoder; the defaults are the contract's (docs/DESIGN.md §4, §14).
struct NativeDecoderLimits
{
    std::size_t maxEvents = 50'000; ///< more refuses the whole body
    std::size_t maxStringBytes = 1024; ///< every kept string, composed keys included
    int maxDepth = 64; ///< object/array nesting of the whole document
    std::size_t maxFields = 64; ///< names in a db event's "fields"
    qint64 maxAgeMs = 48LL * 3600 * 1000; ///< oldest accepted timestamp, relative to now
    qint64 maxAheadMs = 5LL * 60 * 1000; ///< newest accepted timestamp, relative to now
};

/// Decodes and validates native ingest bodies with simdjson On-Demand.
///
/// Not thread-safe: use one decoder per thread. Decoded events point into memory owned by
/// the decoder and the batch, so a batch is valid until the decoder's next decode().
class NativeDecoder
{
public:
    /// Bytes that must be readable after the body for simdjson (SIMDJSON_PADDING).
    static constexpr std::size_t kPadding = 64;

    explicit NativeDecoder(NativeDecoderLimits limits = {});
    ~NativeDecoder();
    Q_DISABLE_COPY_MOVE(NativeDecoder)

    const NativeDecoderLimits &limits() const { return m_limits; }

    /// Decodes `body` received at nowMs into `batch` (cleared first). Returns false when the
    /// whole body is refused (batch.refusal() says why); true when it was decoded, even if
    /// every event was rejected. The body is copied into a reusable padded buffer.
    bool decode(std::string_view body, IngestFormat format, qint64 nowMs, DecodedBatch &batch);
    /// As above, but decodes in place when the byte array's spare capacity covers the padding.
    bool decode(const QByteArray &body, IngestFormat format, qint64 nowMs, DecodedBatch &batch);
    /// Decodes in place: `readable` bytes from body.data() on may be read (>= size + kPadding).
    bool decodePadded(
        std::string_view body, std::size_t readable, IngestFormat format, qint64 nowMs, DecodedBatch &batch);

private:
    struct Impl;
    NativeDecoderLimits m_limits;
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
