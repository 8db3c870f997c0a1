#include "emptystatewidget.h"

#include "card.h"
#include "theme.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QVBoxLayout>

namespace perfwatch {

namespace {

/// A monospace, selectable snippet on a tinted panel with a copy button.
class CodeBlock final : public QFrame
{
public:
    CodeBlock(QLabel *code, QWidget *parent)
        : QFrame(parent)
    {
        auto *layout = new QHBoxLayout(this);
        layout->setContentsMargins(12, 8, 6, 8);
        QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        mono.setPointSizeF(QApplication::font().pointSizeF() * 0.95);
        code->setFont(mono);
        code->setTextInteractionFlags(Qt::TextSelectableByMouse);
        code->setWordWrap(true);
        code->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        layout->addWidget(code, 1);
        auto *copy = new QToolButton(this);
        copy->setAutoRaise(true);
        copy->setIcon(Theme::icon(QStringLiteral("copy")));
        copy->setToolTip(EmptyStateWidget::tr("Copy to the clipboard"));
        layout->addWidget(copy, 0, Qt::AlignTop);
        QObject::connect(
            copy, &QToolButton::clicked, code, [code] { QGuiApplication::clipboard()->setText(code->text()); });
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        QPainterPath path;
        path.addRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        p.fillPath(path, palette().color(QPalette::AlternateBase));
        p.setPen(QPen(Theme::borderColor(palette()), 1));
        p.drawPath(path);
    }
};

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setFont(Theme::font(1.05, true));
    return label;
}

} // namespace

EmptyStateWidget::EmptyStateWidget(QWidget *parent)
    : QWidget(parent)
    , m_address(QStringLiteral("http://127.0.0.1:4318"))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(24, 24, 24, 24);
    outer->addStretch(1);

    auto *card = new Card(this);
    card->setMaximumWidth(860);
    card->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(36, 30, 36, 32);
    layout->setSpacing(10);

    auto *logo = new QLabel(card);
    logo->setPixmap(Theme::appIcon().pixmap(56, 56));
    layout->addWidget(logo, 0, Qt::AlignLeft);
    auto *title = new QLabel(tr("Waiting for the first measurements"), card);
    title->setFont(Theme::font(1.7, true));
    layout->addWidget(title);
    m_listening = new QLabel(card);
    m_listening->setWordWrap(true);
    m_listening->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_listening);
    layout->addSpacing(10);

    m_curl = new QLabel(card);
    m_otlp = new QLabel(card);
    m_python = new QLabel(card);

    layout->addWidget(heading(tr("Send one event with curl"), card));
    layout->addWidget(new CodeBlock(m_curl, card));
    layout->addSpacing(6);
    layout->addWidget(heading(tr("Or export OpenTelemetry traces (OTLP/HTTP JSON)"), card));
    auto *otlpHint = new QLabel(tr("SDKs that default to port 4318 need no configuration; otherwise set the "
                                   "traces endpoint to:"),
        card);
    otlpHint->setWordWrap(true);
    otlpHint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(otlpHint);
    layout->addWidget(new CodeBlock(m_otlp, card));
    layout->addSpacing(6);
    layout->addWidget(heading(tr("Or time requests from Python"), card));
    layout->addWidget(new CodeBlock(m_python, card));
    layout->addSpacing(8);
    auto *footer = new QLabel(tr("The dashboard appears as soon as the first event arrives. "
                                 "Run <b>perfwatch --demo</b> to explore it with a simulated service."),
        card);
    footer->setWordWrap(true);
    footer->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(footer);

    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(card, 4);
    row->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);
    refresh();
}

void EmptyStateWidget::setIngestAddress(const QString &address)
{
    if (address.isEmpty() || address == m_address)
        return;
    m_address = address;
    refresh();
}

QString EmptyStateWidget::curlCommand() const
{
    return QStringLiteral("curl -X POST %1/api/performance/ingest -H 'Content-Type: application/json' \\\n"
                          "     -d '{\"type\":\"api\",\"method\":\"GET\",\"route\":\"/api/trips\","
                          "\"duration_ms\":123.4,\"status\":200}'")
        .arg(m_address);
}

QString EmptyStateWidget::otlpEndpoint() const
{
    return m_address + QStringLiteral("/v1/traces");
}

QString EmptyStateWidget::pythonSnippet()
{
    return QStringLiteral("from perfwatch_client import log_request_timing");
}

void EmptyStateWidget::refresh()
{
    m_listening->setText(tr("PerfWatch is listening on %1. Point a service at it with any of these:").arg(m_address));
    m_curl->setText(curlCommand());
    m_otlp->setText(otlpEndpoint());
    m_python->setText(pythonSnippet());
}

void EmptyStateWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        refresh();
}

} // namespace perfwatch
