// The split of an officer's week between caseload and tasks (docs/model.md §8).

#include "caseload/model/officer_time.hpp"

#include <gtest/gtest.h>

#include <cmath>

using caseload::model::task_share;

TEST(OfficerTime, AnIdleOfficerGivesTasksTheWholeWeekAndAFullOneTheChosenShare) {
  for (double s : {0.0, 0.05, 0.1, 0.3}) {
    EXPECT_DOUBLE_EQ(task_share(0.0, s), 1.0) << s;
    EXPECT_NEAR(task_share(1.0, s), s, 1e-15) << s;
  }
}

TEST(OfficerTime, WithNoShareAtCapacityTasksGetExactlyTheSpareHours) {
  for (double u : {0.0, 0.25, 0.5, 0.99, 1.0, 1.5, 3.0}) EXPECT_DOUBLE_EQ(task_share(u, 0.0), std::max(1.0 - u, 0.0));
}

TEST(OfficerTime, TheShareFallsSmoothlyAndMonotonicallyWithNoCliff) {
  // Strictly decreasing, and continuous: on a grid of 0.001 in load no step
  // moves the share by more than the slope bound |f'(u)| <= 1 / h(0) <= 1 allows.
  for (double s : {0.02, 0.1, 0.2}) {
    double previous = task_share(0.0, s);
    for (int i = 1; i <= 3000; ++i) {
      const double u = i * 0.001;
      const double f = task_share(u, s);
      ASSERT_LT(f, previous) << "s " << s << " u " << u;
      ASSERT_LE(previous - f, 0.001 + 1e-12) << "s " << s << " u " << u;
      ASSERT_GT(f, 0.0);
      previous = f;
    }
  }
}

TEST(OfficerTime, BelowCapacityItIsNearTheSpareShareAndFarAboveItFallsAsSSquaredOverTheExcess) {
  const double s = 0.1;
  const double r = s / (1 - s * s);
  // Below capacity: within r² / (1 − u) + (h(0) − 1) of the spare share.
  for (double u : {0.0, 0.3, 0.6}) EXPECT_NEAR(task_share(u, s), 1.0 - u, 2 * r * r / (1 - u)) << u;
  // Far above: h(u) ≈ r² / (u − 1), so f ≈ s² / (u − 1) to within a few percent at u ≥ 3.
  for (double u : {3.0, 5.0, 10.0}) EXPECT_NEAR(task_share(u, s) * (u - 1) / (s * s), 1.0, 0.03) << u;
  // 200% against 100%: about s times as much time for tasks.
  EXPECT_NEAR(task_share(2.0, s) / task_share(1.0, s), s, 0.01);
}
