#include "caseload/io/scenario_loader.hpp"

#include "caseload/io/input_error.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <span>
#include <sstream>

namespace caseload::io {
namespace {

using model::CaseType;
using model::Grade;

// Everything a reader needs to report an error at a place in the file.
class Context {
public:
  explicit Context(std::string file) : file_(std::move(file)) {}
  // The node's own file where it has one (a variant's base), else this file.
  [[noreturn]] void fail(const toml::source_region& where, const std::string& what) const {
    throw InputError(where.path ? *where.path : file_, static_cast<int>(where.begin.line),
                     static_cast<int>(where.begin.column), what);
  }
  [[nodiscard]] const std::string& file() const { return file_; }
  std::vector<std::string> warnings;

private:
  std::string file_;
};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
  case toml::node_type::table: return "a table";
  case toml::node_type::array: return "an array";
  case toml::node_type::string: return "a string";
  case toml::node_type::integer: return "an integer";
  case toml::node_type::floating_point: return "a number";
  case toml::node_type::boolean: return "a boolean";
  case toml::node_type::date: return "a date";
  case toml::node_type::time: return "a time";
  case toml::node_type::date_time: return "a date-time";
  default: return "nothing";
  }
}

template <std::size_t N>
std::string quoted_list(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += '"';
    out += names[i];
    out += '"';
  }
  return out;
}

// Reads one TOML table, remembering which keys it consumed so that any key
// left over (a typo, a key from another version) is reported, not ignored.
class TableReader {
public:
  TableReader(const Context& ctx, const toml::table& table, std::string path)
      : ctx_(ctx), table_(table), path_(std::move(path)) {}

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const toml::table& table() const { return table_; }
  [[nodiscard]] std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const toml::node* find(std::string_view key) {
    const toml::node* n = table_.get(key);
    if (n) used_.insert(std::string(key));
    return n;
  }

  [[noreturn]] void fail_missing(std::string_view key, const std::string& expected) const {
    ctx_.fail(table_.source(), "missing key '" + key_path(key) + "': expected " + expected);
  }

  const toml::node& require(std::string_view key, const std::string& expected) {
    const toml::node* n = find(key);
    if (!n) fail_missing(key, expected);
    return *n;
  }

  [[noreturn]] void fail_type(std::string_view key, const toml::node& n,
                              const std::string& expected) const {
    ctx_.fail(n.source(),
              "'" + key_path(key) + "' is " + type_name(n) + ", expected " + expected);
  }

  double number_node(std::string_view key, const toml::node& n, const std::string& expected) const {
    if (auto v = n.value<double>(); v && (n.is_integer() || n.is_floating_point())) return *v;
    fail_type(key, n, expected);
  }

  // A finite number in [min, max] (bounds open where the flags say so).
  double number(std::string_view key, std::optional<double> fallback, double min, double max,
                bool min_open, bool max_open, const std::string& expected) {
    const toml::node* n = find(key);
    if (!n) {
      if (!fallback) fail_missing(key, expected);
      return *fallback;
    }
    const double v = number_node(key, *n, expected);
    const bool ok = std::isfinite(v) && (min_open ? v > min : v >= min) &&
                    (max_open ? v < max : v <= max);
    if (!ok) {
      std::ostringstream s;
      s << std::setprecision(10) << "'" << key_path(key) << "' = " << v << " is out of range: expected "
        << expected;
      ctx_.fail(n->source(), s.str());
    }
    return v;
  }

  double positive(std::string_view key, std::optional<double> fallback = std::nullopt) {
    return number(key, fallback, 0.0, HUGE_VAL, true, false, "a positive finite number");
  }
  double non_negative(std::string_view key, std::optional<double> fallback = std::nullopt) {
    return number(key, fallback, 0.0, HUGE_VAL, false, false, "a finite number >= 0");
  }
  double probability(std::string_view key, std::optional<double> fallback = std::nullopt) {
    return number(key, fallback, 0.0, 1.0, false, false, "a probability in [0, 1]");
  }

  std::int64_t integer(std::string_view key, std::optional<std::int64_t> fallback, std::int64_t min,
                       std::int64_t max) {
    const std::string expected =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const toml::node* n = find(key);
    if (!n) {
      if (!fallback) fail_missing(key, expected);
      return *fallback;
    }
    if (!n->is_integer()) fail_type(key, *n, expected);
    const std::int64_t v = **n->as_integer();
    if (v < min || v > max)
      ctx_.fail(n->source(), "'" + key_path(key) + "' = " + std::to_string(v) +
                                 " is out of range: expected " + expected);
    return v;
  }

