#include "analyzerformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <algorithm>
#include <cmath>

namespace perfwatch::analysis {

// ---- JSON and formatting helpers ----

QJsonValue jsonNumber(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

/// Evidence numbers rounded to a readable precision (the exact values are not more meaningful).
QJsonValue jsonRounded(double v, int decimals)
{
    if (!std::isfinite(v))
        return QJsonValue(QJsonValue::Null);
    const double scale = std::pow(10.0, decimals);
    return QJsonValue(std::round(v * scale) / scale);
}

QJsonValue jsonCount(quint64 v)
{
    return QJsonValue(qint64(v));
}

QJsonValue jsonTime(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue(QJsonValue::Null);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

/// Milliseconds as users read them: "1,100", "48", "2.5".
QString formatMs(double ms)
{
    return QLocale().toString(ms, 'f', ms != 0 && std::abs(ms) < 10 ? 1 : 0);
}

/// A rate in [0, 1] as a percentage number without the sign: "7.5", "72.3", "1".
QString formatPercent(double rate)
{
    return QLocale().toString(rate * 100, 'g', 3);
}

QString formatCount(quint64 n)
{
    return QLocale().toString(n);
}

QString formatNumber(double v, int decimals)
{
    return QLocale().toString(v, 'f', decimals);
}

QString formatMinutes(qint64 ms)
{
    return QCoreApplication::translate("Analyzer", "%1 min").arg(QLocale().toString(double(ms) / kMinuteMs, 'g', 4));
}

double safeRatio(double num, double den)
{
    if (!(den > 0))
        return num > 0 ? kMaxImpact : 1;
    return std::min(num / den, kMaxImpact);
}

} // namespace perfwatch::analysis
