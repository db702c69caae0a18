#include "caseload/app/experiment.hpp"
#include "caseload/app/headline.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "caseload/replication/simulation.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace caseload;

namespace {

void expect_conserved(const model::FlowSummary& f) {
  // Every case that ever existed is held, waiting or closed at the end.
  EXPECT_EQ(f.initial_cases + f.total_arrivals, f.held_at_end + f.waiting_at_end + f.total_closures);
}

void expect_same(const model::ReplicationResult& a, const model::ReplicationResult& b) {
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.snapshots.officer.points.values, b.snapshots.officer.points.values);
  EXPECT_EQ(a.snapshots.unallocated, b.snapshots.unallocated);
  EXPECT_EQ(a.division_flow.total_arrivals, b.division_flow.total_arrivals);
  EXPECT_EQ(a.division_flow.mean_held, b.division_flow.mean_held);
  EXPECT_EQ(a.division_flow.total_wait_days, b.division_flow.total_wait_days);
}

class EveryPolicy : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPolicy, ConservesCasesAndRespectsEligibility) {
  // 4 POs in LDU A against ~250 cases forces the capped policy to queue.
  const model::Scenario s = test::parse(test::two_ldu_scenario(GetParam(), 4));
  replication::Simulation sim(s, 0);
  const model::ReplicationResult r = sim.run();
  for (const auto& f : r.ldu_flows) expect_conserved(f);
  expect_conserved(r.division_flow);
  EXPECT_GT(r.division_flow.total_arrivals, 0);
  EXPECT_GT(r.division_flow.initial_cases, 0);
  EXPECT_GT(r.snapshots.count(), 100u);
  for (const auto& o : sim.officers()) {
    EXPECT_GE(o.points, 0);
    EXPECT_GE(o.cases, 0);
    if (!o.has_capacity()) {
      EXPECT_EQ(o.cases, 0);
    }
  }
  // Cases held by officers add up to the LDU's holding at the end.
  std::int64_t held = 0;
  for (const auto& o : sim.officers()) held += o.cases;
  EXPECT_EQ(held, r.division_flow.held_at_end);
}

INSTANTIATE_TEST_SUITE_P(Policies, EveryPolicy,
                         ::testing::Values("policy = \"least_loaded\"", "policy = \"round_robin\"",
                                           "policy = \"random\"",
                                           "policy = \"capped\"\ncap_percent = 100"));

} // namespace

TEST(Simulation, CappedPolicyQueuesWhenFullAndNeverAllocatesAtTheCap) {
  const model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"capped\"\ncap_percent = 100", 4));
  const model::ReplicationResult r = replication::Simulation(s, 0).run();
  const model::FlowSummary& a = r.ldu_flows[0];
  EXPECT_GT(a.waited, 0);
  EXPECT_GT(a.mean_waiting, 0.0);
  EXPECT_GT(a.mean_wait_days(), 0.0);

  // Community cases only (no custody release can raise a load later): an
  // officer takes a case only while below the cap, so no one ever exceeds it
  // by more than one case's points.
  const model::Scenario community = test::parse(R"(
schema_version = 1
horizon_days = 400
[allocation]
policy = "capped"
cap_percent = 100
[case_types.community]
duration_days = { dist = "exponential", mean = 200 }
tier_mix = { A3 = 0.5, D0 = 0.5 }
[[ldu]]
name = "Busy"
staff.PO = { establishment = 3 }
arrivals_per_week = { community = 5 }
)");
  const model::ReplicationResult c = replication::Simulation(community, 0).run();
  EXPECT_GT(c.division_flow.waited, 0);
  for (std::size_t i = 0; i < c.snapshots.officer.capacity_percent.values.size(); ++i) {
    const double available = c.officers[i % c.officers.size()].available_points;
    EXPECT_LT(c.snapshots.officer.capacity_percent.values[i], 100.0 + 100.0 * 206 / available);
  }
}

TEST(Simulation, SameSeedSameResults) {
  const model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  expect_same(replication::Simulation(s, 3).run(), replication::Simulation(s, 3).run());
}

TEST(Simulation, ReplicationsDiffer) {
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  EXPECT_NE(replication::Simulation(s, 0).run().division_flow.mean_held,
            replication::Simulation(s, 1).run().division_flow.mean_held);
}