  bool boolean(std::string_view key, bool fallback) {
    const toml::node* n = find(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail_type(key, *n, "true or false");
    return **n->as_boolean();
  }

  double deadline(std::string_view key, double fallback) {
    return number(key, fallback, 0.0, HUGE_VAL, true, false, "a positive number of working days");
  }

  std::string string(std::string_view key, std::optional<std::string> fallback) {
    const toml::node* n = find(key);
    if (!n) {
      if (!fallback) fail_missing(key, "a string");
      return *fallback;
    }
    if (!n->is_string()) fail_type(key, *n, "a string");
    return **n->as_string();
  }

  // A string that must be one of `names`; returns its index.
  template <std::size_t N>
  int choice(std::string_view key, const std::array<std::string_view, N>& names,
             std::optional<int> fallback, std::string_view what) {
    const toml::node* n = find(key);
    if (!n) {
      if (!fallback) fail_missing(key, std::string(what) + ": " + quoted_list(names));
      return *fallback;
    }
    return choice_node(key, *n, names, what);
  }

  template <std::size_t N>
  int choice_node(std::string_view key, const toml::node& n,
                  const std::array<std::string_view, N>& names, std::string_view what) const {
    if (!n.is_string()) fail_type(key, n, std::string(what) + ": " + quoted_list(names));
    const std::string& s = **n.as_string();
    if (auto i = model::index_of(names, s)) return *i;
    ctx_.fail(n.source(), "unknown " + std::string(what) + " \"" + s + "\" in '" + key_path(key) +
                              "': expected " + quoted_list(names));
  }

  TableReader subtable(std::string_view key, bool required) {
    static const toml::table empty;
    const toml::node* n = find(key);
    if (!n) {
      if (required) fail_missing(key, "a table");
      return {ctx_, empty, key_path(key)};
    }
    if (!n->is_table()) fail_type(key, *n, "a table");
    return {ctx_, *n->as_table(), key_path(key)};
  }

  const toml::array* array(std::string_view key) {
    const toml::node* n = find(key);
    if (!n) return nullptr;
    if (!n->is_array()) fail_type(key, *n, "an array");
    return n->as_array();
  }

  // Reports the first key that nobody asked for.
  void finish() const {
    for (auto&& [key, node] : table_) {
      if (used_.count(std::string(key.str()))) continue;
      ctx_.fail(key.source(), "unknown key '" + key_path(key.str()) + "'" +
                                  (path_.empty() ? "" : " in [" + path_ + "]"));
    }
  }

  const Context& ctx() const { return ctx_; }

private:
  const Context& ctx_;
  const toml::table& table_;
  std::string path_;
  std::set<std::string> used_;
};

// Every key of a table whose keys are names from `names` (e.g. grades, tiers):
// calls f(index, key, node) and rejects unknown names.
template <std::size_t N, class F>
void for_each_named(TableReader& reader, const std::array<std::string_view, N>& names,
                    std::string_view what, F&& f) {
  for (auto&& [key, node] : reader.table()) {
    const auto index = model::index_of(names, key.str());
    if (!index)
      reader.ctx().fail(key.source(), "unknown " + std::string(what) + " \"" +
                                          std::string(key.str()) + "\" in [" + reader.path() +
                                          "]: expected " + quoted_list(names));
    reader.find(key.str());
    f(*index, key.str(), node);
  }
}

sim::Distribution read_distribution(TableReader& parent, std::string_view key) {
  const toml::node& n = parent.require(key, "a distribution table such as { dist = \"lognormal\", mean = 300, sd = 150 }");
  if (!n.is_table())
    parent.fail_type(key, n, "a distribution table such as { dist = \"lognormal\", mean = 300, sd = 150 }");
  TableReader r(parent.ctx(), *n.as_table(), parent.key_path(key));
  static constexpr std::array<std::string_view, 6> kNames{"exponential", "lognormal", "gamma",
                                                          "weibull",     "uniform",   "fixed"};
  const auto kind = sim::DistributionKind(r.choice("dist", kNames, std::nullopt, "distribution"));
  auto moments_or_shape = [&](auto from_moments, auto from_shape) {
    if (r.table().contains("shape") || r.table().contains("scale"))
      return from_shape(r.positive("shape"), r.positive("scale"));
    return from_moments(r.positive("mean"), r.positive("sd"));
  };
  sim::Distribution d = sim::Distribution::fixed(1.0);
  try {
    switch (kind) {
    case sim::DistributionKind::exponential: d = sim::Distribution::exponential(r.positive("mean")); break;
    case sim::DistributionKind::lognormal:
      d = sim::Distribution::lognormal(r.positive("mean"), r.positive("sd"));
      break;
    case sim::DistributionKind::gamma:
      d = moments_or_shape(sim::Distribution::gamma_from_moments, sim::Distribution::gamma);
      break;
    case sim::DistributionKind::weibull:
      d = moments_or_shape(sim::Distribution::weibull_from_moments, sim::Distribution::weibull);
      break;
    case sim::DistributionKind::uniform: {
      const double lo = r.non_negative("min");
      const double hi = r.number("max", std::nullopt, lo, HUGE_VAL, true, false,
                                 "a finite number greater than 'min'");
      d = sim::Distribution::uniform(lo, hi);
      break;
    }
    case sim::DistributionKind::fixed: d = sim::Distribution::fixed(r.positive("value")); break;
    }
  } catch (const std::invalid_argument& e) {
    r.ctx().fail(n.source(), "'" + r.path() + "': " + e.what());
  }
  r.finish();
  return d;
}

void read_workload(TableReader& r, model::WorkloadParameters& w) {
  w.nominal_target_points = r.positive("nominal_target_points", w.nominal_target_points);
  w.default_contracted_hours = r.positive("default_contracted_hours", w.default_contracted_hours);
  TableReader points = r.subtable("case_points", false);
  for_each_named(points, model::kCaseTypeNames, "case type", [&](int type, auto, const toml::node& n) {
    if (!n.is_table()) points.fail_type(model::kCaseTypeNames[type], n, "a table of tier = points");
    TableReader tiers(r.ctx(), *n.as_table(), points.key_path(model::kCaseTypeNames[type]));
    for_each_named(tiers, model::kTierNames, "tier", [&](int tier, auto key, const toml::node&) {
      w.case_points[type][tier] = static_cast<int>(tiers.integer(key, std::nullopt, 0, 100000));
    });
  });
  points.finish();
  TableReader reports = r.subtable("report_points", false);
  w.sdr_points = static_cast<int>(reports.integer("sdr", w.sdr_points, 0, 100000));
  w.fdr_points = static_cast<int>(reports.integer("fdr", w.fdr_points, 0, 100000));
  w.parole_points = static_cast<int>(reports.integer("parole", w.parole_points, 0, 100000));
  reports.finish();
  r.finish();
}

// A non-empty array of distinct grades that hold offender caseloads, most preferred first.
std::vector<Grade> read_caseload_grades(const TableReader& r, std::string_view key, const toml::node& n) {
  const std::string expected = "an array of grades, most preferred first";
  if (!n.is_array()) r.fail_type(key, n, expected);
  std::vector<Grade> grades;
  for (const toml::node& g : *n.as_array()) {
    const auto grade = Grade(r.choice_node(key, g, model::kGradeNames, "grade"));
    if (grade == Grade::SPO || grade == Grade::VLO)
      r.ctx().fail(g.source(), "grade \"" + std::string(model::name(grade)) +
                                   "\" holds no offender caseload: expected PO, PQiP or PSO");
    if (std::find(grades.begin(), grades.end(), grade) != grades.end())
      r.ctx().fail(g.source(), "grade \"" + std::string(model::name(grade)) + "\" is listed twice");
    grades.push_back(grade);
  }
  if (grades.empty()) r.ctx().fail(n.source(), "'" + r.key_path(key) + "' is empty: expected " + expected);
  return grades;
}

// Levels of preference: each element a grade, or an array of grades of equal
// standing, e.g. [["PSO", "PQiP"], "PO"]. No grade twice.
model::EligibilityRow read_preference_levels(const TableReader& r, std::string_view key, const toml::node& n) {
  const std::string expected = "an array of grades (or arrays of equally preferred grades), most preferred first";
  if (!n.is_array()) r.fail_type(key, n, expected);
  model::EligibilityRow row;
  std::vector<Grade> seen;
  auto grade_of = [&](const toml::node& g) {
    const auto grade = Grade(r.choice_node(key, g, model::kGradeNames, "grade"));
    if (grade == Grade::SPO || grade == Grade::VLO)
      r.ctx().fail(g.source(), "grade \"" + std::string(model::name(grade)) +
                                   "\" holds no offender caseload: expected PO, PQiP or PSO");
    if (std::find(seen.begin(), seen.end(), grade) != seen.end())
      r.ctx().fail(g.source(), "grade \"" + std::string(model::name(grade)) + "\" is listed twice");
    seen.push_back(grade);
    return grade;
  };
  for (const toml::node& element : *n.as_array()) {
    model::PreferenceLevel level;
    if (const toml::array* equal = element.as_array()) {
      for (const toml::node& g : *equal) level.push_back(grade_of(g));
      if (level.empty()) r.ctx().fail(element.source(), "'" + r.key_path(key) + "' has an empty level");
    } else {
      level.push_back(grade_of(element));
    }
    row.push_back(std::move(level));
  }
  if (row.empty()) r.ctx().fail(n.source(), "'" + r.key_path(key) + "' is empty: expected " + expected);
  return row;
}

void read_allocation(TableReader& r, model::AllocationParameters& a) {
  a.policy = model::PolicyKind(r.choice("policy", model::kPolicyNames, 0, "allocation policy"));
  a.cap_percent = r.positive("cap_percent", a.cap_percent);
  a.preference_threshold_percent =
      r.positive("preference_threshold_percent", a.preference_threshold_percent);
  a.overflow = r.boolean("overflow", a.overflow);
  TableReader elig = r.subtable("eligibility", false);
  for_each_named(elig, model::kProtectLevelNames, "protect level (tier letter)",
                 [&](int level, auto key, const toml::node& n) {
                   a.eligibility[level] = read_preference_levels(elig, key, n);
                 });
  elig.finish();
  r.finish();
}

void read_case_types(TableReader& r, model::Scenario& s, std::array<bool, model::kCaseTypeCount>& defined,
                     Context& ctx) {
  for_each_named(r, model::kCaseTypeNames, "case type", [&](int t, auto key, const toml::node& n) {
    if (!n.is_table()) r.fail_type(key, n, "a table");
    TableReader c(ctx, *n.as_table(), r.key_path(key));
    model::CaseTypeParameters& p = s.case_types[t];
    defined[t] = true;
    p.duration = read_distribution(c, "duration_days");
    TableReader mix = c.subtable("tier_mix", true);
    double total = 0.0;
    for_each_named(mix, model::kTierNames, "tier", [&](int tier, auto tier_key, const toml::node&) {
      p.tier_mix[tier] = mix.probability(tier_key);
      total += p.tier_mix[tier];
    });
    if (std::abs(total - 1.0) > 1e-6) {
      std::ostringstream msg;
      msg << std::setprecision(10) << "'" << mix.path() << "' sums to " << total
          << ": expected the shares of the tiers to sum to 1";
      ctx.fail(mix.table().source(), msg.str());
    }
    mix.finish();
    if (const toml::node* b = c.find("becomes")) {
      const auto next = CaseType(c.choice_node("becomes", *b, model::kCaseTypeNames, "case type"));
      if (static_cast<int>(next) == t)
        ctx.fail(b->source(), "'" + c.key_path("becomes") + "': a case type cannot become itself");
      p.becomes = next;
    }
    p.victim_probability = c.probability("victim_probability", 0.0);
    auto read_rates = [&](std::string_view key, std::array<double, model::kProtectLevelCount>& rates) {
      TableReader t = c.subtable(key, false);
      for_each_named(t, model::kProtectLevelNames, "protect level (tier letter)",
                     [&](int level, auto level_key, const toml::node&) { rates[level] = t.non_negative(level_key); });
      t.finish();
    };
    read_rates("escalations_per_year", p.escalations_per_year);
    read_rates("deescalations_per_year", p.deescalations_per_year);
    c.finish();
  });
  r.finish();
  // Phases must end: no chain of `becomes` may loop.
  for (int t = 0; t < model::kCaseTypeCount; ++t) {
    int steps = 0;
    for (auto next = s.case_types[t].becomes; next; next = s.case_types[static_cast<int>(*next)].becomes)
      if (++steps > model::kCaseTypeCount)
        ctx.fail(r.table().source(), "case types' 'becomes' form a loop: a case would never end");
  }
  for (int t = 0; t < model::kCaseTypeCount; ++t)
    if (auto next = s.case_types[t].becomes; next && !defined[static_cast<int>(*next)])
      ctx.fail(r.table().source(), "case type \"" + std::string(model::kCaseTypeNames[t]) +
                                       "\" becomes \"" + std::string(model::name(*next)) +
                                       "\", which has no [case_types." + std::string(model::name(*next)) + "]");
}

void read_ldus(TableReader& root, model::Scenario& s,
               const std::array<bool, model::kCaseTypeCount>& defined, Context& ctx) {
  const toml::array* ldus = root.array("ldu");
  if (!ldus || ldus->empty()) {
    if (ldus) ctx.fail(ldus->source(), "'ldu' is empty: expected at least one [[ldu]]");
    root.fail_missing("ldu", "at least one [[ldu]] table");
  }
  std::vector<std::vector<std::pair<std::string, toml::source_region>>> neighbour_names;
  for (std::size_t i = 0; i < ldus->size(); ++i) {
    const toml::node& n = *ldus->get(i);
    const std::string path = "ldu[" + std::to_string(i) + "]";
    if (!n.is_table()) ctx.fail(n.source(), "'" + path + "' is " + type_name(n) + ", expected a table");
    TableReader r(ctx, *n.as_table(), path);
    model::LduParameters ldu;
    ldu.name = r.string("name", std::nullopt);
    if (ldu.name.empty()) ctx.fail(r.find("name")->source(), "'" + path + ".name' is empty");
    if (ldu.name == "division")
      ctx.fail(r.find("name")->source(),
               "LDU name \"division\" is reserved for the division-wide rows of the results");
    for (const auto& other : s.ldus)
      if (other.name == ldu.name)
        ctx.fail(r.find("name")->source(), "LDU name \"" + ldu.name + "\" is used twice");

    auto& names = neighbour_names.emplace_back();
    if (const toml::array* nb = r.array("neighbours"))
      for (const toml::node& x : *nb) {
        if (!x.is_string()) r.fail_type("neighbours", x, "an LDU name (string)");
        names.emplace_back(**x.as_string(), x.source());
      }

    TableReader staff = r.subtable("staff", false);
    for_each_named(staff, model::kGradeNames, "grade", [&](int g, auto key, const toml::node& sn) {
      if (!sn.is_table())
        staff.fail_type(key, sn, "a table { establishment, in_post, contracted_hours }");
      TableReader gr(ctx, *sn.as_table(), staff.key_path(key));
      model::StaffGroup& group = ldu.staff[g];
      group.establishment = static_cast<int>(gr.integer("establishment", std::nullopt, 0, 1000000));
      group.in_post = static_cast<int>(gr.integer("in_post", group.establishment, 0, 1000000));
      group.contracted_hours = gr.positive("contracted_hours", s.workload.default_contracted_hours);
      group.reduction_percent = gr.number("reduction_percent", 0.0, 0.0, 100.0, false, false,
                                          "a percentage of contracted hours in [0, 100]");
      gr.finish();
    });
    staff.finish();

    TableReader arrivals = r.subtable("arrivals_per_week", false);
    for_each_named(arrivals, model::kCaseTypeNames, "case type", [&](int t, auto key, const toml::node& an) {
      ldu.arrivals_per_week[t] = arrivals.non_negative(key);
      if (ldu.arrivals_per_week[t] > 0.0 && !defined[t])
        ctx.fail(an.source(), "'" + arrivals.key_path(key) + "' has arrivals but there is no [case_types." +
                                  std::string(key) + "]");
    });
    arrivals.finish();
    ldu.court_reports_per_week = r.non_negative("court_reports_per_week", 0.0);
    r.finish();
    s.ldus.push_back(std::move(ldu));
  }
  for (std::size_t i = 0; i < s.ldus.size(); ++i)
    for (const auto& [name, where] : neighbour_names[i]) {
      int found = -1;
      for (std::size_t j = 0; j < s.ldus.size(); ++j)
        if (s.ldus[j].name == name) found = static_cast<int>(j);
      if (found < 0) ctx.fail(where, "neighbour \"" + name + "\" of LDU \"" + s.ldus[i].name + "\" is not an LDU of this scenario");
      if (found == static_cast<int>(i)) ctx.fail(where, "LDU \"" + name + "\" cannot be its own neighbour");
      s.ldus[i].neighbours.push_back(found);
    }
}

void read_tasks(TableReader& r, model::TaskParameters& t) {
  t.sdr_share = r.probability("sdr_share", t.sdr_share);
  t.fdr_deadline_working_days = r.deadline("fdr_deadline_working_days", t.fdr_deadline_working_days);
  t.sdr_deadline_working_days = r.deadline("sdr_deadline_working_days", t.sdr_deadline_working_days);
  if (const toml::node* n = r.find("court_grades")) t.court_grades = read_caseload_grades(r, "court_grades", *n);
  t.parole_reports = r.boolean("parole_reports", t.parole_reports);
  t.parole_min_custody_days = r.positive("parole_min_custody_days", t.parole_min_custody_days);
  t.parole_lead_days = r.positive("parole_lead_days", t.parole_lead_days);
  t.parole_due_before_release_days =
      r.number("parole_due_before_release_days", t.parole_due_before_release_days, 0.0, t.parole_lead_days,
               false, true, "a number of days >= 0 and below parole_lead_days");
  t.report_points_period_days = r.positive("report_points_period_days", t.report_points_period_days);
  t.review_hours = r.positive("review_hours", t.review_hours);
  t.minimum_task_share = r.number("minimum_task_share", t.minimum_task_share, 0.0, 1.0, false, false,
                                  "a share of available hours in [0, 1]");
  t.review_deadline_working_days = r.deadline("review_deadline_working_days", t.review_deadline_working_days);
  r.finish();
}

void read_victims(TableReader& r, model::VictimParameters& v) {
  v.first_contact_working_days = r.deadline("first_contact_working_days", v.first_contact_working_days);
  v.contact_hours = r.positive("contact_hours", v.contact_hours);
  v.contact_deadline_working_days =
      r.deadline("contact_deadline_working_days", v.contact_deadline_working_days);
  v.hours_per_case_per_week = r.non_negative("hours_per_case_per_week", v.hours_per_case_per_week);
  v.opt_out_per_year = r.non_negative("opt_out_per_year", v.opt_out_per_year);
  r.finish();
}

std::vector<model::ReductionStep> read_reduction_steps(TableReader& r, std::string_view key,
                                                       std::vector<model::ReductionStep> fallback) {
  const toml::array* a = r.array(key);
  if (!a) return fallback;
  if (a->empty()) r.ctx().fail(a->source(), "'" + r.key_path(key) + "' is empty: expected at least one { months, percent } step");
  std::vector<model::ReductionStep> steps;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& n = *a->get(i);
    const std::string path = r.key_path(key) + "[" + std::to_string(i) + "]";
    if (!n.is_table())
      r.ctx().fail(n.source(), "'" + path + "' is " + type_name(n) + ", expected { months = .., percent = .. }");
    TableReader step(r.ctx(), *n.as_table(), path);
    model::ReductionStep s;
    s.months = step.positive("months");
    s.percent = step.number("percent", std::nullopt, 0.0, 100.0, false, false,
                            "a reduction in percent of contracted hours, from 0 to 100");
    step.finish();
    steps.push_back(s);
  }
  return steps;
}

