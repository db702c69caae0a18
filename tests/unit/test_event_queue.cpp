#include "caseload/sim/event_queue.hpp"
#include "caseload/sim/parted_event_queue.hpp"
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

// --- a list in parts (sim/parted_event_queue.hpp)

namespace {

using caseload::sim::PartedEventQueue;

// A hold process per part: each event it runs schedules the next ones of its
// part, from that part's own stream, with many equal times (whole days and
// zero gaps). Run alone or among other parts, a part's process must see its
// events in the same order.
struct PartProcess {
  explicit PartProcess(std::uint64_t seed) : rng(seed) {}
  caseload::sim::Engine rng;
  boost::random::uniform_int_distribution<int> gap{0, 40};
  std::uint32_t next_id = 0;
  std::vector<std::pair<double, std::uint32_t>> seen; // (time, id) in the order run
  template <class Push> void start(Push push) {
    for (int i = 0; i < 30; ++i) push(static_cast<double>(gap(rng)), next_id++);
  }
  template <class Push> void run(const Event& e, Push push) {
    seen.emplace_back(e.time, e.id);
    // One next event, or two, or none, as many as it ran on average.
    for (int n = e.id % 5 == 0 ? 2 : e.id % 5 == 1 ? 0 : 1; n > 0; --n) push(e.time + gap(rng), next_id++);
  }
};

constexpr double kHorizon = 3000.0;

// Runs every part alone, in a plain EventQueue, to the horizon.
std::vector<std::vector<std::pair<double, std::uint32_t>>> alone(std::size_t parts) {
  std::vector<std::vector<std::pair<double, std::uint32_t>>> out;
  for (std::size_t p = 0; p < parts; ++p) {
    PartProcess process(100 + p);
    EventQueue q;
    auto push = [&](double t, std::uint32_t id) { q.push(t, 0, id); };
    process.start(push);
    while (!q.empty() && q.top().time <= kHorizon) process.run(q.pop(), push);
    out.push_back(std::move(process.seen));
  }
  return out;
}

} // namespace

TEST(PartedEventQueue, EachPartRunsAsItWouldAloneAndSharedEventsSeeEveryPartUpToTheirTime) {
  // Units 0..5 in parts {0, 3}, {1, 4, 5}, {2}; a part's process schedules
  // through any of its units. Shared events every 91 days (and two at day 500,
  // one on an exact whole day that part events also fall on).
  const std::vector<std::uint32_t> part_of_unit{0, 1, 2, 0, 1, 1};
  const std::vector<std::vector<std::uint32_t>> units_of_part{{0, 3}, {1, 4, 5}, {2}};
  PartedEventQueue q(part_of_unit);
  ASSERT_EQ(q.part_count(), 3u);
  std::vector<PartProcess> processes;
  for (std::uint64_t p = 0; p < 3; ++p) processes.emplace_back(100 + p);
  auto pusher = [&](std::uint32_t p) {
    return [&q, &units_of_part, p](double t, std::uint32_t id) {
      const auto& units = units_of_part[p];
      q.push(units[id % units.size()], t, 0, id);
    };
  };
  for (std::uint32_t p = 0; p < 3; ++p) processes[p].start(pusher(p));
  for (double t = 0.0; t <= kHorizon; t += 91.0) q.push_shared(t, 1, 0);
  q.push_shared(500.0, 1, 1);
  q.push_shared(500.0, 1, 2);

  // Every event run, in the order run: (time, shared?).
  std::vector<std::pair<double, bool>> log;
  auto run = [&](std::uint32_t p) {
    return [&, p](const Event& e) {
      EXPECT_EQ(q.now(), e.time);
      log.emplace_back(e.time, false);
      processes[p].run(e, pusher(p));
    };
  };
  for (double from = 0.0;;) { // as replication::Simulation::run, with blocks of 40 days
    const double shared = q.next_shared_time();
    const double until = std::min({shared, from + 40.0, kHorizon});
    for (std::uint32_t p = 0; p < 3; ++p) q.run_part(p, until, run(p));
    if (until == kHorizon && shared > kHorizon) break;
    if (shared == until) q.run_shared([&](const Event& e) {
      EXPECT_EQ(q.now(), until);
      log.emplace_back(e.time, true);
    });
    from = until;
  }
  // A shared event runs after every part's event at or before its time
  // (ties included: the parts' times are whole days, as are the shared
  // events'), and before every later one.
  std::size_t shared_run = 0, ties = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (!log[i].second) continue;
    ++shared_run;
    for (std::size_t j = 0; j < log.size(); ++j) {
      if (log[j].second) continue;
      if (log[j].first <= log[i].first) EXPECT_LT(j, i) << "a part's event at " << log[j].first;
      else EXPECT_GT(j, i) << "a part's event at " << log[j].first;
      ties += log[j].first == log[i].first ? 1 : 0;
    }
  }
  EXPECT_EQ(shared_run, static_cast<std::size_t>(kHorizon / 91.0) + 1 + 2);
  EXPECT_GT(ties, 10u);
  const auto reference = alone(3);
  for (std::uint32_t p = 0; p < 3; ++p) {
    ASSERT_GT(reference[p].size(), 1000u);
    EXPECT_EQ(processes[p].seen, reference[p]) << "part " << p;
  }
  // Left: the events past the horizon, as many as the count of pending says.
  const std::size_t pending = q.size();
  std::size_t left = 0;
  for (std::uint32_t p = 0; p < 3; ++p) q.run_part(p, 1e9, [&](const Event& e) {
    EXPECT_GT(e.time, kHorizon);
    ++left;
  });
  EXPECT_GT(left, 0u);
  EXPECT_EQ(left, pending);
  EXPECT_TRUE(q.empty());
}

TEST(PartedEventQueue, PartsShareOnePoolOfBlocks) {
  // Ten parts that take turns, each scheduling 5,000 events over 50 days and
  // running them: the blocks one part lets go are the next one's, so the pool
  // holds what the pending events need, not every part's peak.
  std::vector<std::uint32_t> part_of_unit(10);
  for (std::uint32_t u = 0; u < 10; ++u) part_of_unit[u] = u;
  PartedEventQueue q(part_of_unit);
  EventQueue one_part; // holds one round's events, pending
  for (int round = 0; round < 30; ++round) {
    const auto p = static_cast<std::uint32_t>(round % 10);
    const double at = 100.0 * (round + 1);
    for (int i = 0; i < 5000; ++i) q.push(p, at + i * 0.01, 0, 0);
    q.run_part(p, at + 60.0, [](const Event&) {});
  }
  for (int i = 0; i < 5000; ++i) one_part.push(100.0 + i * 0.01, 0, 0);
  EXPECT_TRUE(q.empty());
  // About one round's blocks (with each part's small fixed parts), not ten.
  EXPECT_LT(q.capacity_bytes(), 2 * one_part.capacity_bytes());
}
