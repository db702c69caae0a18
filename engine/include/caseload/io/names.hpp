#pragma once
// Naming what the user may have meant: lists of valid names for messages, and
// the nearest one to a misspelt name (docs/scenario-format.md, "Errors").

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace caseload::io {

// "a", "b" or "c"
std::string quoted_list(std::span<const std::string_view> names);

// The one of `names` nearest to `word` (edit distance, ignoring case, a swap
// of neighbours counting once), when it is near enough to be a likely slip:
// at most a third of the word's letters differ.
std::optional<std::string_view> nearest(std::string_view word, std::span<const std::string_view> names);

// " (did you mean "x"?)" with the nearest name in `quote`s, or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> names, char quote = '"');

// `what` is "LDU", "grade", ...: "unknown grade "X": expected "A", "B" or "C" (did you mean "B"?)".
std::string unknown_name(std::string_view what, std::string_view name, std::span<const std::string_view> names);

} // namespace caseload::io
