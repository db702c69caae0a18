#include "caseload/replication/task_work.hpp"

#include "caseload/model/officer_time.hpp"
#include "caseload/replication/case_flow.hpp"

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>

#include <algorithm>
#include <cassert>
#include <limits>

namespace caseload::replication {
namespace {

// EDF order: earlier deadline first, then the older task.
struct LaterDeadline {
  bool operator()(const QueuedTask& a, const QueuedTask& b) const {
    return a.deadline > b.deadline || (a.deadline == b.deadline && a.id > b.id);
  }
};

// The WMT points of a report task (0 for tasks that are not reports).
int report_points(const WorkloadParameters& w, TaskKind kind) {
  switch (kind) {
  case TaskKind::fdr: return w.fdr_points;
  case TaskKind::sdr: return w.sdr_points;
  case TaskKind::parole_report: return w.parole_points;
  default: return 0;
  }
}

} // namespace

TaskWork::TaskWork(SharedState& state) : s_(state) {
  const auto ldu_count = static_cast<std::uint32_t>(s_.ldu_count());
  court_streams_ = s_.streams(StreamPurpose::court, ldu_count);
  risk_streams_ = s_.streams(StreamPurpose::risk, ldu_count);
  victim_streams_ = s_.streams(StreamPurpose::victims, ldu_count);
  next_court_report_.assign(ldu_count, -1.0);
  court_teams_.resize(ldu_count);
  ended_waiting_victims_.assign(ldu_count, 0);
  court_team_stale_.assign(ldu_count, true);
}

void TaskWork::reserve() {
  double reports = 0.0;
  for (const auto& l : s_.scenario.ldus) reports += l.court_reports_per_week / kDaysPerWeek;
  credits_.reserve(static_cast<std::size_t>(reports * s_.scenario.tasks.report_points_period_days * 1.2) + 16);
}

double TaskWork::report_hours(int points) const {
  // At nominal_target points = default_contracted_hours a week.
  const WorkloadParameters& w = s_.scenario.workload;
  return points * w.default_contracted_hours / w.nominal_target_points *
         s_.scenario.tasks.report_points_period_days / kDaysPerWeek;
}

std::uint32_t TaskWork::new_task(TaskKind kind, std::uint16_t ldu, std::uint32_t subject, double hours,
                                 double deadline, double now) {
  Task t;
  t.kind = kind;
  t.ldu = ldu;
  t.subject = subject;
  t.created = now;
  t.deadline = deadline;
  t.hours = t.hours_left = hours;
  t.in_window = s_.in_window;
  if (follows_case(kind))
    t.subject_generation = s_.cases[subject].generation;
  if (for_victim(kind)) ++s_.victims[subject].open_tasks;
  return s_.tasks.push_back(t);
}

// --- officer time

void TaskWork::assign_task(std::uint32_t task, std::uint32_t officer, double now) {
  credit_report(task, officer, now);
  advance_work(officer, now);
  s_.tasks[task].officer = officer;
  s_.lives[officer].task_hours += s_.tasks[task].hours_left;
  auto& heap = s_.lives[officer].tasks;
  heap.push_back(QueuedTask{s_.tasks[task].deadline, task});
  std::push_heap(heap.begin(), heap.end(), LaterDeadline{});
  reschedule_work(officer, now);
}

// Books the work done since the last update on the task being worked.
void TaskWork::advance_work(std::uint32_t officer, double now) {
  OfficerLife& life = s_.lives[officer];
  if (life.working_on != kNone) {
    Task& t = s_.tasks[life.working_on];
    const double done = std::min(t.hours_left, life.rate * (now - life.work_since));
    t.hours_left -= done;
    life.task_hours = std::max(0.0, life.task_hours - done);
  }
  life.work_since = now;
}

// After any change to the officer's tasks or spare time: work on the most
// urgent task at the current rate, and expect it done when its hours run out.
void TaskWork::reschedule_work(std::uint32_t officer, double now) {
  OfficerLife& life = s_.lives[officer];
  const double available = life.available_hours;
  life.rate = available > 0.0 ? available *
                                    task_share(s_.load_hours(officer) / available, s_.scenario.tasks.task_share_at_capacity) /
                                    kDaysPerWeek
                              : 0.0;
  life.working_on = life.tasks.empty() ? kNone : life.tasks.front().id;
  life.next_done = -1.0;
  if (life.working_on == kNone || life.rate <= 0.0) return;
  Task& t = s_.tasks[life.working_on];
  if (t.started < 0.0) t.started = now;
  life.next_done = now + t.hours_left / life.rate;
  s_.events.push(s_.officers[officer].ldu, life.next_done, kTaskDone, officer);
}

void TaskWork::officer_load_changed(std::uint32_t officer, double now) {
  if (s_.lives[officer].tasks.empty()) return; // the rate is recomputed when a task arrives
  advance_work(officer, now);
  reschedule_work(officer, now);
}

void TaskWork::on_task_done(std::uint32_t officer, double now) {
  OfficerLife& life = s_.lives[officer];
  if (now != life.next_done) return; // superseded by a reschedule
  auto& heap = life.tasks;
  std::pop_heap(heap.begin(), heap.end(), LaterDeadline{});
  const std::uint32_t id = heap.back().id;
  Task& t = s_.tasks[id];
  heap.pop_back();
  life.task_hours = heap.empty() ? 0.0 : std::max(0.0, life.task_hours - t.hours_left);
  t.hours_left = 0.0;
  t.completed = now;
  const Task done = t; // final now: its record may be released below
  if (for_victim(done.kind)) --s_.victims[done.subject].open_tasks;
  life.working_on = kNone;
  life.work_since = now;
  reschedule_work(officer, now);
  // With the de-escalation reviewed, the case may step down to a preferred grade.
  if (done.kind == TaskKind::deescalation_review && s_.allocation.step_down &&
      s_.cases[done.subject].generation == done.subject_generation)
    cases_->schedule_step_down(done.subject, now + s_.allocation.step_down_delay_days);
  s_.release_records(id, for_victim(done.kind) ? done.subject : kNone);
}

// --- who does a task

namespace {

// Lowest share of available hours already committed (cases held plus open
// tasks) among the candidates on the duty; ties go to the earlier candidate.
struct LeastCommitted {
  const SharedState& s;
  Duty duty;
  std::uint32_t best = kNone;
  double best_load = std::numeric_limits<double>::infinity();
  void consider(std::uint32_t o) {
    const double hours = s.lives[o].available_hours;
    if (hours <= 0.0 || s.officers[o].duty != duty) return;
    const double load = (s.load_hours(o) + s.backlog_hours(o)) / hours;
    if (load < best_load) {
      best_load = load;
      best = o;
    }
  }
};

} // namespace

std::uint32_t TaskWork::least_loaded_by_hours(std::uint32_t ldu, std::span<const Grade> grades, Duty duty) const {
  // In the order of the grades given, then of the roster.
  LeastCommitted least{s_, duty};
  for (Grade g : grades)
    for (std::uint32_t o : s_.rosters[ldu].by_grade[static_cast<int>(g)]) least.consider(o);
  return least.best;
}

void TaskWork::roster_changed(std::uint32_t ldu) { court_team_stale_[ldu] = true; }

std::uint32_t TaskWork::court_writer(std::uint32_t ldu) {
  // The court team in the order a scan of the rosters by grade meets them,
  // kept until the LDU's roster changes (duties change only with it), so
  // that a report looks at a handful of officers rather than the whole LDU.
  std::vector<std::uint32_t>& team = court_teams_[ldu];
  if (court_team_stale_[ldu]) {
    team.clear();
    for (const auto& ids : s_.rosters[ldu].by_grade) // grades in enum order: PO, PQiP, PSO, SPO, VLO
      for (std::uint32_t o : ids)
        if (s_.officers[o].duty == Duty::court) team.push_back(o);
    court_team_stale_[ldu] = false;
  }
  LeastCommitted least{s_, Duty::court};
  for (std::uint32_t o : team) least.consider(o);
  return least.best != kNone ? least.best : least_loaded_by_hours(ldu, s_.scenario.tasks.court_grades);
}

void TaskWork::credit_report(std::uint32_t task, std::uint32_t officer, double now) {
  Task& t = s_.tasks[task];
  const WorkloadParameters& w = s_.scenario.workload;
  if (!w.reports_in_capacity || t.credited != kNone) return;
  const int points = report_points(w, t.kind);
  if (points == 0) return;
  t.credited = officer;
  s_.officers[officer].report_points += points;
  cases_->change_points(officer, points, now);
  // The credit ends after the counting period, when the task may be done and
  // its record released: the credit is kept apart, in a reused slot.
  std::uint32_t slot;
  if (free_credits_.empty()) {
    slot = static_cast<std::uint32_t>(credits_.size());
    credits_.emplace_back();
  } else {
    slot = free_credits_.back();
    free_credits_.pop_back();
  }
  credits_[slot] = ReportCredit{officer, points};
  s_.events.push(s_.officers[officer].ldu, now + s_.scenario.tasks.report_points_period_days, kReportPointsEnd, slot);
}

void TaskWork::on_report_points_end(std::uint32_t credit, double now) {
  const ReportCredit c = credits_[credit];
  free_credits_.push_back(credit);
  s_.officers[c.officer].report_points -= c.points;
  cases_->change_points(c.officer, -c.points, now);
}

void TaskWork::place_task(std::uint32_t task, double now) {
  Task& t = s_.tasks[task];
  std::uint32_t officer = kNone;
  switch (t.kind) {
  case TaskKind::fdr:
  case TaskKind::sdr:
    officer = court_writer(t.ldu);
    break;
  case TaskKind::parole_report:
  case TaskKind::plan_review:
  case TaskKind::deescalation_review: {
    const Case& c = s_.cases[t.subject];
    if (c.generation != t.subject_generation) { // the case has ended: any PO of the LDU
      static constexpr Grade kPo[] = {Grade::PO};
      officer = least_loaded_by_hours(t.ldu, kPo);
      break;
    }
    if (c.officer == kNoOfficer) { // waits for whoever is allocated the case next
      s_.unassigned_tasks[t.ldu].push_back(task);
      return;
    }
    officer = c.officer;
    break;
  }
  case TaskKind::victim_first_contact:
  case TaskKind::victim_contact:
    officer = s_.victims[t.subject].vlo;
    break;
  }
  if (officer == kNone) {
    s_.unassigned_tasks[t.ldu].push_back(task);
    return;
  }
  assign_task(task, officer, now);
}

std::vector<std::uint32_t> TaskWork::take_waiting_tasks_of(std::uint32_t id, std::uint32_t generation) {
  const Case& c = s_.cases[id];
  auto& waiting = s_.unassigned_tasks[c.ldu];
  std::vector<std::uint32_t> mine;
  if (waiting.empty()) return mine;
  const auto of_this_case = [&](std::uint32_t t) {
    const Task& task = s_.tasks[t];
    return follows_case(task.kind) && task.subject == id && task.subject_generation == generation;
  };
  for (std::uint32_t t : waiting)
    if (of_this_case(t)) mine.push_back(t);
  if (!mine.empty()) waiting.erase(std::remove_if(waiting.begin(), waiting.end(), of_this_case), waiting.end());
  return mine;
}

void TaskWork::case_held(std::uint32_t id, std::uint32_t officer, double now) {
  for (std::uint32_t t : take_waiting_tasks_of(id, s_.cases[id].generation)) assign_task(t, officer, now);
  officer_load_changed(officer, now);
}

void TaskWork::case_ended_waiting(std::uint32_t id, double now) {
  // Its tasks waited for the case's next holder; the case has ended, so any
  // PO of the LDU takes them (place_task).
  for (std::uint32_t t : take_waiting_tasks_of(id, s_.cases[id].generation - 1)) place_task(t, now);
}

void TaskWork::retry_unassigned(std::uint32_t ldu, double now) {
  // Victim cases first, so that their waiting contacts find the new VLO.
  // With a pooled victim unit, a VLO of this LDU serves the others' waiting work too.
  const auto [first, last] = victim_unit(ldu);
  for (std::uint32_t l = first; l < last; ++l) {
    std::vector<std::uint32_t> victims;
    victims.swap(s_.unassigned_victims[l]);
    ended_waiting_victims_[l] = 0; // the ended are not put back
    for (std::uint32_t v : victims) assign_victim_case(v, now);
  }
  for (std::uint32_t l = first; l < last; ++l) {
    std::vector<std::uint32_t> waiting;
    waiting.swap(s_.unassigned_tasks[l]);
    for (std::uint32_t t : waiting) place_task(t, now);
  }
}

// --- court reports

void TaskWork::schedule_first_court_reports() {
  for (std::uint32_t l = 0; l < s_.ldu_count(); ++l) schedule_next_court_report(l, 0.0);
}

void TaskWork::schedule_next_court_report(std::uint32_t ldu, double now) {
  const double rate = s_.scenario.ldus[ldu].court_reports_per_week / kDaysPerWeek * s_.demand_factor[ldu];
  if (rate <= 0.0) {
    next_court_report_[ldu] = -1.0;
    return;
  }
  next_court_report_[ldu] = now + next_gap(s_.scenario.arrival_process, rate, court_streams_[ldu]);
  s_.events.push(ldu, next_court_report_[ldu], kCourtReport, ldu);
}

void TaskWork::rescale_court_reports(std::uint32_t ldu, double before, double factor, double now) {
  rescale_pending(next_court_report_[ldu], now, before, factor, s_.events, ldu, kCourtReport, ldu,
                  [&] { schedule_next_court_report(ldu, now); });
}

void TaskWork::on_court_report(std::uint32_t ldu, double now) {
  if (now != next_court_report_[ldu]) return; // superseded by a change of demand
  const TaskParameters& p = s_.scenario.tasks;
  const bool sdr = boost::random::bernoulli_distribution<double>(p.sdr_share)(court_streams_[ldu]);
  schedule_next_court_report(ldu, now);
  const TaskKind kind = sdr ? TaskKind::sdr : TaskKind::fdr;
  const double hours = report_hours(report_points(s_.scenario.workload, kind));
  const double deadline =
      now + kDaysPerWorkingDay * (sdr ? p.sdr_deadline_working_days : p.fdr_deadline_working_days);
  place_task(new_task(kind, static_cast<std::uint16_t>(ldu), kNone, hours, deadline, now), now);
}

// --- parole reports

void TaskWork::schedule_parole_report(std::uint32_t id, double now) {
  const TaskParameters& p = s_.scenario.tasks;
  Case& c = s_.cases[id];
  if (!p.parole_reports || !c.parole_eligible) return;
  c.parole_eligible = false; // one report per sentence
  // A day-0 case released within the report's notice was reported on before the run.
  if (c.phase_ends - p.parole_due_before_release_days <= now) return;
  s_.events.push(c.ldu, std::max(now, c.phase_ends - p.parole_lead_days), kParoleReport, id);
}

void TaskWork::on_parole_report(std::uint32_t id, double now) {
  const TaskParameters& p = s_.scenario.tasks;
  const Case& c = s_.cases[id];
  const double deadline = std::max(now, c.phase_ends - p.parole_due_before_release_days);
  const double hours = report_hours(report_points(s_.scenario.workload, TaskKind::parole_report));
  place_task(new_task(TaskKind::parole_report, c.ldu, id, hours, deadline, now), now);
  if (c.victim != kNone) victim_contact(c.victim, now); // the parole process
}

// --- risk

void TaskWork::schedule_risk(std::uint32_t id, double now) {
  Case& c = s_.cases[id];
  const RiskRates rates = risk_rates(s_.scenario.case_types[static_cast<int>(c.type)], c.tier);
  c.next_risk = -1.0;
  if (rates.up + rates.down <= 0.0) return;
  c.next_risk = now + boost::random::exponential_distribution<double>((rates.up + rates.down) / kDaysPerYear)(
                          risk_streams_[c.ldu]);
  s_.events.push(c.ldu, c.next_risk, kRiskChange, id);
}

void TaskWork::on_risk_change(std::uint32_t id, double now) {
  Case& c = s_.cases[id];
  if (now != c.next_risk) return; // superseded, or the case has ended
  const RiskRates rates = risk_rates(s_.scenario.case_types[static_cast<int>(c.type)], c.tier);
  const bool escalate =
      boost::random::bernoulli_distribution<double>(rates.up / (rates.up + rates.down))(risk_streams_[c.ldu]);
  const std::int32_t before = s_.points_of(c);
  const int tier_before = c.tier;
  c.tier = static_cast<std::uint8_t>(escalate ? tier_escalated(c.tier) : tier_deescalated(c.tier));
  cases_->tier_changed(id, tier_before);
  FlowSummary& flow = s_.flows[c.ldu];
  if (s_.in_window) ++(escalate ? flow.escalations : flow.deescalations);
  if (c.officer != kNoOfficer) cases_->change_points(c.officer, s_.points_of(c) - before, now);
  schedule_risk(id, now);
  const TaskParameters& p = s_.scenario.tasks;
  if (!escalate) {
    place_task(new_task(TaskKind::deescalation_review, c.ldu, id, p.review_hours,
                        now + kDaysPerWorkingDay * p.deescalation_review_deadline_working_days, now),
               now);
    return;
  }

  // Higher risk may need a higher grade: move the case if its officer's grade
  // is no longer eligible; then the (new) holder reviews the risk plan.
  if (c.officer != kNoOfficer &&
      !eligible(s_.allocation.eligibility[protect_level(c.tier)], s_.officers[c.officer].grade))
    cases_->reallocate(id, ReallocationCause::escalation, now);
  place_task(new_task(TaskKind::plan_review, c.ldu, id, p.review_hours,
                      now + kDaysPerWorkingDay * p.review_deadline_working_days, now),
             now);
}

// --- victims

void TaskWork::maybe_open_victim_case(std::uint32_t id, double probability, double now, bool initial) {
  if (probability <= 0.0) return;
  Case& c = s_.cases[id];
  sim::Engine& engine = victim_streams_[c.ldu];
  if (!boost::random::bernoulli_distribution<double>(probability)(engine)) return;
  const VictimParameters& v = s_.scenario.victims;
  VictimCase victim;
  victim.created = now;
  victim.offender_case = id;
  victim.ldu = c.ldu;
  if (v.opt_out_per_year > 0.0)
    victim.opt_out_at =
        now + boost::random::exponential_distribution<double>(v.opt_out_per_year / kDaysPerYear)(engine);
  const auto index = static_cast<std::uint32_t>(s_.victims.size());
  s_.victims.push_back(victim);
  c.victim = index;
  if (s_.in_window) ++s_.flows[c.ldu].victim_cases;
  if (victim.opt_out_at >= 0.0) s_.events.push(c.ldu, victim.opt_out_at, kVictimOptOut, index);
  assign_victim_case(index, now);
  if (!initial)
    s_.victims[index].first_contact = new_task(TaskKind::victim_first_contact, c.ldu, index, v.contact_hours,
                                               now + kDaysPerWorkingDay * v.first_contact_working_days, now);
  if (s_.victims[index].first_contact != kNone) place_task(s_.victims[index].first_contact, now);
}

std::pair<std::uint32_t, std::uint32_t> TaskWork::victim_unit(std::uint32_t ldu) const {
  if (s_.scenario.victims.pooled) return {0, static_cast<std::uint32_t>(s_.ldu_count())};
  return {ldu, ldu + 1};
}

void TaskWork::assign_victim_case(std::uint32_t victim, double now) {
  if (s_.victim_ended(victim)) return; // an ended case left in a waiting list
  VictimCase& v = s_.victims[victim];
  static constexpr Grade kVlo[] = {Grade::VLO};
  std::uint32_t vlo = kNone;
  double best = std::numeric_limits<double>::infinity();
  const auto [first, last] = victim_unit(v.ldu);
  for (std::uint32_t l = first; l < last; ++l) {
    const std::uint32_t o = least_loaded_by_hours(l, kVlo);
    if (o == kNone) continue;
    const double load = (s_.load_hours(o) + s_.backlog_hours(o)) / s_.lives[o].available_hours;
    if (load < best) best = load, vlo = o;
  }
  if (vlo == kNone) {
    s_.unassigned_victims[v.ldu].push_back(victim);
    return;
  }
  v.vlo = vlo;
  ++s_.lives[vlo].victim_cases;
  s_.lives[vlo].victims_held.push_back(victim);
  officer_load_changed(vlo, now);
}

void TaskWork::move_victim_case(std::uint32_t victim, std::uint32_t to, double now) {
  VictimCase& v = s_.victims[victim];
  OfficerLife& from = s_.lives[v.vlo];
  --from.victim_cases;
  from.victims_held.erase(std::find(from.victims_held.begin(), from.victims_held.end(), victim));
  officer_load_changed(v.vlo, now);
  v.vlo = to;
  ++s_.lives[to].victim_cases;
  s_.lives[to].victims_held.push_back(victim);
  officer_load_changed(to, now);
}

void TaskWork::rebalance_victims(std::uint32_t vlo, double now) {
  // The unit's VLOs who can take work now; the newcomer takes cases from the
  // most loaded (the lowest index among equals) until it holds the mean share,
  // rounded down, or nobody holds more than one case above it.
  std::vector<std::uint32_t> unit;
  std::int64_t total = 0;
  const auto [first, last] = victim_unit(s_.officers[vlo].ldu);
  for (std::uint32_t l = first; l < last; ++l)
    for (std::uint32_t o : s_.rosters[l].by_grade[static_cast<int>(Grade::VLO)])
      if (s_.lives[o].available_hours > 0.0 && s_.officers[o].duty == Duty::caseload) {
        unit.push_back(o);
        total += s_.lives[o].victim_cases;
      }
  if (unit.size() < 2) return;
  const std::int64_t share = total / static_cast<std::int64_t>(unit.size());
  while (s_.lives[vlo].victim_cases < share) {
    std::uint32_t donor = kNone;
    for (std::uint32_t o : unit)
      if (donor == kNone || s_.lives[o].victim_cases > s_.lives[donor].victim_cases) donor = o;
    if (donor == vlo || s_.lives[donor].victim_cases <= s_.lives[vlo].victim_cases + 1) break;
    move_victim_case(s_.lives[donor].victims_held.back(), vlo, now);
  }
}

void TaskWork::victim_contact(std::uint32_t victim, double now) {
  if (s_.victim_ended(victim)) return;
  const VictimCase& v = s_.victims[victim];
  const VictimParameters& p = s_.scenario.victims;
  place_task(new_task(TaskKind::victim_contact, v.ldu, victim, p.contact_hours,
                      now + kDaysPerWorkingDay * p.contact_deadline_working_days, now),
             now);
}

void TaskWork::close_victim_case(std::uint32_t victim, bool opted_out, double now) {
  if (s_.victim_ended(victim)) return;
  VictimCase& v = s_.victims[victim];
  v.ended = now;
  v.opted_out = opted_out;
  s_.cases[v.offender_case].victim = kNone;
  if (v.vlo != kNone) {
    OfficerLife& vlo = s_.lives[v.vlo];
    --vlo.victim_cases;
    vlo.victims_held.erase(std::find(vlo.victims_held.begin(), vlo.victims_held.end(), victim));
    officer_load_changed(v.vlo, now);
  } else {
    // Left in the LDU's waiting list (assign_victim_case passes over ended
    // cases) until the ended outnumber the waiting: O(1) amortised, where
    // finding it there cost a pass over every victim case waiting for a VLO.
    auto& waiting = s_.unassigned_victims[v.ldu];
    if (2 * ++ended_waiting_victims_[v.ldu] > waiting.size()) {
      std::erase_if(waiting, [&](std::uint32_t w) { return s_.victim_ended(w); });
      ended_waiting_victims_[v.ldu] = 0;
    }
  }
  s_.release_records(kNone, victim); // last: `v` may go with it
}

void TaskWork::on_victim_opt_out(std::uint32_t victim, double now) {
  if (s_.victim_ended(victim)) return;
  close_victim_case(victim, true, now);
}

} // namespace caseload::replication
