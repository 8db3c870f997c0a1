#pragma once

#include "readtotals.h"

#include <QByteArray>

namespace perfwatch::bench {

/// Reads every field of every event with QJsonDocument: the comparison point for simdjson.
class QJsonReader
{
public:
    ReadTotals read(const QByteArray &body, bool ndjson);
};

} // namespace perfwatch::bench
