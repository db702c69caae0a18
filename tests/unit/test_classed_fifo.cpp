// The waiting queue filed by class (sim/classed_fifo.hpp) serves in exactly the
// order of the single FIFO scan it replaced: the earliest item whose class has
// not failed is tried next; a failure closes its class.

#include "caseload/sim/classed_fifo.hpp"
#include "caseload/sim/random.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace {

constexpr std::size_t kClasses = 4;
constexpr std::uint32_t kNotQueued = 0xffffffffu;

struct Item {
  std::size_t cls = 0;
  std::uint32_t queued = kNotQueued;
};

// The old queue: one vector in arrival order, scanned from the front.
std::vector<std::uint32_t> serve_by_scan(std::vector<std::uint32_t>& queue, const std::vector<Item>& items,
                                         const std::vector<bool>& accepts) {
  std::vector<std::uint32_t> tried;
  std::array<bool, kClasses> blocked{};
  std::size_t blocked_count = 0, kept = 0, i = 0;
  for (; i < queue.size() && blocked_count < kClasses; ++i) {
    const std::uint32_t id = queue[i];
    const std::size_t c = items[id].cls;
    if (!blocked[c]) {
      tried.push_back(id);
      if (accepts[tried.size() - 1]) continue;
      blocked[c] = true;
      ++blocked_count;
    }
    queue[kept++] = id;
  }
  for (; i < queue.size(); ++i) queue[kept++] = queue[i];
  queue.resize(kept);
  return tried;
}

using Fifo = caseload::sim::ClassedFifo<kClasses>;

std::vector<std::uint32_t> serve_by_class(Fifo& fifo, std::vector<Item>& items, const std::vector<bool>& accepts) {
  std::vector<std::uint32_t> tried;
  std::array<bool, kClasses> blocked{};
  const auto live = [&](const Fifo::Entry& e, std::size_t cls) {
    return items[e.item].queued == e.seq && items[e.item].cls == cls;
  };
  while (!fifo.empty()) {
    const int cls = fifo.earliest(blocked, live);
    if (cls < 0) break;
    const std::uint32_t id = fifo.front(static_cast<std::size_t>(cls), live)->item;
    tried.push_back(id);
    if (!accepts[tried.size() - 1]) {
      blocked[static_cast<std::size_t>(cls)] = true;
      continue;
    }
    items[id].queued = kNotQueued;
    fifo.removed();
  }
  return tried;
}

TEST(ClassedFifo, ServesInTheOrderOfTheSingleQueueScan) {
  for (std::uint64_t seed : {1u, 2u, 3u, 17u, 99u}) {
    caseload::sim::Engine rng(seed);
    boost::random::uniform_int_distribution<int> action(0, 9), cls(0, kClasses - 1), accept(0, 3);
    // Classes are skewed, so that some classes are rare (the scan's worst case).
    boost::random::uniform_int_distribution<int> skew(0, 19);
    std::vector<Item> items(400);
    std::vector<std::uint32_t> free_ids, reference;
    for (std::uint32_t i = 0; i < items.size(); ++i) free_ids.push_back(i);
    Fifo fifo;
    for (int step = 0; step < 20000; ++step) {
      const int a = action(rng);
      if (a < 5 && !free_ids.empty()) { // arrive and wait
        boost::random::uniform_int_distribution<std::size_t> pick(0, free_ids.size() - 1);
        const std::size_t k = pick(rng);
        const std::uint32_t id = free_ids[k];
        free_ids.erase(free_ids.begin() + static_cast<std::ptrdiff_t>(k));
        const int s = skew(rng);
        items[id].cls = s < 12 ? 0 : s < 18 ? 1 : s < 19 ? 2 : 3;
        items[id].queued = fifo.push(items[id].cls, id);
        reference.push_back(id);
      } else if (a < 6 && !reference.empty()) { // a waiting item leaves (ends while waiting)
        boost::random::uniform_int_distribution<std::size_t> pick(0, reference.size() - 1);
        const std::size_t k = pick(rng);
        const std::uint32_t id = reference[k];
        reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(k));
        items[id].queued = kNotQueued;
        fifo.removed();
        free_ids.push_back(id); // the slot is reused, as case slots are
      } else if (a < 8 && !reference.empty()) { // a waiting item changes class
        boost::random::uniform_int_distribution<std::size_t> pick(0, reference.size() - 1);
        const std::uint32_t id = reference[pick(rng)];
        const auto to = static_cast<std::size_t>(cls(rng));
        if (to != items[id].cls) {
          items[id].cls = to;
          fifo.refile(to, id, items[id].queued);
        }
      } else { // serve, with a random run of acceptances
        std::vector<bool> accepts(reference.size() + kClasses + 1);
        for (std::size_t i = 0; i < accepts.size(); ++i) accepts[i] = accept(rng) != 0;
        const std::vector<std::uint32_t> by_scan = serve_by_scan(reference, items, accepts);
        const std::vector<std::uint32_t> by_class = serve_by_class(fifo, items, accepts);
        ASSERT_EQ(by_scan, by_class) << "seed " << seed << " step " << step;
        for (std::size_t i = 0; i < by_scan.size(); ++i)
          if (accepts[i]) free_ids.push_back(by_scan[i]);
      }
      ASSERT_EQ(fifo.size(), reference.size());
    }
  }
}

TEST(ClassedFifo, EmptyAndSizeCountLiveItemsOnly) {
  Fifo fifo;
  std::vector<Item> items(3);
  for (std::uint32_t i = 0; i < 3; ++i) items[i].queued = fifo.push(0, i);
  EXPECT_EQ(fifo.size(), 3u);
  items[1].queued = kNotQueued;
  fifo.removed();
  const auto live = [&](const Fifo::Entry& e, std::size_t cls) {
    return items[e.item].queued == e.seq && items[e.item].cls == cls;
  };
  EXPECT_EQ(fifo.size(), 2u);
  EXPECT_EQ(fifo.front(0, live)->item, 0u);
  items[0].queued = kNotQueued;
  fifo.removed();
  EXPECT_EQ(fifo.front(0, live)->item, 2u);
  items[2].queued = kNotQueued;
  fifo.removed();
  EXPECT_TRUE(fifo.empty());
  EXPECT_EQ(fifo.front(0, live), nullptr);
}

} // namespace
