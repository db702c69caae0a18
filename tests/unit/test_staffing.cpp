// The staffing search (app/staffing.hpp) on responses known in closed form,
// without the simulator, and the parsing of targets.

#include "caseload/app/staffing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

using namespace caseload;

namespace {

app::StaffChoice choice(int ldu, double cost, std::string label) {
  return {ldu, model::Grade::PO, cost, std::move(label)};
}

TEST(StaffingTarget, ParsesDivisionAndLduTargets) {
  const auto division = app::parse_target("share_waited<=0.2");
  EXPECT_EQ(division.ldu, "division");
  EXPECT_EQ(division.figure, "share_waited");
  EXPECT_EQ(division.op, app::TargetOp::at_most);
  EXPECT_DOUBLE_EQ(division.value, 0.2);
  const auto local = app::parse_target("North: plan_review_share_on_time >= 0.45");
  EXPECT_EQ(local.ldu, "North");
  EXPECT_EQ(local.figure, "plan_review_share_on_time");
  EXPECT_EQ(local.op, app::TargetOp::at_least);
  EXPECT_DOUBLE_EQ(local.value, 0.45);
}

TEST(StaffingTarget, RejectsMalformedText) {
  for (const char* bad : {"share_waited", "share_waited<0.2", "<=0.2", "share_waited<=", "share_waited<=abc",
                          "share_waited<=0.2x", ":share_waited<=1", "share_waited<=nan"})
    EXPECT_THROW(app::parse_target(bad), std::invalid_argument) << bad;
}

TEST(StaffingTarget, ShortfallIsRelativeAndZeroWhenMet) {
  const std::vector targets{app::parse_target("a<=2"), app::parse_target("b>=0"), app::parse_target("c>=4")};
  const std::vector<app::TargetCheck> checks{{0, 3, false}, {0, -0.5, false}, {0, 5, true}};
  EXPECT_DOUBLE_EQ(app::total_shortfall(targets, checks), 0.5 + 0.5 + 0.0);
}

// A target y(k) = 10 / (1 + k) <= 1.5 on one group: y is monotone, and the
// least k meeting it is 6 (10/7 = 1.43; 10/6 = 1.67).
TEST(StaffingSearch, OneGroupWithMonotoneResponseFindsTheLeastCount) {
  const std::vector targets{app::parse_target("y<=1.5")};
  const std::vector choices{choice(0, 1.0, "A PO")};
  int evaluations = 0;
  const auto evaluate = [&](const app::Plan& plan) {
    ++evaluations;
    const double y = 10.0 / (1.0 + plan[0]);
    return std::vector<app::TargetCheck>{{y, y, y <= 1.5}};
  };
  const auto solution = app::solve_staffing(targets, choices, 200, evaluate);
  ASSERT_TRUE(solution.all_met);
  EXPECT_EQ(solution.plan, app::Plan{6});
  // The search proves its answer: it ran 5 and 6, and only 6 meets the target.
  const auto ran = [&](int k) {
    return std::find_if(solution.steps.begin(), solution.steps.end(),
                        [&](const app::SearchStep& s) { return s.plan == app::Plan{k}; });
  };
  ASSERT_NE(ran(5), solution.steps.end());
  EXPECT_FALSE(ran(5)->checks[0].met);
  EXPECT_TRUE(ran(6)->checks[0].met);
  // 0, 1, 2, then a stride of 2 to 4 (at 2 the last gain would close the
  // shortfall with 1.1 posts, so the stride is capped at 2), 5 and 6: no plan
  // runs twice. One post at a time would also take 6 here; the growing
  // strides pay when many posts are needed (below).
  EXPECT_EQ(evaluations, 6);
  EXPECT_EQ(static_cast<int>(solution.steps.size()), evaluations);
  EXPECT_FALSE(solution.base[0].met);
  EXPECT_TRUE(solution.achieved[0].met);
  EXPECT_EQ(solution.steps.front().change, "base");
}

// Two groups, two targets: group 0 serves target a only, group 1 serves
// target b only, a needs 3 of group 0 and b needs 2 of group 1. The optimum
// (3, 2) is the only 1-minimal plan, and the greedy search must reach it.
TEST(StaffingSearch, SeparableTargetsReachTheKnownOptimum) {
  const std::vector targets{app::parse_target("a>=3"), app::parse_target("b>=2")};
  const std::vector choices{choice(0, 2.0, "A PO"), choice(1, 1.0, "B PO")};
  const auto evaluate = [](const app::Plan& plan) {
    const double a = plan[0], b = plan[1];
    return std::vector<app::TargetCheck>{{a, a, a >= 3}, {b, b, b >= 2}};
  };
  const auto solution = app::solve_staffing(targets, choices, 200, evaluate);
  ASSERT_TRUE(solution.all_met);
  EXPECT_EQ(solution.plan, (app::Plan{3, 2}));
  EXPECT_DOUBLE_EQ(app::plan_cost(choices, solution.plan), 8.0);
}

// A post the greedy pass takes first but that later ones make redundant is
// pruned: y = 4·min(a, 1) + 2·b >= 4 and z = b >= 2. The cheap A closes y at
// once, so greedy takes it, then B twice for z; B alone meets both.
TEST(StaffingSearch, PruningRemovesPostsTheTargetsDoNotNeed) {
  const std::vector targets{app::parse_target("y>=4"), app::parse_target("z>=2")};
  const std::vector choices{choice(0, 0.9, "A PO"), choice(1, 1.0, "B PO")};
  const auto evaluate = [](const app::Plan& plan) {
    const double y = 4.0 * std::min(plan[0], 1) + 2.0 * plan[1];
    const double z = plan[1];
    return std::vector<app::TargetCheck>{{y, y, y >= 4}, {z, z, z >= 2}};
  };
  const auto solution = app::solve_staffing(targets, choices, 200, evaluate);
  ASSERT_TRUE(solution.all_met);
  EXPECT_EQ(solution.plan, (app::Plan{0, 2}));
  // The search did take A before pruning it.
  EXPECT_TRUE(std::any_of(solution.steps.begin(), solution.steps.end(),
                          [](const app::SearchStep& s) { return s.accepted && s.plan[0] == 1; }));
  // 1-minimal: every single removal from the plan fails some target.
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (solution.plan[i] == 0) continue;
    app::Plan less = solution.plan;
    --less[i];
    const auto checks = evaluate(less);
    EXPECT_FALSE(checks[0].met && checks[1].met) << "group " << i;
  }
}

