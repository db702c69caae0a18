#pragma once
// Replications of a scenario, run in parallel. Each replication has its own
// random streams, so the results do not depend on the number of threads.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <functional>
#include <vector>

namespace caseload::app {

// Called (from worker threads, serialised) after each replication finishes.
using ProgressCallback = std::function<void(int done, int total, const model::ReplicationResult&)>;

// threads <= 0 means one per hardware thread.
std::vector<model::ReplicationResult> run_replications(const model::Scenario& scenario, int replications,
                                                int threads, const ProgressCallback& progress = {});

} // namespace caseload::model
