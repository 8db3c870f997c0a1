#include "trayalerts.h"

#include "theme.h"

#include <QAction>
#include <QMenu>
#include <QSystemTrayIcon>

namespace perfwatch {

TrayAlerts::TrayAlerts(QObject *parent)
    : QObject(parent)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(Theme::trayIcon(Band::NoData), this);
    m_menu = new QMenu;
    QAction *show = m_menu->addAction(tr("Show PerfWatch"));
    connect(show, &QAction::triggered, this, &TrayAlerts::showWindowRequested);
    m_pause = m_menu->addAction(tr("Pause live updates"));
    m_pause->setCheckable(true);
    connect(m_pause, &QAction::toggled, this, &TrayAlerts::pauseToggled);
    m_mute = m_menu->addAction(tr("Mute notifications"));
    m_mute->setCheckable(true);
    connect(m_mute, &QAction::toggled, this, [this](bool muted) {
        m_policy.setMuted(muted);
        Q_EMIT notificationsToggled(!muted);
    });
    m_menu->addSeparator();
    QAction *quit = m_menu->addAction(tr("Quit"));
    connect(quit, &QAction::triggered, this, &TrayAlerts::quitRequested);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showWindowRequested();
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayAlerts::showWindowRequested);
    m_tray->setToolTip(tr("PerfWatch"));
    m_tray->show();
}

TrayAlerts::~TrayAlerts()
{
    delete m_menu;
}

void TrayAlerts::setNotificationsEnabled(bool enabled)
{
    m_policy.setMuted(!enabled);
    if (m_mute) {
        const QSignalBlocker block(m_mute);
        m_mute->setChecked(!enabled);
    }
}

bool TrayAlerts::notificationsEnabled() const
{
    return !m_policy.isMuted();
}

void TrayAlerts::setPaused(bool paused)
{
    if (!m_pause)
        return;
    const QSignalBlocker block(m_pause);
    m_pause->setChecked(paused);
}

void TrayAlerts::update(const AnalysisResult &result, qint64 nowMs)
{
    const std::optional<Alert> alert = m_policy.update(result, nowMs);
    if (!m_tray)
        return;
    const Band band = result.score.band;
    if (band != m_band || !m_haveIcon) {
        m_band = band;
        m_haveIcon = true;
        m_tray->setIcon(Theme::trayIcon(band));
    }
    m_tray->setToolTip(band == Band::NoData
            ? tr("PerfWatch · no data yet")
            : tr("PerfWatch · score %1 (%2) · %n recommendation(s)", nullptr, int(result.recommendations.size()))
                  .arg(result.score.value)
                  .arg(Theme::bandWord(band)));
    if (alert)
        notify(*alert);
}

void TrayAlerts::notify(const Alert &alert)
{
    if (!m_tray || !QSystemTrayIcon::supportsMessages())
        return;
    m_tray->showMessage(
        alert.title, alert.message, alert.critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information, 10'000);
}

} // namespace perfwatch
