#include "caseload/model/results.hpp"

namespace caseload::model {

FlowSummary& FlowSummary::operator+=(const FlowSummary& o) {
  arrivals += o.arrivals;
  allocations += o.allocations;
  closures += o.closures;
  waited += o.waited;
  total_wait_days += o.total_wait_days;
  mean_held += o.mean_held;
  mean_waiting += o.mean_waiting;
  initial_cases += o.initial_cases;
  total_arrivals += o.total_arrivals;
  total_closures += o.total_closures;
  held_at_end += o.held_at_end;
  waiting_at_end += o.waiting_at_end;
  overflow_allocations += o.overflow_allocations;
  for (int i = 0; i < kReallocationCauseCount; ++i) reallocations[i] += o.reallocations[i];
  closed_reallocated += o.closed_reallocated;
  escalations += o.escalations;
  deescalations += o.deescalations;
  victim_cases += o.victim_cases;
  return *this;
}

TaskSummary& TaskSummary::operator+=(const TaskSummary& o) {
  created += o.created;
  completed += o.completed;
  due += o.due;
  on_time += o.on_time;
  total_days += o.total_days;
  open_at_end += o.open_at_end;
  total_created += o.total_created;
  total_completed += o.total_completed;
  return *this;
}

} // namespace caseload::model
