#include "format.h"
#include "translations.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

using namespace perfwatch;

namespace {

struct Message
{
    QString context;
    QString source;
    bool numerus = false;
    QString type; ///< "unfinished", "vanished", "obsolete" or empty
    QStringList translations; ///< one, or the numerus forms
};

std::vector<Message> readTs(const QString &path)
{
    std::vector<Message> messages;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(path));
    QXmlStreamReader xml(&file);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (xml.name() == u"name") {
                context = xml.readElementText();
            } else if (xml.name() == u"message") {
                current = Message {};
                current.context = context;
                current.numerus = xml.attributes().value(QStringLiteral("numerus")) == u"yes";
            } else if (xml.name() == u"source") {
                current.source = xml.readElementText();
            } else if (xml.name() == u"translation") {
                current.type = xml.attributes().value(QStringLiteral("type")).toString();
                if (!current.numerus)
                    current.translations << xml.readElementText();
            } else if (xml.name() == u"numerusform") {
                current.translations << xml.readElementText();
            }
        } else if (xml.isEndElement() && xml.name() == u"message") {
            messages.push_back(current);
        }
    }
    if (xml.hasError())
        qFatal("%s: %s", qPrintable(path), qPrintable(xml.errorString()));
    return messages;
}

QSet<QString> placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d|n)"));
    QSet<QString> out;
    for (auto it = re.globalMatch(text); it.hasNext();)
        out.insert(it.next().captured(0));
    return out;
}

QString tsPath(const char *name)
{
    return QStringLiteral(PERFWATCH_SOURCE_DIR "/translations/") + QString::fromLatin1(name);
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyGermanMessageIsTranslated()
    {
        const std::vector<Message> messages = readTs(tsPath("perfwatch_de.ts"));
        QVERIFY(messages.size() > 100);
        QStringList problems;
        for (const Message &m : messages) {
            if (m.type == u"vanished" || m.type == u"obsolete")
                continue;
            const QString where = m.context + QStringLiteral(": ") + m.source;
            if (m.type == u"unfinished")
                problems << where + QStringLiteral(" (unfinished)");
            if (m.translations.isEmpty() || (m.numerus && m.translations.size() != 2))
                problems << where + QStringLiteral(" (forms missing)");
            for (const QString &t : m.translations) {
                if (t.trimmed().isEmpty())
                    problems << where + QStringLiteral(" (empty)");
                else if (placeholders(t) != placeholders(m.source))
                    problems << where + QStringLiteral(" (placeholders differ: ") + t + u')';
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }

    void everyEnglishPluralIsFilled()
    {
        const std::vector<Message> messages = readTs(tsPath("perfwatch_en.ts"));
        for (const Message &m : messages) {
            QVERIFY2(m.numerus, qPrintable(m.source));
            QCOMPARE(m.translations.size(), 2);
            QVERIFY2(!m.translations.at(0).contains(QStringLiteral("(s)")), qPrintable(m.source));
            QVERIFY2(m.type.isEmpty(), qPrintable(m.source));
        }
    }

    void germanIsCompiledIntoTheLibrary()
    {
        QVERIFY(installTranslations(*QCoreApplication::instance(), QStringLiteral("de")));
        QCOMPARE(Format::ago(0, 5 * 60'000), QStringLiteral("vor 5 min"));
        QCOMPARE(Format::duration(12.34), QStringLiteral("12,3 ms"));
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
