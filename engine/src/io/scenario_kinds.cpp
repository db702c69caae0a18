#include "scenario_kinds.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace caseload::io {
namespace {

using model::Grade;

// The one parser of a grade in a list of caseload holders (`court_grades`,
// `eligibility`): a known grade, one that holds offender caseloads, and not
// already in `seen`, to which it is added.
Grade caseload_grade(const TableReader& r, std::string_view key, const toml::node& g, std::vector<Grade>& seen) {
  const auto grade = Grade(r.choice_node(key, g, kGrades));
  if (grade == Grade::SPO || grade == Grade::VLO)
    r.ctx().fail(g.source(), "grade \"" + std::string(model::name(grade)) +
                                 "\" holds no offender caseload: expected PO, PQiP or PSO");
  if (std::find(seen.begin(), seen.end(), grade) != seen.end())
    r.ctx().fail(g.source(), "grade \"" + std::string(model::name(grade)) + "\" is listed twice");
  seen.push_back(grade);
  return grade;
}

std::string grade_name(Grade g) { return std::string(model::name(g)); }

template <class Fields> void reduction_step_fields(Fields& f, MaybeConst<model::ReductionStep> auto& step) {
  f.key("months", step.months, kPositive, Required{});
  f.key("percent", step.percent,
        ReductionPercent{.expected = "a reduction in percent of contracted hours, from 0 to 100"}, Required{});
}

} // namespace

std::string number_text(double value) {
  std::ostringstream out;
  out << std::setprecision(10) << value;
  return out.str();
}

double CapacityPercent::read(TableReader& r, std::string_view key, std::optional<double> fallback) const {
  // A percentage up to 2 would refuse an officer any case worth more than 2%
  // of a week: no policy means that, but 1.1 is how 110% reads as a fraction.
  constexpr double kLargestFraction = 2.0;
  const double value = kPositive.read(r, key, fallback);
  if (value <= kLargestFraction)
    r.fail_at(key, "'" + r.key_path(key) + "' = " + number_text(value) +
                       " reads as a fraction: capacity is in percent (write " + number_text(100.0 * value) +
                       " for " + number_text(100.0 * value) + "%); expected a percentage above 2");
  return value;
}

double ReductionPercent::read(TableReader& r, std::string_view key, std::optional<double> fallback) const {
  const double value = Number{.max = 100.0, .expected = expected}.read(r, key, fallback);
  if (value > 0.0 && value <= 1.0 && r.table().contains(key))
    r.warn_at(key, "'" + r.key_path(key) + "' = " + number_text(value) + " takes " + number_text(value) +
                       "% of contracted hours off; if " + number_text(100.0 * value) + "% was meant, write " +
                       number_text(100.0 * value));
  return value;
}

double DemandFactor::read(TableReader& r, std::string_view key, std::optional<double> fallback) const {
  // Ten times the demand swamps any LDU and runs ten times the events; a
  // percentage written as a factor (15 for +15%) is far likelier.
  constexpr double kLargest = 10.0;
  constexpr double kLargestUnwarned = 2.0;
  const double value = kNonNegative.read(r, key, fallback);
  const std::string times = "'" + r.key_path(key) + "' = " + number_text(value) +
                            " runs arrivals and court reports at " + number_text(value) +
                            " times the scenario's rates";
  const std::string percent = "for +" + number_text(value) + "% write " + number_text(1.0 + value / 100.0);
  if (value > kLargest) r.fail_at(key, times + ": expected a factor from 0 to 10 (" + percent + ")");
  if (value > kLargestUnwarned && r.table().contains(key)) r.warn_at(key, times + "; " + percent);
  return value;
}

double StaffPercent::read(TableReader& r, std::string_view key, std::optional<double> fallback) const {
  const double value =
      Number{.min = -100.0, .max = 1000.0, .expected = "a percentage of the staff in post from -100 to 1000"}.read(
          r, key, fallback);
  if (value != 0.0 && std::abs(value) < 1.0 && r.table().contains(key))
    r.warn_at(key, "'" + r.key_path(key) + "' = " + number_text(value) + " is " + number_text(value) +
                       "% of the staff in post, less than one officer in a hundred; for " +
                       number_text(100.0 * value) + "% write " + number_text(100.0 * value));
  return value;
}

std::string Date::read(TableReader& r, std::string_view key, std::optional<std::string> fallback) const {
  const toml::node* d = r.find(key);
  if (!d) {
    if (!fallback) r.fail_missing(key, "a date such as 2018-08-01");
    return *fallback;
  }
  if (!d->is_date()) r.fail_type(key, *d, "a date such as 2018-08-01");
  std::ostringstream out;
  out << **d->as_date();
  return out.str();
}