void read_staffing(TableReader& r, model::StaffingParameters& p) {
  TableReader leavers = r.subtable("leavers_per_year", false);
  for_each_named(leavers, model::kGradeNames, "grade", [&](int g, auto key, const toml::node&) {
    p.leavers_per_year[g] = leavers.non_negative(key);
  });
  leavers.finish();
  if (r.table().contains("time_to_hire_days")) p.time_to_hire_days = read_distribution(r, "time_to_hire_days");
  p.refill_vacancies = r.boolean("refill_vacancies", p.refill_vacancies);
  if (const toml::node* fill = r.find("fill_initial_vacancies")) {
    if (fill->is_boolean()) {
      p.fill_initial_vacancies.fill(**fill->as_boolean());
    } else if (const toml::array* grades = fill->as_array()) {
      p.fill_initial_vacancies.fill(false);
      for (const toml::node& g : *grades)
        p.fill_initial_vacancies[r.choice_node("fill_initial_vacancies", g, model::kGradeNames, "grade")] = true;
    } else {
      r.fail_type("fill_initial_vacancies", *fill, "true, false or an array of grades");
    }
  }
  p.refill_po_with = model::RecruitKind(r.choice("refill_po_with", model::kRecruitNames,
                                                  static_cast<int>(p.refill_po_with), "kind of recruit"));
  p.trainee_reductions = read_reduction_steps(r, "trainee_reductions", p.trainee_reductions);
  p.newly_qualified_reductions =
      read_reduction_steps(r, "newly_qualified_reductions", p.newly_qualified_reductions);
  p.short_sickness_per_year = r.non_negative("short_sickness_per_year", p.short_sickness_per_year);
  if (r.table().contains("short_sickness_days")) p.short_sickness_days = read_distribution(r, "short_sickness_days");
  p.long_sickness_per_year = r.non_negative("long_sickness_per_year", p.long_sickness_per_year);
  if (r.table().contains("long_sickness_days")) p.long_sickness_days = read_distribution(r, "long_sickness_days");
  p.reallocate_after_weeks = r.non_negative("reallocate_after_weeks", p.reallocate_after_weeks);
  r.finish();
}