// Five groups, each alone serving one target with a concave response
// y_i = 1 − exp(−k_i / s_i) ≥ 0.95, so group i needs ceil(s_i ln 20) posts
// (s = 4, 10, 2, 1 and 6: 12, 30, 6, 3 and 18, 69 in all). The optimum is
// those counts; one post at a time would take 69 rounds of 5 candidates
// (345 runs), and any search that adds one post per run at least 69. The
// batches of growing strides must reach the same plan in fewer runs than
// there are posts (52 today).
TEST(StaffingSearch, ManyPostsInSeveralGroupsReachTheOptimumInFewRuns) {
  const std::vector<double> scale{4, 10, 2, 1, 6};
  std::vector<app::StaffingTarget> targets;
  std::vector<app::StaffChoice> choices;
  app::Plan optimum;
  for (std::size_t i = 0; i < scale.size(); ++i) {
    targets.push_back(app::parse_target("y" + std::to_string(i) + ">=0.95"));
    choices.push_back(choice(static_cast<int>(i), 1.0 + 0.1 * static_cast<double>(i), "G" + std::to_string(i)));
    optimum.push_back(static_cast<int>(std::ceil(scale[i] * std::log(20.0))));
  }
  int evaluations = 0;
  const auto evaluate = [&](const app::Plan& plan) {
    ++evaluations;
    std::vector<app::TargetCheck> checks;
    for (std::size_t i = 0; i < scale.size(); ++i) {
      const double y = 1.0 - std::exp(-plan[i] / scale[i]);
      checks.push_back({y, y, y >= 0.95});
    }
    return checks;
  };
  const auto solution = app::solve_staffing(targets, choices, 500, evaluate);
  ASSERT_TRUE(solution.all_met);
  EXPECT_EQ(solution.plan, optimum);
  EXPECT_LT(evaluations, 69);
}

TEST(StaffingSearch, StopsAtTheLimitAndReportsTheBestPlan) {
  const std::vector targets{app::parse_target("y>=10")};
  const std::vector choices{choice(0, 1.0, "A PO")};
  const auto evaluate = [](const app::Plan& plan) {
    const double y = plan[0];
    return std::vector<app::TargetCheck>{{y, y, y >= 10}};
  };
  const auto solution = app::solve_staffing(targets, choices, 4, evaluate);
  EXPECT_FALSE(solution.all_met);
  EXPECT_EQ(solution.plan, app::Plan{4});
  EXPECT_FALSE(solution.achieved[0].met);
}

} // namespace
