#pragma once
// Demand estimated from an allocation history (docs/model.md §20): arrivals
// per week of each LDU and case type, the tier mix of each case type, and
// each type's duration distribution fitted with right-censoring of the cases
// still open, each with its interval. `caseload estimate` reads the history
// (io/) and writes the estimates as scenario keys.

#include "caseload/model/domain.hpp"
#include "caseload/stats/fit.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace caseload::app {

// One case of the history; days are counted from any fixed origin.
struct HistoryCase {
  int ldu = 0; // index into History::ldus
  model::CaseType type = model::CaseType::community;
  int tier = 0;
  std::int64_t start_day = 0;
  std::optional<std::int64_t> end_day; // none: still open
};

struct History {
  std::vector<std::string> ldus; // in order of first appearance
  std::vector<HistoryCase> cases;
};

struct TypeEstimate {
  std::int64_t cases = 0; // started in the window
  std::array<std::int64_t, model::kTierCount> tier_counts{};
  std::array<stats::Estimate, model::kTierCount> tier_mix{};
  std::vector<stats::Fit> durations; // every family fitted, the best (lowest AIC) first
};

struct DemandEstimate {
  double confidence = 0.95;
  std::int64_t window_start = 0; // the first start date
  std::int64_t as_of = 0;        // the end of the window: cases open then are censored
  double weeks = 0.0;
  std::int64_t cases = 0;        // started in the window
  std::int64_t open = 0;         // of those, open at as_of
  std::vector<std::string> ldus;
  std::vector<std::array<std::int64_t, model::kCaseTypeCount>> arrivals;        // per LDU and type
  std::vector<std::array<stats::Estimate, model::kCaseTypeCount>> arrivals_per_week;
  std::array<std::optional<TypeEstimate>, model::kCaseTypeCount> types; // the types with any case
};

// Estimates from the cases that started from the first start date up to
// `as_of` (later ones are left out); a case ending after `as_of` counts as
// open then. Durations of 0 days count as half a day (dates are whole days).
// Needs as_of after the first start date.
DemandEstimate estimate_demand(const History& history, std::int64_t as_of, double confidence);

} // namespace caseload::app
