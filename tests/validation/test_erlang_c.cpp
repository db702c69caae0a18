// The capped policy as an M/M/c queue: Erlang C for the probability of
// waiting and the mean wait before allocation.

#include "caseload/io/scenario_loader.hpp"
#include "caseload/app/experiment.hpp"
#include "replication_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace caseload;

namespace {

struct ErlangC {
  double wait_probability;
  double mean_wait;
};

ErlangC erlang_c(int c, double lambda, double mu) {
  const double a = lambda / mu;
  double term = 1.0, below = 0.0; // term = a^k / k!
  for (int k = 0; k < c; ++k) {
    below += term;
    term *= a / (k + 1);
  }
  const double top = term * c / (c - a);
  const double p = top / (below + top);
  return {p, p / (c * mu - lambda)};
}

class MMc : public ::testing::TestWithParam<const char*> {};

TEST_P(MMc, WaitingMatchesErlangC) {
  const model::Scenario s =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/validation/" + GetParam()).scenario;
  const int c = s.ldus[0].staff[static_cast<int>(model::Grade::PO)].in_post;
  const double lambda = s.ldus[0].arrivals_per_week[0] / 7.0;
  const double mu = 1.0 / s.case_types[0].duration.mean();
  const ErlangC theory = erlang_c(c, lambda, mu);

  const auto results = app::run_replications(s, s.replications, 0);
  std::vector<double> share, wait, queue, busy;
  for (const auto& r : results) {
    share.push_back(r.division_flow.share_waited());
    wait.push_back(r.division_flow.mean_wait_days());
    queue.push_back(r.division_flow.mean_waiting);
    busy.push_back(r.division_flow.mean_held);
  }
  const auto p = test::across(share), w = test::across(wait), q = test::across(queue),
             b = test::across(busy);
  EXPECT_NEAR(p.mean, theory.wait_probability, test::kStandardErrors * p.standard_error)
      << "P(wait), c = " << c;
  EXPECT_NEAR(w.mean, theory.mean_wait, test::kStandardErrors * w.standard_error)
      << "mean wait, c = " << c;
  // Little's law on the queue and on the servers.
  EXPECT_NEAR(q.mean, lambda * theory.mean_wait, test::kStandardErrors * q.standard_error);
  EXPECT_NEAR(b.mean, lambda / mu, test::kStandardErrors * b.standard_error);
}

INSTANTIATE_TEST_SUITE_P(ThreeServerCounts, MMc,
                         ::testing::Values("mmc-1.toml", "mmc-3.toml", "mmc-8.toml"));

} // namespace
