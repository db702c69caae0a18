#pragma once
// Inequality and spread of a sample of non-negative values (the engine feeds it
// capacity %, but nothing here knows that).

#include <span>

namespace caseload::stats {

// Quantile of an ascending-sorted sample, linear interpolation between order
// statistics (numpy's default), q in [0, 1]. NaN for an empty sample.
double quantile_sorted(std::span<const double> sorted, double q);

struct Imbalance {
  int n = 0;
  double gini = 0.0;            // 0 = all equal, → 1 = one value holds everything
  double cv = 0.0;              // population sd / mean
  double max_over_median = 0.0;
  double share_over_100 = 0.0;  // fraction of values above 100
  double share_over_110 = 0.0;
};

// Imbalance of values (each ≥ 0). Sorts `values` in place. With no values
// every figure is NaN; where the mean (or median) is zero the
// figures that divide by it are NaN.
Imbalance imbalance(std::span<double> values);
// The same for values already in ascending order (no copy, no sort).
Imbalance imbalance_of_sorted(std::span<const double> sorted);

struct Spread {
  int n = 0;
  double mean = 0.0;
  double median = 0.0;
  double p90 = 0.0;
  double max = 0.0;
  double share_over_100 = 0.0;
  double share_over_110 = 0.0;
  double share_over_120 = 0.0;
};

// Summary of values. Sorts `values` in place; NaN figures when empty.
Spread spread(std::span<double> values);

} // namespace caseload::stats

