#include "perfwatch/json.h"

#include <cstdint>

namespace perfwatch {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

bool inRange(unsigned char c, unsigned char lo, unsigned char hi)
{
    return c >= lo && c <= hi;
}

/// Length of the well-formed UTF-8 sequence at `s[i]` (Unicode Table 3-7), or 0 when ill-formed;
/// `consumed` is then the length of the maximal ill-formed subpart to replace (at least 1).
std::size_t sequenceLength(std::string_view s, std::size_t i, std::size_t &consumed)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char lead = byte(0);
    std::size_t need = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF; // range of the second byte
    if (inRange(lead, 0xC2, 0xDF)) {
        need = 2;
    } else if (lead == 0xE0) {
        need = 3, lo = 0xA0;
    } else if (inRange(lead, 0xE1, 0xEC) || inRange(lead, 0xEE, 0xEF)) {
        need = 3;
    } else if (lead == 0xED) {
        need = 3, hi = 0x9F; // no UTF-16 surrogates
    } else if (lead == 0xF0) {
        need = 4, lo = 0x90;
    } else if (inRange(lead, 0xF1, 0xF3)) {
        need = 4;
    } else if (lead == 0xF4) {
        need = 4, hi = 0x8F; // nothing above U+10FFFF
    } else {
        consumed = 1; // stray continuation byte, C0/C1 (overlong) or F5..FF
        return 0;
    }
    std::size_t k = 1;
    for (; k < need && i + k < s.size(); ++k) {
        const unsigned char c = byte(k);
        if (k == 1 ? !inRange(c, lo, hi) : !inRange(c, 0x80, 0xBF))
            break;
    }
    if (k == need)
        return need;
    consumed = k;
    return 0;
}

} // namespace

void appendJsonString(std::string &out, std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            std::size_t consumed = 0;
            if (const std::size_t n = sequenceLength(text, i, consumed)) {
                out.append(text.substr(i, n));
                i += n;
            } else {
                out += kReplacement;
                i += consumed;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xF];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

} // namespace perfwatch
