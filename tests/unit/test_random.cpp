#include "caseload/sim/random.hpp"

#include <gtest/gtest.h>

using caseload::sim::make_stream;
using caseload::sim::StreamKey;

TEST(RandomStreams, SameKeyGivesSameDraws) {
  auto a = make_stream({7, 3, 1, 2});
  auto b = make_stream({7, 3, 1, 2});
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());
}

TEST(RandomStreams, EveryPartOfTheKeyMatters) {
  const StreamKey base{7, 3, 1, 2};
  const auto first = make_stream(base)();
  for (StreamKey k : {StreamKey{8, 3, 1, 2}, StreamKey{7, 4, 1, 2}, StreamKey{7, 3, 2, 2},
                      StreamKey{7, 3, 1, 3}, StreamKey{7ull | (1ull << 40), 3, 1, 2}})
    EXPECT_NE(make_stream(k)(), first);
}
