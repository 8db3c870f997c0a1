#include "gzipinflate.h"

#include <zlib.h>

namespace perfwatch {

namespace {

constexpr std::size_t kStep = 256 * 1024; ///< output room added at a time

} // namespace

InflateResult gunzip(std::string_view in, std::size_t maxBytes, QByteArray &out, std::string *error)
{
    const auto fail = [&](InflateResult result, std::string text) {
        if (error)
            *error = std::move(text);
        out.clear();
        return result;
    };
    out.clear();
    z_stream z {};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) // 16: gzip framing only
        return fail(InflateResult::Malformed, "cannot start decompressing");
    struct End
    {
        z_stream *z;
        ~End() { inflateEnd(z); }
    } end { &z };

    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
    z.avail_in = uInt(in.size()); // bodies are capped far below 4 GiB
    std::size_t produced = 0;
    for (;;) {
        if (produced == std::size_t(out.size())) {
            if (produced > maxBytes)
                return fail(InflateResult::TooLarge,
                    "the body decompresses to more than the limit of " + std::to_string(maxBytes) + " bytes");
            // One byte past the limit tells "exactly the limit" from "more".
            out.resize(qsizetype(std::min(produced + kStep, maxBytes + 1)));
        }
        z.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        z.avail_out = uInt(std::size_t(out.size()) - produced);
        const std::size_t before = z.avail_out;
        const int rc = inflate(&z, Z_NO_FLUSH);
        produced += before - z.avail_out;
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            // Another gzip member follows.
            if (inflateReset(&z) != Z_OK)
                return fail(InflateResult::Malformed, "the gzip body is damaged");
            continue;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            return fail(InflateResult::Malformed, "the gzip body is cut short");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return fail(InflateResult::Malformed,
                std::string("the body is not valid gzip") + (z.msg ? std::string(": ") + z.msg : std::string()));
    }
    if (produced > maxBytes)
        return fail(InflateResult::TooLarge,
            "the body decompresses to more than the limit of " + std::to_string(maxBytes) + " bytes");
    out.resize(qsizetype(produced));
    return InflateResult::Ok;
}

} // namespace perfwatch
