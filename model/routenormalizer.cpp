#include "routenormalizer.h"

namespace perfwatch {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
bool isHex(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isUuid(std::string_view s)
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isHex(s[i]))
            return false;
    }
    return true;
}

} // namespace

bool isIdentifierSegment(std::string_view s)
{
    if (s.empty())
        return false;
    bool allDigits = true;
    bool allHex = true;
    bool anyDigit = false;
    for (char c : s) {
        allDigits = allDigits && isDigit(c);
        allHex = allHex && isHex(c);
        anyDigit = anyDigit || isDigit(c);
    }
    if (allDigits)
        return true;
    // Hex ids (Mongo ObjectIds, hashes) are long and mix digits in; "facade" or "cafe" are words.
    if (allHex && anyDigit && s.size() >= 8)
        return true;
    return isUuid(s);
}

bool normalizeRoute(std::string_view path, std::string &out)
{
    std::string_view p = path;
    bool changed = false;
    if (const auto cut = p.find_first_of("?#"); cut != std::string_view::npos) {
        p = p.substr(0, cut);
        changed = true;
    }
    if (p.size() > 1 && p.back() == '/') {
        while (p.size() > 1 && p.back() == '/')
            p.remove_suffix(1);
        changed = true;
    }
    bool anyId = false;
    for (std::size_t start = 0; start < p.size();) {
        std::size_t end = p.find('/', start);
        if (end == std::string_view::npos)
            end = p.size();
        if (isIdentifierSegment(p.substr(start, end - start))) {
            anyId = true;
            break;
        }
        start = end + 1;
    }
    if (!changed && !anyId)
        return false;
    out.clear();
    out.reserve(p.size());
    for (std::size_t start = 0; start <= p.size();) {
        std::size_t end = p.find('/', start);
        if (end == std::string_view::npos)
            end = p.size();
        const std::string_view segment = p.substr(start, end - start);
        out.append(isIdentifierSegment(segment) ? std::string_view("{id}") : segment);
        if (end < p.size())
            out.push_back('/');
        start = end + 1;
    }
    return true;
}

std::string namePattern(std::string_view name)
{
    const auto inToken = [](char c) {
        return isDigit(c) || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        if (!inToken(name[i])) {
            out += name[i++];
            continue;
        }
        std::size_t end = i;
        while (end < name.size() && inToken(name[end]))
            ++end;
        const std::string_view token = name.substr(i, end - i);
        if (isIdentifierSegment(token)) {
            out += "{id}";
        } else {
            for (std::size_t j = 0; j < token.size();) {
                if (!isDigit(token[j])) {
                    out += token[j++];
                    continue;
                }
                while (j < token.size() && isDigit(token[j]))
                    ++j;
                out += "{n}";
            }
        }
        i = end;
    }
    return out;
}

} // namespace perfwatch
