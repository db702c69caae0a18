#include "caseload/app/estimate.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace caseload::app {

DemandEstimate estimate_demand(const History& history, std::int64_t as_of, double confidence) {
  DemandEstimate out;
  out.confidence = confidence;
  out.as_of = as_of;
  out.ldus = history.ldus;
  out.window_start = std::numeric_limits<std::int64_t>::max();
  for (const HistoryCase& c : history.cases) out.window_start = std::min(out.window_start, c.start_day);
  assert(as_of > out.window_start);
  out.weeks = static_cast<double>(as_of - out.window_start) / model::kDaysPerWeek;

  const std::size_t n_ldu = history.ldus.size();
  out.arrivals.assign(n_ldu, {});
  std::array<std::vector<stats::Duration>, model::kCaseTypeCount> durations;
  std::array<TypeEstimate, model::kCaseTypeCount> types{};
  for (const HistoryCase& c : history.cases) {
    if (c.start_day > as_of) continue;
    const auto t = static_cast<std::size_t>(c.type);
    ++out.cases;
    ++out.arrivals[static_cast<std::size_t>(c.ldu)][t];
    ++types[t].cases;
    ++types[t].tier_counts[static_cast<std::size_t>(c.tier)];
    const bool ended = c.end_day && *c.end_day <= as_of;
    const std::int64_t end = ended ? *c.end_day : as_of;
    if (!ended) ++out.open;
    const auto days = static_cast<double>(end - c.start_day);
    // A case open for no time at all says nothing about its length.
    if (ended || days > 0.0) durations[t].push_back({std::max(0.5, days), ended});
  }
  out.arrivals_per_week.resize(n_ldu);
  for (std::size_t l = 0; l < n_ldu; ++l)
    for (std::size_t t = 0; t < model::kCaseTypeCount; ++t)
      out.arrivals_per_week[l][t] = stats::poisson_rate(out.arrivals[l][t], out.weeks, confidence);
  for (std::size_t t = 0; t < model::kCaseTypeCount; ++t) {
    TypeEstimate& type = types[t];
    if (type.cases == 0) continue;
    for (std::size_t tier = 0; tier < model::kTierCount; ++tier)
      type.tier_mix[tier] = stats::proportion(type.tier_counts[tier], type.cases, confidence);
    type.durations = stats::fit_by_aic(durations[t], confidence);
    out.types[t] = std::move(type);
  }
  return out;
}

} // namespace caseload::app
