#include "caseload/policy/allocation.hpp"

#include <boost/random/uniform_int_distribution.hpp>

#include "caseload/sim/indexed_heap.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>

namespace caseload::policy {
namespace {

using model::Grade;
using model::kNoOfficer;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The key of an officer in the load index: capacity %, or infinity for those
// who may hold no case now (absent, gone, no caseload grade).
double load_key(const model::Officer& o) {
  return o.takes_cases() && o.has_capacity() ? o.capacity_percent() : kInfinity;
}

// May take a case now: on caseload duty, with capacity, below the grade's cap.
bool may_take(const model::Officer& o, const model::AllocationParameters& params) {
  return o.takes_cases() && o.has_capacity() &&
         o.capacity_percent() < params.grade_cap_percent[static_cast<int>(o.grade)];
}

// Officers of each (LDU, grade) in a min-heap by capacity %, kept in step with
// every change of load, so that the least loaded is found in O(log n).
class LoadIndex {
public:
  explicit LoadIndex(std::size_t ldu_count) : heaps_(ldu_count * model::kGradeCount) {}

  void attach(std::span<const model::Officer> officers, std::span<const model::LduRoster> rosters) {
    for (auto& h : heaps_) h = {};
    positions_.assign(officers.size(), sim::kNotInHeap);
    heap_of_.assign(officers.size(), sim::kNotInHeap);
    for (std::size_t l = 0; l < rosters.size(); ++l)
      for (const auto& ids : rosters[l].by_grade)
        for (std::uint32_t o : ids) joined(o, officers);
  }
  void joined(std::uint32_t o, std::span<const model::Officer> officers) {
    const std::uint32_t h = officers[o].ldu * model::kGradeCount + static_cast<std::uint32_t>(officers[o].grade);
    if (heap_of_.size() <= o) heap_of_.resize(o + 1, sim::kNotInHeap);
    heap_of_[o] = h;
    heaps_[h].push(o, load_key(officers[o]), positions_);
  }
  void left(std::uint32_t o) {
    if (o >= heap_of_.size() || heap_of_[o] == sim::kNotInHeap) return;
    heaps_[heap_of_[o]].erase(o, positions_);
    heap_of_[o] = sim::kNotInHeap;
  }
  void changed(std::uint32_t o, std::span<const model::Officer> officers) {
    if (o >= heap_of_.size() || heap_of_[o] == sim::kNotInHeap) return;
    heaps_[heap_of_[o]].update(o, load_key(officers[o]), positions_);
  }
  // The least loaded of a grade in an LDU, if any may hold a case.
  [[nodiscard]] const sim::IndexedMinHeap<double>::Entry* least(std::uint32_t ldu, Grade g) const {
    const auto& h = heaps_[ldu * model::kGradeCount + static_cast<std::uint32_t>(g)];
    return h.empty() || h.top().key == kInfinity ? nullptr : &h.top();
  }

private:
  std::vector<sim::IndexedMinHeap<double>> heaps_;
  sim::HeapPositions positions_;
  std::vector<std::uint32_t> heap_of_;
};

// Lowest capacity % within the first preference level whose least-loaded
// officer is below the threshold; failing that, lowest overall. Officers at or
// above `ceiling` are never chosen. Ties go to the lower officer number.
class LeastLoaded final : public AllocationPolicy {
public:
  LeastLoaded(const model::AllocationParameters& params, std::size_t ldu_count, double ceiling, bool queues)
      : params_(params), index_(ldu_count), ceiling_(ceiling), queues_(queues) {}

