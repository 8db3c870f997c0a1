#include "settingsdialog.h"

#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace perfwatch {

namespace {

QDoubleSpinBox *doubleSpin(const QString &name, double max, const QString &suffix, QWidget *parent)
{
    auto *spin = new QDoubleSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(0, max);
    spin->setDecimals(1);
    spin->setSuffix(suffix);
    spin->setGroupSeparatorShown(true);
    spin->setMinimumWidth(140);
    return spin;
}

QSpinBox *intSpin(const QString &name, int min, int max, const QString &suffix, QWidget *parent)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(min, max);
    spin->setSuffix(suffix);
    spin->setGroupSeparatorShown(true);
    spin->setMinimumWidth(140);
    return spin;
}

QLabel *hint(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setFont(Theme::font(0.9));
    return label;
}

QFormLayout *form(QWidget *page)
{
    auto *layout = new QFormLayout(page);
    layout->setContentsMargins(16, 16, 16, 16);
    layout->setHorizontalSpacing(16);
    layout->setVerticalSpacing(10);
    layout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    layout->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return layout;
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings &settings, QSettings *store, QWidget *parent)
    : QDialog(parent)
    , m_base(settings)
    , m_store(store)
{
    setWindowTitle(tr("PerfWatch Settings"));
    setWindowIcon(Theme::appIcon());
    auto *layout = new QVBoxLayout(this);
    auto *tabs = new QTabWidget(this);
    tabs->addTab(thresholdsPage(), tr("Thresholds"));
    tabs->addTab(serverPage(), tr("Server"));
    tabs->addTab(displayPage(), tr("Display"));
    tabs->addTab(storagePage(), tr("Storage"));
    tabs->addTab(reportsPage(), tr("Reports"));
    layout->addWidget(tabs);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, Theme::severityColor(Theme::Severity::Critical, palette()));
    m_error->setPalette(errorPalette);
    m_error->setVisible(false);
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
        AppSettings defaults;
        // Where data lives and who may connect are not "look and feel": keep them.
        defaults.dataDir = m_dataDir->text();
        defaults.token = m_token->text();
        setSettings(defaults);
    });
    layout->addWidget(buttons);
    setSettings(settings);
    resize(560, sizeHint().height());
}

QWidget *SettingsDialog::thresholdsPage()
{
    auto *page = new QWidget(this);
    QFormLayout *f = form(page);
    m_slowApi = doubleSpin(QStringLiteral("slowApiMs"), 1e7, tr(" ms"), page);
    m_slowDb = doubleSpin(QStringLiteral("slowDbMs"), 1e7, tr(" ms"), page);
    m_minThroughput = doubleSpin(QStringLiteral("minThroughput"), 1e9, tr(" items/s"), page);
    f->addRow(tr("Slow API request"), m_slowApi);
    f->addRow(QString(), hint(tr("T_api: the p95 where the score starts losing points; also the Apdex T."), page));
    f->addRow(tr("Slow database operation"), m_slowDb);
    f->addRow(QString(), hint(tr("T_db: the average where the score starts losing points."), page));
    f->addRow(tr("Minimum processing throughput"), m_minThroughput);
    return page;
}

