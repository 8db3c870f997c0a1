#include "mainwindow.h"

#include "dashboardcontroller.h"
#include "dashboardsource.h"
#include "detailpane.h"
#include "displaytext.h"
#include "emptystatewidget.h"
#include "format.h"
#include "keytablepage.h"
#include "navbutton.h"
#include "overviewpage.h"
#include "recommendationmodel.h"
#include "recommendationspage.h"
#include "settingsdialog.h"
#include "theme.h"
#include "trayalerts.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace perfwatch {

namespace {

constexpr int kTableCount = 4;

int tableIndex(MainWindow::Page page)
{
    return int(page) - int(MainWindow::Page::Api);
}

bool isTablePage(MainWindow::Page page)
{
    return page >= MainWindow::Page::Api && page <= MainWindow::Page::Resources;
}

QString refreshText(int ms)
{
    if (ms % 1000 == 0)
        return MainWindow::tr("every %n s", nullptr, ms / 1000);
    return MainWindow::tr("every %1").arg(Format::duration(ms));
}

QLabel *statusLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setContentsMargins(8, 0, 8, 0);
    return label;
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<DashboardSource> source, const IngestCounters *ingestCounters,
    const QString &ingestAddress, QWidget *parent)
    : QMainWindow(parent)
    , m_source(std::move(source))
    , m_ingestAddress(ingestAddress)
{
    setObjectName(QStringLiteral("PerfWatchMainWindow"));
    setWindowIcon(Theme::appIcon());
    m_controller = new DashboardController(m_source, ingestCounters, this);

    buildToolBar();
    m_root = new QStackedWidget(this);
    m_empty = new EmptyStateWidget(m_root);
    m_root->addWidget(m_empty);
    m_root->addWidget(buildDashboard());
    setCentralWidget(m_root);
    buildStatusBar();

    m_tray = new TrayAlerts(this);
    connect(m_tray, &TrayAlerts::showWindowRequested, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(m_tray, &TrayAlerts::pauseToggled, m_controller, &DashboardController::setPaused);
    connect(m_tray, &TrayAlerts::quitRequested, qApp, &QApplication::quit);
    connect(
        m_tray, &TrayAlerts::notificationsToggled, this, [this](bool enabled) { m_settings.notifications = enabled; });

    connect(m_controller, &DashboardController::snapshotReady, this,
        [this](const DashboardSnapshotPtr &snapshot) { applySnapshot(*snapshot); });
    connect(m_controller, &DashboardController::pausedChanged, this, &MainWindow::updatePauseUi);

    // Shortcuts a second-screen dashboard needs.
    for (int i = 0; i < 6; ++i) {
        auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(shortcut, &QShortcut::activated, this, [this, i] { showPage(Page(i)); });
    }
    auto *refresh = new QShortcut(QKeySequence::Refresh, this);
    connect(refresh, &QShortcut::activated, m_controller, &DashboardController::refreshNow);
    auto *find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, [this] {
        if (isTablePage(m_page))
            m_tables[std::size_t(tableIndex(m_page))]->filterEdit()->setFocus();
    });
    auto *prefs = new QShortcut(QKeySequence::Preferences, this);
    connect(prefs, &QShortcut::activated, this, &MainWindow::openSettings);

    setIngestAddress(ingestAddress);
    {
        // Saved settings until the app passes its effective ones.
        QSettings store;
        m_settings.load(store);
    }
    applySettingsToUi();
    updateStyleSheet();
    resize(1440, 900);
    showPage(Page::Overview);
    m_root->setCurrentIndex(0);
    m_controller->start();
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildDashboard()
{
    auto *dashboard = new QWidget(m_root);
    auto *layout = new QHBoxLayout(dashboard);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *nav = new QWidget(dashboard);
    nav->setObjectName(QStringLiteral("nav"));
    nav->setFixedWidth(228);
    auto *navLayout = new QVBoxLayout(nav);
    navLayout->setContentsMargins(6, 14, 6, 12);
    navLayout->setSpacing(2);
    const std::pair<const char *, const char *> entries[] = {
        { "overview", QT_TR_NOOP("Overview") },
        { "api", QT_TR_NOOP("API endpoints") },
        { "database", QT_TR_NOOP("Database") },
        { "processing", QT_TR_NOOP("Processing") },
        { "resources", QT_TR_NOOP("Resources") },
        { "recommendations", QT_TR_NOOP("Recommendations") },
    };
    auto *group = new QButtonGroup(this);
    group->setExclusive(true);
    for (int i = 0; i < 6; ++i) {
        m_nav[std::size_t(i)] = new NavButton(QString::fromLatin1(entries[i].first), tr(entries[i].second), nav);
        m_nav[std::size_t(i)]->setToolTip(tr("%1 (Ctrl+%2)").arg(tr(entries[i].second)).arg(i + 1));
        group->addButton(m_nav[std::size_t(i)], i);
        navLayout->addWidget(m_nav[std::size_t(i)]);
        if (i == 0 || i == 4)
            navLayout->addSpacing(8);
    }
    navLayout->addStretch(1);
    connect(group, &QButtonGroup::idClicked, this, [this](int id) { showPage(Page(id)); });
    layout->addWidget(nav);

    m_pages = new QStackedWidget(dashboard);
    m_overview = new OverviewPage(m_pages);
    m_pages->addWidget(m_overview);
    connect(m_overview, &OverviewPage::clearSelectionRequested, this, &MainWindow::clearSelection);
    connect(m_overview, &OverviewPage::recommendationsRequested, this, [this] { showPage(Page::Recommendations); });

    auto *tablesArea = new QSplitter(Qt::Vertical, m_pages);
    tablesArea->setChildrenCollapsible(false);
    tablesArea->setHandleWidth(10);
    m_tableStack = new QStackedWidget(tablesArea);
    using T = KeyStatsModel::Table;
    m_tables[0] = new KeyTablePage(
        tr("API endpoints"), { { T::Api, {}, [](int n) { return tr("%n endpoint(s)", nullptr, n); } } }, m_tableStack);
    m_tables[1] = new KeyTablePage(tr("Database operations"),
        { { T::Database, {}, [](int n) { return tr("%n operation(s)", nullptr, n); } } }, m_tableStack);
    m_tables[2] = new KeyTablePage(tr("Processing steps"),
        { { T::Processing, {}, [](int n) { return tr("%n step(s)", nullptr, n); } } }, m_tableStack);
    m_tables[3] = new KeyTablePage(tr("Resources"),
        { { T::Gauges, tr("Gauges and pools"), [](int n) { return tr("%n gauge(s)", nullptr, n); } },
            { T::Caches, tr("Caches"), [](int n) { return tr("%n cache(s)", nullptr, n); } } },
        m_tableStack);
    for (KeyTablePage *page : m_tables) {
        m_tableStack->addWidget(page);
        connect(page, &KeyTablePage::keySelected, this, &MainWindow::onKeySelected);
    }
    m_detail = new DetailPane(tablesArea);
    connect(m_detail, &DetailPane::closeRequested, this, &MainWindow::clearSelection);
    auto *detailHolder = new QWidget(tablesArea);
    auto *detailLayout = new QVBoxLayout(detailHolder);
    detailLayout->setContentsMargins(16, 0, 16, 14);
    detailLayout->addWidget(m_detail);
    tablesArea->addWidget(m_tableStack);
    tablesArea->addWidget(detailHolder);
    tablesArea->setStretchFactor(0, 3);
    tablesArea->setStretchFactor(1, 2);
    tablesArea->setSizes({ 520, 330 });
    m_pages->addWidget(tablesArea);

    m_recommendations = new RecommendationsPage(m_pages);
    m_pages->addWidget(m_recommendations);
    layout->addWidget(m_pages, 1);
    return dashboard;
}

void MainWindow::buildToolBar()
{
    auto *bar = new QToolBar(tr("Controls"), this);
    bar->setObjectName(QStringLiteral("controls"));
    bar->setMovable(false);
    bar->setFloatable(false);
    bar->setIconSize(QSize(18, 18));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->toggleViewAction()->setEnabled(false);
    addToolBar(Qt::TopToolBarArea, bar);

    auto *brand = new QWidget(bar);
    auto *brandLayout = new QHBoxLayout(brand);
    brandLayout->setContentsMargins(10, 4, 18, 4);
    brandLayout->setSpacing(8);
    auto *logo = new QLabel(brand);
    logo->setPixmap(Theme::appIcon().pixmap(26, 26));
    brandLayout->addWidget(logo);
    auto *name = new QLabel(QStringLiteral("PerfWatch"), brand);
    name->setFont(Theme::font(1.25, true));
    brandLayout->addWidget(name);
    bar->addWidget(brand);

    m_live = new QLabel(bar);
    m_live->setContentsMargins(6, 0, 6, 0);
    bar->addWidget(m_live);

    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);

    m_serviceBox = new QWidget(bar);
    auto *serviceLayout = new QHBoxLayout(m_serviceBox);
    serviceLayout->setContentsMargins(0, 0, 12, 0);
    serviceLayout->setSpacing(6);
    auto *serviceLabel = new QLabel(tr("Service"), m_serviceBox);
    serviceLabel->setForegroundRole(QPalette::PlaceholderText);
    serviceLayout->addWidget(serviceLabel);
    m_service = new QComboBox(m_serviceBox);
    m_service->setObjectName(QStringLiteral("serviceFilter"));
    m_service->setMinimumWidth(150);
    m_service->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    serviceLayout->addWidget(m_service);
    m_serviceBox->setVisible(false);
    bar->addWidget(m_serviceBox)->setVisible(false);
    m_serviceBox->setProperty("pw_action", QVariant::fromValue(static_cast<QObject *>(bar->actions().constLast())));
    connect(m_service, &QComboBox::activated, this, [this] {
        const QString service = m_service->currentData().toString();
        m_controller->setServices(service.isEmpty() ? QStringList() : QStringList { service });
    });

    auto *ranges = new QWidget(bar);
    ranges->setObjectName(QStringLiteral("ranges"));
    auto *rangeLayout = new QHBoxLayout(ranges);
    rangeLayout->setContentsMargins(0, 0, 12, 0);
    rangeLayout->setSpacing(0);
    m_rangeGroup = new QButtonGroup(this);
    m_rangeGroup->setExclusive(true);
    for (TimeRange range : kTimeRanges) {
        auto *button = new QToolButton(ranges);
        button->setObjectName(QStringLiteral("rangeButton"));
        button->setText(rangeLabel(range));
        button->setCheckable(true);
        button->setToolTip(tr("Show the last %1").arg(rangeLabel(range)));
        button->setProperty("pw_first", range == kTimeRanges.front());
        button->setProperty("pw_last", range == kTimeRanges.back());
        m_rangeGroup->addButton(button, int(range));
        rangeLayout->addWidget(button);
    }
    m_rangeGroup->button(int(TimeRange::Minutes15))->setChecked(true);
    connect(m_rangeGroup, &QButtonGroup::idClicked, this, [this](int id) { m_controller->setRange(TimeRange(id)); });
    bar->addWidget(ranges);

    auto *refreshBox = new QWidget(bar);
    auto *refreshLayout = new QHBoxLayout(refreshBox);
    refreshLayout->setContentsMargins(0, 0, 6, 0);
    refreshLayout->setSpacing(6);
    auto *refreshIcon = new QLabel(refreshBox);
    refreshIcon->setPixmap(Theme::icon(QStringLiteral("refresh"), Theme::mutedText(palette())).pixmap(16, 16));
    refreshIcon->setToolTip(tr("Refresh interval"));
    refreshLayout->addWidget(refreshIcon);
    m_refresh = new QComboBox(refreshBox);
    m_refresh->setObjectName(QStringLiteral("refreshInterval"));
    m_refresh->setToolTip(tr("Refresh interval"));
    for (int ms : { 1000, 2000, 5000, 10'000, 30'000 })
        m_refresh->addItem(refreshText(ms), ms);
    refreshLayout->addWidget(m_refresh);
    connect(m_refresh, &QComboBox::activated, this, [this] {
        const int ms = m_refresh->currentData().toInt();
        m_settings.refreshMs = ms;
        m_controller->setRefreshIntervalMs(ms);
    });
    bar->addWidget(refreshBox);

    m_pause = new QToolButton(bar);
    m_pause->setObjectName(QStringLiteral("pause"));
    m_pause->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(m_pause, &QToolButton::toggled, m_controller, &DashboardController::setPaused);
    bar->addWidget(m_pause);

    buildExportMenu(bar);

    auto *settings = new QToolButton(bar);
    settings->setIcon(Theme::icon(QStringLiteral("settings")));
    settings->setToolTip(tr("Settings (thresholds, server, display, storage, reports)"));
    settings->setToolButtonStyle(Qt::ToolButtonIconOnly);
    connect(settings, &QToolButton::clicked, this, &MainWindow::openSettings);
    bar->addWidget(settings);
    auto *tail = new QWidget(bar);
    tail->setFixedWidth(8);
    bar->addWidget(tail);
    updatePauseUi(false);
}

