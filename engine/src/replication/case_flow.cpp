#include "caseload/replication/case_flow.hpp"

#include "caseload/replication/task_work.hpp"

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>

namespace caseload::replication {
namespace {

// The tier after `days` of the risk changes of a case type, from `tier`: the
// day-0 caseload has been under supervision for a while, so its tiers have
// moved from the arrival mix as real cases' have.
int evolve_tier(int tier, const CaseTypeParameters& type, double days, sim::Engine& engine) {
  for (double t = 0.0;;) {
    const RiskRates rates = risk_rates(type, tier);
    const double total = rates.up + rates.down;
    if (total <= 0.0) return tier;
    t += boost::random::exponential_distribution<double>(total / kDaysPerYear)(engine);
    if (t > days) return tier;
    tier = boost::random::bernoulli_distribution<double>(rates.up / total)(engine) ? tier_escalated(tier)
                                                                                   : tier_deescalated(tier);
  }
}

} // namespace

CaseFlow::CaseFlow(SharedState& state) : s_(state) {
  const auto flow_count = static_cast<std::uint32_t>(s_.ldu_count() * kCaseTypeCount);
  arrival_streams_ = s_.streams(StreamPurpose::arrivals, flow_count);
  duration_streams_ = s_.streams(StreamPurpose::durations, flow_count);
  for (int t = 0; t < kCaseTypeCount; ++t) {
    const auto& mix = s_.scenario.case_types[t].tier_mix;
    double total = 0.0;
    for (double share : mix) total += share;
    if (total > 0.0) tier_draws_[t] = TierDraw(mix.begin(), mix.end());
  }
  // Who counts each LDU as a neighbour, in LDU order (once per mention).
  neighbour_of_.resize(s_.ldu_count());
  for (std::uint32_t l = 0; l < s_.ldu_count(); ++l)
    for (int n : s_.scenario.ldus[l].neighbours) neighbour_of_[static_cast<std::size_t>(n)].push_back(l);
  arrival_rate_per_day_.resize(flow_count);
  next_arrival_.assign(flow_count, -1.0);
  for (std::uint32_t f = 0; f < flow_count; ++f)
    arrival_rate_per_day_[f] =
        s_.scenario.ldus[ldu_of_flow(f)].arrivals_per_week[static_cast<int>(type_of_flow(f))] / kDaysPerWeek;
}

void CaseFlow::reserve() {
  double stock = 0.0;
  for (std::uint32_t f = 0; f < arrival_rate_per_day_.size(); ++f)
    stock += arrival_rate_per_day_[f] * s_.scenario.case_types[static_cast<int>(type_of_flow(f))].duration.mean();
  s_.cases.reserve(static_cast<std::size_t>(stock * 1.1) + 64);
}

std::uint32_t CaseFlow::new_case(std::uint16_t ldu, CaseType type, int tier, double now) {
  std::uint32_t id;
  std::vector<std::uint32_t>& free = s_.free_cases[s_.events.part_of(ldu)];
  if (free.empty()) {
    id = static_cast<std::uint32_t>(s_.cases.size());
    // Past the reservation (custody then licence, and the lognormal's tail,
    // keep more cases open than the mean durations say), grow by a quarter,
    // not double: at 10^6 lifetimes doubling left 40% of the slots unused,
    // 50 bytes an open case (bench/README.md).
    if (s_.cases.size() == s_.cases.capacity()) s_.cases.reserve(s_.cases.size() + s_.cases.size() / 4 + 64);
    s_.cases.emplace_back();
  } else {
    id = free.back();
    free.pop_back();
  }
  s_.peak_open_cases = std::max(s_.peak_open_cases, ++s_.open_cases);
  Case& c = s_.cases[id];
  const std::uint32_t generation = c.generation; // moved on as the slot's last case ended
  c = Case{};
  c.generation = generation;
  c.arrived = now;
  c.ldu = ldu;
  c.type = type;
  c.tier = static_cast<std::uint8_t>(tier);
  return id;
}

void CaseFlow::seed_initial_state() {
  switch (s_.scenario.initial_state) {
  case InitialState::steady_state: seed_steady_state(); break;
  case InitialState::snapshot: seed_snapshot(*s_.scenario.snapshot); break;
  case InitialState::empty: break;
  }
}

// The snapshot's cases as the file has them (docs/model.md §6.1): each held
// case stays with its officer, then the unallocated ones are placed by the
// policy in the file's order. A case without an expected end draws what is
// left of its phase from the phase's duration given the time already served.
void CaseFlow::seed_snapshot(const InitialSnapshot& snapshot) {
  const Scenario& sc = s_.scenario;
  std::vector<sim::Engine> engines = s_.streams(StreamPurpose::initial_state, static_cast<std::uint32_t>(arrival_rate_per_day_.size()));
  std::vector<std::pair<std::uint32_t, bool>> opened; // case id, has a victim case
  std::vector<std::uint32_t> unallocated;
  for (const SnapshotCase& from : snapshot.cases) {
    const auto ldu = static_cast<std::uint16_t>(from.ldu);
    sim::Engine& engine = engines[flow_index(ldu, from.type)];
    const CaseTypeParameters& type = sc.case_types[static_cast<int>(from.type)];
    const std::uint32_t id = new_case(ldu, from.type, from.tier, 0.0);
    Case& c = s_.cases[id];
    c.phase_days = from.remaining_days ? *from.remaining_days : type.duration.sample_remaining(from.served_days, engine);
    c.parole_eligible = from.served_days + c.phase_days >= sc.tasks.parole_min_custody_days;
    if (type.becomes) c.next_phase_days = sc.case_types[static_cast<int>(*type.becomes)].duration.sample(engine);
    ++s_.flows[ldu].initial_cases;
    if (from.officer) {
      assert(s_.officers[*from.officer].ldu == static_cast<std::uint32_t>(snapshot.officers[*from.officer].ldu) &&
             s_.officers[*from.officer].grade == snapshot.officers[*from.officer].grade);
      hold(id, *from.officer, 0.0);
    } else {
      unallocated.push_back(id);
    }
    opened.emplace_back(id, from.victim);
  }
  for (std::uint32_t id : unallocated) place_or_queue(id, 0.0);
  // As at steady state, a day-0 victim case has had its first contact.
  for (const auto& [id, victim] : opened) work_->maybe_open_victim_case(id, victim ? 1.0 : 0.0, 0.0, true);
}

void CaseFlow::seed_steady_state() {
  const Scenario& sc = s_.scenario;
  // In steady state each phase of an M/G/inf flow holds a Poisson number of
  // cases with mean (arrival rate × mean phase duration), each with an
  // equilibrium residual duration. A flow that `becomes` another type (custody
  // → licence) also populates the later phases, keeping the tier drawn from
  // its own mix, as released cases do.
  for (std::uint32_t flow = 0; flow < arrival_rate_per_day_.size(); ++flow) {
    const double rate = arrival_rate_per_day_[flow];
    if (rate <= 0.0) continue;
    const auto ldu = static_cast<std::uint16_t>(ldu_of_flow(flow));
    const int source = static_cast<int>(type_of_flow(flow));
    const auto& tier_mix = tier_draws_[source];
    sim::Engine engine = sim::make_stream(s_.key(StreamPurpose::initial_state, flow));
    double earlier_phases_days = 0.0; // mean time spent in the phases before this one
    for (std::optional<CaseType> phase = CaseType(source); phase;
         phase = sc.case_types[static_cast<int>(*phase)].becomes) {
      const CaseTypeParameters& type = sc.case_types[static_cast<int>(*phase)];
      const auto n =
          boost::random::poisson_distribution<std::int64_t, double>(rate * type.duration.mean())(engine);
      for (std::int64_t i = 0; i < n; ++i) {
        int tier = tier_mix(engine);
        const auto progress = type.duration.sample_in_progress(engine);
        for (std::optional<CaseType> earlier = CaseType(source); earlier != phase;
             earlier = sc.case_types[static_cast<int>(*earlier)].becomes) {
          const CaseTypeParameters& before = sc.case_types[static_cast<int>(*earlier)];
          tier = evolve_tier(tier, before, before.duration.mean(), engine);
        }
        tier = evolve_tier(tier, type, progress.elapsed, engine);
        const std::uint32_t id = new_case(ldu, *phase, tier, 0.0);
        Case& c = s_.cases[id];
        c.phase_days = progress.remaining;
        // Parole depends on the whole custody term, not what is left of it.
        c.parole_eligible = progress.elapsed + progress.remaining >= sc.tasks.parole_min_custody_days;
        if (type.becomes) c.next_phase_days = sc.case_types[static_cast<int>(*type.becomes)].duration.sample(engine);
        ++s_.flows[ldu].initial_cases;
        place_or_queue(id, 0.0);
        // Victims follow the sentence: a licence case that came from custody
        // has the custody case's chance of one, less the opt-outs since sentence.
        const double opt_out = sc.victims.opt_out_per_year / kDaysPerYear;
        work_->maybe_open_victim_case(
            id, sc.case_types[source].victim_probability * std::exp(-opt_out * (earlier_phases_days + progress.elapsed)),
            0.0, true);
      }
      earlier_phases_days += type.duration.mean();
    }
  }
}

void CaseFlow::schedule_first_arrivals() {
  for (std::uint32_t f = 0; f < arrival_rate_per_day_.size(); ++f) schedule_next_arrival(f, 0.0);
}

void CaseFlow::schedule_next_arrival(std::uint32_t flow, double now) {
  const double rate = arrival_rate_per_day_[flow] * s_.demand_factor[ldu_of_flow(flow)];
  if (rate <= 0.0) {
    next_arrival_[flow] = -1.0;
    return;
  }
  const double gap = next_gap(s_.scenario.arrival_process, rate, arrival_streams_[flow]);
  next_arrival_[flow] = now + gap;
  s_.events.push(ldu_of_flow(flow), now + gap, kArrival, flow);
}

void CaseFlow::on_arrival(std::uint32_t flow, double now) {
  if (now != next_arrival_[flow]) return; // superseded by a change of demand
  const auto ldu = static_cast<std::uint16_t>(ldu_of_flow(flow));
  const CaseType type = type_of_flow(flow);
  const CaseTypeParameters& params = s_.scenario.case_types[static_cast<int>(type)];
  const int tier = tier_draws_[static_cast<int>(type)](arrival_streams_[flow]);
  schedule_next_arrival(flow, now);

  const std::uint32_t id = new_case(ldu, type, tier, now);
  Case& c = s_.cases[id];
  c.in_window = s_.in_window;
  // Durations are drawn at arrival, in arrival order, so they never depend on
  // how or when the case is allocated (common random numbers).
  sim::Engine& durations = duration_streams_[flow];
  c.phase_days = params.duration.sample(durations);
  c.parole_eligible = c.phase_days >= s_.scenario.tasks.parole_min_custody_days;
  if (params.becomes)
    c.next_phase_days = s_.scenario.case_types[static_cast<int>(*params.becomes)].duration.sample(durations);
  FlowSummary& flow_stats = s_.flows[ldu];
  ++flow_stats.total_arrivals;
  if (s_.in_window) ++flow_stats.arrivals;
  if (!place_or_queue(id, now) && s_.in_window) ++flow_stats.waited;
  work_->maybe_open_victim_case(id, params.victim_probability, now, false);
}

bool CaseFlow::place_or_queue(std::uint32_t id, double now) {
  if (try_allocate(id, now)) return true;
  Case& c = s_.cases[id];
  c.queued = s_.queues[c.ldu].push(static_cast<std::size_t>(protect_level(c.tier)), id);
  s_.waiting[c.ldu].add(now, 1.0);
  return false;
}

bool CaseFlow::try_allocate(std::uint32_t id, double now) {
  const Case& c = s_.cases[id];
  const policy::AllocationRequest request{c.ldu, protect_level(c.tier), s_.points_of(c)};
  std::uint32_t officer = s_.policy->choose(request, policy::AllocationView{s_.officers, s_.rosters[c.ldu]});
  if (officer == kNoOfficer && s_.allocation.overflow) {
    for (int n : s_.scenario.ldus[c.ldu].neighbours) {
      policy::AllocationRequest there = request;
      there.ldu = static_cast<std::uint32_t>(n);
      officer = s_.policy->choose(there, policy::AllocationView{s_.officers, s_.rosters[n]});
      if (officer != kNoOfficer) {
        if (s_.in_window) ++s_.flows[c.ldu].overflow_allocations;
        break;
      }
    }
  }
  if (officer == kNoOfficer) return false;
  hold(id, officer, now);
  return true;
}

void CaseFlow::hold(std::uint32_t id, std::uint32_t officer, double now) {
  Case& c = s_.cases[id];
  assert(c.officer == kNoOfficer);
  c.officer = officer;
  OfficerLife& life = s_.lives[officer];
  c.prev_held = kNone;
  c.next_held = life.first_case;
  if (life.first_case != kNone) s_.cases[life.first_case].prev_held = id;
  life.first_case = id;
  Officer& o = s_.officers[officer];
  o.points += s_.points_of(c);
  ++o.cases;
  s_.policy->load_changed(officer, s_.officers);
  s_.held[c.ldu].add(now, 1.0);
  if (!c.started) {
    // Supervision (and its clock) starts at the first allocation.
    c.started = true;
    if (c.in_window) {
      FlowSummary& flow = s_.flows[c.ldu];
      ++flow.allocations;
      flow.total_wait_days += now - c.arrived;
    }
    schedule_phase_end(id, now);
    work_->schedule_risk(id, now);
  }
  work_->case_held(id, officer, now);
}

void CaseFlow::schedule_phase_end(std::uint32_t id, double now) {
  Case& c = s_.cases[id];
  c.phase_ends = now + c.phase_days;
  const bool has_next_phase = s_.scenario.case_types[static_cast<int>(c.type)].becomes.has_value();
  s_.events.push(c.ldu, c.phase_ends, has_next_phase ? kRelease : kCaseEnd, id);
  if (has_next_phase) work_->schedule_parole_report(id, now);
}

void CaseFlow::release_from_officer(std::uint32_t id, double now) {
  Case& c = s_.cases[id];
  const std::uint32_t officer = c.officer;
  assert(officer != kNoOfficer);
  if (c.prev_held != kNone) s_.cases[c.prev_held].next_held = c.next_held;
  else s_.lives[officer].first_case = c.next_held;
  if (c.next_held != kNone) s_.cases[c.next_held].prev_held = c.prev_held;
  c.prev_held = c.next_held = kNone;
  --s_.officers[officer].cases;
  s_.held[c.ldu].add(now, -1.0);
  c.officer = kNoOfficer;
  change_points(officer, -s_.points_of(c), now);
}

void CaseFlow::reallocate(std::uint32_t id, ReallocationCause cause, double now) {
  Case& c = s_.cases[id];
  release_from_officer(id, now);
  ++c.reallocations;
  if (s_.in_window) ++s_.flows[c.ldu].reallocations[static_cast<int>(cause)];
  place_or_queue(id, now);
}

void CaseFlow::schedule_step_down(std::uint32_t id, double at) {
  Case& c = s_.cases[id];
  c.step_down_at = at;
  s_.events.push(c.ldu, at, kStepDown, id);
}

void CaseFlow::on_step_down(std::uint32_t id, double now) {
  Case& c = s_.cases[id];
  if (now != c.step_down_at || c.officer == kNoOfficer) return; // superseded, ended, or waiting
  c.step_down_at = -1.0;
  const EligibilityRow& row = s_.allocation.eligibility[protect_level(c.tier)];
  const int rank = preference_rank(row, s_.officers[c.officer].grade);
  if (rank <= 0) return; // already with a most preferred grade
  const policy::AllocationRequest request{c.ldu, protect_level(c.tier), s_.points_of(c)};
  const std::uint32_t to = s_.policy->choose(request, policy::AllocationView{s_.officers, s_.rosters[c.ldu]});
  if (to == kNoOfficer || to == c.officer) return;
  const int to_rank = preference_rank(row, s_.officers[to].grade);
  if (to_rank < 0 || to_rank >= rank) return;
  release_from_officer(id, now);
  ++c.reallocations;
  if (s_.in_window) ++s_.flows[c.ldu].reallocations[static_cast<int>(ReallocationCause::step_down)];
  hold(id, to, now);
}

void CaseFlow::change_points(std::uint32_t officer, std::int32_t delta, double now) {
  s_.officers[officer].points += delta;
  s_.policy->load_changed(officer, s_.officers);
  work_->officer_load_changed(officer, now);
  if (delta < 0 && s_.policy->queues_on_load()) serve_queues_near(s_.officers[officer].ldu, now);
}

void CaseFlow::serve_queues_near(std::uint32_t ldu, double now) {
  serve_queue(ldu, now);
  // With overflow, an officer with room may also take a neighbour's waiting case.
  if (s_.allocation.overflow)
    for (std::uint32_t l : neighbour_of_[ldu]) serve_queue(l, now);
}

void CaseFlow::serve_all_queues(double now) {
  for (std::uint32_t l = 0; l < s_.ldu_count(); ++l) serve_queue(l, now);
}

void CaseFlow::on_release(std::uint32_t id, double now) {
  // Custody becomes licence and stays with the same officer (continuity).
  Case& c = s_.cases[id];
  const CaseType next = *s_.scenario.case_types[static_cast<int>(c.type)].becomes;
  const WorkloadParameters& w = s_.scenario.workload;
  const std::int32_t delta = w.points(next, c.tier) - w.points(c.type, c.tier);
  c.type = next;
  c.phase_days = c.next_phase_days;
  schedule_phase_end(id, now);
  work_->schedule_risk(id, now); // rates differ by case type
  if (c.victim != kNone) work_->victim_contact(c.victim, now);
  if (c.officer != kNoOfficer) change_points(c.officer, delta, now);
}

void CaseFlow::on_case_end(std::uint32_t id, double now) {
  Case& c = s_.cases[id];
  FlowSummary& flow = s_.flows[c.ldu];
  ++flow.total_closures;
  if (s_.in_window) {
    ++flow.closures;
    if (c.reallocations > 0) ++flow.closed_reallocated;
  }
  if (c.victim != kNone) {
    work_->victim_contact(c.victim, now); // end of sentence
    work_->close_victim_case(c.victim, false, now);
  }
  const bool waited = c.officer == kNoOfficer;
  if (!waited) {
    release_from_officer(id, now);
  } else { // reallocated into the queue and still waiting
    s_.queues[c.ldu].removed();
    c.queued = kNone;
    s_.waiting[c.ldu].add(now, -1.0);
  }
  c.next_risk = -1.0;
  c.step_down_at = -1.0;
  // The case's tasks still pending (a report, a review) see that it has
  // ended at once, not only when its slot is reused.
  ++c.generation;
  if (waited) work_->case_ended_waiting(id, now);
  s_.free_cases[s_.events.part_of(c.ldu)].push_back(id);
  --s_.open_cases;
}

void CaseFlow::serve_queue(std::uint32_t ldu, double now) {
  WaitingQueue& queue = s_.queues[ldu];
  // FIFO: the earliest case that some eligible officer can now take goes
  // first. Once a protect level has found nobody, its later cases cannot
  // either, so they are skipped; serving stops when every level has failed.
  // The queue is filed by protect level, so the earliest case of the levels
  // not yet failed is found without passing over the others' cases.
  std::array<bool, kProtectLevelCount> blocked{};
  const auto live = [&](const WaitingQueue::Entry& e, std::size_t level) {
    const Case& c = s_.cases[e.item];
    return c.queued == e.seq && c.ldu == ldu && static_cast<std::size_t>(protect_level(c.tier)) == level;
  };
  while (!queue.empty()) {
    const int level = queue.earliest(blocked, live);
    if (level < 0) return;
    const std::uint32_t id = queue.front(static_cast<std::size_t>(level), live)->item;
    if (!try_allocate(id, now)) {
      blocked[level] = true;
      continue;
    }
    s_.cases[id].queued = kNone;
    queue.removed();
    s_.waiting[ldu].add(now, -1.0);
  }
}

void CaseFlow::tier_changed(std::uint32_t id, int before) {
  const Case& c = s_.cases[id];
  if (c.queued != kNone && protect_level(c.tier) != protect_level(before))
    s_.queues[c.ldu].refile(static_cast<std::size_t>(protect_level(c.tier)), id, c.queued);
}

void CaseFlow::on_warmup_end(double now) {
  s_.in_window = true;
  for (std::size_t l = 0; l < s_.ldu_count(); ++l) {
    s_.held[l].restart(now);
    s_.waiting[l].restart(now);
  }
}

void CaseFlow::set_demand(std::uint32_t ldu, double factor, double now) {
  const double before = s_.demand_factor[ldu];
  if (factor == before) return;
  s_.demand_factor[ldu] = factor;
  for (int t = 0; t < kCaseTypeCount; ++t) {
    const std::uint32_t flow = flow_index(ldu, CaseType(t));
    rescale_pending(next_arrival_[flow], now, before, factor, s_.events, ldu, kArrival, flow,
                    [&] { schedule_next_arrival(flow, now); });
  }
  work_->rescale_court_reports(ldu, before, factor, now);
}

void CaseFlow::change_allocation(const Intervention& change, std::uint32_t index, double now) {
  AllocationParameters& a = s_.allocation;
  if (change.policy) a.policy = *change.policy;
  if (change.cap_percent) a.cap_percent = *change.cap_percent;
  if (change.overflow) a.overflow = *change.overflow;
  // The new policy's streams are its own, keyed by the intervention.
  std::vector<sim::Engine> streams;
  for (std::uint32_t l = 0; l < s_.ldu_count(); ++l)
    streams.push_back(sim::make_stream(s_.key(StreamPurpose::policy, 1000000 + index * 65536 + l)));
  s_.policy = policy::make_policy(a, s_.ldu_count(), std::move(streams));
  s_.policy->attach(s_.officers, s_.rosters);
  serve_all_queues(now);
}

} // namespace caseload::replication
