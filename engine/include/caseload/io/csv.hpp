#pragma once
// CSV files (RFC 4180) with a header row: quoted fields may hold commas,
// quotes ("") and line breaks; every field keeps the line and column it
// starts at, so that a message names them (docs/scenario-format.md,
// "Snapshot files"). The file must be UTF-8 (a byte-order mark is skipped).
// Nothing here knows what the columns mean.

#include "caseload/io/input_error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::io {

// Larger files are refused before they are parsed: a snapshot of a whole
// country's caseload is a few tens of MB.
inline constexpr std::uintmax_t kMaxCsvBytes = 256u << 20;

struct CsvField {
  std::string text; // unquoted; an unquoted field is trimmed of spaces and tabs
  int line = 0;     // 1-based
  int column = 0;   // 1-based, in characters
};

struct CsvRow {
  int line = 0;
  std::vector<CsvField> fields; // as many as the header has
};

class CsvTable {
public:
  // Throws InputError, naming `file`, the line and the column, for bytes that
  // are not UTF-8, a quote left open, text after a closing quote, a row with
  // more or fewer fields than the header, an empty or duplicate column name,
  // or no header at all.
  CsvTable(std::string_view bytes, std::string file);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::string& sha256() const { return sha256_; } // of the bytes, lower-case hex
  [[nodiscard]] std::span<const CsvField> header() const { return header_; }
  [[nodiscard]] std::span<const CsvRow> rows() const { return rows_; }

  // The index of a column, if the header has it.
  [[nodiscard]] std::optional<std::size_t> column(std::string_view name) const;
  // Every name in `required` must be a column, and every column must be in
  // `required` or `optional`; else InputError at the header.
  void expect_columns(std::span<const std::string_view> required, std::span<const std::string_view> optional) const;

  // An InputError at the field, naming its column: "FILE:LINE:COL: error: column 'NAME': WHAT".
  [[nodiscard]] InputError error(const CsvField& field, std::size_t column, const std::string& what) const;

private:
  std::string file_;
  std::string sha256_;
  std::vector<CsvField> header_;
  std::vector<CsvRow> rows_;
};

// The whole file, parsed; InputError without a position if it cannot be read
// or is over kMaxCsvBytes. `what` names the file in messages ("staff file").
CsvTable read_csv(const std::filesystem::path& path, std::string_view what);

// Days since 1970-01-01 of an ISO date YYYY-MM-DD that exists in the calendar.
std::optional<std::int64_t> parse_iso_date(std::string_view text);
std::string iso_date(std::int64_t days);

// SHA-256 of the bytes, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

} // namespace caseload::io
