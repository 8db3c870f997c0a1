#include "appsettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <cmath>

namespace perfwatch {

namespace {

QString tr(const char *text)
{
    // lupdate files these calls under the scope it sees them in: AppSettings' members under
    // "perfwatch::AppSettings", the free functions under "perfwatch". Look up both.
    const QString translated = QCoreApplication::translate("perfwatch::AppSettings", text);
    return translated != QString::fromUtf8(text) ? translated : QCoreApplication::translate("perfwatch", text);
}

template<typename T>
void loadValue(const QSettings &s, const QString &key, T &target)
{
    const QVariant v = s.value(key);
    if (v.isValid() && v.canConvert<T>())
        target = v.value<T>();
}

/// Dotted IPv4 (four 0-255 parts) or an IPv6 literal (hex groups and colons, at most one "::").
bool isIpAddress(const QString &text)
{
    const QStringList parts = text.split(u'.');
    if (parts.size() == 4) {
        for (const QString &p : parts) {
            bool ok = false;
            const int v = p.toInt(&ok);
            if (!ok || v < 0 || v > 255 || p.isEmpty() || p.size() > 3)
                return false;
        }
        return true;
    }
    if (!text.contains(u':') || text.count(QStringLiteral("::")) > 1 || text.size() > 45)
        return false;
    for (QChar c : text) {
        if (!(c.isDigit() || c == u':' || c == u'.' || (c.toLower() >= u'a' && c.toLower() <= u'f')))
            return false;
    }
    return text.split(u':').size() <= 8;
}

bool parsePositive(const QString &text, double &out, bool integer)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v <= 0 || (integer && v != std::floor(v)))
        return false;
    out = v;
    return true;
}

} // namespace

void AppSettings::load(const QSettings &s)
{
    loadValue(s, QStringLiteral("server/bind"), bindAddress);
    loadValue(s, QStringLiteral("server/port"), port);
    loadValue(s, QStringLiteral("server/statsdPort"), statsdPort);
    loadValue(s, QStringLiteral("server/grpcPort"), grpcPort);
    loadValue(s, QStringLiteral("server/ingestThreads"), ingestThreads);
    loadValue(s, QStringLiteral("server/token"), token);
    loadValue(s, QStringLiteral("storage/dataDir"), dataDir);
    loadValue(s, QStringLiteral("storage/retentionHours"), retentionHours);
    loadValue(s, QStringLiteral("storage/cleanupIntervalMinutes"), cleanupIntervalMinutes);
    loadValue(s, QStringLiteral("storage/maxMetricHistory"), maxMetricHistory);
    loadValue(s, QStringLiteral("storage/maxKeys"), maxKeys);
    loadValue(s, QStringLiteral("thresholds/slowApiMs"), slowApiMs);
    loadValue(s, QStringLiteral("thresholds/slowDbMs"), slowDbMs);
    loadValue(s, QStringLiteral("thresholds/minThroughput"), minThroughput);
    loadValue(s, QStringLiteral("ui/refreshMs"), refreshMs);
    loadValue(s, QStringLiteral("ui/language"), language);
    loadValue(s, QStringLiteral("ui/closeToTray"), closeToTray);
    loadValue(s, QStringLiteral("ui/notifications"), notifications);
    loadValue(s, QStringLiteral("reports/hours"), reportHours);
    loadValue(s, QStringLiteral("reports/pageSize"), reportPageSize);
    loadValue(s, QStringLiteral("reports/scheduled"), scheduledReports);
    loadValue(s, QStringLiteral("reports/everyHours"), scheduledReportEveryHours);
    loadValue(s, QStringLiteral("reports/folder"), scheduledReportDir);
}

