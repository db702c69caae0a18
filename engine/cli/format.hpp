#pragma once
// How the terminal shows a headline figure, the same in `run`, `compare`,
// a sweep and `info`: a label a planner reads without the docs, and numbers
// formatted by the figure's units (fractions as percentages: 0.384 → 38.4%).

#include "caseload/stats/interval.hpp"

#include <string>
#include <string_view>

namespace caseload::cli {

// "risk reviews on time" for plan_review_share_on_time, "PO capacity, mean"
// for capacity_mean_PO; the figure's own name, spaced, for a figure without one.
std::string figure_label(std::string_view figure);

// The numbers of one figure: its units say the scale and suffix (fractions
// and percentages as %, their differences in percentage points), and the
// size of the figure (`magnitude`, e.g. the larger of two means) the
// decimals of every number shown with it: counts and days to 0, 1 or 2
// decimals as they are ≥ 100, ≥ 10 or less, indices (no units) to 3, and
// percentages to 1. A NaN shows as "-".
class FigureFormat {
public:
  FigureFormat(std::string_view units, double magnitude);

  [[nodiscard]] std::string value(double v) const;      // 38.4%, 12.35, 1234
  [[nodiscard]] std::string difference(double d) const; // +2.4 pts, +0.35, -12
  // "[36.2, 40.6]": an interval's bounds, on the scale of value() without its suffix.
  [[nodiscard]] std::string interval(double low, double high) const;
  // "38.4% ±1.2"
  [[nodiscard]] std::string mean_and_half_width(const stats::Interval& i) const;

private:
  [[nodiscard]] std::string number(double v, bool sign) const;
  double scale_ = 1.0;
  int decimals_ = 2;
  bool percent_ = false;
};

// Shorthand for one value alone: FigureFormat(units, v).value(v).
std::string show(double v, std::string_view units);

} // namespace caseload::cli
