// libFuzzer target: the OTLP metrics decoder (POST /v1/metrics and gRPC MetricsService/Export),
// protobuf and JSON, and the gzip path in front of it.
//
// Input: the request body after one byte of flags: bit 0 = the body is gzip (inflated with a
// 64 KiB cap, then decoded if it inflates); bit 1 = JSON rather than protobuf. Cumulative
// streams are followed across inputs (one OtlpMetricsState, as the app has), so resets, baselines
// and deltas are all reached. Every batch is checked against the contract (refused whole, or valid
// events plus listed errors; accepted + rejected + quiet = points), every histogram event must
// carry a distribution that agrees with its count, and the events go through the state into a
// store, as the route does.

#include "eventcheck.h"
#include "fuzzcheck.h"
#include "gzipinflate.h"
#include "latencysketch.h"
#include "metricstore.h"
#include "otlpmetricsdecoder.h"
#include "otlpmetricsstate.h"

#include <cmath>
#include <cstdint>
#include <string_view>

using namespace perfwatch;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000; // fixed, so a crash reproduces
constexpr std::size_t kInflateCap = 64 * 1024;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static MetricStore store(StoreConfig { .maxKeys = 500, .maxServices = 8, .rawHistory = 50 });
    static OtlpMetricsState state(store, kNowMs - 60'000);
    static OtlpMetricsDecoder decoder(NativeDecoderLimits {}, &state);
    static DecodedBatch batch;
    static QByteArray inflated;
    if (size == 0)
        return 0;
    std::string_view body(reinterpret_cast<const char *>(data) + 1, size - 1);
    if (data[0] & 1) {
        std::string error;
        if (gunzip(body, kInflateCap, inflated, &error) != InflateResult::Ok) {
            FUZZ_CHECK(inflated.isEmpty() && !error.empty());
            return 0;
        }
        FUZZ_CHECK(std::size_t(inflated.size()) <= kInflateCap);
        body = std::string_view(inflated.constData(), std::size_t(inflated.size()));
    }
    const bool decoded
        = (data[0] & 2) ? decoder.decodeJson(body, kNowMs, batch) : decoder.decodeProtobuf(body, kNowMs, batch);
    checkBatch(decoded, batch, NativeDecoderLimits {}, kNowMs, decoded ? decoder.quietCount() : 0);
    if (!decoded)
        return 0;
    FUZZ_CHECK(batch.accepted() + batch.rejected() + decoder.quietCount() == decoder.pointCount());
    for (const IngestEvent &e : batch.events()) {
        if (!e.histogram)
            continue;
        FUZZ_CHECK(kindHasLatency(e.kind));
        FUZZ_CHECK(e.histogram->count() == e.weight() && e.weight() > 0);
        FUZZ_CHECK(std::isfinite(e.histogram->quantile(0.5)));
    }
    state.submit(batch.events(), kNowMs);
    state.releaseDue(kNowMs, true);
    return 0;
}
