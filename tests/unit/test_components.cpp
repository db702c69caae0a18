// Each component of a replication driven on its own, without the Simulation's
// event loop: the state they share is plain data, so a test can set it up,
// call one component and read the result.

#include "caseload/model/officer_time.hpp"
#include "caseload/replication/case_flow.hpp"
#include "caseload/replication/recorder.hpp"
#include "caseload/replication/shared_state.hpp"
#include "caseload/replication/task_work.hpp"
#include "caseload/replication/workforce.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace caseload;
using model::Grade;

namespace {

// The components of one replication, wired as the Simulation wires them.
struct Components {
  explicit Components(const model::Scenario& s) : state(s, 0), cases(state), work(state), workforce(state) {
    cases.connect(work);
    work.connect(cases);
    workforce.connect(cases, work);
  }
  replication::SharedState state;
  replication::CaseFlow cases;
  replication::TaskWork work;
  replication::Workforce workforce;
};

// One full-time PO who writes an FDR a day and nothing else; `tasks` adds keys to [tasks].
model::Scenario one_court_writer(const std::string& tasks) {
  return test::parse(R"(
schema_version = 1
initial_state = "empty"
[workload]
reports_in_capacity = false
[tasks]
sdr_share = 0
)" + tasks + R"(
[case_types.community]
duration_days = { dist = "fixed", value = 10 }
tier_mix = { C1 = 1.0 }
[[ldu]]
name = "Court"
staff.PO = { establishment = 1 }
court_reports_per_week = 7
)");
}

// Staffs the components, sets the PO's caseload points, and hands them the first court report.
sim::Event first_court_report(Components& c, std::int32_t caseload_points = 0) {
  c.workforce.build_staff();
  c.state.officers[0].points = caseload_points;
  c.work.schedule_first_court_reports();
  const sim::Event e = c.state.events.pop(0);
  EXPECT_EQ(e.kind, replication::kCourtReport);
  c.work.on_court_report(e.id, e.time);
  return e;
}

std::int64_t held_points(const replication::SharedState& s, std::uint32_t officer) {
  std::int64_t points = 0;
  for (std::uint32_t id = s.lives[officer].first_case; id != model::kNone; id = s.cases[id].next_held)
    points += s.points_of(s.cases[id]);
  return points;
}

} // namespace

TEST(Components, WorkforceBuildsTheDayZeroStaffWithWmtCapacity) {
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  Components c(s);
  c.workforce.build_staff();
  // LDU A: 12 POs, 2 PQiPs at 60% reduction, 2 SPOs; LDU B: 6 POs (in_post defaults to establishment).
  ASSERT_EQ(c.state.rosters[0].by_grade[static_cast<int>(Grade::PO)].size(), 12u);
  ASSERT_EQ(c.state.rosters[1].by_grade[static_cast<int>(Grade::PO)].size(), 6u);
  EXPECT_EQ(c.state.establishment[0][static_cast<int>(Grade::PO)], 15);
  for (const model::Officer& o : c.state.officers) {
    const double expected = o.grade == Grade::SPO    ? 0.0
                            : o.grade == Grade::PQiP ? 2176.0 * 0.4
                                                     : 2176.0;
    EXPECT_DOUBLE_EQ(o.available_points, expected) << model::name(o.grade);
  }
}

TEST(Components, CaseFlowSeedsTheDayZeroCaseloadOntoEligibleOfficers) {
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  Components c(s);
  c.workforce.build_staff();
  c.cases.seed_initial_state();
  const replication::SharedState& st = c.state;
  std::int64_t cases = 0, held = 0;
  for (const model::FlowSummary& f : st.flows) cases += f.initial_cases;
  ASSERT_GT(cases, 100);
  for (std::uint32_t o = 0; o < st.officers.size(); ++o) {
    EXPECT_EQ(held_points(st, o), st.officers[o].points);
    held += st.officers[o].cases;
  }
  std::int64_t waiting = 0;
  for (const auto& q : st.queues) waiting += static_cast<std::int64_t>(q.size());
  EXPECT_EQ(held + waiting, cases);
  for (const model::Case& k : st.cases) {
    if (k.officer == model::kNoOfficer) continue;
    EXPECT_TRUE(model::eligible(st.allocation.eligibility[model::protect_level(k.tier)],
                                st.officers[k.officer].grade));
  }
}

