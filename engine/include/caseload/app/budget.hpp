#pragma once
// What a run will take, worked out from the scenario before it starts
// (issue 12): events, peak memory and output size, so that a scenario that
// is valid but would exhaust the machine or never end is refused at once,
// not after hours. Orders of magnitude, from the expected flows (Little's
// law for cases held) and the sizes of the records the engine keeps; the
// figures in docs/model.md §17.7 compare them with measured runs.

#include "caseload/model/scenario.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace caseload::app {

struct RunEstimate {
  double cases_held = 0.0;      // expected open cases at the busiest (day 0 or the end)
  double cases_created = 0.0;   // day-0 caseload plus arrivals, per replication
  double officers = 0.0;        // officer records over a replication (in post and joiners)
  double snapshots = 0.0;
  double tasks = 0.0;           // task records per replication
  double events = 0.0;          // per replication
  double result_bytes = 0.0;    // one replication's records and series, as the file holds them
  double memory_bytes = 0.0;    // peak, the whole run
  double output_bytes = 0.0;    // the results file, uncompressed
  double compressed_output_bytes = 0.0; // ... with the default deflate level
};

// `threads`: replications simulated (and held) at once.
RunEstimate estimate_run(const model::Scenario& scenario, int replications, int threads);

struct RunLimits {
  double max_events = 0.0;       // per replication
  double max_memory_bytes = 0.0;
  double max_output_bytes = 0.0; // 0: no limit
  bool compressed = true;        // the output is deflated (--compress > 0)
};

// What exceeds a limit, in words with the estimate and the limit; none if the run fits.
std::optional<std::string> over_limits(const RunEstimate& estimate, const RunLimits& limits);

// "1.2 GB", "35 MB", "3.4e+09" events: for messages.
std::string describe_bytes(double bytes);

} // namespace caseload::app
