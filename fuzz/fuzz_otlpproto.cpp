// libFuzzer target: the OTLP/HTTP protobuf trace decoder (POST /v1/traces, application/x-protobuf),
// and the gzip path in front of it.
//
// Input: the request body after one byte of flags: bit 0 = the body is gzip (inflated with a
// 64 KiB cap, then decoded if it inflates); bit 1 = it is a log export (ExportLogsServiceRequest,
// protobuf, or JSON with bit 2) rather than a trace export. Every decoded trace batch is checked
// against the contract (refused whole, or valid events plus listed errors) and inserted into a
// store, as the OTLP route does; log tallies must add up to the records read.

#include "eventcheck.h"
#include "fuzzcheck.h"
#include "gzipinflate.h"
#include "metricstore.h"
#include "otlplogsdecoder.h"
#include "otlpprototracedecoder.h"

#include <cstdint>
#include <string_view>

using namespace perfwatch;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000; // fixed, so a crash reproduces
constexpr std::size_t kInflateCap = 64 * 1024;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static OtlpProtoTraceDecoder decoder;
    static DecodedBatch batch;
    static QByteArray inflated;
    static MetricStore store(StoreConfig { .maxKeys = 500, .maxServices = 8, .rawHistory = 50 });
    if (size == 0)
        return 0;
    std::string_view body(reinterpret_cast<const char *>(data) + 1, size - 1);
    if (data[0] & 1) {
        std::string error;
        const InflateResult result = gunzip(body, kInflateCap, inflated, &error);
        if (result == InflateResult::Ok) {
            FUZZ_CHECK(std::size_t(inflated.size()) <= kInflateCap);
            FUZZ_CHECK(error.empty());
        } else {
            FUZZ_CHECK(inflated.isEmpty());
            FUZZ_CHECK(!error.empty());
            return 0;
        }
        body = std::string_view(inflated.constData(), std::size_t(inflated.size()));
    }
    if (data[0] & 2) {
        static OtlpLogsDecoder logs;
        static OtlpLogsDecoder::Result result;
        const bool read = (data[0] & 4) ? logs.decodeJson(body, result) : logs.decodeProtobuf(body, result);
        quint64 counted = 0;
        for (const auto &t : result.tallies) {
            FUZZ_CHECK(t.count > 0 && t.severity < LogBook::SeverityCount);
            counted += t.count;
        }
        FUZZ_CHECK(read ? counted == result.records && result.refusal.empty()
                        : result.tallies.empty() && !result.refusal.empty());
        return 0;
    }
    const bool decoded = decoder.decode(body, kNowMs, batch);
    checkBatch(decoded, batch, NativeDecoderLimits {}, kNowMs, decoded ? decoder.foldedCount() : 0);
    if (decoded) {
        FUZZ_CHECK(batch.accepted() + batch.rejected() + decoder.foldedCount() == decoder.spanCount());
        store.insert(batch.events(), kNowMs);
    }
    return 0;
}
