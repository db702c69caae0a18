#include "caseload/policy/allocation.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <map>

using namespace caseload;
using model::Grade;
using model::kNoOfficer;
using model::Officer;

namespace {

// One LDU: officers 0-2 POs, 3-4 PSOs, 5 an SPO; all on 2176 available points
// (the SPO holds no caseload).
struct Fixture {
  std::vector<Officer> officers;
  model::LduRoster roster;
  Fixture() {
    auto add = [&](Grade g, int points, double available = 2176.0) {
      roster.by_grade[static_cast<int>(g)].push_back(static_cast<std::uint32_t>(officers.size()));
      officers.push_back(Officer{0, g, model::OfficerState::in_post, model::Duty::caseload, 37.0, available, points, 0, points > 0 ? 1 : 0});
    };
    add(Grade::PO, 2000);
    add(Grade::PO, 1000);
    add(Grade::PO, 1500);
    add(Grade::PSO, 500);
    add(Grade::PSO, 200);
    add(Grade::SPO, 0, 0.0);
  }
  // Rebuilds the policy's view of the loads first: tests set loads directly.
  std::uint32_t choose(policy::AllocationPolicy& p, int level) {
    p.attach(officers, std::span<const model::LduRoster>(&roster, 1));
    return p.choose({0, level, 100}, {officers, roster});
  }
};

std::unique_ptr<policy::AllocationPolicy> make(model::PolicyKind kind, double cap = 100.0) {
  model::AllocationParameters params;
  params.policy = kind;
  params.cap_percent = cap;
  std::vector<sim::Engine> streams{sim::make_stream({1, 0, 7, 0})};
  return policy::make_policy(params, 1, std::move(streams));
}

} // namespace

TEST(LeastLoaded, HighRiskGoesToTheLeastLoadedPo) {
  Fixture f;
  auto p = make(model::PolicyKind::least_loaded);
  EXPECT_EQ(f.choose(*p, 0), 1u); // A: POs only; officer 1 is on 46%
  EXPECT_EQ(f.choose(*p, 1), 1u);
}

TEST(LeastLoaded, LowerRiskPrefersPsosUntilTheyAreFull) {
  Fixture f;
  auto p = make(model::PolicyKind::least_loaded);
  EXPECT_EQ(f.choose(*p, 2), 4u); // C: PSO first, the lighter one
  f.officers[3].points = 2300;    // both PSOs at or over the 100% threshold
  f.officers[4].points = 2200;
  EXPECT_EQ(f.choose(*p, 3), 1u); // falls through PQiP (none) to the lightest PO
  for (auto& o : f.officers) o.points = o.has_capacity() ? 3000 : 0;
  f.officers[4].points = 2900;     // everyone over: the lowest overall wins
  EXPECT_EQ(f.choose(*p, 2), 4u);
}

TEST(LeastLoaded, GradesOfEqualPreferenceCompeteOnCapacity) {
  Fixture f;
  f.roster.by_grade[static_cast<int>(Grade::PQiP)].push_back(static_cast<std::uint32_t>(f.officers.size()));
  f.officers.push_back(Officer{0, Grade::PQiP, model::OfficerState::in_post, model::Duty::caseload, 37.0, 435.2, 40, 0, 1}); // 9.2%
  auto p = make(model::PolicyKind::least_loaded); // default: C, D -> [[PSO, PQiP], PO]
  EXPECT_EQ(f.choose(*p, 2), 4u);                 // a tie at 9.19%: the officer listed first
  f.officers[4].points = 1000;                     // PSO 46%: now the trainee is lighter
  EXPECT_EQ(f.choose(*p, 2), 6u);
  f.officers[6].points = 500;                      // trainee 115%: back to the lighter PSO (23%)
  EXPECT_EQ(f.choose(*p, 3), 3u);
}

TEST(Capped, RefusesWhenEveryEligibleOfficerIsAtTheCap) {
  Fixture f;
  auto p = make(model::PolicyKind::capped, 90.0);
  EXPECT_TRUE(p->queues_on_load());
  EXPECT_EQ(f.choose(*p, 0), 1u);
  f.officers[1].points = 1960; // 90.07%: at the cap
  EXPECT_EQ(f.choose(*p, 0), 2u);
  f.officers[2].points = 1959; // 90.03%
  f.officers[0].points = 2100;
  EXPECT_EQ(f.choose(*p, 0), kNoOfficer);
  EXPECT_EQ(f.choose(*p, 2), 4u); // C cases can still go to a PSO
}

