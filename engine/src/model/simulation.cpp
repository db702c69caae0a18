// Cases: arrivals, allocation, phases, ends; the event loop.

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


std::uint32_t flow_index(std::uint32_t ldu, CaseType type) {
  return ldu * kCaseTypeCount + static_cast<std::uint32_t>(type);
}

} // namespace

sim::StreamKey stream_key(std::uint64_t seed, std::uint32_t replication, StreamPurpose purpose,
                          std::uint32_t index, std::uint32_t sub) {
  return {seed, replication, static_cast<std::uint32_t>(purpose), index, sub};
}

Simulation::Simulation(const Scenario& scenario, std::uint32_t replication)
    : scenario_(scenario), replication_(replication), allocation_(scenario.allocation),
      hours_per_point_(scenario.workload.default_contracted_hours /
                       scenario.workload.nominal_target_points) {
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
  court_streams_ = streams(StreamPurpose::court, ldu_count);
  risk_streams_ = streams(StreamPurpose::risk, ldu_count);
  victim_streams_ = streams(StreamPurpose::victims, ldu_count);
  staffing_streams_ = streams(StreamPurpose::recruitment, ldu_count);
  policy_ = policy::make_policy(allocation_, ldu_count, streams(StreamPurpose::policy, ldu_count));

  for (int t = 0; t < kCaseTypeCount; ++t) {
    const auto& mix = scenario.case_types[t].tier_mix;
    double total = 0.0;
    for (double share : mix) total += share;
    if (total > 0.0) tier_draws_[t] = TierDraw(mix.begin(), mix.end());
  }
  arrival_rate_per_day_.resize(flow_count);
  next_arrival_.assign(flow_count, -1.0);
  for (std::uint32_t l = 0; l < ldu_count; ++l)
    for (int t = 0; t < kCaseTypeCount; ++t)
      arrival_rate_per_day_[flow_index(l, CaseType(t))] = scenario.ldus[l].arrivals_per_week[t] / 7.0;
  demand_factor_.assign(ldu_count, 1.0);
  next_court_report_.assign(ldu_count, -1.0);

  queues_.resize(ldu_count);
  unassigned_tasks_.resize(ldu_count);
  unassigned_victims_.resize(ldu_count);
  flows_.resize(ldu_count);
  held_.resize(ldu_count);
  waiting_.resize(ldu_count);
  build_staff(); // tells the policy of each officer as they join
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
  peak_open_cases_ = std::max<std::uint64_t>(peak_open_cases_, cases_.size() - free_cases_.size());
  Case& c = cases_[id];
  const std::uint32_t generation = c.generation + 1;
  c = Case{};
  c.generation = generation;
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
      const auto& tier_mix = tier_draws_[source];
      sim::Engine engine = sim::make_stream(
          stream_key(scenario_.seed, replication_, StreamPurpose::initial_state, flow));
      double earlier_phases_days = 0.0; // mean time spent in the phases before this one
      for (std::optional<CaseType> phase = CaseType(source); phase;
           phase = scenario_.case_types[static_cast<int>(*phase)].becomes) {
        const CaseTypeParameters& type = scenario_.case_types[static_cast<int>(*phase)];
        const auto n =
            boost::random::poisson_distribution<std::int64_t, double>(rate * type.duration.mean())(engine);
        for (std::int64_t i = 0; i < n; ++i) {
          const std::uint32_t id =
              new_case(static_cast<std::uint16_t>(l), *phase, tier_mix(engine), 0.0);
          Case& c = cases_[id];
          const auto progress = type.duration.sample_in_progress(engine);
          c.phase_days = progress.remaining;
          // Parole depends on the whole custody term, not what is left of it.
          c.parole_eligible = progress.elapsed + progress.remaining >= scenario_.tasks.parole_min_custody_days;
          if (type.becomes)
            c.next_phase_days =
                scenario_.case_types[static_cast<int>(*type.becomes)].duration.sample(engine);
          ++flows_[l].initial_cases;
          place_or_queue(id, 0.0);
          // Victims follow the sentence: a licence case that came from custody
          // has the custody case's chance of one, less the opt-outs since sentence.
          const double opt_out = scenario_.victims.opt_out_per_year / 365.25;
          maybe_open_victim_case(id,
                                 scenario_.case_types[source].victim_probability *
                                     std::exp(-opt_out * (earlier_phases_days + progress.elapsed)),
                                 0.0, true);
        }
        earlier_phases_days += type.duration.mean();
      }
    }
  }
}

