#pragma once
// The headline figures of a replication, one row per LDU and one for the
// division: flows, waits, reallocations, capacity by grade, imbalance and
// timeliness. The HDF5 summary table and the terminal summary both use them.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <string>
#include <vector>

namespace caseload::metrics {

struct Figure {
  std::string name;
  std::string units;
  double value = 0.0;
  bool integer = false; // a count, stored as an integer
};

// ldu < 0 gives the division row. Figures from snapshots are averages over
// the weekly snapshots of the statistics window; NaN where undefined (e.g. no
// officers of a grade).
std::vector<Figure> headline_figures(const model::Scenario& scenario,
                                     const model::ReplicationResult& result, int ldu);

} // namespace caseload::metrics
