#pragma once

#include "decodedbatch.h"
#include "nativedecoder.h"

#include <QtGlobal>
#include <memory>
#include <string_view>

namespace perfwatch {

/// Decodes OTLP/HTTP protobuf trace exports (ExportTraceServiceRequest, the SDKs' default
/// `http/protobuf`) into PerfWatch events, with the same mapping as OtlpTraceDecoder.
///
/// A reader of the wire format of our own (ProtoReader): spans are read in place, only the
/// fields the mapping uses are looked at, and nothing is allocated per span. Field numbers are
/// those of opentelemetry-proto (trace/v1, common/v1, resource/v1). Strings that become names
/// must be valid UTF-8, as proto3 requires. Not thread-safe: one per thread.
class OtlpProtoTraceDecoder
{
public:
    explicit OtlpProtoTraceDecoder(NativeDecoderLimits limits = {});
    ~OtlpProtoTraceDecoder();
    Q_DISABLE_COPY_MOVE(OtlpProtoTraceDecoder)

    /// As OtlpTraceDecoder::decode: span i of the request is index i of the batch's errors;
    /// false when the whole body is refused (not protobuf, or more than limits.maxEvents spans).
    bool decode(std::string_view body, qint64 nowMs, DecodedBatch &batch);
    /// The service.name of a protobuf Resource message (empty when it names none); false when the
    /// message is damaged. Shared by every OTLP signal.
    static bool serviceOfResource(std::string_view resource, std::string_view &service);

    /// Spans seen by the last decode(), accepted or not.
    std::size_t spanCount() const;
    /// Spans of the last decode() that folded into their request (framework, pool and in-request
    /// INTERNAL spans): spanCount() = accepted + rejected + folded.
    std::size_t foldedCount() const;

private:
    struct Impl;
    NativeDecoderLimits m_limits;
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
