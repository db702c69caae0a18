#include "summary.hpp"

#include "format.hpp"

#include "caseload/app/headline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace caseload::cli {
namespace {

// Each headline figure of one row (LDU or division) across replications, with its units.
class Row {
public:
  Row(const app::RunSummary& summary, std::string_view ldu) {
    for (const auto& st : summary.statistics)
      if (st.ldu == ldu) figures_[st.figure] = {st.interval, st.units};
  }
  [[nodiscard]] double operator[](const std::string& name) const { return interval(name).mean; }
  [[nodiscard]] stats::Interval interval(std::string_view name) const {
    const auto it = figures_.find(std::string(name));
    return it == figures_.end() ? stats::Interval{0, NAN, NAN} : it->second.first;
  }
  [[nodiscard]] std::string units(std::string_view name) const {
    const auto it = figures_.find(std::string(name));
    return it == figures_.end() ? std::string() : it->second.second;
  }
  // The figure's mean as the terminal shows it everywhere.
  [[nodiscard]] std::string shown(const std::string& name) const { return show((*this)[name], units(name)); }

private:
  std::map<std::string, std::pair<stats::Interval, std::string>> figures_;
};

std::string level(double confidence) { return fmt::format("{:g}%", 100.0 * confidence); }

// "PO capacity, mean" beside its key, so that a planner reads it and an analyst finds it (--target, -o).
constexpr int kLabelWidth = 40;

} // namespace

void print_summary(std::FILE* out, const model::Scenario& scenario, const app::RunSummary& summary,
                   std::size_t replications) {
  std::vector<Row> rows;
  std::vector<std::string> names;
  for (const auto& l : scenario.ldus) {
    rows.emplace_back(summary, l.name);
    names.push_back(l.name);
  }
  rows.emplace_back(summary, app::kDivisionRow);
  names.emplace_back("Division");
  std::size_t width = 12;
  for (const auto& n : names) width = std::max(width, n.size());

  fmt::print(out, "{}: {} replication(s), {:g} days ({:g} warm-up), seed {}{}\n\n", scenario.name,
             replications, scenario.horizon_days, scenario.warmup_days, scenario.seed,
             replications > 1 ? "; figures are means over replications" : "");

  fmt::print(out, "{:<{}} {:>10} {:>8} {:>8} {:>8} {:>12} {:>7} {:>12} {:>13}\n", "Cases", width, "held",
             "waiting", "arrived", "closed", "wait (days)", "waited", "reallocated", "VLO caseload");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    fmt::print(out, "{:<{}} {:>10} {:>8} {:>8} {:>8} {:>12} {:>7} {:>12} {:>13}\n", names[i], width,
               r.shown("mean_held"), r.shown("mean_waiting"), r.shown("arrivals"), r.shown("closures"),
               r.shown("mean_wait_days"), r.shown("share_waited"), r.shown("reallocations"),
               r.shown("vlo_caseload"));
  }

  fmt::print(out, "\nCapacity by grade, % of WMT capacity over the snapshots: mean / 90th centile "
                  "(share of officers over 110%)\n");
  fmt::print(out, "{:<{}} {:>24} {:>24} {:>24} {:>20}\n", "", width, "PO", "PQiP", "PSO", "over 110% for 4 wks");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    auto cell = [&](const char* g) {
      const std::string grade(g);
      return fmt::format("{} / {} ({})", r.shown("capacity_mean_" + grade), r.shown("capacity_p90_" + grade),
                         r.shown("share_over_110_" + grade));
    };
    fmt::print(out, "{:<{}} {:>24} {:>24} {:>24} {:>20}\n", names[i], width, cell("PO"), cell("PQiP"), cell("PSO"),
               r.shown("excessive_officers"));
  }

  fmt::print(out, "\nTimeliness: share done on time (mean days to complete)\n");
  fmt::print(out, "{:<{}} {:>16} {:>16} {:>16} {:>21}\n", "", width, "court reports", "risk reviews",
             "parole reports", "first victim contact");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    auto cell = [&](const std::string& share, const std::string& days) {
      return std::isfinite(r[days]) ? fmt::format("{} ({} d)", r.shown(share), r.shown(days)) : r.shown(share);
    };
    fmt::print(out, "{:<{}} {:>16} {:>16} {:>16} {:>21}\n", names[i], width,
               cell("court_reports_share_on_time", "court_reports_mean_days"),
               cell("plan_review_share_on_time", "plan_review_mean_days"),
               cell("parole_report_share_on_time", "parole_report_mean_days"),
               cell("victim_first_contact_share_on_time", "victim_first_contact_mean_days"));
  }

  const Row& d = rows.back();
  if (replications > 1) {
    fmt::print(out, "\nDivision headline figures: mean and {} interval across {} replications\n",
               level(summary.confidence), replications);
    for (const std::string_view name : app::kKeyFigures) {
      const stats::Interval i = d.interval(name);
      if (!std::isfinite(i.mean)) continue;
      const FigureFormat f(d.units(name), i.mean);
      fmt::print(out, "  {:<{}} {:>10}  {:<22} {}\n", figure_label(name), kLabelWidth, f.value(i.mean),
                 f.interval(i.low(), i.high()), name);
    }
  }
  fmt::print(out,
             "\nDivision imbalance of capacity %: Gini {}, CV {}, over 110% {} of officers; "
             "Theil {} = between LDUs {} + within {}; = between grades {} + within {}\n",
             d.shown("gini"), d.shown("cv"), d.shown("share_over_110"), d.shown("theil"),
             d.shown("theil_between_ldu"), d.shown("theil_within_ldu"), d.shown("theil_between_grade"),
             d.shown("theil_within_grade"));
}

