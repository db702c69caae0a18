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

FigureTable figures_of(const model::Scenario& scenario, const model::ReplicationResult& result,
                       std::size_t replication) {
  FigureTable t;
  const std::size_t n_ldu = scenario.ldus.size();
  t.rows_per_replication = n_ldu + 1;
  t.ldu = figure_row_names(scenario);
  t.replication.assign(t.ldu.size(), static_cast<std::int64_t>(replication));
  for (std::size_t row = 0; row <= n_ldu; ++row) {
    const bool division = row == n_ldu;
    const auto figures = headline_figures(scenario, result, division ? -1 : static_cast<int>(row));
    if (t.columns.empty())
      for (const auto& f : figures) t.columns.push_back({f.name, f.units, f.integer, {}});
    assert(figures.size() == t.columns.size());
    for (std::size_t c = 0; c < figures.size(); ++c) t.columns[c].values.push_back(figures[c].value);
  }
  return t;
}

std::vector<std::string> figure_row_names(const model::Scenario& scenario) {
  std::vector<std::string> names;
  for (const auto& l : scenario.ldus) names.push_back(l.name);
  names.emplace_back(kDivisionRow);
  return names;
}

FigureTable figure_columns(const model::Scenario& scenario) {
  FigureTable t = figures_of(scenario, empty_replication(scenario), 0);
  t.replication.clear();
  t.ldu.clear();
  for (auto& c : t.columns) c.values.clear();
  return t;
}

void append_figures(FigureTable& into, const FigureTable& rows) {
  if (into.columns.empty() && into.replication.empty()) {
    into = rows;
    return;
  }
  assert(into.rows_per_replication == rows.rows_per_replication && into.columns.size() == rows.columns.size());
  into.replication.insert(into.replication.end(), rows.replication.begin(), rows.replication.end());
  into.ldu.insert(into.ldu.end(), rows.ldu.begin(), rows.ldu.end());
  for (std::size_t c = 0; c < rows.columns.size(); ++c) {
    assert(into.columns[c].name == rows.columns[c].name);
    auto& values = into.columns[c].values;
    values.insert(values.end(), rows.columns[c].values.begin(), rows.columns[c].values.end());
  }
}

RunSummary summary_of(FigureTable figures, double confidence) {
  RunSummary s;
  s.confidence = confidence;
  s.figures = std::move(figures);
  const FigureTable& t = s.figures;
  if (t.replication.empty()) return s;
  for (std::size_t row = 0; row < t.rows_per_replication; ++row)
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      s.statistics.push_back({t.ldu[row], t.columns[c].name, t.columns[c].units,
                              stats::t_interval(across_replications(t, c, row), confidence)});
  return s;
}

std::vector<double> figure_values(const FigureTable& rows) {
  std::vector<double> out;
  for (const auto& c : rows.columns) out.insert(out.end(), c.values.begin(), c.values.end());
  return out;
}

FigureTable figures_from_values(const model::Scenario& scenario, const FigureTable& columns, std::size_t replication,
                                std::span<const double> values) {
  FigureTable t = columns;
  const std::size_t n = t.rows_per_replication;
  assert(values.size() == n * t.columns.size());
  t.ldu = figure_row_names(scenario);
  t.replication.assign(n, static_cast<std::int64_t>(replication));
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    t.columns[c].values.assign(values.begin() + static_cast<std::ptrdiff_t>(c * n),
                               values.begin() + static_cast<std::ptrdiff_t>((c + 1) * n));
  return t;
}

RunSummary summary_of(const FigureTable& columns, std::span<const FigureTable> replications, double confidence) {
  FigureTable all = columns;
  for (const auto& rows : replications) append_figures(all, rows);
  return summary_of(std::move(all), confidence);
}

RunSummary summarise(const model::Scenario& scenario, std::span<const model::ReplicationResult> results,
                     double confidence) {
  FigureTable t;
  t.rows_per_replication = scenario.ldus.size() + 1;
  for (std::size_t rep = 0; rep < results.size(); ++rep) append_figures(t, figures_of(scenario, results[rep], rep));
  return summary_of(std::move(t), confidence);
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