void read_interventions(TableReader& root, model::Scenario& s, Context& ctx) {
  const toml::array* list = root.array("intervention");
  if (!list) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& n = *list->get(i);
    const std::string path = "intervention[" + std::to_string(i) + "]";
    if (!n.is_table()) ctx.fail(n.source(), "'" + path + "' is " + type_name(n) + ", expected a table");
    TableReader r(ctx, *n.as_table(), path);
    model::Intervention in;
    in.at_day = r.number("at_day", std::nullopt, 0.0, s.horizon_days, false, true,
                         "a day from 0 up to (not including) horizon_days");
    if (const toml::node* l = r.find("ldu")) {
      if (!l->is_string()) r.fail_type("ldu", *l, "an LDU name (string)");
      const std::string& name = **l->as_string();
      for (std::size_t j = 0; j < s.ldus.size(); ++j)
        if (s.ldus[j].name == name) in.ldu = static_cast<int>(j);
      if (!in.ldu) ctx.fail(l->source(), "'" + r.key_path("ldu") + "': \"" + name + "\" is not an LDU of this scenario");
    }
    TableReader add = r.subtable("add_staff", false);
    for_each_named(add, model::kGradeNames, "grade", [&](int g, auto key, const toml::node&) {
      in.add_staff[g] = static_cast<int>(add.integer(key, std::nullopt, -100000, 100000));
    });
    add.finish();
    in.recruits = model::RecruitKind(r.choice("recruits", model::kRecruitNames, 0, "kind of recruit"));
    if (r.table().contains("demand_factor")) in.demand_factor = r.non_negative("demand_factor");
    if (r.table().contains("policy"))
      in.policy = model::PolicyKind(r.choice("policy", model::kPolicyNames, std::nullopt, "allocation policy"));
    if (r.table().contains("cap_percent")) in.cap_percent = r.positive("cap_percent");
    if (r.table().contains("overflow")) in.overflow = r.boolean("overflow", false);
    if (in.ldu && (in.policy || in.cap_percent || in.overflow))
      ctx.fail(r.find("ldu")->source(), "'" + path + "': policy, cap_percent and overflow apply to the whole "
                                            "division; give them in an intervention without 'ldu'");
    r.finish();
    s.interventions.push_back(in);
  }
  std::stable_sort(s.interventions.begin(), s.interventions.end(),
                   [](const auto& a, const auto& b) { return a.at_day < b.at_day; });
}

