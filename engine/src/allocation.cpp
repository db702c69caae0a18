#include "caseload/policy/allocation.hpp"

#include <boost/random/uniform_int_distribution.hpp>

#include <cassert>
#include <limits>

namespace caseload::policy {
namespace {

using model::Grade;
using model::kNoOfficer;

// Calls f(officer index) for every officer of the LDU who may hold the case,
// grade by grade in order of preference; f returns false to stop.
template <class F>
void for_each_eligible(const model::AllocationParameters& params, const AllocationRequest& request,
                       const AllocationView& view, F&& f) {
  for (const auto& level : params.eligibility[request.protect_level])
    for (Grade grade : level)
      for (std::uint32_t o : view.roster.by_grade[static_cast<int>(grade)]) {
        if (!view.officers[o].holds_caseload()) continue;
        if (!f(o)) return;
      }
}

// The officer at position pick(count) of the eligible list, or none if it is empty.
template <class Pick>
std::uint32_t nth_eligible(const model::AllocationParameters& params,
                           const AllocationRequest& request, const AllocationView& view,
                           Pick&& pick) {
  std::uint64_t count = 0;
  for_each_eligible(params, request, view, [&](std::uint32_t) { return ++count, true; });
  if (count == 0) return kNoOfficer;
  const std::uint64_t target = pick(count);
  std::uint64_t i = 0;
  std::uint32_t chosen = kNoOfficer;
  for_each_eligible(params, request, view, [&](std::uint32_t o) {
    if (i++ == target) chosen = o;
    return chosen == kNoOfficer;
  });
  return chosen;
}

// Lowest capacity % within the first preference level whose least-loaded
// officer is below the threshold; failing that, lowest overall. Officers at or
// above `ceiling` are never chosen.
std::uint32_t least_loaded(const model::AllocationParameters& params,
                           const AllocationRequest& request, const AllocationView& view,
                           double ceiling) {
  std::uint32_t best_overall = kNoOfficer;
  double best_overall_pct = std::numeric_limits<double>::infinity();
  for (const auto& level : params.eligibility[request.protect_level]) {
    std::uint32_t best = kNoOfficer;
    double best_pct = std::numeric_limits<double>::infinity();
    for (Grade grade : level)
      for (std::uint32_t o : view.roster.by_grade[static_cast<int>(grade)]) {
        const model::Officer& officer = view.officers[o];
        if (!officer.holds_caseload()) continue;
        const double pct = officer.capacity_percent();
        if (pct < best_pct && pct < ceiling) {
          best_pct = pct;
          best = o;
        }
      }
    if (best == kNoOfficer) continue;
    if (best_pct < params.preference_threshold_percent) return best;
    if (best_pct < best_overall_pct) {
      best_overall_pct = best_pct;
      best_overall = best;
    }
  }
  return best_overall;
}

class LeastLoaded final : public AllocationPolicy {
public:
  explicit LeastLoaded(const model::AllocationParameters& params) : params_(params) {}
  std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) override {
    return least_loaded(params_, request, view, std::numeric_limits<double>::infinity());
  }

private:
  model::AllocationParameters params_;
};

class Capped final : public AllocationPolicy {
public:
  explicit Capped(const model::AllocationParameters& params) : params_(params) {}
  std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) override {
    return least_loaded(params_, request, view, params_.cap_percent);
  }
  [[nodiscard]] bool queues_on_load() const override { return true; }

private:
  model::AllocationParameters params_;
};

// Takes eligible officers in turn, one cursor per LDU and protect level.
class RoundRobin final : public AllocationPolicy {
public:
  RoundRobin(const model::AllocationParameters& params, std::size_t ldu_count)
      : params_(params), cursor_(ldu_count * model::kProtectLevelCount, 0) {}
  std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) override {
    std::uint64_t& cursor = cursor_[request.ldu * model::kProtectLevelCount + request.protect_level];
    return nth_eligible(params_, request, view, [&](std::uint64_t n) { return cursor++ % n; });
  }

private:
  model::AllocationParameters params_;
  std::vector<std::uint64_t> cursor_;
};

// Any eligible officer, uniformly at random, from the LDU's own policy stream.
class Random final : public AllocationPolicy {
public:
  Random(const model::AllocationParameters& params, std::vector<sim::Engine> streams)
      : params_(params), streams_(std::move(streams)) {}
  std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) override {
    return nth_eligible(params_, request, view, [&](std::uint64_t n) {
      return boost::random::uniform_int_distribution<std::uint64_t>(0, n - 1)(
          streams_[request.ldu]);
    });
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
  switch (params.policy) {
  case model::PolicyKind::least_loaded: return std::make_unique<LeastLoaded>(params);
  case model::PolicyKind::capped: return std::make_unique<Capped>(params);
  case model::PolicyKind::round_robin: return std::make_unique<RoundRobin>(params, ldu_count);
  case model::PolicyKind::random: return std::make_unique<Random>(params, std::move(policy_streams));
  }
  return nullptr;
}

} // namespace caseload::policy
