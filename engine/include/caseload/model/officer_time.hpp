#pragma once
// How an officer divides the week between the caseload and tasks with
// deadlines (docs/model.md §8): a continuous, decreasing function of load with
// no threshold and no floor, so lateness bends rather than breaks as load rises.

namespace caseload::model {

// The share of an officer's available hours that goes to tasks, given the
// load u = hours the caseload asks for ÷ available hours (u = 1 at 100% of
// capacity), and s = the share at exactly full load (0 ≤ s < 1).
//
//   f(u) = h(u) / h(0),  h(u) = ((1 − u) + sqrt((1 − u)² + 4 r²)) / 2,
//   r = s / (1 − s²)     (so that f(1) = s).
//
// h is a smooth maximum of the spare share 1 − u and 0, so f(0) = 1,
// f(u) ≈ 1 − u well below capacity, f(1) = s, and f(u) ≈ s² / (u − 1) well
// above: an officer at 200% gives tasks about s times what they give at 100%.
// f is continuous and strictly decreasing for s > 0. With s = 0 it is
// max(1 − u, 0): no task work at all at or over capacity.
double task_share(double load, double share_at_capacity);

} // namespace caseload::model
