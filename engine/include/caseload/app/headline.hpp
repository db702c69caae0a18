#pragma once
// The headline figures of a replication, one row per LDU and one for the
// division: flows, waits, reallocations, capacity by grade, imbalance and
// timeliness. The run summary (run_summary.hpp) is built from them.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::app {

// The figures a planner looks at first, in the order the terminal shows them.
inline constexpr std::array<std::string_view, 27> kKeyFigures{
    "mean_held", "mean_waiting", "mean_wait_days", "capacity_mean_PO", "capacity_p90_PO",
    "capacity_mean_PSO", "capacity_mean_PQiP", "cases_per_officer_PO", "cases_per_officer_PSO",
    "vacancy_rate_PO", "vacancy_rate_VLO", "share_over_110", "excessive_officers", "gini",
    "theil", "theil_between_ldu", "theil_within_ldu", "theil_between_grade", "theil_within_grade",
    "unallocated", "court_reports_share_on_time", "plan_review_share_on_time", "plan_review_mean_days",
    "parole_report_share_on_time", "victim_first_contact_share_on_time", "vlo_caseload",
    "reallocations"};

struct Figure {
  std::string name;
  std::string units;
  double value = 0.0;
  bool integer = false; // a count, stored as an integer
};

// ldu < 0 gives the division row. Figures from snapshots are averages over
// the weekly snapshots of the statistics window; NaN where undefined (e.g. no
// officers of a grade).
std::vector<Figure> headline_figures(const model::Scenario& scenario,
                                     const model::ReplicationResult& result, int ldu);

// The names of the figures headline_figures returns for this scenario, in
// order, without running it (to check a figure a user names).
std::vector<std::string> headline_figure_names(const model::Scenario& scenario);

// A replication with no snapshots: every figure of it is NaN, but the
// figures' names and units are those of a run.
model::ReplicationResult empty_replication(const model::Scenario& scenario);

} // namespace caseload::app
