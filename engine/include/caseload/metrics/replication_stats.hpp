#pragma once
// Statistics across independent replications: means with Student t intervals,
// and paired differences for comparisons under common random numbers.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace caseload::metrics {

struct Interval {
  int n = 0;            // finite values used
  double mean = 0.0;
  double half_width = 0.0; // NaN with fewer than 2 values
  [[nodiscard]] double low() const { return mean - half_width; }
  [[nodiscard]] double high() const { return mean + half_width; }
  [[nodiscard]] bool excludes_zero() const { return n >= 2 && (low() > 0.0 || high() < 0.0); }
};

// Mean and two-sided Student t interval of the finite values (NaN skipped).
Interval t_interval(std::span<const double> values, double confidence = 0.95);

// One headline figure of one row (an LDU, or "division") across replications.
struct HeadlineStatistic {
  std::string ldu;
  std::string figure;
  std::string units;
  Interval interval;
};

std::vector<HeadlineStatistic> headline_statistics(const model::Scenario& scenario,
                                                   std::span<const model::ReplicationResult> results);

// Base and variant replication r share their random streams, so the paired
// differences (variant − base) carry far less noise than independent runs.
struct PairedDifference {
  std::string ldu;
  std::string figure;
  std::string units;
  Interval base;
  Interval variant;
  Interval difference;
  // The interval excludes zero by more than rounding (1e-9 of the figure's size).
  [[nodiscard]] bool significant() const {
    const double scale = std::max({1.0, std::abs(base.mean), std::abs(variant.mean)});
    return difference.excludes_zero() && std::abs(difference.mean) > 1e-9 * scale;
  }
};

// Rows are matched by LDU name; LDUs present in only one scenario are left out.
std::vector<PairedDifference> paired_differences(const model::Scenario& base_scenario,
                                                 std::span<const model::ReplicationResult> base,
                                                 const model::Scenario& variant_scenario,
                                                 std::span<const model::ReplicationResult> variant);

} // namespace caseload::metrics
