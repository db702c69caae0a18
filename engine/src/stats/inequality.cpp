#include "caseload/stats/inequality.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cassert>
#include <vector>
#include <cmath>
#include <limits>

namespace caseload::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using ConstArray = Eigen::Map<const Eigen::ArrayXd>;

ConstArray as_array(std::span<const double> v) {
  return ConstArray(v.data(), static_cast<Eigen::Index>(v.size()));
}

// Share of an ascending-sorted sample strictly above the threshold.
double share_above(std::span<const double> sorted, double threshold) {
  const auto above = sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), threshold);
  return static_cast<double>(above) / static_cast<double>(sorted.size());
}

double safe_ratio(double num, double den) { return den > 0.0 ? num / den : kNaN; }

} // namespace

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

Imbalance imbalance(std::span<double> values) {
  std::sort(values.begin(), values.end());
  return imbalance_of_sorted(values);
}

Imbalance imbalance_of_sorted(std::span<const double> values) {
  assert(std::is_sorted(values.begin(), values.end()));
  Imbalance out;
  out.n = static_cast<int>(values.size());
  if (values.empty()) {
    out.gini = out.cv = out.max_over_median = out.share_over_100 = out.share_over_110 = kNaN;
    return out;
  }
  const ConstArray a = as_array(values);
  const auto n = static_cast<double>(a.size());
  const double mean = a.mean();
  // Gini from the sorted sample: sum_i (2i - n - 1) x_(i) / (n^2 mean), i = 1..n.
  const Eigen::ArrayXd rank_weight =
      2.0 * Eigen::ArrayXd::LinSpaced(a.size(), 1.0, n) - n - 1.0;
  out.gini = safe_ratio((rank_weight * a).sum(), n * n * mean);
  out.cv = safe_ratio(std::sqrt((a - mean).square().mean()), mean);
  out.max_over_median = safe_ratio(a.maxCoeff(), quantile_sorted(values, 0.5));
  out.share_over_100 = share_above(values, 100.0);
  out.share_over_110 = share_above(values, 110.0);
  return out;
}

Spread spread(std::span<double> values) {
  Spread out;
  out.n = static_cast<int>(values.size());
  if (values.empty()) {
    out.mean = out.median = out.p90 = out.max = kNaN;
    out.share_over_100 = out.share_over_110 = out.share_over_120 = kNaN;
    return out;
  }
  std::sort(values.begin(), values.end());
  const ConstArray a = as_array(values);
  out.mean = a.mean();
  out.median = quantile_sorted(values, 0.5);
  out.p90 = quantile_sorted(values, 0.9);
  out.max = values.back();
  out.share_over_100 = share_above(values, 100.0);
  out.share_over_110 = share_above(values, 110.0);
  out.share_over_120 = share_above(values, 120.0);
  return out;
}

} // namespace caseload::stats