void AppSettings::save(QSettings &s) const
{
    s.setValue(QStringLiteral("server/bind"), bindAddress);
    s.setValue(QStringLiteral("server/port"), port);
    s.setValue(QStringLiteral("server/statsdPort"), statsdPort);
    s.setValue(QStringLiteral("server/grpcPort"), grpcPort);
    s.setValue(QStringLiteral("server/ingestThreads"), ingestThreads);
    s.setValue(QStringLiteral("server/token"), token);
    s.setValue(QStringLiteral("storage/dataDir"), dataDir);
    s.setValue(QStringLiteral("storage/retentionHours"), retentionHours);
    s.setValue(QStringLiteral("storage/cleanupIntervalMinutes"), cleanupIntervalMinutes);
    s.setValue(QStringLiteral("storage/maxMetricHistory"), maxMetricHistory);
    s.setValue(QStringLiteral("storage/maxKeys"), maxKeys);
    s.setValue(QStringLiteral("thresholds/slowApiMs"), slowApiMs);
    s.setValue(QStringLiteral("thresholds/slowDbMs"), slowDbMs);
    s.setValue(QStringLiteral("thresholds/minThroughput"), minThroughput);
    s.setValue(QStringLiteral("ui/refreshMs"), refreshMs);
    s.setValue(QStringLiteral("ui/language"), language);
    s.setValue(QStringLiteral("ui/closeToTray"), closeToTray);
    s.setValue(QStringLiteral("ui/notifications"), notifications);
    s.setValue(QStringLiteral("reports/hours"), reportHours);
    s.setValue(QStringLiteral("reports/pageSize"), reportPageSize);
    s.setValue(QStringLiteral("reports/scheduled"), scheduledReports);
    s.setValue(QStringLiteral("reports/everyHours"), scheduledReportEveryHours);
    s.setValue(QStringLiteral("reports/folder"), scheduledReportDir);
}

QStringList AppSettings::applyEnvironment(const QProcessEnvironment &env)
{
    QStringList warnings;
    auto number = [&](const char *name, auto &target, bool integer) {
        const QString var = QString::fromLatin1(name);
        if (!env.contains(var))
            return;
        double v = 0;
        if (parsePositive(env.value(var), v, integer))
            target = static_cast<std::remove_reference_t<decltype(target)>>(v);
        else
            warnings << tr("%1=%2 is not a positive %3; using %4")
                            .arg(var, env.value(var), integer ? tr("whole number") : tr("number"))
                            .arg(target);
    };
    number("PERFORMANCE_CLEANUP_INTERVAL_MINUTES", cleanupIntervalMinutes, true);
    number("PERFORMANCE_MAX_METRIC_HISTORY", maxMetricHistory, true);
    number("PERFORMANCE_SLOW_API_THRESHOLD_MS", slowApiMs, false);
    number("PERFORMANCE_SLOW_DB_THRESHOLD_MS", slowDbMs, false);
    number("PERFORMANCE_MIN_THROUGHPUT", minThroughput, false);
    number("PERFWATCH_INGEST_THREADS", ingestThreads, true);
    if (env.contains(QStringLiteral("PERFWATCH_TOKEN")))
        token = env.value(QStringLiteral("PERFWATCH_TOKEN"));
    return warnings;
}

