#pragma once
// Means of independent replicates with Student t confidence intervals.

#include <span>

namespace caseload::stats {

struct Interval {
  int n = 0;               // finite values used
  double mean = 0.0;
  double half_width = 0.0; // NaN with fewer than 2 values
  [[nodiscard]] double low() const { return mean - half_width; }
  [[nodiscard]] double high() const { return mean + half_width; }
  [[nodiscard]] bool excludes_zero() const { return n >= 2 && (low() > 0.0 || high() < 0.0); }
};

// Mean and two-sided Student t interval at `confidence` (e.g. 0.95) of the
// finite values (NaN skipped).
Interval t_interval(std::span<const double> values, double confidence);

} // namespace caseload::stats
