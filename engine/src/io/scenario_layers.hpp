#pragma once
// A scenario as one TOML document before the schema reads it: a variant laid
// over its base (`extends`), its `[overrides]` and the command line's
// `--vary` values applied (docs/scenario-format.md, "Extending a scenario").

#include "caseload/io/scenario_loader.hpp"
#include "toml_reader.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace caseload::io {

// Scenario files are small (the national scenario is about 30 kB): a cap far
// above any real one refuses a wrong path (a log, /dev/zero) at once.
inline constexpr std::uintmax_t kMaxScenarioBytes = 4u << 20;
// The most `extends` a chain of scenario files may hold (docs/scenario-format.md).
inline constexpr int kMaxExtendsDepth = 8;

// The whole file; InputError without a position if it is not a regular file,
// is larger than kMaxScenarioBytes or cannot be read.
std::string read_text(const std::filesystem::path& path);

// `doc` (read from `source`) with its base, if it `extends` one, under it and
// its [overrides] applied; a document without `extends` is returned as it is.
toml::table resolve_extends(toml::table doc, const std::filesystem::path& source, const Context& ctx);

// A command-line override (`--vary KEY=VALUE`); errors name the option.
void apply_override(toml::table& doc, const Override& o);

} // namespace caseload::io
