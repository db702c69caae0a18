#pragma once
// Workload Measurement Tool (WMT) points and capacity.

#include "caseload/model/domain.hpp"

#include <array>

namespace caseload::model {

using PointsTable = std::array<std::array<int, kTierCount>, kCaseTypeCount>;

// Public seed data of the MoJ Workload Measurement Tool (WMT seed, docs/sources.md).
inline constexpr PointsTable kDefaultCasePoints{{
    {206, 158, 146, 110, 146, 115, 102, 72, 79, 63, 50, 35, 51, 41, 29, 29}, // community
    {75, 60, 59, 0, 59, 48, 47, 0, 30, 24, 23, 0, 17, 14, 13, 0},           // custody
    {219, 175, 163, 0, 161, 132, 119, 0, 77, 65, 52, 0, 51, 43, 31, 0},     // licence
}};

struct WorkloadParameters {
  double nominal_target_points = 2176.0;
  double default_contracted_hours = 37.0;
  PointsTable case_points = kDefaultCasePoints;
  int sdr_points = 138;
  int fdr_points = 65;
  int parole_points = 120;
  // Reports count in their writer's points for report_points_period_days, as
  // the WMT counts them (so writers of many reports are given fewer cases).
  bool reports_in_capacity = true;

  [[nodiscard]] int points(CaseType type, int tier) const {
    return case_points[static_cast<int>(type)][tier];
  }

  // WMT: available points = nominal target × (contracted − reduction hours) / default hours.
  [[nodiscard]] double available_points(double contracted_hours, double reduction_hours) const {
    const double hours = contracted_hours - reduction_hours;
    return hours > 0.0 ? nominal_target_points * hours / default_contracted_hours : 0.0;
  }
};

// Capacity % = held points / available points × 100.
inline double capacity_percent(double held_points, double available_points) {
  return 100.0 * held_points / available_points;
}

} // namespace caseload::model