ReplicationResult Simulation::run() {
  const double horizon = scenario_.horizon_days;
  const double warmup = scenario_.warmup_days;
  in_window_ = warmup <= 0.0;
  reserve_for_run();
  seed_initial_state();
  for (std::uint32_t f = 0; f < arrival_rate_per_day_.size(); ++f) schedule_next_arrival(f, 0.0);
  for (std::uint32_t l = 0; l < scenario_.ldus.size(); ++l) schedule_next_court_report(l, 0.0);
  for (std::uint32_t i = 0; i < scenario_.interventions.size(); ++i)
    events_.push(scenario_.interventions[i].at_day, kIntervention, i);
  if (warmup > 0.0) events_.push(warmup, kWarmupEnd, 0);
  events_.push(warmup, kSnapshot, 0);

  while (!events_.empty() && events_.top().time <= horizon) {
    const sim::Event e = events_.pop();
    ++processed_;
    switch (e.kind) {
    case kArrival: on_arrival(e.id, e.time); break;
    case kRelease: on_release(e.id, e.time); break;
    case kCaseEnd: on_case_end(e.id, e.time); break;
    case kSnapshot: on_snapshot(e.time); break;
    case kWarmupEnd: on_warmup_end(e.time); break;
    case kCourtReport: on_court_report(e.id, e.time); break;
    case kTaskDone: on_task_done(e.id, e.time); break;
    case kRiskChange: on_risk_change(e.id, e.time); break;
    case kParoleReport: on_parole_report(e.id, e.time); break;
    case kVictimOptOut: on_victim_opt_out(e.id, e.time); break;
    case kStaffStep: on_staff_step(e.id, e.time); break;
    case kLeave: on_leave(e.id, e.time); break;
    case kHire: on_hire(e.id, e.time); break;
    case kAbsenceStart: on_absence_start(e.id, e.time); break;
    case kAbsenceEnd: on_absence_end(e.id, e.time); break;
    case kReallocateAbsent: on_reallocate_absent(e.id, e.time); break;
    case kIntervention: on_intervention(e.id, e.time); break;
    default: assert(false && "unknown event kind");
    }
  }
  return finish();
}

double Simulation::next_gap(double rate_per_day, sim::Engine& engine) const {
  if (scenario_.arrival_process == ArrivalProcess::regular) return 1.0 / rate_per_day;
  return boost::random::exponential_distribution<double>(rate_per_day)(engine);
}

// Sizes the growing arrays once from the scenario's expected volumes, so that
// the run does not spend its time copying them as they grow.
void Simulation::reserve_for_run() {
  const double days = scenario_.horizon_days;
  double cases = 0.0, reports = 0.0;
  for (std::size_t f = 0; f < arrival_rate_per_day_.size(); ++f)
    cases += arrival_rate_per_day_[f] * scenario_.case_types[f % kCaseTypeCount].duration.mean();
  for (const auto& l : scenario_.ldus) reports += l.court_reports_per_week / 7.0 * days;
  cases_.reserve(static_cast<std::size_t>(cases * 1.1) + 64);
  tasks_.reserve(static_cast<std::size_t>(reports * 1.2) + 1024);
  const auto snapshots =
      static_cast<std::size_t>((days - scenario_.warmup_days) / scenario_.snapshot_every_days) + 1;
  const std::size_t cells = snapshots * officers_.size() * 11 / 10;
  Snapshots& s = snapshots_;
  s.time_days.reserve(snapshots);
  s.officer_cases.reserve(cells);
  s.officer_points.reserve(cells);
  s.officer_capacity_percent.reserve(cells);
  s.officer_available_points.reserve(cells);
  s.officer_hours_demanded.reserve(cells);
  s.officer_backlog_hours.reserve(cells);
  s.officer_victim_cases.reserve(cells);
  s.officer_state.reserve(cells);
  s.officer_grade.reserve(cells);
}

