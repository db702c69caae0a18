#pragma once
// Scenario files (TOML, schema_version 1) → a validated model::Scenario.
// No TOML type leaves io/.

#include "caseload/io/input_error.hpp"
#include "caseload/model/scenario.hpp"

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::io {

inline constexpr int kScenarioSchemaVersion = 1;
// Replication groups in the results file are named with four digits.
inline constexpr int kMaxReplications = 9999;

struct LoadedScenario {
  model::Scenario scenario;
  std::string source_text;        // the file as written
  std::vector<Warning> warnings;  // likely slips, in the order found (docs/scenario-format.md, "Warnings")
};

// A value set on top of the file, e.g. from `caseload run --vary KEY=V1,V2`:
// `key` is a dotted path (`allocation.cap_percent`, `ldu[*].staff.PO.in_post`,
// `ldu[0].arrivals_per_week.custody`, an LDU by name: `ldu.Derbyshire.staff.PO.in_post`,
// `ldu."Black Country".…` or `ldu[Black Country].…`) or `vacancy_rate.<GRADE>`,
// which sets every LDU's in_post to establishment × (1 − rate); `value` is a TOML value.
struct Override {
  std::string key;
  std::string value;
  std::string option = "--vary"; // where it came from, to name in messages
};

// Throws InputError, with file, line and column, for anything that is not a
// valid scenario: unreadable file, malformed TOML, unknown keys, wrong types,
// values out of range, inconsistent references.
LoadedScenario load_scenario(const std::filesystem::path& path, std::span<const Override> overrides = {});
LoadedScenario parse_scenario(std::string_view text, std::string_view source_name,
                              std::span<const Override> overrides = {});

// `KEY=LOW:HIGH`, as `caseload sensitivity --param` takes it: LOW and HIGH
// are TOML numbers and differ. Throws InputError naming the option and `spec`.
// Whether the key is one the scenario takes is found when it is applied.
model::SensitivityParameter parse_sensitivity_parameter(std::string_view spec);

// The override that sets `key` to `value`: written as a TOML integer when the
// value is whole (so integer keys such as in_post take it), else a float.
Override override_at(const std::string& key, double value, std::string option);

// The scenario with every default filled in, as TOML that load_scenario reads back.
std::string resolved_toml(const model::Scenario& scenario);

} // namespace caseload::io
