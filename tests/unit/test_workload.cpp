#include "caseload/model/workload.hpp"

#include <gtest/gtest.h>

using namespace caseload::model;

TEST(Workload, AvailablePointsFollowTheWmtFormula) {
  const WorkloadParameters w;
  EXPECT_DOUBLE_EQ(w.available_points(37.0, 0.0), 2176.0);
  EXPECT_DOUBLE_EQ(w.available_points(18.5, 0.0), 1088.0);
  // A first-year trainee PO: 80% of 37 hours reduced.
  EXPECT_NEAR(w.available_points(37.0, 0.8 * 37.0), 2176.0 * 0.2, 1e-9);
  EXPECT_DOUBLE_EQ(w.available_points(37.0, 37.0), 0.0);
  EXPECT_DOUBLE_EQ(w.available_points(30.0, 40.0), 0.0);
}

TEST(Workload, CapacityPercentIsHeldOverAvailable) {
  EXPECT_DOUBLE_EQ(capacity_percent(2176.0, 2176.0), 100.0);
  EXPECT_DOUBLE_EQ(capacity_percent(2393.6, 2176.0), 110.0);
}

TEST(Workload, DefaultPointsAreTheWmtSeedData) {
  const WorkloadParameters w;
  EXPECT_EQ(w.points(CaseType::community, 0), 206);  // A3
  EXPECT_EQ(w.points(CaseType::community, 15), 29);  // D0
  EXPECT_EQ(w.points(CaseType::custody, 4), 59);     // B3
  EXPECT_EQ(w.points(CaseType::licence, 0), 219);    // A3
  EXPECT_EQ(w.points(CaseType::licence, 9), 65);     // C2
  EXPECT_EQ(w.sdr_points, 138);
  EXPECT_EQ(w.fdr_points, 65);
  EXPECT_EQ(w.parole_points, 120);
  EXPECT_EQ(protect_level(0), 0);
  EXPECT_EQ(protect_level(7), 1);
  EXPECT_EQ(protect_level(15), 3);
}
