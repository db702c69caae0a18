#include "caseload/io/csv.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

namespace caseload::io {
namespace {

// The length of the UTF-8 sequence that starts at text[i], or 0 if the bytes
// there are not one (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned min = 0;
  unsigned code = 0;
  if ((b & 0xE0) == 0xC0) n = 2, min = 0x80, code = b & 0x1Fu;
  else if ((b & 0xF0) == 0xE0) n = 3, min = 0x800, code = b & 0x0Fu;
  else if ((b & 0xF8) == 0xF0) n = 4, min = 0x10000, code = b & 0x07u;
  else return 0;
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

// Splits the text into records of fields, RFC 4180, tracking lines and columns.
class Parser {
public:
  Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  // The next record, or false at the end of the text. Blank lines are skipped.
  bool next(CsvRow& row) {
    row.fields.clear();
    while (pos_ < text_.size() && at_line_end()) skip_line_end();
    if (pos_ >= text_.size()) return false;
    row.line = line_;
    for (;;) {
      row.fields.push_back(field());
      if (pos_ >= text_.size()) break;
      if (text_[pos_] == ',') {
        advance(1);
        continue;
      }
      skip_line_end(); // field() stops only at a comma, a line end or the end
      break;
    }
    return true;
  }

private:
  [[nodiscard]] bool at_line_end() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }
  void skip_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    column_ = 1;
  }
  // Moves past n bytes of one line, counting characters.
  void advance(std::size_t n) {
    for (std::size_t end = pos_ + n; pos_ < end;) {
      pos_ += utf8_length(text_, pos_);
      ++column_;
    }
  }
  [[noreturn]] void fail(int line, int column, const std::string& what) const {
    throw InputError(file_, line, column, what);
  }

  CsvField field() {
    CsvField f;
    f.line = line_;
    f.column = column_;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      advance(1);
      for (;;) {
        if (pos_ >= text_.size()) fail(f.line, f.column, "a quoted field is not closed: expected a closing \"");
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            f.text += '"';
            advance(2);
            continue;
          }
          advance(1);
          break;
        }
        if (c == '\n' || c == '\r') {
          f.text += '\n';
          skip_line_end();
          continue;
        }
        const std::size_t n = utf8_length(text_, pos_);
        f.text.append(text_.substr(pos_, n));
        advance(n);
      }
      while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) advance(1);
      if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end())
        fail(line_, column_, "text after the closing quote of a field: expected a comma or the end of the line");
      return f;
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"')
        fail(line_, column_, "a quote inside an unquoted field: quote the whole field and double the quote (\"\")");
      advance(utf8_length(text_, pos_));
    }
    std::string_view raw = text_.substr(start, pos_ - start);
    std::size_t lead = 0;
    while (lead < raw.size() && (raw[lead] == ' ' || raw[lead] == '\t')) ++lead;
    while (raw.size() > lead && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    f.column += static_cast<int>(lead);
    f.text = std::string(raw.substr(lead));
    return f;
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// The first byte that is not UTF-8, as a line and column, if any.
void check_utf8(std::string_view text, const std::string& file) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      std::ostringstream what;
      what << "byte 0x" << std::hex << static_cast<unsigned>(static_cast<unsigned char>(text[i]))
           << " is not UTF-8: expected the file saved as UTF-8 (in a spreadsheet, \"CSV UTF-8\")";
      throw InputError(file, line, column, what.str());
    }
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
}

std::string_view without_bom(std::string_view bytes, const std::string& file) {
  if (bytes.starts_with("\xEF\xBB\xBF")) return bytes.substr(3);
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF"))
    throw InputError(file, 1, 1, "the file is UTF-16: expected UTF-8 (in a spreadsheet, save as \"CSV UTF-8\")");
  return bytes;
}

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

} // namespace