void MainWindow::buildStatusBar()
{
    QStatusBar *bar = statusBar();
    bar->setSizeGripEnabled(false);
    m_statusIngest = statusLabel(bar);
    m_statusRate = statusLabel(bar);
    m_statusTotal = statusLabel(bar);
    m_statusRejected = statusLabel(bar);
    m_statusConnections = statusLabel(bar);
    m_statusHistory = statusLabel(bar);
    m_statusReport = statusLabel(bar);
    m_statusReport->setObjectName(QStringLiteral("reportStatus"));
    m_statusReport->setVisible(false);
    bar->addWidget(m_statusIngest);
    for (QLabel *l :
        { m_statusReport, m_statusRate, m_statusTotal, m_statusRejected, m_statusConnections, m_statusHistory })
        bar->addPermanentWidget(l);
}

void MainWindow::setIngestAddress(const QString &address)
{
    m_ingestAddress = address;
    m_empty->setIngestAddress(address);
    setWindowTitle(address.isEmpty() ? tr("PerfWatch") : tr("PerfWatch — %1").arg(address));
    m_statusIngest->setText(address.isEmpty() ? tr("Ingest: not listening") : tr("Ingest: %1").arg(address));
}

void MainWindow::setSettings(const AppSettings &settings)
{
    m_settings = settings;
    applySettingsToUi();
}