TEST(RoundRobin, CyclesThroughEligibleOfficers) {
  Fixture f;
  auto p = make(model::PolicyKind::round_robin);
  EXPECT_EQ(f.choose(*p, 0), 0u);
  EXPECT_EQ(f.choose(*p, 0), 1u);
  EXPECT_EQ(f.choose(*p, 0), 2u);
  EXPECT_EQ(f.choose(*p, 0), 0u);
  // C: PSOs, then POs, never the SPO.
  std::vector<std::uint32_t> seen;
  for (int i = 0; i < 5; ++i) seen.push_back(f.choose(*p, 2));
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{3, 4, 0, 1, 2}));
}

TEST(Random, ChoosesUniformlyAmongEligibleOfficers) {
  Fixture f;
  auto p = make(model::PolicyKind::random);
  std::map<std::uint32_t, int> counts;
  constexpr int n = 30000;
  for (int i = 0; i < n; ++i) ++counts[f.choose(*p, 0)];
  ASSERT_EQ(counts.size(), 3u); // only the three POs
  // Binomial(n, 1/3): sd = sqrt(n p (1-p)); 5 sd leaves no room for chance failures.
  const double sd = std::sqrt(n * (1.0 / 3) * (2.0 / 3));
  for (auto [officer, count] : counts) {
    EXPECT_LT(officer, 3u);
    EXPECT_NEAR(count, n / 3.0, 5 * sd);
  }
}

TEST(AllPolicies, NoEligibleOfficerMeansNoAllocation) {
  Fixture f;
  for (auto& o : f.officers)
    if (o.grade == Grade::PO) o.available_points = 0.0; // e.g. all on long-term sick
  for (auto kind : {model::PolicyKind::least_loaded, model::PolicyKind::capped,
                    model::PolicyKind::round_robin, model::PolicyKind::random})
    EXPECT_EQ(f.choose(*make(kind), 0), kNoOfficer);
}

TEST(LeastLoaded, TheIndexStaysInStepWithLoadChangesJoinersAndLeavers) {
  // Random loads, joiners and leavers, told to the policy as the simulation
  // does; after every change its choice equals a plain scan for the lowest
  // capacity % (ties to the lower officer number).
  std::vector<Officer> officers;
  model::LduRoster roster;
  model::AllocationParameters params;
  params.eligibility[0] = {{Grade::PO, Grade::PSO}};
  auto p = policy::make_policy(params, 1, {sim::make_stream({1, 0, 7, 0})});
  p->attach(officers, std::span<const model::LduRoster>(&roster, 1));
  sim::Engine rng(99);
  boost::random::uniform_int_distribution<int> action(0, 9), load(0, 3000);
  for (int step = 0; step < 5000; ++step) {
    const int a = action(rng);
    if (a == 0 || roster.by_grade[0].size() + roster.by_grade[2].size() < 3) {
      const Grade g = action(rng) < 5 ? Grade::PO : Grade::PSO;
      const auto id = static_cast<std::uint32_t>(officers.size());
      officers.push_back(Officer{0, g, model::OfficerState::in_post, model::Duty::caseload, 37.0, 2176.0, load(rng), 0, 1});
      roster.by_grade[static_cast<int>(g)].push_back(id);
      p->joined(id, officers);
    } else if (a == 1) {
      auto& ids = roster.by_grade[action(rng) < 5 ? 0 : 2];
      if (ids.empty()) continue;
      const std::uint32_t gone = ids[boost::random::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)];
      ids.erase(std::find(ids.begin(), ids.end(), gone));
      p->left(gone);
    } else {
      const std::uint32_t o = boost::random::uniform_int_distribution<std::uint32_t>(
          0, static_cast<std::uint32_t>(officers.size() - 1))(rng);
      officers[o].points = load(rng);
      officers[o].available_points = action(rng) == 0 ? 0.0 : 2176.0; // now and then absent
      p->load_changed(o, officers);
    }
    std::uint32_t expected = kNoOfficer;
    for (int g : {0, 2})
      for (std::uint32_t o : roster.by_grade[g]) {
        if (!officers[o].has_capacity()) continue;
        if (expected == kNoOfficer || officers[o].capacity_percent() < officers[expected].capacity_percent() ||
            (officers[o].capacity_percent() == officers[expected].capacity_percent() && o < expected))
          expected = o;
      }
    ASSERT_EQ(p->choose({0, 0, 100}, {officers, roster}), expected) << "step " << step;
  }
}
