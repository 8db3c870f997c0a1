#include "format.h"

#include <QDateTime>
#include <QLocale>
#include <cmath>

namespace perfwatch {

namespace {

QString fixed(double v, int decimals)
{
    return QLocale().toString(v, 'f', decimals);
}

} // namespace

QString Format::none()
{
    return QStringLiteral("—");
}

QString Format::duration(double ms)
{
    if (!std::isfinite(ms))
        return none();
    const double a = std::abs(ms);
    if (a < 1)
        return tr("%1 ms").arg(fixed(ms, 2));
    if (a < 100)
        return tr("%1 ms").arg(fixed(ms, 1));
    if (a < 1000)
        return tr("%1 ms").arg(fixed(ms, 0));
    if (a < 60'000)
        return tr("%1 s").arg(fixed(ms / 1000.0, a < 10'000 ? 2 : 1));
    return tr("%1 min").arg(fixed(ms / 60'000.0, 1));
}

QString Format::perMinute(double perMinute)
{
    if (!std::isfinite(perMinute))
        return none();
    if (perMinute == 0)
        return tr("0/min");
    return tr("%1/min").arg(fixed(perMinute, std::abs(perMinute) < 10 ? 1 : 0));
}

QString Format::rate(double perSecond)
{
    if (!std::isfinite(perSecond))
        return none();
    const double a = std::abs(perSecond);
    if (a == 0)
        return tr("0/s");
    if (a < 10)
        return tr("%1/s").arg(fixed(perSecond, 2));
    if (a < 1000)
        return tr("%1/s").arg(fixed(perSecond, 1));
    if (a < 1'000'000)
        return tr("%1 k/s").arg(fixed(perSecond / 1000.0, a < 10'000 ? 2 : 1));
    return tr("%1 M/s").arg(fixed(perSecond / 1'000'000.0, 2));
}

QString Format::percent(double fraction, int decimals)
{
    if (!std::isfinite(fraction))
        return none();
    return percentValue(fraction * 100.0, decimals);
}

QString Format::percentValue(double percent, int decimals)
{
    if (!std::isfinite(percent))
        return none();
    return tr("%1%").arg(fixed(percent, decimals));
}

QString Format::count(quint64 n)
{
    return QLocale().toString(n);
}

QString Format::compactCount(double n)
{
    if (!std::isfinite(n))
        return none();
    const double a = std::abs(n);
    if (a < 10'000)
        return QLocale().toString(qint64(std::llround(n)));
    if (a < 1'000'000)
        return tr("%1 k").arg(fixed(n / 1000.0, a < 100'000 ? 1 : 0));
    if (a < 1e9)
        return tr("%1 M").arg(fixed(n / 1e6, 2));
    return tr("%1 G").arg(fixed(n / 1e9, 2));
}

QString Format::apdex(double apdex)
{
    return std::isfinite(apdex) ? fixed(apdex, 2) : none();
}

QString Format::bytes(double bytes)
{
    if (!std::isfinite(bytes))
        return none();
    return QLocale().formattedDataSize(qint64(std::llround(bytes)), 1, QLocale::DataSizeIecFormat);
}

QString Format::gauge(const QString &name, double value)
{
    if (name.endsWith(QLatin1String("_bytes")) || name.endsWith(QLatin1String(".bytes")))
        return bytes(value);
    return number(value, 2);
}

QString Format::number(double value, int decimals)
{
    if (!std::isfinite(value))
        return none();
    const double a = std::abs(value);
    if (a >= 1e6)
        return compactCount(value);
    if (value == std::floor(value))
        return QLocale().toString(qint64(value));
    return QLocale().toString(value, 'f', a >= 100 ? std::min(decimals, 1) : decimals);
}

QString Format::timeOfDay(qint64 ms, bool withMilliseconds)
{
    const QTime t = QDateTime::fromMSecsSinceEpoch(ms).time();
    return t.toString(withMilliseconds ? QStringLiteral("HH:mm:ss.zzz") : QStringLiteral("HH:mm:ss"));
}

QString Format::ago(qint64 thenMs, qint64 nowMs)
{
    const qint64 s = std::max<qint64>(0, (nowMs - thenMs) / 1000);
    if (s < 5)
        return tr("just now");
    if (s < 60)
        return tr("%n s ago", nullptr, int(s));
    if (s < 3600)
        return tr("%n min ago", nullptr, int(s / 60));
    if (s < 86400)
        return tr("%n h ago", nullptr, int(s / 3600));
    return tr("%n d ago", nullptr, int(s / 86400));
}

} // namespace perfwatch