void MainWindow::setSettingsStore(QSettings *store)
{
    m_settingsStore = store;
}

void MainWindow::applySettingsToUi()
{
    m_controller->setRefreshIntervalMs(m_settings.refreshMs);
    int index = m_refresh->findData(m_settings.refreshMs);
    if (index < 0) {
        m_refresh->addItem(refreshText(m_settings.refreshMs), m_settings.refreshMs);
        index = m_refresh->count() - 1;
    }
    m_refresh->setCurrentIndex(index);
    m_tray->setNotificationsEnabled(m_settings.notifications);

    AnalyzerConfig config = m_source->thresholds();
    if (config.slowApiMs != m_settings.slowApiMs || config.slowDbMs != m_settings.slowDbMs
        || config.minThroughput != m_settings.minThroughput) {
        config.slowApiMs = m_settings.slowApiMs;
        config.slowDbMs = m_settings.slowDbMs;
        config.minThroughput = m_settings.minThroughput;
        m_source->setThresholds(config);
        m_controller->refreshNow();
    }
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings, m_settingsStore, this);
    connect(&dialog, &SettingsDialog::settingsApplied, this, [this](const AppSettings &settings) {
        m_settings = settings;
        applySettingsToUi();
        Q_EMIT settingsChanged(settings);
    });
    dialog.exec();
}