model::Scenario read_scenario(const toml::table& doc, Context& ctx) {
  TableReader root(ctx, doc, "");
  model::Scenario s;
  root.integer("schema_version", std::nullopt, kScenarioSchemaVersion, kScenarioSchemaVersion);
  s.name = root.string("name", std::string("unnamed scenario"));
  s.seed = static_cast<std::uint64_t>(root.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
  if (const toml::node* d = root.find("start_date")) {
    if (!d->is_date()) root.fail_type("start_date", *d, "a date such as 2018-08-01");
    std::ostringstream out;
    out << **d->as_date();
    s.start_date = out.str();
  }
  // Bounds that keep a run finite in time and memory: 10^7 days is over
  // 27,000 years, and 10^6 snapshots of even one officer fill memory fast.
  constexpr double kMaxHorizonDays = 1e7;
  constexpr double kMaxSnapshots = 1e6;
  s.horizon_days = root.number("horizon_days", s.horizon_days, 0.0, kMaxHorizonDays, true, false,
                               "a positive number of days, at most 10000000");
  s.warmup_days = root.number("warmup_days", 0.0, 0.0, s.horizon_days, false, true,
                              "a number of days >= 0 and below horizon_days");
  s.snapshot_every_days = root.positive("snapshot_every_days", s.snapshot_every_days);
  if ((s.horizon_days - s.warmup_days) / s.snapshot_every_days > kMaxSnapshots) {
    const toml::node* n = root.find("snapshot_every_days");
    ctx.fail(n ? n->source() : doc.source(),
             "snapshot_every_days is too small for horizon_days: expected at most 1000000 "
             "snapshots, i.e. snapshot_every_days >= (horizon_days - warmup_days) / 1000000");
  }
  s.replications = static_cast<int>(root.integer("replications", 1, 1, kMaxReplications));
  s.initial_state = model::InitialState(
      root.choice("initial_state", model::kInitialStateNames, 0, "initial state"));
  s.arrival_process = model::ArrivalProcess(
      root.choice("arrival_process", model::kArrivalProcessNames, 0, "arrival process"));

  TableReader workload = root.subtable("workload", false);
  read_workload(workload, s.workload);
  TableReader allocation = root.subtable("allocation", false);
  read_allocation(allocation, s.allocation);
  std::array<bool, model::kCaseTypeCount> defined{};
  TableReader types = root.subtable("case_types", true);
  read_case_types(types, s, defined, ctx);
  read_ldus(root, s, defined, ctx);
  TableReader tasks = root.subtable("tasks", false);
  read_tasks(tasks, s.tasks);
  TableReader victims = root.subtable("victims", false);
  read_victims(victims, s.victims);
  if (root.table().contains("staffing")) {
    TableReader staffing = root.subtable("staffing", true);
    s.staffing.emplace();
    read_staffing(staffing, *s.staffing);
  }
  read_interventions(root, s, ctx);
  root.finish();
  return s;
}

toml::array grade_list(const std::array<bool, model::kGradeCount>& chosen) {
  toml::array out;
  for (int g = 0; g < model::kGradeCount; ++g)
    if (chosen[g]) out.push_back(std::string(model::kGradeNames[g]));
  return out;
}

toml::table per_level(const std::array<double, model::kProtectLevelCount>& rates) {
  toml::table t;
  for (int level = 0; level < model::kProtectLevelCount; ++level)
    if (rates[level] > 0.0) t.insert(model::kProtectLevelNames[level], rates[level]);
  return t;
}

// toml++ writes doubles with full round-trip precision; integers stay integers.
toml::table distribution_table(const sim::Distribution& d) {
  toml::table t{{"dist", std::string(sim::to_string(d.kind()))}};
  switch (d.kind()) {
  case sim::DistributionKind::exponential: t.insert("mean", d.param1()); break;
  case sim::DistributionKind::lognormal: t.insert("mean", d.mean()); t.insert("sd", d.sd()); break;
  case sim::DistributionKind::gamma:
  case sim::DistributionKind::weibull: t.insert("shape", d.param1()); t.insert("scale", d.param2()); break;
  case sim::DistributionKind::uniform: t.insert("min", d.param1()); t.insert("max", d.param2()); break;
  case sim::DistributionKind::fixed: t.insert("value", d.param1()); break;
  }
  return t;
}

} // namespace

