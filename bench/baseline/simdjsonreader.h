#pragma once

#include "readtotals.h"

#include <QByteArrayView>
#include <cstddef>
#include <memory>
#include <simdjson.h>

namespace perfwatch::bench {

/// Reads every field of every event of a native ingest body with simdjson On-Demand.
///
/// Keeps its parser and padded copy buffer between calls (one reader per thread), as a real
/// ingest handler would, so steady-state reads allocate nothing.
class SimdjsonReader
{
public:
    ReadTotals read(QByteArrayView body, bool ndjson);

private:
    simdjson::padded_string_view padded(QByteArrayView body);

    simdjson::ondemand::parser m_parser;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_capacity = 0;
};

} // namespace perfwatch::bench
