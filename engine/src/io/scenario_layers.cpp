#include "scenario_layers.hpp"

#include "caseload/io/input_error.hpp"

#include <cmath>
#include <fstream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace caseload::io {
namespace {

// Sets `value` at a dotted path: `a.b.c`, with `name[i]` or `name[*]` to
// index arrays of tables (e.g. `ldu[*].staff.PO.in_post`).
void set_path(toml::node& node, std::span<const std::string> segments, const toml::node& value,
              const std::string& key) {
  auto bad = [&](const std::string& why) {
    throw std::invalid_argument("cannot set '" + key + "': " + why);
  };
  if (segments.empty()) bad("empty key");
  std::string segment = segments.front();
  std::optional<std::string> index;
  if (const auto open = segment.find('['); open != std::string::npos) {
    if (segment.back() != ']') bad("expected name[index] or name[*]");
    index = segment.substr(open + 1, segment.size() - open - 2);
    segment = segment.substr(0, open);
  }
  toml::table* table = node.as_table();
  if (!table) bad("'" + segment + "' is not inside a table");
  const auto rest = segments.subspan(1);
  if (!index) {
    if (rest.empty()) {
      table->insert_or_assign(segment, value);
      return;
    }
    toml::node* child = table->get(segment);
    if (!child) {
      table->insert(segment, toml::table{});
      child = table->get(segment);
    }
    set_path(*child, rest, value, key);
    return;
  }
  toml::array* array = table->get_as<toml::array>(segment);
  if (!array) bad("'" + segment + "' is not an array of tables");
  if (rest.empty()) bad("an array element needs a key below it");
  if (*index == "*") {
    for (toml::node& element : *array) set_path(element, rest, value, key);
    return;
  }
  std::size_t i = 0;
  try {
    i = std::stoul(*index);
  } catch (const std::exception&) {
    bad("index '" + *index + "' is not a number or *");
  }
  if (i >= array->size()) bad("index " + *index + " is past the end of '" + segment + "'");
  set_path(*array->get(i), rest, value, key);
}

void apply_override(toml::table& doc, const std::string& key, const toml::node& value);

// An override from a file's [overrides] or the command line: `key` is a dotted
// path or `vacancy_rate.<GRADE>`. Throws std::invalid_argument when it cannot be applied.
void apply_override(toml::table& doc, const std::string& key, const toml::node& value) {
  // vacancy_rate.<GRADE> = v sets in_post = round(establishment × (1 − v)) in
  // every LDU, and holds the rate there through the run (target_vacancy_rate).
  const std::string prefix = "vacancy_rate.";
  if (key.rfind(prefix, 0) == 0) {
    const std::string grade = key.substr(prefix.size());
    if (!model::index_of(model::kGradeNames, grade))
      throw std::invalid_argument("'" + key + "': unknown grade \"" + grade + "\": expected " +
                                  quoted_list(model::kGradeNames));
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
  std::vector<std::string> segments;
  std::size_t start = 0;
  for (std::size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1)
    segments.push_back(key.substr(start, dot - start));
  segments.push_back(key.substr(start));
  set_path(doc, segments, value, key);
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
  const std::string base_text = read_text(base_path);
  toml::table base = resolve_extends(parse_document(base_text, base_path.string(), ctx), base_path, ctx, depth + 1);
  if (overrides && !overrides->is_table())
    ctx.fail(overrides->source(), "'overrides' must be a table of \"key\" = value");
  const toml::table changes = overrides ? std::move(*doc.get_as<toml::table>("overrides")) : toml::table{};
  doc.erase("extends");
  doc.erase("overrides");
  merge_into(base, std::move(doc));
  for (auto&& [key, value] : changes) {
    try {
      apply_override(base, std::string(key.str()), value);
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
  try {
    apply_override(doc, o.key, *parsed.get("value"));
  } catch (const std::invalid_argument& e) {
    throw InputError(o.option, 0, 0, e.what());
  }
}

} // namespace caseload::io