toml::date Date::write(const std::string& iso) const {
  int y = 0, m = 0, d = 0;
  std::sscanf(iso.c_str(), "%d-%d-%d", &y, &m, &d);
  return toml::date{y, m, d};
}

sim::Distribution DistributionTable::read(TableReader& parent, std::string_view key,
                                          std::optional<sim::Distribution> fallback) const {
  if (fallback && !parent.expect(key)) return *fallback;
  const std::string_view expected = "a distribution table such as { dist = \"lognormal\", mean = 300, sd = 150 }";
  const toml::node& n = parent.require(key, expected);
  if (!n.is_table()) parent.fail_type(key, n, expected);
  TableReader r(parent.ctx(), *n.as_table(), parent.key_path(key));
  // Checked against sim's own list of names (a message lists them all), then converted by sim.
  const std::string_view name = kDistributions.list[static_cast<std::size_t>(r.choice("dist", kDistributions, {}))];
  const sim::DistributionKind kind = sim::distribution_kind_from_string(name);
  // Of each pair of parameters the second is read first: the order in which
  // errors in both have always been reported.
  auto parameters = [&](std::string_view first, std::string_view second) {
    const double b = kPositive.read(r, second, {});
    const double a = kPositive.read(r, first, {});
    return std::pair{a, b};
  };
  auto moments_or_shape = [&](auto from_moments, auto from_shape) {
    if (r.expect("shape") || r.expect("scale")) {
      const auto [shape, scale] = parameters("shape", "scale");
      return from_shape(shape, scale);
    }
    const auto [mean, sd] = parameters("mean", "sd");
    return from_moments(mean, sd);
  };
  sim::Distribution d;
  try {
    switch (kind) {
    case sim::DistributionKind::exponential: d = sim::Distribution::exponential(kPositive.read(r, "mean", {})); break;
    case sim::DistributionKind::lognormal: {
      const auto [mean, sd] = parameters("mean", "sd");
      d = sim::Distribution::lognormal(mean, sd);
      break;
    }
    case sim::DistributionKind::gamma:
      d = moments_or_shape(sim::Distribution::gamma_from_moments, sim::Distribution::gamma);
      break;
    case sim::DistributionKind::weibull:
      d = moments_or_shape(sim::Distribution::weibull_from_moments, sim::Distribution::weibull);
      break;
    case sim::DistributionKind::uniform: {
      const double lo = kNonNegative.read(r, "min", {});
      const double hi = Number{.min = lo, .min_open = true, .expected = "a finite number greater than 'min'"}.read(r, "max", {});
      d = sim::Distribution::uniform(lo, hi);
      break;
    }
    case sim::DistributionKind::fixed: d = sim::Distribution::fixed(kPositive.read(r, "value", {})); break;
    }
  } catch (const std::invalid_argument& e) {
    r.ctx().fail(n.source(), "'" + r.path() + "': " + e.what());
  }
  r.finish();
  return d;
}

