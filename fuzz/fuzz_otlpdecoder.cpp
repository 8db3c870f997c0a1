// libFuzzer target: the OTLP/HTTP JSON trace decoder (POST /v1/traces) and the store behind it.
//
// Input: the request body. Every decoded batch is checked against the contract (refused whole,
// or valid events plus listed errors) and inserted into a store, as the OTLP route does.

#include "eventcheck.h"
#include "fuzzcheck.h"
#include "metricstore.h"
#include "otlptracedecoder.h"

#include <cstdint>
#include <string_view>

using namespace perfwatch;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000; // fixed, so a crash reproduces

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static OtlpTraceDecoder decoder;
    static DecodedBatch batch;
    static MetricStore store(StoreConfig { .maxKeys = 500, .maxServices = 8, .rawHistory = 50 });
    const std::string_view body(reinterpret_cast<const char *>(data), size);
    const bool decoded = decoder.decode(body, kNowMs, batch);
    checkBatch(decoded, batch, NativeDecoderLimits {}, kNowMs, decoded ? decoder.foldedCount() : 0);
    if (decoded) {
        FUZZ_CHECK(batch.accepted() + batch.rejected() + decoder.foldedCount() == decoder.spanCount());
        store.insert(batch.events(), kNowMs);
    }
    return 0;
}
