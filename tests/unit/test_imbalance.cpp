#include "caseload/stats/inequality.hpp"
#include "caseload/stats/theil.hpp"
#include "caseload/sim/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace caseload::stats;

TEST(Imbalance, EqualLoadsHaveNoInequality) {
  std::vector<double> v(10, 95.0);
  const Imbalance m = imbalance(v);
  EXPECT_NEAR(m.gini, 0.0, 1e-12);
  EXPECT_NEAR(m.cv, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.max_over_median, 1.0);
  EXPECT_EQ(m.n, 10);
}

TEST(Imbalance, KnownValues) {
  // Gini of {1,2,3,4}: mean absolute difference 1.25 / (2 × mean 2.5) = 0.25.
  std::vector<double> v{4.0, 1.0, 3.0, 2.0};
  Imbalance m = imbalance(v);
  EXPECT_NEAR(m.gini, 0.25, 1e-12);
  EXPECT_NEAR(m.cv, std::sqrt(1.25) / 2.5, 1e-12);
  EXPECT_NEAR(m.max_over_median, 4.0 / 2.5, 1e-12);
  // One officer holds everything: Gini = (n - 1) / n.
  std::vector<double> w{0.0, 0.0, 0.0, 120.0};
  m = imbalance(w);
  EXPECT_NEAR(m.gini, 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(m.share_over_100, 0.25);
  EXPECT_DOUBLE_EQ(m.share_over_110, 0.25);
  EXPECT_TRUE(std::isnan(m.max_over_median)); // median 0
}

TEST(Imbalance, SharesUseStrictThresholds) {
  std::vector<double> v{100.0, 100.1, 110.0, 110.5, 50.0};
  const Imbalance m = imbalance(v);
  EXPECT_DOUBLE_EQ(m.share_over_100, 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(m.share_over_110, 1.0 / 5.0);
}

TEST(Imbalance, EmptyGivesNaN) {
  std::vector<double> v;
  EXPECT_TRUE(std::isnan(imbalance(v).gini));
  EXPECT_TRUE(std::isnan(spread(v).mean));
}

TEST(Spread, QuantilesInterpolateLikeNumpy) {
  std::vector<double> v{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 130};
  const Spread s = spread(v);
  EXPECT_DOUBLE_EQ(s.median, 60.0);
  EXPECT_DOUBLE_EQ(s.p90, 100.0);  // position 9 of 0..10
  EXPECT_DOUBLE_EQ(s.max, 130.0);
  EXPECT_NEAR(s.mean, 680.0 / 11.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.share_over_120, 1.0 / 11.0);
  std::vector<double> w{1.0, 2.0};
  EXPECT_DOUBLE_EQ(quantile_sorted(w, 0.9), 1.9);
}

TEST(Theil, KnownValuesAndAnExactDecomposition) {
  // Equal loads: no inequality at all.
  std::vector<double> equal(6, 80.0);
  std::vector<int> one_group(6, 0);
  EXPECT_NEAR(theil(equal, one_group, 1).total, 0.0, 1e-12);
  // One officer of four holds everything: T = ln 4.
  std::vector<double> all_in_one{0.0, 0.0, 0.0, 120.0};
  std::vector<int> four(4, 0);
  EXPECT_NEAR(theil(all_in_one, four, 1).total, std::log(4.0), 1e-12);
  // Two groups, equal inside, different between: all of T is between groups;
  // T = mean((x/mu) ln(x/mu)) with x/mu = 0.5, 0.5, 1.5, 1.5.
  std::vector<double> two{1.0, 1.0, 3.0, 3.0};
  std::vector<int> halves{0, 0, 1, 1};
  const TheilParts t = theil(two, halves, 2);
  const double expected = 0.5 * (0.5 * std::log(0.5) + 1.5 * std::log(1.5));
  EXPECT_NEAR(t.total, expected, 1e-12);
  EXPECT_NEAR(t.between, expected, 1e-12);
  EXPECT_NEAR(t.within, 0.0, 1e-12);
}

TEST(Theil, BetweenPlusWithinIsTheTotalForAnyGrouping) {
  caseload::sim::Engine rng(5);
  std::vector<double> values;
  std::vector<int> groups;
  for (int i = 0; i < 500; ++i) {
    values.push_back(static_cast<double>(rng() % 15000) / 100.0); // 0 .. 150%
    groups.push_back(static_cast<int>(rng() % 7));
  }
  // The total from its definition, directly.
  double mean = 0.0;
  for (double v : values) mean += v / values.size();
  double direct = 0.0;
  for (double v : values)
    if (v > 0) direct += (v / mean) * std::log(v / mean) / values.size();
  const TheilParts t = theil(values, groups, 7);
  EXPECT_NEAR(t.total, direct, 1e-10);
  EXPECT_NEAR(t.between + t.within, t.total, 1e-10);
  EXPECT_GT(t.between, 0.0);
  EXPECT_GT(t.within, t.between); // random groups: the spread is within them
}