TEST(Components, WorkforceCutsTheNewestPostAndItsCasesAreReallocated) {
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  Components c(s);
  c.workforce.build_staff();
  c.cases.seed_initial_state();
  replication::SharedState& st = c.state;
  const auto& pos = st.rosters[1].by_grade[static_cast<int>(Grade::PO)];
  const std::uint32_t newest = pos.back();
  const std::int32_t moved = st.officers[newest].cases;
  ASSERT_GT(moved, 0);
  model::Intervention cut;
  cut.add_staff[static_cast<int>(Grade::PO)] = -1;
  c.workforce.change_staff(1, Grade::PO, cut, 10.0);
  EXPECT_EQ(st.officers[newest].state, model::OfficerState::left);
  EXPECT_EQ(st.officers[newest].cases, 0);
  EXPECT_EQ(st.lives[newest].first_case, model::kNone);
  EXPECT_EQ(pos.size(), 5u);
  EXPECT_EQ(st.establishment[1][static_cast<int>(Grade::PO)], 5);
  EXPECT_EQ(st.flows[1].reallocations[static_cast<int>(model::ReallocationCause::intervention)], moved);
}

TEST(Components, TaskWorkWorksACourtReportAtTheSpareRate) {
  // One PO on 37 hours and no cases: the whole week is spare, so an FDR of
  // 65 points carried for 30 days (65/2176 × 37 × 30/7 hours) takes that many
  // hours at 37/7 hours a day.
  const model::Scenario s = one_court_writer("");
  Components c(s);
  const sim::Event e = first_court_report(c);
  ASSERT_EQ(c.state.tasks.size(), 1u);
  const model::Task& t = c.state.tasks[0];
  EXPECT_EQ(t.officer, 0u);
  const double hours = 65.0 / 2176.0 * 37.0 * 30.0 / 7.0;
  EXPECT_NEAR(t.hours, hours, 1e-12);
  EXPECT_NEAR(c.state.lives[0].next_done, e.time + hours / (37.0 / 7.0), 1e-9);
}

TEST(Components, RecorderTakesOneRowPerOfficerAndBooksTheNextSnapshot) {
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  Components c(s);
  c.workforce.build_staff();
  c.cases.seed_initial_state();
  replication::Recorder recorder(c.state);
  EXPECT_DOUBLE_EQ(recorder.on_snapshot(0.0), s.snapshot_every_days);
  const model::ReplicationResult r = recorder.finish(c.state, 0, 0);
  ASSERT_EQ(r.snapshots.count(), 1u);
  const auto& o = r.snapshots.officer;
  ASSERT_EQ(o.cases.values.size(), c.state.officers.size());
  for (std::size_t i = 0; i < c.state.officers.size(); ++i) {
    EXPECT_EQ(o.cases[i], c.state.officers[i].cases);
    EXPECT_EQ(std::isnan(o.capacity_percent[i]), !c.state.officers[i].has_capacity());
  }
}

TEST(Components, AReportTakesLongerSmoothlyAsTheWritersCaseloadGrows) {
  // One PO, no other work: set the caseload's points directly (the state is
  // plain data), give them one FDR, and read when it will be done. The time is
  // hours / (available hours × task share at that load / 7): it rises with
  // load, with no jump at 100%, and at 200% is about 1/s times what it is at
  // 100% (s = task_share_at_capacity = 0.1).
  const model::Scenario s = one_court_writer("task_share_at_capacity = 0.1\n");
  const double hours = 65.0 / 2176.0 * 37.0 * 30.0 / 7.0;
  auto days_to_write = [&](double load) {
    Components c(s);
    const sim::Event e = first_court_report(c, static_cast<std::int32_t>(std::lround(load * 2176.0)));
    const double expected =
        hours / (37.0 * model::task_share(c.state.officers[0].points / 2176.0, 0.1) / 7.0);
    EXPECT_NEAR(c.state.lives[0].next_done - e.time, expected, 1e-9 * expected) << "load " << load;
    return c.state.lives[0].next_done - e.time;
  };
  double previous = 0.0;
  for (double load : {0.0, 0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.5, 2.0, 3.0}) {
    const double days = days_to_write(load);
    EXPECT_GT(days, previous) << "load " << load;
    previous = days;
  }
  EXPECT_LT(days_to_write(1.001) / days_to_write(0.999), 1.01); // no cliff at 100%
  const double ratio = days_to_write(2.0) / days_to_write(1.0);
  EXPECT_GT(ratio, 8.0);
  EXPECT_LT(ratio, 12.0);
}

