#include "caseload/sim/event_queue.hpp"
#include "caseload/sim/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <queue>
#include <vector>

using caseload::sim::Event;
using caseload::sim::EventQueue;

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue q;
  q.push(5.0, 0, 5);
  q.push(1.0, 0, 1);
  q.push(3.0, 0, 3);
  EXPECT_EQ(q.pop().id, 1u);
  EXPECT_DOUBLE_EQ(q.now(), 1.0);
  EXPECT_EQ(q.pop().id, 3u);
  EXPECT_EQ(q.pop().id, 5u);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, TiesRunInInsertionOrder) {
  EventQueue q;
  for (std::uint32_t i = 0; i < 100; ++i) q.push(2.0, i % 3, i);
  for (std::uint32_t i = 0; i < 100; ++i) {
    const Event e = q.pop();
    EXPECT_EQ(e.id, i);
    EXPECT_EQ(e.kind, i % 3);
  }
}

TEST(EventQueue, MatchesAStableSortOfRandomSchedules) {
  // Interleaved pushes and pops, with many equal times, against a reference
  // that orders by (time, insertion sequence).
  caseload::sim::Engine rng(42);
  boost::random::uniform_int_distribution<int> coarse_time(0, 50), coin(0, 2);
  EventQueue q;
  std::vector<Event> reference;
  std::uint64_t seq = 0;
  double now = 0.0;
  for (int step = 0; step < 20000; ++step) {
    if (coin(rng) != 0 || reference.empty()) {
      const double t = now + coarse_time(rng);
      q.push(t, 0, static_cast<std::uint32_t>(seq));
      reference.push_back(Event{t, seq++, 0, 0});
    } else {
      auto it = std::min_element(reference.begin(), reference.end(),
                                 [](const Event& a, const Event& b) {
                                   return a.time < b.time || (a.time == b.time && a.seq < b.seq);
                                 });
      const Event got = q.pop();
      ASSERT_EQ(got.id, it->seq);
      ASSERT_EQ(got.time, it->time);
      now = got.time;
      reference.erase(it);
    }
  }
  EXPECT_EQ(q.size(), reference.size());
}

// Bucket layouts: the default (a day each, far more buckets than the test
// reaches), narrow buckets (many refills, ties on bucket edges), and so few
// buckets that most events wait beyond the last one and the queue turns into
// a single heap part-way.
struct Layout {
  double bucket_days;
  std::size_t max_buckets;
};
class EventQueueLayouts : public ::testing::TestWithParam<Layout> {};
INSTANTIATE_TEST_SUITE_P(Buckets, EventQueueLayouts,
                         ::testing::Values(Layout{1.0, std::size_t{1} << 16}, Layout{0.25, 1 << 20},
                                           Layout{0.5, 40}, Layout{7.0, 3}));

TEST_P(EventQueueLayouts, PopsAsAReferencePriorityQueueAtScale) {
  // The hold model at a few thousand pending events, with ties, against
  // std::priority_queue ordered by (time, sequence): the structure may
  // change, the order of events may not.
  for (std::uint64_t seed : {7u, 8u, 9u}) {
    caseload::sim::Engine rng(seed);
    boost::random::uniform_int_distribution<int> gap(0, 40), burst(1, 5);
    const auto later = [](const Event& a, const Event& b) {
      return b.time < a.time || (a.time == b.time && b.seq < a.seq);
    };
    std::priority_queue<Event, std::vector<Event>, decltype(later)> reference(later);
    EventQueue q(GetParam().bucket_days, GetParam().max_buckets);
    std::uint64_t seq = 0;
    const auto push = [&](double t) {
      q.push(t, static_cast<std::uint32_t>(seq % 19), static_cast<std::uint32_t>(seq));
      reference.push(Event{t, seq, static_cast<std::uint32_t>(seq % 19), static_cast<std::uint32_t>(seq)});
      ++seq;
    };
    for (int i = 0; i < 3000; ++i) push(gap(rng) * 0.5);
    for (int step = 0; step < 50000; ++step) {
      const Event got = q.pop();
      const Event want = reference.top();
      reference.pop();
      ASSERT_EQ(got.time, want.time);
      ASSERT_EQ(got.kind, want.kind);
      ASSERT_EQ(got.id, want.id);
      ASSERT_EQ(q.size(), reference.size());
      for (int k = (step % 3 == 0 ? burst(rng) : 1); k > 0; --k)
        if (reference.size() < 6000) push(got.time + gap(rng) * 0.5);
    }
    while (!reference.empty()) {
      ASSERT_EQ(q.pop().id, reference.top().id);
      reference.pop();
    }
    EXPECT_TRUE(q.empty());
  }
}

TEST(EventQueue, TopLooksAheadAcrossEmptyBucketsWithoutMovingTheClock) {
  EventQueue q(1.0, 8);
  q.push(0.5, 0, 1);
  q.push(5.5, 0, 2);  // a later bucket
  q.push(50.0, 0, 3); // beyond the last bucket
  EXPECT_EQ(q.pop().id, 1u);
  EXPECT_EQ(q.top().id, 2u);
  EXPECT_DOUBLE_EQ(q.now(), 0.5);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop().id, 2u);
  q.push(6.0, 0, 4); // the current bucket: straight into the heap
  EXPECT_EQ(q.pop().id, 4u);
  EXPECT_EQ(q.top().id, 3u);
  q.push(49.0, 0, 5); // once everything is in the heap, later events go there too
  EXPECT_EQ(q.pop().id, 5u);
  EXPECT_EQ(q.pop().id, 3u);
  EXPECT_TRUE(q.empty());
}
