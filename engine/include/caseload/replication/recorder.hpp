#pragma once
// What a replication records: weekly snapshots of every officer, of each
// LDU × grade cell and of the imbalance between them, then at the end the
// flow and timeliness summaries; the task and victim records go to the
// state's sink as they become final.

#include "caseload/model/results.hpp"
#include "caseload/replication/shared_state.hpp"

#include <cstdint>
#include <vector>

namespace caseload::replication {

class Recorder {
public:
  explicit Recorder(const SharedState& state) : s_(state) {}

  // Sizes the snapshot series for the officers in post now.
  void reserve();
  // Simulation::set_keep_officer_series.
  void set_keep_officer_series(bool keep) { keep_officer_series_ = keep; }
  // Takes a snapshot now; returns when the next one is due (past the horizon: none).
  double on_snapshot(double now);
  // Everything recorded, with the run's totals; the task and victim records
  // still held go to the state's sink. `other_state_bytes`: the components'
  // own state, for the memory diagnostic.
  ReplicationResult finish(SharedState& state, std::uint64_t events_processed, std::uint64_t other_state_bytes);

private:
  // `whole_row`: every column, else only those the cells sum (hours demanded, backlog).
  void record_officers(OfficerSeries& into, bool whole_row);
  // Each officer row goes (to the sink, if it takes them) once its cells are made, and is not held.
  [[nodiscard]] bool hands_on_officer_rows() const;
  [[nodiscard]] bool sink_takes_officer_rows() const;
  void reserve_officer_series();

  const SharedState& s_;
  Snapshots snapshots_;
  std::vector<std::size_t> snapshot_officers_; // officers who had joined by each snapshot
  std::size_t expected_snapshots_ = 0;
  bool keep_officer_series_ = true;
  std::vector<double> over_110_days_;          // per officer: the current run of snapshots above 110%
  std::vector<double> scratch_, scratch_all_;  // capacity % of one LDU, of the division
  std::vector<double> scratch_merge_;          // the division's, while its LDUs' runs are merged
  std::vector<std::size_t> scratch_ends_;      // where each LDU's run ends in scratch_all_
};

} // namespace caseload::replication
