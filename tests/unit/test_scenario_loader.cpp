#include "caseload/io/input_error.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

using namespace caseload;

TEST(ScenarioLoader, ReadsValuesAndDefaults) {
  const model::Scenario s = test::parse(test::two_ldu_scenario());
  EXPECT_EQ(s.name, "two");
  EXPECT_EQ(s.seed, 11u);
  EXPECT_DOUBLE_EQ(s.horizon_days, 730.0);
  EXPECT_DOUBLE_EQ(s.snapshot_every_days, 7.0);
  ASSERT_EQ(s.ldus.size(), 2u);
  EXPECT_EQ(s.ldus[0].neighbours, std::vector<int>{1});
  const auto& po = s.ldus[0].staff[static_cast<int>(model::Grade::PO)];
  EXPECT_EQ(po.establishment, 15);
  EXPECT_EQ(po.in_post, 12);
  EXPECT_DOUBLE_EQ(po.contracted_hours, 37.0);
  EXPECT_EQ(s.ldus[1].staff[static_cast<int>(model::Grade::PO)].in_post, 6); // in_post defaults to establishment
  EXPECT_DOUBLE_EQ(s.ldus[0].staff[static_cast<int>(model::Grade::PQiP)].reduction_percent, 60.0);
  EXPECT_EQ(s.case_types[1].becomes, model::CaseType::licence);
  EXPECT_NEAR(s.case_types[0].duration.mean(), 200.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.case_types[0].tier_mix[4 + 1], 0.4); // B2
  EXPECT_EQ(s.allocation.policy, model::PolicyKind::least_loaded);
}

TEST(ScenarioLoader, ResolvedTextReadsBackToTheSameScenario) {
  const model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"capped\"\ncap_percent = 95"));
  const std::string resolved = io::resolved_toml(s);
  const model::Scenario again = test::parse(resolved);
  EXPECT_EQ(io::resolved_toml(again), resolved);
  EXPECT_EQ(again.allocation.policy, model::PolicyKind::capped);
  EXPECT_DOUBLE_EQ(again.allocation.cap_percent, 95.0);
  EXPECT_DOUBLE_EQ(again.case_types[2].duration.sd(), s.case_types[2].duration.sd());
}

TEST(ScenarioLoader, ErrorsCarryLineAndColumn) {
  const std::string text = test::two_ldu_scenario("policy = \"least_loaded\"\ncap_percnt = 90");
  try {
    test::parse(text);
    FAIL() << "an unknown key must be rejected";
  } catch (const io::InputError& e) {
    EXPECT_EQ(e.file(), "test.toml");
    EXPECT_EQ(e.line(), 8); // the typo's line in two_ldu_scenario
    EXPECT_EQ(e.column(), 1);
    EXPECT_NE(std::string(e.what()).find("cap_percnt"), std::string::npos);
  }
}

namespace {

void expect_same(const sim::Distribution& a, const sim::Distribution& b) {
  EXPECT_EQ(a.kind(), b.kind());
  EXPECT_EQ(a.param1(), b.param1());
  EXPECT_EQ(a.param2(), b.param2());
}

// Every field of two scenarios, exactly (doubles included): what the resolved
// text holds must read back to the very same values.
void expect_same(const model::Scenario& a, const model::Scenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.start_date, b.start_date);
  EXPECT_EQ(a.horizon_days, b.horizon_days);
  EXPECT_EQ(a.warmup_days, b.warmup_days);
  EXPECT_EQ(a.snapshot_every_days, b.snapshot_every_days);
  EXPECT_EQ(a.replications, b.replications);
  EXPECT_EQ(a.initial_state, b.initial_state);
  EXPECT_EQ(a.arrival_process, b.arrival_process);

  EXPECT_EQ(a.workload.nominal_target_points, b.workload.nominal_target_points);
  EXPECT_EQ(a.workload.default_contracted_hours, b.workload.default_contracted_hours);
  EXPECT_EQ(a.workload.case_points, b.workload.case_points);
  EXPECT_EQ(a.workload.sdr_points, b.workload.sdr_points);
  EXPECT_EQ(a.workload.fdr_points, b.workload.fdr_points);
  EXPECT_EQ(a.workload.parole_points, b.workload.parole_points);
  EXPECT_EQ(a.workload.reports_in_capacity, b.workload.reports_in_capacity);

