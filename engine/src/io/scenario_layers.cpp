#include "scenario_layers.hpp"

#include "caseload/io/input_error.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace caseload::io {
namespace {

// One step of an override key: a key of a table, and for an array of tables
// which elements: `[i]`, `[*]` or `[NAME]` (the element whose `name` is NAME).
struct Step {
  std::string key;
  std::optional<std::string> pick;
  bool pick_by_name = false;
};

// `a.b.c`, `"quoted key".b`, `ldu[2].x`, `ldu[*].x`, `ldu[Black Country].x`,
// `ldu["Black Country"].x`. Throws std::invalid_argument naming the problem.
std::vector<Step> parse_key(const std::string& key) {
  const auto bad = [&](const std::string& why) -> std::invalid_argument {
    return std::invalid_argument("cannot set '" + key + "': " + why);
  };
  // A quoted part from the '"' at `i`; `i` ends after the closing quote.
  const auto quoted = [&](std::size_t& i) {
    const auto close = key.find('"', i + 1);
    if (close == std::string::npos) throw bad("a name opened with a quote is not closed by one");
    std::string text = key.substr(i + 1, close - i - 1);
    i = close + 1;
    return text;
  };
  std::vector<Step> steps;
  std::size_t i = 0;
  while (true) {
    Step step;
    if (i < key.size() && key[i] == '"') {
      step.key = quoted(i);
    } else {
      const auto end = key.find_first_of(".[", i);
      step.key = key.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? key.size() : end;
    }
    if (step.key.empty()) throw bad(steps.empty() && i >= key.size() ? "empty key" : "an empty part between dots");
    if (i < key.size() && key[i] == '[') {
      ++i;
      if (i < key.size() && key[i] == '"') {
        step.pick = quoted(i);
        step.pick_by_name = true;
      } else {
        const auto close = key.find(']', i);
        if (close == std::string::npos) throw bad("expected name[index], name[*] or name[NAME]");
        step.pick = key.substr(i, close - i);
        i = close;
        step.pick_by_name = *step.pick != "*" && (step.pick->empty() ||
                                                  step.pick->find_first_not_of("0123456789") != std::string::npos);
      }
      if (i >= key.size() || key[i] != ']') throw bad("expected ']' after the name in brackets");
      ++i;
    }
    steps.push_back(std::move(step));
    if (i >= key.size()) return steps;
    if (key[i] != '.') throw bad("expected '.' after ']' or a quoted name");
    ++i;
  }
}

// The elements of `array` (of tables, under `name`) that `pick` selects.
std::vector<toml::table*> pick_elements(toml::array& array, const std::string& name, const std::string& pick,
                                        bool by_name, const std::string& key) {
  const auto bad = [&](const std::string& why) { return std::invalid_argument("cannot set '" + key + "': " + why); };
  std::vector<toml::table*> out;
  if (by_name) {
    std::vector<std::string_view> names;
    for (toml::node& element : array)
      if (toml::table* t = element.as_table())
        if (const auto n = t->get_as<std::string>("name")) {
          names.emplace_back(n->get());
          if (n->get() == pick) out.push_back(t);
        }
    if (names.empty()) throw bad("the elements of '" + name + "' have no names: expected " + name + "[i] or " + name + "[*]");
    if (out.empty()) throw bad(unknown_name(name == "ldu" ? "LDU" : "'" + name + "' element", pick, names));
    return out;
  }
  for (toml::node& element : array)
    if (!element.is_table()) throw bad("'" + name + "' is not an array of tables");
  if (pick == "*") {
    for (toml::node& element : array) out.push_back(element.as_table());
    return out;
  }
  std::size_t i = 0;
  const auto [end, error] = std::from_chars(pick.data(), pick.data() + pick.size(), i);
  if (error != std::errc{} || i >= array.size()) throw bad("index " + pick + " is past the end of '" + name + "'");
  out.push_back(array.get(i)->as_table());
  return out;
}

using Place = std::pair<toml::table*, std::string>; // a table and the key to set in it

// Every place the steps lead to from `table`, creating missing tables on the way.
void find_places(toml::table& table, std::span<const Step> steps, const std::string& key, std::vector<Place>& out) {
  const auto bad = [&](const std::string& why) { return std::invalid_argument("cannot set '" + key + "': " + why); };
  const Step& step = steps.front();
  auto rest = steps.subspan(1);
  if (!step.pick && rest.empty()) {
    out.emplace_back(&table, step.key);
    return;
  }
  toml::node* child = table.get(step.key);
  if (step.pick || (child && child->is_array())) {
    toml::array* array = child ? child->as_array() : nullptr;
    if (!array) throw bad("'" + step.key + "' is not an array of tables");
    // `ldu.NAME.…`: the step after an array names one of its elements.
    std::string pick = step.pick.value_or("");
    bool by_name = step.pick_by_name;
    if (!step.pick) {
      if (rest.front().pick) throw bad("expected " + step.key + "[index], " + step.key + "[*] or " + step.key + ".NAME");
      pick = rest.front().key;
      by_name = true;
      rest = rest.subspan(1);
    }
    if (rest.empty()) throw bad("an array element needs a key below it");
    for (toml::table* element : pick_elements(*array, step.key, pick, by_name, key)) find_places(*element, rest, key, out);
    return;
  }
  if (!child) {
    table.insert(step.key, toml::table{});
    child = table.get(step.key);
  }
  if (!child->is_table()) throw bad("'" + step.key + "' is not inside a table");
  find_places(*child->as_table(), rest, key, out);
}

// An override from a file's [overrides] or the command line: `key` is a dotted
// path or `vacancy_rate.<GRADE>`, written at `where` (none for the command
// line). The first place set takes `value` itself and a key placed at
// `where`, so that a value or key from the file keeps its line and column for
// errors found when the document is read; any further places take copies.
// Throws std::invalid_argument when it cannot be applied.
void apply_override(toml::table& doc, const std::string& key, toml::node& value, const toml::source_region& where) {
  // vacancy_rate.<GRADE> = v sets in_post = round(establishment × (1 − v)) in
  // every LDU, and holds the rate there through the run (target_vacancy_rate).
  const std::string prefix = "vacancy_rate.";
  if (key.rfind(prefix, 0) == 0) {
    const std::string grade = key.substr(prefix.size());
    if (!model::index_of(model::kGradeNames, grade))
      throw std::invalid_argument("'" + key + "': unknown grade \"" + grade + "\": expected " +
                                  quoted_list(model::kGradeNames) + did_you_mean(grade, model::kGradeNames));
    const auto rate = value.value<double>();
    if (!rate || !(*rate >= 0.0 && *rate <= 1.0)) throw std::invalid_argument("'" + key + "' needs a rate in [0, 1]");
    if (toml::array* ldus = doc.get_as<toml::array>("ldu"))
      for (toml::node& l : *ldus)
        if (toml::table* staff = l.as_table() ? l.as_table()->get_as<toml::table>("staff") : nullptr)
          if (toml::table* group = staff->get_as<toml::table>(grade))
            if (const auto posts = group->get("establishment") ? group->get("establishment")->value<std::int64_t>()
                                                               : std::nullopt)
            {
              group->insert_or_assign("in_post", static_cast<std::int64_t>(std::llround(*posts * (1.0 - *rate))));
              if (*rate < 1.0) group->insert_or_assign("target_vacancy_rate", *rate);
            }
    return;
  }
  std::vector<Place> places;
  find_places(doc, parse_key(key), key, places);
  for (std::size_t i = 1; i < places.size(); ++i) places[i].first->insert_or_assign(places[i].second, value);
  if (!places.empty())
    places.front().first->insert_or_assign(toml::key(places.front().second, toml::source_region(where)),
                                           std::move(value));
}

// Lays `variant` over `base`: tables merge key by key, [[intervention]]
// entries are appended, anything else replaces the base's value. The
// variant's nodes are moved, not copied, so that they keep their file, line
// and column (toml++ copies drop them): a path in the variant, such as
// [initial_state]'s files, is then read relative to the variant.
void merge_into(toml::table& base, toml::table&& variant) {
  for (auto&& [key, node] : variant) {
    toml::node* mine = base.get(key.str());
    if (mine && mine->is_table() && node.is_table()) {
      merge_into(*mine->as_table(), std::move(*node.as_table()));
    } else if (mine && key.str() == "intervention" && mine->is_array() && node.is_array()) {
      for (toml::node& item : *node.as_array()) mine->as_array()->push_back(std::move(item));
    } else {
      base.insert_or_assign(key, std::move(node));
    }
  }
}

// A scenario may say `extends = "base.toml"` (relative to itself): it is then
// the base with this file's tables laid over it and its [overrides] applied.
toml::table resolve_extends(toml::table doc, const std::filesystem::path& source, const Context& ctx,
                            int depth) {
  const toml::node* extends = doc.get("extends");
  const toml::node* overrides = doc.get("overrides");
  if (!extends) {
    if (overrides) ctx.fail(overrides->source(), "[overrides] needs 'extends' naming the base scenario");
    return doc;
  }
  if (!extends->is_string()) ctx.fail(extends->source(), "'extends' is " + type_name(*extends) + ", expected a file name");
  if (depth >= kMaxExtendsDepth)
    ctx.fail(extends->source(), "'extends' nests more than " + std::to_string(kMaxExtendsDepth) + " deep (a loop?)");
  const std::filesystem::path base_path = source.parent_path() / **extends->as_string();
  if (!std::filesystem::is_regular_file(base_path))
    ctx.fail(extends->source(), "'extends': no scenario file " + base_path.string());
  if (overrides && !overrides->is_table())
    ctx.fail(overrides->source(), "'overrides' must be a table of \"key\" = value");
  const std::string base_text = read_text(base_path);
  toml::table base = resolve_extends(parse_document(base_text, base_path.string(), ctx), base_path, ctx, depth + 1);
  toml::table layer_overrides = overrides ? std::move(*doc.get_as<toml::table>("overrides")) : toml::table{};
  doc.erase("extends");
  doc.erase("overrides");
  merge_into(base, std::move(doc));
  for (auto&& [key, value] : layer_overrides) {
    try {
      apply_override(base, std::string(key.str()), value, key.source());
    } catch (const std::invalid_argument& e) {
      ctx.fail(key.source(), e.what());
    }
  }
  return base;
}

} // namespace

