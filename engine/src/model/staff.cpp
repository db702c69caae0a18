// Staff: establishment and officers in post, trainees' reduction schedule and
// qualification, leavers and refills, sickness absence, and interventions.

#include "caseload/model/simulation.hpp"

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cassert>

namespace caseload::model {
namespace {

constexpr double kDaysPerYear = 365.25;
// add_officer's training_elapsed_days for a trainee already somewhere in training.
constexpr double kSpreadThroughTraining = -2.0;

const StaffingParameters& staffing_or_default(const Scenario& s) {
  static const StaffingParameters kDefault{}; // no leavers, no sickness; WMT trainee schedule
  return s.staffing ? *s.staffing : kDefault;
}

bool holds_caseload(Grade g) { return g != Grade::SPO && g != Grade::VLO; }

// The trainee steps, then the newly qualified steps.
std::vector<ReductionStep> schedule_of(const StaffingParameters& p) {
  std::vector<ReductionStep> steps = p.trainee_reductions;
  steps.insert(steps.end(), p.newly_qualified_reductions.begin(), p.newly_qualified_reductions.end());
  return steps;
}

} // namespace

void Simulation::build_staff() {
  const std::size_t ldu_count = scenario_.ldus.size();
  rosters_.resize(ldu_count);
  establishment_.resize(ldu_count);
  joined_count_.resize(ldu_count);
  for (std::uint32_t l = 0; l < ldu_count; ++l) {
    for (int g = 0; g < kGradeCount; ++g) {
      const StaffGroup& group = scenario_.ldus[l].staff[g];
      establishment_[l][g] = group.establishment;
      for (int i = 0; i < group.in_post; ++i) {
        // With staffing dynamics, trainees in post at day 0 are spread evenly
        // through their training; without, they keep the scenario's static reduction.
        // With staffing dynamics, day-0 trainees are spread evenly through
        // their training; without, they keep the scenario's static reduction.
        add_officer(l, Grade(g), RecruitKind::experienced, 0.0,
                    scenario_.staffing && Grade(g) == Grade::PQiP ? kSpreadThroughTraining : -1.0);
      }
    }
    if (scenario_.staffing) recruit_day0_vacancies(l);
  }
}

// Day-0 vacancies are already being recruited to: each hire lands after a
// residual time-to-hire (a recruitment caught in progress). PO vacancies that
// day-0 trainees will fill on qualifying are not advertised again.
void Simulation::recruit_day0_vacancies(std::uint32_t ldu) {
  const StaffingParameters& p = *scenario_.staffing;
  const auto& staff = scenario_.ldus[ldu].staff;
  for (int g = 0; g < kGradeCount; ++g) {
    if (!p.fill_initial_vacancies[g]) continue;
    int vacancies = staff[g].establishment - staff[g].in_post;
    if (Grade(g) == Grade::PO && p.refill_po_with == RecruitKind::trainee)
      vacancies -= staff[static_cast<int>(Grade::PQiP)].in_post;
    for (int i = 0; i < vacancies; ++i)
      advertise(ldu, Grade(g), p.time_to_hire_days.sample_residual(staffing_streams_[ldu]));
  }
}

void Simulation::advertise(std::uint32_t ldu, Grade post, double hire_at) {
  const StaffingParameters& p = *scenario_.staffing;
  // PQiP places take new trainees; PO posts take trainees (who fill the post
  // on qualifying) or experienced POs, as the scenario says.
  const RecruitKind kind = post == Grade::PQiP || (post == Grade::PO && p.refill_po_with == RecruitKind::trainee)
                               ? RecruitKind::trainee
                               : RecruitKind::experienced;
  hires_.push_back(Hire{ldu, post, kind});
  events_.push(hire_at, kHire, static_cast<std::uint32_t>(hires_.size() - 1));
}

std::uint32_t Simulation::add_officer(std::uint32_t ldu, Grade grade, RecruitKind kind, double now,
                                      double training_elapsed_days) {
  if (kind == RecruitKind::trainee && grade == Grade::PO) grade = Grade::PQiP;
  // Anyone recruited into a PQiP place during the run, or with staffing
  // dynamics on, is a trainee following the reduction schedule.
  const bool trainee = grade == Grade::PQiP && (now > 0.0 || kind == RecruitKind::trainee ||
                                                training_elapsed_days >= 0.0 || scenario_.staffing);
  const StaffGroup& group = scenario_.ldus[ldu].staff[static_cast<int>(grade)];
  const auto id = static_cast<std::uint32_t>(officers_.size());
  Officer o;
  o.ldu = ldu;
  o.grade = grade;
  o.contracted_hours = group.contracted_hours > 0.0 ? group.contracted_hours
                                                    : scenario_.workload.default_contracted_hours;
  officers_.push_back(o);
  OfficerLife life;
  const std::uint32_t ordinal = joined_count_[ldu][static_cast<int>(grade)]++;
  const std::uint32_t stream_group = ldu * kGradeCount + static_cast<std::uint32_t>(grade);
  life.staffing = sim::make_stream<sim::SmallEngine>(
      stream_key(scenario_.seed, replication_, StreamPurpose::staffing, stream_group, ordinal));
  life.sickness = sim::make_stream<sim::SmallEngine>(
      stream_key(scenario_.seed, replication_, StreamPurpose::sickness, stream_group, ordinal));
  life.joined = now;
  life.first_grade = grade;
  // A trainee's schedule replaces the static reduction of the PQiP grade.
  life.static_reduction = trainee ? 0.0 : group.reduction_percent / 100.0;
  life.work_since = now;
  lives_.push_back(life);
  rosters_[ldu].by_grade[static_cast<int>(grade)].push_back(id);
  policy_->joined(id, officers_);
  if (trainee) {
    double elapsed = std::max(0.0, training_elapsed_days);
    if (training_elapsed_days == kSpreadThroughTraining) {
      double training_days = 0.0;
      for (const auto& step : staffing_or_default(scenario_).trainee_reductions)
        training_days += step.months * days_per_month_;
      elapsed = boost::random::uniform_real_distribution<double>(0.0, training_days)(lives_[id].staffing);
    }
    schedule_step(id, now, elapsed);
  }
  if (scenario_.staffing) {
    schedule_leave(id, now);
    schedule_absence(id, now);
  }
  update_capacity(id, now);
  if (now > 0.0) retry_unassigned(ldu, now);
  return id;
}

void Simulation::update_capacity(std::uint32_t officer, double now) {
  Officer& o = officers_[officer];
  const double before = o.available_points;
  OfficerLife& life = lives_[officer];
  const double reduction = std::min(1.0, life.static_reduction + life.schedule_reduction);
  const bool in_post = o.state == OfficerState::in_post;
  life.available_hours = in_post ? o.contracted_hours * (1.0 - reduction) : 0.0;
  o.available_points = holds_caseload(o.grade) && in_post
                           ? scenario_.workload.available_points(o.contracted_hours,
                                                                 o.contracted_hours * reduction)
                           : 0.0;
  policy_->load_changed(officer, officers_);
  officer_load_changed(officer, now);
  if (o.available_points > before) serve_queues_near(o.ldu, now);
}

// Puts the officer at the step of the reduction schedule that `elapsed` days
// of it reach, and books the next change.
void Simulation::schedule_step(std::uint32_t officer, double now, double elapsed) {
  const auto steps = schedule_of(staffing_or_default(scenario_));
  OfficerLife& life = lives_[officer];
  double start = 0.0;
  for (std::uint32_t k = 0; k < steps.size(); ++k) {
    const double end = start + steps[k].months * days_per_month_;
    if (elapsed < end) {
      life.schedule_step = k;
      life.schedule_reduction = steps[k].percent / 100.0;
      events_.push(now + (end - elapsed), kStaffStep, officer);
      return;
    }
    start = end;
  }
  life.schedule_step = kNone;
  life.schedule_reduction = 0.0;
}

void Simulation::on_staff_step(std::uint32_t officer, double now) {
  Officer& o = officers_[officer];
  OfficerLife& life = lives_[officer];
  if (o.state == OfficerState::left || life.schedule_step == kNone) return;
  const StaffingParameters& p = staffing_or_default(scenario_);
  const auto steps = schedule_of(p);
  const std::uint32_t next = life.schedule_step + 1;
  if (next == p.trainee_reductions.size() && o.grade == Grade::PQiP) {
    // Qualifies: a newly qualified PO, keeping the cases held. The training
    // place closes and the new PO fills a vacant PO post, or a new one.
    auto& trainees = rosters_[o.ldu].by_grade[static_cast<int>(Grade::PQiP)];
    trainees.erase(std::find(trainees.begin(), trainees.end(), officer));
    policy_->left(officer);
    auto& pos = rosters_[o.ldu].by_grade[static_cast<int>(Grade::PO)];
    pos.push_back(officer);
    auto& posts = establishment_[o.ldu];
    posts[static_cast<int>(Grade::PQiP)] = std::max(0, posts[static_cast<int>(Grade::PQiP)] - 1);
    posts[static_cast<int>(Grade::PO)] =
        std::max(posts[static_cast<int>(Grade::PO)], static_cast<int>(pos.size()));
    o.grade = Grade::PO;
    policy_->joined(officer, officers_);
    if (scenario_.staffing) schedule_leave(officer, now); // a PO's leaving rate from now on
  }
  if (next < steps.size()) {
    life.schedule_step = next;
    life.schedule_reduction = steps[next].percent / 100.0;
    events_.push(now + steps[next].months * days_per_month_, kStaffStep, officer);
  } else {
    life.schedule_step = kNone;
    life.schedule_reduction = 0.0;
  }
  update_capacity(officer, now);
}

void Simulation::schedule_leave(std::uint32_t officer, double now) {
  OfficerLife& life = lives_[officer];
  const double rate = scenario_.staffing->leavers_per_year[static_cast<int>(officers_[officer].grade)];
  life.leave_at = -1.0;
  if (rate <= 0.0) return;
  life.leave_at = now + boost::random::exponential_distribution<double>(rate / kDaysPerYear)(life.staffing);
  events_.push(life.leave_at, kLeave, officer);
}

void Simulation::on_leave(std::uint32_t officer, double now) {
  const Officer& o = officers_[officer];
  if (o.state == OfficerState::left || now != lives_[officer].leave_at) return;
  const std::uint32_t ldu = o.ldu;
  const Grade grade = o.grade;
  remove_officer(officer, ReallocationCause::leaver, now);
  const StaffingParameters& p = *scenario_.staffing;
  if (p.refill_vacancies) advertise(ldu, grade, now + p.time_to_hire_days.sample(lives_[officer].staffing));
}

void Simulation::on_hire(std::uint32_t hire, double now) {
  const Hire& h = hires_[hire];
  const auto post = static_cast<int>(h.grade);
  if (h.kind == RecruitKind::trainee && h.grade == Grade::PO) {
    // A trainee against a PO post: a training place opens, the post stays
    // vacant until they qualify (unless an intervention cut it meanwhile).
    if (static_cast<int>(rosters_[h.ldu].by_grade[post].size()) >= establishment_[h.ldu][post]) return;
    ++establishment_[h.ldu][static_cast<int>(Grade::PQiP)];
  } else if (static_cast<int>(rosters_[h.ldu].by_grade[post].size()) >= establishment_[h.ldu][post]) {
    return; // an intervention cut the post meanwhile
  }
  add_officer(h.ldu, h.grade, h.kind, now, h.kind == RecruitKind::trainee ? 0.0 : -1.0);
}

void Simulation::remove_officer(std::uint32_t officer, ReallocationCause cause, double now) {
  Officer& o = officers_[officer];
  advance_work(officer, now);
  // Out of the roster and without capacity first, so no work comes back.
  o.state = OfficerState::left;
  lives_[officer].left = now;
  o.available_points = 0.0;
  lives_[officer].available_hours = 0.0;
  auto& roster = rosters_[o.ldu].by_grade[static_cast<int>(o.grade)];
  roster.erase(std::find(roster.begin(), roster.end(), officer));
  policy_->left(officer);
  move_work_away(officer, cause, now);
}

void Simulation::move_work_away(std::uint32_t officer, ReallocationCause cause, double now) {
  OfficerLife& life = lives_[officer];
  advance_work(officer, now);
  // Victim cases, then offender cases, then the tasks, which follow them.
  std::vector<std::uint32_t> victims;
  victims.swap(life.victims_held);
  life.victim_cases = 0;
  for (std::uint32_t v : victims) {
    victims_[v].vlo = kNone;
    assign_victim_case(v, now);
  }
  while (life.first_case != kNone) reallocate(life.first_case, cause, now);
  std::vector<std::uint32_t> tasks;
  tasks.swap(life.tasks);
  life.task_hours = 0.0;
  life.working_on = kNone;
  life.next_done = -1.0;
  for (std::uint32_t t : tasks) {
    tasks_[t].officer = kNone;
    place_task(t, now);
  }
}

void Simulation::schedule_absence(std::uint32_t officer, double now) {
  const StaffingParameters& p = *scenario_.staffing;
  const double rate = p.short_sickness_per_year + p.long_sickness_per_year;
  if (rate <= 0.0) return;
  events_.push(now + boost::random::exponential_distribution<double>(rate / kDaysPerYear)(
                         lives_[officer].sickness),
               kAbsenceStart, officer);
}

void Simulation::on_absence_start(std::uint32_t officer, double now) {
  Officer& o = officers_[officer];
  if (o.state != OfficerState::in_post) return;
  const StaffingParameters& p = *scenario_.staffing;
  sim::SmallEngine& engine = lives_[officer].sickness;
  const bool long_term = boost::random::bernoulli_distribution<double>(
      p.long_sickness_per_year / (p.short_sickness_per_year + p.long_sickness_per_year))(engine);
  const double days = (long_term ? p.long_sickness_days : p.short_sickness_days).sample(engine);
  OfficerLife& life = lives_[officer];
  advance_work(officer, now);
  o.state = OfficerState::absent;
  life.absent_until = now + days;
  events_.push(life.absent_until, kAbsenceEnd, officer);
  life.reallocate_at = -1.0;
  if (long_term && p.reallocate_after_weeks * 7.0 < days) {
    life.reallocate_at = now + p.reallocate_after_weeks * 7.0;
    events_.push(life.reallocate_at, kReallocateAbsent, officer);
  }
  update_capacity(officer, now);
}

void Simulation::on_absence_end(std::uint32_t officer, double now) {
  Officer& o = officers_[officer];
  if (o.state != OfficerState::absent || now != lives_[officer].absent_until) return;
  advance_work(officer, now);
  o.state = OfficerState::in_post;
  update_capacity(officer, now);
  schedule_absence(officer, now);
  retry_unassigned(o.ldu, now); // work that found nobody while they were away
}

void Simulation::on_reallocate_absent(std::uint32_t officer, double now) {
  if (officers_[officer].state != OfficerState::absent || now != lives_[officer].reallocate_at) return;
  move_work_away(officer, ReallocationCause::absence, now);
}

void Simulation::set_demand(std::uint32_t ldu, double factor, double now) {
  const double before = demand_factor_[ldu];
  if (factor == before) return;
  demand_factor_[ldu] = factor;
  // The time left to each pending arrival is rescaled by old rate / new rate.
  // For an exponential gap (memoryless) that is exact, and it keeps the same
  // draws, so a variant stays paired with its baseline (common random numbers).
  // The events already queued become stale.
  auto rescale = [&](double& next, EventKind kind, std::uint32_t id, auto restart) {
    if (factor <= 0.0) {
      next = -1.0; // demand stops
    } else if (next < 0.0) {
      restart(); // demand starts again: a fresh draw
    } else {
      next = now + (next - now) * before / factor;
      events_.push(next, kind, id);
    }
  };
  for (int t = 0; t < kCaseTypeCount; ++t) {
    const std::uint32_t flow = ldu * kCaseTypeCount + static_cast<std::uint32_t>(t);
    rescale(next_arrival_[flow], kArrival, flow, [&] { schedule_next_arrival(flow, now); });
  }
  rescale(next_court_report_[ldu], kCourtReport, ldu, [&] { schedule_next_court_report(ldu, now); });
}

void Simulation::on_intervention(std::uint32_t index, double now) {
  const Intervention& in = scenario_.interventions[index];
  std::vector<std::uint32_t> ldus;
  if (in.ldu) ldus.push_back(static_cast<std::uint32_t>(*in.ldu));
  else
    for (std::uint32_t l = 0; l < scenario_.ldus.size(); ++l) ldus.push_back(l);
  for (std::uint32_t l : ldus) {
    for (int g = 0; g < kGradeCount; ++g) {
      int n = in.add_staff[g];
      if (n > 0) {
        // Trainees recruited to PO posts fill PQiP places until they qualify.
        const Grade post = in.recruits == RecruitKind::trainee && Grade(g) == Grade::PO ? Grade::PQiP : Grade(g);
        establishment_[l][static_cast<int>(post)] += n;
        for (int i = 0; i < n; ++i) add_officer(l, Grade(g), in.recruits, now, in.recruits == RecruitKind::trainee ? 0.0 : -1.0);
      } else if (n < 0) {
        establishment_[l][g] = std::max(0, establishment_[l][g] + n);
        auto& roster = rosters_[l].by_grade[g];
        for (; n < 0 && !roster.empty(); ++n) // the most recent joiners go first
          remove_officer(roster.back(), ReallocationCause::intervention, now);
      }
    }
    if (in.demand_factor) set_demand(l, *in.demand_factor, now);
  }
  if (in.policy || in.cap_percent || in.overflow) {
    if (in.policy) allocation_.policy = *in.policy;
    if (in.cap_percent) allocation_.cap_percent = *in.cap_percent;
    if (in.overflow) allocation_.overflow = *in.overflow;
    std::vector<sim::Engine> streams;
    for (std::uint32_t l = 0; l < scenario_.ldus.size(); ++l)
      streams.push_back(sim::make_stream(
          stream_key(scenario_.seed, replication_, StreamPurpose::policy, 1000000 + index * 65536 + l)));
    policy_ = policy::make_policy(allocation_, scenario_.ldus.size(), std::move(streams));
    policy_->attach(officers_, rosters_);
    for (std::uint32_t l = 0; l < scenario_.ldus.size(); ++l) serve_queue(l, now);
  }
}

} // namespace caseload::model
