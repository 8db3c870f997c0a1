// libFuzzer target: the native ingest decoder (DESIGN §3) and the store behind it.
//
// Input: one selector byte, then the body. Selector bit 0 picks JSON or NDJSON; bit 1 decodes in
// place from a buffer that ends exactly at the padding (so ASan sees any read past it) instead
// of through the decoder's own copy. Every decoded batch is checked against the contract and
// inserted into a store, as the ingest route does.

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

bool validUtf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size())
            return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const bool overlong = (n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

void checkString(std::string_view s, const NativeDecoderLimits &limits)
{
    FUZZ_CHECK(s.size() <= limits.maxStringBytes);
    FUZZ_CHECK(validUtf8(s));
}

void checkBatch(bool decoded, const DecodedBatch &batch, const NativeDecoderLimits &limits)
{
    FUZZ_CHECK(decoded == !batch.isRefused());
    if (batch.isRefused()) {
        FUZZ_CHECK(batch.events().empty());
        FUZZ_CHECK(!batch.refusal().empty());
        return;
    }
    FUZZ_CHECK(batch.errors().size() <= DecodedBatch::kMaxListedErrors);
    FUZZ_CHECK(batch.errors().size() <= batch.rejected());
    FUZZ_CHECK(batch.accepted() + batch.rejected() <= limits.maxEvents);
    std::size_t previousIndex = 0;
    for (std::size_t i = 0; i < batch.errors().size(); ++i) {
        const EventError &e = batch.errors()[i];
        FUZZ_CHECK(!e.message.empty());
        FUZZ_CHECK(i == 0 || e.index > previousIndex);
        FUZZ_CHECK(e.index < batch.accepted() + batch.rejected());
        previousIndex = e.index;
    }
    for (const IngestEvent &e : batch.events()) {
        FUZZ_CHECK(int(e.kind) >= 0 && int(e.kind) < kMetricKindCount);
        checkString(e.name, limits);
        checkString(e.service, limits);
        checkString(e.requestId, limits);
        checkString(e.fields, limits);
        FUZZ_CHECK(!e.name.empty());
        FUZZ_CHECK(std::isfinite(e.value));
        if (kindHasLatency(e.kind))
            FUZZ_CHECK(e.value >= 0);
        if (e.kind == MetricKind::Api)
            FUZZ_CHECK(e.status >= 100 && e.status <= 599);
        if (e.timestampMs != 0)
            FUZZ_CHECK(e.timestampMs >= kNowMs - limits.maxAgeMs && e.timestampMs <= kNowMs + limits.maxAheadMs);
    }
}

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
        checkBatch(decoded, batch, decoder.limits());
        if (decoded)
            store.insert(batch.events(), kNowMs);
    } else {
        decoded = decoder.decode(body, format, kNowMs, batch);
        checkBatch(decoded, batch, decoder.limits());
        if (decoded)
            store.insert(batch.events(), kNowMs);
    }
    return 0;
}