KeyTablePage *MainWindow::tablePage(KeyStatsModel::Table table) const
{
    switch (table) {
    case KeyStatsModel::Table::Api:
        return m_tables[0];
    case KeyStatsModel::Table::Database:
        return m_tables[1];
    case KeyStatsModel::Table::Processing:
        return m_tables[2];
    case KeyStatsModel::Table::Gauges:
    case KeyStatsModel::Table::Caches:
        break;
    }
    return m_tables[3];
}

bool MainWindow::isShowingEmptyState() const
{
    return m_root->currentWidget() == m_empty;
}

void MainWindow::showPage(Page page)
{
    m_page = page;
    m_nav[std::size_t(page)]->setChecked(true);
    if (page == Page::Overview) {
        m_pages->setCurrentIndex(0);
    } else if (page == Page::Recommendations) {
        m_pages->setCurrentIndex(2);
    } else {
        m_pages->setCurrentIndex(1);
        KeyTablePage *table = m_tables[std::size_t(tableIndex(page))];
        m_tableStack->setCurrentWidget(table);
        // Each table keeps its own selection; the charts follow the table on screen.
        m_controller->setSelectedKey(table->selectedKey());
    }
    updateExportActions();
}

void MainWindow::setRange(TimeRange range)
{
    if (QAbstractButton *button = m_rangeGroup->button(int(range)))
        button->setChecked(true);
    m_controller->setRange(range);
}

