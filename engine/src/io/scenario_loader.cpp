// The public entry points: a scenario file is read as text, laid over its base
// and overrides into one TOML document (scenario_layers), and that document is
// read by the schema (scenario_schema), which also writes the resolved text.

#include "caseload/io/scenario_loader.hpp"

#include "scenario_layers.hpp"
#include "scenario_schema.hpp"
#include "toml_reader.hpp"

#include <sstream>

namespace caseload::io {

LoadedScenario parse_scenario(std::string_view text, std::string_view source_name,
                              std::span<const Override> overrides) {
  const Context ctx{std::string(source_name)};
  toml::table doc = resolve_extends(parse_document(text, source_name, ctx), std::string(source_name), ctx);
  for (const Override& o : overrides) apply_override(doc, o);
  return LoadedScenario{read_scenario(doc, ctx), std::string(text)};
}

LoadedScenario load_scenario(const std::filesystem::path& path, std::span<const Override> overrides) {
  return parse_scenario(read_text(path), path.string(), overrides);
}

std::string resolved_toml(const model::Scenario& scenario) {
  std::ostringstream out;
  out << write_scenario(scenario) << "\n";
  return out.str();
}

} // namespace caseload::io
