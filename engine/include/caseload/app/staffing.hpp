#pragma once
// Staffing to targets: the fewest (cheapest) posts to add, by LDU and grade,
// so that chosen headline figures meet their targets at a confidence level
// (docs/model.md §17.5). The search takes an evaluation callback, so it can be
// tested on a known response without the simulator; `simulated_evaluation`
// is the callback that runs the scenario.

#include "caseload/app/experiment.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/model/scenario.hpp"

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::app {

enum class TargetOp { at_most, at_least }; // "<=", ">="

// FIGURE<=V, FIGURE>=V, LDU:FIGURE<=V or LDU:FIGURE>=V.
struct StaffingTarget {
  std::string ldu = std::string(kDivisionRow); // the statistics row
  std::string figure;
  TargetOp op = TargetOp::at_most;
  double value = 0.0;
  std::string text; // as the user wrote it
};

// Parses a target's text; throws std::invalid_argument naming what is wrong.
// Checks only the form: the caller checks the figure and the LDU exist.
StaffingTarget parse_target(std::string_view text);
[[nodiscard]] std::string_view op_text(TargetOp op);

// A staff group the search may add posts to, and the cost of one post.
struct StaffChoice {
  int ldu = 0;
  model::Grade grade = model::Grade::PO;
  double cost = 1.0;
  std::string label; // e.g. "Birmingham PO"
};

using Plan = std::vector<int>; // posts added, one count per StaffChoice

// One target against a run: the interval's mean and the bound that must meet
// the value (upper bound for <=, lower bound for >=).
struct TargetCheck {
  double mean = 0.0;
  double bound = 0.0;
  bool met = false;
};

// The relevant bound of the interval of the target's figure, and whether it
// meets the target. An undefined (NaN) bound never does.
TargetCheck check_target(const StaffingTarget& target, const RunSummary& summary);

// Sum over targets of how far each bound misses its value, each divided by
// |value| (or 1 when the value is 0); a NaN bound counts 1.
double total_shortfall(std::span<const StaffingTarget> targets, std::span<const TargetCheck> checks);

// Means and bounds of every target for a plan (one TargetCheck per target).
// Must be deterministic in the plan: the search relies on it (common random
// numbers) and caches results.
using PlanEvaluation = std::function<std::vector<TargetCheck>(const Plan&)>;

struct SearchStep {
  int step = 0;
  Plan plan;
  std::string change; // "base", "+1 Birmingham PO" or "-1 Birmingham PO"
  int total_added = 0;
  double cost = 0.0;
  double shortfall = 0.0;
  bool accepted = false; // the search moved to this plan
  std::vector<TargetCheck> checks;
};

struct StaffingSolution {
  Plan plan;
  bool all_met = false; // false: no plan within max_added; `plan` is the best found
  std::vector<TargetCheck> base;
  std::vector<TargetCheck> achieved;
  std::vector<SearchStep> steps; // every candidate considered, in order
};

// Greedy marginal allocation, then pruning (docs/model.md §17.5). The plan
// returned meets every target when all_met; it is then 1-minimal: removing
// any one post makes some target fail.
StaffingSolution solve_staffing(std::span<const StaffingTarget> targets, std::span<const StaffChoice> choices,
                                int max_added, const PlanEvaluation& evaluate);

// The scenario with the plan's posts added: establishment and in post of
// each chosen staff group rise by its count (a target vacancy rate is kept).
model::Scenario with_plan(const model::Scenario& scenario, std::span<const StaffChoice> choices, const Plan& plan);

double plan_cost(std::span<const StaffChoice> choices, const Plan& plan);

// The evaluation that simulates: the scenario with the plan, at its own seed
// and replications (the same streams for every plan), on `workers`.
// `progress` is called after each replication of each evaluation.
PlanEvaluation simulated_evaluation(const model::Scenario& scenario, std::span<const StaffChoice> choices,
                                    std::span<const StaffingTarget> targets, const Workers& workers,
                                    double confidence = kConfidence, ProgressCallback progress = {});

} // namespace caseload::app
