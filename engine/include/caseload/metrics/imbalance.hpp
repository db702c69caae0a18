#pragma once
// How unevenly work falls: inequality and spread of capacity % across officers.

#include <span>

namespace caseload::metrics {

// Quantile of an ascending-sorted sample, linear interpolation between order
// statistics (numpy's default), q in [0, 1]. NaN for an empty sample.
double quantile_sorted(std::span<const double> sorted, double q);

struct Imbalance {
  int officers = 0;
  double gini = 0.0;            // 0 = all equal, → 1 = one officer holds everything
  double cv = 0.0;              // population sd / mean
  double max_over_median = 0.0;
  double share_over_100 = 0.0;  // fraction of officers above 100% capacity
  double share_over_110 = 0.0;
};

// Imbalance of capacity % values (each ≥ 0). Sorts `values` in place. With
// no officers every figure is NaN; where the mean (or median) is zero the
// figures that divide by it are NaN.
Imbalance imbalance(std::span<double> values);
// The same for values already in ascending order (no copy, no sort).
Imbalance imbalance_of_sorted(std::span<const double> sorted);

struct Spread {
  int officers = 0;
  double mean = 0.0;
  double median = 0.0;
  double p90 = 0.0;
  double max = 0.0;
  double share_over_100 = 0.0;
  double share_over_110 = 0.0;
  double share_over_120 = 0.0;
};

// Summary of capacity % values. Sorts `values` in place; NaN figures when empty.
Spread spread(std::span<double> values);

} // namespace caseload::metrics

namespace caseload::metrics {

// The Theil index T = mean((x/mu) ln(x/mu)) and its exact decomposition over
// groups: T = between + within, between = sum_g s_g ln(mu_g / mu), within =
// sum_g s_g T_g, with s_g the group's share of the total. Zero values
// contribute 0 (x ln x -> 0). NaN when there are no values or their sum is 0.
struct TheilParts {
  double total = 0.0;
  double between = 0.0;
  double within = 0.0;
};

// What the Theil index needs of a group: its size, sum and sum of x ln x. With
// T_g = L_g / S_g - ln(mu_g), every decomposition follows from these sums, so
// each value's logarithm is taken once however the values are grouped.
struct TheilSums {
  double n = 0.0, sum = 0.0, sum_x_log_x = 0.0;
  void add(double x);
  TheilSums& operator+=(const TheilSums& o) {
    n += o.n, sum += o.sum, sum_x_log_x += o.sum_x_log_x;
    return *this;
  }
};

// The Theil index of all the groups' values together, split over the groups.
TheilParts theil(std::span<const TheilSums> groups);

// values[i] belongs to group groups[i] (0 <= group < group_count).
TheilParts theil(std::span<const double> values, std::span<const int> groups, int group_count);

} // namespace caseload::metrics
