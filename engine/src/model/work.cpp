// Officer time and tasks, court reports, risk changes, parole reports and
// victim contact.
//
// Each officer's week: available hours (contracted, less reductions; none
// while absent) minus the hours the cases held take (in proportion to their
// points, the nominal target being a full week) leaves spare hours, which
// serve the officer's tasks earliest deadline first. An officer over 100%
// capacity has no spare hours, so tasks wait: lateness follows from load.

#include "caseload/model/simulation.hpp"

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace caseload::model {
namespace {

constexpr double kDaysPerWorkingDay = 7.0 / 5.0;
constexpr double kDaysPerYear = 365.25;

// The hours a report takes: its WMT points are a load carried for the
// counting period, at nominal_target points = default_contracted_hours a week.
double report_hours(const WorkloadParameters& w, const TaskParameters& t, int points) {
  return points * w.default_contracted_hours / w.nominal_target_points * t.report_points_period_days / 7.0;
}

} // namespace


std::uint32_t Simulation::new_task(TaskKind kind, std::uint16_t ldu, std::uint32_t subject,
                                   double hours, double deadline, double now) {
  Task t;
  t.kind = kind;
  t.ldu = ldu;
  t.subject = subject;
  t.created = now;
  t.deadline = deadline;
  t.hours = t.hours_left = hours;
  t.in_window = in_window_;
  if (kind == TaskKind::parole_report || kind == TaskKind::plan_review)
    t.subject_generation = cases_[subject].generation;
  tasks_.push_back(t);
  return static_cast<std::uint32_t>(tasks_.size() - 1);
}

namespace {
// EDF order: earlier deadline first, then the older task.
struct LaterDeadline {
  const std::vector<Task>* tasks;
  bool operator()(std::uint32_t a, std::uint32_t b) const {
    const Task& x = (*tasks)[a];
    const Task& y = (*tasks)[b];
    return x.deadline > y.deadline || (x.deadline == y.deadline && a > b);
  }
};
} // namespace

void Simulation::assign_task(std::uint32_t task, std::uint32_t officer, double now) {
  advance_work(officer, now);
  tasks_[task].officer = officer;
  lives_[officer].task_hours += tasks_[task].hours_left;
  auto& heap = lives_[officer].tasks;
  heap.push_back(task);
  std::push_heap(heap.begin(), heap.end(), LaterDeadline{&tasks_});
  reschedule_work(officer, now);
}

// Books the work done since the last update on the task being worked.
void Simulation::advance_work(std::uint32_t officer, double now) {
  OfficerLife& life = lives_[officer];
  if (life.working_on != kNone) {
    Task& t = tasks_[life.working_on];
    const double done = std::min(t.hours_left, life.rate * (now - life.work_since));
    t.hours_left -= done;
    life.task_hours = std::max(0.0, life.task_hours - done);
  }
  life.work_since = now;
}

// After any change to the officer's tasks or spare time: work on the most
// urgent task at the current rate, and expect it done when its hours run out.
void Simulation::reschedule_work(std::uint32_t officer, double now) {
  OfficerLife& life = lives_[officer];
  const double available = available_hours(officer);
  life.rate = std::max(scenario_.tasks.minimum_task_share * available, available - load_hours(officer)) / 7.0;
  life.working_on = life.tasks.empty() ? kNone : life.tasks.front();
  life.next_done = -1.0;
  if (life.working_on == kNone || life.rate <= 0.0) return;
  Task& t = tasks_[life.working_on];
  if (t.started < 0.0) t.started = now;
  life.next_done = now + t.hours_left / life.rate;
  events_.push(life.next_done, kTaskDone, officer);
}

void Simulation::officer_load_changed(std::uint32_t officer, double now) {
  OfficerLife& life = lives_[officer];
  if (life.tasks.empty()) return; // the rate is recomputed when a task arrives
  advance_work(officer, now);
  reschedule_work(officer, now);
}

void Simulation::on_task_done(std::uint32_t officer, double now) {
  OfficerLife& life = lives_[officer];
  if (now != life.next_done) return; // superseded by a reschedule
  auto& heap = life.tasks;
  std::pop_heap(heap.begin(), heap.end(), LaterDeadline{&tasks_});
  Task& t = tasks_[heap.back()];
  heap.pop_back();
  life.task_hours = heap.empty() ? 0.0 : std::max(0.0, life.task_hours - t.hours_left);
  t.hours_left = 0.0;
  t.completed = now;
  life.working_on = kNone;
  life.work_since = now;
  reschedule_work(officer, now);
}

std::uint32_t Simulation::least_loaded_by_hours(std::uint32_t ldu, std::span<const Grade> grades) const {
  // Lowest share of available hours already committed (cases held plus open
  // tasks); ties go to the earlier grade in the list, then the lower index.
  std::uint32_t best = kNone;
  double best_load = std::numeric_limits<double>::infinity();
  for (Grade g : grades)
    for (std::uint32_t o : rosters_[ldu].by_grade[static_cast<int>(g)]) {
      const double hours = available_hours(o);
      if (hours <= 0.0) continue;
      const double load = (load_hours(o) + backlog_hours(o)) / hours;
      if (load < best_load) {
        best_load = load;
        best = o;
      }
    }
  return best;
}

void Simulation::place_task(std::uint32_t task, double now) {
  Task& t = tasks_[task];
  std::uint32_t officer = kNone;
  switch (t.kind) {
  case TaskKind::fdr:
  case TaskKind::sdr:
    officer = least_loaded_by_hours(t.ldu, scenario_.tasks.court_grades);
    break;
  case TaskKind::parole_report:
  case TaskKind::plan_review: {
    Case& c = cases_[t.subject];
    if (c.generation != t.subject_generation) { // the case has ended: any PO of the LDU
      static constexpr Grade kPo[] = {Grade::PO};
      officer = least_loaded_by_hours(t.ldu, kPo);
      break;
    }
    if (c.officer == kNoOfficer) { // waits for whoever is allocated the case next
      unassigned_tasks_[t.ldu].push_back(task);
      return;
    }
    officer = c.officer;
    break;
  }
  case TaskKind::victim_first_contact:
  case TaskKind::victim_contact:
    officer = victims_[t.subject].vlo;
    break;
  }
  if (officer == kNone) {
    unassigned_tasks_[t.ldu].push_back(task);
    return;
  }
  assign_task(task, officer, now);
}

void Simulation::retry_unassigned(std::uint32_t ldu, double now) {
  // Victim cases first, so that their waiting contacts find the new VLO.
  std::vector<std::uint32_t> victims;
  victims.swap(unassigned_victims_[ldu]);
  for (std::uint32_t v : victims) assign_victim_case(v, now);
  std::vector<std::uint32_t> waiting;
  waiting.swap(unassigned_tasks_[ldu]);
  for (std::uint32_t t : waiting) place_task(t, now);
}

// --- court reports

void Simulation::schedule_next_court_report(std::uint32_t ldu, double now) {
  const double rate = scenario_.ldus[ldu].court_reports_per_week / 7.0 * demand_factor_[ldu];
  if (rate <= 0.0) {
    next_court_report_[ldu] = -1.0;
    return;
  }
  next_court_report_[ldu] = now + next_gap(rate, court_streams_[ldu]);
  events_.push(next_court_report_[ldu], kCourtReport, ldu);
}

void Simulation::on_court_report(std::uint32_t ldu, double now) {
  if (now != next_court_report_[ldu]) return; // superseded by a change of demand
  const TaskParameters& p = scenario_.tasks;
  const bool sdr = boost::random::bernoulli_distribution<double>(p.sdr_share)(court_streams_[ldu]);
  schedule_next_court_report(ldu, now);
  const WorkloadParameters& w = scenario_.workload;
  const double hours = report_hours(w, p, sdr ? w.sdr_points : w.fdr_points);
  const double deadline =
      now + kDaysPerWorkingDay * (sdr ? p.sdr_deadline_working_days : p.fdr_deadline_working_days);
  place_task(new_task(sdr ? TaskKind::sdr : TaskKind::fdr, static_cast<std::uint16_t>(ldu), kNone,
                      hours, deadline, now),
             now);
}

// --- parole reports

void Simulation::schedule_parole_report(std::uint32_t id, double now) {
  const TaskParameters& p = scenario_.tasks;
  Case& c = cases_[id];
  if (!p.parole_reports || !c.parole_eligible) return;
  c.parole_eligible = false; // one report per sentence
  // A day-0 case released within the report's notice was reported on before the run.
  if (c.phase_ends - p.parole_due_before_release_days <= now) return;
  events_.push(std::max(now, c.phase_ends - p.parole_lead_days), kParoleReport, id);
}

void Simulation::on_parole_report(std::uint32_t id, double now) {
  const TaskParameters& p = scenario_.tasks;
  Case& c = cases_[id];
  const WorkloadParameters& w = scenario_.workload;
  const double deadline = std::max(now, c.phase_ends - p.parole_due_before_release_days);
  place_task(new_task(TaskKind::parole_report, c.ldu, id, report_hours(w, p, w.parole_points),
                      deadline, now),
             now);
  if (c.victim != kNone) victim_contact(c.victim, now); // the parole process
}

// --- risk

void Simulation::schedule_risk(std::uint32_t id, double now) {
  Case& c = cases_[id];
  const CaseTypeParameters& type = scenario_.case_types[static_cast<int>(c.type)];
  const int level = protect_level(c.tier);
  const double up = level > 0 ? type.escalations_per_year[level] : 0.0;
  const double down = level < kProtectLevelCount - 1 ? type.deescalations_per_year[level] : 0.0;
  c.next_risk = -1.0;
  if (up + down <= 0.0) return;
  c.next_risk =
      now + boost::random::exponential_distribution<double>((up + down) / kDaysPerYear)(risk_streams_[c.ldu]);
  events_.push(c.next_risk, kRiskChange, id);
}

void Simulation::on_risk_change(std::uint32_t id, double now) {
  Case& c = cases_[id];
  if (now != c.next_risk) return; // superseded, or the case has ended
  const CaseTypeParameters& type = scenario_.case_types[static_cast<int>(c.type)];
  const int level = protect_level(c.tier);
  const double up = level > 0 ? type.escalations_per_year[level] : 0.0;
  const double down = level < kProtectLevelCount - 1 ? type.deescalations_per_year[level] : 0.0;
  const bool escalate =
      boost::random::bernoulli_distribution<double>(up / (up + down))(risk_streams_[c.ldu]);
  const std::int32_t before = points_of(c);
  c.tier = static_cast<std::uint8_t>(c.tier + (escalate ? -4 : 4)); // one protect level
  FlowSummary& flow = flows_[c.ldu];
  if (in_window_) ++(escalate ? flow.escalations : flow.deescalations);
  if (c.officer != kNoOfficer) change_points(c.officer, points_of(c) - before, now);
  schedule_risk(id, now);
  if (!escalate) return;

  // Higher risk may need a higher grade: move the case if its officer's grade
  // is no longer eligible; then the (new) holder reviews the risk plan.
  if (c.officer != kNoOfficer) {
    if (!eligible(allocation_.eligibility[protect_level(c.tier)], officers_[c.officer].grade))
      reallocate(id, ReallocationCause::escalation, now);
  }
  const TaskParameters& p = scenario_.tasks;
  place_task(new_task(TaskKind::plan_review, c.ldu, id, p.review_hours,
                      now + kDaysPerWorkingDay * p.review_deadline_working_days, now),
             now);
}

// --- victims

void Simulation::maybe_open_victim_case(std::uint32_t id, double p, double now, bool initial) {
  if (p <= 0.0) return;
  Case& c = cases_[id];
  sim::Engine& engine = victim_streams_[c.ldu];
  if (!boost::random::bernoulli_distribution<double>(p)(engine)) return;
  const VictimParameters& v = scenario_.victims;
  VictimCase victim;
  victim.created = now;
  victim.offender_case = id;
  victim.ldu = c.ldu;
  if (v.opt_out_per_year > 0.0)
    victim.opt_out_at =
        now + boost::random::exponential_distribution<double>(v.opt_out_per_year / kDaysPerYear)(engine);
  const auto index = static_cast<std::uint32_t>(victims_.size());
  victims_.push_back(victim);
  c.victim = index;
  if (in_window_) ++flows_[c.ldu].victim_cases;
  if (victim.opt_out_at >= 0.0) events_.push(victim.opt_out_at, kVictimOptOut, index);
  assign_victim_case(index, now);
  if (!initial)
    victims_[index].first_contact =
        new_task(TaskKind::victim_first_contact, c.ldu, index, v.contact_hours,
                 now + kDaysPerWorkingDay * v.first_contact_working_days, now);
  if (victims_[index].first_contact != kNone) place_task(victims_[index].first_contact, now);
}

void Simulation::assign_victim_case(std::uint32_t victim, double now) {
  VictimCase& v = victims_[victim];
  if (v.ended >= 0.0) return;
  static constexpr Grade kVlo[] = {Grade::VLO};
  const std::uint32_t vlo = least_loaded_by_hours(v.ldu, kVlo);
  if (vlo == kNone) {
    unassigned_victims_[v.ldu].push_back(victim);
    return;
  }
  v.vlo = vlo;
  ++lives_[vlo].victim_cases;
  lives_[vlo].victims_held.push_back(victim);
  officer_load_changed(vlo, now);
}

void Simulation::victim_contact(std::uint32_t victim, double now) {
  const VictimCase& v = victims_[victim];
  if (v.ended >= 0.0) return;
  const VictimParameters& p = scenario_.victims;
  place_task(new_task(TaskKind::victim_contact, v.ldu, victim, p.contact_hours,
                      now + kDaysPerWorkingDay * p.contact_deadline_working_days, now),
             now);
}

void Simulation::close_victim_case(std::uint32_t victim, bool opted_out, double now) {
  VictimCase& v = victims_[victim];
  if (v.ended >= 0.0) return;
  v.ended = now;
  v.opted_out = opted_out;
  cases_[v.offender_case].victim = kNone;
  if (v.vlo != kNone) {
    OfficerLife& vlo = lives_[v.vlo];
    --vlo.victim_cases;
    vlo.victims_held.erase(std::find(vlo.victims_held.begin(), vlo.victims_held.end(), victim));
    officer_load_changed(v.vlo, now);
  } else {
    auto& waiting = unassigned_victims_[v.ldu];
    waiting.erase(std::remove(waiting.begin(), waiting.end(), victim), waiting.end());
  }
}

void Simulation::on_victim_opt_out(std::uint32_t victim, double now) {
  if (victims_[victim].ended >= 0.0) return;
  close_victim_case(victim, true, now);
}

} // namespace caseload::model