  EXPECT_EQ(a.allocation.policy, b.allocation.policy);
  EXPECT_EQ(a.allocation.cap_percent, b.allocation.cap_percent);
  EXPECT_EQ(a.allocation.preference_threshold_percent, b.allocation.preference_threshold_percent);
  EXPECT_EQ(a.allocation.eligibility, b.allocation.eligibility);
  EXPECT_EQ(a.allocation.overflow, b.allocation.overflow);
  EXPECT_EQ(a.allocation.grade_cap_percent, b.allocation.grade_cap_percent);
  EXPECT_EQ(a.allocation.step_down, b.allocation.step_down);
  EXPECT_EQ(a.allocation.step_down_delay_days, b.allocation.step_down_delay_days);

  for (int t = 0; t < model::kCaseTypeCount; ++t) {
    SCOPED_TRACE(model::kCaseTypeNames[t]);
    const auto& x = a.case_types[t];
    const auto& y = b.case_types[t];
    expect_same(x.duration, y.duration);
    EXPECT_EQ(x.tier_mix, y.tier_mix);
    EXPECT_EQ(x.becomes, y.becomes);
    EXPECT_EQ(x.victim_probability, y.victim_probability);
    EXPECT_EQ(x.escalations_per_year, y.escalations_per_year);
    EXPECT_EQ(x.deescalations_per_year, y.deescalations_per_year);
  }

  ASSERT_EQ(a.ldus.size(), b.ldus.size());
  for (std::size_t i = 0; i < a.ldus.size(); ++i) {
    const auto& x = a.ldus[i];
    const auto& y = b.ldus[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.neighbours, y.neighbours);
    for (int g = 0; g < model::kGradeCount; ++g) {
      EXPECT_EQ(x.staff[g].establishment, y.staff[g].establishment);
      EXPECT_EQ(x.staff[g].in_post, y.staff[g].in_post);
      if (x.staff[g].establishment == 0 && x.staff[g].in_post == 0) continue; // not written: no one to work them
      EXPECT_EQ(x.staff[g].contracted_hours, y.staff[g].contracted_hours);
      EXPECT_EQ(x.staff[g].reduction_percent, y.staff[g].reduction_percent);
      EXPECT_EQ(x.staff[g].court_share, y.staff[g].court_share);
      EXPECT_EQ(x.staff[g].other_share, y.staff[g].other_share);
      EXPECT_EQ(x.staff[g].leavers_per_year, y.staff[g].leavers_per_year);
      EXPECT_EQ(x.staff[g].time_to_hire_days.has_value(), y.staff[g].time_to_hire_days.has_value());
      if (x.staff[g].time_to_hire_days) expect_same(*x.staff[g].time_to_hire_days, *y.staff[g].time_to_hire_days);
      EXPECT_EQ(x.staff[g].target_vacancy_rate, y.staff[g].target_vacancy_rate);
    }
    EXPECT_EQ(x.arrivals_per_week, y.arrivals_per_week);
    EXPECT_EQ(x.court_reports_per_week, y.court_reports_per_week);
  }

  const auto& t = a.tasks;
  const auto& u = b.tasks;
  EXPECT_EQ(t.sdr_share, u.sdr_share);
  EXPECT_EQ(t.fdr_deadline_working_days, u.fdr_deadline_working_days);
  EXPECT_EQ(t.sdr_deadline_working_days, u.sdr_deadline_working_days);
  EXPECT_EQ(t.court_grades, u.court_grades);
  EXPECT_EQ(t.parole_reports, u.parole_reports);
  EXPECT_EQ(t.parole_min_custody_days, u.parole_min_custody_days);
  EXPECT_EQ(t.parole_lead_days, u.parole_lead_days);
  EXPECT_EQ(t.parole_due_before_release_days, u.parole_due_before_release_days);
  EXPECT_EQ(t.report_points_period_days, u.report_points_period_days);
  EXPECT_EQ(t.review_hours, u.review_hours);
  EXPECT_EQ(t.task_share_at_capacity, u.task_share_at_capacity);
  EXPECT_EQ(t.court_duty_share, u.court_duty_share);
  EXPECT_EQ(t.deescalation_review_deadline_working_days, u.deescalation_review_deadline_working_days);
  EXPECT_EQ(t.review_deadline_working_days, u.review_deadline_working_days);

