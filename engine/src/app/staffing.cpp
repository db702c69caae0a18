#include "caseload/app/staffing.hpp"

#include "caseload/app/experiment.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace caseload::app {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

int total_of(const Plan& plan) { return std::accumulate(plan.begin(), plan.end(), 0); }

// Deterministic evaluations (common random numbers) are cached by plan, so
// the pruning pass does not re-run plans the greedy pass has seen.
class Evaluator {
public:
  Evaluator(std::span<const StaffingTarget> targets, std::span<const StaffChoice> choices,
            const PlanEvaluation& evaluate)
      : targets_(targets), choices_(choices), evaluate_(evaluate) {}

  // Evaluates `plan` and records it as a search step.
  SearchStep& consider(const Plan& plan, std::string change) {
    auto found = cache_.find(plan);
    if (found == cache_.end()) {
      std::vector<TargetCheck> checks = evaluate_(plan);
      if (checks.size() != targets_.size()) throw std::logic_error("evaluation returned the wrong number of checks");
      found = cache_.emplace(plan, std::move(checks)).first;
    }
    SearchStep& step = steps.emplace_back();
    step.step = static_cast<int>(steps.size()) - 1;
    step.plan = plan;
    step.change = std::move(change);
    step.total_added = total_of(plan);
    step.cost = plan_cost(choices_, plan);
    step.checks = found->second;
    step.shortfall = total_shortfall(targets_, step.checks);
    return step;
  }

  std::vector<SearchStep> steps;

private:
  std::span<const StaffingTarget> targets_;
  std::span<const StaffChoice> choices_;
  const PlanEvaluation& evaluate_;
  std::map<Plan, std::vector<TargetCheck>> cache_;
};

bool all_met(const std::vector<TargetCheck>& checks) {
  return std::all_of(checks.begin(), checks.end(), [](const TargetCheck& c) { return c.met; });
}

} // namespace

std::string_view op_text(TargetOp op) { return op == TargetOp::at_most ? "<=" : ">="; }

StaffingTarget parse_target(std::string_view text) {
  StaffingTarget target;
  target.text = std::string(text);
  const auto op_at = std::min(text.find("<="), text.find(">="));
  if (op_at == std::string_view::npos)
    throw std::invalid_argument("target '" + target.text + "': expected [LDU:]FIGURE<=VALUE or [LDU:]FIGURE>=VALUE");
  target.op = text.substr(op_at, 2) == "<=" ? TargetOp::at_most : TargetOp::at_least;
  std::string_view name = trim(text.substr(0, op_at));
  const std::string_view value = trim(text.substr(op_at + 2));
  if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    target.ldu = std::string(trim(name.substr(0, colon)));
    name = trim(name.substr(colon + 1));
    if (target.ldu.empty()) throw std::invalid_argument("target '" + target.text + "': empty LDU name before ':'");
  }
  if (name.empty()) throw std::invalid_argument("target '" + target.text + "': no figure name");
  target.figure = std::string(name);
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), target.value);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size() || !std::isfinite(target.value))
    throw std::invalid_argument("target '" + target.text + "': '" + std::string(value) + "' is not a number");
  return target;
}

TargetCheck check_target(const StaffingTarget& target, const RunSummary& summary) {
  const stats::Interval interval = summary.interval(target.ldu, target.figure);
  TargetCheck check;
  check.mean = interval.mean;
  check.bound = target.op == TargetOp::at_most ? interval.high() : interval.low();
  check.met = target.op == TargetOp::at_most ? check.bound <= target.value : check.bound >= target.value;
  return check; // a NaN bound compares false: not met
}

double total_shortfall(std::span<const StaffingTarget> targets, std::span<const TargetCheck> checks) {
  double total = 0.0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const double bound = checks[i].bound;
    if (std::isnan(bound)) {
      total += 1.0;
      continue;
    }
    const double miss = targets[i].op == TargetOp::at_most ? bound - targets[i].value : targets[i].value - bound;
    const double scale = targets[i].value != 0.0 ? std::abs(targets[i].value) : 1.0;
    total += std::max(0.0, miss) / scale;
  }
  return total;
}

