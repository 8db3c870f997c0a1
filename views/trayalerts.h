#pragma once

#include "alertpolicy.h"

#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace perfwatch {

/// The system tray icon (coloured by band) and its notifications. Does nothing without a tray.
class TrayAlerts final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayAlerts)
public:
    explicit TrayAlerts(QObject *parent = nullptr);
    ~TrayAlerts() override;

    bool isAvailable() const { return m_tray != nullptr; }
    void setNotificationsEnabled(bool enabled);
    bool notificationsEnabled() const;
    /// Feeds a new analysis: updates the icon and tooltip, may notify.
    void update(const AnalysisResult &result, qint64 nowMs);
    void setPaused(bool paused);
    /// Shows a notification now (when the tray supports messages).
    void notify(const Alert &alert);
    AlertPolicy &policy() { return m_policy; }

Q_SIGNALS:
    void showWindowRequested();
    void pauseToggled(bool paused);
    void quitRequested();
    /// The user muted or unmuted notifications from the tray menu.
    void notificationsToggled(bool enabled);

private:
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_mute = nullptr;
    AlertPolicy m_policy;
    Band m_band = Band::NoData;
    bool m_haveIcon = false;
};

} // namespace perfwatch
