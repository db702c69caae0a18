#pragma once

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <cstdio>
#include <span>

namespace caseload::cli {

// A compact table for the terminal: flows, capacity % by LDU and grade, imbalance.
void print_summary(std::FILE* out, const model::Scenario& scenario,
                   std::span<const model::ReplicationResult> results);

} // namespace caseload::cli
