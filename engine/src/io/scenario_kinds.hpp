#pragma once
// Kinds of scenario value (see schema_fields.hpp for what a kind is) whose
// structure is not a plain number or name: dates, distributions, lists of
// grades, reduction steps, tier mixes and names of LDUs. Each reads and writes
// side by side in scenario_kinds.cpp.

#include "caseload/model/scenario.hpp"
#include "schema_fields.hpp"

#include <span>
#include <utility>
#include <vector>

namespace caseload::io {

inline constexpr Names kGrades{model::kGradeNames, "grade"};
inline constexpr Names kCaseTypes{model::kCaseTypeNames, "case type"};
inline constexpr Names kTiers{model::kTierNames, "tier"};
inline constexpr Names kProtectLevels{model::kProtectLevelNames, "protect level (tier letter)"};
inline constexpr Names kPolicies{model::kPolicyNames, "allocation policy"};
inline constexpr Names kInitialStates{model::kInitialStateNames, "initial state"};
inline constexpr Names kArrivalProcesses{model::kArrivalProcessNames, "arrival process"};
inline constexpr Names kRecruits{model::kRecruitNames, "kind of recruit"};
inline constexpr Names kDistributions{sim::kDistributionNames, "distribution"};

// A number as a message shows it: 1277, 0.3, 1.15 (up to 10 significant digits).
std::string number_text(double value);

// Numbers with a likely slip (docs/scenario-format.md, "Warnings"): refused
// where the value cannot be meant, warned about where it might be.

// A percentage of an officer's capacity (a cap or a threshold), positive. 2 or
// less reads as a fraction (1.1 for 110%) and is refused: no caseload fits under it.
struct CapacityPercent {
  double read(TableReader& r, std::string_view key, std::optional<double> fallback) const;
  [[nodiscard]] double write(double value) const { return value; }
};

// A reduction in percent of contracted hours, in [0, 100]; a value in (0, 1]
// is warned about (a fraction, 0.3 for 30%?).
struct ReductionPercent {
  std::string_view expected;
  double read(TableReader& r, std::string_view key, std::optional<double> fallback) const;
  [[nodiscard]] double write(double value) const { return value; }
};

// A multiple of the scenario's arrival rates in [0, 10]: above 10 is refused
// and above 2 warned about (a percentage, 15 for +15%?).
struct DemandFactor {
  double read(TableReader& r, std::string_view key, std::optional<double> fallback) const;
  [[nodiscard]] double write(double value) const { return value; }
};

// A change of staff in percent of those in post, in [-100, 1000]; a nonzero
// value under 1 in size is warned about (a fraction, -0.25 for -25%?).
struct StaffPercent {
  double read(TableReader& r, std::string_view key, std::optional<double> fallback) const;
  [[nodiscard]] double write(double value) const { return value; }
};

// true or false, written only when true.
struct Flag {
  bool read(TableReader& r, std::string_view key, std::optional<bool> fallback) const {
    return r.boolean(key, fallback);
  }
  [[nodiscard]] std::optional<bool> write(bool value) const { return value ? std::optional(true) : std::nullopt; }
};

// A TOML local date (2018-08-01, unquoted), held as ISO text.
struct Date {
  std::string read(TableReader& r, std::string_view key, std::optional<std::string> fallback) const;
  [[nodiscard]] toml::date write(const std::string& iso) const;
};

// { dist = "lognormal", mean = 300, sd = 150 } and the other families
// (docs/scenario-format.md, "Distribution tables").
struct DistributionTable {
  sim::Distribution read(TableReader& r, std::string_view key, std::optional<sim::Distribution> fallback) const;
  [[nodiscard]] toml::table write(const sim::Distribution& d) const;
};

// A non-empty list of distinct grades that hold offender caseloads, most
// preferred first (`court_grades`).
struct CaseloadGrades {
  std::vector<model::Grade> read(TableReader& r, std::string_view key,
                                 std::optional<std::vector<model::Grade>> fallback) const;
  [[nodiscard]] toml::array write(const std::vector<model::Grade>& grades) const;
};

// Levels of preference (an `eligibility` row): each element a grade, or an
// array of grades of equal standing, e.g. [["PSO", "PQiP"], "PO"].
struct PreferenceLevels {
  model::EligibilityRow read(TableReader& r, std::string_view key, std::optional<model::EligibilityRow> fallback) const;
  [[nodiscard]] toml::array write(const model::EligibilityRow& row) const;
};

// true, false or an array of grades (`fill_initial_vacancies`); written as the array.
struct GradeSet {
  using Value = std::array<bool, model::kGradeCount>;
  Value read(TableReader& r, std::string_view key, std::optional<Value> fallback) const;
  [[nodiscard]] toml::array write(const Value& chosen) const;
};

// A non-empty array of { months, percent } steps.
struct ReductionSteps {
  using Value = std::vector<model::ReductionStep>;
  Value read(TableReader& r, std::string_view key, std::optional<Value> fallback) const;
  [[nodiscard]] toml::array write(const Value& steps) const;
};

// Shares of the tiers, summing to 1; only the tiers with a share are written.
struct TierMix {
  using Value = std::array<double, model::kTierCount>;
  Value read(TableReader& r, std::string_view key, std::optional<Value> fallback) const;
  [[nodiscard]] toml::table write(const Value& mix) const;
};

// Arrivals per week of one case type, which needs a [case_types.<type>] table
// if the rate is above 0 (an entry of `arrivals_per_week`).
struct ArrivalRate {
  const std::array<bool, model::kCaseTypeCount>* defined; // reading: the types the file has tables for
  double read(TableReader& r, std::string_view key, std::optional<double> fallback) const;
  [[nodiscard]] double write(double rate) const { return rate; }
};

// The names in an LDU's `neighbours`, with where each was written.
using NeighbourNames = std::vector<std::pair<std::string, toml::source_region>>;

// An LDU's `neighbours`, by name. A neighbour may come later in the file, so
// reading only collects the names (into `pending`); resolve_neighbours turns
// them into indices once every LDU is read.
struct Neighbours {
  std::span<const model::LduParameters> ldus; // writing: every LDU, to name them
  NeighbourNames* pending;                    // reading
  std::vector<int> read(TableReader& r, std::string_view key, std::optional<std::vector<int>> fallback) const;
  [[nodiscard]] toml::array write(const std::vector<int>& neighbours) const;
};
void resolve_neighbours(std::vector<model::LduParameters>& ldus, const std::vector<NeighbourNames>& names,
                        const Context& ctx);

// "unknown LDU "X": expected "A" or "B" (did you mean "A"?)"
std::string not_an_ldu(std::string_view name, std::span<const model::LduParameters> ldus);

// One LDU of the scenario, by name, held as its index (an intervention's `ldu`).
struct LduName {
  std::span<const model::LduParameters> ldus;
  int read(TableReader& r, std::string_view key, std::optional<int> fallback) const;
  [[nodiscard]] std::string write(int index) const;
};

// [sensitivity] parameters = { "KEY" = [low, high], ... }: the ranges
// `caseload sensitivity` screens (docs/scenario-format.md). Keys are read in
// key order (a TOML table has no other); no table is written when there are none.
struct SensitivityRanges {
  using Value = std::vector<model::SensitivityParameter>;
  Value read(TableReader& r, std::string_view key, std::optional<Value> fallback) const;
  [[nodiscard]] std::optional<toml::table> write(const Value& parameters) const;
};

} // namespace caseload::io