// toml++ writes doubles with full round-trip precision; lognormal keeps the
// mean and sd as given, so they print back exactly.
toml::table DistributionTable::write(const sim::Distribution& d) const {
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

std::vector<Grade> CaseloadGrades::read(TableReader& r, std::string_view key,
                                        std::optional<std::vector<Grade>> fallback) const {
  const std::string expected = "an array of grades, most preferred first";
  const toml::node* n = r.find(key);
  if (!n) {
    if (!fallback) r.fail_missing(key, expected);
    return *fallback;
  }
  if (!n->is_array()) r.fail_type(key, *n, expected);
  std::vector<Grade> grades;
  for (const toml::node& g : *n->as_array()) caseload_grade(r, key, g, grades);
  if (grades.empty()) r.ctx().fail(n->source(), "'" + r.key_path(key) + "' is empty: expected " + expected);
  return grades;
}

toml::array CaseloadGrades::write(const std::vector<Grade>& grades) const {
  toml::array out;
  for (Grade g : grades) out.push_back(grade_name(g));
  return out;
}

model::EligibilityRow PreferenceLevels::read(TableReader& r, std::string_view key,
                                             std::optional<model::EligibilityRow> fallback) const {
  const std::string expected = "an array of grades (or arrays of equally preferred grades), most preferred first";
  const toml::node* n = r.find(key);
  if (!n) {
    if (!fallback) r.fail_missing(key, expected);
    return *fallback;
  }
  if (!n->is_array()) r.fail_type(key, *n, expected);
  model::EligibilityRow row;
  std::vector<Grade> seen; // no grade twice, at any level
  for (const toml::node& element : *n->as_array()) {
    model::PreferenceLevel level;
    if (const toml::array* equal = element.as_array()) {
      for (const toml::node& g : *equal) level.push_back(caseload_grade(r, key, g, seen));
      if (level.empty()) r.ctx().fail(element.source(), "'" + r.key_path(key) + "' has an empty level");
    } else {
      level.push_back(caseload_grade(r, key, element, seen));
    }
    row.push_back(std::move(level));
  }
  if (row.empty()) r.ctx().fail(n->source(), "'" + r.key_path(key) + "' is empty: expected " + expected);
  return row;
}

toml::array PreferenceLevels::write(const model::EligibilityRow& row) const {
  toml::array levels;
  for (const auto& level : row) {
    if (level.size() == 1) {
      levels.push_back(grade_name(level.front()));
      continue;
    }
    toml::array equal;
    for (Grade g : level) equal.push_back(grade_name(g));
    levels.push_back(std::move(equal));
  }
  return levels;
}

GradeSet::Value GradeSet::read(TableReader& r, std::string_view key, std::optional<Value> fallback) const {
  const std::string expected = "true, false or an array of grades";
  const toml::node* n = r.find(key);
  if (!n) {
    if (!fallback) r.fail_missing(key, expected);
    return *fallback;
  }
  Value chosen{};
  if (n->is_boolean()) {
    chosen.fill(**n->as_boolean());
  } else if (const toml::array* grades = n->as_array()) {
    for (const toml::node& g : *grades) chosen[static_cast<std::size_t>(r.choice_node(key, g, kGrades))] = true;
  } else {
    r.fail_type(key, *n, expected);
  }
  return chosen;
}

toml::array GradeSet::write(const Value& chosen) const {
  toml::array out;
  for (std::size_t g = 0; g < chosen.size(); ++g)
    if (chosen[g]) out.push_back(std::string(model::kGradeNames[g]));
  return out;
}

ReductionSteps::Value ReductionSteps::read(TableReader& r, std::string_view key, std::optional<Value> fallback) const {
  const toml::array* a = r.array(key);
  if (!a) {
    if (!fallback) r.fail_missing(key, "an array of { months, percent } steps");
    return *fallback;
  }
  if (a->empty())
    r.ctx().fail(a->source(), "'" + r.key_path(key) + "' is empty: expected at least one { months, percent } step");
  Value steps;
  for_each_table(r.ctx(), *a, r.key_path(key), "{ months = .., percent = .. }", [&](TableReader& table) {
    Reader fields(table);
    reduction_step_fields(fields, steps.emplace_back());
    table.finish();
  });
  return steps;
}

toml::array ReductionSteps::write(const Value& steps) const {
  toml::array out;
  for (const model::ReductionStep& step : steps) {
    Writer fields;
    reduction_step_fields(fields, step);
    out.push_back(fields.take());
  }
  return out;
}

TierMix::Value TierMix::read(TableReader& r, std::string_view key, std::optional<Value> fallback) const {
  TableReader mix = r.subtable(key, !fallback);
  Value shares = fallback ? *fallback : Value{};
  double total = 0.0; // summed in the file's (sorted) key order
  for_each_named(mix, kTiers, [&](int tier, std::string_view tier_key, const toml::node&) {
    shares[static_cast<std::size_t>(tier)] = kProbability.read(mix, tier_key, {});
    total += shares[static_cast<std::size_t>(tier)];
  });
  if (std::abs(total - 1.0) > 1e-6) {
    std::ostringstream msg;
    msg << std::setprecision(10) << "'" << mix.path() << "' sums to " << total
        << ": expected the shares of the tiers to sum to 1";
    r.ctx().fail(mix.table().source(), msg.str());
  }
  mix.finish();
  return shares;
}

toml::table TierMix::write(const Value& mix) const {
  toml::table out;
  for (std::size_t tier = 0; tier < mix.size(); ++tier)
    if (mix[tier] > 0.0) out.insert(model::kTierNames[tier], mix[tier]);
  return out;
}

double ArrivalRate::read(TableReader& r, std::string_view key, std::optional<double> fallback) const {
  const double rate = kPerWeek.read(r, key, fallback);
  const auto type = static_cast<std::size_t>(*model::index_of(model::kCaseTypeNames, key));
  if (rate > 0.0 && !(*defined)[type])
    r.fail_at(key, "'" + r.key_path(key) + "' has arrivals but there is no [case_types." + std::string(key) + "]");
  return rate;
}

std::vector<int> Neighbours::read(TableReader& r, std::string_view key, std::optional<std::vector<int>> fallback) const {
  if (const toml::array* names = r.array(key))
    for (const toml::node& x : *names) {
      if (!x.is_string()) r.fail_type(key, x, "an LDU name (string)");
      pending->emplace_back(**x.as_string(), x.source());
    }
  return fallback.value_or(std::vector<int>{});
}

toml::array Neighbours::write(const std::vector<int>& neighbours) const {
  toml::array out;
  for (int n : neighbours) out.push_back(ldus[static_cast<std::size_t>(n)].name);
  return out;
}

std::string not_an_ldu(std::string_view name, std::span<const model::LduParameters> ldus) {
  std::vector<std::string_view> names;
  for (const auto& l : ldus) names.emplace_back(l.name);
  return unknown_name("LDU", name, names);
}

void resolve_neighbours(std::vector<model::LduParameters>& ldus, const std::vector<NeighbourNames>& names,
                        const Context& ctx) {
  for (std::size_t i = 0; i < ldus.size(); ++i)
    for (const auto& [name, where] : names[i]) {
      int found = -1;
      for (std::size_t j = 0; j < ldus.size(); ++j)
        if (ldus[j].name == name) found = static_cast<int>(j);
      if (found < 0) ctx.fail(where, "neighbour of LDU \"" + ldus[i].name + "\": " + not_an_ldu(name, ldus));
      if (found == static_cast<int>(i)) ctx.fail(where, "LDU \"" + name + "\" cannot be its own neighbour");
      ldus[i].neighbours.push_back(found);
    }
}

int LduName::read(TableReader& r, std::string_view key, std::optional<int> fallback) const {
  const toml::node* l = r.find(key);
  if (!l) {
    if (!fallback) r.fail_missing(key, "an LDU name (string)");
    return *fallback;
  }
  if (!l->is_string()) {
    std::vector<std::string_view> names;
    for (const auto& ldu : ldus) names.emplace_back(ldu.name);
    r.fail_type(key, *l, "an LDU name (string): " + quoted_list(names));
  }
  const std::string& name = **l->as_string();
  for (std::size_t j = 0; j < ldus.size(); ++j)
    if (ldus[j].name == name) return static_cast<int>(j);
  r.ctx().fail(l->source(), "'" + r.key_path(key) + "': " + not_an_ldu(name, ldus));
}

std::string LduName::write(int index) const { return ldus[static_cast<std::size_t>(index)].name; }

namespace {

// One end of a range: a finite TOML number (integer or float).
double range_end(const Context& ctx, const toml::node& end, const std::string& where) {
  const auto value = end.value<double>();
  if (!(end.is_integer() || end.is_floating_point()) || !value)
    ctx.fail(end.source(), "'" + where + "' is " + type_name(end) + ", expected a number");
  if (!std::isfinite(*value)) ctx.fail(end.source(), "'" + where + "' is not finite: expected a finite number");
  return *value;
}

} // namespace

SensitivityRanges::Value SensitivityRanges::read(TableReader& r, std::string_view key,
                                                 std::optional<Value> fallback) const {
  constexpr std::string_view expected = "a table of \"KEY\" = [low, high]";
  if (!r.find(key)) {
    if (!fallback) r.fail_missing(key, "a table with 'parameters'");
    return *fallback;
  }
  TableReader section = r.subtable(key, true, "a table with 'parameters'");
  const toml::node& parameters = section.require("parameters", expected);
  if (!parameters.is_table()) section.fail_type("parameters", parameters, expected);
  const std::string path = section.key_path("parameters");
  Value out;
  for (auto&& [name, range] : *parameters.as_table()) {
    const std::string where = path + ".\"" + std::string(name.str()) + "\"";
    if (name.str().empty())
      r.ctx().fail(name.source(), "an empty key in '" + path + "': expected a scenario key such as \"tasks.review_hours\"");
    const toml::array* ends = range.as_array();
    if (!ends && range.is_table())
      r.ctx().fail(range.source(), "'" + where + "' is a table, expected [low, high]: quote a dotted key, e.g. "
                                   "\"tasks.review_hours\" = [1, 3]");
    if (!ends) r.ctx().fail(range.source(), "'" + where + "' is " + type_name(range) + ", expected [low, high]");
    if (ends->size() != 2)
      r.ctx().fail(range.source(), "'" + where + "' has " + std::to_string(ends->size()) +
                                       (ends->size() == 1 ? " value" : " values") + ", expected two: [low, high]");
    const double low = range_end(r.ctx(), *ends->get(0), where + "[0]");
    const double high = range_end(r.ctx(), *ends->get(1), where + "[1]");
    if (low == high)
      r.ctx().fail(range.source(), "'" + where + "': low and high are equal, expected two different values");
    out.push_back({std::string(name.str()), low, high});
  }
  section.finish();
  return out;
}

std::optional<toml::table> SensitivityRanges::write(const Value& parameters) const {
  if (parameters.empty()) return std::nullopt;
  toml::table ranges;
  for (const auto& p : parameters) ranges.insert(p.key, toml::array{p.low, p.high});
  toml::table section;
  section.insert("parameters", std::move(ranges));
  return section;
}

} // namespace caseload::io
