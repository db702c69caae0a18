#pragma once
// `caseload estimate`: an allocation history (CSV) in, the scenario keys it
// supports out, as a TOML fragment with each estimate's interval in a comment
// (docs/scenario-format.md, "Estimating demand from history").

#include "caseload/app/estimate.hpp"
#include "caseload/model/scenario.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace caseload::io {

struct LoadedHistory {
  app::History history;
  std::int64_t latest_day = 0; // the latest start or end date in the file
  std::string file;
};

// Columns case_id, ldu, case_type, tier, start_date and optionally end_date
// (empty while the case is open). Throws InputError naming the file, line
// and column of the first problem. With `ldus` not empty, every LDU must be
// one of them (the scenario the estimates are for).
LoadedHistory read_history(const std::filesystem::path& path, std::span<const std::string> ldus = {});

struct FragmentOptions {
  std::string history_file; // named in the header comment
  // With a base scenario: a variant that `extends` it (this path, as
  // written) and sets the estimates through [overrides]; without, the
  // [case_types] and [[ldu]] tables to put in a scenario.
  const model::Scenario* base = nullptr;
  std::string extends;
};

std::string demand_fragment(const app::DemandEstimate& estimate, const FragmentOptions& options);

} // namespace caseload::io
