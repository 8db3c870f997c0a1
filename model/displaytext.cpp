#include "displaytext.h"

#include <QCoreApplication>

namespace perfwatch {

bool DisplayText::isBidiControl(char16_t c)
{
    return (c >= u'\u202A' && c <= u'\u202E') || (c >= u'\u2066' && c <= u'\u2069');
}

bool DisplayText::affectsOrder(const QString &name)
{
    for (qsizetype i = 0; i < name.size(); ++i) {
        char32_t c = name[i].unicode();
        if (name[i].isHighSurrogate() && i + 1 < name.size() && name[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(name[i], name[i + 1]); // Adlam, Hanifi Rohingya, … are outside the BMP
            ++i;
        }
        if (c <= 0xFFFF && isBidiControl(char16_t(c)))
            return true;
        switch (QChar::direction(c)) {
        case QChar::DirR:
        case QChar::DirAL:
        case QChar::DirAN:
            return true;
        default:
            break;
        }
    }
    return false;
}

QString DisplayText::showControls(const QString &name)
{
    QString out;
    out.reserve(name.size());
    for (QChar c : name) {
        if (isBidiControl(c.unicode()))
            out += QStringLiteral("[U+%1]").arg(c.unicode(), 4, 16, QLatin1Char('0')).toUpper();
        else
            out += c;
    }
    return out;
}

QString DisplayText::keyName(const QString &keyName)
{
    if (keyName.isEmpty()) // KeyMeta::isOverflow()
        return QCoreApplication::translate("DisplayText", "(other keys)");
    return isolate(keyName);
}

QString DisplayText::isolate(const QString &name)
{
    if (!affectsOrder(name))
        return name;
    return QChar(kFirstStrongIsolate) + showControls(name) + QChar(kPopDirectionalIsolate);
}

} // namespace perfwatch