void print_comparison(std::FILE* out, const model::Scenario& base, const model::Scenario& variant,
                      const app::Comparison& comparison, bool independent, std::string_view ldu) {
  fmt::print(out, "{} (base) vs {} (variant): {} replications each, seed {}, {}\n\n", base.name,
             variant.name, base.replications, base.seed,
             independent ? "independent random streams" : "common random numbers (paired)");
  const std::string interval = level(comparison.confidence) + " interval";
  const bool division = ldu == app::kDivisionRow;
  fmt::print(out,
             "{}: mean of base and variant, paired difference (variant - base) and its {}.\n"
             "Most significant first: differences whose interval excludes 0, marked with a star (*), come first,\n"
             "the largest against its noise (|difference| / half-width) first. Percentages differ in points (pts).\n{}",
             division ? std::string("Division") : "LDU " + std::string(ldu), interval,
             division ? "One LDU's rows: --ldu NAME; every LDU's are in the output file (-o).\n" : "");
  fmt::print(out, "\n{:<{}} {:>10} {:>10} {:>12}  {:<24} {}\n", "figure", kLabelWidth, "base", "variant",
             "difference", interval, "key");
  for (const app::PairedDifference* d : app::by_significance(comparison.differences, ldu)) {
    if (!std::isfinite(d->base.mean) || !std::isfinite(d->variant.mean)) continue;
    const FigureFormat f(d->units, std::max(std::abs(d->base.mean), std::abs(d->variant.mean)));
    fmt::print(out, "{:<{}} {:>10} {:>10} {:>12}  {:<24} {}\n", figure_label(d->figure), kLabelWidth,
               f.value(d->base.mean), f.value(d->variant.mean), f.difference(d->difference.mean),
               f.interval(d->difference.low(), d->difference.high()) + (d->significant() ? " *" : ""), d->figure);
  }
}

