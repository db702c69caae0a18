#pragma once
// What a schema is declared with. Each section of a schema is one function
// template that names each of its keys once, with the key's kind, e.g.
//
//   template <class Fields> void task_fields(Fields& f, MaybeConst<TaskParameters> auto& t) {
//     f.key("sdr_share", t.sdr_share, kProbability);
//     ...
//   }
//
// Called with a Reader, it reads each key from a TOML table into the struct
// (checked by the kind; a missing key keeps the struct's own value, its
// default). Called with a Writer, it puts each value of the struct into a
// toml::table. So adding a key is one line, and the reader and the writer
// cannot disagree. A kind holds both directions side by side:
//
//   T read(TableReader&, std::string_view key, std::optional<T> fallback) const;
//       // no fallback: the key is required
//   X write(const T&) const;
//       // anything a toml::table takes; a std::optional leaves the key out when empty

#include "toml_reader.hpp"

#include <array>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

namespace caseload::io {

// The struct a section's fields are read into (T) or written from (const T).
template <class S, class T>
concept MaybeConst = std::same_as<std::remove_const_t<S>, T>;

// Marks a key that has no default.
struct Required {};

namespace detail {
template <class T> inline constexpr bool is_optional = false;
template <class T> inline constexpr bool is_optional<std::optional<T>> = true;
} // namespace detail

// Inserts a written value; an empty std::optional leaves the key out.
template <class Node> void put(toml::table& table, std::string_view key, Node&& node) {
  if constexpr (detail::is_optional<std::remove_cvref_t<Node>>) {
    if (node) table.insert(key, std::move(*node));
  } else {
    table.insert(key, std::forward<Node>(node));
  }
}

// A value written as one of several TOML types (a string or a table).
template <class... T> void put(toml::table& table, std::string_view key, std::variant<T...>&& node) {
  std::visit([&](auto&& value) { table.insert(key, std::move(value)); }, std::move(node));
}

class Reader {
public:
  explicit Reader(TableReader& table) : table_(table) {}

  // A missing key keeps the value already there: the struct's default.
  template <class T, class Kind> void key(std::string_view name, T& value, const Kind& kind) {
    value = kind.read(table_, name, std::optional<T>(value));
  }
  template <class T, class Kind> void key(std::string_view name, T& value, const Kind& kind, Required) {
    value = kind.read(table_, name, std::optional<T>());
  }
  // A default that depends on other keys (in_post defaults to establishment).
  template <class T, class Kind>
  void key(std::string_view name, T& value, const Kind& kind, const std::type_identity_t<T>& fallback) {
    value = kind.read(table_, name, std::optional<T>(fallback));
  }
  // An optional value is set only when its key is given.
  template <class T, class Kind> void key(std::string_view name, std::optional<T>& value, const Kind& kind) {
    if (table_.expect(name)) value = kind.read(table_, name, std::optional<T>());
  }

  // A rule across keys: `problem()` returns what is wrong, if anything, and it
  // is reported at the key. Declared among the keys so that it is checked in
  // file-reading order, before the keys after it.
  template <class Problem> void check(std::string_view name, Problem&& problem) const {
    if (const std::optional<std::string> message = problem()) table_.fail_at(name, *message);
  }

  // For messages: the dotted path of a key, or of this table.
  [[nodiscard]] std::string path(std::string_view name) const { return table_.key_path(name); }
  [[nodiscard]] const std::string& path() const { return table_.path(); }

private:
  TableReader& table_;
};

class Writer {
public:
  template <class T, class Kind, class... Default>
  void key(std::string_view name, const T& value, const Kind& kind, const Default&...) {
    put(table_, name, kind.write(value));
  }
  template <class T, class Kind> void key(std::string_view name, const std::optional<T>& value, const Kind& kind) {
    if (value) put(table_, name, kind.write(*value));
  }
  // Checks are the reader's: a written scenario has passed them already.
  template <class Problem> void check(std::string_view, Problem&&) const {}
  [[nodiscard]] std::string path(std::string_view name) const { return std::string(name); }
  [[nodiscard]] std::string path() const { return {}; }

  [[nodiscard]] toml::table take() { return std::move(table_); }

private:
  toml::table table_;
};

// ----------------------------------------------------------------- kinds

// A finite number in [min, max], bounds open where the flags say so.
// Written as a TOML float, whatever the file had.
struct Number {
  double min = 0.0;
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;
  bool max_open = false;
  std::string_view expected;

