#pragma once

#include "analyzer.h"

#include <QCoreApplication>
#include <QSet>
#include <QString>
#include <optional>

namespace perfwatch {

/// One desktop notification.
struct Alert
{
    QString title;
    QString message;
    bool critical = false;
};

/// Decides when the tray notifies: the score dropped a band, or new high-priority advice appeared.
/// At most one notification per interval (the rest are folded into the next one); can be muted.
class AlertPolicy
{
    Q_DECLARE_TR_FUNCTIONS(AlertPolicy)
public:
    explicit AlertPolicy(qint64 minIntervalMs = 5 * 60 * 1000);

    void setMuted(bool muted) { m_muted = muted; }
    bool isMuted() const { return m_muted; }
    void setMinIntervalMs(qint64 ms) { m_minIntervalMs = ms; }

    /// Feeds one analysis; returns the notification to show now, if any.
    std::optional<Alert> update(const AnalysisResult &result, qint64 nowMs);

private:
    qint64 m_minIntervalMs;
    bool m_muted = false;
    bool m_primed = false;
    Band m_band = Band::NoData;
    QSet<QString> m_knownHigh;
    qint64 m_lastAlertMs = 0;
    // Pending news waiting for the rate limit.
    bool m_pendingDrop = false;
    QStringList m_pendingAdvice;
};

} // namespace perfwatch
