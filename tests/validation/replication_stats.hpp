#pragma once
// Mean and standard error of a statistic across independent replications.

#include <cmath>
#include <vector>

namespace caseload::test {

struct MeanAndError {
  double mean = 0.0;
  double standard_error = 0.0;
};

inline MeanAndError across(const std::vector<double>& xs) {
  const auto n = static_cast<double>(xs.size());
  double m = 0.0;
  for (double x : xs) m += x;
  m /= n;
  double v = 0.0;
  for (double x : xs) v += (x - m) * (x - m);
  return {m, std::sqrt(v / (n - 1.0) / n)};
}

// Replications are independent, so the replication mean is approximately
// normal with the estimated standard error; with 20+ replications, 4.5
// standard errors bound a false failure at about 1e-4 (Student t).
inline constexpr double kStandardErrors = 4.5;

} // namespace caseload::test