TEST(Simulation, ResultsDoNotDependOnThreadCount) {
  const model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  const auto one = app::run_replications(s, 4, 1);
  const auto two = app::run_replications(s, 4, 2);
  const auto four = app::run_replications(s, 4, 4);
  for (int r = 0; r < 4; ++r) {
    expect_same(one[r], two[r]);
    expect_same(one[r], four[r]);
  }
}

TEST(Simulation, AnySubsetOfReplicationsGivesTheResultsOfTheWholeRun) {
  // What --resume relies on: replication r is the same whether it runs with
  // all the others or alone, later, in another process.
  model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  const auto all = app::run_replications(s, 4, 2);
  std::vector<int> seen;
  const int subset[] = {3, 1};
  app::for_each_replication(s, subset, 2, [&](int r, model::ReplicationResult&& result, app::ReplicationWriter*) {
    seen.push_back(r);
    expect_same(all[static_cast<std::size_t>(r)], result);
  });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{1, 3}));
}

TEST(Simulation, SummaryFromFiguresAloneEqualsTheSummaryOfHeldResults) {
  // Runs keep only each replication's figures; their summary must be the one
  // computed from every replication's records.
  model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  s.replications = 5;
  const auto results = app::run_replications(s, 5, 2);
  const app::RunSummary held = app::summarise(s, results);
  const app::RunSummary streamed = app::summarise_replications(s, 2);
  ASSERT_EQ(held.statistics.size(), streamed.statistics.size());
  ASSERT_FALSE(held.statistics.empty());
  for (std::size_t i = 0; i < held.statistics.size(); ++i) {
    const auto& a = held.statistics[i].interval;
    const auto& b = streamed.statistics[i].interval;
    EXPECT_EQ(held.statistics[i].figure, streamed.statistics[i].figure);
    EXPECT_EQ(a.n, b.n);
    if (std::isnan(a.mean)) EXPECT_TRUE(std::isnan(b.mean));
    else EXPECT_EQ(a.mean, b.mean) << held.statistics[i].figure;
  }
  EXPECT_EQ(held.figures.replication, streamed.figures.replication);
  EXPECT_EQ(held.figures.ldu, streamed.figures.ldu);
}

TEST(Simulation, StaffingChangesLeaveArrivalsAndDurationsUntouched) {
  // Common random numbers: fewer POs under a cap changes who waits, not which
  // cases arrive or how long their supervision lasts.
  const model::Scenario full = test::parse(test::two_ldu_scenario("policy = \"capped\"", 12));
  const model::Scenario short_staffed = test::parse(test::two_ldu_scenario("policy = \"capped\"", 3));
  const auto a = replication::Simulation(full, 0).run();
  const auto b = replication::Simulation(short_staffed, 0).run();
  for (std::size_t l = 0; l < a.ldu_flows.size(); ++l) {
    EXPECT_EQ(a.ldu_flows[l].total_arrivals, b.ldu_flows[l].total_arrivals);
    EXPECT_EQ(a.ldu_flows[l].initial_cases, b.ldu_flows[l].initial_cases);
  }
  // LDU B's staffing did not change: its whole history is identical.
  EXPECT_EQ(a.ldu_flows[1].total_closures, b.ldu_flows[1].total_closures);
  EXPECT_EQ(a.ldu_flows[1].mean_held, b.ldu_flows[1].mean_held);
  EXPECT_GT(b.ldu_flows[0].waited, a.ldu_flows[0].waited);
}

TEST(Simulation, TheSnapshotsTakenAreThoseTheScenarioFixesAhead) {
  // The output's writer makes the snapshot series' datasets before the run
  // from model::snapshot_count: it must be the number taken, also where the
  // step does not divide the span or adds up with rounding: 0.2 a step over
  // 100 days is 501 snapshots by division, 500 as the days add up (the
  // 501st falls at 100.00000000000088), and 0.1 over 100.3 days 1,003 by
  // division, 1,004 added up.
  struct Case {
    double warmup, horizon, every;
  };
  for (const Case c : {Case{0, 730, 7}, Case{365, 730, 7}, Case{0, 700, 7}, Case{0, 100, 0.2}, Case{0, 100.3, 0.1},
                       Case{30, 30, 7}, Case{0, 730, 1000}}) {
    model::Scenario s = test::parse(test::two_ldu_scenario());
    s.warmup_days = c.warmup;
    s.horizon_days = c.horizon;
    s.snapshot_every_days = c.every;
    const auto r = replication::Simulation(s, 0).run();
    EXPECT_EQ(r.snapshots.count(), model::snapshot_count(s)) << c.warmup << " " << c.horizon << " " << c.every;
    EXPECT_GE(r.snapshots.count(), 1u);
  }
}

