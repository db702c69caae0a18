#include "summary.hpp"

#include <fmt/format.h>

#include <cmath>

namespace caseload::cli {
namespace {

// Mean of the finite values picked from every snapshot of every replication.
template <class Pick>
double average(std::span<const model::ReplicationResult> results, Pick&& pick) {
  double sum = 0.0;
  long n = 0;
  for (const auto& r : results)
    for (std::size_t s = 0; s < r.snapshots.count(); ++s)
      if (const double v = pick(r, s); std::isfinite(v)) sum += v, ++n;
  return n ? sum / static_cast<double>(n) : NAN;
}

std::string pct(double v) { return std::isfinite(v) ? fmt::format("{:.1f}", v) : "-"; }

} // namespace

void print_summary(std::FILE* out, const model::Scenario& scenario,
                   std::span<const model::ReplicationResult> results) {
  const auto reps = static_cast<double>(results.size());
  const std::size_t n_ldu = scenario.ldus.size();
  auto flow_mean = [&](auto&& field, int ldu) {
    double sum = 0.0;
    for (const auto& r : results) sum += field(ldu < 0 ? r.division_flow : r.ldu_flows[ldu]);
    return sum / reps;
  };
  fmt::print(out, "{}: {} replication(s), {:g} days ({:g} warm-up), seed {}\n\n", scenario.name,
             results.size(), scenario.horizon_days, scenario.warmup_days, scenario.seed);

  fmt::print(out, "{:<34} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "LDU", "held", "waiting",
             "arrivals", "closures", "wait d", "waited %");
  for (int l = -1; l < static_cast<int>(n_ldu); ++l) {
    const int row = l + 1 == static_cast<int>(n_ldu) ? -1 : l + 1; // LDUs, then the division
    const std::string name = row < 0 ? "Division" : scenario.ldus[row].name;
    fmt::print(out, "{:<34} {:>9.0f} {:>9.1f} {:>9.0f} {:>9.0f} {:>9.2f} {:>9.1f}\n", name,
               flow_mean([](const auto& f) { return f.mean_held; }, row),
               flow_mean([](const auto& f) { return f.mean_waiting; }, row),
               flow_mean([](const auto& f) { return double(f.arrivals); }, row),
               flow_mean([](const auto& f) { return double(f.closures); }, row),
               flow_mean([](const auto& f) { return f.mean_wait_days(); }, row),
               100.0 * flow_mean([](const auto& f) { return f.share_waited(); }, row));
  }

  fmt::print(out, "\nCapacity % by LDU and grade (averaged over weekly snapshots{})\n",
             results.size() > 1 ? " and replications" : "");
  fmt::print(out, "{:<34} {:<5} {:>8} {:>9} {:>9} {:>9} {:>9}\n", "LDU", "grade", "officers",
             "cases", "mean %", "p90 %", ">110 %");
  for (std::size_t l = 0; l < n_ldu; ++l) {
    for (int g = 0; g < model::kGradeCount; ++g) {
      const std::size_t cell = l * model::kGradeCount + static_cast<std::size_t>(g);
      auto at = [&](auto member) {
        return [&, member](const model::ReplicationResult& r, std::size_t s) {
          return static_cast<double>((r.snapshots.ldu_grade.*member)[s * n_ldu * model::kGradeCount + cell]);
        };
      };
      const double officers = average(results, at(&model::GroupSeries::officers));
      if (!(officers > 0.0)) continue;
      fmt::print(out, "{:<34} {:<5} {:>8.0f} {:>9.0f} {:>9} {:>9} {:>9}\n", scenario.ldus[l].name,
                 model::kGradeNames[g], officers, average(results, at(&model::GroupSeries::cases)),
                 pct(average(results, at(&model::GroupSeries::mean))),
                 pct(average(results, at(&model::GroupSeries::p90))),
                 pct(100.0 * average(results, at(&model::GroupSeries::share_over_110))));
    }
  }

  auto division = [&](auto member) {
    return average(results, [member](const model::ReplicationResult& r, std::size_t s) {
      return (r.snapshots.division.*member)[s];
    });
  };
  fmt::print(out,
             "\nDivision imbalance of capacity %: Gini {:.3f}, CV {:.3f}, max/median {:.2f}, "
             "over 100% {:.1f}%, over 110% {:.1f}% of officers\n",
             division(&model::ImbalanceSeries::gini), division(&model::ImbalanceSeries::cv),
             division(&model::ImbalanceSeries::max_over_median),
             100.0 * division(&model::ImbalanceSeries::share_over_100),
             100.0 * division(&model::ImbalanceSeries::share_over_110));
}

} // namespace caseload::cli
