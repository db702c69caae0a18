// The recruitment plan (app/recruitment.hpp, docs/model.md §17.6): its
// quarters, routes and sizes on flows worked out by hand, and a simulation of
// the plan reaching the staffing plan's staff in post from the day asked.

#include "caseload/app/recruitment.hpp"
#include "caseload/replication/simulation.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

using namespace caseload;
using model::Grade;

namespace {

constexpr double kQuarter = model::kDaysPerYear / 4.0;

// One LDU of 100 PO posts, 90 in post and the gap held (docs/model.md §13),
// POs leaving at `leave` a year and replaced after exactly 120 days, by
// trainees (18 months) or experienced POs.
model::Scenario one_ldu(double leave, const std::string& refill) {
  return test::parse(R"(
schema_version = 1
seed = 5
horizon_days = 1825
snapshot_every_days = 7
[staffing]
leavers_per_year = { PO = )" + std::to_string(leave) + R"(, PQiP = 0.1 }
time_to_hire_days = { dist = "fixed", value = 120 }
refill_po_with = ")" + refill + R"("
hold_initial_vacancies = ["PO"]
[case_types.community]
duration_days = { dist = "exponential", mean = 365 }
tier_mix = { B2 = 1.0 }
[[ldu]]
name = "North"
staff.PO = { establishment = 100, in_post = 90 }
arrivals_per_week = { community = 30 }
)");
}

const std::vector kPO{app::StaffChoice{0, Grade::PO, 1.0, "North PO"}};

int total(const app::RecruitmentPlan& plan, bool trainees) {
  int n = 0;
  for (const auto& row : plan.rows) n += trainees ? row.trainee_starts : row.experienced_hires;
  return n;
}

TEST(Recruitment, WithoutLeaversTheAddedStaffStartInTheLastQuarterBeforeTheDay) {
  // 10 posts by day 400: hiring takes 120 days, so the first starts can come
  // in the second quarter (day 182.6); a trainee starting then would qualify
  // on day 730, after 400, so they are experienced POs, all in the quarter of
  // day 365.25, and nobody leaves to be replaced.
  const auto plan = app::plan_recruitment(one_ldu(0.0, "trainee"), kPO, {10}, 400.0);
  ASSERT_EQ(plan.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(plan.rows[0].quarter_start_day, 4 * kQuarter);
  EXPECT_EQ(plan.rows[0].experienced_hires, 10);
  EXPECT_EQ(plan.rows[0].trainee_starts, 0);
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].route, model::RecruitKind::experienced);
  EXPECT_DOUBLE_EQ(plan.groups[0].earliest_day, 2 * kQuarter);
  EXPECT_TRUE(plan.reachable());
  EXPECT_DOUBLE_EQ(plan.groups[0].projected_at_by_day, 10.0);
}

TEST(Recruitment, LeaversAreCoveredUntilTheScenariosOwnReplacementsArrive) {
  // 20 posts by day 500, POs leaving at 0.2 a year and replaced after 120
  // days. Each leaver's replacement arrives 120 days later, so the plan holds
  // the staff by topping up what leaves in the meantime: in steady state the
  // added people are 20 in post plus 20 × 0.2 × 120 / 365.25 = 1.3 on the way
  // (Little's law), so about 21.3 starts in all; rounding each quarter's
  // deficit up adds at most one per top-up.
  const model::Scenario s = one_ldu(0.2, "experienced");
  const auto plan = app::plan_recruitment(s, kPO, {20}, 500.0);
  EXPECT_EQ(total(plan, true), 0);
  EXPECT_GE(total(plan, false), 21);
  EXPECT_LE(total(plan, false), 24);
  // The projection holds the added staff, rounded, on every quarter from the day on.
  std::vector<double> days, counts;
  for (const auto& row : plan.rows) days.push_back(row.quarter_start_day), counts.push_back(row.experienced_hires);
  const auto in_post = app::project_added_staff(s, 0, Grade::PO, days, counts, false);
  for (double day = 500.0; day <= s.horizon_days; day += kQuarter)
    EXPECT_GE(in_post[static_cast<std::size_t>(day)], 19.5) << "day " << day;
  EXPECT_DOUBLE_EQ(plan.rows.front().quarter_start_day, 5 * kQuarter); // the last quarter before day 500
}

