#pragma once

#include "caseload/metrics/replication_stats.hpp"
#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace caseload::cli {

// A compact table for the terminal: flows, capacity % by LDU and grade, imbalance.
void print_summary(std::FILE* out, const model::Scenario& scenario,
                   std::span<const model::ReplicationResult> results);

// `compare`: each division figure of base and variant and their paired difference.
void print_comparison(std::FILE* out, const model::Scenario& base, const model::Scenario& variant,
                      std::span<const metrics::PairedDifference> differences, bool independent);

// `run --vary`: the division's headline figures for each value.
void print_sweep(std::FILE* out, const std::string& key, std::span<const std::string> values,
                 std::span<const model::Scenario* const> scenarios,
                 std::span<const std::span<const model::ReplicationResult>> results);

} // namespace caseload::cli
