#include "caseload/app/run_summary.hpp"

#include "caseload/app/headline.hpp"

#include <cassert>
#include <limits>
#include <map>

namespace caseload::app {
namespace {

// The values of one figure of one row (row index within a replication) across replications.
std::vector<double> across_replications(const FigureTable& t, std::size_t column, std::size_t row) {
  std::vector<double> out;
  const auto& values = t.columns[column].values;
  for (std::size_t at = row; at < values.size(); at += t.rows_per_replication) out.push_back(values[at]);
  return out;
}

} // namespace

RunSummary summarise(const model::Scenario& scenario, std::span<const model::ReplicationResult> results,
                     double confidence) {
  RunSummary s;
  s.confidence = confidence;
  FigureTable& t = s.figures;
  const std::size_t n_ldu = scenario.ldus.size();
  t.rows_per_replication = n_ldu + 1;
  for (std::size_t rep = 0; rep < results.size(); ++rep)
    for (std::size_t row = 0; row <= n_ldu; ++row) {
      const bool division = row == n_ldu;
      t.replication.push_back(static_cast<std::int64_t>(rep));
      t.ldu.push_back(division ? std::string(kDivisionRow) : scenario.ldus[row].name);
      const auto figures = headline_figures(scenario, results[rep], division ? -1 : static_cast<int>(row));
      if (t.columns.empty())
        for (const auto& f : figures) t.columns.push_back({f.name, f.units, f.integer, {}});
      assert(figures.size() == t.columns.size());
      for (std::size_t c = 0; c < figures.size(); ++c) t.columns[c].values.push_back(figures[c].value);
    }
  if (results.empty()) return s;
  for (std::size_t row = 0; row <= n_ldu; ++row)
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      s.statistics.push_back({t.ldu[row], t.columns[c].name, t.columns[c].units,
                              stats::t_interval(across_replications(t, c, row), confidence)});
  return s;
}

stats::Interval RunSummary::interval(std::string_view ldu, std::string_view figure) const {
  for (const auto& st : statistics)
    if (st.ldu == ldu && st.figure == figure) return st.interval;
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  return {0, kNaN, kNaN};
}

std::vector<const PairedDifference*> by_significance(std::span<const PairedDifference> differences,
                                                     std::string_view ldu) {
  std::vector<const PairedDifference*> rows;
  for (const auto& d : differences)
    if (d.ldu == ldu) rows.push_back(&d);
  const auto rank = [](const PairedDifference* d) { return std::isnan(d->clarity()) ? -1.0 : d->clarity(); };
  std::stable_sort(rows.begin(), rows.end(), [&](const PairedDifference* a, const PairedDifference* b) {
    if (a->significant() != b->significant()) return a->significant();
    return rank(a) > rank(b);
  });
  return rows;
}

Comparison compare(const RunSummary& base, const RunSummary& variant) {
  const FigureTable& a = base.figures;
  const FigureTable& b = variant.figures;
  assert(a.replication.size() / std::max<std::size_t>(1, a.rows_per_replication) ==
         b.replication.size() / std::max<std::size_t>(1, b.rows_per_replication));
  assert(base.confidence == variant.confidence);
  std::map<std::string, std::size_t> variant_row;
  for (std::size_t row = 0; row < b.rows_per_replication; ++row) variant_row[b.ldu[row]] = row;
  Comparison out;
  out.confidence = base.confidence;
  for (std::size_t ra = 0; ra < a.rows_per_replication; ++ra) {
    const auto it = variant_row.find(a.ldu[ra]);
    if (it == variant_row.end()) continue;
    for (std::size_t c = 0; c < a.columns.size(); ++c) {
      const auto x = across_replications(a, c, ra);
      const auto y = across_replications(b, c, it->second);
      std::vector<double> diff(x.size());
      for (std::size_t r = 0; r < x.size(); ++r) diff[r] = y[r] - x[r]; // NaN if either is
      out.differences.push_back({a.ldu[ra], a.columns[c].name, a.columns[c].units,
                                 stats::t_interval(x, out.confidence), stats::t_interval(y, out.confidence),
                                 stats::t_interval(diff, out.confidence)});
    }
  }
  return out;
}

} // namespace caseload::app
