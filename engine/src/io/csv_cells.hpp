#pragma once
// One row of a CsvTable, its cells addressed by column name and read as the
// kinds of value the snapshot and history files hold, each error at the
// cell's line and column (io/csv.hpp).

#include "caseload/io/csv.hpp"
#include "caseload/model/domain.hpp"
#include "toml_reader.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace caseload::io {

// One row of a table, its cells addressed by column name.
class Cells {
public:
  Cells(const CsvTable& table, const CsvRow& row) : table_(table), row_(row) {}

  [[nodiscard]] int line() const { return row_.line; }
  // The cell's text; "" when the column is absent (an optional column).
  [[nodiscard]] const std::string& text(std::string_view column) const {
    static const std::string kEmpty;
    const auto i = table_.column(column);
    return i ? row_.fields[*i].text : kEmpty;
  }
  [[noreturn]] void fail(std::string_view column, const std::string& what) const {
    const std::size_t i = *table_.column(column);
    throw table_.error(row_.fields[i], i, what);
  }

  [[nodiscard]] const std::string& required(std::string_view column, std::string_view expected) const {
    const std::string& s = text(column);
    if (s.empty()) fail(column, "empty: expected " + std::string(expected));
    return s;
  }
  // One of `names` (its index); "" gives `fallback` when there is one.
  template <std::size_t N>
  int choice(std::string_view column, const std::array<std::string_view, N>& names, std::string_view what,
             std::optional<int> fallback = std::nullopt) const {
    const std::string& s = text(column);
    if (s.empty() && fallback) return *fallback;
    if (const auto i = model::index_of(names, s)) return *i;
    fail(column, (s.empty() ? "empty" : "unknown " + std::string(what) + " \"" + s + "\"") + ": expected " +
                     quoted_list(names));
  }
  [[nodiscard]] double number(std::string_view column, std::string_view expected) const {
    const std::string& s = required(column, expected);
    double v = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
      fail(column, "\"" + s + "\" is not a number: expected " + std::string(expected));
    return v;
  }
  [[nodiscard]] std::optional<std::int64_t> date(std::string_view column, bool required) const {
    const std::string& s = text(column);
    if (s.empty()) {
      if (required) fail(column, "empty: expected a date YYYY-MM-DD");
      return std::nullopt;
    }
    const auto days = parse_iso_date(s);
    if (!days) fail(column, "\"" + s + "\" is not a date: expected a date YYYY-MM-DD, such as 2018-10-01");
    return days;
  }

private:
  const CsvTable& table_;
  const CsvRow& row_;
};

// A unique, non-empty id; `first` maps ids to their line.
inline std::string unique_id(const Cells& cells, std::string_view column, std::map<std::string, int>& first) {
  const std::string& id = cells.required(column, "an id");
  const auto [at, added] = first.emplace(id, cells.line());
  if (!added) cells.fail(column, "\"" + id + "\" is used twice (first on line " + std::to_string(at->second) + ")");
  return id;
}

} // namespace caseload::io