double plan_cost(std::span<const StaffChoice> choices, const Plan& plan) {
  double cost = 0.0;
  for (std::size_t i = 0; i < choices.size(); ++i) cost += choices[i].cost * plan[i];
  return cost;
}

StaffingSolution solve_staffing(std::span<const StaffingTarget> targets, std::span<const StaffChoice> choices,
                                int max_added, const PlanEvaluation& evaluate) {
  Evaluator evaluator(targets, choices, evaluate);
  Plan plan(choices.size(), 0);
  SearchStep& base = evaluator.consider(plan, "base");
  base.accepted = true;
  StaffingSolution solution;
  solution.base = base.checks;
  std::vector<TargetCheck> current = base.checks;
  double shortfall = base.shortfall;

  // Greedy: one post at a time, where it cuts the shortfall most per unit cost.
  while (!all_met(current) && total_of(plan) < max_added && !choices.empty()) {
    std::size_t best_step = 0;
    double best_gain = -INFINITY;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      Plan candidate = plan;
      ++candidate[i];
      const SearchStep& step = evaluator.consider(candidate, "+1 " + choices[i].label);
      const double gain = (shortfall - step.shortfall) / choices[i].cost;
      if (gain > best_gain) best_gain = gain, best_step = evaluator.steps.size() - 1;
    }
    SearchStep& chosen = evaluator.steps[best_step];
    chosen.accepted = true;
    plan = chosen.plan;
    current = chosen.checks;
    shortfall = chosen.shortfall;
  }
  solution.all_met = all_met(current);

  // Pruning: drop any post the targets do not need, the most expensive first,
  // until a whole pass removes nothing, so every single removal has been tried
  // against the final plan.
  if (solution.all_met) {
    std::vector<std::size_t> by_cost(choices.size());
    std::iota(by_cost.begin(), by_cost.end(), std::size_t{0});
    std::stable_sort(by_cost.begin(), by_cost.end(),
                     [&](std::size_t a, std::size_t b) { return choices[a].cost > choices[b].cost; });
    for (bool removed = true; removed;) {
      removed = false;
      for (std::size_t i : by_cost)
        while (plan[i] > 0) {
          Plan candidate = plan;
          --candidate[i];
          SearchStep& step = evaluator.consider(candidate, "-1 " + choices[i].label);
          if (!all_met(step.checks)) break;
          step.accepted = true;
          plan = candidate;
          current = step.checks;
          removed = true;
        }
    }
  }
  solution.plan = plan;
  solution.achieved = current;
  solution.steps = std::move(evaluator.steps);
  return solution;
}

model::Scenario with_plan(const model::Scenario& scenario, std::span<const StaffChoice> choices, const Plan& plan) {
  model::Scenario out = scenario;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    model::StaffGroup& group =
        out.ldus[static_cast<std::size_t>(choices[i].ldu)].staff[static_cast<std::size_t>(choices[i].grade)];
    group.establishment += plan[i];
    group.in_post += plan[i];
  }
  return out;
}

PlanEvaluation simulated_evaluation(const model::Scenario& scenario, std::span<const StaffChoice> choices,
                                    std::span<const StaffingTarget> targets, int threads, double confidence,
                                    ProgressCallback progress) {
  return [scenario, choices = std::vector(choices.begin(), choices.end()),
          targets = std::vector(targets.begin(), targets.end()), threads, confidence,
          progress = std::move(progress)](const Plan& plan) {
    const model::Scenario staffed = with_plan(scenario, choices, plan);
    const auto results = run_replications(staffed, staffed.replications, threads, progress);
    const RunSummary summary = summarise(staffed, results, confidence);
    std::vector<TargetCheck> checks;
    for (const auto& t : targets) checks.push_back(check_target(t, summary));
    return checks;
  };
}

} // namespace caseload::app
