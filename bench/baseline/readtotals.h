#pragma once

#include <QtGlobal>

namespace perfwatch::bench {

/// What a reader saw in one body; the server folds it into a sink so no read can be optimised away.
struct ReadTotals
{
    bool ok = false; ///< false: malformed JSON
    quint64 events = 0;
    double durationSum = 0; ///< every "duration_ms"
    double numberSum = 0; ///< every other number
    quint64 stringBytes = 0; ///< unescaped bytes of every key and string value
};

} // namespace perfwatch::bench
