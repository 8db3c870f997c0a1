#pragma once

#include "appsettings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace perfwatch {

/// Edits AppSettings: thresholds, server, display, storage and reports. OK validates (AppSettings::validate()),
/// refuses bad values with the reason, saves to QSettings and emits settingsApplied().
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)
public:
    /// `store` receives the saved values; nullptr: the application's default QSettings.
    SettingsDialog(const AppSettings &settings, QSettings *store = nullptr, QWidget *parent = nullptr);

    void setSettings(const AppSettings &settings);
    /// The values the widgets hold now.
    AppSettings settings() const;
    /// The reasons shown for refused values; empty when none.
    QString errorText() const;

    void accept() override;

Q_SIGNALS:
    /// Valid settings were saved; the window applies them live and the app restarts the server on
    /// a port or address change.
    void settingsApplied(const perfwatch::AppSettings &settings);

private:
    QWidget *thresholdsPage();
    QWidget *serverPage();
    QWidget *displayPage();
    QWidget *storagePage();
    QWidget *reportsPage();

    AppSettings m_base; ///< fields the dialog does not edit keep these values
    QSettings *m_store = nullptr;
    QDoubleSpinBox *m_slowApi = nullptr;
    QDoubleSpinBox *m_slowDb = nullptr;
    QDoubleSpinBox *m_minThroughput = nullptr;
    QLineEdit *m_bind = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_statsdPort = nullptr;
    QSpinBox *m_grpcPort = nullptr;
    QLineEdit *m_token = nullptr;
    QSpinBox *m_refresh = nullptr;
    QComboBox *m_language = nullptr;
    QCheckBox *m_closeToTray = nullptr;
    QCheckBox *m_notifications = nullptr;
    QLineEdit *m_dataDir = nullptr;
    QSpinBox *m_retention = nullptr;
    QSpinBox *m_cleanup = nullptr;
    QSpinBox *m_rawHistory = nullptr;
    QSpinBox *m_maxKeys = nullptr;
    QSpinBox *m_reportHours = nullptr;
    QComboBox *m_reportPageSize = nullptr;
    QCheckBox *m_scheduledReports = nullptr;
    QSpinBox *m_scheduleEvery = nullptr;
    QLineEdit *m_scheduleDir = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace perfwatch
