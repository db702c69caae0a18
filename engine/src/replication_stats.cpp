#include "caseload/metrics/replication_stats.hpp"

#include "caseload/metrics/headline.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <cassert>
#include <cmath>
#include <limits>
#include <map>

namespace caseload::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// figures[row][figure] = values across replications, rows = LDUs then division.
struct FigureMatrix {
  std::vector<std::string> rows;
  std::vector<Figure> names; // name and units of each figure
  std::vector<std::vector<std::vector<double>>> values;
};

FigureMatrix collect(const model::Scenario& scenario, std::span<const model::ReplicationResult> results) {
  FigureMatrix m;
  for (const auto& l : scenario.ldus) m.rows.push_back(l.name);
  m.rows.emplace_back("division");
  m.values.resize(m.rows.size());
  for (const auto& r : results)
    for (std::size_t row = 0; row < m.rows.size(); ++row) {
      const int ldu = row + 1 == m.rows.size() ? -1 : static_cast<int>(row);
      const auto figures = headline_figures(scenario, r, ldu);
      if (m.names.empty()) m.names = figures;
      m.values[row].resize(figures.size());
      for (std::size_t f = 0; f < figures.size(); ++f) m.values[row][f].push_back(figures[f].value);
    }
  return m;
}

} // namespace

Interval t_interval(std::span<const double> values, double confidence) {
  Interval out;
  double sum = 0.0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++out.n;
  if (out.n == 0) {
    out.mean = out.half_width = kNaN;
    return out;
  }
  out.mean = sum / out.n;
  if (out.n < 2) {
    out.half_width = kNaN;
    return out;
  }
  double ss = 0.0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - out.mean) * (v - out.mean);
  const double se = std::sqrt(ss / (out.n - 1) / out.n);
  const boost::math::students_t t(out.n - 1);
  out.half_width = boost::math::quantile(boost::math::complement(t, (1.0 - confidence) / 2.0)) * se;
  return out;
}

std::vector<HeadlineStatistic> headline_statistics(const model::Scenario& scenario,
                                                   std::span<const model::ReplicationResult> results) {
  const FigureMatrix m = collect(scenario, results);
  std::vector<HeadlineStatistic> out;
  for (std::size_t row = 0; row < m.rows.size(); ++row)
    for (std::size_t f = 0; f < m.names.size(); ++f)
      out.push_back({m.rows[row], m.names[f].name, m.names[f].units, t_interval(m.values[row][f])});
  return out;
}

std::vector<PairedDifference> paired_differences(const model::Scenario& base_scenario,
                                                 std::span<const model::ReplicationResult> base,
                                                 const model::Scenario& variant_scenario,
                                                 std::span<const model::ReplicationResult> variant) {
  assert(base.size() == variant.size());
  const FigureMatrix a = collect(base_scenario, base);
  const FigureMatrix b = collect(variant_scenario, variant);
  std::map<std::string, std::size_t> variant_row;
  for (std::size_t row = 0; row < b.rows.size(); ++row) variant_row[b.rows[row]] = row;
  std::vector<PairedDifference> out;
  for (std::size_t ra = 0; ra < a.rows.size(); ++ra) {
    const auto it = variant_row.find(a.rows[ra]);
    if (it == variant_row.end()) continue;
    const std::size_t rb = it->second;
    for (std::size_t f = 0; f < a.names.size(); ++f) {
      const auto& x = a.values[ra][f];
      const auto& y = b.values[rb][f];
      std::vector<double> diff(x.size());
      for (std::size_t r = 0; r < x.size(); ++r) diff[r] = y[r] - x[r]; // NaN if either is
      out.push_back({a.rows[ra], a.names[f].name, a.names[f].units, t_interval(x), t_interval(y),
                     t_interval(diff)});
    }
  }
  return out;
}

} // namespace caseload::metrics