TEST(Components, CourtDutyTakesItsShareOfTheWeekBeforeWrittenReports) {
  // A court-team officer whose court duty takes half the week writes a report
  // at the task share of a load of 0.5, like a case holder at 50%.
  const model::Scenario s = one_court_writer("task_share_at_capacity = 0.1\ncourt_duty_share = 0.5\n");
  Components c(s);
  c.workforce.build_staff();
  c.state.officers[0].duty = model::Duty::court;
  c.work.schedule_first_court_reports();
  const sim::Event e = c.state.events.pop(0);
  c.work.on_court_report(e.id, e.time);
  const double hours = 65.0 / 2176.0 * 37.0 * 30.0 / 7.0;
  const double expected = hours / (37.0 * model::task_share(0.5, 0.1) / 7.0);
  EXPECT_NEAR(c.state.lives[0].next_done - e.time, expected, 1e-9 * expected);
  EXPECT_NEAR(c.state.load_hours(0), 18.5, 1e-12);
}

TEST(Components, ACasesPendingTasksSeeThatItEndedBeforeItsSlotIsReused) {
  // Tasks that follow a case (reports, reviews) carry its slot's generation;
  // when the case ends, the generation moves on at once, so a task placed
  // after the end goes to any PO of the LDU rather than to the case's former
  // holder or to a wait for a holder that will never come. (It moved only as
  // the slot was reused: how soon depended on the other LDUs' cases.)
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  Components c(s);
  c.workforce.build_staff();
  c.cases.seed_initial_state();
  replication::SharedState& st = c.state;
  std::uint32_t id = 0;
  while (st.cases[id].officer == model::kNoOfficer) ++id;
  const std::uint32_t generation = st.cases[id].generation;
  c.cases.on_case_end(id, 10.0);
  EXPECT_NE(st.cases[id].generation, generation);
  // The slot is free (for its part's next case); tasks of the ended case no longer match it.
  EXPECT_EQ(st.free_cases[st.events.part_of(st.cases[id].ldu)].back(), id);
  EXPECT_EQ(st.open_cases, st.cases.size() - 1);
  // (Scenarios/PartsAndWhole in test_simulation.cpp fails without this: the
  // parts reuse slots in another order than one list did.)
}

TEST(Components, ACaseThatEndsWhileWaitingHandsItsWaitingReviewToAPoAtOnce) {
  // Capped at 100% with one PO in LDU A: most of A's day-0 cases wait. A
  // review of a waiting case waits for its next holder; if the case ends
  // first, no holder will come, so the review goes to a PO of the LDU then
  // (TaskWork::case_ended_waiting), not at some later retry.
  model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"capped\"\ncap_percent = 100", 1));
  for (auto& type : s.case_types) {
    type.escalations_per_year.fill(1.0);
    type.deescalations_per_year.fill(1.0);
  }
  Components c(s);
  c.workforce.build_staff();
  c.cases.seed_initial_state();
  replication::SharedState& st = c.state;
  std::uint32_t id = 0;
  while (st.cases[id].ldu != 0 || st.cases[id].officer != model::kNoOfficer) ++id;
  ASSERT_TRUE(st.unassigned_tasks[0].empty());
  st.cases[id].next_risk = 5.0;
  c.work.on_risk_change(id, 5.0); // a review of the waiting case
  ASSERT_EQ(st.unassigned_tasks[0].size(), 1u);
  const std::uint32_t review = st.unassigned_tasks[0].front();
  ASSERT_EQ(st.tasks[review].subject, id);
  c.cases.on_case_end(id, 6.0);
  EXPECT_TRUE(st.unassigned_tasks[0].empty());
  const std::uint32_t po = st.rosters[0].by_grade[static_cast<int>(Grade::PO)].front();
  EXPECT_EQ(st.tasks[review].officer, po);
}
