#include "caseload/replication/workforce.hpp"

#include "caseload/replication/case_flow.hpp"
#include "caseload/replication/task_work.hpp"

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseload::replication {
namespace {

// add_officer's training_elapsed_days for a trainee already somewhere in training.
constexpr double kSpreadThroughTraining = -2.0;

const StaffingParameters& staffing_or_default(const Scenario& s) {
  static const StaffingParameters kDefault{}; // no leavers, no sickness; the WMT trainee schedule
  return s.staffing ? *s.staffing : kDefault;
}

} // namespace

Workforce::Workforce(SharedState& state)
    : s_(state), params_(staffing_or_default(state.scenario)) {
  schedule_ = params_.trainee_reductions;
  schedule_.insert(schedule_.end(), params_.newly_qualified_reductions.begin(),
                   params_.newly_qualified_reductions.end());
  joined_count_.resize(s_.ldu_count());
  // Per (LDU, grade), so that one grade's recruitment never shifts another's draws.
  recruitment_streams_ =
      s_.streams(StreamPurpose::recruitment, static_cast<std::uint32_t>(s_.ldu_count() * kGradeCount));
}

void Workforce::build_staff() {
  const Scenario& sc = s_.scenario;
  // A snapshot's officers, in the file's order; the scenario's in_post counts
  // them, so only posts added on top of the file (a staffing plan) remain.
  std::vector<std::array<int, kGradeCount>> present(s_.ldu_count());
  if (sc.snapshot)
    for (const SnapshotOfficer& o : sc.snapshot->officers) {
      const auto ldu = static_cast<std::uint32_t>(o.ldu);
      add_officer(ldu, o.grade, RecruitKind::experienced, 0.0, -1.0, &o);
      ++present[ldu][static_cast<int>(o.grade)];
    }
  for (std::uint32_t l = 0; l < s_.ldu_count(); ++l) {
    for (int g = 0; g < kGradeCount; ++g) {
      const StaffGroup& group = sc.ldus[l].staff[g];
      s_.establishment[l][g] = group.establishment;
      // With staffing dynamics, day-0 trainees are spread evenly through
      // their training; without, they keep the scenario's static reduction.
      for (int i = present[l][g]; i < group.in_post; ++i)
        add_officer(l, Grade(g), RecruitKind::experienced, 0.0,
                    sc.staffing && Grade(g) == Grade::PQiP ? kSpreadThroughTraining : -1.0);
    }
    if (sc.staffing) recruit_day0_vacancies(l);
  }
}

double Workforce::training_elapsed_at(double reduction, sim::SmallEngine& engine) const {
  double start = 0.0, best_start = 0.0, best_length = 0.0, best_gap = 2.0;
  for (const ReductionStep& step : params_.trainee_reductions) {
    const double length = step.months * kDaysPerMonth;
    if (const double gap = std::abs(step.percent / 100.0 - reduction); gap < best_gap) {
      best_gap = gap;
      best_start = start;
      best_length = length;
    }
    start += length;
  }
  return best_start + boost::random::uniform_real_distribution<double>(0.0, best_length)(engine);
}

void Workforce::start_day0_absence(std::uint32_t officer) {
  // Absences in progress at an instant are of each kind in proportion to the
  // days absent it accounts for (rate × mean length); the time left is the
  // equilibrium residual of its length. With no sickness rates, a long one.
  const StaffingParameters& p = params_;
  const double short_days = p.short_sickness_per_year * p.short_sickness_days.mean();
  const double long_days = p.long_sickness_per_year * p.long_sickness_days.mean();
  OfficerLife& life = s_.lives[officer];
  const bool long_term = short_days + long_days <= 0.0 ||
                         boost::random::bernoulli_distribution<double>(long_days / (short_days + long_days))(life.sickness);
  const double left = (long_term ? p.long_sickness_days : p.short_sickness_days).sample_residual(life.sickness);
  s_.officers[officer].state = OfficerState::absent;
  life.absent_until = left;
  s_.events.push(s_.officers[officer].ldu, left, kAbsenceEnd, officer);
}

// Day-0 vacancies are already being recruited to: each hire lands after a
// residual time-to-hire (a recruitment caught in progress). PO vacancies that
// day-0 trainees will fill on qualifying are not advertised again.
void Workforce::recruit_day0_vacancies(std::uint32_t ldu) {
  for (int g = 0; g < kGradeCount; ++g) {
    const int recruitments = day0_recruitments(ldu, Grade(g));
    for (int i = 0; i < recruitments; ++i)
      advertise(ldu, Grade(g), time_to_hire(ldu, Grade(g)).sample_residual(recruitment_streams_[ldu * kGradeCount + g]));
  }
}

int Workforce::day0_recruitments(std::uint32_t ldu, Grade grade) {
  const auto& staff = s_.scenario.ldus[ldu].staff;
  const StaffGroup& group = staff[static_cast<int>(grade)];
  const int trainees = staff[static_cast<int>(Grade::PQiP)].in_post;
  const bool trained_in = grade == Grade::PO && params_.refill_po_with == RecruitKind::trainee;
  if (const std::optional<double> target = target_vacancy_rate(ldu, grade)) {
    // A held vacancy rate: in post stays near establishment × (1 − rate) when
    // every leaver is replaced and the replacements under way match the
    // leavers over the lead time (Little's law: pipeline = rate × lead time).
    // Trainees in post are the training part of a PO pipeline.
    const double aim = group.establishment * (1.0 - *target);
    // The number under way is Poisson with that mean (M/G/inf), drawn rather
    // than rounded so that small groups keep their pipeline in expectation.
    const double pipeline = aim * leavers_per_year(ldu, grade) / kDaysPerYear * mean_lead_days(ldu, grade);
    const auto under_way = pipeline > 0.0 ? boost::random::poisson_distribution<int, double>(pipeline)(
                                                recruitment_streams_[ldu * kGradeCount + static_cast<int>(grade)])
                                          : 0;
    return std::max(0, under_way - (trained_in ? trainees : 0));
  }
  // Otherwise every day-0 vacancy is in recruitment (if the scenario says so).
  // PO vacancies that day-0 trainees will fill on qualifying are not advertised again.
  if (!params_.fill_initial_vacancies[static_cast<int>(grade)]) return 0;
  return std::max(0, group.establishment - group.in_post - (trained_in ? trainees : 0));
}

std::optional<double> Workforce::target_vacancy_rate(std::uint32_t ldu, Grade grade) const {
  const StaffGroup& group = s_.scenario.ldus[ldu].staff[static_cast<int>(grade)];
  if (group.target_vacancy_rate) return group.target_vacancy_rate;
  if (params_.hold_initial_vacancies[static_cast<int>(grade)] && group.establishment > 0)
    return 1.0 - static_cast<double>(group.in_post) / group.establishment;
  return std::nullopt;
}

double Workforce::leavers_per_year(std::uint32_t ldu, Grade grade) const {
  return model::leavers_per_year(s_.scenario.ldus[ldu].staff[static_cast<int>(grade)], params_, grade);
}

const sim::Distribution& Workforce::time_to_hire(std::uint32_t ldu, Grade grade) const {
  return model::time_to_hire(s_.scenario.ldus[ldu].staff[static_cast<int>(grade)], params_);
}

double Workforce::mean_lead_days(std::uint32_t ldu, Grade post) const {
  double days = time_to_hire(ldu, post).mean();
  if (recruit_kind_for(post, params_) == RecruitKind::trainee && post == Grade::PO) days += training_days(params_);
  return days;
}

void Workforce::advertise(std::uint32_t ldu, Grade post, double hire_at) {
  hires_.push_back(Hire{ldu, post, recruit_kind_for(post, params_)});
  s_.events.push(ldu, hire_at, kHire, static_cast<std::uint32_t>(hires_.size() - 1));
}

std::uint32_t Workforce::add_officer(std::uint32_t ldu, Grade post, RecruitKind kind, double now,
                                     double training_elapsed_days, const SnapshotOfficer* known) {
  const Grade grade = grade_on_joining(post, kind);
  // Anyone recruited into a PQiP place during the run, or with staffing
  // dynamics on, is a trainee following the reduction schedule.
  const bool trainee = grade == Grade::PQiP && (now > 0.0 || kind == RecruitKind::trainee ||
                                                training_elapsed_days >= 0.0 || s_.scenario.staffing);
  const StaffGroup& group = s_.scenario.ldus[ldu].staff[static_cast<int>(grade)];
  const auto id = static_cast<std::uint32_t>(s_.officers.size());
  Officer o;
  o.ldu = ldu;
  o.grade = grade;
  o.duty = known ? known->duty : duty_for_newcomer(ldu, grade);
  o.contracted_hours = known                          ? known->contracted_hours
                       : group.contracted_hours > 0.0 ? group.contracted_hours
                                                      : s_.scenario.workload.default_contracted_hours;
  s_.officers.push_back(o);
  // The officer's own streams, keyed by (LDU, grade on joining, ordinal), so
  // that adding or removing one officer leaves every other officer's draws alone.
  OfficerLife life;
  const std::uint32_t ordinal = joined_count_[ldu][static_cast<int>(grade)]++;
  const std::uint32_t stream_group = ldu * kGradeCount + static_cast<std::uint32_t>(grade);
  life.staffing = sim::make_stream<sim::SmallEngine>(s_.key(StreamPurpose::staffing, stream_group, ordinal));
  life.sickness = sim::make_stream<sim::SmallEngine>(s_.key(StreamPurpose::sickness, stream_group, ordinal));
  life.joined = now;
  life.first_grade = grade;
  // A trainee's schedule replaces the static reduction of the PQiP grade.
  life.static_reduction = trainee ? 0.0
                          : known ? known->reduction_hours / known->contracted_hours
                                  : group.reduction_percent / 100.0;
  life.work_since = now;
  s_.lives.push_back(life);
  s_.rosters[ldu].by_grade[static_cast<int>(grade)].push_back(id);
  work_->roster_changed(ldu);
  s_.policy->joined(id, s_.officers);
  if (trainee) {
    double elapsed = std::max(0.0, training_elapsed_days);
    if (known) {
      elapsed = training_elapsed_at(known->reduction_hours / known->contracted_hours, s_.lives[id].staffing);
    } else if (training_elapsed_days == kSpreadThroughTraining) {
      elapsed = boost::random::uniform_real_distribution<double>(0.0, training_days(params_))(s_.lives[id].staffing);
    }
    schedule_step(id, now, elapsed);
  }
  // Absent at day 0: the next absence is booked when this one ends.
  if (known && known->absent) start_day0_absence(id);
  if (s_.scenario.staffing) {
    schedule_leave(id, now);
    if (!(known && known->absent)) schedule_absence(id, now);
  }
  update_capacity(id, now);
  if (now > 0.0) {
    work_->retry_unassigned(ldu, now);
    if (grade == Grade::VLO) work_->rebalance_victims(id, now);
  }
  return id;
}

void Workforce::update_capacity(std::uint32_t officer, double now) {
  Officer& o = s_.officers[officer];
  const double before = o.available_points;
  OfficerLife& life = s_.lives[officer];
  const double reduction = std::min(1.0, life.static_reduction + life.schedule_reduction);
  const bool in_post = o.state == OfficerState::in_post;
  life.available_hours = in_post ? o.contracted_hours * (1.0 - reduction) : 0.0;
  // Other duties take the hours but hold no WMT caseload to measure.
  o.available_points = grade_holds_caseload(o.grade) && in_post && o.duty != Duty::other
                           ? s_.scenario.workload.available_points(o.contracted_hours, o.contracted_hours * reduction)
                           : 0.0;
  s_.policy->load_changed(officer, s_.officers);
  work_->officer_load_changed(officer, now);
  if (o.available_points > before) cases_->serve_queues_near(o.ldu, now);
}

// Puts the officer at the step of the reduction schedule that `elapsed` days
// of it reach, and books the next change.
void Workforce::schedule_step(std::uint32_t officer, double now, double elapsed) {
  OfficerLife& life = s_.lives[officer];
  double start = 0.0;
  for (std::uint32_t k = 0; k < schedule_.size(); ++k) {
    const double end = start + schedule_[k].months * kDaysPerMonth;
    if (elapsed < end) {
      life.schedule_step = k;
      life.schedule_reduction = schedule_[k].percent / 100.0;
      s_.events.push(s_.officers[officer].ldu, now + (end - elapsed), kStaffStep, officer);
      return;
    }
    start = end;
  }
  life.schedule_step = kNone;
  life.schedule_reduction = 0.0;
}

void Workforce::on_staff_step(std::uint32_t officer, double now) {
  Officer& o = s_.officers[officer];
  OfficerLife& life = s_.lives[officer];
  if (o.state == OfficerState::left || life.schedule_step == kNone) return;
  const std::uint32_t next = life.schedule_step + 1;
  if (next == params_.trainee_reductions.size() && o.grade == Grade::PQiP) {
    // Qualifies: a newly qualified PO, keeping the cases held. The training
    // place closes and the new PO fills a vacant PO post, or a new one.
    auto& trainees = s_.rosters[o.ldu].by_grade[static_cast<int>(Grade::PQiP)];
    trainees.erase(std::find(trainees.begin(), trainees.end(), officer));
    s_.policy->left(officer);
    // The new PO takes the PO duty furthest below its share, so that trainees
    // (who all hold cases) do not fill the PO grade with case holders.
    o.duty = duty_for_newcomer(o.ldu, Grade::PO);
    auto& pos = s_.rosters[o.ldu].by_grade[static_cast<int>(Grade::PO)];
    pos.push_back(officer);
    work_->roster_changed(o.ldu);
    auto& posts = s_.establishment[o.ldu];
    posts[static_cast<int>(Grade::PQiP)] = std::max(0, posts[static_cast<int>(Grade::PQiP)] - 1);
    posts[static_cast<int>(Grade::PO)] = std::max(posts[static_cast<int>(Grade::PO)], static_cast<int>(pos.size()));
    o.grade = Grade::PO;
    s_.policy->joined(officer, s_.officers);
    if (s_.scenario.staffing) schedule_leave(officer, now); // a PO's leaving rate from now on
  }
  if (next < schedule_.size()) {
    life.schedule_step = next;
    life.schedule_reduction = schedule_[next].percent / 100.0;
    s_.events.push(o.ldu, now + schedule_[next].months * kDaysPerMonth, kStaffStep, officer);
  } else {
    life.schedule_step = kNone;
    life.schedule_reduction = 0.0;
  }
  update_capacity(officer, now);
  if (!o.takes_cases() && life.first_case != kNone) move_work_away(officer, ReallocationCause::duty_change, now);
}

void Workforce::schedule_leave(std::uint32_t officer, double now) {
  OfficerLife& life = s_.lives[officer];
  const double rate = leavers_per_year(s_.officers[officer].ldu, s_.officers[officer].grade);
  life.leave_at = -1.0;
  if (rate <= 0.0) return;
  life.leave_at = now + boost::random::exponential_distribution<double>(rate / kDaysPerYear)(life.staffing);
  s_.events.push(s_.officers[officer].ldu, life.leave_at, kLeave, officer);
}

void Workforce::on_leave(std::uint32_t officer, double now) {
  const Officer& o = s_.officers[officer];
  if (o.state == OfficerState::left || now != s_.lives[officer].leave_at) return;
  const std::uint32_t ldu = o.ldu;
  const Grade grade = o.grade;
  remove_officer(officer, ReallocationCause::leaver, now);
  if (params_.refill_vacancies)
    advertise(ldu, grade, now + time_to_hire(ldu, grade).sample(s_.lives[officer].staffing));
}

Duty Workforce::duty_for_newcomer(std::uint32_t ldu, Grade grade) const {
  const StaffGroup& group = s_.scenario.ldus[ldu].staff[static_cast<int>(grade)];
  const std::array<double, kDutyCount> share{1.0 - group.court_share - group.other_share, group.court_share,
                                             group.other_share};
  std::array<int, kDutyCount> count{};
  const auto& roster = s_.rosters[ldu].by_grade[static_cast<int>(grade)];
  for (std::uint32_t o : roster) ++count[static_cast<int>(s_.officers[o].duty)];
  const double n = static_cast<double>(roster.size()) + 1.0;
  int best = 0;
  for (int d = 1; d < kDutyCount; ++d)
    if (share[d] * n - count[d] > share[best] * n - count[best] + 1e-9) best = d;
  return Duty(best);
}

bool Workforce::post_filled(std::uint32_t ldu, Grade post) const {
  const auto g = static_cast<int>(post);
  return static_cast<int>(s_.rosters[ldu].by_grade[g].size()) >= s_.establishment[ldu][g];
}

void Workforce::on_hire(std::uint32_t hire, double now) {
  const Hire& h = hires_[hire];
  // An intervention may have cut the post meanwhile. A trainee against a PO
  // post opens a training place; the post stays vacant until they qualify.
  if (post_filled(h.ldu, h.post)) return;
  const Grade grade = grade_on_joining(h.post, h.kind);
  if (grade != h.post) ++s_.establishment[h.ldu][static_cast<int>(grade)];
  add_officer(h.ldu, h.post, h.kind, now, h.kind == RecruitKind::trainee ? 0.0 : -1.0);
}

void Workforce::change_staff(std::uint32_t ldu, Grade grade, const Intervention& in, double now) {
  const auto g = static_cast<int>(grade);
  auto& roster = s_.rosters[ldu].by_grade[g];
  int n = in.add_staff_percent[g] != 0.0 ? staff_change(in.add_staff_percent[g], static_cast<int>(roster.size()))
                                         : in.add_staff[g];
  auto& posts = s_.establishment[ldu];
  if (n > 0) {
    // New posts, or with keep_posts only the vacant ones filled. A trainee
    // against a PO post opens a PQiP place either way.
    const Grade place = grade_on_joining(grade, in.recruits);
    if (in.keep_posts) n = std::min(n, std::max(0, posts[g] - static_cast<int>(roster.size())));
    if (!in.keep_posts || place != grade) posts[static_cast<int>(place)] += n;
    for (int i = 0; i < n; ++i)
      add_officer(ldu, grade, in.recruits, now, in.recruits == RecruitKind::trainee ? 0.0 : -1.0);
  } else if (n < 0) {
    if (!in.keep_posts) posts[g] = std::max(0, posts[g] + n);
    for (; n < 0 && !roster.empty(); ++n) // the most recent joiners go first
      remove_officer(roster.back(), ReallocationCause::intervention, now);
  }
}

void Workforce::remove_officer(std::uint32_t officer, ReallocationCause cause, double now) {
  Officer& o = s_.officers[officer];
  work_->advance_work(officer, now);
  // Out of the roster and without capacity first, so no work comes back.
  o.state = OfficerState::left;
  s_.lives[officer].left = now;
  o.available_points = 0.0;
  s_.lives[officer].available_hours = 0.0;
  auto& roster = s_.rosters[o.ldu].by_grade[static_cast<int>(o.grade)];
  roster.erase(std::find(roster.begin(), roster.end(), officer));
  work_->roster_changed(o.ldu);
  s_.policy->left(officer);
  move_work_away(officer, cause, now);
}

void Workforce::move_work_away(std::uint32_t officer, ReallocationCause cause, double now) {
  OfficerLife& life = s_.lives[officer];
  work_->advance_work(officer, now);
  // Victim cases, then offender cases, then the tasks, which follow them.
  std::vector<std::uint32_t> victims;
  victims.swap(life.victims_held);
  life.victim_cases = 0;
  for (std::uint32_t v : victims) {
    s_.victims[v].vlo = kNone;
    work_->assign_victim_case(v, now);
  }
  while (life.first_case != kNone) cases_->reallocate(life.first_case, cause, now);
  std::vector<QueuedTask> queued;
  queued.swap(life.tasks);
  life.task_hours = 0.0;
  life.working_on = kNone;
  life.next_done = -1.0;
  for (const QueuedTask& q : queued) {
    const std::uint32_t t = q.id;
    s_.tasks[t].officer = kNone;
    work_->place_task(t, now);
  }
}

void Workforce::schedule_absence(std::uint32_t officer, double now) {
  const double rate = params_.short_sickness_per_year + params_.long_sickness_per_year;
  if (rate <= 0.0) return;
  s_.events.push(s_.officers[officer].ldu,
                 now + boost::random::exponential_distribution<double>(rate / kDaysPerYear)(s_.lives[officer].sickness),
                 kAbsenceStart, officer);
}

void Workforce::on_absence_start(std::uint32_t officer, double now) {
  Officer& o = s_.officers[officer];
  if (o.state != OfficerState::in_post) return;
  const StaffingParameters& p = params_;
  sim::SmallEngine& engine = s_.lives[officer].sickness;
  const bool long_term = boost::random::bernoulli_distribution<double>(
      p.long_sickness_per_year / (p.short_sickness_per_year + p.long_sickness_per_year))(engine);
  const double days = (long_term ? p.long_sickness_days : p.short_sickness_days).sample(engine);
  OfficerLife& life = s_.lives[officer];
  work_->advance_work(officer, now);
  o.state = OfficerState::absent;
  life.absent_until = now + days;
  s_.events.push(o.ldu, life.absent_until, kAbsenceEnd, officer);
  life.reallocate_at = -1.0;
  if (long_term && p.reallocate_after_weeks * kDaysPerWeek < days) {
    life.reallocate_at = now + p.reallocate_after_weeks * kDaysPerWeek;
    s_.events.push(o.ldu, life.reallocate_at, kReallocateAbsent, officer);
  }
  update_capacity(officer, now);
}

void Workforce::on_absence_end(std::uint32_t officer, double now) {
  Officer& o = s_.officers[officer];
  if (o.state != OfficerState::absent || now != s_.lives[officer].absent_until) return;
  work_->advance_work(officer, now);
  o.state = OfficerState::in_post;
  update_capacity(officer, now);
  schedule_absence(officer, now);
  work_->retry_unassigned(o.ldu, now); // work that found nobody while they were away
  if (o.grade == Grade::VLO) work_->rebalance_victims(officer, now);
}

void Workforce::on_reallocate_absent(std::uint32_t officer, double now) {
  if (s_.officers[officer].state != OfficerState::absent || now != s_.lives[officer].reallocate_at) return;
  move_work_away(officer, ReallocationCause::absence, now);
}

} // namespace caseload::replication