namespace {

// Sets `value` at a dotted path: `a.b.c`, with `name[i]` or `name[*]` to
// index arrays of tables (e.g. `ldu[*].staff.PO.in_post`).
void set_path(toml::node& node, std::span<const std::string> segments, const toml::node& value,
              const std::string& key) {
  auto bad = [&](const std::string& why) {
    throw std::invalid_argument("cannot set '" + key + "': " + why);
  };
  if (segments.empty()) bad("empty key");
  std::string segment = segments.front();
  std::optional<std::string> index;
  if (const auto open = segment.find('['); open != std::string::npos) {
    if (segment.back() != ']') bad("expected name[index] or name[*]");
    index = segment.substr(open + 1, segment.size() - open - 2);
    segment = segment.substr(0, open);
  }
  toml::table* table = node.as_table();
  if (!table) bad("'" + segment + "' is not inside a table");
  const auto rest = segments.subspan(1);
  if (!index) {
    if (rest.empty()) {
      table->insert_or_assign(segment, value);
      return;
    }
    toml::node* child = table->get(segment);
    if (!child) {
      table->insert(segment, toml::table{});
      child = table->get(segment);
    }
    set_path(*child, rest, value, key);
    return;
  }
  toml::array* array = table->get_as<toml::array>(segment);
  if (!array) bad("'" + segment + "' is not an array of tables");
  if (rest.empty()) bad("an array element needs a key below it");
  if (*index == "*") {
    for (toml::node& element : *array) set_path(element, rest, value, key);
    return;
  }
  std::size_t i = 0;
  try {
    i = std::stoul(*index);
  } catch (const std::exception&) {
    bad("index '" + *index + "' is not a number or *");
  }
  if (i >= array->size()) bad("index " + *index + " is past the end of '" + segment + "'");
  set_path(*array->get(i), rest, value, key);
}

void apply_override(toml::table& doc, const std::string& key, const toml::node& value);

// A command-line override (`--vary`): errors name the option.
void apply_override(toml::table& doc, const Override& o) {
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + o.value);
  } catch (const toml::parse_error& e) {
    throw InputError("--vary", 0, 0, "value '" + o.value + "' for '" + o.key + "' is not a TOML value: " +
                                         std::string(e.description()));
  }
  try {
    apply_override(doc, o.key, *parsed.get("value"));
  } catch (const std::invalid_argument& e) {
    throw InputError("--vary", 0, 0, e.what());
  }
}

void apply_override(toml::table& doc, const std::string& key, const toml::node& value) {
  const Override o{key, ""};
  // vacancy_rate.<GRADE> = v sets in_post = round(establishment × (1 − v)) in every LDU.
  const std::string prefix = "vacancy_rate.";
  if (o.key.rfind(prefix, 0) == 0) {
    const std::string grade = o.key.substr(prefix.size());
    if (!model::index_of(model::kGradeNames, grade))
      throw std::invalid_argument("'" + o.key + "': unknown grade \"" + grade + "\": expected " + quoted_list(model::kGradeNames));
    const auto rate = value.value<double>();
    if (!rate || !(*rate >= 0.0 && *rate <= 1.0))
      throw std::invalid_argument("'" + o.key + "' needs a rate in [0, 1]");
    if (toml::array* ldus = doc.get_as<toml::array>("ldu"))
      for (toml::node& l : *ldus)
        if (toml::table* staff = l.as_table() ? l.as_table()->get_as<toml::table>("staff") : nullptr)
          if (toml::table* group = staff->get_as<toml::table>(grade))
            if (const auto posts = group->get("establishment") ? group->get("establishment")->value<std::int64_t>() : std::nullopt)
              group->insert_or_assign("in_post", static_cast<std::int64_t>(std::llround(*posts * (1.0 - *rate))));
    return;
  }
  std::vector<std::string> segments;
  std::size_t start = 0;
  for (std::size_t dot; (dot = o.key.find('.', start)) != std::string::npos; start = dot + 1)
    segments.push_back(o.key.substr(start, dot - start));
  segments.push_back(o.key.substr(start));
  set_path(doc, segments, value, o.key);
}

} // namespace

