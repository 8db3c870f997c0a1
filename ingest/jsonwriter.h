#pragma once

#include <QByteArray>
#include <QString>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Appends compact JSON to a byte array, keeping keys in the order they are written.
///
/// Faster and more predictable than QJsonDocument for responses: no intermediate tree, no
/// key sorting. Non-finite numbers are written as null. Strings must be valid UTF-8.
class JsonWriter
{
public:
    JsonWriter() { m_out.reserve(256); }

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(std::string_view name);

    JsonWriter &value(std::string_view text);
    JsonWriter &value(const QString &text);
    JsonWriter &value(const char *text) { return value(std::string_view(text)); }
    JsonWriter &value(bool flag);
    JsonWriter &value(int number) { return value(qint64(number)); }
    JsonWriter &value(qint64 number);
    JsonWriter &value(quint64 number);
    JsonWriter &value(double number);
    /// A number rounded to `decimals` places (trailing zeros dropped): 12.3456 -> 12.346.
    JsonWriter &value(double number, int decimals);
    JsonWriter &null();
    /// Inserts an already serialised JSON value.
    JsonWriter &raw(QByteArrayView json);

    /// key(name).value(v) in one call.
    template<typename T>
    JsonWriter &field(std::string_view name, const T &v)
    {
        return key(name).value(v);
    }
    JsonWriter &field(std::string_view name, double v, int decimals) { return key(name).value(v, decimals); }

    const QByteArray &data() const { return m_out; }
    QByteArray take() { return std::move(m_out); }

    /// Appends `text` as a quoted JSON string.
    static void appendString(QByteArray &out, std::string_view text);

private:
    void separate();

    QByteArray m_out;
    std::vector<bool> m_hasItem; ///< per open container: whether a comma is needed before the next item
    bool m_afterKey = false;
};

} // namespace perfwatch
