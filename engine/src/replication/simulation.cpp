#include "caseload/replication/simulation.hpp"

#include <cassert>
#include <vector>

namespace caseload::replication {

Simulation::Simulation(const Scenario& scenario, std::uint32_t replication, Partition partition)
    : state_(scenario, replication, partition), cases_(state_), work_(state_), workforce_(state_), recorder_(state_) {
  cases_.connect(work_);
  work_.connect(cases_);
  workforce_.connect(cases_, work_);
  workforce_.build_staff(); // tells the policy of each officer as they join
}

ReplicationResult Simulation::run() {
  const Scenario& scenario = state_.scenario;
  const double warmup = scenario.warmup_days;
  cases_.reserve();
  work_.reserve();
  recorder_.reserve();
  cases_.seed_initial_state();
  cases_.schedule_first_arrivals();
  work_.schedule_first_court_reports();
  for (std::uint32_t i = 0; i < scenario.interventions.size(); ++i)
    state_.events.push_shared(scenario.interventions[i].at_day, kIntervention, i);
  if (warmup > 0.0) state_.events.push_shared(warmup, kWarmupEnd, 0);
  state_.events.push_shared(warmup, kSnapshot, 0);

  // Each part runs up to the next shared moment, or to the end of a block of
  // kBlockDays, before the next part runs (sim/parted_event_queue.hpp).
  sim::PartedEventQueue& events = state_.events;
  const double horizon = scenario.horizon_days;
  auto run = [&](const sim::Event& e) {
    pending_sum_ += events.size();
    ++processed_;
    dispatch(e);
  };
  for (double from = 0.0;;) {
    const double shared = events.next_shared_time();
    const double until = std::min({shared, from + kBlockDays, horizon});
    const bool last = until == horizon && shared > horizon;
    for (std::uint32_t p = 0; p < events.part_count(); ++p) events.run_part(p, until, run);
    if (last) break;
    if (shared == until) events.run_shared(run);
    from = until;
  }
  ReplicationResult result = recorder_.finish(state_, processed_, workforce_.state_bytes());
  if (processed_ > 0)
    result.mean_pending_events = static_cast<double>(pending_sum_) / static_cast<double>(processed_);
  return result;
}

void Simulation::dispatch(const sim::Event& e) {
  switch (e.kind) {
  case kArrival: cases_.on_arrival(e.id, e.time); break;
  case kRelease: cases_.on_release(e.id, e.time); break;
  case kCaseEnd: cases_.on_case_end(e.id, e.time); break;
  case kWarmupEnd: cases_.on_warmup_end(e.time); break;
  case kStepDown: cases_.on_step_down(e.id, e.time); break;
  case kReportPointsEnd: work_.on_report_points_end(e.id, e.time); break;
  case kSnapshot: {
    const double next = recorder_.on_snapshot(e.time);
    if (next <= state_.scenario.horizon_days) state_.events.push_shared(next, kSnapshot, 0);
    break;
  }
  case kCourtReport: work_.on_court_report(e.id, e.time); break;
  case kTaskDone: work_.on_task_done(e.id, e.time); break;
  case kRiskChange: work_.on_risk_change(e.id, e.time); break;
  case kParoleReport: work_.on_parole_report(e.id, e.time); break;
  case kVictimOptOut: work_.on_victim_opt_out(e.id, e.time); break;
  case kStaffStep: workforce_.on_staff_step(e.id, e.time); break;
  case kLeave: workforce_.on_leave(e.id, e.time); break;
  case kHire: workforce_.on_hire(e.id, e.time); break;
  case kAbsenceStart: workforce_.on_absence_start(e.id, e.time); break;
  case kAbsenceEnd: workforce_.on_absence_end(e.id, e.time); break;
  case kReallocateAbsent: workforce_.on_reallocate_absent(e.id, e.time); break;
  case kIntervention: on_intervention(e.id, e.time); break;
  default: assert(false && "unknown event kind");
  }
}

void Simulation::on_intervention(std::uint32_t index, double now) {
  const Intervention& in = state_.scenario.interventions[index];
  std::vector<std::uint32_t> ldus;
  if (in.ldu) ldus.push_back(static_cast<std::uint32_t>(*in.ldu));
  else
    for (std::uint32_t l = 0; l < state_.ldu_count(); ++l) ldus.push_back(l);
  for (std::uint32_t l : ldus) {
    for (int g = 0; g < kGradeCount; ++g) workforce_.change_staff(l, Grade(g), in, now);
    if (in.demand_factor) cases_.set_demand(l, *in.demand_factor, now);
  }
  if (in.policy || in.cap_percent || in.overflow) cases_.change_allocation(in, index, now);
}

} // namespace caseload::replication
