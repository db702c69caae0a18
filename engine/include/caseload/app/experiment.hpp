#pragma once
// Replications of a scenario, run in parallel. Each replication has its own
// random streams, so the results do not depend on the number of threads.

#include "caseload/app/run_summary.hpp"
#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <functional>
#include <span>
#include <vector>

namespace caseload::app {

// Called (from worker threads, serialised) after each replication finishes.
using ProgressCallback = std::function<void(int done, int total, const model::ReplicationResult&)>;

// threads <= 0 means one per hardware thread.
std::vector<model::ReplicationResult> run_replications(const model::Scenario& scenario, int replications,
                                                int threads, const ProgressCallback& progress = {});

// Called (from worker threads, serialised) with each finished replication,
// which is dropped when the call returns: a run that hands each result on
// (to a file, to its figures) holds at most one replication per thread,
// whatever the number of replications.
using ReplicationSink = std::function<void(int replication, model::ReplicationResult&& result)>;

// Runs the replications numbered in `which` (each with its own streams, so
// any subset gives the same results as in a whole run).
void for_each_replication(const model::Scenario& scenario, std::span<const int> which, int threads,
                          const ReplicationSink& sink);

// All the replications, keeping only their figures: the summary of a run,
// in the memory of one replication per thread.
RunSummary summarise_replications(const model::Scenario& scenario, int threads, double confidence = kConfidence,
                                  const ProgressCallback& progress = {});

} // namespace caseload::app
