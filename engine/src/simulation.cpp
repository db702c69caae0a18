#include "caseload/model/simulation.hpp"

#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <optional>

namespace caseload::model {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int draw_tier(const std::array<double, kTierCount>& mix, sim::Engine& engine) {
  return boost::random::discrete_distribution<int, double>(mix.begin(), mix.end())(engine);
}

std::uint32_t flow_index(std::uint32_t ldu, CaseType type) {
  return ldu * kCaseTypeCount + static_cast<std::uint32_t>(type);
}

} // namespace

sim::StreamKey stream_key(std::uint64_t seed, std::uint32_t replication, StreamPurpose purpose,
                          std::uint32_t index) {
  return {seed, replication, static_cast<std::uint32_t>(purpose), index};
}

Simulation::Simulation(const Scenario& scenario, std::uint32_t replication)
    : scenario_(scenario), replication_(replication) {
  const auto ldu_count = static_cast<std::uint32_t>(scenario.ldus.size());
  const std::uint32_t flow_count = ldu_count * kCaseTypeCount;
  auto streams = [&](StreamPurpose purpose, std::uint32_t n) {
    std::vector<sim::Engine> out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i)
      out.push_back(sim::make_stream(stream_key(scenario.seed, replication, purpose, i)));
    return out;
  };
  arrival_streams_ = streams(StreamPurpose::arrivals, flow_count);
  duration_streams_ = streams(StreamPurpose::durations, flow_count);
  policy_ = policy::make_policy(scenario.allocation, ldu_count,
                                streams(StreamPurpose::policy, ldu_count));

  arrival_rate_per_day_.resize(flow_count);
  for (std::uint32_t l = 0; l < ldu_count; ++l)
    for (int t = 0; t < kCaseTypeCount; ++t)
      arrival_rate_per_day_[flow_index(l, CaseType(t))] =
          scenario.ldus[l].arrivals_per_week[t] / 7.0;

  queues_.resize(ldu_count);
  flows_.resize(ldu_count);
  held_.resize(ldu_count);
  waiting_.resize(ldu_count);
  build_staff();
}

void Simulation::build_staff() {
  const WorkloadParameters& w = scenario_.workload;
  rosters_.resize(scenario_.ldus.size());
  for (std::uint32_t l = 0; l < scenario_.ldus.size(); ++l) {
    for (int g = 0; g < kGradeCount; ++g) {
      const StaffGroup& group = scenario_.ldus[l].staff[g];
      const Grade grade = Grade(g);
      // SPOs manage; VLOs hold victim cases, not WMT points.
      const bool holds_caseload = grade != Grade::SPO && grade != Grade::VLO;
      const double available =
          holds_caseload ? w.available_points(group.contracted_hours,
                                              group.contracted_hours * group.reduction_percent / 100.0)
                         : 0.0;
      for (int i = 0; i < group.in_post; ++i) {
        rosters_[l].by_grade[g].push_back(static_cast<std::uint32_t>(officers_.size()));
        officers_.push_back(Officer{l, grade, group.contracted_hours, available, 0, 0});
      }
    }
  }
}

std::uint32_t Simulation::new_case(std::uint16_t ldu, CaseType type, int tier, double now) {
  std::uint32_t id;
  if (free_cases_.empty()) {
    id = static_cast<std::uint32_t>(cases_.size());
    cases_.emplace_back();
  } else {
    id = free_cases_.back();
    free_cases_.pop_back();
  }
  Case& c = cases_[id];
  c = Case{};
  c.arrived = now;
  c.ldu = ldu;
  c.type = type;
  c.tier = static_cast<std::uint8_t>(tier);
  return id;
}

void Simulation::seed_initial_state() {
  if (scenario_.initial_state != InitialState::steady_state) return;
  // In steady state each phase of an M/G/inf flow holds a Poisson number of
  // cases with mean (arrival rate × mean phase duration), each with an
  // equilibrium residual duration. A flow that `becomes` another type (custody
  // → licence) also populates the later phases, keeping the tier drawn from
  // its own mix, as released cases do.
  for (std::uint32_t l = 0; l < scenario_.ldus.size(); ++l) {
    for (int source = 0; source < kCaseTypeCount; ++source) {
      const std::uint32_t flow = flow_index(l, CaseType(source));
      const double rate = arrival_rate_per_day_[flow];
      if (rate <= 0.0) continue;
      const auto& tier_mix = scenario_.case_types[source].tier_mix;
      sim::Engine engine = sim::make_stream(
          stream_key(scenario_.seed, replication_, StreamPurpose::initial_state, flow));
      for (std::optional<CaseType> phase = CaseType(source); phase;
           phase = scenario_.case_types[static_cast<int>(*phase)].becomes) {
        const CaseTypeParameters& type = scenario_.case_types[static_cast<int>(*phase)];
        const auto n =
            boost::random::poisson_distribution<std::int64_t, double>(rate * type.duration.mean())(engine);
        for (std::int64_t i = 0; i < n; ++i) {
          const std::uint32_t id =
              new_case(static_cast<std::uint16_t>(l), *phase, draw_tier(tier_mix, engine), 0.0);
          Case& c = cases_[id];
          c.phase_days = type.duration.sample_residual(engine);
          if (type.becomes)
            c.next_phase_days =
                scenario_.case_types[static_cast<int>(*type.becomes)].duration.sample(engine);
          ++flows_[l].initial_cases;
          place_or_queue(id, 0.0);
        }
      }
    }
  }
}

