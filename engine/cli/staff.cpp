#include "staff.hpp"

#include "caseload/app/headline.hpp"
#include "caseload/io/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace caseload::cli {
namespace {

using io::InputError;

std::vector<std::string> split_commas(std::span<const std::string> items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::size_t start = 0;
    for (std::size_t comma; (comma = item.find(',', start)) != std::string::npos; start = comma + 1)
      out.push_back(item.substr(start, comma - start));
    out.push_back(item.substr(start));
  }
  return out;
}

std::optional<model::Grade> grade_named(std::string_view name) {
  for (int g = 0; g < model::kGradeCount; ++g)
    if (model::kGradeNames[static_cast<std::size_t>(g)] == name) return static_cast<model::Grade>(g);
  return std::nullopt;
}

std::optional<int> ldu_named(const model::Scenario& scenario, std::string_view name) {
  for (std::size_t l = 0; l < scenario.ldus.size(); ++l)
    if (scenario.ldus[l].name == name) return static_cast<int>(l);
  return std::nullopt;
}

std::string grade_list() {
  std::string out;
  for (const auto name : model::kGradeNames) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

std::string fmt_value(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "-"; }
std::string fmt_cost(double v) { return fmt::format("{:.10g}", v); } // costs in full: 96000, not 9.6e+04

} // namespace

std::vector<app::StaffingTarget> staffing_targets(const model::Scenario& scenario, std::span<const std::string> texts) {
  if (texts.empty()) throw InputError("--target", 0, 0, "give at least one target, e.g. --target 'share_waited<=0.2'");
  const std::vector<std::string> figures = app::headline_figure_names(scenario);
  std::vector<app::StaffingTarget> targets;
  for (const auto& text : texts) {
    const std::string origin = "--target '" + text + "'";
    app::StaffingTarget target;
    try {
      target = app::parse_target(text);
    } catch (const std::invalid_argument& e) {
      throw InputError(origin, 0, 0, e.what());
    }
    if (std::find(figures.begin(), figures.end(), target.figure) == figures.end())
      throw InputError(origin, 0, 0, "unknown figure '" + target.figure + "' (see the statistics table of a run)");
    if (target.ldu != app::kDivisionRow && !ldu_named(scenario, target.ldu))
      throw InputError(origin, 0, 0, "unknown LDU '" + target.ldu + "' in scenario " + scenario.name);
    targets.push_back(std::move(target));
  }
  return targets;
}

std::vector<app::StaffChoice> staffing_choices(const model::Scenario& scenario, const StaffRequest& request) {
  std::vector<model::Grade> grades;
  for (const auto& name : split_commas(request.grades)) {
    const auto grade = grade_named(name);
    if (!grade) throw InputError("--grades", 0, 0, "unknown grade '" + name + "': expected one of " + grade_list());
    if (std::find(grades.begin(), grades.end(), *grade) == grades.end()) grades.push_back(*grade);
  }
  if (grades.empty()) grades.push_back(model::Grade::PO);
  std::sort(grades.begin(), grades.end());

  std::vector<int> ldus;
  for (const auto& name : split_commas(request.ldus)) {
    const auto ldu = ldu_named(scenario, name);
    if (!ldu) throw InputError("--ldu", 0, 0, "unknown LDU '" + name + "' in scenario " + scenario.name);
    if (std::find(ldus.begin(), ldus.end(), *ldu) == ldus.end()) ldus.push_back(*ldu);
  }
  if (ldus.empty())
    for (std::size_t l = 0; l < scenario.ldus.size(); ++l) ldus.push_back(static_cast<int>(l));
  std::sort(ldus.begin(), ldus.end());

  std::array<double, model::kGradeCount> cost_of{};
  cost_of.fill(1.0);
  for (const auto& spec : request.costs) {
    const std::string origin = "--cost '" + spec + "'";
    const auto eq = spec.find('=');
    if (eq == std::string::npos) throw InputError(origin, 0, 0, "expected GRADE=COST, e.g. PO=48000");
    const auto grade = grade_named(spec.substr(0, eq));
    if (!grade)
      throw InputError(origin, 0, 0, "unknown grade '" + spec.substr(0, eq) + "': expected one of " + grade_list());
    const std::string_view value = std::string_view(spec).substr(eq + 1);
    double cost = 0.0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), cost);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size() || !std::isfinite(cost) ||
        cost <= 0.0)
      throw InputError(origin, 0, 0, "cost '" + std::string(value) + "' is not a positive number");
    cost_of[static_cast<std::size_t>(*grade)] = cost;
  }

  std::vector<app::StaffChoice> choices;
  for (int l : ldus)
    for (model::Grade g : grades)
      choices.push_back({l, g, cost_of[static_cast<std::size_t>(g)],
                         scenario.ldus[static_cast<std::size_t>(l)].name + " " + std::string(model::name(g))});
  return choices;
}

