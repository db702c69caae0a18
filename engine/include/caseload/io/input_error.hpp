#pragma once
// An error in the user's input, located in the file where it can be.

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace caseload::io {

class InputError : public std::runtime_error {
public:
  // line and column are 1-based; 0 when the input has no position (e.g. a missing file).
  InputError(std::string file, int line, int column, const std::string& what)
      : std::runtime_error(format(file, line, column, what)), file_(std::move(file)), line_(line),
        column_(column) {}

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] int column() const { return column_; }

private:
  static std::string format(const std::string& file, int line, int column, const std::string& what) {
    std::ostringstream out;
    out << file;
    if (line > 0) out << ':' << line << ':' << column;
    out << ": error: " << what;
    return out.str();
  }
  std::string file_;
  int line_;
  int column_;
};

// Input that is valid but probably not what was meant (a fraction where a
// percentage is asked for, more staff removed than are in post): the run goes
// ahead, and the command line prints `caseload: warning: ` and text().
struct Warning {
  std::string file;
  int line = 0; // 1-based; 0 when the input has no position (a value set by --vary)
  int column = 0;
  std::string what;

  // "FILE:LINE:COL: WHAT", or "FILE: WHAT" without a position.
  [[nodiscard]] std::string text() const {
    std::ostringstream out;
    out << file;
    if (line > 0) out << ':' << line << ':' << column;
    out << ": " << what;
    return out.str();
  }
  friend bool operator==(const Warning&, const Warning&) = default;
};

} // namespace caseload::io
