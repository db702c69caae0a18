#pragma once
// Cases from arrival to end: arrivals per (LDU, case type), the day-0
// caseload, allocation through the policy (with overflow to neighbours and
// the unallocated queue), phases (custody becomes licence with the same
// officer), reallocation, and changes of demand and policy.

#include "caseload/replication/shared_state.hpp"

#include <boost/random/discrete_distribution.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace caseload::replication {

class TaskWork;

class CaseFlow {
public:
  explicit CaseFlow(SharedState& state);
  void connect(TaskWork& work) { work_ = &work; }

  // Sizes the case array from the expected stock, so the run does not copy it as it grows.
  void reserve();
  // The day-0 caseload (at steady state, or the snapshot's), then the first arrival of every flow.
  void seed_initial_state();
  void schedule_first_arrivals();

  void on_arrival(std::uint32_t flow, double now);
  void on_release(std::uint32_t id, double now);
  void on_case_end(std::uint32_t id, double now);
  void on_warmup_end(double now);

  // Allocates the case, or puts it at the back of its LDU's queue; true if allocated.
  bool place_or_queue(std::uint32_t id, double now);
  // The case leaves its officer and is placed again.
  void reallocate(std::uint32_t id, ReallocationCause cause, double now);
  // At `at`, the case moves to a more preferred grade for its protect level if
  // the policy finds such an officer with room (after a de-escalation review).
  void schedule_step_down(std::uint32_t id, double at);
  void on_step_down(std::uint32_t id, double now);
  // The case's tier changed from `before` (a waiting case keeps its place in the queue).
  void tier_changed(std::uint32_t id, int before);
  // The officer's points change by delta (a tier or case type changed).
  void change_points(std::uint32_t officer, std::int32_t delta, double now);
  // Offers the LDU's waiting cases (and, with overflow, its neighbours') to officers with room.
  void serve_queues_near(std::uint32_t ldu, double now);
  void serve_all_queues(double now);
  // Scales the LDU's arrivals from now on (pending arrivals are rescaled).
  void set_demand(std::uint32_t ldu, double factor, double now);
  // A new policy, cap or overflow setting from the intervention with this index.
  void change_allocation(const Intervention& change, std::uint32_t index, double now);

private:
  void seed_steady_state();
  void seed_snapshot(const InitialSnapshot& snapshot);
  std::uint32_t new_case(std::uint16_t ldu, CaseType type, int tier, double now);
  void schedule_next_arrival(std::uint32_t flow, double now);
  bool try_allocate(std::uint32_t id, double now);
  void hold(std::uint32_t id, std::uint32_t officer, double now);
  void release_from_officer(std::uint32_t id, double now);
  void schedule_phase_end(std::uint32_t id, double now);
  void serve_queue(std::uint32_t ldu, double now);

  SharedState& s_;
  TaskWork* work_ = nullptr;
  // The tier mix of each case type, built once (Boost's alias table is costly to set up).
  using TierDraw = boost::random::discrete_distribution<int, double>;
  std::array<TierDraw, kCaseTypeCount> tier_draws_;
  std::vector<sim::Engine> arrival_streams_;  // per flow
  std::vector<sim::Engine> duration_streams_; // per flow
  std::vector<double> arrival_rate_per_day_;  // per flow, before the demand factor
  std::vector<double> next_arrival_;          // per flow; -1 when none is pending
  std::vector<std::vector<std::uint32_t>> neighbour_of_; // per LDU: the LDUs that list it as a neighbour
};

} // namespace caseload::replication
