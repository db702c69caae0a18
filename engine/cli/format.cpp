#include "format.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <utility>

namespace caseload::cli {
namespace {

// What each kind of task is called in a label.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTaskWords{{
    {"fdr", "FDRs"},
    {"sdr", "SDRs"},
    {"court_reports", "court reports"},
    {"parole_report", "parole reports"},
    {"plan_review", "risk reviews"},
    {"victim_first_contact", "first victim contacts"},
    {"victim_contact", "victim contacts"},
    {"deescalation_review", "de-escalation reviews"},
}};

// Labels of figures whose name is not a pattern below.
constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kLabels{{
    {"arrivals", "cases arrived"},
    {"allocations", "allocations"},
    {"closures", "cases closed"},
    {"waited", "cases that waited"},
    {"mean_held", "cases held"},
    {"mean_waiting", "cases waiting"},
    {"mean_wait_days", "wait for an officer (days)"},
    {"share_waited", "share of cases that waited"},
    {"overflow_allocations", "cases placed with a neighbour LDU"},
    {"reallocations", "reallocations"},
    {"closed_reallocated", "closed cases that were reallocated"},
    {"victim_cases", "victim cases"},
    {"held_at_end", "cases held at the end"},
    {"waiting_at_end", "cases waiting at the end"},
    {"vlo_caseload", "VLO caseload (victim cases per VLO)"},
    {"gini", "Gini of capacity %"},
    {"cv", "CV of capacity %"},
    {"share_over_110", "officers over 110%"},
    {"excessive_officers", "officers over 110% for 4 weeks"},
    {"theil", "Theil index of capacity %"},
    {"theil_between_ldu", "Theil: between LDUs"},
    {"theil_within_ldu", "Theil: within LDUs"},
    {"theil_between_grade", "Theil: between grades"},
    {"theil_within_grade", "Theil: within grades"},
    {"unallocated", "cases unallocated"},
    {"initial_cases", "cases at day 0"},
    {"total_arrivals", "cases arrived (whole run)"},
}};

bool starts(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

} // namespace

std::string figure_label(std::string_view figure) {
  for (const auto& [name, label] : kLabels)
    if (figure == name) return std::string(label);
  // Figures of one grade: capacity_mean_PO, vacancy_rate_VLO, ...
  constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kByGrade{{
      {"capacity_mean_", " capacity, mean"},
      {"capacity_p90_", " capacity, 90th centile"},
      {"share_over_110_", " officers over 110%"},
      {"cases_per_officer_", " cases per officer"},
      {"vacancy_rate_", " vacancy rate"},
  }};
  for (const auto& [prefix, words] : kByGrade)
    if (starts(figure, prefix)) return std::string(figure.substr(prefix.size())) + std::string(words);
  // Figures of one kind of task: plan_review_share_on_time, fdr_mean_days, ...
  constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kByTask{{
      {"_share_on_time", " on time"},
      {"_mean_days", ": days to complete"},
      {"_open_at_end", " open at the end"},
      {"_on_time", " done on time"},
      {"_created", " created"},
      {"_due", " due"},
  }};
  for (const auto& [suffix, words] : kByTask)
    if (ends(figure, suffix))
      for (const auto& [task, name] : kTaskWords)
        if (figure.substr(0, figure.size() - suffix.size()) == task) return std::string(name) + std::string(words);
  if (starts(figure, "reallocations_")) return "reallocations: " + std::string(figure.substr(14));
  std::string spaced(figure);
  for (char& c : spaced)
    if (c == '_') c = ' ';
  return spaced;
}

FigureFormat::FigureFormat(std::string_view units, double magnitude) {
  const double size = std::isfinite(magnitude) ? std::abs(magnitude) : 0.0;
  if (starts(units, "fraction")) {
    percent_ = true, scale_ = 100.0, decimals_ = 1;
  } else if (units == "percent") {
    percent_ = true, decimals_ = 1;
  } else if (units.empty()) {
    decimals_ = 3; // an index: Gini, CV, Theil
  } else {
    decimals_ = size >= 100.0 ? 0 : size >= 10.0 ? 1 : 2;
  }
}

std::string FigureFormat::number(double v, bool sign) const {
  if (!std::isfinite(v)) return "-";
  const double shown = v * scale_;
  // No "-0.0": a value that rounds to zero is shown as zero.
  const double rounded = std::round(shown * std::pow(10.0, decimals_)) == 0.0 ? 0.0 : shown;
  return sign ? fmt::format("{:+.{}f}", rounded, decimals_) : fmt::format("{:.{}f}", rounded, decimals_);
}

std::string FigureFormat::value(double v) const {
  return std::isfinite(v) && percent_ ? number(v, false) + "%" : number(v, false);
}

std::string FigureFormat::difference(double d) const {
  return std::isfinite(d) && percent_ ? number(d, true) + " pts" : number(d, true);
}

std::string FigureFormat::interval(double low, double high) const {
  if (!std::isfinite(low) || !std::isfinite(high)) return "";
  return "[" + number(low, false) + ", " + number(high, false) + "]";
}

std::string FigureFormat::mean_and_half_width(const stats::Interval& i) const {
  if (!std::isfinite(i.mean)) return "-";
  return std::isfinite(i.half_width) ? value(i.mean) + " ±" + number(i.half_width, false) : value(i.mean);
}

std::string show(double v, std::string_view units) { return FigureFormat(units, v).value(v); }

} // namespace caseload::cli
