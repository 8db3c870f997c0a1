#pragma once

#include <QWidget>

class QLabel;

namespace perfwatch {

/// What the window shows before any data arrived: how to point a service at PerfWatch.
class EmptyStateWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmptyStateWidget)
public:
    explicit EmptyStateWidget(QWidget *parent = nullptr);

    /// The ingest base address, e.g. "http://127.0.0.1:4318".
    void setIngestAddress(const QString &address);
    QString curlCommand() const;
    QString otlpEndpoint() const;
    static QString pythonSnippet();

protected:
    void changeEvent(QEvent *event) override;

private:
    void refresh();

    QString m_address;
    QLabel *m_curl = nullptr;
    QLabel *m_otlp = nullptr;
    QLabel *m_python = nullptr;
    QLabel *m_listening = nullptr;
};

} // namespace perfwatch