  EXPECT_EQ(a.victims.first_contact_working_days, b.victims.first_contact_working_days);
  EXPECT_EQ(a.victims.contact_hours, b.victims.contact_hours);
  EXPECT_EQ(a.victims.contact_deadline_working_days, b.victims.contact_deadline_working_days);
  EXPECT_EQ(a.victims.hours_per_case_per_week, b.victims.hours_per_case_per_week);
  EXPECT_EQ(a.victims.opt_out_per_year, b.victims.opt_out_per_year);
  EXPECT_EQ(a.victims.pooled, b.victims.pooled);

  ASSERT_EQ(a.staffing.has_value(), b.staffing.has_value());
  if (a.staffing) {
    const auto& p = *a.staffing;
    const auto& q = *b.staffing;
    EXPECT_EQ(p.leavers_per_year, q.leavers_per_year);
    expect_same(p.time_to_hire_days, q.time_to_hire_days);
    EXPECT_EQ(p.refill_vacancies, q.refill_vacancies);
    EXPECT_EQ(p.fill_initial_vacancies, q.fill_initial_vacancies);
    EXPECT_EQ(p.hold_initial_vacancies, q.hold_initial_vacancies);
    EXPECT_EQ(p.refill_po_with, q.refill_po_with);
    ASSERT_EQ(p.trainee_reductions.size(), q.trainee_reductions.size());
    for (std::size_t i = 0; i < p.trainee_reductions.size(); ++i) {
      EXPECT_EQ(p.trainee_reductions[i].months, q.trainee_reductions[i].months);
      EXPECT_EQ(p.trainee_reductions[i].percent, q.trainee_reductions[i].percent);
    }
    ASSERT_EQ(p.newly_qualified_reductions.size(), q.newly_qualified_reductions.size());
    for (std::size_t i = 0; i < p.newly_qualified_reductions.size(); ++i) {
      EXPECT_EQ(p.newly_qualified_reductions[i].months, q.newly_qualified_reductions[i].months);
      EXPECT_EQ(p.newly_qualified_reductions[i].percent, q.newly_qualified_reductions[i].percent);
    }
    EXPECT_EQ(p.short_sickness_per_year, q.short_sickness_per_year);
    expect_same(p.short_sickness_days, q.short_sickness_days);
    EXPECT_EQ(p.long_sickness_per_year, q.long_sickness_per_year);
    expect_same(p.long_sickness_days, q.long_sickness_days);
    EXPECT_EQ(p.reallocate_after_weeks, q.reallocate_after_weeks);
  }

  ASSERT_EQ(a.interventions.size(), b.interventions.size());
  for (std::size_t i = 0; i < a.interventions.size(); ++i) {
    const auto& x = a.interventions[i];
    const auto& y = b.interventions[i];
    EXPECT_EQ(x.at_day, y.at_day);
    EXPECT_EQ(x.ldu, y.ldu);
    EXPECT_EQ(x.add_staff, y.add_staff);
    EXPECT_EQ(x.add_staff_percent, y.add_staff_percent);
    EXPECT_EQ(x.keep_posts, y.keep_posts);
    EXPECT_EQ(x.recruits, y.recruits);
    EXPECT_EQ(x.demand_factor, y.demand_factor);
    EXPECT_EQ(x.policy, y.policy);
    EXPECT_EQ(x.cap_percent, y.cap_percent);
    EXPECT_EQ(x.overflow, y.overflow);
  }