void MainWindow::onKeySelected(const KeyRef &key)
{
    m_controller->setSelectedKey(key);
}

void MainWindow::clearSelection()
{
    for (KeyTablePage *page : m_tables)
        page->clearSelection();
    m_controller->setSelectedKey({});
}

void MainWindow::applySnapshot(const DashboardSnapshot &s)
{
    Q_ASSERT(QThread::currentThread() == thread());
    QElapsedTimer timer;
    timer.start();
    if (!m_hasData && s.hasData) {
        m_hasData = true;
        m_root->setCurrentIndex(1);
    }
    m_overview->apply(s);
    for (KeyTablePage *page : m_tables)
        page->apply(s);
    m_detail->apply(s);
    m_recommendations->apply(s);
    updateServiceFilter(s.services);
    updateStatusBar(s);

    const int high = int(std::count_if(s.analysis.recommendations.begin(), s.analysis.recommendations.end(),
        [](const Recommendation &r) { return r.priority == Priority::High; }));
    m_nav[std::size_t(Page::Recommendations)]->setBadge(int(s.analysis.recommendations.size()), high > 0);
    if (s.analysis.score.computedAtMs != m_lastAnalysisMs) {
        m_lastAnalysisMs = s.analysis.score.computedAtMs;
        m_tray->update(s.analysis, s.nowMs);
    }
    m_lastApplyMicros = timer.nsecsElapsed() / 1000;
    m_live->setToolTip(tr("Last refresh: snapshot %1 on the worker, %2 on screen")
                           .arg(Format::duration(double(s.buildMicros) / 1000.0),
                               Format::duration(double(m_lastApplyMicros) / 1000.0)));
}

void MainWindow::updateServiceFilter(const QStringList &services)
{
    if (services == m_services)
        return;
    m_services = services;
    const QString current = m_service->currentData().toString();
    m_service->clear();
    m_service->addItem(tr("All services"), QString());
    for (const QString &s : services)
        m_service->addItem(DisplayText::isolate(s), s);
    const int index = m_service->findData(current);
    m_service->setCurrentIndex(index < 0 ? 0 : index);
    const bool show = services.size() > 1;
    m_serviceBox->setVisible(show);
    if (auto *action = qobject_cast<QAction *>(m_serviceBox->property("pw_action").value<QObject *>()))
        action->setVisible(show);
}

