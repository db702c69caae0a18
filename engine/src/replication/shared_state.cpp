#include "caseload/replication/shared_state.hpp"

#include <boost/random/exponential_distribution.hpp>

namespace caseload::replication {

sim::StreamKey stream_key(std::uint64_t seed, std::uint32_t replication, StreamPurpose purpose,
                          std::uint32_t index, std::uint32_t sub) {
  return {seed, replication, static_cast<std::uint32_t>(purpose), index, sub};
}

double next_gap(ArrivalProcess process, double rate_per_day, sim::Engine& engine) {
  if (process == ArrivalProcess::regular) return 1.0 / rate_per_day;
  return boost::random::exponential_distribution<double>(rate_per_day)(engine);
}

RiskRates risk_rates(const CaseTypeParameters& type, int tier) {
  const int level = protect_level(tier);
  return {level > 0 ? type.escalations_per_year[level] : 0.0,
          level < kProtectLevelCount - 1 ? type.deescalations_per_year[level] : 0.0};
}

std::vector<std::uint32_t> independent_parts(const Scenario& scenario) {
  const std::size_t n = scenario.ldus.size();
  std::vector<std::uint32_t> root(n);
  for (std::uint32_t l = 0; l < n; ++l) root[l] = l;
  auto find = [&](std::uint32_t l) {
    while (root[l] != l) l = root[l] = root[root[l]];
    return l;
  };
  auto join = [&](std::uint32_t l, std::uint32_t m) {
    const std::uint32_t a = find(l), b = find(m);
    root[std::max(a, b)] = std::min(a, b);
  };
  bool overflow = scenario.allocation.overflow;
  for (const Intervention& in : scenario.interventions) overflow = overflow || in.overflow.value_or(false);
  if (scenario.victims.pooled) {
    for (std::uint32_t l = 1; l < n; ++l) join(0, l);
  } else if (overflow) {
    for (std::uint32_t l = 0; l < n; ++l)
      for (int m : scenario.ldus[l].neighbours) join(l, static_cast<std::uint32_t>(m));
  }
  // A day-0 case that the staff and case files give to an officer of another
  // LDU stays with them (scenario-format.md): its events change that
  // officer's load, and the officer's tasks reach the case.
  if (scenario.snapshot)
    for (const SnapshotCase& c : scenario.snapshot->cases)
      if (c.officer)
        join(static_cast<std::uint32_t>(c.ldu),
             static_cast<std::uint32_t>(scenario.snapshot->officers[*c.officer].ldu));
  // Parts numbered in order of their first LDU.
  std::vector<std::uint32_t> part(n), number(n, sim::PartedEventQueue::kNoPart);
  std::uint32_t parts = 0;
  for (std::uint32_t l = 0; l < n; ++l) {
    const std::uint32_t r = find(l);
    if (number[r] == sim::PartedEventQueue::kNoPart) number[r] = parts++;
    part[l] = number[r];
  }
  return part;
}

SharedState::SharedState(const Scenario& scenario_, std::uint32_t replication_, Partition partition)
    : scenario(scenario_), replication(replication_),
      hours_per_point(scenario_.workload.default_contracted_hours / scenario_.workload.nominal_target_points),
      events(partition == Partition::whole ? std::vector<std::uint32_t>(scenario_.ldus.size(), 0)
                                           : independent_parts(scenario_)),
      in_window(scenario_.warmup_days <= 0.0), allocation(scenario_.allocation),
      task_tally(scenario_.ldus.size(), scenario_.horizon_days) {
  const std::size_t n = ldu_count();
  policy = policy::make_policy(allocation, n, streams(StreamPurpose::policy, static_cast<std::uint32_t>(n)));
  free_cases.resize(events.part_count());
  rosters.resize(n);
  establishment.resize(n);
  queues.resize(n);
  unassigned_tasks.resize(n);
  unassigned_victims.resize(n);
  demand_factor.assign(n, 1.0);
  flows.resize(n);
  held.resize(n);
  waiting.resize(n);
}

namespace {

bool task_final(const Task& t) { return t.completed >= 0.0; }
bool victim_final(const VictimCase& v) { return v.ended >= 0.0 && v.open_tasks == 0; }

// Where the records let go go: the timeliness summary, and the sink if any.
struct TaskOutlet {
  SharedState& s;
  void block(std::span<const Task> records, std::size_t first, bool settled) const {
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (settled || task_final(records[i])) s.task_tally.settle(records[i]);
      else s.task_tally.hold(static_cast<std::uint32_t>(first + i), records[i]);
    }
    if (s.record_sink != nullptr) s.record_sink->tasks(records);
  }
  void final(std::uint32_t id, const Task& t) const {
    s.task_tally.settle_held(id, t);
    if (s.record_sink != nullptr) s.record_sink->task_final(id, t);
  }
};

struct VictimOutlet {
  SharedState& s;
  void block(std::span<const VictimCase> records, std::size_t, bool) const {
    if (s.record_sink != nullptr) s.record_sink->victims(records);
  }
  void final(std::uint32_t id, const VictimCase& v) const {
    if (s.record_sink != nullptr) s.record_sink->victim_final(id, v);
  }
};

} // namespace

void SharedState::release_records(std::uint32_t task, std::uint32_t victim) {
  if (task != kNone) tasks.settle(task, task_final, TaskOutlet{*this});
  if (victim != kNone) victims.settle(victim, victim_final, VictimOutlet{*this});
  tasks.release(task_final, TaskOutlet{*this});
  victims.release(victim_final, VictimOutlet{*this});
}

void SharedState::release_all_records() {
  tasks.release_all(TaskOutlet{*this});
  victims.release_all(VictimOutlet{*this});
}

std::vector<sim::Engine> SharedState::streams(StreamPurpose purpose, std::uint32_t n) const {
  std::vector<sim::Engine> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) out.push_back(sim::make_stream(key(purpose, i)));
  return out;
}

} // namespace caseload::replication
