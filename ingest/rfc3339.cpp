#include "rfc3339.h"

namespace perfwatch {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t count, unsigned &out)
{
    if (pos + count > s.size())
        return false;
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + unsigned(c - '0');
    }
    out = value;
    return true;
}

bool isLeapYear(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned daysInMonth(unsigned year, unsigned month)
{
    static constexpr unsigned kDays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

} // namespace

bool parseRfc3339(std::string_view s, qint64 &unixMs)
{
    // full-date "T" partial-time time-offset; the shortest form is 20 bytes.
    unsigned year, month, day, hour, minute, second;
    if (s.size() < 20 || !digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-'
        || !digits(s, 8, 2, day))
        return false;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return false;
    if (!digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':'
        || !digits(s, 17, 2, second))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        return false;

    std::size_t pos = 19;
    unsigned millis = 0;
    if (s[pos] == '.') {
        ++pos;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (pos - start < 3)
                millis = millis * 10 + unsigned(s[pos] - '0');
            ++pos;
        }
        const std::size_t count = pos - start;
        if (count == 0)
            return false;
        for (std::size_t i = count; i < 3; ++i)
            millis *= 10;
    }
    if (pos >= s.size())
        return false;

    qint64 offsetMinutes = 0;
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        unsigned offHour, offMinute;
        if (!digits(s, pos + 1, 2, offHour) || pos + 3 >= s.size() || s[pos + 3] != ':'
            || !digits(s, pos + 4, 2, offMinute) || offHour > 23 || offMinute > 59)
            return false;
        offsetMinutes = qint64(offHour) * 60 + offMinute;
        if (s[pos] == '-')
            offsetMinutes = -offsetMinutes;
        pos += 6;
    } else {
        return false;
    }
    if (pos != s.size())
        return false;

    const qint64 days = daysFromCivil(year, month, day);
    const qint64 seconds = days * 86400 + qint64(hour) * 3600 + qint64(minute) * 60 + second - offsetMinutes * 60;
    unixMs = seconds * 1000 + millis;
    return true;
}

} // namespace perfwatch
