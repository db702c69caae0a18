#pragma once
// Screening which assumptions move which headline figures: one parameter at a
// time, each run at the low and the high end of its range with common random
// numbers, the effect being the paired difference high − low of every
// division figure (docs/model.md §17.4). The caller loads the scenarios; this
// runs, compares and ranks them.

#include "caseload/app/experiment.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/model/scenario.hpp"
#include "caseload/stats/interval.hpp"

#include <span>
#include <string>
#include <vector>

namespace caseload::app {

// A parameter and the scenario at each end of its range. Both scenarios must
// have the same seed and number of replications, so that replication r of
// each draws from the same streams.
struct ScreenedParameter {
  model::SensitivityParameter parameter;
  model::Scenario at_low;
  model::Scenario at_high;
};

// The effect of one parameter on one division figure.
struct SensitivityEffect {
  std::string parameter; // its key
  double low = 0.0;
  double high = 0.0;
  std::string figure;
  std::string units;
  stats::Interval effect; // paired difference high − low across replications
  int rank = 0;           // among the parameters, for this figure: 1 = the largest |effect|
  bool clear = false;     // the interval excludes 0 by more than rounding (PairedDifference::significant)
};

struct SensitivityTable {
  double confidence = kConfidence;
  std::vector<SensitivityEffect> rows; // parameter by parameter, each with every figure in headline order
};

// 1-based ranks by |effect|, largest first; equal magnitudes keep their order,
// and NaN effects rank last.
std::vector<int> rank_by_magnitude(std::span<const double> effects);

// The table from each parameter's comparison of its low run (base) with its
// high run (variant): division rows only, ranked per figure.
SensitivityTable tabulate(std::span<const model::SensitivityParameter> parameters,
                          std::span<const Comparison> comparisons);

// Runs both ends of every parameter, summarises and compares them, and
// tabulates. `progress` counts replications over all 2 × parameters runs.
SensitivityTable screen(std::span<const ScreenedParameter> parameters, const Workers& workers,
                        const ProgressCallback& progress = {});

} // namespace caseload::app