void print_sweep(std::FILE* out, const std::string& key, std::span<const std::string> values,
                 std::span<const app::RunSummary* const> summaries, std::span<const app::Comparison> differences) {
  const double confidence = summaries.empty() ? app::kConfidence : summaries.front()->confidence;
  std::vector<Row> rows;
  for (const app::RunSummary* s : summaries) rows.emplace_back(*s, app::kDivisionRow);
  std::vector<std::string> heads;
  for (const auto& v : values) heads.push_back(key.substr(key.rfind('.') + 1) + "=" + v);
  constexpr int kColumn = 24;

  fmt::print(out, "Sweep over {}: division means and {} half-widths\n\n", key, level(confidence));
  fmt::print(out, "{:<{}}", "figure", kLabelWidth);
  for (const auto& h : heads) fmt::print(out, " {:>{}}", h, kColumn);
  fmt::print(out, "\n");
  for (const std::string_view name : app::kKeyFigures) {
    fmt::print(out, "{:<{}}", figure_label(name), kLabelWidth);
    for (const Row& r : rows) {
      const stats::Interval i = r.interval(name);
      fmt::print(out, " {:>{}}", FigureFormat(r.units(name), i.mean).mean_and_half_width(i), kColumn);
    }
    fmt::print(out, "\n");
  }
  if (differences.empty()) return;

  fmt::print(out, "\nPaired differences from {} (the same random numbers: each value's replication r\n"
                  "minus replication r at {}), with {} intervals; * = the interval excludes 0\n\n",
             heads.front(), heads.front(), level(confidence));
  fmt::print(out, "{:<{}}", "figure", kLabelWidth);
  for (std::size_t v = 1; v < heads.size(); ++v) fmt::print(out, " {:>{}}", heads[v], kColumn + 6);
  fmt::print(out, "\n");
  for (const std::string_view name : app::kKeyFigures) {
    fmt::print(out, "{:<{}}", figure_label(name), kLabelWidth);
    for (const app::Comparison& c : differences) {
      std::string cell = "-";
      for (const auto& d : c.differences)
        if (d.ldu == app::kDivisionRow && d.figure == name && std::isfinite(d.difference.mean)) {
          const FigureFormat f(d.units, std::max(std::abs(d.base.mean), std::abs(d.variant.mean)));
          cell = f.difference(d.difference.mean) + " " + f.interval(d.difference.low(), d.difference.high()) +
                 (d.significant() ? " *" : "  ");
        }
      fmt::print(out, " {:>{}}", cell, kColumn + 6);
    }
    fmt::print(out, "\n");
  }
}

void print_sensitivity(std::FILE* out, const model::Scenario& scenario, const app::SensitivityTable& table,
                       std::size_t parameters) {
  fmt::print(out, "{}: {} parameter(s), each run at its low and high value with common random numbers "
                  "({} replications, seed {})\n",
             scenario.name, parameters, scenario.replications, scenario.seed);
  fmt::print(out, "Effect = paired difference high - low of the division figure, with its {} interval;\n"
                  "parameters ranked by |effect| (1 = moves the figure most); * = the interval excludes 0\n"
                  "by more than rounding. Every headline figure is in the output file (-o).\n",
             level(table.confidence));
  const auto general = [](double v, bool sign) {
    if (!std::isfinite(v)) return std::string("-");
    return sign && v != 0.0 ? fmt::format("{:+.4g}", v) : fmt::format("{:.4g}", v);
  };
  std::vector<std::string> undefined;
  for (const std::string_view name : app::kKeyFigures) {
    std::vector<const app::SensitivityEffect*> rows;
    for (const auto& row : table.rows)
      if (row.figure == name) rows.push_back(&row);
    if (rows.empty()) continue;
    if (std::none_of(rows.begin(), rows.end(), [](const auto* r) { return std::isfinite(r->effect.mean); })) {
      undefined.emplace_back(name);
      continue;
    }
    std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) { return a->rank < b->rank; });
    fmt::print(out, "\n{} ({})\n", name, rows.front()->units);
    for (const auto* r : rows)
      fmt::print(out, "  {:>2}  {:<44} {:>9} -> {:<9} {:>10}  [{}, {}]{}\n", r->rank, r->parameter,
                 general(r->low, false), general(r->high, false), general(r->effect.mean, true),
                 general(r->effect.low(), false), general(r->effect.high(), false),
                 r->clear ? " *" : "");
  }
  if (!undefined.empty())
    fmt::print(out, "\nNot defined in this scenario at either end: {}\n", fmt::join(undefined, ", "));
}

} // namespace caseload::cli
