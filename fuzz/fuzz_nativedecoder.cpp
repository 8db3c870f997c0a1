// libFuzzer target: the native ingest decoder (docs/DESIGN.md §4) and the store behind it.
//
// Input: one selector byte, then the body. Selector bit 0 picks JSON or NDJSON; bit 1 decodes in
// place from a buffer that ends exactly at the padding (so ASan sees any read past it) instead
// of through the decoder's own copy. Every decoded batch is checked against the contract and
// inserted into a store, as the ingest route does.

#include "eventcheck.h"
#include "fuzzcheck.h"
#include "metricstore.h"
#include "nativedecoder.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

using namespace perfwatch;

namespace {

constexpr qint64 kNowMs = 1'700'000'000'000; // fixed, so a crash reproduces

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Reused across inputs, as on the ingest thread: state left by one body must not hurt the next.
    static NativeDecoder decoder;
    static DecodedBatch batch;
    static MetricStore store(StoreConfig { .maxKeys = 500, .maxServices = 8, .rawHistory = 50 });
    if (size == 0)
        return 0;
    const IngestFormat format = (data[0] & 1) ? IngestFormat::NdJson : IngestFormat::Json;
    const std::string_view body(reinterpret_cast<const char *>(data + 1), size - 1);

    bool decoded = false;
    if (data[0] & 2) {
        // Exactly body + padding, nothing more: an over-read is a heap-buffer-overflow.
        const std::size_t readable = body.size() + NativeDecoder::kPadding;
        std::unique_ptr<char[]> padded(new char[readable]);
        std::memcpy(padded.get(), body.data(), body.size());
        std::memset(padded.get() + body.size(), 0, NativeDecoder::kPadding);
        decoded = decoder.decodePadded(std::string_view(padded.get(), body.size()), readable, format, kNowMs, batch);
        checkBatch(decoded, batch, decoder.limits(), kNowMs);
        if (decoded)
            store.insert(batch.events(), kNowMs);
    } else {
        decoded = decoder.decode(body, format, kNowMs, batch);
        checkBatch(decoded, batch, decoder.limits(), kNowMs);
        if (decoded)
            store.insert(batch.events(), kNowMs);
    }
    return 0;
}
