#include "caseload/io/names.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace caseload::io {

std::string quoted_list(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += '"';
    out += names[i];
    out += '"';
  }
  return out;
}

namespace {

// Optimal string alignment distance, ignoring case: insertions, deletions,
// substitutions and swaps of neighbours each count 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

} // namespace

std::optional<std::string_view> nearest(std::string_view word, std::span<const std::string_view> names) {
  const std::size_t allowed = word.size() / 3;
  std::optional<std::string_view> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string_view name : names) {
    if (name == word) continue;
    const std::size_t d = edit_distance(word, name);
    if (d < best_distance) best = name, best_distance = d;
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> names, char quote) {
  const auto near = nearest(word, names);
  return near ? " (did you mean " + std::string(1, quote) + std::string(*near) + std::string(1, quote) + "?)" : "";
}

std::string unknown_name(std::string_view what, std::string_view name, std::span<const std::string_view> names) {
  return "unknown " + std::string(what) + " \"" + std::string(name) + "\": expected " + quoted_list(names) +
         did_you_mean(name, names);
}

} // namespace caseload::io
