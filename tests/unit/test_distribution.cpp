#include "caseload/sim/distribution.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using caseload::sim::Distribution;
using caseload::sim::make_stream;

namespace {

struct Moments {
  double mean, sd;
};

Moments sample_moments(const std::vector<double>& xs) {
  double m = 0.0;
  for (double x : xs) m += x;
  m /= static_cast<double>(xs.size());
  double v = 0.0;
  for (double x : xs) v += (x - m) * (x - m);
  return {m, std::sqrt(v / static_cast<double>(xs.size() - 1))};
}

// Excess kurtosis of each family, for the standard error of the sample sd.
double excess_kurtosis(const Distribution& d) {
  using K = caseload::sim::DistributionKind;
  switch (d.kind()) {
  case K::exponential: return 6.0;
  case K::lognormal: {
    const double s2 = std::log1p(d.sd() * d.sd() / (d.mean() * d.mean()));
    return std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 6.0;
  }
  case K::gamma: return 6.0 / d.param1();
  case K::weibull: {
    const double k = d.param1();
    const double g1 = std::tgamma(1 + 1 / k), g2 = std::tgamma(1 + 2 / k),
                 g3 = std::tgamma(1 + 3 / k), g4 = std::tgamma(1 + 4 / k);
    const double var = g2 - g1 * g1;
    return (-6 * std::pow(g1, 4) + 12 * g1 * g1 * g2 - 3 * g2 * g2 - 4 * g1 * g3 + g4) / (var * var);
  }
  case K::uniform: return -1.2;
  case K::fixed: return 0.0;
  }
  return 0.0;
}

class DistributionMoments : public ::testing::TestWithParam<Distribution> {};

// With n draws the sample mean has standard error sd/sqrt(n) and the sample sd
// about sd*sqrt((kurtosis_excess + 2)/(4n)); 5 standard errors leave a false
// alarm chance below 1e-6 per check, and the seed is fixed besides.
TEST_P(DistributionMoments, SampleMeanAndSdMatchTheory) {
  const Distribution d = GetParam();
  auto engine = make_stream({2018, 0, 99, static_cast<std::uint32_t>(d.kind())});
  constexpr int n = 400000;
  std::vector<double> xs(n);
  for (double& x : xs) x = d.sample(engine);
  const Moments got = sample_moments(xs);
  const double se_mean = d.sd() / std::sqrt(double(n));
  EXPECT_NEAR(got.mean, d.mean(), 5 * se_mean + 1e-12) << d.describe();
  const double se_sd = d.sd() * std::sqrt((excess_kurtosis(d) + 2.0) / (4.0 * n));
  EXPECT_NEAR(got.sd, d.sd(), 5 * se_sd + 1e-12) << d.describe();
  for (double x : xs) ASSERT_GE(x, 0.0);
}

// The equilibrium residual has mean E[X^2] / (2 E[X]); the sample's own sd
// gives the standard error.
TEST_P(DistributionMoments, ResidualMeanMatchesTheory) {
  const Distribution d = GetParam();
  auto engine = make_stream({2018, 1, 99, static_cast<std::uint32_t>(d.kind())});
  constexpr int n = 400000;
  std::vector<double> xs(n);
  for (double& x : xs) x = d.sample_residual(engine);
  const Moments got = sample_moments(xs);
  const double expected = (d.sd() * d.sd() + d.mean() * d.mean()) / (2 * d.mean());
  EXPECT_NEAR(got.mean, expected, 5 * got.sd / std::sqrt(double(n)) + 1e-12) << d.describe();
}

INSTANTIATE_TEST_SUITE_P(
    AllFamilies, DistributionMoments,
    ::testing::Values(Distribution::exponential(30.0), Distribution::lognormal(400.0, 250.0),
                      Distribution::gamma_from_moments(365.0, 120.0), Distribution::gamma(0.7, 50.0),
                      Distribution::weibull_from_moments(500.0, 300.0), Distribution::weibull(2.5, 100.0),
                      Distribution::uniform(10.0, 70.0), Distribution::fixed(12.5)));

} // namespace

TEST(Distribution, MomentParametrisationsAreExact) {
  const auto ln = Distribution::lognormal(400.0, 250.0);
  EXPECT_NEAR(ln.mean(), 400.0, 1e-9);
  EXPECT_NEAR(ln.sd(), 250.0, 1e-9);
  const auto g = Distribution::gamma_from_moments(365.0, 120.0);
  EXPECT_NEAR(g.mean(), 365.0, 1e-9);
  EXPECT_NEAR(g.sd(), 120.0, 1e-9);
  const auto w = Distribution::weibull_from_moments(500.0, 300.0);
  EXPECT_NEAR(w.mean(), 500.0, 1e-6);
  EXPECT_NEAR(w.sd(), 300.0, 1e-6);
  const auto e = Distribution::weibull_from_moments(100.0, 100.0); // CV 1: exponential
  EXPECT_NEAR(e.param1(), 1.0, 1e-6);
}

TEST(Distribution, RejectsParametersOutsideTheDomain) {
  EXPECT_THROW(Distribution::exponential(0.0), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal(1.0, std::nan("")), std::invalid_argument);
  EXPECT_THROW(Distribution::gamma(1.0, HUGE_VAL), std::invalid_argument);
  EXPECT_THROW(Distribution::uniform(5.0, 5.0), std::invalid_argument);
  EXPECT_THROW(Distribution::fixed(-2.0), std::invalid_argument);
  EXPECT_THROW(caseload::sim::distribution_kind_from_string("normal"), std::invalid_argument);
}

