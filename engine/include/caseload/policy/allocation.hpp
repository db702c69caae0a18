#pragma once
// Allocation policies: given a case and the officers of its LDU, choose who
// holds it, or leave it unallocated. One interface, several strategies.

#include "caseload/model/scenario.hpp"
#include "caseload/model/state.hpp"
#include "caseload/sim/random.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace caseload::policy {

struct AllocationRequest {
  std::uint32_t ldu = 0;
  int protect_level = 0; // tier letter index, selects the eligibility row
  std::int32_t points = 0;
};

struct AllocationView {
  std::span<const model::Officer> officers;
  const model::LduRoster& roster;
};

class AllocationPolicy {
public:
  virtual ~AllocationPolicy() = default;
  // The officer to hold the case, or model::kNoOfficer to leave it waiting.
  virtual std::uint32_t choose(const AllocationRequest& request, const AllocationView& view) = 0;
  // Whether a case left waiting may be placed later (when an officer's load
  // falls): true for policies that refuse on load rather than on staffing.
  [[nodiscard]] virtual bool queues_on_load() const { return false; }

  // Keeping any index of the officers in step with the model: an officer's
  // points or available points changed; an officer joined or left a roster
  // (or changed grade). Indexes are rebuilt whole by attach().
  virtual void attach(std::span<const model::Officer> /*officers*/,
                      std::span<const model::LduRoster> /*rosters*/) {}
  virtual void load_changed(std::uint32_t /*officer*/, std::span<const model::Officer> /*officers*/) {}
  virtual void joined(std::uint32_t /*officer*/, std::span<const model::Officer> /*officers*/) {}
  virtual void left(std::uint32_t /*officer*/) {}
};

// `policy_streams` holds one engine per LDU, used by policies that break ties
// or choose at random.
std::unique_ptr<AllocationPolicy> make_policy(const model::AllocationParameters& params,
                                              std::size_t ldu_count,
                                              std::vector<sim::Engine> policy_streams);

} // namespace caseload::policy
