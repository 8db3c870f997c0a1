// libFuzzer target: the HTTP/1.1 framing guard in front of Qt's parser (docs/DESIGN.md §14).
//
// Input: two control bytes, then the byte stream of one connection. The guard must reach the
// same verdict however the stream is cut into reads (TCP guarantees nothing about boundaries),
// so the stream is fed once whole and once in pieces whose sizes come from the control bytes.
// Control byte 0 bit 0 switches to tiny limits, so the 413/431 paths are reached with short inputs;
// bit 1 turns on the loopback Host check (421) that a server bound to loopback uses.

#include "fuzzcheck.h"
#include "requestguard.h"

#include <cstdint>
#include <string_view>

using namespace perfwatch;

namespace {

struct Verdict
{
    RequestGuard::Violation violation;
    int status;
    std::string_view error;
    std::string detail;
    std::uint64_t started;
    std::uint64_t completed;
    std::uint64_t fed;
    bool inRequest;
    bool inBody;
    std::int64_t contentLength;
    std::uint64_t announced;

    bool operator==(const Verdict &) const = default;
};

Verdict verdictOf(const RequestGuard &g)
{
    return Verdict { g.violation(), g.violationStatus(), g.violationError(), g.violationDetail(), g.requestsStarted(),
        g.requestsCompleted(), g.bytesFed(), g.inRequest(), g.inBody(), g.contentLength(), g.bodyBytesAnnounced() };
}

void checkConsistent(const RequestGuard &g)
{
    FUZZ_CHECK(g.requestsCompleted() <= g.requestsStarted());
    FUZZ_CHECK(g.requestsStarted() <= g.requestsCompleted() + 1);
    FUZZ_CHECK(g.inRequest() == (g.requestsStarted() == g.requestsCompleted() + 1) || g.hasViolation());
    FUZZ_CHECK(!g.hasViolation() || (g.violationStatus() >= 400 && !g.violationDetail().empty()));
    FUZZ_CHECK(g.violation() != RequestGuard::Violation::MisdirectedRequest || g.violationStatus() == 421);
    FUZZ_CHECK(g.hasViolation() || g.violationStatus() == 0);
    if (g.awaitsContinue())
        FUZZ_CHECK(g.inBody());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    RequestGuardLimits limits;
    if (data[0] & 1) {
        limits.maxHeaderBytes = 256;
        limits.maxHeaderFields = 4;
        limits.maxBodyBytes = 1024;
        limits.maxChunkLineBytes = 16;
    }
    limits.loopbackHostOnly = (data[0] & 2) != 0;
    std::uint32_t seed = (std::uint32_t(data[0]) << 8) | data[1];
    const std::string_view stream(reinterpret_cast<const char *>(data + 2), size - 2);

    RequestGuard whole(limits);
    const RequestGuard::Progress all = whole.feed(stream);
    checkConsistent(whole);
    FUZZ_CHECK(all.started == whole.requestsStarted() && all.completed == whole.requestsCompleted());

    RequestGuard pieces(limits);
    std::uint64_t started = 0;
    std::uint64_t completed = 0;
    for (std::size_t at = 0; at < stream.size();) {
        seed = seed * 1103515245u + 12345u; // any cut points will do; these are reproducible
        const std::size_t length = 1 + (seed >> 16) % 64;
        const std::string_view piece = stream.substr(at, length);
        const RequestGuard::Progress p = pieces.feed(piece);
        started += p.started;
        completed += p.completed;
        checkConsistent(pieces);
        at += piece.size();
    }
    FUZZ_CHECK(started == pieces.requestsStarted() && completed == pieces.requestsCompleted());
    FUZZ_CHECK(verdictOf(whole) == verdictOf(pieces));
    return 0;
}
