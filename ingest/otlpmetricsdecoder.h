#pragma once

#include "decodedbatch.h"
#include "nativedecoder.h"

#include <QtGlobal>
#include <memory>
#include <string_view>

namespace perfwatch {

class OtlpMetricsState;

/// Decodes OTLP metric exports (ExportMetricsServiceRequest), protobuf or JSON, into the same
/// in-memory data points and maps them with the one metrics mapping (otlp::MetricMapper).
///
/// Every data point is accepted (an event in the batch), rejected (with a reason), or quiet:
/// read but with nothing to store yet (a cumulative stream's baseline, no change, a stale
/// marker), so accepted + rejected + quiet = points. More than limits.maxEvents points refuse
/// the body as too large. Not thread-safe: one per thread.
class OtlpMetricsDecoder
{
public:
    /// `state` follows cumulative streams across requests; without one every point is a delta.
    explicit OtlpMetricsDecoder(NativeDecoderLimits limits = {}, OtlpMetricsState *state = nullptr);
    ~OtlpMetricsDecoder();
    Q_DISABLE_COPY_MOVE(OtlpMetricsDecoder)

    bool decodeProtobuf(std::string_view body, qint64 nowMs, DecodedBatch &batch);
    bool decodeJson(std::string_view body, qint64 nowMs, DecodedBatch &batch);

    /// Data points in the last body (read before a refusal, if any).
    std::size_t pointCount() const;
    /// Data points of the last body that were read but gave no event.
    std::size_t quietCount() const;

private:
    struct Impl;
    NativeDecoderLimits m_limits;
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