QStringList AppSettings::validate() const
{
    QStringList problems;
    if (!isIpAddress(bindAddress))
        problems << tr("bind address \"%1\" is not an IP address").arg(bindAddress);
    if (port < 0 || port > 65535)
        problems << tr("port %1 is outside 0-65535").arg(port);
    if (statsdPort < 0 || statsdPort > 65535)
        problems << tr("StatsD port %1 is outside 0-65535").arg(statsdPort);
    if (port != 0 && port == statsdPort)
        problems << tr("the HTTP and StatsD ports must differ");
    if (grpcPort < -1 || grpcPort > 65535)
        problems << tr("OTLP/gRPC port %1 is outside 0-65535").arg(grpcPort);
    if (port != 0 && port == grpcPort)
        problems << tr("the HTTP and OTLP/gRPC ports must differ");
    if (ingestThreads < 1 || ingestThreads > 64)
        problems << tr("ingest threads must be between 1 and 64");
    if (refreshMs < 100 || refreshMs > 60'000)
        problems << tr("refresh interval must be between 100 ms and 60 s");
    if (journalSyncMs < 0 || journalSyncMs > 60'000)
        problems << tr("--journal-sync-ms must be between 0 (every batch) and 60000");
    if (journalCheckpointMs != 0 && (journalCheckpointMs < 100 || journalCheckpointMs > 600'000))
        problems << tr("--journal-checkpoint-ms must be 0 (none) or between 100 and 600000");
    if (slowApiMs <= 0 || slowDbMs <= 0 || minThroughput <= 0)
        problems << tr("thresholds must be positive");
    if (retentionHours < 24 || retentionHours > 24 * 90)
        problems << tr("history retention must be between 24 hours and 90 days");
    if (cleanupIntervalMinutes < 1 || cleanupIntervalMinutes > 24 * 60)
        problems << tr("cleanup interval must be between 1 minute and 24 hours");
    if (maxMetricHistory < 0 || maxMetricHistory > 100'000)
        problems << tr("raw samples per key must be between 0 and 100000");
    if (maxKeys < 10 || maxKeys > 100'000)
        problems << tr("the key limit must be between 10 and 100000");
    if (reportHours < 1 || reportHours > retentionHours)
        problems
            << tr("the report period must be between 1 hour and the history retention (%1 hours)").arg(retentionHours);
    if (reportPageSize != u"A4" && reportPageSize != u"Letter")
        problems << tr("the report page size must be A4 or Letter, not \"%1\"").arg(reportPageSize);
    if (scheduledReportEveryHours < 1 || scheduledReportEveryHours > 24 * 7)
        problems << tr("scheduled reports must be written every 1 to 168 hours");
    if (scheduledReports && scheduledReportDir.trimmed().isEmpty())
        problems << tr("scheduled reports need a folder to write into");
    if (!bindsLoopback() && token.isEmpty())
        problems << tr("binding %1 exposes PerfWatch beyond this machine and needs a token").arg(bindAddress);
    return problems;
}

QString AppSettings::resolvedDataDir() const
{
    if (!dataDir.isEmpty())
        return dataDir;
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(QStringLiteral("perfwatch"));
}

bool AppSettings::bindsLoopback() const
{
    return bindAddress.startsWith(QLatin1String("127.")) || bindAddress == u"::1";
}

AnalyzerConfig AppSettings::analyzerConfig() const
{
    AnalyzerConfig a;
    a.slowApiMs = slowApiMs;
    a.slowDbMs = slowDbMs;
    a.minThroughput = minThroughput;
    return a;
}

EngineConfig AppSettings::engineConfig() const
{
    EngineConfig c;
    c.store.maxKeys = maxKeys;
    c.store.rawHistory = maxMetricHistory;
    c.analyzer = analyzerConfig();
    c.dataDir = resolvedDataDir();
    c.cleanupIntervalMs = qint64(cleanupIntervalMinutes) * 60'000;
    c.historyRetentionHours = retentionHours;
    c.journalSyncMs = journalSyncMs;
    c.journalCheckpointMs = journalCheckpointMs;
    return c;
}

QString loadOrCreateToken(const QString &dataDir, QString *error)
{
    const QString path = QDir(dataDir).filePath(QStringLiteral("token"));
    QFile existing(path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("cannot read the token file %1: %2").arg(path, existing.errorString());
            return {};
        }
        const QString token = QString::fromUtf8(existing.readAll()).trimmed();
        if (!token.isEmpty()) {
            // Tighten permissions that someone loosened.
            existing.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            return token;
        }
    }
    if (!QDir().mkpath(dataDir)) {
        if (error)
            *error = tr("cannot create the data folder %1").arg(dataDir);
        return {};
    }
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    const QString token
        = QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("cannot write the token file %1: %2").arg(path, file.errorString());
        return {};
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(token.toLatin1() + '\n');
    if (!file.commit()) {
        if (error)
            *error = tr("cannot write the token file %1: %2").arg(path, file.errorString());
        return {};
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return token;
}

} // namespace perfwatch
