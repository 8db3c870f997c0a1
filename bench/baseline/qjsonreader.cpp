#include "qjsonreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>

namespace perfwatch::bench {

namespace {

void readValue(const QJsonValue &value, ReadTotals &totals);

void readObject(const QJsonObject &object, ReadTotals &totals)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        totals.stringBytes += quint64(key.size());
        if (key == QLatin1StringView("duration_ms"))
            totals.durationSum += it.value().toDouble();
        else
            readValue(it.value(), totals);
    }
}

void readValue(const QJsonValue &value, ReadTotals &totals)
{
    switch (value.type()) {
    case QJsonValue::Object:
        readObject(value.toObject(), totals);
        break;
    case QJsonValue::Array:
        for (const QJsonValue element : value.toArray())
            readValue(element, totals);
        break;
    case QJsonValue::String:
        totals.stringBytes += quint64(value.toString().size());
        break;
    case QJsonValue::Double:
        totals.numberSum += value.toDouble();
        break;
    case QJsonValue::Bool:
        totals.numberSum += value.toBool() ? 1 : 0;
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
}

bool readDocument(const QByteArray &json, ReadTotals &totals)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return false;
    if (document.isArray()) {
        for (const QJsonValue element : document.array()) {
            readObject(element.toObject(), totals);
            ++totals.events;
        }
    } else {
        readObject(document.object(), totals);
        ++totals.events;
    }
    return true;
}

} // namespace

ReadTotals QJsonReader::read(const QByteArray &body, bool ndjson)
{
    ReadTotals totals;
    if (!ndjson) {
        totals.ok = readDocument(body, totals);
        return totals;
    }
    totals.ok = true;
    for (QByteArrayView rest = body; !rest.isEmpty();) {
        const qsizetype newline = rest.indexOf('\n');
        const QByteArrayView line = rest.first(newline < 0 ? rest.size() : newline).trimmed();
        rest = newline < 0 ? QByteArrayView() : rest.sliced(newline + 1);
        if (!line.isEmpty() && !readDocument(line.toByteArray(), totals)) {
            totals.ok = false;
            break;
        }
    }
    return totals;
}

} // namespace perfwatch::bench
