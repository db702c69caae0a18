#pragma once
// The one summary of a run: every headline figure of every replication and
// row (LDU or division), computed once, and its interval across replications.
// The HDF5 writer, the terminal summary and comparisons all read it.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"
#include "caseload/stats/interval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::app {

// The confidence level of every interval the tool reports.
inline constexpr double kConfidence = 0.95;

// The row name of division-wide figures (an LDU may not take it).
inline constexpr std::string_view kDivisionRow = "division";

struct FigureColumn {
  std::string name;
  std::string units;
  bool integer = false;       // a count, stored as an integer
  std::vector<double> values; // one per row of the table
};

// Headline figures as a table: a row per (replication, LDU), the LDUs in
// scenario order then the division, replication after replication.
struct FigureTable {
  std::vector<std::int64_t> replication;
  std::vector<std::string> ldu;
  std::vector<FigureColumn> columns;
  std::size_t rows_per_replication = 0;
};

// One headline figure of one row across replications.
struct HeadlineStatistic {
  std::string ldu;
  std::string figure;
  std::string units;
  stats::Interval interval;
};

struct RunSummary {
  double confidence = kConfidence;
  FigureTable figures;
  std::vector<HeadlineStatistic> statistics; // row by row, each row's figures in column order

  // The interval of one figure of one row; NaN mean when there is none.
  [[nodiscard]] stats::Interval interval(std::string_view ldu, std::string_view figure) const;
};

RunSummary summarise(const model::Scenario& scenario, std::span<const model::ReplicationResult> results,
                     double confidence = kConfidence);

// The same in steps, for runs that hand each replication on as it finishes
// and keep only its figures: the rows of one replication; its columns (names,
// units, no rows) without running one; rows appended replication after
// replication; the summary of the whole table.
FigureTable figures_of(const model::Scenario& scenario, const model::ReplicationResult& result,
                       std::size_t replication);
FigureTable figure_columns(const model::Scenario& scenario);
// The names of a replication's rows: each LDU's, then the division's.
std::vector<std::string> figure_row_names(const model::Scenario& scenario);
void append_figures(FigureTable& into, const FigureTable& rows);
RunSummary summary_of(FigureTable figures, double confidence = kConfidence);
// A replication's rows as one array of values, column after column, and
// back into rows of `columns` (figure_columns): what the processes of an MPI
// run send each other.
std::vector<double> figure_values(const FigureTable& rows);
FigureTable figures_from_values(const model::Scenario& scenario, const FigureTable& columns, std::size_t replication,
                                std::span<const double> values);
// ... of each replication's rows, in `columns` (figure_columns).
RunSummary summary_of(const FigureTable& columns, std::span<const FigureTable> replications,
                      double confidence = kConfidence);

// Base and variant replication r share their random streams, so the paired
// differences (variant − base) carry far less noise than independent runs.
struct PairedDifference {
  std::string ldu;
  std::string figure;
  std::string units;
  stats::Interval base;
  stats::Interval variant;
  stats::Interval difference;
  // The interval excludes zero by more than rounding (1e-9 of the figure's size).
  [[nodiscard]] bool significant() const {
    const double scale = std::max({1.0, std::abs(base.mean), std::abs(variant.mean)});
    return difference.excludes_zero() && std::abs(difference.mean) > 1e-9 * scale;
  }
  // How clearly the difference stands out of its noise: |difference| ÷
  // half-width (above 1 when the interval excludes 0); infinite for a
  // nonzero difference without noise, 0 for none, NaN where undefined.
  [[nodiscard]] double clarity() const {
    const double d = std::abs(difference.mean);
    if (!std::isfinite(d) || std::isnan(difference.half_width)) return std::numeric_limits<double>::quiet_NaN();
    if (d == 0.0) return 0.0;
    return difference.half_width > 0.0 ? d / difference.half_width : std::numeric_limits<double>::infinity();
  }
};

// The differences of one row (an LDU, or the division) in order of
// significance: those significant() first, each group by clarity(), largest
// first (NaN last); ties keep the figures' order.
std::vector<const PairedDifference*> by_significance(std::span<const PairedDifference> differences,
                                                     std::string_view ldu);

struct Comparison {
  double confidence = kConfidence;
  std::vector<PairedDifference> differences;
};

// Rows are matched by LDU name; LDUs present in only one run are left out.
// Both summaries must hold the same number of replications.
Comparison compare(const RunSummary& base, const RunSummary& variant);

} // namespace caseload::app