std::string read_text(const std::filesystem::path& path) {
  // The type first: opening a FIFO would block, and /dev/zero never ends.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw InputError(path.string(), 0, 0, "no such scenario file");
  if (std::filesystem::is_directory(status))
    throw InputError(path.string(), 0, 0, "is a directory, expected a scenario file (TOML)");
  if (!std::filesystem::is_regular_file(status))
    throw InputError(path.string(), 0, 0, "is not a regular file (a device, pipe or socket), expected a scenario file");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxScenarioBytes)
    throw InputError(path.string(), 0, 0,
                     "is " + std::to_string(size) + " bytes; a scenario file is at most " +
                         std::to_string(kMaxScenarioBytes) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, 0, "cannot read the scenario file");
  // Read no more than the cap, in case the file grows while it is read.
  std::string text(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxScenarioBytes)
    throw InputError(path.string(), 0, 0,
                     "is over " + std::to_string(kMaxScenarioBytes) + " bytes, the most a scenario file may be");
  return text;
}

toml::table resolve_extends(toml::table doc, const std::filesystem::path& source, const Context& ctx) {
  return resolve_extends(std::move(doc), source, ctx, 0);
}

void apply_override(toml::table& doc, const Override& o) {
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + o.value);
  } catch (const toml::parse_error& e) {
    throw InputError(o.option, 0, 0, "value '" + o.value + "' for '" + o.key + "' is not a TOML value: " +
                                         std::string(e.description()));
  }
  // A copy carries no line and column: the value is not in the scenario file,
  // so an error found in it later names the file without a position.
  toml::table value = parsed;
  try {
    apply_override(doc, o.key, *value.get("value"), {});
  } catch (const std::invalid_argument& e) {
    throw InputError(o.option, 0, 0, e.what());
  }
}

} // namespace caseload::io
