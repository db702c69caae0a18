#pragma once
// A recruitment plan for a staffing plan (docs/model.md §17.6): the
// experienced hires and trainee starts, per quarter, per LDU and grade, that
// bring the staff in post up to the plan's by a given day and hold them there
// against leavers, given the scenario's own leaving rates, times to hire and
// training. The plan is worked out on the expected (fluid) flows of the
// scenario's staffing model, and checked by simulating it: `with_recruitment`
// is the scenario with the starts as interventions, measured from the day on.

#include "caseload/app/staffing.hpp"
#include "caseload/model/scenario.hpp"

#include <span>
#include <vector>

namespace caseload::app {

struct RecruitmentRow {
  int ldu = 0;
  model::Grade grade = model::Grade::PO; // the post's grade (a PO trainee takes a PQiP place first)
  double quarter_start_day = 0.0;
  int experienced_hires = 0;
  int trainee_starts = 0;
};

struct GroupRecruitment {
  int ldu = 0;
  model::Grade grade = model::Grade::PO;
  int added = 0;                   // posts the staffing plan adds
  model::RecruitKind route = model::RecruitKind::experienced;
  double earliest_day = 0.0;       // the first day the added staff can all be in post
  double reached_day = 0.0;        // the first check day the projection reaches them
  double projected_at_by_day = 0.0; // expected added staff in post on the day asked
};

struct RecruitmentPlan {
  double by_day = 0.0;
  std::vector<RecruitmentRow> rows;       // by LDU, grade, then quarter; only quarters with starts
  std::vector<GroupRecruitment> groups;   // one per group the staffing plan adds to
  [[nodiscard]] bool reachable() const;   // every group reaches its staff by by_day
};

// The quarters are kDaysPerYear / 4 days from day 0. Groups with nothing
// added have no rows.
RecruitmentPlan plan_recruitment(const model::Scenario& scenario, std::span<const StaffChoice> choices,
                                 const Plan& plan, double by_day);

// Expected added staff in post of one group, day by day (index = day), from
// starts on the given days: the fluid model behind plan_recruitment, exposed
// for its tests. `trainee`: the starts are trainees against the posts.
std::vector<double> project_added_staff(const model::Scenario& scenario, int ldu, model::Grade grade,
                                        std::span<const double> start_days, std::span<const double> start_counts,
                                        bool trainee);

// The scenario as it is, with the plan's starts as add_staff interventions
// and its statistics measured from by_day (the warm-up extended to it).
model::Scenario with_recruitment(const model::Scenario& scenario, const RecruitmentPlan& plan);

} // namespace caseload::app
