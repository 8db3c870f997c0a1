#pragma once

#include <QCoreApplication>
#include <QString>

namespace perfwatch {

/// How the dashboard writes numbers: locale-aware, with units, "—" for no value.
class Format
{
    Q_DECLARE_TR_FUNCTIONS(Format)
public:
    static QString none();
    /// "0.42 ms", "12.3 ms", "245 ms", "1.24 s", "2.5 min".
    static QString duration(double ms);
    /// "0.25/s", "35.2/s", "1.2 k/s", "3.4 M/s".
    static QString rate(double perSecond);
    /// "3.2/min": events per minute, for rare ones such as error logs.
    static QString perMinute(double perMinute);
    /// A fraction as a percentage: 0.0123 -> "1.23%" ("1,23 %" in German).
    static QString percent(double fraction, int decimals = 1);
    /// A number that already is a percentage (12.3 -> "12.3%").
    static QString percentValue(double percent, int decimals = 1);
    static QString count(quint64 n);
    /// Large counts shortened: "987", "12.3 k", "4.56 M".
    static QString compactCount(double n);
    static QString apdex(double apdex);
    static QString bytes(double bytes);
    /// A gauge reading; names ending in "_bytes" are shown as sizes.
    static QString gauge(const QString &name, double value);
    /// A plain number with up to `decimals` decimals (trailing zeros dropped).
    static QString number(double value, int decimals = 2);
    /// Local wall-clock time with milliseconds, for raw samples.
    static QString timeOfDay(qint64 ms, bool withMilliseconds = true);
    /// "just now", "42 s ago", "5 min ago", "3 h ago".
    static QString ago(qint64 thenMs, qint64 nowMs);
};

} // namespace perfwatch
