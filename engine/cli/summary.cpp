#include "summary.hpp"

#include "caseload/app/headline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace caseload::cli {
namespace {

// Each headline figure of one row (LDU or division) across replications.
class Row {
public:
  Row(const app::RunSummary& summary, std::string_view ldu) {
    for (const auto& st : summary.statistics)
      if (st.ldu == ldu) figures_[st.figure] = st.interval;
  }
  [[nodiscard]] double operator[](const std::string& name) const { return interval(name).mean; }
  [[nodiscard]] stats::Interval interval(std::string_view name) const {
    const auto it = figures_.find(std::string(name));
    return it == figures_.end() ? stats::Interval{0, NAN, NAN} : it->second;
  }

private:
  std::map<std::string, stats::Interval> figures_;
};

std::string num(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "-";
}
std::string pct(double share) { return num(100.0 * share, 1); }
std::string level(double confidence) { return fmt::format("{:g}%", 100.0 * confidence); }

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

  fmt::print(out, "{}: {} replication(s), {:g} days ({:g} warm-up), seed {}{}\n\n", scenario.name,
             replications, scenario.horizon_days, scenario.warmup_days, scenario.seed,
             replications > 1 ? "; figures are means over replications" : "");

  fmt::print(out, "{:<34} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>7}\n", "Cases", "held",
             "waiting", "arrived", "closed", "wait d", "waited %", "realloc", "VLO cl");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    fmt::print(out, "{:<34} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>7}\n", names[i],
               num(r["mean_held"], 0), num(r["mean_waiting"], 1), num(r["arrivals"], 0),
               num(r["closures"], 0), num(r["mean_wait_days"], 2), pct(r["share_waited"]),
               num(r["reallocations"], 0), num(r["vlo_caseload"], 0));
  }

  fmt::print(out, "\nCapacity % by grade (over snapshots): mean / p90, and % of officers over 110%\n");
  fmt::print(out, "{:<34} {:>17} {:>17} {:>17} {:>9}\n", "", "PO", "PQiP", "PSO", "n 4wk>110");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    auto cell = [&](const char* g) {
      return fmt::format("{}/{} {}", num(r[std::string("capacity_mean_") + g], 0),
                         num(r[std::string("capacity_p90_") + g], 0),
                         pct(r[std::string("share_over_110_") + g]));
    };
    fmt::print(out, "{:<34} {:>17} {:>17} {:>17} {:>9}\n", names[i], cell("PO"), cell("PQiP"),
               cell("PSO"), num(r["excessive_officers"], 1));
  }

  fmt::print(out, "\nTimeliness: % on time (mean days to complete)\n");
  fmt::print(out, "{:<34} {:>15} {:>15} {:>15} {:>15}\n", "", "court reports", "risk reviews",
             "parole reports", "victim 1st cont");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    auto cell = [&](const std::string& share, const std::string& days) {
      return fmt::format("{} ({})", pct(r[share]), num(r[days], 1));
    };
    fmt::print(out, "{:<34} {:>15} {:>15} {:>15} {:>15}\n", names[i],
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
      if (std::isfinite(i.mean))
        fmt::print(out, "  {:<38} {:>10}  [{}, {}]\n", name, num(i.mean, 3), num(i.low(), 3), num(i.high(), 3));
    }
  }
  fmt::print(out,
             "\nDivision imbalance of capacity %: Gini {}, CV {}, over 110% {}% of officers; "
             "Theil {} = between LDUs {} + within {}; = between grades {} + within {}\n",
             num(d["gini"], 3), num(d["cv"], 3), pct(d["share_over_110"]), num(d["theil"], 3),
             num(d["theil_between_ldu"], 3), num(d["theil_within_ldu"], 3),
             num(d["theil_between_grade"], 3), num(d["theil_within_grade"], 3));
}

void print_comparison(std::FILE* out, const model::Scenario& base, const model::Scenario& variant,
                      const app::Comparison& comparison, bool independent) {
  fmt::print(out, "{} (base) vs {} (variant): {} replications each, seed {}, {}\n\n", base.name,
             variant.name, base.replications, base.seed,
             independent ? "independent random streams" : "common random numbers (paired)");
  const std::string interval = level(comparison.confidence) + " interval";
  fmt::print(out, "Division: mean of base and variant, paired difference (variant - base) and its {};\n"
                  "* marks a difference whose interval excludes 0. Per-LDU rows are in the output file.\n",
             interval);
  fmt::print(out, "{:<38} {:>10} {:>10} {:>10}  {:<24}\n", "figure", "base", "variant", "diff", interval);
  for (const auto& d : comparison.differences) {
    if (d.ldu != app::kDivisionRow || !std::isfinite(d.base.mean) || !std::isfinite(d.variant.mean)) continue;
    fmt::print(out, "{:<38} {:>10} {:>10} {:>10}  [{}, {}]{}\n", d.figure, num(d.base.mean, 3),
               num(d.variant.mean, 3), num(d.difference.mean, 3), num(d.difference.low(), 3),
               num(d.difference.high(), 3), d.significant() ? " *" : "");
  }
}

void print_sweep(std::FILE* out, const std::string& key, std::span<const std::string> values,
                 std::span<const app::RunSummary* const> summaries) {
  fmt::print(out, "Sweep over {}: division means and {} intervals\n", key,
             level(summaries.empty() ? app::kConfidence : summaries.front()->confidence));
  std::vector<Row> rows;
  for (const app::RunSummary* s : summaries) rows.emplace_back(*s, app::kDivisionRow);
  fmt::print(out, "{:<38}", "figure");
  for (const auto& v : values) fmt::print(out, " {:>22}", key.substr(key.rfind('.') + 1) + "=" + v);
  fmt::print(out, "\n");
  for (const std::string_view name : app::kKeyFigures) {
    fmt::print(out, "{:<38}", name);
    for (const Row& r : rows) {
      const stats::Interval i = r.interval(name);
      fmt::print(out, " {:>22}", std::isfinite(i.mean) ? fmt::format("{} ±{}", num(i.mean, 3), num(i.half_width, 3)) : "-");
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
