#pragma once
// One replication of a scenario: the event loop, dispatching each event to
// the component that owns its concern (docs/architecture.md).

#include "caseload/replication/case_flow.hpp"
#include "caseload/replication/recorder.hpp"
#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"
#include "caseload/replication/shared_state.hpp"
#include "caseload/replication/task_work.hpp"
#include "caseload/replication/workforce.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>

namespace caseload::replication {

class Simulation {
public:
  Simulation(const Scenario& scenario, std::uint32_t replication, Partition partition = Partition::independent);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Where the task and victim records go as they become final (before run;
  // none: they are dropped once summarised).
  void set_record_sink(RecordSink* sink) { state_.record_sink = sink; }
  // Whether the result holds the officer series (before run; by default it
  // does, unless the sink takes them). A run that keeps only figures has no
  // use for them: each snapshot's row is then dropped once its cells are made.
  void set_keep_officer_series(bool keep) { recorder_.set_keep_officer_series(keep); }
  // Runs to the horizon and returns what was recorded.
  ReplicationResult run();

  // Read access for tests.
  [[nodiscard]] std::span<const Officer> officers() const { return state_.officers; }
  [[nodiscard]] std::span<const Case> cases() const { return state_.cases; }
  [[nodiscard]] bool case_is_open(std::uint32_t id) const {
    return std::none_of(state_.free_cases.begin(), state_.free_cases.end(), [&](const auto& free) {
      return std::find(free.begin(), free.end(), id) != free.end();
    });
  }
  // Hours a week after reductions; 0 while absent or gone.
  [[nodiscard]] double available_hours(std::uint32_t officer) const { return state_.lives[officer].available_hours; }

  // Days a part runs before the next part when no shared moment (a snapshot,
  // an intervention) comes sooner. Longer blocks reuse a part's officers,
  // queues and cases more before they leave the cache (10^6 case lifetimes:
  // 5.1 s with blocks of 2 days, 4.9 s of 7, 3.1 s of 28, 2.5 s of 91); the
  // task records of every part's last block are held meanwhile (the record
  // window keeps them from the oldest one still open), 57 bytes an open case
  // at 91 days as at 7. bench/README.md, "Parts and blocks".
  static constexpr double kBlockDays = 91.0;

private:
  void dispatch(const sim::Event& e);
  // Staff, demand and allocation changes at their day, across the LDUs named.
  void on_intervention(std::uint32_t index, double now);

  SharedState state_;
  CaseFlow cases_;
  TaskWork work_;
  Workforce workforce_;
  Recorder recorder_;
  std::uint64_t processed_ = 0;
  std::uint64_t pending_sum_ = 0; // events pending before each pop, summed
};

// A replication with every task and victim record kept in memory, in the
// result's `tasks` and `victims` (tests, and writing a whole file at once).
inline ReplicationResult run_keeping_records(const Scenario& scenario, std::uint32_t replication) {
  RecordCollector records;
  Simulation sim(scenario, replication);
  sim.set_record_sink(&records);
  ReplicationResult result = sim.run();
  result.tasks = std::move(records.task_records);
  result.victims = std::move(records.victim_records);
  return result;
}

} // namespace caseload::replication
