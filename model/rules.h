// The recommendation rules of Analyzer::analyze(), in the order it runs them (internal to model/).
#pragma once

#include "analyzer.h"

#include <utility>
#include <vector>

namespace perfwatch::analysis {

class RuleContext;

// rules_api.cpp
void ruleSlowEndpoint(RuleContext &ctx); ///< rule 1
void ruleHighErrorRate(RuleContext &ctx); ///< rule 2
// rules_database.cpp
std::vector<KeyId> ruleSlowQuery(RuleContext &ctx); ///< rule 3; the db keys it fired for
void ruleMissingIndex(RuleContext &ctx, const std::vector<KeyId> &slowQueries); ///< rule 4
void ruleConnectionPool(RuleContext &ctx); ///< rule 5
void ruleNPlusOne(RuleContext &ctx); ///< rule 11
// rules_processing.cpp
void ruleProcessingBottleneck(RuleContext &ctx); ///< rule 6
void ruleLowThroughput(RuleContext &ctx); ///< rule 7
// rules_resources.cpp
void ruleCacheHitRate(RuleContext &ctx); ///< rule 8
void ruleMemoryGrowth(RuleContext &ctx); ///< rule 10
void ruleKeyCardinality(RuleContext &ctx); ///< rule 12
// rules_trends.cpp
void ruleDegradation(RuleContext &ctx); ///< rule 9
/// Latency keys present with enough samples in both periods: (current, previous).
std::vector<std::pair<const KeyAggregate *, const KeyAggregate *>> comparableKeys(
    const AnalyzerInput &input, quint64 minSamples);

} // namespace perfwatch::analysis
