// The order `compare` shows paired differences in (docs/model.md §17.2):
// significant ones first, each group by |difference| / half-width.

#include "caseload/app/run_summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace caseload;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

app::PairedDifference difference(const std::string& figure, double mean, double half_width,
                                 const std::string& ldu = "division") {
  app::PairedDifference d;
  d.ldu = ldu;
  d.figure = figure;
  d.base = {5, 10.0, 1.0};
  d.variant = {5, 10.0 + mean, 1.0};
  d.difference = {5, mean, half_width};
  return d;
}

} // namespace

TEST(Comparison, ClarityIsTheDifferenceAgainstItsHalfWidth) {
  EXPECT_DOUBLE_EQ(difference("a", -3.0, 1.5).clarity(), 2.0);
  EXPECT_EQ(difference("a", 2.0, 0.0).clarity(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(difference("a", 0.0, 0.0).clarity(), 0.0);
  EXPECT_TRUE(std::isnan(difference("a", kNaN, kNaN).clarity()));
  EXPECT_TRUE(std::isnan(difference("a", 1.0, kNaN).clarity())); // one replication: no interval
}

TEST(Comparison, BySignificanceListsSignificantDifferencesFirstClearestFirst) {
  const std::vector<app::PairedDifference> rows{
      difference("unclear", 0.5, 1.0),      // clarity 0.5, not significant
      difference("clear", 2.0, 1.0),        // 2, significant
      difference("exact", 1.0, 0.0),        // infinite, significant
      difference("undefined", kNaN, kNaN),  // last
      difference("none", 0.0, 0.0),         // 0
      difference("clearer", -6.0, 1.0),     // 6, significant
      difference("elsewhere", 9.0, 1.0, "North"),
      difference("noisy", 0.9, 1.0),        // 0.9, not significant
  };
  std::vector<std::string> order;
  for (const auto* d : app::by_significance(rows, "division")) order.push_back(d->figure);
  EXPECT_EQ(order, (std::vector<std::string>{"exact", "clearer", "clear", "noisy", "unclear", "none", "undefined"}));
  ASSERT_EQ(app::by_significance(rows, "North").size(), 1u);
}
