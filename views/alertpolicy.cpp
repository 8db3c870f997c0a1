#include "alertpolicy.h"

#include "displaytext.h"
#include "theme.h"

namespace perfwatch {

AlertPolicy::AlertPolicy(qint64 minIntervalMs)
    : m_minIntervalMs(minIntervalMs)
{ }

std::optional<Alert> AlertPolicy::update(const AnalysisResult &result, qint64 nowMs)
{
    const Band band = result.score.band;
    QSet<QString> high;
    QStringList fresh;
    for (const Recommendation &r : result.recommendations) {
        if (r.priority != Priority::High)
            continue;
        high.insert(r.id);
        if (m_primed && !m_knownHigh.contains(r.id))
            fresh << (r.target.isEmpty() ? r.message
                                         : DisplayText::isolate(r.target) + QStringLiteral(": ") + r.message);
    }
    // What was already wrong when the window opened is not news.
    const bool dropped = m_primed && band != Band::NoData && m_band != Band::NoData && band < m_band;
    m_primed = true;
    if (band != Band::NoData)
        m_band = band;
    m_knownHigh = high;

    if (m_muted) {
        m_pendingDrop = false;
        m_pendingAdvice.clear();
        return std::nullopt;
    }
    m_pendingDrop = m_pendingDrop || dropped;
    m_pendingAdvice << fresh;
    if (!m_pendingDrop && m_pendingAdvice.isEmpty())
        return std::nullopt;
    if (m_lastAlertMs != 0 && nowMs - m_lastAlertMs < m_minIntervalMs)
        return std::nullopt;

    Alert alert;
    if (m_pendingDrop) {
        alert.title = tr("Performance score dropped to %1").arg(Theme::bandWord(m_band));
        alert.message = tr("The score is %1 now.").arg(result.score.value);
        alert.critical = m_band == Band::Poor;
        if (!m_pendingAdvice.isEmpty())
            alert.message += u' ' + tr("New high-priority advice: %1").arg(m_pendingAdvice.first());
    } else {
        alert.title = tr("%n new high-priority recommendation(s)", nullptr, int(m_pendingAdvice.size()));
        alert.message = m_pendingAdvice.first();
        alert.critical = true;
    }
    m_pendingDrop = false;
    m_pendingAdvice.clear();
    m_lastAlertMs = nowMs;
    return alert;
}

} // namespace perfwatch
