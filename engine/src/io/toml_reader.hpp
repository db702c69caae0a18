#pragma once
// Reading TOML tables with locations: every error names the file, line and
// column of the offending key or value (docs/scenario-format.md, "Errors").
// Nothing here knows the scenario schema.

#include "caseload/io/input_error.hpp"
#include "caseload/io/names.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::io {

// Everything a reader needs to report an error, or a warning, at a place in the file.
class Context {
public:
  // Warnings go to `warnings`; with none given they are dropped.
  explicit Context(std::string file, std::vector<Warning>* warnings = nullptr)
      : file_(std::move(file)), warnings_(warnings) {}
  // The node's own file where it has one (a variant's base), else this file.
  [[noreturn]] void fail(const toml::source_region& where, const std::string& what) const;
  // The same place, for input that is valid but probably not what was meant.
  void warn(const toml::source_region& where, const std::string& what) const;
  [[nodiscard]] const std::string& file() const { return file_; }

private:
  std::string file_;
  std::vector<Warning>* warnings_;
};

// "a table", "an integer", ...: what a node is, for messages.
std::string type_name(const toml::node& n);

// A closed set of names (grades, tiers, policies, ...) and what one of them is
// called in messages ("grade", "allocation policy").
struct Names {
  std::span<const std::string_view> list;
  std::string_view what;
};


// Reads one TOML table, remembering which keys it consumed so that any key
// left over (a typo, a key from another version) is reported, not ignored.
class TableReader {
public:
  TableReader(const Context& ctx, const toml::table& table, std::string path)
      : ctx_(ctx), table_(table), path_(std::move(path)) {}

  [[nodiscard]] const Context& ctx() const { return ctx_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const toml::table& table() const { return table_; }
  [[nodiscard]] std::string key_path(std::string_view key) const;

  // The key's node, or null; either way the key counts as known.
  const toml::node* find(std::string_view key);
  const toml::node& require(std::string_view key, std::string_view expected);
  // Whether the table has the key, which counts as known (to suggest for a
  // misspelling) but not as read.
  bool expect(std::string_view key);

  [[noreturn]] void fail_missing(std::string_view key, std::string_view expected) const;
  [[noreturn]] void fail_type(std::string_view key, const toml::node& n, std::string_view expected) const;
  // At the key's value, or at the table when the key is absent.
  [[noreturn]] void fail_at(std::string_view key, const std::string& what) const;
  void warn_at(std::string_view key, const std::string& what) const;

  // Each reader returns `fallback` for a missing key, or fails when it has none.
  // A finite number in [min, max] (bounds open where the flags say so).
  double number(std::string_view key, std::optional<double> fallback, double min, double max,
                bool min_open, bool max_open, std::string_view expected);
  std::int64_t integer(std::string_view key, std::optional<std::int64_t> fallback, std::int64_t min,
                       std::int64_t max);
  bool boolean(std::string_view key, std::optional<bool> fallback);
  std::string string(std::string_view key, std::optional<std::string> fallback);
  // A string that must be one of `names`; returns its index.
  int choice(std::string_view key, const Names& names, std::optional<int> fallback);
  int choice_node(std::string_view key, const toml::node& n, const Names& names) const;

  // A missing table that is not required reads as an empty one.
  TableReader subtable(std::string_view key, bool required, std::string_view expected = "a table");
  const toml::array* array(std::string_view key);

  // Reports the first key that nobody asked for, with the known key nearest to it.
  void finish() const;

private:
  // "unknown key 'path.key' in [path]", and the key meant when one is near.
  [[nodiscard]] std::string unknown_key(std::string_view key, std::span<const std::string_view> known) const;

  const Context& ctx_;
  const toml::table& table_;
  std::string path_;
  std::set<std::string, std::less<>> used_;  // keys read
  std::set<std::string, std::less<>> asked_; // keys looked for, present or not: the table's known keys
};

// Every key of a table whose keys are names (e.g. grades, tiers): calls
// f(index, key, node) and rejects unknown names.
template <class F> void for_each_named(TableReader& reader, const Names& names, F&& f) {
  for (auto&& [key, node] : reader.table()) {
    int index = -1;
    for (std::size_t i = 0; i < names.list.size(); ++i)
      if (names.list[i] == key.str()) index = static_cast<int>(i);
    if (index < 0)
      reader.ctx().fail(key.source(), "unknown " + std::string(names.what) + " \"" +
                                          std::string(key.str()) + "\" in [" + reader.path() +
                                          "]: expected " + quoted_list(names.list) +
                                          did_you_mean(key.str(), names.list));
    reader.find(key.str());
    f(index, key.str(), node);
  }
}

// Every element of an array of tables, as a reader named `path[i]`; an element
// that is not a table is reported as "'path[i]' is …, expected `expected`".
template <class F>
void for_each_table(const Context& ctx, const toml::array& array, const std::string& path,
                    std::string_view expected, F&& f) {
  for (std::size_t i = 0; i < array.size(); ++i) {
    const toml::node& n = *array.get(i);
    const std::string element = path + "[" + std::to_string(i) + "]";
    if (!n.is_table())
      ctx.fail(n.source(), "'" + element + "' is " + type_name(n) + ", expected " + std::string(expected));
    TableReader reader(ctx, *n.as_table(), element);
    f(reader);
  }
}

// The document, or an InputError at the first syntax error.
toml::table parse_document(std::string_view text, std::string_view source_name, const Context& ctx);

} // namespace caseload::io