TEST(Simulation, WarmupIsExcludedFromStatistics) {
  const model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"least_loaded\"", 12, "warmup_days = 365\n"));
  const auto r = replication::Simulation(s, 0).run();
  EXPECT_DOUBLE_EQ(r.snapshots.time_days.front(), 365.0);
  EXPECT_LT(r.division_flow.arrivals, r.division_flow.total_arrivals);
  EXPECT_GT(r.division_flow.arrivals, 0);
  expect_conserved(r.division_flow);
}

// --- parts run apart (replication/shared_state.hpp, sim/parted_event_queue.hpp)

TEST(Simulation, LdusThatCanShareWorkAreOnePart) {
  // A lists B as a neighbour: apart while overflow is off, together once it
  // can be on (from the start or from an intervention), or when one victim
  // unit serves the division.
  auto parts = [](const std::string& allocation, const std::string& extra = "") {
    return replication::independent_parts(test::parse(test::two_ldu_scenario(allocation, 12) + extra));
  };
  EXPECT_EQ(parts("policy = \"least_loaded\""), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(parts("policy = \"least_loaded\"\noverflow = true"), (std::vector<std::uint32_t>{0, 0}));
  EXPECT_EQ(parts("policy = \"least_loaded\"", "[[intervention]]\nat_day = 100\noverflow = true\n"),
            (std::vector<std::uint32_t>{0, 0}));
  EXPECT_EQ(parts("policy = \"least_loaded\"", "[victims]\npooled = true\n"), (std::vector<std::uint32_t>{0, 0}));
  // Day-0 files that give a case of A to an officer of B (they may:
  // scenario-format.md) join A and B; a case of A held in A does not.
  model::Scenario s = test::parse(test::two_ldu_scenario());
  s.snapshot.emplace();
  s.snapshot->officers.resize(2);
  s.snapshot->officers[1].ldu = 1;
  s.snapshot->cases.resize(1);
  s.snapshot->cases[0].officer = 0;
  EXPECT_EQ(replication::independent_parts(s), (std::vector<std::uint32_t>{0, 1}));
  s.snapshot->cases[0].officer = 1;
  EXPECT_EQ(replication::independent_parts(s), (std::vector<std::uint32_t>{0, 0}));
}

namespace {

bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

} // namespace

class PartsAndWhole : public ::testing::TestWithParam<const char*> {};

TEST_P(PartsAndWhole, GiveTheSameFiguresToTheLastDigit) {
  // Each LDU's events depend only on its own state and streams, and every
  // figure is summed per LDU before the division's, so running the parts
  // apart between shared moments must change no figure at all: not the
  // flows, the timeliness of tasks, nor the snapshots' figures.
  const model::Scenario s =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/" + GetParam()).scenario;
  const std::vector<std::uint32_t> part_of_ldu = replication::independent_parts(s);
  ASSERT_GT(*std::max_element(part_of_ldu.begin(), part_of_ldu.end()), 0u) << "one part only";
  const model::ReplicationResult parts = replication::Simulation(s, 1).run();
  const model::ReplicationResult whole = replication::Simulation(s, 1, replication::Partition::whole).run();
  EXPECT_EQ(parts.events, whole.events);
  EXPECT_EQ(parts.officers.size(), whole.officers.size());
  EXPECT_EQ(parts.snapshots.unallocated, whole.snapshots.unallocated);
  std::size_t compared = 0;
  for (int ldu = -1; ldu < static_cast<int>(s.ldus.size()); ++ldu) {
    const std::vector<app::Figure> a = app::headline_figures(s, parts, ldu);
    const std::vector<app::Figure> b = app::headline_figures(s, whole, ldu);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i, ++compared)
      EXPECT_TRUE(same_value(a[i].value, b[i].value))
          << a[i].name << " of LDU " << ldu << ": " << a[i].value << " apart, " << b[i].value << " whole";
  }
  EXPECT_GT(compared, 500u);
}

// The baseline (nine parts), one with interventions that change demand, and
// one that recruits trainees in waves.
INSTANTIATE_TEST_SUITE_P(Scenarios, PartsAndWhole,
                         ::testing::Values("midlands-2018.toml", "midlands-2018-demand-surge.toml",
                                           "midlands-2018-trainee-drive.toml"));
