#pragma once
// The Theil index and its exact decomposition over groups.

#include <span>

namespace caseload::stats {

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

} // namespace caseload::stats
