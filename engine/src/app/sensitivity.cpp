#include "caseload/app/sensitivity.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace caseload::app {

std::vector<int> rank_by_magnitude(std::span<const double> effects) {
  std::vector<std::size_t> order(effects.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable: ties (and all NaNs) keep the parameters' order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool a_nan = std::isnan(effects[a]);
    const bool b_nan = std::isnan(effects[b]);
    if (a_nan || b_nan) return !a_nan && b_nan;
    return std::abs(effects[a]) > std::abs(effects[b]);
  });
  std::vector<int> rank(effects.size());
  for (std::size_t position = 0; position < order.size(); ++position)
    rank[order[position]] = static_cast<int>(position) + 1;
  return rank;
}

SensitivityTable tabulate(std::span<const model::SensitivityParameter> parameters,
                          std::span<const Comparison> comparisons) {
  assert(parameters.size() == comparisons.size());
  SensitivityTable table;
  if (!comparisons.empty()) table.confidence = comparisons.front().confidence;
  std::map<std::string, std::vector<std::size_t>> rows_of_figure;
  for (std::size_t p = 0; p < parameters.size(); ++p)
    for (const PairedDifference& d : comparisons[p].differences) {
      if (d.ldu != kDivisionRow) continue;
      rows_of_figure[d.figure].push_back(table.rows.size());
      table.rows.push_back({parameters[p].key, parameters[p].low, parameters[p].high, d.figure, d.units,
                            d.difference, 0, d.significant()});
    }
  for (const auto& [figure, rows] : rows_of_figure) {
    std::vector<double> effects;
    for (std::size_t row : rows) effects.push_back(table.rows[row].effect.mean);
    const std::vector<int> ranks = rank_by_magnitude(effects);
    for (std::size_t i = 0; i < rows.size(); ++i) table.rows[rows[i]].rank = ranks[i];
  }
  return table;
}

SensitivityTable screen(std::span<const ScreenedParameter> parameters, const Workers& workers,
                        const ProgressCallback& progress) {
  std::vector<model::SensitivityParameter> screened;
  std::vector<Comparison> comparisons;
  int done_before = 0;
  int total = 0;
  for (const auto& p : parameters) total += p.at_low.replications + p.at_high.replications;
  // Runs one end and keeps only its summary: the replications' records are
  // large and the table needs none of them.
  const auto summary_of = [&](const model::Scenario& scenario) {
    auto summary = summarise_replications(scenario, workers, kConfidence, [&](int done, int, std::uint64_t events) {
      if (progress) progress(done_before + done, total, events);
    });
    done_before += scenario.replications;
    return summary;
  };
  for (const auto& p : parameters) {
    if (p.at_low.seed != p.at_high.seed || p.at_low.replications != p.at_high.replications)
      throw std::invalid_argument("parameter '" + p.parameter.key +
                                  "': both ends need the same seed and replications (common random numbers)");
    const RunSummary low = summary_of(p.at_low);
    const RunSummary high = summary_of(p.at_high);
    comparisons.push_back(compare(low, high));
    screened.push_back(p.parameter);
  }
  return tabulate(screened, comparisons);
}

} // namespace caseload::app
