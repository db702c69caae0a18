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
#include <numeric>
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
  f.key("cap_percent", a.cap_percent, CapacityPercent{});
  f.key("preference_threshold_percent", a.preference_threshold_percent, CapacityPercent{});
  f.key("overflow", a.overflow, Boolean{});
  f.key("eligibility", a.eligibility, ByName{kProtectLevels, PreferenceLevels{}});
  f.key("grade_cap_percent", a.grade_cap_percent, ByName{kGrades, CapacityPercent{}, FiniteEntries{}});
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
        ReductionPercent{.expected = "a percentage of contracted hours in [0, 100]"});
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
  const std::string below_lead = "a number of days >= 0 and below parole_lead_days, " + number_text(t.parole_lead_days);
  f.key("parole_due_before_release_days", t.parole_due_before_release_days,
        Number{.max = t.parole_lead_days, .max_open = true, .expected = below_lead});
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
  const std::string before_horizon = "a day from 0 up to (not including) the horizon, " + number_text(horizon_days);
  f.key("at_day", in.at_day, Number{.max = horizon_days, .max_open = true, .expected = before_horizon}, Required{});
  f.key("ldu", in.ldu, LduName{ldus});
  f.key("add_staff", in.add_staff, ByName{kGrades, Integer{-100000, 100000}, NonzeroEntries{}}.omitted_when_empty());
  f.key("add_staff_percent", in.add_staff_percent, ByName{kGrades, StaffPercent{}, NonzeroEntries{}}.omitted_when_empty());
  f.check("add_staff_percent", [&]() -> std::optional<std::string> {
    for (std::size_t g = 0; g < model::kGradeCount; ++g)
      if (in.add_staff[g] != 0 && in.add_staff_percent[g] != 0.0) {
        const std::string grade(model::kGradeNames[g]);
        return "'" + f.path() + "': add_staff." + grade + " and add_staff_percent." + grade + " both change " +
               grade + ": give one";
      }
    return std::nullopt;
  });
  f.key("keep_posts", in.keep_posts, Flag{});
  f.check("keep_posts", [&]() -> std::optional<std::string> {
    const bool changes_staff = std::any_of(in.add_staff.begin(), in.add_staff.end(), [](int n) { return n != 0; }) ||
                               std::any_of(in.add_staff_percent.begin(), in.add_staff_percent.end(),
                                           [](double p) { return p != 0.0; });
    if (!in.keep_posts || changes_staff) return std::nullopt;
    return "'" + f.path("keep_posts") + "' has no effect without add_staff or add_staff_percent";
  });
  f.key("recruits", in.recruits, Choice<model::RecruitKind>{kRecruits});
  f.key("demand_factor", in.demand_factor, DemandFactor{});
  f.key("policy", in.policy, Choice<model::PolicyKind>{kPolicies});
  f.key("cap_percent", in.cap_percent, CapacityPercent{});
  f.key("overflow", in.overflow, Boolean{});
  f.check("ldu", [&]() -> std::optional<std::string> {
    if (!in.ldu || !(in.policy || in.cap_percent || in.overflow)) return std::nullopt;
    return "'" + f.path() + "': policy, cap_percent and overflow apply to the whole division; give them in an "
                            "intervention without 'ldu'";
  });
}

