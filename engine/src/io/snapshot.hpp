#pragma once
// [initial_state] as a table: day 0 from a staff file and a cases file
// (docs/scenario-format.md, "Starting from a snapshot"). The files are read
// and checked here, against the scenario's LDUs and case types, into a
// model::InitialSnapshot of plain values.

#include "caseload/model/scenario.hpp"
#include "toml_reader.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace caseload::io {

// What the [initial_state] table says, read before the rest of the scenario.
struct SnapshotSpec {
  std::int64_t date_days = 0; // days since 1970-01-01
  std::string date;           // ISO
  std::filesystem::path staff;
  std::filesystem::path cases;
};

// `initial_state`: "steady_state" or "empty", or a table { snapshot_date,
// staff, cases } that makes it `snapshot`. Reading keeps the table in
// `pending` until the scenario's LDUs and case types are known; writing
// writes the snapshot's date and its files' absolute paths.
struct InitialStateKind {
  std::optional<SnapshotSpec>* pending;                    // reading
  const std::optional<model::InitialSnapshot>* snapshot;   // writing

  model::InitialState read(TableReader& r, std::string_view key, std::optional<model::InitialState> fallback) const;
  [[nodiscard]] std::variant<std::string, toml::table> write(model::InitialState state) const;
};

// Reads and checks both files. Throws InputError naming the file, line and
// column of the first problem. `defined` holds the case types with a table.
model::InitialSnapshot read_snapshot(const SnapshotSpec& spec, const model::Scenario& scenario,
                                     const std::array<bool, model::kCaseTypeCount>& defined);

// The scenario with day 0 taken from the snapshot: its date is start_date,
// and each LDU's in_post is the staff file's count of that grade.
void apply_snapshot(model::Scenario& scenario, model::InitialSnapshot snapshot);

} // namespace caseload::io
