// The scenario schema: every key of docs/scenario-format.md, each declared once
// in a `*_fields` function that both reads and writes it (schema_fields.hpp).
// Keys are declared in the order they are read, which is the order in which
// errors are found.

#include "scenario_schema.hpp"

#include "caseload/io/scenario_loader.hpp"
#include "scenario_kinds.hpp"
#include "snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace caseload::io {
namespace {

// The first control character in a name, written as U+00XX, if any.
std::optional<std::string> control_character_in(std::string_view name) {
  for (const char c : name)
    if (const auto u = static_cast<unsigned char>(c); u < 0x20 || u == 0x7F) return fmt::format("U+{:04X}", u);
  return std::nullopt;
}

// The name with control characters shown as \xNN, for a message.
std::string printable(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7F ? fmt::format("\\x{:02X}", u) : std::string(1, c);
  }
  return out;
}

// A name as a reader tells names apart: ASCII case folded, spaces at the
// ends dropped and runs of spaces as one.
std::string name_key(std::string_view name) {
  std::string out;
  bool space = false;
  for (const char c : name) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

using model::CaseType;

inline constexpr Integer kPoints{0, 100000};
inline constexpr Integer kHeadcount{0, 1000000};
inline constexpr Number kShare{.max = 1.0, .expected = "a share in [0, 1]"};

// Bounds that keep a run finite in time and memory: 10^7 days is over
// 27,000 years, and 10^6 snapshots of even one officer fill memory fast.
constexpr double kMaxHorizonDays = 1e7;
constexpr double kMaxSnapshots = 1e6;

template <class Fields> void workload_fields(Fields& f, MaybeConst<model::WorkloadParameters> auto& w) {
  f.key("nominal_target_points", w.nominal_target_points, kPositive);
  f.key("default_contracted_hours", w.default_contracted_hours, kPositive);
  f.key("case_points", w.case_points, ByName{kCaseTypes, ByName{kTiers, kPoints}.expecting("a table of tier = points")});
  // [workload.report_points] holds three members of the workload itself.
  f.key("report_points", w, Table{[](auto& g, auto& points) {
          g.key("sdr", points.sdr_points, kPoints);
          g.key("fdr", points.fdr_points, kPoints);
          g.key("parole", points.parole_points, kPoints);
        }});
  f.key("reports_in_capacity", w.reports_in_capacity, Boolean{});
}

// Entries that are set (a cap of infinity is no cap).
struct FiniteEntries {
  bool operator()(double value) const { return std::isfinite(value); }
};

template <class Fields> void allocation_fields(Fields& f, MaybeConst<model::AllocationParameters> auto& a) {
  f.key("policy", a.policy, Choice<model::PolicyKind>{kPolicies});
  f.key("cap_percent", a.cap_percent, kPositive);
  f.key("preference_threshold_percent", a.preference_threshold_percent, kPositive);
  f.key("overflow", a.overflow, Boolean{});
  f.key("eligibility", a.eligibility, ByName{kProtectLevels, PreferenceLevels{}});
  f.key("grade_cap_percent", a.grade_cap_percent, ByName{kGrades, kPositive, FiniteEntries{}});
  f.key("step_down", a.step_down, Boolean{});
  f.key("step_down_delay_days", a.step_down_delay_days, kNonNegative);
}

template <class Fields>
void case_type_fields(Fields& f, MaybeConst<model::CaseTypeParameters> auto& p, CaseType self) {
  f.key("duration_days", p.duration, DistributionTable{}, Required{});
  f.key("tier_mix", p.tier_mix, TierMix{}, Required{});
  f.key("becomes", p.becomes, Choice<CaseType>{kCaseTypes});
  f.check("becomes", [&]() -> std::optional<std::string> {
    if (p.becomes != self) return std::nullopt;
    return "'" + f.path("becomes") + "': a case type cannot become itself";
  });
  f.key("victim_probability", p.victim_probability, kProbability);
  f.key("escalations_per_year", p.escalations_per_year, ByName{kProtectLevels, kPerYear, NonzeroEntries{}});
  f.key("deescalations_per_year", p.deescalations_per_year, ByName{kProtectLevels, kPerYear, NonzeroEntries{}});
}

// [case_types]: a table per case type that is used. Reading notes which types
// the file has (arrivals need one); writing leaves out the types no case can have.
struct CaseTypes {
  using Value = std::array<model::CaseTypeParameters, model::kCaseTypeCount>;
  std::array<bool, model::kCaseTypeCount>* defined; // reading
  std::span<const model::LduParameters> ldus;       // writing
  const std::optional<model::InitialSnapshot>* snapshot = nullptr; // writing: its cases' types are used

  Value read(TableReader& r, std::string_view key, std::optional<Value> fallback) const {
    TableReader types = r.subtable(key, !fallback);
    Value values = fallback ? *fallback : Value{};
    for_each_named(types, kCaseTypes, [&](int t, std::string_view name, const toml::node& n) {
      if (!n.is_table()) types.fail_type(name, n, "a table");
      TableReader table(types.ctx(), *n.as_table(), types.key_path(name));
      (*defined)[static_cast<std::size_t>(t)] = true;
      Reader fields(table);
      case_type_fields(fields, values[static_cast<std::size_t>(t)], CaseType(t));
      table.finish();
    });
    types.finish();
    // Phases must end: no chain of `becomes` may loop.
    for (const auto& type : values) {
      int steps = 0;
      for (auto next = type.becomes; next; next = values[static_cast<std::size_t>(*next)].becomes)
        if (++steps > model::kCaseTypeCount)
          r.ctx().fail(types.table().source(), "case types' 'becomes' form a loop: a case would never end");
    }
    for (std::size_t t = 0; t < values.size(); ++t)
      if (auto next = values[t].becomes; next && !(*defined)[static_cast<std::size_t>(*next)])
        r.ctx().fail(types.table().source(), "case type \"" + std::string(model::kCaseTypeNames[t]) +
                                                 "\" becomes \"" + std::string(model::name(*next)) +
                                                 "\", which has no [case_types." +
                                                 std::string(model::name(*next)) + "]");
    return values;
  }

  [[nodiscard]] toml::table write(const Value& values) const {
    toml::table out;
    for (std::size_t t = 0; t < values.size(); ++t) {
      bool used = values[t].becomes.has_value();
      for (const auto& l : ldus) used = used || l.arrivals_per_week[t] > 0.0;
      for (const auto& other : values) used = used || other.becomes == CaseType(t);
      if (snapshot && *snapshot)
        for (const auto& c : (*snapshot)->cases) used = used || c.type == CaseType(t);
      if (!used) continue;
      Writer fields;
      case_type_fields(fields, values[t], CaseType(t));
      out.insert(model::kCaseTypeNames[t], fields.take());
    }
    return out;
  }
};

template <class Fields>
void staff_group_fields(Fields& f, MaybeConst<model::StaffGroup> auto& group, double default_hours) {
  f.key("establishment", group.establishment, kHeadcount, Required{});
  f.key("in_post", group.in_post, kHeadcount, group.establishment);
  f.key("contracted_hours", group.contracted_hours, kPositive, default_hours);
  f.key("reduction_percent", group.reduction_percent,
        Number{.max = 100.0, .expected = "a percentage of contracted hours in [0, 100]"});
  f.key("court_share", group.court_share, kShare);
  f.key("other_share", group.other_share, kShare);
  f.check("other_share", [&]() -> std::optional<std::string> {
    if (group.court_share + group.other_share <= 1.0) return std::nullopt;
    return "'" + f.path("court_share") + "' + '" + f.path("other_share") + "' is more than 1: expected shares of the staff";
  });
  f.key("leavers_per_year", group.leavers_per_year, kPerYear);
  f.key("time_to_hire_days", group.time_to_hire_days, DistributionTable{});
  f.key("target_vacancy_rate", group.target_vacancy_rate,
        Number{.max = 1.0, .max_open = true, .expected = "a vacancy rate in [0, 1)"});
}

// What an LDU's keys refer to besides the LDU itself.
struct LduContext {
  double default_hours;                                   // [workload] default_contracted_hours
  const std::array<bool, model::kCaseTypeCount>* defined; // case types with a table
  // Reading: the LDUs before this one (names are unique); writing: every LDU.
  std::span<const model::LduParameters> ldus;
  NeighbourNames* neighbour_names; // reading: resolved once every LDU is read
};

template <class Fields>
void ldu_fields(Fields& f, MaybeConst<model::LduParameters> auto& ldu, const LduContext& context) {
  f.key("name", ldu.name, Text{}, Required{});
  f.check("name", [&]() -> std::optional<std::string> {
    if (ldu.name.empty()) return "'" + f.path("name") + "' is empty";
    if (const auto bad = control_character_in(ldu.name))
      return "LDU name \"" + printable(ldu.name) + "\" holds a control character (" + *bad +
             "): names appear in tables and files, where it would cut or break them";
    // Names are compared as a reader sees them: case, and spaces at the ends
    // or repeated, do not tell two LDUs apart in a table or a spreadsheet.
    const std::string key = name_key(ldu.name);
    if (key == "division") return "LDU name \"" + ldu.name + "\" is reserved for the division-wide rows of the results";
    for (const auto& other : context.ldus)
      if (name_key(other.name) == key)
        return other.name == ldu.name
                   ? "LDU name \"" + ldu.name + "\" is used twice"
                   : "LDU names \"" + other.name + "\" and \"" + ldu.name +
                         "\" differ only in case or spaces: a reader cannot tell them apart";
    return std::nullopt;
  });
  f.key("neighbours", ldu.neighbours, Neighbours{context.ldus, context.neighbour_names});
  const auto holds_staff = [](const model::StaffGroup& g) { return g.establishment != 0 || g.in_post != 0; };
  const auto staff_group = [&](auto& g, auto& group) { staff_group_fields(g, group, context.default_hours); };
  f.key("staff", ldu.staff,
        ByName{kGrades, Table{staff_group, "a table { establishment, in_post, contracted_hours }"}, holds_staff});
  f.key("arrivals_per_week", ldu.arrivals_per_week, ByName{kCaseTypes, ArrivalRate{context.defined}, NonzeroEntries{}});
  f.key("court_reports_per_week", ldu.court_reports_per_week, kPerWeek);
}

// [[ldu]]: at least one, and no more than an LDU number (16 bits in the
// engine's case, task and victim records) can tell apart.
inline constexpr std::size_t kMaxLdus = 10000;

struct Ldus {
  using Value = std::vector<model::LduParameters>;
  double default_hours;
  const std::array<bool, model::kCaseTypeCount>* defined;

  Value read(TableReader& r, std::string_view key, std::optional<Value>) const {
    const toml::array* list = r.array(key);
    if (!list || list->empty()) {
      if (list) r.ctx().fail(list->source(), "'ldu' is empty: expected at least one [[ldu]]");
      r.fail_missing(key, "at least one [[ldu]] table");
    }
    if (list->size() > kMaxLdus)
      r.ctx().fail(list->source(), "'ldu' has " + std::to_string(list->size()) + " LDUs; a scenario may have at most " +
                                       std::to_string(kMaxLdus));
    Value ldus;
    std::vector<NeighbourNames> neighbour_names;
    for_each_table(r.ctx(), *list, std::string(key), "a table", [&](TableReader& table) {
      model::LduParameters ldu;
      Reader fields(table);
      ldu_fields(fields, ldu, LduContext{default_hours, defined, ldus, &neighbour_names.emplace_back()});
      table.finish();
      ldus.push_back(std::move(ldu));
    });
    resolve_neighbours(ldus, neighbour_names, r.ctx());
    return ldus;
  }

  [[nodiscard]] toml::array write(const Value& ldus) const {
    toml::array out;
    for (const auto& ldu : ldus) {
      Writer fields;
      ldu_fields(fields, ldu, LduContext{default_hours, defined, ldus, nullptr});
      out.push_back(fields.take());
    }
    return out;
  }
};

template <class Fields> void task_fields(Fields& f, MaybeConst<model::TaskParameters> auto& t) {
  f.key("sdr_share", t.sdr_share, kProbability);
  f.key("fdr_deadline_working_days", t.fdr_deadline_working_days, kWorkingDays);
  f.key("sdr_deadline_working_days", t.sdr_deadline_working_days, kWorkingDays);
  f.key("court_grades", t.court_grades, CaseloadGrades{});
  f.key("parole_reports", t.parole_reports, Boolean{});
  f.key("parole_min_custody_days", t.parole_min_custody_days, kPositive);
  f.key("parole_lead_days", t.parole_lead_days, kPositive);
  f.key("parole_due_before_release_days", t.parole_due_before_release_days,
        Number{.max = t.parole_lead_days, .max_open = true,
               .expected = "a number of days >= 0 and below parole_lead_days"});
  f.key("report_points_period_days", t.report_points_period_days, kPositive);
  f.key("review_hours", t.review_hours, kPositive);
  f.key("court_duty_share", t.court_duty_share,
        Number{.max = 1.0, .max_open = true, .expected = "a share of available hours in [0, 1)"});
  f.key("task_share_at_capacity", t.task_share_at_capacity,
        Number{.max = 1.0, .max_open = true, .expected = "a share of available hours in [0, 1)"});
  f.key("review_deadline_working_days", t.review_deadline_working_days, kWorkingDays);
  f.key("deescalation_review_deadline_working_days", t.deescalation_review_deadline_working_days, kWorkingDays);
}

template <class Fields> void victim_fields(Fields& f, MaybeConst<model::VictimParameters> auto& v) {
  f.key("first_contact_working_days", v.first_contact_working_days, kWorkingDays);
  f.key("contact_hours", v.contact_hours, kPositive);
  f.key("contact_deadline_working_days", v.contact_deadline_working_days, kWorkingDays);
  f.key("hours_per_case_per_week", v.hours_per_case_per_week, Number{.max = 168.0, .expected = "hours per week from 0 to 168"});
  f.key("opt_out_per_year", v.opt_out_per_year, kPerYear);
  f.key("pooled", v.pooled, Boolean{});
}

template <class Fields> void staffing_fields(Fields& f, MaybeConst<model::StaffingParameters> auto& p) {
  f.key("leavers_per_year", p.leavers_per_year, ByName{kGrades, kPerYear});
  f.key("time_to_hire_days", p.time_to_hire_days, DistributionTable{});
  f.key("refill_vacancies", p.refill_vacancies, Boolean{});
  f.key("fill_initial_vacancies", p.fill_initial_vacancies, GradeSet{});
  f.key("hold_initial_vacancies", p.hold_initial_vacancies, GradeSet{});
  f.key("refill_po_with", p.refill_po_with, Choice<model::RecruitKind>{kRecruits});
  f.key("trainee_reductions", p.trainee_reductions, ReductionSteps{});
  f.key("newly_qualified_reductions", p.newly_qualified_reductions, ReductionSteps{});
  f.key("short_sickness_per_year", p.short_sickness_per_year, kPerYear);
  f.key("short_sickness_days", p.short_sickness_days, DistributionTable{});
  f.key("long_sickness_per_year", p.long_sickness_per_year, kPerYear);
  f.key("long_sickness_days", p.long_sickness_days, DistributionTable{});
  f.key("reallocate_after_weeks", p.reallocate_after_weeks, kNonNegative);
}

template <class Fields>
void intervention_fields(Fields& f, MaybeConst<model::Intervention> auto& in, double horizon_days,
                         std::span<const model::LduParameters> ldus) {
  f.key("at_day", in.at_day,
        Number{.max = horizon_days, .max_open = true, .expected = "a day from 0 up to (not including) horizon_days"},
        Required{});
  f.key("ldu", in.ldu, LduName{ldus});
  f.key("add_staff", in.add_staff, ByName{kGrades, Integer{-100000, 100000}, NonzeroEntries{}}.omitted_when_empty());
  f.key("recruits", in.recruits, Choice<model::RecruitKind>{kRecruits});
  f.key("demand_factor", in.demand_factor, Number{.max = 1000.0, .expected = "a factor from 0 to 1000"});
  f.key("policy", in.policy, Choice<model::PolicyKind>{kPolicies});
  f.key("cap_percent", in.cap_percent, kPositive);
  f.key("overflow", in.overflow, Boolean{});
  f.check("ldu", [&]() -> std::optional<std::string> {
    if (!in.ldu || !(in.policy || in.cap_percent || in.overflow)) return std::nullopt;
    return "'" + f.path() + "': policy, cap_percent and overflow apply to the whole division; give them in an "
                            "intervention without 'ldu'";
  });
}

// [[intervention]]: none or more, kept in order of at_day; none are written as no key.
struct Interventions {
  using Value = std::vector<model::Intervention>;
  double horizon_days;
  std::span<const model::LduParameters> ldus;

  Value read(TableReader& r, std::string_view key, std::optional<Value> fallback) const {
    const toml::array* list = r.array(key);
    if (!list) return fallback.value_or(Value{});
    Value interventions;
    for_each_table(r.ctx(), *list, std::string(key), "a table", [&](TableReader& table) {
      Reader fields(table);
      intervention_fields(fields, interventions.emplace_back(), horizon_days, ldus);
      table.finish();
    });
    std::stable_sort(interventions.begin(), interventions.end(),
                     [](const auto& a, const auto& b) { return a.at_day < b.at_day; });
    return interventions;
  }

  [[nodiscard]] std::optional<toml::array> write(const Value& interventions) const {
    if (interventions.empty()) return std::nullopt;
    toml::array out;
    for (const auto& in : interventions) {
      Writer fields;
      intervention_fields(fields, in, horizon_days, ldus);
      out.push_back(fields.take());
    }
    return out;
  }
};

// What reading the top level leaves for after it: the case types that have a
// table, and an [initial_state] snapshot, read once the LDUs are known.
struct ReadState {
  std::array<bool, model::kCaseTypeCount> defined{};
  std::optional<SnapshotSpec> snapshot;
};

template <class Fields> void scenario_fields(Fields& f, MaybeConst<model::Scenario> auto& s, ReadState& state) {
  int version = kScenarioSchemaVersion;
  f.key("schema_version", version, Integer{kScenarioSchemaVersion, kScenarioSchemaVersion}, Required{});
  f.key("name", s.name, Text{}, "unnamed scenario");
  f.key("seed", s.seed, Integer{0, std::numeric_limits<std::int64_t>::max()});
  f.key("start_date", s.start_date, Date{});
  f.key("horizon_days", s.horizon_days,
        Number{.max = kMaxHorizonDays, .min_open = true, .expected = "a positive number of days, at most 10000000"});
  f.key("warmup_days", s.warmup_days,
        Number{.max = s.horizon_days, .max_open = true, .expected = "a number of days >= 0 and below horizon_days"});
  f.key("snapshot_every_days", s.snapshot_every_days, kPositive);
  f.check("snapshot_every_days", [&]() -> std::optional<std::string> {
    if ((s.horizon_days - s.warmup_days) / s.snapshot_every_days > kMaxSnapshots)
      return "snapshot_every_days is too small for horizon_days: expected at most 1000000 snapshots, i.e. "
             "snapshot_every_days >= (horizon_days - warmup_days) / 1000000";
    return std::nullopt;
  });
  f.key("replications", s.replications, Integer{1, kMaxReplications});
  f.key("initial_state", s.initial_state, InitialStateKind{&state.snapshot, &s.snapshot});
  f.key("arrival_process", s.arrival_process, Choice<model::ArrivalProcess>{kArrivalProcesses});
  f.key("workload", s.workload, Table{[](auto& g, auto& w) { workload_fields(g, w); }});
  f.key("allocation", s.allocation, Table{[](auto& g, auto& a) { allocation_fields(g, a); }});
  f.key("case_types", s.case_types, CaseTypes{&state.defined, s.ldus, &s.snapshot}, Required{});
  f.key("ldu", s.ldus, Ldus{s.workload.default_contracted_hours, &state.defined}, Required{});
  f.key("tasks", s.tasks, Table{[](auto& g, auto& t) { task_fields(g, t); }});
  f.key("victims", s.victims, Table{[](auto& g, auto& v) { victim_fields(g, v); }});
  // Present, even empty, [staffing] switches staffing dynamics on.
  f.key("staffing", s.staffing, Table{[](auto& g, auto& p) { staffing_fields(g, p); }});
  f.key("intervention", s.interventions, Interventions{s.horizon_days, s.ldus});
  f.key("sensitivity", s.sensitivity, SensitivityRanges{});
}

} // namespace

model::Scenario read_scenario(const toml::table& doc, const Context& ctx) {
  TableReader root(ctx, doc, "");
  model::Scenario s;
  Reader fields(root);
  ReadState state;
  scenario_fields(fields, s, state);
  root.finish();
  if (state.snapshot) apply_snapshot(s, read_snapshot(*state.snapshot, s, state.defined));
  return s;
}

toml::table write_scenario(const model::Scenario& s) {
  Writer fields;
  ReadState unused;
  scenario_fields(fields, s, unused);
  return fields.take();
}

} // namespace caseload::io
