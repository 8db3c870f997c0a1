// Numbers and formatting shared by the analyzer's rules, its score and its JSON (internal to model/).
#pragma once

#include <QJsonValue>
#include <QString>
#include <QtGlobal>
#include <limits>

namespace perfwatch::analysis {

inline constexpr qint64 kMinuteMs = 60'000;
inline constexpr qint64 kHourMs = 3'600'000;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Ratios that divide by a measured value are capped so a zero measurement cannot produce inf.
inline constexpr double kMaxImpact = 1000;

QJsonValue jsonNumber(double v);
/// Evidence numbers rounded to a readable precision (the exact values are not more meaningful).
QJsonValue jsonRounded(double v, int decimals = 2);
QJsonValue jsonCount(quint64 v);
QJsonValue jsonTime(qint64 ms);
/// Milliseconds as users read them: "1,100", "48", "2.5".
QString formatMs(double ms);
/// A rate in [0, 1] as a percentage number without the sign: "7.5", "72.3", "1".
QString formatPercent(double rate);
QString formatCount(quint64 n);
QString formatNumber(double v, int decimals = 0);
QString formatMinutes(qint64 ms);
/// num / den, capped at kMaxImpact (kMaxImpact for a positive num over a den that is not positive, else 1).
double safeRatio(double num, double den);

} // namespace perfwatch::analysis