// Parameters whose derived values overflow are refused where they are given,
// not found out as NaN durations (a day-0 caseload of about 100 cases) or a
// failed allocation later (issue 12).
TEST(Distribution, HugeButFiniteMomentsKeepFiniteParameters) {
  const auto d = Distribution::lognormal(1e300, 1e300); // sd/mean = 1: sigma^2 = ln 2
  EXPECT_DOUBLE_EQ(d.mean(), 1e300);
  EXPECT_DOUBLE_EQ(d.sd(), 1e300);
  auto engine = make_stream({1, 0, 0, 0});
  EXPECT_TRUE(std::isfinite(d.sample(engine)));
  const auto g = Distribution::gamma_from_moments(1e300, 1e300); // shape 1, scale 1e300
  EXPECT_DOUBLE_EQ(g.mean(), 1e300);
}

TEST(Distribution, DerivedParametersThatOverflowAreRefused) {
  EXPECT_THROW(Distribution::lognormal(1.0, 1e300), std::invalid_argument);       // sigma^2 = inf
  EXPECT_THROW(Distribution::weibull(1e-300, 100.0), std::invalid_argument);       // mean = Gamma(1e300)
  EXPECT_THROW(Distribution::gamma_from_moments(1e300, 1e-300), std::invalid_argument); // shape = inf
}

// The time left of an item already `served` long, X - a given X > a, has
// survival P(R > t) = S(a + t) / S(a). Each check compares the share of n
// draws with R > t to that probability p: the share is binomial, with sd
// sqrt(p (1 - p) / n), and a correct sampler lands within 4 sd (a false
// failure about once in 16,000 checks). S is written out here in closed form
// for each family, independently of Distribution::survival.
namespace {

void expect_remaining_survival(const Distribution& d, double served, const std::vector<double>& ts,
                               double (*survival)(double)) {
  auto engine = make_stream({42, 0, 11, 0, 0});
  constexpr int n = 40000;
  std::vector<double> draws(n);
  for (double& r : draws) {
    r = d.sample_remaining(served, engine);
    ASSERT_GE(r, 0.0);
  }
  for (double t : ts) {
    const double p = survival(served + t) / survival(served);
    double above = 0.0;
    for (double r : draws) above += r > t ? 1.0 : 0.0;
    EXPECT_NEAR(above / n, p, 4.0 * std::sqrt(p * (1.0 - p) / n) + 1e-12)
        << d.describe() << " served " << served << " t " << t;
  }
  EXPECT_NEAR(d.survival(served + ts.front()) / d.survival(served),
              survival(served + ts.front()) / survival(served), 1e-9);
}

} // namespace

TEST(Distribution, RemainingTimeGivenTimeServedFollowsTheConditionalSurvival) {
  // exponential (mean 100): memoryless, S(a + t) / S(a) = exp(-t / 100) whatever a.
  expect_remaining_survival(Distribution::exponential(100.0), 250.0, {20.0, 100.0, 300.0},
                            [](double x) { return std::exp(-x / 100.0); });
  // weibull (shape 2, scale 100): S(x) = exp(-(x / 100)^2); wear-out, so less is left the longer served.
  expect_remaining_survival(Distribution::weibull(2.0, 100.0), 80.0, {10.0, 40.0, 100.0},
                            [](double x) { return std::exp(-(x / 100.0) * (x / 100.0)); });
  // gamma (shape 2, scale 50): S(x) = exp(-x / 50) (1 + x / 50).
  expect_remaining_survival(Distribution::gamma(2.0, 50.0), 120.0, {10.0, 60.0, 200.0},
                            [](double x) { return std::exp(-x / 50.0) * (1.0 + x / 50.0); });
  // lognormal with mu = 5 and sigma^2 = ln(1 + 0.6^2) (a CV of 0.6, so mean = exp(mu + sigma^2 / 2)):
  // S(x) = erfc((ln x - mu) / (sigma sqrt 2)) / 2.
  const double mean = std::exp(5.0 + std::log1p(0.36) / 2.0);
  expect_remaining_survival(Distribution::lognormal(mean, mean * 0.6), 300.0, {20.0, 150.0, 600.0}, [](double x) {
    return 0.5 * std::erfc((std::log(x) - 5.0) / std::sqrt(2.0 * std::log1p(0.36)));
  });
  // uniform on [100, 500], served 200: the rest is uniform on [0, 300].
  expect_remaining_survival(Distribution::uniform(100.0, 500.0), 200.0, {30.0, 150.0, 290.0},
                            [](double x) { return x <= 100.0 ? 1.0 : x >= 500.0 ? 0.0 : (500.0 - x) / 400.0; });
}

TEST(Distribution, RemainingTimePastTheSupportIsNothing) {
  auto engine = make_stream({42, 0, 12, 0, 0});
  EXPECT_EQ(Distribution::fixed(30.0).sample_remaining(10.0, engine), 20.0);
  EXPECT_EQ(Distribution::fixed(30.0).sample_remaining(45.0, engine), 0.0);
  EXPECT_EQ(Distribution::uniform(10.0, 20.0).sample_remaining(25.0, engine), 0.0);
  // Served far into a lognormal's tail, where S underflows: overdue, not infinite.
  const double r = Distribution::lognormal(100.0, 10.0).sample_remaining(1e6, engine);
  EXPECT_TRUE(std::isfinite(r));
  EXPECT_GE(r, 0.0);
}
