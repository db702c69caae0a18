#pragma once
// One replication of a scenario: the event loop over the model state.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"
#include "caseload/model/state.hpp"
#include "caseload/policy/allocation.hpp"
#include "caseload/sim/event_queue.hpp"
#include "caseload/sim/random.hpp"
#include "caseload/sim/time_average.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace caseload::model {

// Purposes of random streams (DESIGN.md §5). Each (seed, replication, purpose,
// index) has its own stream, so e.g. staffing never shifts the arrivals.
enum class StreamPurpose : std::uint32_t {
  arrivals = 1,
  durations = 2,
  risk = 3,
  staffing = 4,
  sickness = 5,
  victims = 6,
  policy = 7,
  initial_state = 8,
};

sim::StreamKey stream_key(std::uint64_t seed, std::uint32_t replication, StreamPurpose purpose,
                          std::uint32_t index);

class Simulation {
public:
  Simulation(const Scenario& scenario, std::uint32_t replication);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs to the horizon and returns what was recorded.
  ReplicationResult run();

  // Read access for tests and observers.
  [[nodiscard]] std::span<const Officer> officers() const { return officers_; }
  [[nodiscard]] std::size_t unallocated(std::size_t ldu) const { return queues_[ldu].size(); }

private:
  enum EventKind : std::uint32_t { kArrival, kRelease, kCaseEnd, kSnapshot, kWarmupEnd };

  void build_staff();
  void seed_initial_state();
  void schedule_next_arrival(std::uint32_t stream, double now);

  std::uint32_t new_case(std::uint16_t ldu, CaseType type, int tier, double now);
  void on_arrival(std::uint32_t stream, double now);
  void on_release(std::uint32_t id, double now);
  void on_case_end(std::uint32_t id, double now);
  void on_snapshot(double now);
  void on_warmup_end(double now);

  // Allocates the case now, or puts it in its LDU's unallocated queue; true if placed.
  bool place_or_queue(std::uint32_t id, double now);
  // Tries to allocate the case now; true if it was placed.
  bool try_allocate(std::uint32_t id, double now);
  void hold(std::uint32_t id, std::uint32_t officer, double now);
  void change_points(std::uint32_t officer, std::int32_t delta, double now);
  void serve_queue(std::uint32_t ldu, double now);

  const Scenario& scenario_;
  std::uint32_t replication_;

  sim::EventQueue events_;
  std::vector<Officer> officers_;
  std::vector<LduRoster> rosters_;
  std::vector<Case> cases_;
  std::vector<std::uint32_t> free_cases_;
  std::vector<std::vector<std::uint32_t>> queues_; // unallocated cases per LDU, FIFO
  std::unique_ptr<policy::AllocationPolicy> policy_;

  std::vector<sim::Engine> arrival_streams_;  // per (LDU, case type)
  std::vector<sim::Engine> duration_streams_; // per (LDU, case type)
  std::vector<double> arrival_rate_per_day_;  // per (LDU, case type)

  std::vector<FlowSummary> flows_;
  std::vector<sim::TimeAverage> held_, waiting_; // per LDU
  bool in_window_ = true;
  Snapshots snapshots_;
  std::vector<double> scratch_;
};

} // namespace caseload::model
