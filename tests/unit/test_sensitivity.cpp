// caseload sensitivity's design (docs/model.md §17.4): ranking by |effect|,
// and on a tiny scenario the effects that common random numbers make exact.

#include "caseload/app/sensitivity.hpp"
#include "caseload/io/input_error.hpp"
#include "caseload/io/scenario_loader.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

using namespace caseload;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One LDU with far more POs than it needs under uncapped least-loaded
// allocation: no case waits, so cases held is M/G/inf and Little's law gives
// its mean, lambda × E[duration], from a steady-state start (docs/model.md §19).
const std::string kTiny = R"(
schema_version = 1
name = "tiny"
seed = 3
horizon_days = 365
replications = 20
[case_types.community]
duration_days = { dist = "lognormal", mean = 60, sd = 40 }
tier_mix = { A3 = 0.5, C1 = 0.5 }
[[ldu]]
name = "Only"
staff.PO = { establishment = 30 }
arrivals_per_week = { community = 10 }
)";

app::ScreenedParameter screened(const std::string& key, double low, double high) {
  const model::SensitivityParameter p{key, low, high};
  const auto at = [&](double value) {
    const io::Override o = io::override_at(key, value, "test");
    return io::parse_scenario(kTiny, "tiny.toml", std::span(&o, 1)).scenario;
  };
  return {p, at(low), at(high)};
}

const app::SensitivityEffect& row(const app::SensitivityTable& t, const std::string& parameter,
                                  const std::string& figure) {
  for (const auto& r : t.rows)
    if (r.parameter == parameter && r.figure == figure) return r;
  throw std::out_of_range("no row " + parameter + " / " + figure);
}

} // namespace

TEST(Sensitivity, RanksByMagnitudeLargestFirstTiesInOrderNaNLast) {
  const std::vector<double> effects{1.0, -3.0, kNaN, 2.0, 3.0, 0.0};
  EXPECT_EQ(app::rank_by_magnitude(effects), (std::vector<int>{4, 1, 6, 3, 2, 5}));
  const std::vector<double> all_nan{kNaN, kNaN};
  EXPECT_EQ(app::rank_by_magnitude(all_nan), (std::vector<int>{1, 2}));
  EXPECT_TRUE(app::rank_by_magnitude(std::vector<double>{}).empty());
}

TEST(Sensitivity, TabulatesDivisionRowsRankedPerFigure) {
  const std::vector<model::SensitivityParameter> parameters{{"a", 0, 1}, {"b", 2, 3}};
  const auto difference = [](std::string ldu, std::string figure, double mean) {
    return app::PairedDifference{std::move(ldu), std::move(figure), "cases", {}, {}, {5, mean, 0.5}};
  };
  std::vector<app::Comparison> comparisons(2);
  comparisons[0].differences = {difference("North", "held", 100.0), difference("division", "held", 1.0),
                                difference("division", "waiting", kNaN)};
  comparisons[1].differences = {difference("North", "held", 0.0), difference("division", "held", -2.0),
                                difference("division", "waiting", 0.5)};
  const app::SensitivityTable t = app::tabulate(parameters, comparisons);
  ASSERT_EQ(t.rows.size(), 4u); // the North rows are left out
  EXPECT_EQ(row(t, "a", "held").rank, 2);
  EXPECT_EQ(row(t, "b", "held").rank, 1);
  EXPECT_EQ(row(t, "a", "waiting").rank, 2); // NaN last
  EXPECT_EQ(row(t, "b", "waiting").rank, 1);
  EXPECT_EQ(row(t, "b", "held").low, 2.0);
  EXPECT_EQ(row(t, "b", "held").high, 3.0);
  EXPECT_EQ(t.rows.front().parameter, "a"); // parameter by parameter
}

TEST(Sensitivity, AParameterThatCannotMatterHasNoEffectAndArrivalsMoveCasesHeldByLittlesLaw) {
  // No case type has victims, so victim contact hours cannot change anything:
  // with common random numbers both ends are the same run, exactly.
  const double low = 5.0, high = 12.0;
  const std::vector<app::ScreenedParameter> parameters{
      screened("victims.contact_hours", 1.0, 3.0), screened("ldu[*].arrivals_per_week.community", low, high)};
  int calls = 0, last_total = 0;
  const app::SensitivityTable t =
      app::screen(parameters, 2, [&](int, int total, std::uint64_t) { ++calls, last_total = total; });
  EXPECT_EQ(calls, 4 * 20);
  EXPECT_EQ(last_total, 4 * 20);

  std::set<std::string> figures;
  int finite = 0;
  for (const auto& r : t.rows) {
    figures.insert(r.figure);
    if (r.parameter != "victims.contact_hours") continue;
    SCOPED_TRACE(r.figure);
    if (r.effect.n == 0) continue; // the figure is undefined here (e.g. no VLOs) at both ends
    ++finite;
    EXPECT_EQ(r.effect.mean, 0.0);
    EXPECT_EQ(r.effect.half_width, 0.0);
    EXPECT_FALSE(r.clear);
  }
  EXPECT_GT(finite, 20);
  EXPECT_EQ(t.rows.size(), 2 * figures.size()); // one row per parameter × figure

  // Little's law: mean held = lambda × E[S], so the paired difference is
  // (high − low) / 7 a day × 60 days. The tolerance is 4.5 standard errors of
  // the paired mean, taken from its own interval (half width = t × se): a
  // false failure about once in 10^4.
  const auto& held = row(t, "ldu[*].arrivals_per_week.community", "mean_held");
  ASSERT_EQ(held.effect.n, 20);
  const double t_quantile = boost::math::quantile(
      boost::math::complement(boost::math::students_t(held.effect.n - 1), (1.0 - t.confidence) / 2.0));
  const double standard_error = held.effect.half_width / t_quantile;
  const double expected = (high - low) / 7.0 * 60.0;
  EXPECT_NEAR(held.effect.mean, expected, 4.5 * standard_error);
  EXPECT_LT(held.effect.half_width, 0.25 * expected); // common random numbers keep it tight
  EXPECT_TRUE(held.clear);
  EXPECT_EQ(held.rank, 1);
  EXPECT_EQ(row(t, "victims.contact_hours", "mean_held").rank, 2);
}

TEST(Sensitivity, ParsesParametersAndWritesOverridesAsTheKeysTakeThem) {
  const model::SensitivityParameter p = io::parse_sensitivity_parameter("ldu[*].staff.PO.in_post=4:-1.5e1");
  EXPECT_EQ(p.key, "ldu[*].staff.PO.in_post");
  EXPECT_EQ(p.low, 4.0);
  EXPECT_EQ(p.high, -15.0);
  for (const char* bad : {"no-equals", "key=1", "key=x:2", "key=1:", "=1:2", "key=2:2.0", "key=1:inf"}) {
    SCOPED_TRACE(bad);
    try {
      io::parse_sensitivity_parameter(bad);
      FAIL() << "must be refused";
    } catch (const io::InputError& e) {
      EXPECT_EQ(e.file(), "--param");
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos);
    }
  }
  EXPECT_EQ(io::override_at("k", 12.0, "o").value, "12"); // an integer key takes it
  EXPECT_EQ(io::override_at("k", -0.05, "o").value, "-0.05");
  EXPECT_EQ(io::override_at("k", 1e300, "o").value, "1e+300");
  EXPECT_EQ(io::override_at("k", 0.1, "o").option, "o");
}
