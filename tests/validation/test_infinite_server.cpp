// M/G/infinity: Little's law for the mean caseload, and the Poisson count.

#include "caseload/io/scenario_loader.hpp"
#include "caseload/app/experiment.hpp"
#include "replication_stats.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <gtest/gtest.h>

using namespace caseload;

namespace {

io::LoadedScenario load(const char* name) {
  return io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/validation/" + name);
}

double arrivals_per_day(const model::Scenario& s) { return s.ldus[0].arrivals_per_week[0] / 7.0; }

} // namespace

TEST(InfiniteServer, MeanCaseloadFollowsLittlesLawFromASteadyStateStart) {
  const model::Scenario s = load("infinite-server.toml").scenario;
  const double expected = arrivals_per_day(s) * s.case_types[0].duration.mean();
  const auto results = app::run_replications(s, s.replications, 0);
  std::vector<double> held, initial;
  for (const auto& r : results) {
    held.push_back(r.division_flow.mean_held);
    initial.push_back(static_cast<double>(r.division_flow.initial_cases));
    EXPECT_EQ(r.division_flow.waited, 0); // uncapped: nobody waits
  }
  const auto h = test::across(held);
  EXPECT_NEAR(h.mean, expected, test::kStandardErrors * h.standard_error)
      << "time-averaged cases held vs lambda E[S]";
  // The synthesised day-0 caseload is Poisson(lambda E[S]): se = sqrt(L / n).
  const auto i = test::across(initial);
  EXPECT_NEAR(i.mean, expected, test::kStandardErrors * std::sqrt(expected / initial.size()));
}

TEST(InfiniteServer, LaterPhasesAreSeededInSteadyStateToo) {
  const model::Scenario s = load("infinite-server-two-phase.toml").scenario;
  const auto& types = s.case_types;
  const double custody = s.ldus[0].arrivals_per_week[1] / 7.0;
  const double licence = s.ldus[0].arrivals_per_week[2] / 7.0;
  const double expected = custody * (types[1].duration.mean() + types[2].duration.mean()) +
                          licence * types[2].duration.mean();
  const auto results = app::run_replications(s, s.replications, 0);
  std::vector<double> held;
  for (const auto& r : results) held.push_back(r.division_flow.mean_held);
  const auto h = test::across(held);
  EXPECT_NEAR(h.mean, expected, test::kStandardErrors * h.standard_error);

  // Released custody cases keep their custody tier (A1): the licence points of
  // A1 and B2 differ, so the day-0 points reveal which tier the synthesis used.
  // Expected day-0 points: custody phase at custody A1 points, licence phase
  // from custody at licence A1, direct licence at licence B2.
  const auto& w = s.workload;
  const int a1 = *model::index_of(model::kTierNames, "A1");
  const int b2 = *model::index_of(model::kTierNames, "B2");
  const double points = custody * types[1].duration.mean() * w.points(model::CaseType::custody, a1) +
                        custody * types[2].duration.mean() * w.points(model::CaseType::licence, a1) +
                        licence * types[2].duration.mean() * w.points(model::CaseType::licence, b2);
  std::vector<double> day0;
  for (const auto& r : results) {
    double sum = 0;
    for (std::size_t o = 0; o < r.officers.size(); ++o) sum += r.snapshots.officer.points.values[o];
    day0.push_back(sum);
  }
  const auto p = test::across(day0);
  EXPECT_NEAR(p.mean, points, test::kStandardErrors * p.standard_error);
}

TEST(InfiniteServer, CountHeldIsPoissonWithMeanLambdaTimesExpectedMinOfDurationAndTime) {
  const model::Scenario s = load("infinite-server-empty.toml").scenario;
  const sim::Distribution& d = s.case_types[0].duration;
  ASSERT_EQ(d.kind(), sim::DistributionKind::gamma);
  const double k = d.param1(), theta = d.param2(), t = s.horizon_days;
  // E[min(S, t)] = t P(S > t) + E[S; S <= t], and E[S; S <= t] = k theta P_{k+1}(t / theta).
  const double expected_min = t * boost::math::gamma_q(k, t / theta) +
                              k * theta * boost::math::gamma_p(k + 1.0, t / theta);
  const double m = arrivals_per_day(s) * expected_min;

  const auto results = app::run_replications(s, s.replications, 0);
  std::vector<double> counts;
  for (const auto& r : results) {
    ASSERT_EQ(r.snapshots.time_days.back(), t);
    double held = 0;
    const std::size_t n_off = r.officers.size();
    for (std::size_t o = 0; o < n_off; ++o)
      held += r.snapshots.officer.cases.values[(r.snapshots.count() - 1) * n_off + o];
    counts.push_back(held);
  }
  const auto n = static_cast<double>(counts.size());
  const auto c = test::across(counts);
  // Poisson: the sample mean has se sqrt(m/n), the sample variance about
  // sqrt((m + 2m^2)/n) (fourth central moment m(1 + 3m)).
  EXPECT_NEAR(c.mean, m, test::kStandardErrors * std::sqrt(m / n));
  const double variance = c.standard_error * c.standard_error * n;
  EXPECT_NEAR(variance, m, test::kStandardErrors * std::sqrt((m + 2 * m * m) / n))
      << "a Poisson count has variance equal to its mean";
}