  std::uint32_t choose(const AllocationRequest& request, const AllocationView&) override {
    using Entry = sim::IndexedMinHeap<double>::Entry;
    const Entry* overall = nullptr;
    for (const auto& level : params_.eligibility[request.protect_level]) {
      const Entry* best = nullptr;
      for (Grade grade : level)
        if (const Entry* e = index_.least(request.ldu, grade);
            e && e->key < params_.grade_cap_percent[static_cast<int>(grade)] && (!best || *e < *best))
          best = e;
      if (!best || best->key >= ceiling_) continue;
      if (best->key < params_.preference_threshold_percent) return best->item;
      if (!overall || best->key < overall->key) overall = best;
    }
    return overall ? overall->item : kNoOfficer;
  }
  [[nodiscard]] bool queues_on_load() const override { return queues_; }
  void attach(std::span<const model::Officer> officers, std::span<const model::LduRoster> rosters) override {
    index_.attach(officers, rosters);
  }
  void load_changed(std::uint32_t o, std::span<const model::Officer> officers) override {
    index_.changed(o, officers);
  }
  void joined(std::uint32_t o, std::span<const model::Officer> officers) override { index_.joined(o, officers); }
  void left(std::uint32_t o) override { index_.left(o); }

private:
  model::AllocationParameters params_;
  LoadIndex index_;
  double ceiling_;
  bool queues_;
};

// The eligible officers of a request as one list: grades of the preference
// levels in order, each grade's roster in order. Position i is found in
// O(number of grades).
struct EligibleList {
  std::array<std::span<const std::uint32_t>, model::kGradeCount> parts{};
  int part_count = 0;
  std::size_t total = 0;
  EligibleList(const model::AllocationParameters& params, const AllocationRequest& request,
               const AllocationView& view) {
    for (const auto& level : params.eligibility[request.protect_level])
      for (Grade grade : level) {
        parts[part_count++] = view.roster.by_grade[static_cast<int>(grade)];
        total += parts[part_count - 1].size();
      }
  }
  [[nodiscard]] std::uint32_t at(std::size_t i) const {
    for (int p = 0;; ++p) {
      if (i < parts[p].size()) return parts[p][i];
      i -= parts[p].size();
    }
  }
};

// Takes eligible officers in turn, one cursor per LDU and protect level,
// skipping those who may hold no case now.
class RoundRobin final : public AllocationPolicy {
public:
  RoundRobin(const model::AllocationParameters& params, std::size_t ldu_count)
      : params_(params), cursor_(ldu_count * model::kProtectLevelCount, 0) {}
  std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) override {
    std::uint64_t& cursor = cursor_[request.ldu * model::kProtectLevelCount + request.protect_level];
    const EligibleList list(params_, request, view);
    for (std::size_t tries = 0; tries < list.total; ++tries) {
      const std::uint32_t o = list.at(cursor++ % list.total);
      if (may_take(view.officers[o], params_)) return o;
    }
    return kNoOfficer;
  }

private:
  model::AllocationParameters params_;
  std::vector<std::uint64_t> cursor_;
};

// Any eligible officer, uniformly at random, from the LDU's own policy stream
// (rejection sampling over the eligible list: exact, and O(1) expected while
// most officers may hold cases).
class Random final : public AllocationPolicy {
public:
  Random(const model::AllocationParameters& params, std::vector<sim::Engine> streams)
      : params_(params), streams_(std::move(streams)) {}
  std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) override {
    const EligibleList list(params_, request, view);
    if (list.total == 0) return kNoOfficer;
    boost::random::uniform_int_distribution<std::size_t> pick(0, list.total - 1);
    for (std::size_t tries = 0; tries < 4 * list.total + 16; ++tries) {
      const std::uint32_t o = list.at(pick(streams_[request.ldu]));
      if (may_take(view.officers[o], params_)) return o;
    }
    // Almost nobody may hold a case: settle it exactly among those who may.
    std::vector<std::uint32_t> able;
    for (std::size_t i = 0; i < list.total; ++i)
      if (may_take(view.officers[list.at(i)], params_)) able.push_back(list.at(i));
    if (able.empty()) return kNoOfficer;
    return able[boost::random::uniform_int_distribution<std::size_t>(0, able.size() - 1)(streams_[request.ldu])];
  }

private:
  model::AllocationParameters params_;
  std::vector<sim::Engine> streams_;
};

} // namespace

std::unique_ptr<AllocationPolicy> make_policy(const model::AllocationParameters& params,
                                              std::size_t ldu_count,
                                              std::vector<sim::Engine> policy_streams) {
  assert(policy_streams.size() == ldu_count);
  // A grade cap refuses on load, so a case it leaves waiting may be placed when
  // an officer's load falls back below it.
  const bool grade_caps = std::any_of(params.grade_cap_percent.begin(), params.grade_cap_percent.end(),
                                      [](double cap) { return cap < kInfinity; });
  switch (params.policy) {
  case model::PolicyKind::least_loaded:
    return std::make_unique<LeastLoaded>(params, ldu_count, kInfinity, grade_caps);
  case model::PolicyKind::capped:
    return std::make_unique<LeastLoaded>(params, ldu_count, params.cap_percent, true);
  case model::PolicyKind::round_robin: return std::make_unique<RoundRobin>(params, ldu_count);
  case model::PolicyKind::random: return std::make_unique<Random>(params, std::move(policy_streams));
  }
  return nullptr;
}

} // namespace caseload::policy
