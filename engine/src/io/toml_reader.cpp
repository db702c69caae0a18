#include "toml_reader.hpp"

#include "caseload/io/input_error.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

namespace caseload::io {

void Context::fail(const toml::source_region& where, const std::string& what) const {
  throw InputError(where.path ? *where.path : file_, static_cast<int>(where.begin.line),
                   static_cast<int>(where.begin.column), what);
}

void Context::warn(const toml::source_region& where, const std::string& what) const {
  if (!warnings_) return;
  Warning w{where.path ? *where.path : file_, static_cast<int>(where.begin.line),
            static_cast<int>(where.begin.column), what};
  // A value read twice (a base laid under two variants) warns once.
  if (std::find(warnings_->begin(), warnings_->end(), w) == warnings_->end()) warnings_->push_back(std::move(w));
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
  case toml::node_type::table: return "a table";
  case toml::node_type::array: return "an array";
  case toml::node_type::string: return "a string";
  case toml::node_type::integer: return "an integer";
  case toml::node_type::floating_point: return "a number";
  case toml::node_type::boolean: return "a boolean";
  case toml::node_type::date: return "a date";
  case toml::node_type::time: return "a time";
  case toml::node_type::date_time: return "a date-time";
  default: return "nothing";
  }
}

std::string TableReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* TableReader::find(std::string_view key) {
  asked_.insert(std::string(key));
  const toml::node* n = table_.get(key);
  if (n) used_.insert(std::string(key));
  return n;
}

bool TableReader::expect(std::string_view key) {
  asked_.insert(std::string(key));
  return table_.contains(key);
}

const toml::node& TableReader::require(std::string_view key, std::string_view expected) {
  const toml::node* n = find(key);
  if (!n) fail_missing(key, expected);
  return *n;
}

void TableReader::fail_missing(std::string_view key, std::string_view expected) const {
  // A key nobody has asked for that is near the missing one is its misspelling.
  const std::string_view missing[] = {key};
  for (auto&& [k, node] : table_)
    if (!asked_.contains(k.str()) && nearest(k.str(), missing))
      ctx_.fail(k.source(), unknown_key(k.str(), missing));
  ctx_.fail(table_.source(), "missing key '" + key_path(key) + "': expected " + std::string(expected));
}

std::string TableReader::unknown_key(std::string_view key, std::span<const std::string_view> known) const {
  return "unknown key '" + key_path(key) + "'" + (path_.empty() ? "" : " in [" + path_ + "]") +
         did_you_mean(key, known, '\'');
}

void TableReader::fail_type(std::string_view key, const toml::node& n, std::string_view expected) const {
  ctx_.fail(n.source(), "'" + key_path(key) + "' is " + type_name(n) + ", expected " + std::string(expected));
}

void TableReader::fail_at(std::string_view key, const std::string& what) const {
  const toml::node* n = table_.get(key);
  ctx_.fail(n ? n->source() : table_.source(), what);
}

void TableReader::warn_at(std::string_view key, const std::string& what) const {
  const toml::node* n = table_.get(key);
  ctx_.warn(n ? n->source() : table_.source(), what);
}

double TableReader::number(std::string_view key, std::optional<double> fallback, double min, double max,
                           bool min_open, bool max_open, std::string_view expected) {
  const toml::node* n = find(key);
  if (!n) {
    if (!fallback) fail_missing(key, expected);
    return *fallback;
  }
  const auto v = n->value<double>();
  if (!v || !(n->is_integer() || n->is_floating_point())) fail_type(key, *n, expected);
  const bool ok = std::isfinite(*v) && (min_open ? *v > min : *v >= min) && (max_open ? *v < max : *v <= max);
  if (!ok) {
    std::ostringstream s;
    s << std::setprecision(10) << "'" << key_path(key) << "' = " << *v << " is out of range: expected "
      << expected;
    ctx_.fail(n->source(), s.str());
  }
  return *v;
}

std::int64_t TableReader::integer(std::string_view key, std::optional<std::int64_t> fallback,
                                  std::int64_t min, std::int64_t max) {
  const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const toml::node* n = find(key);
  if (!n) {
    if (!fallback) fail_missing(key, expected);
    return *fallback;
  }
  if (!n->is_integer()) fail_type(key, *n, expected);
  const std::int64_t v = **n->as_integer();
  if (v < min || v > max)
    ctx_.fail(n->source(),
              "'" + key_path(key) + "' = " + std::to_string(v) + " is out of range: expected " + expected);
  return v;
}

bool TableReader::boolean(std::string_view key, std::optional<bool> fallback) {
  const toml::node* n = find(key);
  if (!n) {
    if (!fallback) fail_missing(key, "true or false");
    return *fallback;
  }
  if (!n->is_boolean()) fail_type(key, *n, "true or false");
  return **n->as_boolean();
}

std::string TableReader::string(std::string_view key, std::optional<std::string> fallback) {
  const toml::node* n = find(key);
  if (!n) {
    if (!fallback) fail_missing(key, "a string");
    return *fallback;
  }
  if (!n->is_string()) fail_type(key, *n, "a string");
  return **n->as_string();
}

int TableReader::choice(std::string_view key, const Names& names, std::optional<int> fallback) {
  const toml::node* n = find(key);
  if (!n) {
    if (!fallback) fail_missing(key, std::string(names.what) + ": " + quoted_list(names.list));
    return *fallback;
  }
  return choice_node(key, *n, names);
}

int TableReader::choice_node(std::string_view key, const toml::node& n, const Names& names) const {
  if (!n.is_string()) fail_type(key, n, std::string(names.what) + ": " + quoted_list(names.list));
  const std::string& s = **n.as_string();
  for (std::size_t i = 0; i < names.list.size(); ++i)
    if (names.list[i] == s) return static_cast<int>(i);
  ctx_.fail(n.source(), "unknown " + std::string(names.what) + " \"" + s + "\" in '" + key_path(key) +
                            "': expected " + quoted_list(names.list) + did_you_mean(s, names.list));
}

TableReader TableReader::subtable(std::string_view key, bool required, std::string_view expected) {
  static const toml::table empty;
  const toml::node* n = find(key);
  if (!n) {
    if (required) fail_missing(key, expected);
    return {ctx_, empty, key_path(key)};
  }
  if (!n->is_table()) fail_type(key, *n, expected);
  return {ctx_, *n->as_table(), key_path(key)};
}

const toml::array* TableReader::array(std::string_view key) {
  const toml::node* n = find(key);
  if (!n) return nullptr;
  if (!n->is_array()) fail_type(key, *n, "an array");
  return n->as_array();
}

void TableReader::finish() const {
  for (auto&& [key, node] : table_) {
    if (used_.contains(key.str())) continue;
    const std::vector<std::string_view> known(asked_.begin(), asked_.end());
    ctx_.fail(key.source(), unknown_key(key.str(), known));
  }
}

toml::table parse_document(std::string_view text, std::string_view source_name, const Context& ctx) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    ctx.fail(e.source(), "malformed TOML: " + std::string(e.description()));
  }
}

} // namespace caseload::io
