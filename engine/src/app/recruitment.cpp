#include "caseload/app/recruitment.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>

namespace caseload::app {
namespace {

using model::Grade;
using model::RecruitKind;

constexpr double kQuarterDays = model::kDaysPerYear / 4.0;

const model::StaffingParameters& staffing_of(const model::Scenario& s) {
  static const model::StaffingParameters kNone{}; // no leavers: nobody to replace
  return s.staffing ? *s.staffing : kNone;
}

// One group's staffing flows, as the engine's Workforce runs them: leavers at
// the group's rate, each replaced (when the scenario refills vacancies) after
// the mean time to hire, by the kind of recruit the scenario refills the post
// with; trainees leave at the PQiP rate, are replaced by new trainees, and
// join the post on qualifying.
struct Flows {
  double leave_per_day = 0.0;         // of the post's grade
  double trainee_leave_per_day = 0.0; // of trainees in training
  int hire_days = 0;                  // mean time to hire the post
  int trainee_hire_days = 0;          // ... and a PQiP place
  int training = 0;                   // days to qualify
  bool refill = true;
  RecruitKind refill_with = RecruitKind::experienced;
};

Flows flows_of(const model::Scenario& s, int ldu, Grade post) {
  const model::StaffingParameters& p = staffing_of(s);
  const auto& staff = s.ldus[static_cast<std::size_t>(ldu)].staff;
  const model::StaffGroup& group = staff[static_cast<std::size_t>(post)];
  const model::StaffGroup& places = staff[static_cast<std::size_t>(Grade::PQiP)];
  Flows f;
  f.leave_per_day = s.staffing ? model::leavers_per_year(group, p, post) / model::kDaysPerYear : 0.0;
  f.trainee_leave_per_day = s.staffing ? model::leavers_per_year(places, p, Grade::PQiP) / model::kDaysPerYear : 0.0;
  f.hire_days = static_cast<int>(std::lround(model::time_to_hire(group, p).mean()));
  f.trainee_hire_days = static_cast<int>(std::lround(model::time_to_hire(places, p).mean()));
  f.training = static_cast<int>(std::lround(model::training_days(p)));
  f.refill = s.staffing && p.refill_vacancies;
  f.refill_with = model::recruit_kind_for(post, p);
  return f;
}

// Expected added staff in post, day by day, from starts (mass per day).
std::vector<double> project(const Flows& f, int days, const std::vector<double>& experienced,
                            const std::vector<double>& trainees) {
  const auto n = static_cast<std::size_t>(days) + 1;
  std::vector<double> arrive(n, 0.0), start(n, 0.0), in_post(n, 0.0);
  std::copy_n(experienced.begin(), std::min(n, experienced.size()), arrive.begin());
  std::copy_n(trainees.begin(), std::min(n, trainees.size()), start.begin());
  std::vector<double> cohort(n, 0.0); // trainees still in training, by start day
  double x = 0.0;
  const auto later = [&](std::vector<double>& v, std::size_t t, int delay, double mass) {
    if (const std::size_t at = t + static_cast<std::size_t>(std::max(0, delay)); at < n) v[at] += mass;
  };
  for (std::size_t t = 0; t < n; ++t) {
    x += arrive[t];
    cohort[t] += start[t];
    const std::size_t first = t >= static_cast<std::size_t>(f.training) ? t - static_cast<std::size_t>(f.training) : 0;
    if (t >= static_cast<std::size_t>(f.training)) { // the cohort that started `training` days ago qualifies
      x += cohort[first];
      cohort[first] = 0.0;
    }
    double trainee_leavers = 0.0;
    for (std::size_t c = first; c <= t; ++c) {
      const double gone = cohort[c] * f.trainee_leave_per_day;
      cohort[c] -= gone;
      trainee_leavers += gone;
    }
    const double leavers = x * f.leave_per_day;
    x -= leavers;
    in_post[t] = x;
    if (!f.refill) continue;
    later(start, t, f.trainee_hire_days, trainee_leavers);
    if (f.refill_with == RecruitKind::trainee) later(start, t, f.hire_days, leavers);
    else later(arrive, t, f.hire_days, leavers);
  }
  return in_post;
}

int horizon_of(const model::Scenario& s) { return static_cast<int>(std::ceil(s.horizon_days)); }

} // namespace

bool RecruitmentPlan::reachable() const {
  return std::all_of(groups.begin(), groups.end(), [&](const GroupRecruitment& g) { return g.reached_day <= by_day; });
}

std::vector<double> project_added_staff(const model::Scenario& scenario, int ldu, Grade grade,
                                        std::span<const double> start_days, std::span<const double> start_counts,
                                        bool trainee) {
  const int days = horizon_of(scenario);
  std::vector<double> starts(static_cast<std::size_t>(days) + 1, 0.0);
  for (std::size_t i = 0; i < start_days.size(); ++i) {
    const auto day = static_cast<std::size_t>(std::lround(start_days[i]));
    if (day < starts.size()) starts[day] += start_counts[i];
  }
  const Flows f = flows_of(scenario, ldu, grade);
  return trainee ? project(f, days, {}, starts) : project(f, days, starts, {});
}

RecruitmentPlan plan_recruitment(const model::Scenario& scenario, std::span<const StaffChoice> choices,
                                 const Plan& plan, double by_day) {
  RecruitmentPlan out;
  out.by_day = by_day;
  const int days = horizon_of(scenario);
  const model::StaffingParameters& p = staffing_of(scenario);
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (plan[i] <= 0) continue;
    const int ldu = choices[i].ldu;
    const Grade post = choices[i].grade;
    const Flows f = flows_of(scenario, ldu, post);
    GroupRecruitment group{ldu, post, plan[i]};
    // Starts come at quarter starts, the first one a time to hire after day 0
    // (the campaign opens on day 0). A PO post the scenario fills by training
    // takes trainees if one who starts then qualifies by the day; otherwise
    // experienced POs.
    const double first_start = std::ceil(f.hire_days / kQuarterDays) * kQuarterDays;
    const bool trains = post == Grade::PO && p.refill_po_with == RecruitKind::trainee &&
                        first_start + f.training <= by_day + 1e-9;
    group.route = trains ? RecruitKind::trainee : RecruitKind::experienced;
    const double lead = trains ? f.training : 0.0; // from start to in post
    group.earliest_day = first_start + lead;

    // Starts by quarter; the projection is linear in them, so a start's effect
    // on a later day is the projection of one start.
    std::map<double, double> starts;
    std::map<double, std::vector<double>> response;
    const auto unit = [&](double day) -> const std::vector<double>& {
      auto found = response.find(day);
      if (found == response.end()) {
        const double one = 1.0;
        found = response
                    .emplace(day, project_added_staff(scenario, ldu, post, std::span(&day, 1), std::span(&one, 1), trains))
                    .first;
      }
      return found->second;
    };
    const auto projected = [&](int day) {
      double x = 0.0;
      for (const auto& [at, count] : starts) x += count * unit(at)[static_cast<std::size_t>(day)];
      return x;
    };
    // Check days: the day asked, then every quarter after it. On each, the
    // expected added staff in post must round to the plan's; a shortfall is
    // made up by starts in the latest quarter that is in post by then (or the
    // first possible, when the day is too early).
    group.reached_day = INFINITY;
    for (double check = by_day; check <= days; check += kQuarterDays) {
      const int day = static_cast<int>(std::floor(check));
      const double deficit = (plan[i] - 0.5) - projected(day);
      if (deficit > 0.0) {
        double at = std::floor((check - lead) / kQuarterDays) * kQuarterDays;
        at = std::max(at, first_start);
        if (at >= scenario.horizon_days) break;
        const double per_start = unit(at)[static_cast<std::size_t>(day)];
        if (per_start <= 0.0) continue; // this start is not in post by then: a later check will count it
        starts[at] += std::ceil(deficit / per_start - 1e-9);
      }
      if (projected(day) >= plan[i] - 0.5) group.reached_day = std::min(group.reached_day, check);
    }
    group.projected_at_by_day = projected(std::min(days, static_cast<int>(std::floor(by_day))));
    for (const auto& [at, count] : starts) {
      RecruitmentRow row{ldu, post, at};
      (trains ? row.trainee_starts : row.experienced_hires) = static_cast<int>(count);
      out.rows.push_back(row);
    }
    out.groups.push_back(group);
  }
  return out;
}

model::Scenario with_recruitment(const model::Scenario& scenario, const RecruitmentPlan& plan) {
  model::Scenario out = scenario;
  for (const RecruitmentRow& row : plan.rows)
    for (const RecruitKind kind : {RecruitKind::experienced, RecruitKind::trainee}) {
      const int n = kind == RecruitKind::experienced ? row.experienced_hires : row.trainee_starts;
      if (n == 0) continue;
      model::Intervention in;
      in.at_day = row.quarter_start_day;
      in.ldu = row.ldu;
      in.add_staff[static_cast<std::size_t>(row.grade)] = n;
      in.recruits = kind;
      out.interventions.push_back(in);
    }
  std::stable_sort(out.interventions.begin(), out.interventions.end(),
                   [](const model::Intervention& a, const model::Intervention& b) { return a.at_day < b.at_day; });
  out.warmup_days = std::max(out.warmup_days, plan.by_day);
  return out;
}

} // namespace caseload::app
