#pragma once
// The model's state during a replication: officers and cases in contiguous
// arrays, addressed by index.

#include "caseload/model/domain.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace caseload::model {

inline constexpr std::uint32_t kNoOfficer = std::numeric_limits<std::uint32_t>::max();

struct Officer {
  std::uint32_t ldu = 0;
  Grade grade = Grade::PO;
  double contracted_hours = 0.0;
  double available_points = 0.0; // 0 for staff who hold no WMT caseload (SPO, VLO)
  std::int32_t points = 0;        // WMT points of the cases held
  std::int32_t cases = 0;

  [[nodiscard]] bool holds_caseload() const { return available_points > 0.0; }
  [[nodiscard]] double capacity_percent() const { return 100.0 * points / available_points; }
};

struct Case {
  double arrived = 0.0;         // day the case arrived (day 0 for the initial caseload)
  double phase_days = 0.0;      // length of the current phase, counted from allocation
  double next_phase_days = 0.0; // length of the licence that follows custody, if any
  std::uint32_t officer = kNoOfficer;
  std::uint16_t ldu = 0;
  CaseType type = CaseType::community;
  std::uint8_t tier = 0;
  bool in_window = false; // arrived inside the statistics window
};

// Officers of one LDU, grouped by grade, as indices into the officer array.
struct LduRoster {
  std::array<std::vector<std::uint32_t>, kGradeCount> by_grade;
};

} // namespace caseload::model
