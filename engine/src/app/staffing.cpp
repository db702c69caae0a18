#include "caseload/app/staffing.hpp"

#include "caseload/app/experiment.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace caseload::app {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

int total_of(const Plan& plan) { return std::accumulate(plan.begin(), plan.end(), 0); }

// Deterministic evaluations (common random numbers) are cached by plan: each
// distinct plan runs once and is one search step.
class Evaluator {
public:
  Evaluator(std::span<const StaffingTarget> targets, std::span<const StaffChoice> choices,
            const PlanEvaluation& evaluate)
      : targets_(targets), choices_(choices), evaluate_(evaluate) {}

  // The index of the step that evaluated `plan`, evaluating it if it is new.
  std::size_t consider(const Plan& plan, std::string change) {
    if (const auto found = index_.find(plan); found != index_.end()) return found->second;
    std::vector<TargetCheck> checks = evaluate_(plan);
    if (checks.size() != targets_.size()) throw std::logic_error("evaluation returned the wrong number of checks");
    SearchStep& step = steps.emplace_back();
    step.step = static_cast<int>(steps.size()) - 1;
    step.plan = plan;
    step.change = std::move(change);
    step.total_added = total_of(plan);
    step.cost = plan_cost(choices_, plan);
    step.checks = std::move(checks);
    step.shortfall = total_shortfall(targets_, step.checks);
    index_.emplace(plan, steps.size() - 1);
    return steps.size() - 1;
  }