namespace {

toml::table parse_document(std::string_view text, std::string_view source_name, const Context& ctx) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    ctx.fail(e.source(), "malformed TOML: " + std::string(e.description()));
  }
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (std::filesystem::is_directory(path))
    throw InputError(path.string(), 0, 0, "is a directory, expected a scenario file (TOML)");
  if (!in)
    throw InputError(path.string(), 0, 0,
                     std::filesystem::exists(path) ? "cannot read the scenario file"
                                                   : "no such scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lays `variant` over `base`: tables merge key by key, [[intervention]]
// entries are appended, anything else replaces the base's value.
void merge_into(toml::table& base, const toml::table& variant) {
  for (auto&& [key, node] : variant) {
    toml::node* mine = base.get(key.str());
    if (mine && mine->is_table() && node.is_table()) {
      merge_into(*mine->as_table(), *node.as_table());
    } else if (mine && key.str() == "intervention" && mine->is_array() && node.is_array()) {
      for (const toml::node& item : *node.as_array()) mine->as_array()->push_back(item);
    } else {
      base.insert_or_assign(key, node);
    }
  }
}

// A scenario may say `extends = "base.toml"` (relative to itself): it is then
// the base with this file's tables laid over it and its [overrides] applied.
toml::table resolve_extends(toml::table doc, const std::filesystem::path& source, const Context& ctx,
                            int depth) {
  const toml::node* extends = doc.get("extends");
  const toml::node* overrides = doc.get("overrides");
  if (!extends) {
    if (overrides) ctx.fail(overrides->source(), "[overrides] needs 'extends' naming the base scenario");
    return doc;
  }
  if (!extends->is_string()) ctx.fail(extends->source(), "'extends' is " + type_name(*extends) + ", expected a file name");
  if (depth > 8) ctx.fail(extends->source(), "'extends' nests more than 8 deep (a loop?)");
  const std::filesystem::path base_path = source.parent_path() / **extends->as_string();
  if (!std::filesystem::is_regular_file(base_path))
    ctx.fail(extends->source(), "'extends': no scenario file " + base_path.string());
  const std::string base_text = read_text(base_path);
  toml::table base = resolve_extends(parse_document(base_text, base_path.string(), ctx), base_path, ctx, depth + 1);
  toml::table layer = doc;
  layer.erase("extends");
  layer.erase("overrides");
  merge_into(base, layer);
  if (overrides) {
    if (!overrides->is_table()) ctx.fail(overrides->source(), "'overrides' must be a table of \"key\" = value");
    for (auto&& [key, value] : *overrides->as_table()) {
      try {
        apply_override(base, std::string(key.str()), value);
      } catch (const std::invalid_argument& e) {
        ctx.fail(key.source(), e.what());
      }
    }
  }
  return base;
}

} // namespace

LoadedScenario parse_scenario(std::string_view text, std::string_view source_name,
                              std::span<const Override> overrides) {
  Context ctx{std::string(source_name)};
  toml::table doc = resolve_extends(parse_document(text, source_name, ctx), std::string(source_name), ctx, 0);
  for (const Override& o : overrides) apply_override(doc, o);
  LoadedScenario out{read_scenario(doc, ctx), std::string(text), std::move(ctx.warnings)};
  return out;
}

LoadedScenario load_scenario(const std::filesystem::path& path, std::span<const Override> overrides) {
  return parse_scenario(read_text(path), path.string(), overrides);
}

