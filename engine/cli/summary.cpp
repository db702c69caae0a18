#include "summary.hpp"

#include "caseload/metrics/headline.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace caseload::cli {
namespace {

// Each headline figure of one row (LDU or division), averaged over replications.
class Row {
public:
  Row(const model::Scenario& scenario, std::span<const model::ReplicationResult> results, int ldu) {
    std::map<std::string, std::pair<double, int>> sums;
    for (const auto& r : results)
      for (const auto& f : metrics::headline_figures(scenario, r, ldu))
        if (std::isfinite(f.value)) {
          auto& [sum, n] = sums[f.name];
          sum += f.value;
          ++n;
        }
    for (const auto& [name, sn] : sums) means_[name] = sn.first / sn.second;
  }
  [[nodiscard]] double operator[](const std::string& name) const {
    const auto it = means_.find(name);
    return it == means_.end() ? NAN : it->second;
  }

private:
  std::map<std::string, double> means_;
};

std::string num(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "-";
}
std::string pct(double share) { return num(100.0 * share, 1); }

} // namespace

void print_summary(std::FILE* out, const model::Scenario& scenario,
                   std::span<const model::ReplicationResult> results) {
  const int n_ldu = static_cast<int>(scenario.ldus.size());
  std::vector<Row> rows;
  std::vector<std::string> names;
  for (int l = 0; l < n_ldu; ++l) {
    rows.emplace_back(scenario, results, l);
    names.push_back(scenario.ldus[l].name);
  }
  rows.emplace_back(scenario, results, -1);
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

  fmt::print(out, "\nCapacity % by grade (weekly snapshots): mean / p90, and % of officers over 110%\n");
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
               cell("court_reports_share_on_time", "fdr_mean_days"),
               cell("plan_review_share_on_time", "plan_review_mean_days"),
               cell("parole_report_share_on_time", "parole_report_mean_days"),
               cell("victim_first_contact_share_on_time", "victim_first_contact_mean_days"));
  }

  const Row& d = rows.back();
  fmt::print(out,
             "\nDivision imbalance of capacity %: Gini {}, CV {}, over 110% {}% of officers; "
             "Theil {} = between LDUs {} + within {}; = between grades {} + within {}\n",
             num(d["gini"], 3), num(d["cv"], 3), pct(d["share_over_110"]), num(d["theil"], 3),
             num(d["theil_between_ldu"], 3), num(d["theil_within_ldu"], 3),
             num(d["theil_between_grade"], 3), num(d["theil_within_grade"], 3));
}

} // namespace caseload::cli