  std::vector<SearchStep> steps;

private:
  std::span<const StaffingTarget> targets_;
  std::span<const StaffChoice> choices_;
  const PlanEvaluation& evaluate_;
  std::map<Plan, std::size_t> index_;
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

double target_shortfall(const StaffingTarget& target, const TargetCheck& check) {
  if (std::isnan(check.bound)) return 1.0;
  const double miss = target.op == TargetOp::at_most ? check.bound - target.value : target.value - check.bound;
  const double scale = target.value != 0.0 ? std::abs(target.value) : 1.0;
  return std::max(0.0, miss) / scale;
}

double total_shortfall(std::span<const StaffingTarget> targets, std::span<const TargetCheck> checks) {
  double total = 0.0;
  for (std::size_t i = 0; i < targets.size(); ++i) total += target_shortfall(targets[i], checks[i]);
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
  const std::size_t n = choices.size();
  Plan plan(n, 0);
  std::size_t current = evaluator.consider(plan, "base");
  evaluator.steps[current].accepted = true;
  StaffingSolution solution;
  solution.base = evaluator.steps[current].checks;
  const auto step = [&](std::size_t index) -> SearchStep& { return evaluator.steps[index]; };
  const auto shortfall = [&] { return step(current).shortfall; };
  const auto met = [&](std::size_t index) { return all_met(step(index).checks); };
  const auto describe = [&](const Plan& candidate) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i)
      if (const int d = candidate[i] - plan[i]; d != 0)
        text += (text.empty() ? "" : ", ") + std::string(d > 0 ? "+" : "") + std::to_string(d) + " " + choices[i].label;
    return text;
  };
  const auto consider = [&](const Plan& candidate) { return evaluator.consider(candidate, describe(candidate)); };
  const auto accept = [&](std::size_t index) {
    step(index).accepted = true;
    plan = step(index).plan;
    current = index;
  };
  const auto plus = [&](std::size_t i, int posts) {
    Plan candidate = plan;
    candidate[i] += posts;
    return candidate;
  };

  // Marginal allocation in growing batches (docs/model.md §17.5). gain[i] is
  // the fall in shortfall per unit cost per post that group i's last measured
  // move bought (by_target[i]: the same, target by target); with diminishing
  // returns an old gain bounds the present one from above, and groups apart
  // (other LDUs) leave it unchanged.
  const std::size_t m = targets.size();
  std::vector<double> gain(n, 0.0);
  std::vector<std::vector<double>> by_target(n, std::vector<double>(m, 0.0));
  std::vector<int> measured_posts(n, 0);    // posts in the move that measured gain[i]
  std::vector<std::size_t> measured_from(n); // the plan (step) it was measured from
  std::vector<int> stride(n, 1);             // posts in group i's next move
  const auto measure = [&](std::size_t i, int posts) {
    const SearchStep& after = step(consider(plus(i, posts)));
    const double per_post = choices[i].cost * posts;
    for (std::size_t t = 0; t < m; ++t)
      by_target[i][t] = (target_shortfall(targets[t], step(current).checks[t]) -
                         target_shortfall(targets[t], after.checks[t])) / per_post;
    gain[i] = (shortfall() - after.shortfall) / per_post;
    measured_posts[i] = posts;
    measured_from[i] = current;
  };
  const auto fresh = [&](std::size_t i) { return measured_posts[i] > 0 && measured_from[i] == current; };
  for (std::size_t i = 0; i < n && !met(current) && max_added > 0; ++i) measure(i, 1);

  while (!met(current) && n > 0) {
    const int room = max_added - total_of(plan);
    if (room <= 0) break;
    const auto best = static_cast<std::size_t>(std::max_element(gain.begin(), gain.end()) - gain.begin());
    if (gain[best] <= 0.0) {
      if (fresh(best) && measured_posts[best] == 1) break; // no single post in any group helps: out of reach
      stride[best] = 1;
      measure(best, 1);
      continue;
    }
    // The batch: the groups whose gain is at least half the best's, best
    // first, each with its stride but no more posts than the targets it
    // serves still need: what each target's shortfall has left after the
    // groups before it (so two LDUs' VLOs do not both close one division
    // target). With diminishing returns the true fall is less than the gains
    // predict, so a batch rarely overshoots.
    std::vector<std::size_t> batch;
    for (std::size_t i = 0; i < n; ++i)
      if (gain[i] > 0.0 && gain[i] >= 0.5 * gain[best]) batch.push_back(i);
    std::stable_sort(batch.begin(), batch.end(), [&](std::size_t a, std::size_t b) { return gain[a] > gain[b]; });
    std::vector<double> left_to_close(m);
    for (std::size_t t = 0; t < m; ++t) left_to_close[t] = target_shortfall(targets[t], step(current).checks[t]);
    Plan candidate = plan;
    int left = room;
    double predicted = 0.0;
    std::vector<std::size_t> moved;
    for (std::size_t i : batch) {
      if (left == 0) break;
      // The share of this group's promised fall that is still wanted.
      double promised = 0.0, wanted = 0.0;
      for (std::size_t t = 0; t < m; ++t) {
        const double fall = by_target[i][t] * choices[i].cost * stride[i];
        promised += std::max(0.0, fall);
        wanted += fall > 0.0 ? std::min(fall, left_to_close[t]) : 0.0;
      }
      if (wanted <= 0.0 && !moved.empty()) continue;
      const double share = promised > 0.0 ? wanted / promised : 1.0;
      const int posts = std::min(left, std::max(1, static_cast<int>(stride[i] * share)));
      candidate[i] += posts;
      left -= posts;
      moved.push_back(i);
      for (std::size_t t = 0; t < m; ++t) {
        const double fall = by_target[i][t] * choices[i].cost * posts;
        predicted += fall > 0.0 ? std::min(fall, left_to_close[t]) : fall;
        left_to_close[t] = std::max(0.0, left_to_close[t] - fall);
      }
    }
    batch = moved;
    const std::size_t at = consider(candidate);
    const double fell = shortfall() - step(at).shortfall;
    const bool stale = !std::all_of(batch.begin(), batch.end(), fresh);
    if (fell <= 0.0 || (batch.size() > 1 && fell < 0.5 * predicted)) {
      // The batch bought less than its gains promised: they were stale, or
      // the groups compete for the same work. Re-measure the stale ones, or
      // fall back to the best group's own measured move.
      if (stale) {
        for (std::size_t i : batch)
          if (!fresh(i)) measure(i, std::min(stride[i], room));
        continue;
      }
      const std::size_t alone = consider(plus(best, measured_posts[best]));
      for (std::size_t i : batch) stride[i] = std::max(1, stride[i] / 2);
      accept(alone);
      continue;
    }
    const Plan before = plan;
    accept(at);
    // The moved groups' gains are out of date: they are measured again from
    // the new plan with twice the posts they just took, but no more than
    // would close the whole shortfall at the old gain (which, with
    // diminishing returns, underestimates the need); the others keep theirs.
    for (std::size_t i : batch) {
      if (met(current) || total_of(plan) >= max_added) break;
      const double need = std::min(shortfall() / (gain[i] * choices[i].cost), static_cast<double>(max_added));
      const int took = plan[i] - before[i];
      stride[i] = std::max(1, std::min(2 * took, static_cast<int>(std::ceil(need - 1e-9))));
      measure(i, std::min(stride[i], max_added - total_of(plan)));
    }
  }
  solution.all_met = met(current);

  // Pruning: for each group, the most expensive first, remove as many posts as
  // the targets allow (one, then doubling, then bisection between the last
  // that held and the first that failed), and repeat until a whole pass
  // removes nothing, so every single removal has been tried against the final plan.
  if (solution.all_met) {
    std::vector<std::size_t> by_cost(n);
    std::iota(by_cost.begin(), by_cost.end(), std::size_t{0});
    std::stable_sort(by_cost.begin(), by_cost.end(),
                     [&](std::size_t a, std::size_t b) { return choices[a].cost > choices[b].cost; });
    // The step that removes `posts` of group i, if every target still holds.
    const auto holds_without = [&](std::size_t i, int posts) -> std::optional<std::size_t> {
      const std::size_t at = consider(plus(i, -posts));
      return met(at) ? std::optional(at) : std::nullopt;
    };
    for (bool removed = true; removed;) {
      removed = false;
      for (std::size_t i : by_cost) {
        if (plan[i] == 0) continue;
        std::optional<std::size_t> held = holds_without(i, 1);
        if (!held) continue;
        int ok = 1;   // a removal of `ok` posts holds
        int bad = -1; // the least removal known to fail (-1: none yet)
        while (bad < 0 && ok < plan[i]) {
          const int more = std::min(2 * ok, plan[i]);
          if (const auto at = holds_without(i, more)) held = at, ok = more;
          else bad = more;
        }
        while (bad > ok + 1) {
          const int mid = ok + (bad - ok) / 2;
          if (const auto at = holds_without(i, mid)) held = at, ok = mid;
          else bad = mid;
        }
        accept(*held);
        removed = true;
      }
    }
  }
  solution.plan = plan;
  solution.achieved = step(current).checks;
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
                                    std::span<const StaffingTarget> targets, const Workers& workers, double confidence,
                                    ProgressCallback progress) {
  return [scenario, choices = std::vector(choices.begin(), choices.end()),
          targets = std::vector(targets.begin(), targets.end()), workers, confidence,
          progress = std::move(progress)](const Plan& plan) {
    const model::Scenario staffed = with_plan(scenario, choices, plan);
    const RunSummary summary = summarise_replications(staffed, workers, confidence, progress);
    std::vector<TargetCheck> checks;
    for (const auto& t : targets) checks.push_back(check_target(t, summary));
    return checks;
  };
}

} // namespace caseload::app