void print_staffing(std::FILE* out, const model::Scenario& scenario, std::span<const app::StaffingTarget> targets,
                    std::span<const app::StaffChoice> choices, const app::StaffingSolution& solution,
                    double confidence) {
  fmt::print(out, "Staffing plan for {} ({} replications, seed {}, common random numbers)\n", scenario.name,
             scenario.replications, scenario.seed);
  fmt::print(out, "{}\n\n", solution.all_met ? "Every target is met."
                                             : "No plan within the limits meets every target: the best plan found.");
  fmt::print(out, "{:<34} {:<6} {:>8} {:>8} {:>7} {:>12}\n", "LDU", "grade", "before", "after", "added", "cost");
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const auto& c = choices[i];
    const int before =
        scenario.ldus[static_cast<std::size_t>(c.ldu)].staff[static_cast<std::size_t>(c.grade)].establishment;
    fmt::print(out, "{:<34} {:<6} {:>8} {:>8} {:>7} {:>12}\n", scenario.ldus[static_cast<std::size_t>(c.ldu)].name,
               model::name(c.grade), before, before + solution.plan[i], solution.plan[i],
               fmt_cost(c.cost * solution.plan[i]));
  }
  fmt::print(out, "total cost {}\n\n", fmt_cost(app::plan_cost(choices, solution.plan)));
  fmt::print(out, "Targets (mean, and the bound of the {:g}% interval that must meet the target):\n",
             100.0 * confidence);
  fmt::print(out, "{:<44} {:>10} {:>10} {:>5}   {:>10} {:>10} {:>5}\n", "target", "base mean", "bound", "met",
             "plan mean", "bound", "met");
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const auto& b = solution.base[t];
    const auto& a = solution.achieved[t];
    fmt::print(out, "{:<44} {:>10} {:>10} {:>5}   {:>10} {:>10} {:>5}\n", targets[t].text, fmt_value(b.mean),
               fmt_value(b.bound), b.met ? "yes" : "no", fmt_value(a.mean), fmt_value(a.bound),
               a.met ? "yes" : "no");
  }
  fmt::print(out, "\n{} candidate plans considered.\n", solution.steps.size());
}

void print_recruitment(std::FILE* out, const model::Scenario& scenario, std::span<const app::StaffingTarget> targets,
                       const app::RecruitmentPlan& plan, std::span<const app::TargetCheck> checks) {
  fmt::print(out, "\nRecruitment to reach the plan's staff in post by day {:g}, and hold them against leavers\n",
             plan.by_day);
  fmt::print(out, "(starts per quarter; the scenario's own recruitment goes on replacing its leavers):\n");
  fmt::print(out, "{:<34} {:<6} {:>10} {:>12} {:>10}\n", "LDU", "grade", "from day", "experienced", "trainees");
  for (const app::RecruitmentRow& row : plan.rows)
    fmt::print(out, "{:<34} {:<6} {:>10.0f} {:>12} {:>10}\n", scenario.ldus[static_cast<std::size_t>(row.ldu)].name,
               model::name(row.grade), row.quarter_start_day, row.experienced_hires, row.trainee_starts);
  for (const app::GroupRecruitment& g : plan.groups)
    if (g.reached_day > plan.by_day)
      fmt::print(out, "{} {}: {} added staff cannot all be in post by day {:g}; the earliest is day {:.0f}\n",
                 scenario.ldus[static_cast<std::size_t>(g.ldu)].name, model::name(g.grade), g.added, plan.by_day,
                 g.earliest_day);
  fmt::print(out, "\nChecked by simulation, with these starts, from day {:g} on:\n", plan.by_day);
  fmt::print(out, "{:<44} {:>10} {:>10} {:>5}\n", "target", "mean", "bound", "met");
  for (std::size_t t = 0; t < targets.size(); ++t)
    fmt::print(out, "{:<44} {:>10} {:>10} {:>5}\n", targets[t].text, fmt_value(checks[t].mean),
               fmt_value(checks[t].bound), checks[t].met ? "yes" : "no");
}

} // namespace caseload::cli