ReplicationResult Simulation::run() {
  const double horizon = scenario_.horizon_days;
  const double warmup = scenario_.warmup_days;
  in_window_ = warmup <= 0.0;
  seed_initial_state();
  for (std::uint32_t f = 0; f < arrival_rate_per_day_.size(); ++f)
    if (arrival_rate_per_day_[f] > 0.0) schedule_next_arrival(f, 0.0);
  if (warmup > 0.0) events_.push(warmup, kWarmupEnd, 0);
  events_.push(warmup, kSnapshot, 0);

  std::uint64_t processed = 0;
  while (!events_.empty() && events_.top().time <= horizon) {
    const sim::Event e = events_.pop();
    ++processed;
    switch (e.kind) {
    case kArrival: on_arrival(e.id, e.time); break;
    case kRelease: on_release(e.id, e.time); break;
    case kCaseEnd: on_case_end(e.id, e.time); break;
    case kSnapshot: on_snapshot(e.time); break;
    case kWarmupEnd: on_warmup_end(e.time); break;
    default: assert(false && "unknown event kind");
    }
  }

  ReplicationResult result;
  result.events = processed;
  result.officers.reserve(officers_.size());
  for (const Officer& o : officers_)
    result.officers.push_back(OfficerInfo{o.ldu, o.grade, o.contracted_hours, o.available_points});
  for (std::uint32_t l = 0; l < flows_.size(); ++l) {
    FlowSummary& f = flows_[l];
    f.mean_held = held_[l].mean(horizon);
    f.mean_waiting = waiting_[l].mean(horizon);
    f.held_at_end = static_cast<std::int64_t>(std::llround(held_[l].value()));
    f.waiting_at_end = static_cast<std::int64_t>(queues_[l].size());
    result.division_flow += f;
  }
  result.ldu_flows = flows_;
  result.snapshots = std::move(snapshots_);
  return result;
}

void Simulation::schedule_next_arrival(std::uint32_t stream, double now) {
  const double gap = boost::random::exponential_distribution<double>(arrival_rate_per_day_[stream])(
      arrival_streams_[stream]);
  events_.push(now + gap, kArrival, stream);
}

void Simulation::on_arrival(std::uint32_t stream, double now) {
  const auto ldu = static_cast<std::uint16_t>(stream / kCaseTypeCount);
  const auto type = CaseType(stream % kCaseTypeCount);
  const CaseTypeParameters& params = scenario_.case_types[static_cast<int>(type)];
  const int tier = draw_tier(params.tier_mix, arrival_streams_[stream]);
  schedule_next_arrival(stream, now);

  const std::uint32_t id = new_case(ldu, type, tier, now);
  Case& c = cases_[id];
  c.in_window = in_window_;
  // Durations are drawn at arrival, in arrival order, so they never depend on
  // how or when the case is allocated (common random numbers).
  sim::Engine& durations = duration_streams_[stream];
  c.phase_days = params.duration.sample(durations);
  if (params.becomes)
    c.next_phase_days =
        scenario_.case_types[static_cast<int>(*params.becomes)].duration.sample(durations);
  FlowSummary& flow = flows_[ldu];
  ++flow.total_arrivals;
  if (in_window_) ++flow.arrivals;
  if (!place_or_queue(id, now) && in_window_) ++flow.waited;
}

bool Simulation::place_or_queue(std::uint32_t id, double now) {
  if (try_allocate(id, now)) return true;
  const std::uint16_t ldu = cases_[id].ldu;
  queues_[ldu].push_back(id);
  waiting_[ldu].add(now, 1.0);
  return false;
}

bool Simulation::try_allocate(std::uint32_t id, double now) {
  const Case& c = cases_[id];
  const policy::AllocationRequest request{c.ldu, protect_level(c.tier),
                                          scenario_.workload.points(c.type, c.tier)};
  const std::uint32_t officer =
      policy_->choose(request, policy::AllocationView{officers_, rosters_[c.ldu]});
  if (officer == kNoOfficer) return false;
  hold(id, officer, now);
  return true;
}

