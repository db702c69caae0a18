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
  return *this;
}

void GroupSeries::append(const metrics::Spread& s, std::int32_t cases_held,
                         std::int32_t points_held) {
  officers.push_back(s.officers);
  cases.push_back(cases_held);
  points.push_back(points_held);
  mean.push_back(s.mean);
  median.push_back(s.median);
  p90.push_back(s.p90);
  max.push_back(s.max);
  share_over_100.push_back(s.share_over_100);
  share_over_110.push_back(s.share_over_110);
  share_over_120.push_back(s.share_over_120);
}

void ImbalanceSeries::append(const metrics::Imbalance& m) {
  gini.push_back(m.gini);
  cv.push_back(m.cv);
  max_over_median.push_back(m.max_over_median);
  share_over_100.push_back(m.share_over_100);
  share_over_110.push_back(m.share_over_110);
}

} // namespace caseload::model
