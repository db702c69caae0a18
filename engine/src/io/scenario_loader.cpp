// The public entry points: a scenario file is read as text, laid over its base
// and overrides into one TOML document (scenario_layers), and that document is
// read by the schema (scenario_schema), which also writes the resolved text.

#include "caseload/io/scenario_loader.hpp"

#include "scenario_layers.hpp"
#include "scenario_schema.hpp"
#include "toml_reader.hpp"

#include "caseload/io/input_error.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>

namespace caseload::io {

LoadedScenario parse_scenario(std::string_view text, std::string_view source_name,
                              std::span<const Override> overrides) {
  std::vector<Warning> warnings;
  const Context ctx{std::string(source_name), &warnings};
  toml::table doc = resolve_extends(parse_document(text, source_name, ctx), std::string(source_name), ctx);
  for (const Override& o : overrides) apply_override(doc, o);
  model::Scenario scenario = read_scenario(doc, ctx);
  return LoadedScenario{std::move(scenario), std::string(text), std::move(warnings)};
}

LoadedScenario load_scenario(const std::filesystem::path& path, std::span<const Override> overrides) {
  return parse_scenario(read_text(path), path.string(), overrides);
}

model::SensitivityParameter parse_sensitivity_parameter(std::string_view spec) {
  const std::string text(spec);
  const auto error = [&](const std::string& why) { return InputError("--param", 0, 0, "'" + text + "': " + why); };
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw error("expected KEY=LOW:HIGH");
  const auto colon = text.find(':', eq + 1);
  if (colon == std::string::npos) throw error("expected KEY=LOW:HIGH, with a ':' between LOW and HIGH");
  const auto number = [&](const std::string& end, const char* which) {
    std::optional<double> value;
    try {
      const toml::table parsed = toml::parse("value = " + end);
      const toml::node* v = parsed.get("value");
      if (v && (v->is_integer() || v->is_floating_point())) value = v->value<double>();
    } catch (const toml::parse_error&) {
    }
    if (!value || !std::isfinite(*value)) throw error(std::string(which) + " '" + end + "' is not a finite number");
    return *value;
  };
  model::SensitivityParameter p{text.substr(0, eq), number(text.substr(eq + 1, colon - eq - 1), "LOW"),
                                number(text.substr(colon + 1), "HIGH")};
  if (p.low == p.high) throw error("LOW and HIGH are equal: expected two different values");
  return p;
}

Override override_at(const std::string& key, double value, std::string option) {
  // Whole values up to 2^53 are exact as integers; beyond, a float says the same.
  constexpr double kExactIntegers = 9007199254740992.0;
  if (value == std::trunc(value) && std::abs(value) <= kExactIntegers)
    return {key, std::to_string(static_cast<std::int64_t>(value)), std::move(option)};
  char buffer[32];
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value); // the shortest exact text
  return {key, std::string(buffer, written.ptr), std::move(option)};
}

std::string resolved_toml(const model::Scenario& scenario) {
  std::ostringstream out;
  out << write_scenario(scenario) << "\n";
  return out.str();
}

} // namespace caseload::io