CsvTable::CsvTable(std::string_view bytes, std::string file) : file_(std::move(file)), sha256_(sha256_hex(bytes)) {
  const std::string_view text = without_bom(bytes, file_);
  check_utf8(text, file_);
  Parser parser(text, file_);
  CsvRow header;
  if (!parser.next(header)) throw InputError(file_, 1, 1, "the file is empty: expected a header row of column names");
  header_ = std::move(header.fields);
  if (header_.size() == 1 && (header_[0].text.find(';') != std::string::npos || header_[0].text.find('\t') != std::string::npos))
    throw InputError(file_, 1, 1, "the header row is one column holding ';' or tabs: expected columns separated by "
                                  "commas (in a spreadsheet, save as \"CSV UTF-8 (comma delimited)\")");
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i].text.empty())
      throw InputError(file_, header_[i].line, header_[i].column, "an empty column name in the header row");
    for (std::size_t j = 0; j < i; ++j)
      if (header_[j].text == header_[i].text)
        throw InputError(file_, header_[i].line, header_[i].column,
                         "column '" + header_[i].text + "' is named twice in the header row");
  }
  for (CsvRow row; parser.next(row);) {
    if (row.fields.size() != header_.size()) {
      const CsvField& at = row.fields.size() > header_.size() ? row.fields[header_.size()] : row.fields.back();
      throw InputError(file_, at.line, at.column,
                       "the row has " + std::to_string(row.fields.size()) + " fields: expected " +
                           std::to_string(header_.size()) + ", one per column of the header");
    }
    rows_.push_back(row);
  }
}

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i].text == name) return i;
  return std::nullopt;
}

void CsvTable::expect_columns(std::span<const std::string_view> required,
                              std::span<const std::string_view> optional) const {
  for (std::string_view name : required)
    if (!column(name))
      throw InputError(file_, header_.front().line, 1,
                       "missing column '" + std::string(name) + "' in the header row: expected the columns " +
                           joined(required) + (optional.empty() ? "" : ", and optionally " + joined(optional)));
  for (const CsvField& h : header_) {
    bool known = false;
    for (auto list : {required, optional})
      for (std::string_view name : list) known = known || name == h.text;
    if (!known)
      throw InputError(file_, h.line, h.column,
                       "unknown column '" + h.text + "': expected the columns " + joined(required) +
                           (optional.empty() ? "" : ", and optionally " + joined(optional)));
  }
}

InputError CsvTable::error(const CsvField& field, std::size_t column, const std::string& what) const {
  return InputError(file_, field.line, field.column, "column '" + header_[column].text + "': " + what);
}

CsvTable read_csv(const std::filesystem::path& path, std::string_view what) {
  namespace fs = std::filesystem;
  const std::string name = path.string();
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(name, 0, 0, "is a directory, expected a " + std::string(what) + " (CSV)");
  if (!fs::exists(path, ec)) throw InputError(name, 0, 0, "no such " + std::string(what));
  // A FIFO would block and a device never end: only regular files are read.
  if (!fs::is_regular_file(path, ec))
    throw InputError(name, 0, 0, "is not a regular file (a device, pipe or socket), expected a " + std::string(what));
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxCsvBytes)
    throw InputError(name, 0, 0, "the " + std::string(what) + " is " + std::to_string(size >> 20) +
                                     " MiB: expected at most " + std::to_string(kMaxCsvBytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(name, 0, 0, "cannot read the " + std::string(what));
  // In pieces, and no more than the cap, in case the file grows while it is read.
  std::string bytes;
  bytes.reserve(ec ? 0 : static_cast<std::size_t>(std::min(size, kMaxCsvBytes)));
  std::array<char, 1 << 16> piece;
  while (bytes.size() <= kMaxCsvBytes && in.read(piece.data(), piece.size()).gcount() > 0)
    bytes.append(piece.data(), static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kMaxCsvBytes)
    throw InputError(name, 0, 0, "the " + std::string(what) + " is over " + std::to_string(kMaxCsvBytes >> 20) +
                                     " MiB: expected at most that");
  return CsvTable(bytes, name);
}

std::optional<std::int64_t> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  if (*d > kDays[static_cast<std::size_t>(*m - 1)] + (*m == 2 && leap ? 1 : 0)) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm), for the proleptic Gregorian calendar.
  const std::int64_t year = *y - (*m <= 2 ? 1 : 0);
  const std::int64_t era = year / 400;
  const std::int64_t yoe = year - era * 400;
  const std::int64_t doy = (153 * (*m + (*m > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string iso_date(std::int64_t days) {
  // Civil from days (Howard Hinnant's algorithm); years 0 to 9999.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

} // namespace caseload::io
