#pragma once
// The scenario schema (docs/scenario-format.md): a resolved TOML document to a
// validated model::Scenario, and back.

#include "caseload/model/scenario.hpp"
#include "toml_reader.hpp"

namespace caseload::io {

// Throws InputError at the first key that is unknown, of the wrong type, out
// of range or inconsistent with the others.
model::Scenario read_scenario(const toml::table& doc, const Context& ctx);

// Every key with its value, defaults included; read_scenario reads it back to
// the same scenario.
toml::table write_scenario(const model::Scenario& scenario);

} // namespace caseload::io