void MainWindow::updateStatusBar(const DashboardSnapshot &s)
{
    const IngestStatus &st = s.status;
    m_statusRate->setText(tr("%1 events/s").arg(Format::number(st.eventsPerSec, st.eventsPerSec < 10 ? 1 : 0)));
    m_statusTotal->setText(tr("%1 events").arg(Format::compactCount(double(st.store.events))));
    if (st.haveIngest) {
        m_statusTotal->setToolTip(
            tr("%1 events stored since start; over HTTP: %2 events in %3 requests (%4 received)")
                .arg(Format::count(st.store.events), Format::count(st.ingest.acceptedEvents),
                    Format::count(st.ingest.requests), QLocale().formattedDataSize(qint64(st.ingest.bytesReceived))));
        m_statusRejected->setText(tr("%1 rejected").arg(Format::compactCount(double(st.ingest.rejectedEvents))));
        m_statusRejected->setToolTip(
            tr("%1 invalid events, %2 refused requests")
                .arg(Format::count(st.ingest.rejectedEvents), Format::count(st.ingest.refusedRequests)));
        m_statusConnections->setText(tr("%n connection(s)", nullptr, st.ingest.openConnections));
    } else {
        m_statusTotal->setToolTip(tr("Events stored since start"));
        m_statusRejected->setText(tr("%1 dropped").arg(Format::compactCount(double(st.store.droppedLate))));
        m_statusRejected->setToolTip(tr("Events older than the late window"));
        m_statusConnections->setText(tr("no ingest server"));
    }
    if (st.store.overflowEvents > 0)
        m_statusTotal->setToolTip(m_statusTotal->toolTip() + u'\n'
            + tr("%1 events went to \"other\" keys: the key limit is reached")
                  .arg(Format::count(st.store.overflowEvents)));

    const PersistenceStatus &p = st.persistence;
    QPalette pal = m_statusHistory->palette();
    pal.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
    if (!p.enabled) {
        m_statusHistory->setText(tr("History: off"));
        m_statusHistory->setToolTip(tr("Running without a data folder: nothing is kept after exit"));
    } else if (!p.healthy) {
        m_statusHistory->setText(tr("History: failing"));
        m_statusHistory->setToolTip(
            tr("%1\n%n rollup(s) waiting to be written", nullptr, int(p.pendingRows)).arg(p.lastError));
        pal.setColor(QPalette::WindowText, Theme::severityColor(Theme::Severity::Critical, palette()));
    } else {
        m_statusHistory->setText(
            p.lastFlushMs > 0 ? tr("History: saved %1").arg(Format::ago(p.lastFlushMs, s.nowMs)) : tr("History: on"));
        m_statusHistory->setToolTip(p.lastError.isEmpty() ? p.path : p.path + u'\n' + p.lastError);
    }
    m_statusHistory->setPalette(pal);
}

void MainWindow::updatePauseUi(bool paused)
{
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
    }
    m_pause->setIcon(Theme::icon(paused ? QStringLiteral("play") : QStringLiteral("pause")));
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setToolTip(paused ? tr("Resume live updates (Ctrl+P)") : tr("Pause live updates (Ctrl+P)"));
    const QColor color = paused ? Theme::severityColor(Theme::Severity::Warning, palette())
                                : Theme::severityColor(Theme::Severity::Good, palette());
    m_live->setText(
        QStringLiteral("<span style=\"color:%1\">●</span> %2").arg(color.name(), paused ? tr("Paused") : tr("Live")));
    if (m_tray)
        m_tray->setPaused(paused);
}

