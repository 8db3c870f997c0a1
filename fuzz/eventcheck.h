#pragma once

// Invariants of decoded events and batches, shared by the decoder fuzz targets.

#include "decodedbatch.h"
#include "event.h"
#include "fuzzcheck.h"
#include "latencysketch.h"
#include "nativedecoder.h"
#include "valuebounds.h"

#include <cmath>
#include <cstdint>
#include <string_view>

namespace perfwatch {

/// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool validUtf8(std::string_view s)
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

inline void checkString(std::string_view s, std::size_t maxBytes)
{
    FUZZ_CHECK(s.size() <= maxBytes);
    FUZZ_CHECK(validUtf8(s));
}

/// What every event handed to MetricStore::insert() must be (event.h).
inline void checkEvent(const IngestEvent &e, std::size_t maxStringBytes)
{
    FUZZ_CHECK(int(e.kind) >= 0 && int(e.kind) < kMetricKindCount);
    checkString(e.name, maxStringBytes);
    checkString(e.service, maxStringBytes);
    checkString(e.requestId, maxStringBytes);
    checkString(e.fields, maxStringBytes);
    FUZZ_CHECK(!e.name.empty());
    FUZZ_CHECK(std::isfinite(e.value));
    if (kindHasLatency(e.kind)) {
        FUZZ_CHECK(e.value >= 0);
        // valuebounds.h: no duration above kMaxDurationMs; a histogram's value is the sum of
        // its durations, so at most its count times the bound.
        if (e.histogram) {
            FUZZ_CHECK(e.histogram->count() > 0);
            FUZZ_CHECK(bounds::isDurationMs(e.histogram->max()));
            FUZZ_CHECK(e.value <= double(e.histogram->count()) * bounds::kMaxDurationMs);
        } else {
            FUZZ_CHECK(bounds::isDurationMs(e.value));
        }
    }
    if (e.kind == MetricKind::Gauge)
        FUZZ_CHECK(bounds::isGaugeValue(e.value));
    if (e.kind == MetricKind::Api)
        FUZZ_CHECK(e.status >= 100 && e.status <= 599);
}

/// A decoded body: refused whole, or events that all pass checkEvent() plus listed errors.
/// `folded`: items the decoder took without an event or an error (OTLP spans folded into their
/// request); error indices count them too.
inline void checkBatch(
    bool decoded, const DecodedBatch &batch, const NativeDecoderLimits &limits, qint64 nowMs, std::size_t folded = 0)
{
    FUZZ_CHECK(decoded == !batch.isRefused());
    if (batch.isRefused()) {
        FUZZ_CHECK(batch.events().empty());
        FUZZ_CHECK(!batch.refusal().empty());
        return;
    }
    FUZZ_CHECK(batch.errors().size() <= DecodedBatch::kMaxListedErrors);
    FUZZ_CHECK(batch.errors().size() <= batch.rejected());
    FUZZ_CHECK(batch.accepted() + batch.rejected() + folded <= limits.maxEvents);
    std::size_t previousIndex = 0;
    for (std::size_t i = 0; i < batch.errors().size(); ++i) {
        const EventError &e = batch.errors()[i];
        FUZZ_CHECK(!e.message.empty());
        FUZZ_CHECK(i == 0 || e.index > previousIndex);
        FUZZ_CHECK(e.index < batch.accepted() + batch.rejected() + folded);
        previousIndex = e.index;
    }
    for (const IngestEvent &e : batch.events()) {
        checkEvent(e, limits.maxStringBytes);
        if (e.timestampMs != 0)
            FUZZ_CHECK(e.timestampMs >= nowMs - limits.maxAgeMs && e.timestampMs <= nowMs + limits.maxAheadMs);
    }
}

} // namespace perfwatch