  double read(TableReader& r, std::string_view key, std::optional<double> fallback) const {
    return r.number(key, fallback, min, max, min_open, max_open, expected);
  }
  [[nodiscard]] double write(double value) const { return value; }
};

inline constexpr Number kPositive{.min_open = true, .expected = "a positive finite number"};
inline constexpr Number kNonNegative{.expected = "a finite number >= 0"};
// Upper bounds far beyond any real value, so that a slip of the exponent is
// refused by the key rather than found out as a run that never ends (the
// budget, app/budget.hpp, then judges what the rates add up to).
inline constexpr Number kPerYear{.max = 1000.0, .expected = "a rate per year from 0 to 1000 (about three a day)"};
inline constexpr Number kPerWeek{.max = 1e6, .expected = "a number per week from 0 to 1000000"};
inline constexpr Number kProbability{.max = 1.0, .expected = "a probability in [0, 1]"};
inline constexpr Number kWorkingDays{.min_open = true, .expected = "a positive number of working days"};

// A TOML integer (never a float) in [min, max], held in any integer type.
struct Integer {
  std::int64_t min;
  std::int64_t max;

  template <std::integral T> T read(TableReader& r, std::string_view key, std::optional<T> fallback) const {
    std::optional<std::int64_t> wide;
    if (fallback) wide = static_cast<std::int64_t>(*fallback);
    return static_cast<T>(r.integer(key, wide, min, max));
  }
  template <std::integral T> [[nodiscard]] std::int64_t write(T value) const {
    return static_cast<std::int64_t>(value);
  }
};

struct Boolean {
  bool read(TableReader& r, std::string_view key, std::optional<bool> fallback) const {
    return r.boolean(key, fallback);
  }
  [[nodiscard]] bool write(bool value) const { return value; }
};

struct Text {
  std::string read(TableReader& r, std::string_view key, std::optional<std::string> fallback) const {
    return r.string(key, fallback);
  }
  [[nodiscard]] std::string write(const std::string& value) const { return value; }
};

// An enumeration written as one of its names; names.list is in the enum's order.
template <class Enum> struct Choice {
  Names names;

  Enum read(TableReader& r, std::string_view key, std::optional<Enum> fallback) const {
    std::optional<int> index;
    if (fallback) index = static_cast<int>(*fallback);
    return static_cast<Enum>(r.choice(key, names, index));
  }
  [[nodiscard]] std::string write(Enum value) const {
    return std::string(names.list[static_cast<std::size_t>(value)]);
  }
};

// A table of further keys, declared by `body(fields, value)`. A missing table
// that is not required reads as an empty one: every key takes its default.
template <class Body> class Table {
public:
  explicit Table(Body body, std::string_view expected = "a table") : body_(std::move(body)), expected_(expected) {}

  template <class T> T read(TableReader& r, std::string_view key, std::optional<T> fallback) const {
    TableReader inner = r.subtable(key, !fallback, expected_);
    T value = fallback ? *fallback : T{};
    Reader fields(inner);
    body_(fields, value);
    inner.finish();
    return value;
  }
  template <class T> [[nodiscard]] toml::table write(const T& value) const {
    Writer fields;
    body_(fields, value);
    return fields.take();
  }

private:
  Body body_;
  std::string_view expected_;
};

struct EveryEntry {
  template <class T> bool operator()(const T&) const { return true; }
};
struct NonzeroEntries {
  template <class T> bool operator()(const T& value) const { return value != T{}; }
};

// A table keyed by names (grades, tiers, case types, ...) into an array indexed
// like the names; each entry is of kind `element`. Entries not in the file keep
// their values. Writes the entries that `keep` accepts.
template <class Element, class Keep = EveryEntry> class ByName {
public:
  ByName(Names names, Element element, Keep keep = {})
      : names_(names), element_(std::move(element)), keep_(std::move(keep)) {}

  // No table at all in the written file when no entry is kept.
  [[nodiscard]] ByName omitted_when_empty() const {
    ByName copy = *this;
    copy.omit_when_empty_ = true;
    return copy;
  }
  // What the table is called when something else stands in its place.
  [[nodiscard]] ByName expecting(std::string_view expected) const {
    ByName copy = *this;
    copy.expected_ = expected;
    return copy;
  }

  template <class T, std::size_t N>
  std::array<T, N> read(TableReader& r, std::string_view key, std::optional<std::array<T, N>> fallback) const {
    TableReader entries = r.subtable(key, !fallback, expected_);
    std::array<T, N> values = fallback ? *fallback : std::array<T, N>{};
    for_each_named(entries, names_, [&](int i, std::string_view name, const toml::node&) {
      auto& value = values[static_cast<std::size_t>(i)];
      value = element_.read(entries, name, std::optional<T>(value));
    });
    entries.finish();
    return values;
  }
  template <class T, std::size_t N>
  [[nodiscard]] std::optional<toml::table> write(const std::array<T, N>& values) const {
    toml::table out;
    for (std::size_t i = 0; i < N; ++i)
      if (keep_(values[i])) put(out, names_.list[i], element_.write(values[i]));
    if (out.empty() && omit_when_empty_) return std::nullopt;
    return out;
  }

private:
  Names names_;
  Element element_;
  Keep keep_;
  bool omit_when_empty_ = false;
  std::string_view expected_ = "a table";
};

} // namespace caseload::io