std::string resolved_toml(const model::Scenario& s) {
  toml::table root;
  root.insert("schema_version", kScenarioSchemaVersion);
  root.insert("name", s.name);
  root.insert("seed", static_cast<std::int64_t>(s.seed));
  {
    int y = 0, m = 0, d = 0;
    std::sscanf(s.start_date.c_str(), "%d-%d-%d", &y, &m, &d);
    root.insert("start_date", toml::date{y, m, d});
  }
  root.insert("horizon_days", s.horizon_days);
  root.insert("warmup_days", s.warmup_days);
  root.insert("snapshot_every_days", s.snapshot_every_days);
  root.insert("replications", s.replications);
  root.insert("initial_state", std::string(model::kInitialStateNames[static_cast<int>(s.initial_state)]));
  root.insert("arrival_process",
              std::string(model::kArrivalProcessNames[static_cast<int>(s.arrival_process)]));

  const auto& w = s.workload;
  toml::table points;
  for (int t = 0; t < model::kCaseTypeCount; ++t) {
    toml::table row;
    for (int tier = 0; tier < model::kTierCount; ++tier) row.insert(model::kTierNames[tier], w.case_points[t][tier]);
    points.insert(model::kCaseTypeNames[t], std::move(row));
  }
  root.insert("workload", toml::table{{"nominal_target_points", w.nominal_target_points},
                                      {"default_contracted_hours", w.default_contracted_hours},
                                      {"case_points", std::move(points)},
                                      {"report_points", toml::table{{"sdr", w.sdr_points},
                                                                    {"fdr", w.fdr_points},
                                                                    {"parole", w.parole_points}}}});
  toml::table eligibility;
  for (int level = 0; level < model::kProtectLevelCount; ++level) {
    toml::array levels;
    for (const auto& pref : s.allocation.eligibility[level]) {
      if (pref.size() == 1) {
        levels.push_back(std::string(model::name(pref.front())));
        continue;
      }
      toml::array equal;
      for (Grade g : pref) equal.push_back(std::string(model::name(g)));
      levels.push_back(std::move(equal));
    }
    eligibility.insert(model::kProtectLevelNames[level], std::move(levels));
  }
  root.insert("allocation",
              toml::table{{"policy", std::string(model::kPolicyNames[static_cast<int>(s.allocation.policy)])},
                          {"cap_percent", s.allocation.cap_percent},
                          {"preference_threshold_percent", s.allocation.preference_threshold_percent},
                          {"overflow", s.allocation.overflow},
                          {"eligibility", std::move(eligibility)}});
  toml::table types;
  for (int t = 0; t < model::kCaseTypeCount; ++t) {
    const auto& c = s.case_types[t];
    bool used = c.becomes.has_value();
    for (const auto& l : s.ldus) used = used || l.arrivals_per_week[t] > 0.0;
    for (const auto& other : s.case_types) used = used || other.becomes == CaseType(t);
    if (!used) continue;
    toml::table mix;
    for (int tier = 0; tier < model::kTierCount; ++tier)
      if (c.tier_mix[tier] > 0.0) mix.insert(model::kTierNames[tier], c.tier_mix[tier]);
    toml::table type{{"duration_days", distribution_table(c.duration)}, {"tier_mix", std::move(mix)}};
    if (c.becomes) type.insert("becomes", std::string(model::name(*c.becomes)));
    type.insert("victim_probability", c.victim_probability);
    type.insert("escalations_per_year", per_level(c.escalations_per_year));
    type.insert("deescalations_per_year", per_level(c.deescalations_per_year));
    types.insert(model::kCaseTypeNames[t], std::move(type));
  }
  root.insert("case_types", std::move(types));
  toml::array ldus;
  for (const auto& l : s.ldus) {
    toml::array neighbours;
    for (int n : l.neighbours) neighbours.push_back(s.ldus[n].name);
    toml::table staff;
    for (int g = 0; g < model::kGradeCount; ++g) {
      const auto& grp = l.staff[g];
      if (grp.establishment == 0 && grp.in_post == 0) continue;
      staff.insert(model::kGradeNames[g], toml::table{{"establishment", grp.establishment},
                                                      {"in_post", grp.in_post},
                                                      {"contracted_hours", grp.contracted_hours},
                                                      {"reduction_percent", grp.reduction_percent}});
    }
    toml::table arrivals;
    for (int t = 0; t < model::kCaseTypeCount; ++t)
      if (l.arrivals_per_week[t] > 0.0) arrivals.insert(model::kCaseTypeNames[t], l.arrivals_per_week[t]);
    ldus.push_back(toml::table{{"name", l.name},
                               {"neighbours", std::move(neighbours)},
                               {"staff", std::move(staff)},
                               {"arrivals_per_week", std::move(arrivals)},
                               {"court_reports_per_week", l.court_reports_per_week}});
  }
  root.insert("ldu", std::move(ldus));

  const model::TaskParameters& t = s.tasks;
  toml::array court_grades;
  for (Grade g : t.court_grades) court_grades.push_back(std::string(model::name(g)));
  root.insert("tasks", toml::table{{"sdr_share", t.sdr_share},
                                   {"fdr_deadline_working_days", t.fdr_deadline_working_days},
                                   {"sdr_deadline_working_days", t.sdr_deadline_working_days},
                                   {"court_grades", std::move(court_grades)},
                                   {"parole_reports", t.parole_reports},
                                   {"parole_min_custody_days", t.parole_min_custody_days},
                                   {"parole_lead_days", t.parole_lead_days},
                                   {"parole_due_before_release_days", t.parole_due_before_release_days},
                                   {"report_points_period_days", t.report_points_period_days},
                                   {"review_hours", t.review_hours},
                                   {"minimum_task_share", t.minimum_task_share},
                                   {"review_deadline_working_days", t.review_deadline_working_days}});
  const model::VictimParameters& v = s.victims;
  root.insert("victims", toml::table{{"first_contact_working_days", v.first_contact_working_days},
                                     {"contact_hours", v.contact_hours},
                                     {"contact_deadline_working_days", v.contact_deadline_working_days},
                                     {"hours_per_case_per_week", v.hours_per_case_per_week},
                                     {"opt_out_per_year", v.opt_out_per_year}});
  if (s.staffing) {
    const model::StaffingParameters& p = *s.staffing;
    toml::table leavers;
    for (int g = 0; g < model::kGradeCount; ++g) leavers.insert(model::kGradeNames[g], p.leavers_per_year[g]);
    auto steps = [](const std::vector<model::ReductionStep>& list) {
      toml::array out;
      for (const auto& step : list) out.push_back(toml::table{{"months", step.months}, {"percent", step.percent}});
      return out;
    };
    root.insert("staffing", toml::table{{"leavers_per_year", std::move(leavers)},
                                        {"time_to_hire_days", distribution_table(p.time_to_hire_days)},
                                        {"refill_vacancies", p.refill_vacancies},
                                        {"fill_initial_vacancies", grade_list(p.fill_initial_vacancies)},
                                        {"refill_po_with", std::string(model::kRecruitNames[static_cast<int>(p.refill_po_with)])},
                                        {"trainee_reductions", steps(p.trainee_reductions)},
                                        {"newly_qualified_reductions", steps(p.newly_qualified_reductions)},
                                        {"short_sickness_per_year", p.short_sickness_per_year},
                                        {"short_sickness_days", distribution_table(p.short_sickness_days)},
                                        {"long_sickness_per_year", p.long_sickness_per_year},
                                        {"long_sickness_days", distribution_table(p.long_sickness_days)},
                                        {"reallocate_after_weeks", p.reallocate_after_weeks}});
  }
  if (!s.interventions.empty()) {
    toml::array list;
    for (const model::Intervention& in : s.interventions) {
      toml::table t{{"at_day", in.at_day}};
      if (in.ldu) t.insert("ldu", s.ldus[*in.ldu].name);
      toml::table add;
      for (int g = 0; g < model::kGradeCount; ++g)
        if (in.add_staff[g] != 0) add.insert(model::kGradeNames[g], in.add_staff[g]);
      if (!add.empty()) t.insert("add_staff", std::move(add));
      t.insert("recruits", std::string(model::kRecruitNames[static_cast<int>(in.recruits)]));
      if (in.demand_factor) t.insert("demand_factor", *in.demand_factor);
      if (in.policy) t.insert("policy", std::string(model::kPolicyNames[static_cast<int>(*in.policy)]));
      if (in.cap_percent) t.insert("cap_percent", *in.cap_percent);
      if (in.overflow) t.insert("overflow", *in.overflow);
      list.push_back(std::move(t));
    }
    root.insert("intervention", std::move(list));
  }
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

} // namespace caseload::io
