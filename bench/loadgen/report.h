#pragma once

#include "loadgenerator.h"
#include "loadoptions.h"
#include "workload.h"

#include <string>

namespace perfwatch::loadgen {

/// Human-readable summary of a run, several lines.
std::string formatText(const LoadOptions &options, const Workload &workload, const LoadResult &result);
/// The same as one JSON object on one line (for scripts).
std::string formatJson(const LoadOptions &options, const Workload &workload, const LoadResult &result);

} // namespace perfwatch::loadgen
