// MainWindow's engine constructor lives apart from mainwindow.cpp on purpose: linking it pulls in
// the PerformanceEngine (and with it SQLite history), which tests and the views dev tool, built on
// a bare MetricStore, must not need.
#include "enginedashboardsource.h"
#include "mainwindow.h"

namespace perfwatch {

MainWindow::MainWindow(
    PerformanceEngine &engine, const IngestCounters *ingestCounters, const QString &ingestAddress, QWidget *parent)
    : MainWindow(std::make_shared<EngineDashboardSource>(engine), ingestCounters, ingestAddress, parent)
{ }

} // namespace perfwatch
