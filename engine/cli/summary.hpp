#pragma once
// The terminal's view of a run summary (caseload/app/run_summary.hpp): it
// prints figures, it computes none.

#include "caseload/app/run_summary.hpp"
#include "caseload/app/sensitivity.hpp"
#include "caseload/model/scenario.hpp"

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace caseload::cli {

// A compact table for the terminal: flows, capacity % by LDU and grade, imbalance.
void print_summary(std::FILE* out, const model::Scenario& scenario, const app::RunSummary& summary,
                   std::size_t replications);

// `compare`: each figure of base and variant of one row (the division, or
// an LDU by name) and their paired difference, most significant first.
void print_comparison(std::FILE* out, const model::Scenario& base, const model::Scenario& variant,
                      const app::Comparison& comparison, bool independent, std::string_view ldu);

// `run --vary`: the division's key figures for each value, then each later
// value's paired differences from the first (`differences[i]`: value i + 1 vs value 0).
void print_sweep(std::FILE* out, const std::string& key, std::span<const std::string> values,
                 std::span<const app::RunSummary* const> summaries, std::span<const app::Comparison> differences);

// `sensitivity`: for each key figure, the parameters ranked by |effect|, with
// the effect (high − low) and its interval.
void print_sensitivity(std::FILE* out, const model::Scenario& scenario, const app::SensitivityTable& table,
                       std::size_t parameters);

} // namespace caseload::cli