void Simulation::schedule_next_arrival(std::uint32_t flow, double now) {
  const double rate = arrival_rate_per_day_[flow] * demand_factor_[flow / kCaseTypeCount];
  if (rate <= 0.0) {
    next_arrival_[flow] = -1.0;
    return;
  }
  const double gap = next_gap(rate, arrival_streams_[flow]);
  next_arrival_[flow] = now + gap;
  events_.push(now + gap, kArrival, flow);
}

void Simulation::on_arrival(std::uint32_t flow, double now) {
  if (now != next_arrival_[flow]) return; // superseded by a change of demand
  const auto ldu = static_cast<std::uint16_t>(flow / kCaseTypeCount);
  const auto type = CaseType(flow % kCaseTypeCount);
  const CaseTypeParameters& params = scenario_.case_types[static_cast<int>(type)];
  const int tier = tier_draws_[static_cast<int>(type)](arrival_streams_[flow]);
  schedule_next_arrival(flow, now);

  const std::uint32_t id = new_case(ldu, type, tier, now);
  Case& c = cases_[id];
  c.in_window = in_window_;
  // Durations are drawn at arrival, in arrival order, so they never depend on
  // how or when the case is allocated (common random numbers).
  sim::Engine& durations = duration_streams_[flow];
  c.phase_days = params.duration.sample(durations);
  c.parole_eligible = c.phase_days >= scenario_.tasks.parole_min_custody_days;
  if (params.becomes)
    c.next_phase_days =
        scenario_.case_types[static_cast<int>(*params.becomes)].duration.sample(durations);
  FlowSummary& flow_stats = flows_[ldu];
  ++flow_stats.total_arrivals;
  if (in_window_) ++flow_stats.arrivals;
  if (!place_or_queue(id, now) && in_window_) ++flow_stats.waited;
  maybe_open_victim_case(id, params.victim_probability, now, false);
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
  const policy::AllocationRequest request{c.ldu, protect_level(c.tier), points_of(c)};
  std::uint32_t officer = policy_->choose(request, policy::AllocationView{officers_, rosters_[c.ldu]});
  if (officer == kNoOfficer && allocation_.overflow) {
    for (int n : scenario_.ldus[c.ldu].neighbours) {
      policy::AllocationRequest there = request;
      there.ldu = static_cast<std::uint32_t>(n);
      officer = policy_->choose(there, policy::AllocationView{officers_, rosters_[n]});
      if (officer != kNoOfficer) {
        if (in_window_) ++flows_[c.ldu].overflow_allocations;
        break;
      }
    }
  }
  if (officer == kNoOfficer) return false;
  hold(id, officer, now);
  return true;
}

void Simulation::hold(std::uint32_t id, std::uint32_t officer, double now) {
  Case& c = cases_[id];
  assert(c.officer == kNoOfficer);
  c.officer = officer;
  OfficerLife& life = lives_[officer];
  c.prev_held = kNone;
  c.next_held = life.first_case;
  if (life.first_case != kNone) cases_[life.first_case].prev_held = id;
  life.first_case = id;
  Officer& o = officers_[officer];
  o.points += points_of(c);
  ++o.cases;
  policy_->load_changed(officer, officers_);
  held_[c.ldu].add(now, 1.0);
  if (!c.started) {
    // Supervision (and its clock) starts at the first allocation.
    c.started = true;
    if (c.in_window) {
      FlowSummary& flow = flows_[c.ldu];
      ++flow.allocations;
      flow.total_wait_days += now - c.arrived;
    }
    schedule_phase_end(id, now);
    schedule_risk(id, now);
  }
  // Reviews and parole reports that waited for this case go to its new officer.
  auto& waiting = unassigned_tasks_[c.ldu];
  if (!waiting.empty()) {
    const auto follows_case = [&](std::uint32_t t) {
      const Task& task = tasks_[t];
      return (task.kind == TaskKind::plan_review || task.kind == TaskKind::parole_report) &&
             task.subject == id && task.subject_generation == c.generation;
    };
    std::vector<std::uint32_t> mine;
    for (std::uint32_t t : waiting)
      if (follows_case(t)) mine.push_back(t);
    if (!mine.empty()) {
      waiting.erase(std::remove_if(waiting.begin(), waiting.end(), follows_case), waiting.end());
      for (std::uint32_t t : mine) assign_task(t, officer, now);
    }
  }
  officer_load_changed(officer, now);
}