  ASSERT_EQ(a.sensitivity.size(), b.sensitivity.size());
  for (std::size_t i = 0; i < a.sensitivity.size(); ++i) {
    EXPECT_EQ(a.sensitivity[i].key, b.sensitivity[i].key);
    EXPECT_EQ(a.sensitivity[i].low, b.sensitivity[i].low);
    EXPECT_EQ(a.sensitivity[i].high, b.sensitivity[i].high);
  }
}

// parse → resolved_toml → parse → resolved_toml: the same text twice, and the
// same scenario as the file's.
void expect_round_trip(const model::Scenario& s) {
  const std::string resolved = io::resolved_toml(s);
  const model::Scenario again = io::parse_scenario(resolved, "resolved.toml").scenario;
  EXPECT_EQ(io::resolved_toml(again), resolved);
  expect_same(s, again);
}

} // namespace

TEST(ScenarioLoader, EveryScenarioFileRoundTripsThroughItsResolvedText) {
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* folder : {"/scenarios", "/scenarios/validation"})
    for (const auto& entry : fs::directory_iterator(std::string(CASELOAD_SOURCE_DIR) + folder)) {
      if (entry.path().extension() != ".toml") continue;
      SCOPED_TRACE(entry.path().string());
      expect_round_trip(io::load_scenario(entry.path()).scenario);
      ++files;
    }
  EXPECT_GE(files, 13); // the 7 scenarios and 6 validation cases at the time of writing
}

TEST(ScenarioLoader, EveryKeyRoundTripsThroughTheResolvedText) {
  // A value other than the default for every key, and each distribution family.
  const std::string extra_top =
      "start_date = 2019-04-01\nwarmup_days = 30.5\nsnapshot_every_days = 3.5\nreplications = 3\n"
      "initial_state = \"empty\"\narrival_process = \"regular\"\n";
  const std::string allocation = R"(policy = "capped"
cap_percent = 105
preference_threshold_percent = 90
overflow = true
eligibility.A = ["PO", "PSO"]
eligibility.C = [["PSO", "PO"], "PQiP"]
grade_cap_percent = { PQiP = 100 }
step_down = false
step_down_delay_days = 7.5
[workload]
nominal_target_points = 2000
default_contracted_hours = 36.5
case_points.community = { A3 = 300, D0 = 1 }
report_points = { sdr = 100, fdr = 50, parole = 7 }
reports_in_capacity = false
[tasks]
sdr_share = 0.1
fdr_deadline_working_days = 4
sdr_deadline_working_days = 12
court_grades = ["PO"]
parole_reports = false
parole_min_custody_days = 500
parole_lead_days = 100
parole_due_before_release_days = 20.5
report_points_period_days = 25
review_hours = 2
task_share_at_capacity = 0.2
court_duty_share = 0.4
review_deadline_working_days = 3
deescalation_review_deadline_working_days = 12
[victims]
first_contact_working_days = 30
contact_hours = 2
contact_deadline_working_days = 8
hours_per_case_per_week = 0.2
opt_out_per_year = 0
pooled = true
[staffing]
leavers_per_year = { PO = 0.1, PSO = 0.2 }
time_to_hire_days = { dist = "uniform", min = 30, max = 90 }
refill_vacancies = false
fill_initial_vacancies = ["PO", "VLO"]
hold_initial_vacancies = ["PSO"]
refill_po_with = "experienced"
trainee_reductions = [{ months = 12, percent = 50 }]
newly_qualified_reductions = [{ months = 3, percent = 10.5 }, { months = 3, percent = 5 }]
short_sickness_per_year = 1.5
short_sickness_days = { dist = "exponential", mean = 4 }
long_sickness_per_year = 0.1
long_sickness_days = { dist = "gamma", shape = 2, scale = 30 }
reallocate_after_weeks = 6
[sensitivity]
parameters = { "tasks.review_hours" = [1, 3.5], "ldu[*].staff.PO.in_post" = [10, 8], "vacancy_rate.PO" = [0.05, 0.2] }
[[intervention]]
at_day = 100
ldu = "B"
add_staff = { PO = 2, PSO = -1 }
add_staff_percent = { PQiP = 50 }
keep_posts = true
recruits = "trainee"
demand_factor = 1.2
[[intervention]]
at_day = 50
policy = "round_robin"
cap_percent = 110
overflow = false
[[intervention]]
at_day = 60
demand_factor = 0
)";
  std::string text = test::two_ldu_scenario(allocation, 12, extra_top);
  const std::string licence = R"(duration_days = { dist = "weibull", mean = 180, sd = 90 })";
  text.replace(text.find(licence), licence.size(),
               "duration_days = { dist = \"fixed\", value = 180 }\nvictim_probability = 0.4\n"
               "escalations_per_year = { A = 0.1, D = 2 }\ndeescalations_per_year = { B = 0.3 }");
  const std::string ldu_b_pso = "staff.PSO = { establishment = 2 }";
  text.replace(text.find(ldu_b_pso), ldu_b_pso.size(),
               "staff.PSO = { establishment = 2, court_share = 0.25, other_share = 0.5, leavers_per_year = 0.3, "
               "time_to_hire_days = { dist = \"fixed\", value = 60 }, target_vacancy_rate = 0.1 }");
  const model::Scenario s = test::parse(text);
  ASSERT_TRUE(s.staffing.has_value());
  ASSERT_EQ(s.interventions.size(), 3u);
  EXPECT_TRUE(s.interventions[2].keep_posts); // sorted by day: the day-100 one is last
  EXPECT_EQ(s.interventions[2].add_staff_percent[static_cast<int>(model::Grade::PQiP)], 50.0);
  EXPECT_EQ(s.ldus[1].staff[static_cast<int>(model::Grade::PSO)].target_vacancy_rate, 0.1);
  EXPECT_EQ(s.case_types[2].duration.kind(), sim::DistributionKind::fixed);
  EXPECT_EQ(s.tasks.court_grades, std::vector<model::Grade>{model::Grade::PO});
  ASSERT_EQ(s.sensitivity.size(), 3u); // in key order
  EXPECT_EQ(s.sensitivity[0].key, "ldu[*].staff.PO.in_post");
  EXPECT_EQ(s.sensitivity[0].low, 10.0);
  EXPECT_EQ(s.sensitivity[0].high, 8.0);
  EXPECT_EQ(s.sensitivity[1].key, "tasks.review_hours");
  EXPECT_EQ(s.sensitivity[1].high, 3.5);
  expect_round_trip(s);
}

