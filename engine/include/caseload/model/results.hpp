#pragma once
// What one replication produces: weekly snapshots and flow statistics.

#include "caseload/metrics/imbalance.hpp"
#include "caseload/model/domain.hpp"

#include <cstdint>
#include <vector>

namespace caseload::model {

// Flows and exact time averages over the statistics window [warm-up, horizon],
// plus whole-run totals for the conservation check.
struct FlowSummary {
  // window
  std::int64_t arrivals = 0;
  std::int64_t allocations = 0; // of cases that arrived in the window
  std::int64_t closures = 0;
  std::int64_t waited = 0;      // window arrivals not allocated on arrival
  double total_wait_days = 0.0; // over window arrivals since allocated
  double mean_held = 0.0;       // time-averaged cases held by officers
  double mean_waiting = 0.0;    // time-averaged unallocated cases
  // whole run
  std::int64_t initial_cases = 0;
  std::int64_t total_arrivals = 0;
  std::int64_t total_closures = 0;
  std::int64_t held_at_end = 0;
  std::int64_t waiting_at_end = 0;

  [[nodiscard]] double mean_wait_days() const {
    return allocations > 0 ? total_wait_days / static_cast<double>(allocations) : 0.0;
  }
  [[nodiscard]] double share_waited() const {
    return arrivals > 0 ? static_cast<double>(waited) / static_cast<double>(arrivals) : 0.0;
  }
  FlowSummary& operator+=(const FlowSummary& o);
};

// Figures per (LDU, grade) cell; arrays laid out [snapshot][ldu][grade].
struct GroupSeries {
  std::vector<std::int32_t> officers, cases, points;
  std::vector<double> mean, median, p90, max, share_over_100, share_over_110, share_over_120;
  void append(const metrics::Spread& s, std::int32_t cases_held, std::int32_t points_held);
};

struct ImbalanceSeries {
  std::vector<double> gini, cv, max_over_median, share_over_100, share_over_110;
  void append(const metrics::Imbalance& m);
};

struct Snapshots {
  std::vector<double> time_days;
  // [snapshot][officer]; capacity is NaN for staff who hold no caseload
  std::vector<std::int32_t> officer_cases;
  std::vector<std::int32_t> officer_points;
  std::vector<double> officer_capacity_percent;
  std::vector<std::int32_t> unallocated; // [snapshot][ldu]
  GroupSeries ldu_grade;                 // [snapshot][ldu][grade]
  ImbalanceSeries division;              // [snapshot]
  ImbalanceSeries ldu;                   // [snapshot][ldu]
  [[nodiscard]] std::size_t count() const { return time_days.size(); }
};

struct OfficerInfo {
  std::uint32_t ldu = 0;
  Grade grade = Grade::PO;
  double contracted_hours = 0.0;
  double available_points = 0.0;
};

struct ReplicationResult {
  std::vector<OfficerInfo> officers;
  Snapshots snapshots;
  std::vector<FlowSummary> ldu_flows;
  FlowSummary division_flow;
  std::uint64_t events = 0;
};

} // namespace caseload::model