QWidget *SettingsDialog::serverPage()
{
    auto *page = new QWidget(this);
    QFormLayout *f = form(page);
    m_bind = new QLineEdit(page);
    m_bind->setObjectName(QStringLiteral("bindAddress"));
    m_port = intSpin(QStringLiteral("port"), 0, 65535, {}, page);
    m_port->setGroupSeparatorShown(false);
    m_statsdPort = intSpin(QStringLiteral("statsdPort"), 0, 65535, {}, page);
    m_statsdPort->setGroupSeparatorShown(false);
    m_grpcPort = intSpin(QStringLiteral("grpcPort"), -1, 65535, {}, page);
    m_grpcPort->setGroupSeparatorShown(false);
    m_grpcPort->setSpecialValueText(tr("off")); // -1
    m_token = new QLineEdit(page);
    m_token->setObjectName(QStringLiteral("token"));
    m_token->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    auto *generate = new QPushButton(tr("Generate"), page);
    connect(generate, &QPushButton::clicked, this, [this] {
        QByteArray bytes(32, Qt::Uninitialized);
        QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
        m_token->setText(
            QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    });
    tokenRow->addWidget(generate);
    f->addRow(tr("Bind address"), m_bind);
    f->addRow(QString(),
        hint(tr("127.0.0.1 keeps PerfWatch private to this machine. Any other address "
                "needs a token."),
            page));
    f->addRow(tr("HTTP port (ingest, OTLP, REST)"), m_port);
    f->addRow(tr("StatsD port (UDP)"), m_statsdPort);
    f->addRow(tr("OTLP/gRPC port"), m_grpcPort);
    f->addRow(tr("Bearer token"), tokenRow);
    f->addRow(QString(),
        hint(tr("Changing the address, the HTTP or gRPC port or the token restarts those servers; a new "
                "StatsD port applies at the next start."),
            page));
    return page;
}

QWidget *SettingsDialog::displayPage()
{
    auto *page = new QWidget(this);
    QFormLayout *f = form(page);
    m_refresh = intSpin(QStringLiteral("refreshMs"), 10, 600'000, tr(" ms"), page);
    m_refresh->setSingleStep(250);
    m_language = new QComboBox(page);
    m_language->setObjectName(QStringLiteral("language"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_closeToTray = new QCheckBox(tr("Keep running in the system tray when the window is closed"), page);
    m_closeToTray->setObjectName(QStringLiteral("closeToTray"));
    m_notifications = new QCheckBox(tr("Notify when the score drops a band or high-priority advice appears"), page);
    m_notifications->setObjectName(QStringLiteral("notifications"));
    f->addRow(tr("Refresh interval"), m_refresh);
    f->addRow(tr("Language"), m_language);
    f->addRow(QString(), hint(tr("A new language takes effect at the next start."), page));
    f->addRow(QString(), m_closeToTray);
    f->addRow(QString(), m_notifications);
    return page;
}

QWidget *SettingsDialog::storagePage()
{
    auto *page = new QWidget(this);
    QFormLayout *f = form(page);
    m_dataDir = new QLineEdit(page);
    m_dataDir->setObjectName(QStringLiteral("dataDir"));
    m_dataDir->setPlaceholderText(AppSettings {}.resolvedDataDir());
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dataDir, 1);
    auto *browse = new QToolButton(page);
    browse->setText(tr("Browse…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("History folder"), m_dataDir->text());
        if (!dir.isEmpty())
            m_dataDir->setText(dir);
    });
    dirRow->addWidget(browse);
    m_retention = intSpin(QStringLiteral("retentionHours"), 1, 100'000, tr(" h"), page);
    m_cleanup = intSpin(QStringLiteral("cleanupIntervalMinutes"), 0, 100'000, tr(" min"), page);
    m_rawHistory = intSpin(QStringLiteral("maxMetricHistory"), 0, 10'000'000, {}, page);
    m_maxKeys = intSpin(QStringLiteral("maxKeys"), 0, 10'000'000, {}, page);
    f->addRow(tr("History folder"), dirRow);
    f->addRow(tr("Keep history for"), m_retention);
    f->addRow(tr("Drop expired data every"), m_cleanup);
    f->addRow(tr("Raw samples kept per key"), m_rawHistory);
    f->addRow(tr("Most distinct keys"), m_maxKeys);
    f->addRow(QString(), hint(tr("The folder and the limits take effect at the next start."), page));
    return page;
}

QWidget *SettingsDialog::reportsPage()
{
    auto *page = new QWidget(this);
    QFormLayout *f = form(page);
    m_reportHours = intSpin(QStringLiteral("reportHours"), 1, 100'000, tr(" h"), page);
    m_reportPageSize = new QComboBox(page);
    m_reportPageSize->setObjectName(QStringLiteral("reportPageSize"));
    m_reportPageSize->addItem(tr("A4"), QStringLiteral("A4"));
    m_reportPageSize->addItem(tr("US Letter"), QStringLiteral("Letter"));
    m_scheduledReports = new QCheckBox(tr("Write a PDF report on a schedule"), page);
    m_scheduledReports->setObjectName(QStringLiteral("scheduledReports"));
    m_scheduleEvery = intSpin(QStringLiteral("scheduledReportEveryHours"), 1, 24 * 7, tr(" h"), page);
    m_scheduleDir = new QLineEdit(page);
    m_scheduleDir->setObjectName(QStringLiteral("scheduledReportDir"));
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_scheduleDir, 1);
    auto *browse = new QToolButton(page);
    browse->setText(tr("Browse…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Report folder"), m_scheduleDir->text());
        if (!dir.isEmpty())
            m_scheduleDir->setText(dir);
    });
    dirRow->addWidget(browse);
    const auto updateEnabled = [this, browse] {
        const bool on = m_scheduledReports->isChecked();
        m_scheduleEvery->setEnabled(on);
        m_scheduleDir->setEnabled(on);
        browse->setEnabled(on);
    };
    connect(m_scheduledReports, &QCheckBox::toggled, this, updateEnabled);
    f->addRow(tr("Period covered"), m_reportHours);
    f->addRow(QString(),
        hint(tr("Exported and scheduled reports cover this many hours up to the moment they are made."), page));
    f->addRow(tr("Page size"), m_reportPageSize);
    f->addRow(QString(), m_scheduledReports);
    f->addRow(tr("Every"), m_scheduleEvery);
    f->addRow(tr("Folder"), dirRow);
    f->addRow(QString(),
        hint(tr("Reports are written at whole multiples of the interval in UTC (every 6 h: 00:00, 06:00, 12:00 "
                "and 18:00 UTC) and named perfwatch-report-<UTC time>.pdf."),
            page));
    updateEnabled();
    return page;
}

void SettingsDialog::setSettings(const AppSettings &s)
{
    m_base = s;
    m_slowApi->setValue(s.slowApiMs);
    m_slowDb->setValue(s.slowDbMs);
    m_minThroughput->setValue(s.minThroughput);
    m_bind->setText(s.bindAddress);
    m_port->setValue(s.port);
    m_statsdPort->setValue(s.statsdPort);
    m_grpcPort->setValue(s.grpcPort);
    m_token->setText(s.token);
    m_refresh->setValue(s.refreshMs);
    const int language = m_language->findData(s.language);
    m_language->setCurrentIndex(language < 0 ? 0 : language);
    m_closeToTray->setChecked(s.closeToTray);
    m_notifications->setChecked(s.notifications);
    m_dataDir->setText(s.dataDir);
    m_retention->setValue(s.retentionHours);
    m_cleanup->setValue(s.cleanupIntervalMinutes);
    m_rawHistory->setValue(s.maxMetricHistory);
    m_maxKeys->setValue(s.maxKeys);
    m_reportHours->setValue(s.reportHours);
    const int pageSize = m_reportPageSize->findData(s.reportPageSize);
    m_reportPageSize->setCurrentIndex(pageSize < 0 ? 0 : pageSize);
    m_scheduledReports->setChecked(s.scheduledReports);
    m_scheduleEvery->setValue(s.scheduledReportEveryHours);
    m_scheduleDir->setText(s.scheduledReportDir);
    m_error->clear();
    m_error->setVisible(false);
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s = m_base;
    s.slowApiMs = m_slowApi->value();
    s.slowDbMs = m_slowDb->value();
    s.minThroughput = m_minThroughput->value();
    s.bindAddress = m_bind->text().trimmed();
    s.port = m_port->value();
    s.statsdPort = m_statsdPort->value();
    s.grpcPort = m_grpcPort->value();
    s.token = m_token->text().trimmed();
    s.refreshMs = m_refresh->value();
    s.language = m_language->currentData().toString();
    s.closeToTray = m_closeToTray->isChecked();
    s.notifications = m_notifications->isChecked();
    s.dataDir = m_dataDir->text().trimmed();
    s.retentionHours = m_retention->value();
    s.cleanupIntervalMinutes = m_cleanup->value();
    s.maxMetricHistory = m_rawHistory->value();
    s.maxKeys = m_maxKeys->value();
    s.reportHours = m_reportHours->value();
    s.reportPageSize = m_reportPageSize->currentData().toString();
    s.scheduledReports = m_scheduledReports->isChecked();
    s.scheduledReportEveryHours = m_scheduleEvery->value();
    s.scheduledReportDir = m_scheduleDir->text().trimmed();
    return s;
}

QString SettingsDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void SettingsDialog::accept()
{
    const AppSettings s = settings();
    const QStringList problems = s.validate();
    if (!problems.isEmpty()) {
        QStringList lines;
        for (const QString &p : problems)
            lines << QStringLiteral("• ") + p;
        m_error->setText(tr("These values cannot be used:") + u'\n' + lines.join(u'\n'));
        m_error->setVisible(true);
        return;
    }
    m_error->setVisible(false);
    if (m_store) {
        s.save(*m_store);
        m_store->sync();
    } else {
        QSettings store;
        s.save(store);
    }
    m_base = s;
    Q_EMIT settingsApplied(s);
    QDialog::accept();
}

} // namespace perfwatch