void MainWindow::updateStyleSheet()
{
    const QPalette pal = palette();
    const QString border = Theme::borderColor(pal).name();
    const QString base = pal.color(QPalette::Base).name();
    const QString window = pal.color(QPalette::Window).name();
    const QString text = pal.color(QPalette::Text).name();
    const QString muted = Theme::mutedText(pal).name();
    QColor accent = pal.color(QPalette::Highlight);
    QColor accentSoft = accent;
    accentSoft.setAlpha(Theme::isDark(pal) ? 90 : 40);
    QColor hover = pal.color(QPalette::Text);
    hover.setAlpha(18);
    const QString checkedText = Theme::isDark(pal) ? text : accent.darker(115).name();
    const QString css = QStringLiteral(
        "QToolBar#controls { background: %1; border: none; border-bottom: 1px solid %2; padding: 4px 4px; spacing: "
        "4px; }"
        "QWidget#nav { background: %1; border-right: 1px solid %2; }"
        "QToolButton#rangeButton { border: 1px solid %2; border-left: none; padding: 4px 11px; background: %3; color: "
        "%4; }"
        "QToolButton#rangeButton[pw_first=\"true\"] { border-left: 1px solid %2; border-top-left-radius: 6px; "
        "border-bottom-left-radius: 6px; }"
        "QToolButton#rangeButton[pw_last=\"true\"] { border-top-right-radius: 6px; border-bottom-right-radius: 6px; }"
        "QToolButton#rangeButton:hover { background: %5; }"
        "QToolButton#rangeButton:checked { background: %6; color: %7; font-weight: bold; }"
        "QHeaderView::section { background: %3; color: %8; border: none; border-bottom: 1px solid %2; padding: 6px "
        "16px 6px 8px; font-weight: bold; }"
        "QHeaderView::down-arrow { image: url(:/perfwatch/icons/sort-down.svg); subcontrol-origin: padding; "
        "subcontrol-position: center right; width: 10px; height: 10px; right: 3px; }"
        "QHeaderView::up-arrow { image: url(:/perfwatch/icons/sort-up.svg); subcontrol-origin: padding; "
        "subcontrol-position: center right; width: 10px; height: 10px; right: 3px; }"
        "QTableView { background: %3; alternate-background-color: %9; border: none; selection-background-color: %6; "
        "selection-color: %4; }"
        "QStatusBar { background: %1; border-top: 1px solid %2; color: %8; }"
        "QStatusBar QLabel { color: %8; }"
        "QStatusBar::item { border: none; }"
        "QSplitter::handle { background: transparent; }")
                            .arg(window, border, base, text, QColor(hover).name(QColor::HexArgb),
                                accentSoft.name(QColor::HexArgb), checkedText, muted)
                            .arg(pal.color(QPalette::AlternateBase).name());
    setStyleSheet(css);
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        updateStyleSheet();
        updatePauseUi(m_controller->isPaused());
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_settings.closeToTray && m_tray->isAvailable() && !QCoreApplication::closingDown()) {
        hide();
        event->ignore();
        if (!m_toldAboutTray) {
            m_toldAboutTray = true;
            m_tray->notify({ tr("PerfWatch keeps running"),
                tr("It still collects measurements. Open it again from the tray icon."), false });
        }
        return;
    }
    QMainWindow::closeEvent(event);
}

bool MainWindow::waitForSnapshot(int timeoutMs)
{
    QEventLoop loop;
    bool arrived = false;
    const QMetaObject::Connection c = connect(m_controller, &DashboardController::snapshotReady, &loop, [&] {
        arrived = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    m_controller->refreshNow();
    if (!arrived)
        loop.exec();
    disconnect(c);
    QCoreApplication::processEvents();
    return arrived;
}

QStringList MainWindow::saveScreenshots(const QString &dir, QString *error)
{
    QStringList written;
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = tr("cannot create the folder %1").arg(dir);
        return written;
    }
    if (!isVisible()) {
        resize(1440, 900);
        show();
    }
    const Page previousPage = m_page;
    const KeyRef previousKey = m_controller->request().selected;
    auto save = [&](const QString &name) {
        QCoreApplication::processEvents();
        const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
        if (grab().save(path))
            written << path;
        else if (error)
            *error = tr("cannot write %1").arg(path);
    };

    clearSelection();
    showPage(Page::Overview);
    waitForSnapshot(15'000);
    save(QStringLiteral("overview"));

    const std::pair<Page, const char *> tables[] = {
        { Page::Api, "api" },
        { Page::Database, "database" },
        { Page::Processing, "processing" },
        { Page::Resources, "resources" },
    };
    for (const auto &[page, name] : tables) {
        showPage(page);
        KeyTablePage *table = m_tables[std::size_t(tableIndex(page))];
        table->selectRow(0, 0);
        waitForSnapshot(15'000);
        save(QString::fromLatin1(name));
    }
    showPage(Page::Recommendations);
    m_recommendations->selectRow(0);
    waitForSnapshot(15'000);
    save(QStringLiteral("recommendations"));

    clearSelection();
    showPage(previousPage);
    if (previousKey.isValid() && isTablePage(previousPage))
        m_tables[std::size_t(tableIndex(previousPage))]->selectKey(previousKey);
    return written;
}

} // namespace perfwatch
