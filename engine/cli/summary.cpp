#include "summary.hpp"

#include "caseload/metrics/headline.hpp"
#include "caseload/metrics/replication_stats.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace caseload::cli {
namespace {

// Each headline figure of one row (LDU or division) across replications.
class Row {
public:
  Row(std::span<const metrics::HeadlineStatistic> stats, const std::string& ldu) {
    for (const auto& st : stats)
      if (st.ldu == ldu) figures_[st.figure] = st.interval;
  }
  [[nodiscard]] double operator[](const std::string& name) const { return interval(name).mean; }
  [[nodiscard]] metrics::Interval interval(std::string_view name) const {
    const auto it = figures_.find(std::string(name));
    return it == figures_.end() ? metrics::Interval{0, NAN, NAN} : it->second;
  }

private:
  std::map<std::string, metrics::Interval> figures_;
};

std::string num(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "-";
}
std::string pct(double share) { return num(100.0 * share, 1); }

} // namespace

void print_summary(std::FILE* out, const model::Scenario& scenario,
                   std::span<const model::ReplicationResult> results) {
  const int n_ldu = static_cast<int>(scenario.ldus.size());
  const auto stats = metrics::headline_statistics(scenario, results);
  std::vector<Row> rows;
  std::vector<std::string> names;
  for (int l = 0; l < n_ldu; ++l) {
    rows.emplace_back(stats, scenario.ldus[l].name);
    names.push_back(scenario.ldus[l].name);
  }
  rows.emplace_back(stats, "division");
  names.emplace_back("Division");

  fmt::print(out, "{}: {} replication(s), {:g} days ({:g} warm-up), seed {}{}\n\n", scenario.name,
             results.size(), scenario.horizon_days, scenario.warmup_days, scenario.seed,
             results.size() > 1 ? "; figures are means over replications" : "");

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
  if (results.size() > 1) {
    fmt::print(out, "\nDivision headline figures: mean and 95% interval across {} replications\n",
               results.size());
    for (const std::string_view name : metrics::kKeyFigures) {
      const metrics::Interval i = d.interval(name);
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
                      std::span<const metrics::PairedDifference> differences, bool independent) {
  fmt::print(out, "{} (base) vs {} (variant): {} replications each, seed {}, {}\n\n", base.name,
             variant.name, base.replications, base.seed,
             independent ? "independent random streams" : "common random numbers (paired)");
  fmt::print(out, "Division: mean of base and variant, paired difference (variant - base) and its 95% interval;\n"
                  "* marks a difference whose interval excludes 0. Per-LDU rows are in the output file.\n");
  fmt::print(out, "{:<38} {:>10} {:>10} {:>10}  {:<24}\n", "figure", "base", "variant", "diff", "95% interval");
  for (const auto& d : differences) {
    if (d.ldu != "division" || !std::isfinite(d.base.mean) || !std::isfinite(d.variant.mean)) continue;
    fmt::print(out, "{:<38} {:>10} {:>10} {:>10}  [{}, {}]{}\n", d.figure, num(d.base.mean, 3),
               num(d.variant.mean, 3), num(d.difference.mean, 3), num(d.difference.low(), 3),
               num(d.difference.high(), 3), d.significant() ? " *" : "");
  }
}

void print_sweep(std::FILE* out, const std::string& key, std::span<const std::string> values,
                 std::span<const model::Scenario* const> scenarios,
                 std::span<const std::span<const model::ReplicationResult>> results) {
  fmt::print(out, "Sweep over {}: division means and 95% intervals\n", key);
  std::vector<Row> rows;
  for (std::size_t i = 0; i < values.size(); ++i)
    rows.emplace_back(metrics::headline_statistics(*scenarios[i], results[i]), "division");
  fmt::print(out, "{:<38}", "figure");
  for (const auto& v : values) fmt::print(out, " {:>22}", key.substr(key.rfind('.') + 1) + "=" + v);
  fmt::print(out, "\n");
  for (const std::string_view name : metrics::kKeyFigures) {
    fmt::print(out, "{:<38}", name);
    for (const Row& r : rows) {
      const metrics::Interval i = r.interval(name);
      fmt::print(out, " {:>22}", std::isfinite(i.mean) ? fmt::format("{} ±{}", num(i.mean, 3), num(i.half_width, 3)) : "-");
    }
    fmt::print(out, "\n");
  }
}

} // namespace caseload::cli
