#pragma once
// A validated scenario: plain values only. io/ builds it from a file; the
// engine never sees a file format.

#include "caseload/model/domain.hpp"
#include "caseload/model/workload.hpp"
#include "caseload/sim/distribution.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace caseload::model {

enum class PolicyKind : std::uint8_t { least_loaded, round_robin, random, capped };
inline constexpr std::array<std::string_view, 4> kPolicyNames{"least_loaded", "round_robin",
                                                              "random", "capped"};

enum class InitialState : std::uint8_t { steady_state, empty };
inline constexpr std::array<std::string_view, 2> kInitialStateNames{"steady_state", "empty"};

// Which grades may hold cases of each protect level (tier letter), in order of preference.
using EligibilityTable = std::array<std::vector<Grade>, kProtectLevelCount>;

inline EligibilityTable default_eligibility() {
  // High and very high RoSH (A, B) to POs only (DESIGN.md §3). Below that,
  // trainees first, so that a PQiP's protected (reduced) caseload is filled,
  // then PSOs, and POs only when both are full: with PSOs first, trainees on
  // 20-60% of a full week would never be given a case.
  return {{{Grade::PO},
           {Grade::PO},
           {Grade::PQiP, Grade::PSO, Grade::PO},
           {Grade::PQiP, Grade::PSO, Grade::PO}}};
}

struct AllocationParameters {
  PolicyKind policy = PolicyKind::least_loaded;
  double cap_percent = 100.0;
  // least_loaded and capped move down the preference list while every officer
  // of the preferred grade is at or above this capacity %.
  double preference_threshold_percent = 100.0;
  EligibilityTable eligibility = default_eligibility();
};

struct CaseTypeParameters {
  sim::Distribution duration = sim::Distribution::fixed(365.0);
  std::array<double, kTierCount> tier_mix{}; // sums to 1
  std::optional<CaseType> becomes;           // custody → licence on release
};

struct StaffGroup {
  int establishment = 0; // funded posts
  int in_post = 0;       // officers actually employed
  double contracted_hours = 37.0;
  double reduction_percent = 0.0; // of contracted hours
};

struct LduParameters {
  std::string name;
  std::vector<int> neighbours; // indices of other LDUs
  std::array<StaffGroup, kGradeCount> staff{};
  std::array<double, kCaseTypeCount> arrivals_per_week{};
  double court_reports_per_week = 0.0;
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  std::string start_date = "2018-08-01"; // ISO date of day 0
  double horizon_days = 1095.0;
  double warmup_days = 0.0;
  double snapshot_every_days = 7.0;
  int replications = 1;
  InitialState initial_state = InitialState::steady_state;
  WorkloadParameters workload;
  AllocationParameters allocation;
  std::array<CaseTypeParameters, kCaseTypeCount> case_types{};
  std::vector<LduParameters> ldus;
};

} // namespace caseload::model
