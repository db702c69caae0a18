#pragma once
// The vocabulary of probation work: grades of staff, case types and tiers.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace caseload::model {

enum class Grade : std::uint8_t { PO, PQiP, PSO, SPO, VLO };
inline constexpr int kGradeCount = 5;
inline constexpr std::array<std::string_view, kGradeCount> kGradeNames{"PO", "PQiP", "PSO", "SPO",
                                                                       "VLO"};

enum class CaseType : std::uint8_t { community, custody, licence };
inline constexpr int kCaseTypeCount = 3;
inline constexpr std::array<std::string_view, kCaseTypeCount> kCaseTypeNames{"community", "custody",
                                                                             "licence"};

// WMT tiers A3 … D0: the letter is the protect level (from RoSH, MAPPA and RSR),
// the digit the change level. Stored as an index 0..15 in that order.
inline constexpr int kTierCount = 16;
inline constexpr std::array<std::string_view, kTierCount> kTierNames{
    "A3", "A2", "A1", "A0", "B3", "B2", "B1", "B0", "C3", "C2", "C1", "C0", "D3", "D2", "D1", "D0"};
inline constexpr int kProtectLevelCount = 4; // A, B, C, D
inline constexpr std::array<std::string_view, kProtectLevelCount> kProtectLevelNames{"A", "B", "C",
                                                                                     "D"};

constexpr int protect_level(int tier) { return tier / 4; }
// One protect level up (A is the highest) or down, same change level.
constexpr int tier_escalated(int tier) { return tier - 4; }
constexpr int tier_deescalated(int tier) { return tier + 4; }

// Whether staff of a grade hold a WMT caseload at all (SPOs manage, VLOs hold
// victim cases, which the WMT does not count).
constexpr bool grade_holds_caseload(Grade g) { return g != Grade::SPO && g != Grade::VLO; }

// What an officer of a grade spends their hours on (docs/model.md §2): a
// caseload (for VLOs, victim cases; SPOs manage), the court team's reports,
// or other duties (custody and offender-management units, programmes,
// approved premises) that take their hours and hold no cases.
enum class Duty : std::uint8_t { caseload, court, other };
inline constexpr int kDutyCount = 3;
inline constexpr std::array<std::string_view, kDutyCount> kDutyNames{"caseload", "court", "other"};

// The calendar the model counts in (time is in days).
inline constexpr double kDaysPerYear = 365.25;
inline constexpr double kDaysPerMonth = kDaysPerYear / 12.0;
inline constexpr double kDaysPerWeek = 7.0;
inline constexpr double kDaysPerWorkingDay = 7.0 / 5.0; // deadlines in working days, five a week

constexpr std::string_view name(Grade g) { return kGradeNames[static_cast<int>(g)]; }
constexpr std::string_view name(CaseType t) { return kCaseTypeNames[static_cast<int>(t)]; }

template <std::size_t N>
constexpr std::optional<int> index_of(const std::array<std::string_view, N>& names,
                                      std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<int>(i);
  return std::nullopt;
}

} // namespace caseload::model