// Warns where an intervention removes more staff than are in post, or with
// keep_posts fills more posts than are vacant: the engine cuts the change to
// what there is, which is probably not what was meant. Staff are followed
// from day 0 through the interventions in order (`order`: by at_day), without
// leavers, hires or trainees qualifying, which the loader cannot know.
void warn_about_staff_changes(std::span<const model::Intervention> interventions, std::span<const std::size_t> order,
                              std::span<const toml::table* const> tables, std::span<const model::LduParameters> ldus,
                              const Context& ctx) {
  struct Staffed {
    int in_post = 0;
    int posts = 0;
  };
  std::vector<std::array<Staffed, model::kGradeCount>> staff(ldus.size());
  for (std::size_t l = 0; l < ldus.size(); ++l)
    for (std::size_t g = 0; g < model::kGradeCount; ++g)
      staff[l][g] = {ldus[l].staff[g].in_post, ldus[l].staff[g].establishment};
  for (const std::size_t i : order) {
    const model::Intervention& in = interventions[i];
    for (std::size_t g = 0; g < model::kGradeCount; ++g) {
      const bool by_percent = in.add_staff_percent[g] != 0.0;
      if (in.add_staff[g] == 0 && !by_percent) continue;
      const auto grade = model::Grade(g);
      std::vector<std::string> short_of;
      for (std::size_t l = 0; l < ldus.size(); ++l) {
        if (in.ldu && *in.ldu != static_cast<int>(l)) continue;
        Staffed& here = staff[l][g];
        const int n = by_percent ? model::staff_change(in.add_staff_percent[g], here.in_post) : in.add_staff[g];
        const int vacant = std::max(0, here.posts - here.in_post);
        if (n < 0 && -n > here.in_post) short_of.push_back(ldus[l].name + " (" + std::to_string(here.in_post) + ")");
        if (n > 0 && in.keep_posts && n > vacant) short_of.push_back(ldus[l].name + " (" + std::to_string(vacant) + ")");
        if (n < 0) {
          here.in_post = std::max(0, here.in_post + n);
          if (!in.keep_posts) here.posts = std::max(0, here.posts + n);
        } else if (n > 0) {
          Staffed& joined = staff[l][static_cast<std::size_t>(model::grade_on_joining(grade, in.recruits))];
          const int joining = in.keep_posts ? std::min(n, vacant) : n;
          joined.in_post += joining;
          joined.posts += &joined == &here && in.keep_posts ? 0 : joining;
        }
      }
      if (short_of.empty()) continue;
      const std::string key = std::string(by_percent ? "add_staff_percent." : "add_staff.") + std::string(model::name(grade));
      const toml::node* value = (*tables[i])[by_percent ? "add_staff_percent" : "add_staff"][model::name(grade)].node();
      const std::string what =
          in.add_staff[g] < 0 || in.add_staff_percent[g] < 0
              ? "removes more " + std::string(model::name(grade)) + " staff than are in post in "
              : "with keep_posts fills vacant posts only, more than are vacant in ";
      std::string where;
      for (std::size_t k = 0; k < short_of.size(); ++k)
        where += (k == 0 ? "" : k + 1 == short_of.size() ? " and " : ", ") + short_of[k];
      ctx.warn(value ? value->source() : tables[i]->source(),
               "'intervention[" + std::to_string(i) + "]." + key + "' = " +
                   (by_percent ? number_text(in.add_staff_percent[g]) : std::to_string(in.add_staff[g])) + " " +
                   what + where + ": no more than that change (counted from the day-0 staff through the earlier "
                                  "interventions, before leavers and hires)");
    }
  }
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
    std::vector<const toml::table*> tables;
    for_each_table(r.ctx(), *list, std::string(key), "a table", [&](TableReader& table) {
      Reader fields(table);
      intervention_fields(fields, interventions.emplace_back(), horizon_days, ldus);
      table.finish();
      tables.push_back(&table.table());
    });
    std::vector<std::size_t> order(interventions.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return interventions[a].at_day < interventions[b].at_day; });
    warn_about_staff_changes(interventions, order, tables, ldus, r.ctx());
    Value sorted;
    for (const std::size_t i : order) sorted.push_back(interventions[i]);
    return sorted;
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
  const std::string below_horizon = "a number of days >= 0 and below the horizon, " + number_text(s.horizon_days);
  f.key("warmup_days", s.warmup_days, Number{.max = s.horizon_days, .max_open = true, .expected = below_horizon});
  f.key("snapshot_every_days", s.snapshot_every_days, kPositive);
  f.check("snapshot_every_days", [&]() -> std::optional<std::string> {
    const double measured = s.horizon_days - s.warmup_days;
    if (measured / s.snapshot_every_days > kMaxSnapshots)
      return "snapshot_every_days = " + number_text(s.snapshot_every_days) + " is too small for " +
             number_text(measured) + " days after the warm-up: expected at most 1000000 snapshots, i.e. "
             "snapshot_every_days >= " + number_text(measured / kMaxSnapshots);
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
