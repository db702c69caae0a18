#include "caseload/io/input_error.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

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