TEST(Recruitment, APoPostFilledByTrainingTakesTraineesWhenTheyQualifyInTime) {
  // By day 1000, a trainee must start by day 1000 − 548 (18 months): the
  // quarter of day 365.25. Trainees leave at 0.1 a year while training, so
  // about 12 × exp(0.1 × 1.5) = 13.9 must start for 12 to qualify; those
  // who leave are replaced by new trainees who qualify later, after the day.
  const model::Scenario s = one_ldu(0.1, "trainee");
  const auto plan = app::plan_recruitment(s, kPO, {12}, 1000.0);
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].route, model::RecruitKind::trainee);
  EXPECT_EQ(total(plan, false), 0);
  EXPECT_DOUBLE_EQ(plan.rows.front().quarter_start_day, 4 * kQuarter);
  EXPECT_GE(plan.rows.front().trainee_starts, 13);
  EXPECT_LE(plan.rows.front().trainee_starts, 14);
  EXPECT_GE(plan.groups[0].projected_at_by_day, 11.5);
}

TEST(Recruitment, AnUnreachableDayIsReported) {
  // Hiring takes 120 days: nobody new is in post by day 100.
  const auto plan = app::plan_recruitment(one_ldu(0.1, "trainee"), kPO, {5}, 100.0);
  EXPECT_FALSE(plan.reachable());
  EXPECT_DOUBLE_EQ(plan.groups[0].earliest_day, 2 * kQuarter);
}

// Mean PO in post over snapshots from `from` on, across replications.
double mean_in_post_from(const model::Scenario& s, double from, int replications) {
  double sum = 0.0;
  int n = 0;
  for (int rep = 0; rep < replications; ++rep) {
    const auto r = replication::Simulation(s, static_cast<std::uint32_t>(rep)).run();
    for (std::size_t t = 0; t < r.snapshots.count(); ++t)
      if (r.snapshots.time_days[t] >= from) {
        sum += r.snapshots.ldu_grade.in_post[t * model::kGradeCount + static_cast<std::size_t>(Grade::PO)];
        ++n;
      }
  }
  return sum / n;
}

TEST(Recruitment, SimulatedStartsReachTheStaffingPlansStaffInPostFromTheDay) {
  // The staffing plan puts 20 more POs in post from day 0; the recruitment
  // plan must get the same staff in post from day 500 on, through the engine's
  // own leavers and refills. Tolerance: in post varies like the Poisson
  // pipeline of about 110 × 0.2 × 120 / 365.25 ≈ 7 refills (sd 2.7), averaged
  // over 190 weekly snapshots (strongly correlated: about 10 independent
  // turnover times) and 4 replications: sd ≈ 0.5; 2 posts is four of those,
  // and far below the 20 that the starts add.
  const model::Scenario base = one_ldu(0.2, "experienced");
  const app::Plan plan{20};
  const double planned = mean_in_post_from(app::with_plan(base, kPO, plan), 500.0, 4);
  const auto recruitment = app::plan_recruitment(base, kPO, plan, 500.0);
  const double recruited = mean_in_post_from(app::with_recruitment(base, recruitment), 500.0, 4);
  const double without = mean_in_post_from(base, 500.0, 4);
  EXPECT_NEAR(recruited, planned, 2.0);
  EXPECT_NEAR(recruited - without, 20.0, 2.0);
  EXPECT_DOUBLE_EQ(app::with_recruitment(base, recruitment).warmup_days, 500.0);
}

} // namespace