void Simulation::hold(std::uint32_t id, std::uint32_t officer, double now) {
  Case& c = cases_[id];
  assert(c.officer == kNoOfficer);
  c.officer = officer;
  Officer& o = officers_[officer];
  o.points += scenario_.workload.points(c.type, c.tier);
  ++o.cases;
  held_[c.ldu].add(now, 1.0);
  if (c.in_window) {
    FlowSummary& flow = flows_[c.ldu];
    ++flow.allocations;
    flow.total_wait_days += now - c.arrived;
  }
  const bool has_next_phase = scenario_.case_types[static_cast<int>(c.type)].becomes.has_value();
  events_.push(now + c.phase_days, has_next_phase ? kRelease : kCaseEnd, id);
}

void Simulation::change_points(std::uint32_t officer, std::int32_t delta, double now) {
  officers_[officer].points += delta;
  if (delta < 0 && policy_->queues_on_load()) serve_queue(officers_[officer].ldu, now);
}

void Simulation::on_release(std::uint32_t id, double now) {
  // Custody becomes licence and stays with the same officer (continuity).
  Case& c = cases_[id];
  const CaseType next = *scenario_.case_types[static_cast<int>(c.type)].becomes;
  const WorkloadParameters& w = scenario_.workload;
  const std::int32_t delta = w.points(next, c.tier) - w.points(c.type, c.tier);
  c.type = next;
  c.phase_days = c.next_phase_days;
  const bool has_next_phase = scenario_.case_types[static_cast<int>(next)].becomes.has_value();
  events_.push(now + c.phase_days, has_next_phase ? kRelease : kCaseEnd, id);
  change_points(c.officer, delta, now);
}

void Simulation::on_case_end(std::uint32_t id, double now) {
  Case& c = cases_[id];
  Officer& o = officers_[c.officer];
  --o.cases;
  held_[c.ldu].add(now, -1.0);
  FlowSummary& flow = flows_[c.ldu];
  ++flow.total_closures;
  if (in_window_) ++flow.closures;
  const std::uint32_t officer = c.officer;
  const std::int32_t points = scenario_.workload.points(c.type, c.tier);
  c.officer = kNoOfficer;
  free_cases_.push_back(id);
  change_points(officer, -points, now);
}

void Simulation::serve_queue(std::uint32_t ldu, double now) {
  std::vector<std::uint32_t>& queue = queues_[ldu];
  if (queue.empty()) return;
  // FIFO: the earliest case that some eligible officer can now take goes
  // first. Once a protect level has found nobody, its later cases cannot
  // either, so they are skipped; the scan stops when every level has failed.
  std::array<bool, kProtectLevelCount> blocked{};
  int blocked_count = 0;
  std::size_t kept = 0;
  std::size_t i = 0;
  for (; i < queue.size() && blocked_count < kProtectLevelCount; ++i) {
    const std::uint32_t id = queue[i];
    const int level = protect_level(cases_[id].tier);
    if (!blocked[level] && try_allocate(id, now)) {
      waiting_[ldu].add(now, -1.0);
      continue;
    }
    if (!blocked[level]) {
      blocked[level] = true;
      ++blocked_count;
    }
    queue[kept++] = id;
  }
  for (; i < queue.size(); ++i) queue[kept++] = queue[i];
  queue.resize(kept);
}

void Simulation::on_warmup_end(double now) {
  in_window_ = true;
  for (std::size_t l = 0; l < flows_.size(); ++l) {
    held_[l].restart(now);
    waiting_[l].restart(now);
  }
}

void Simulation::on_snapshot(double now) {
  Snapshots& s = snapshots_;
  s.time_days.push_back(now);
  for (const Officer& o : officers_) {
    s.officer_cases.push_back(o.cases);
    s.officer_points.push_back(o.points);
    s.officer_capacity_percent.push_back(o.holds_caseload() ? o.capacity_percent() : kNaN);
  }
  std::vector<double>& values = scratch_;
  auto add_capacities = [&](std::span<const std::uint32_t> ids) {
    for (std::uint32_t o : ids)
      if (officers_[o].holds_caseload()) values.push_back(officers_[o].capacity_percent());
  };
  for (std::uint32_t l = 0; l < rosters_.size(); ++l) {
    s.unallocated.push_back(static_cast<std::int32_t>(queues_[l].size()));
    for (const auto& ids : rosters_[l].by_grade) {
      std::int32_t cases = 0, points = 0;
      for (std::uint32_t o : ids) {
        cases += officers_[o].cases;
        points += officers_[o].points;
      }
      values.clear();
      add_capacities(ids);
      s.ldu_grade.append(metrics::spread(values), cases, points);
    }
    values.clear();
    for (const auto& ids : rosters_[l].by_grade) add_capacities(ids);
    s.ldu.append(metrics::imbalance(values));
  }
  values.clear();
  for (const Officer& o : officers_)
    if (o.holds_caseload()) values.push_back(o.capacity_percent());
  s.division.append(metrics::imbalance(values));

  const double next = now + scenario_.snapshot_every_days;
  if (next <= scenario_.horizon_days) events_.push(next, kSnapshot, 0);
}

} // namespace caseload::model