TEST(ScenarioLoader, SensitivityRangesAreTwoDifferentNumbersAndErrorsArePlaced) {
  EXPECT_TRUE(test::parse(test::two_ldu_scenario()).sensitivity.empty());
  EXPECT_EQ(io::resolved_toml(test::parse(test::two_ldu_scenario())).find("sensitivity"), std::string::npos);
  const std::pair<const char*, const char*> cases[] = {
      {"parameters = { \"a.b\" = [1] }", "expected two"},
      {"parameters = { \"a.b\" = [1, 2, 3] }", "expected two"},
      {"parameters = { \"a.b\" = [1, \"x\"] }", "expected a number"},
      {"parameters = { \"a.b\" = [2, 2.0] }", "low and high are equal"},
      {"parameters = { \"a.b\" = 1 }", "expected [low, high]"},
      {"parameters = { a.b = [1, 2] }", "quote a dotted key"},
      {"parameters = [1, 2]", "expected a table"},
      {"parameter = {}", "unknown key 'sensitivity.parameter' in [sensitivity] (did you mean 'parameters'?)"},
      {"ranges = {}", "missing key 'sensitivity.parameters'"},
  };
  const std::string scenario = test::two_ldu_scenario();
  const int header_line = static_cast<int>(std::count(scenario.begin(), scenario.end(), '\n')) + 1;
  for (const auto& [body, message] : cases) {
    SCOPED_TRACE(body);
    try {
      test::parse(scenario + "[sensitivity]\n" + body + "\n");
      FAIL() << "must be refused";
    } catch (const io::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      EXPECT_EQ(e.file(), "test.toml");
      EXPECT_GE(e.line(), header_line); // the table, or the line below it
      EXPECT_LE(e.line(), header_line + 1);
      EXPECT_GT(e.column(), 0);
    }
  }
}
