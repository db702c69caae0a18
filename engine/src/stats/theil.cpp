#include "caseload/stats/theil.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace caseload::stats {

void TheilSums::add(double x) {
  n += 1.0;
  sum += x;
  if (x > 0.0) sum_x_log_x += x * std::log(x); // x ln x -> 0 as x -> 0
}

TheilParts theil(std::span<const TheilSums> groups) {
  TheilSums all;
  for (const auto& g : groups) all += g;
  TheilParts out;
  if (all.n == 0.0 || !(all.sum > 0.0)) {
    out.total = out.between = out.within = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  const double log_mean = std::log(all.sum / all.n);
  out.total = all.sum_x_log_x / all.sum - log_mean;
  for (const auto& g : groups) {
    if (!(g.sum > 0.0)) continue;
    const double share = g.sum / all.sum;
    const double log_group_mean = std::log(g.sum / g.n);
    out.between += share * (log_group_mean - log_mean);
    out.within += share * (g.sum_x_log_x / g.sum - log_group_mean);
  }
  return out;
}

TheilParts theil(std::span<const double> values, std::span<const int> groups, int group_count) {
  std::vector<TheilSums> sums(static_cast<std::size_t>(group_count));
  for (std::size_t i = 0; i < values.size(); ++i) sums[static_cast<std::size_t>(groups[i])].add(values[i]);
  return theil(sums);
}

} // namespace caseload::stats
