#include "caseload/model/results.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

void TaskTally::count(const Task& t) {
  TaskSummary& ts = bucket(t).summary;
  const bool done = t.completed >= 0.0;
  ++ts.total_created;
  if (done) ++ts.total_completed;
  else ++ts.open_at_end;
  if (!t.in_window) return;
  ++ts.created;
  if (done) ++ts.completed;
  if (t.deadline <= horizon_) {
    ++ts.due;
    if (done && t.completed <= t.deadline) ++ts.on_time;
  }
}

void TaskTally::note_peak() {
  // A pending entry, and a held task's place in the hash table (about four words).
  peak_bytes_ = std::max(peak_bytes_, pending_ * sizeof(double) + held_.size() * 4 * sizeof(void*));
}

void TaskTally::add_days(Bucket& b, double days) {
  if (b.pending.empty()) {
    if (days >= 0.0) b.summary.total_days += days;
    return;
  }
  b.pending.push_back(days); // after a held task's
  ++pending_;
  note_peak();
}

void TaskTally::drain(Bucket& b) {
  while (!b.pending.empty() && !std::isnan(b.pending.front())) {
    if (b.pending.front() >= 0.0) b.summary.total_days += b.pending.front();
    b.pending.pop_front();
    ++b.popped;
    --pending_;
  }
}

void TaskTally::settle(const Task& t) {
  count(t);
  if (t.in_window) add_days(bucket(t), t.completed >= 0.0 ? t.completed - t.created : -1.0);
}

void TaskTally::hold(std::uint32_t id, const Task& t) {
  if (!t.in_window) return; // adds no days: counted once settled
  Bucket& b = bucket(t);
  held_.emplace(id, b.popped + b.pending.size());
  b.pending.push_back(std::numeric_limits<double>::quiet_NaN());
  ++pending_;
  note_peak();
}

void TaskTally::settle_held(std::uint32_t id, const Task& t) {
  count(t);
  if (!t.in_window) return;
  const auto it = held_.find(id);
  Bucket& b = bucket(t);
  b.pending[it->second - b.popped] = t.completed >= 0.0 ? t.completed - t.created : -1.0;
  held_.erase(it);
  drain(b);
}

std::vector<std::array<TaskSummary, kTaskKindCount>> TaskTally::summary() const {
  std::vector<std::array<TaskSummary, kTaskKindCount>> out(buckets_.size());
  for (std::size_t l = 0; l < buckets_.size(); ++l)
    for (int k = 0; k < kTaskKindCount; ++k) out[l][k] = buckets_[l][k].summary;
  return out;
}

void CellTotals::add(const CellTotals& o) {
  cases += o.cases;
  points += o.points;
  in_post += o.in_post;
  case_holders += o.case_holders;
  establishment += o.establishment;
  excessive += o.excessive;
  victim_cases += o.victim_cases;
  hours_demanded += o.hours_demanded;
  backlog_hours += o.backlog_hours;
  capacity.insert(capacity.end(), o.capacity.begin(), o.capacity.end());
  theil += o.theil;
}

void CellTotals::append_to(GroupSeries& g) {
  const stats::Spread sp = stats::spread(capacity);
  g.officers.push_back(sp.n);
  g.cases.push_back(cases);
  g.points.push_back(points);
  g.in_post.push_back(in_post);
  g.case_holders.push_back(case_holders);
  g.establishment.push_back(establishment);
  g.excessive.push_back(excessive);
  g.victim_cases.push_back(victim_cases);
  g.mean.push_back(sp.mean);
  g.median.push_back(sp.median);
  g.p90.push_back(sp.p90);
  g.max.push_back(sp.max);
  g.share_over_100.push_back(sp.share_over_100);
  g.share_over_110.push_back(sp.share_over_110);
  g.share_over_120.push_back(sp.share_over_120);
  g.hours_demanded.push_back(in_post > 0 ? hours_demanded / in_post
                                         : std::numeric_limits<double>::quiet_NaN());
  g.backlog_hours.push_back(backlog_hours);
}

void ImbalanceSeries::append(const stats::Imbalance& m, const stats::TheilParts& by_ldu,
                             const stats::TheilParts& by_grade, std::int32_t excessive_officers) {
  gini.push_back(m.gini);
  cv.push_back(m.cv);
  max_over_median.push_back(m.max_over_median);
  share_over_100.push_back(m.share_over_100);
  share_over_110.push_back(m.share_over_110);
  theil.push_back(by_grade.total);
  theil_between_ldu.push_back(by_ldu.between);
  theil_within_ldu.push_back(by_ldu.within);
  theil_between_grade.push_back(by_grade.between);
  theil_within_grade.push_back(by_grade.within);
  excessive.push_back(excessive_officers);
}

} // namespace caseload::model