void Simulation::schedule_phase_end(std::uint32_t id, double now) {
  Case& c = cases_[id];
  c.phase_ends = now + c.phase_days;
  const bool has_next_phase = scenario_.case_types[static_cast<int>(c.type)].becomes.has_value();
  events_.push(c.phase_ends, has_next_phase ? kRelease : kCaseEnd, id);
  if (has_next_phase) schedule_parole_report(id, now);
}

void Simulation::release_from_officer(std::uint32_t id, double now) {
  Case& c = cases_[id];
  const std::uint32_t officer = c.officer;
  assert(officer != kNoOfficer);
  if (c.prev_held != kNone) cases_[c.prev_held].next_held = c.next_held;
  else lives_[officer].first_case = c.next_held;
  if (c.next_held != kNone) cases_[c.next_held].prev_held = c.prev_held;
  c.prev_held = c.next_held = kNone;
  --officers_[officer].cases;
  held_[c.ldu].add(now, -1.0);
  c.officer = kNoOfficer;
  change_points(officer, -points_of(c), now);
}

void Simulation::reallocate(std::uint32_t id, ReallocationCause cause, double now) {
  Case& c = cases_[id];
  release_from_officer(id, now);
  ++c.reallocations;
  if (in_window_) ++flows_[c.ldu].reallocations[static_cast<int>(cause)];
  place_or_queue(id, now);
}

void Simulation::change_points(std::uint32_t officer, std::int32_t delta, double now) {
  officers_[officer].points += delta;
  policy_->load_changed(officer, officers_);
  officer_load_changed(officer, now);
  if (delta < 0 && policy_->queues_on_load()) serve_queues_near(officers_[officer].ldu, now);
}

void Simulation::serve_queues_near(std::uint32_t ldu, double now) {
  serve_queue(ldu, now);
  // With overflow, an officer with room may also take a neighbour's waiting case.
  if (allocation_.overflow)
    for (std::size_t l = 0; l < scenario_.ldus.size(); ++l)
      for (int n : scenario_.ldus[l].neighbours)
        if (static_cast<std::uint32_t>(n) == ldu) serve_queue(static_cast<std::uint32_t>(l), now);
}

void Simulation::on_release(std::uint32_t id, double now) {
  // Custody becomes licence and stays with the same officer (continuity).
  Case& c = cases_[id];
  const CaseType next = *scenario_.case_types[static_cast<int>(c.type)].becomes;
  const WorkloadParameters& w = scenario_.workload;
  const std::int32_t delta = w.points(next, c.tier) - w.points(c.type, c.tier);
  c.type = next;
  c.phase_days = c.next_phase_days;
  schedule_phase_end(id, now);
  schedule_risk(id, now); // rates differ by case type
  if (c.victim != kNone) victim_contact(c.victim, now);
  if (c.officer != kNoOfficer) change_points(c.officer, delta, now);
}

void Simulation::on_case_end(std::uint32_t id, double now) {
  Case& c = cases_[id];
  FlowSummary& flow = flows_[c.ldu];
  ++flow.total_closures;
  if (in_window_) {
    ++flow.closures;
    if (c.reallocations > 0) ++flow.closed_reallocated;
  }
  if (c.victim != kNone) {
    victim_contact(c.victim, now); // end of sentence
    close_victim_case(c.victim, false, now);
  }
  if (c.officer != kNoOfficer) {
    release_from_officer(id, now);
  } else { // reallocated into the queue and still waiting
    auto& queue = queues_[c.ldu];
    queue.erase(std::find(queue.begin(), queue.end(), id));
    waiting_[c.ldu].add(now, -1.0);
  }
  c.next_risk = -1.0;
  free_cases_.push_back(id);
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

} // namespace caseload::model
