#include "caseload/app/headline.hpp"

#include <cmath>
#include <limits>

namespace caseload::app {
namespace {

using model::Grade;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Mean over snapshots of the finite values of series[s * stride + offset].
template <class T>
double over_snapshots(const std::vector<T>& series, std::size_t snapshots, std::size_t stride,
                      std::size_t offset) {
  double sum = 0.0;
  std::size_t n = 0;
  for (std::size_t s = 0; s < snapshots; ++s) {
    const double v = static_cast<double>(series[s * stride + offset]);
    if (std::isfinite(v)) sum += v, ++n;
  }
  return n ? sum / static_cast<double>(n) : kNaN;
}

} // namespace

std::vector<Figure> headline_figures(const model::Scenario& scenario,
                                     const model::ReplicationResult& r, int ldu) {
  const bool division = ldu < 0;
  const model::FlowSummary& f = division ? r.division_flow : r.ldu_flows[static_cast<std::size_t>(ldu)];
  std::vector<Figure> out;
  auto count = [&](std::string name, double v) { out.push_back({std::move(name), "cases", v, true}); };
  auto add = [&](std::string name, std::string units, double v) {
    out.push_back({std::move(name), std::move(units), v, false});
  };

  count("arrivals", f.arrivals);
  count("allocations", f.allocations);
  count("closures", f.closures);
  count("waited", f.waited);
  add("mean_held", "cases", f.mean_held);
  add("mean_waiting", "cases", f.mean_waiting);
  add("mean_wait_days", "days", f.mean_wait_days());
  add("share_waited", "fraction of arrivals", f.share_waited());
  count("overflow_allocations", f.overflow_allocations);
  for (int c = 0; c < model::kReallocationCauseCount; ++c)
    count("reallocations_" + std::string(model::kReallocationCauseNames[c]), f.reallocations[c]);
  count("reallocations", f.total_reallocations());
  count("closed_reallocated", f.closed_reallocated);
  count("escalations", f.escalations);
  count("deescalations", f.deescalations);
  count("victim_cases", f.victim_cases);
  count("initial_cases", f.initial_cases);
  count("total_arrivals", f.total_arrivals);
  count("total_closures", f.total_closures);
  count("held_at_end", f.held_at_end);
  count("waiting_at_end", f.waiting_at_end);

  // Snapshot figures: capacity % by grade, imbalance, the queue, VLO caseloads.
  const model::Snapshots& s = r.snapshots;
  const std::size_t n_snap = s.count(), n_ldu = scenario.ldus.size(), n_grade = model::kGradeCount;
  const model::GroupSeries& cells = division ? s.division_grade : s.ldu_grade;
  const std::size_t stride = division ? n_grade : n_ldu * n_grade;
  const std::size_t base = division ? 0 : static_cast<std::size_t>(ldu) * n_grade;
  for (Grade g : {Grade::PO, Grade::PQiP, Grade::PSO}) {
    const auto gi = static_cast<std::size_t>(g);
    const std::string grade(model::name(g));
    add("capacity_mean_" + grade, "percent", over_snapshots(cells.mean.values, n_snap, stride, base + gi));
    add("capacity_p90_" + grade, "percent", over_snapshots(cells.p90.values, n_snap, stride, base + gi));
    add("share_over_110_" + grade, "fraction of officers",
        over_snapshots(cells.share_over_110.values, n_snap, stride, base + gi));
  }
  // Cases per officer holding a caseload (in post or absent), beside capacity %:
  // the field's other measure of load (docs/sources.md: 40+, quality falls at 50).
  for (Grade g : {Grade::PO, Grade::PQiP, Grade::PSO}) {
    const auto at = base + static_cast<std::size_t>(g);
    std::vector<double> per_holder(n_snap, kNaN);
    for (std::size_t t = 0; t < n_snap; ++t)
      if (const std::int32_t holders = cells.case_holders[t * stride + at]; holders > 0)
        per_holder[t] = static_cast<double>(cells.cases[t * stride + at]) / holders;
    add("cases_per_officer_" + std::string(model::name(g)), "cases per officer", over_snapshots(per_holder, n_snap, 1, 0));
  }
  // Vacancy rate of each grade: 1 − in post ÷ establishment, over the window.
  for (int g = 0; g < model::kGradeCount; ++g) {
    const auto at = base + static_cast<std::size_t>(g);
    std::vector<double> vacancy(n_snap, kNaN);
    for (std::size_t t = 0; t < n_snap; ++t)
      if (const std::int32_t posts = cells.establishment[t * stride + at]; posts > 0)
        vacancy[t] = 1.0 - static_cast<double>(cells.in_post[t * stride + at]) / posts;
    add("vacancy_rate_" + std::string(model::kGradeNames[g]), "fraction of posts", over_snapshots(vacancy, n_snap, 1, 0));
  }
  const auto vlo = static_cast<std::size_t>(Grade::VLO);
  std::vector<double> per_vlo(n_snap, kNaN);
  for (std::size_t t = 0; t < n_snap; ++t) {
    const std::int32_t staff = cells.in_post[t * stride + base + vlo];
    if (staff > 0) per_vlo[t] = static_cast<double>(cells.victim_cases[t * stride + base + vlo]) / staff;
  }
  add("vlo_caseload", "victim cases per VLO", over_snapshots(per_vlo, n_snap, 1, 0));

  const model::ImbalanceSeries& im = division ? s.division : s.ldu;
  const std::size_t im_stride = division ? 1 : n_ldu;
  const std::size_t im_offset = division ? 0 : static_cast<std::size_t>(ldu);
  add("gini", "", over_snapshots(im.gini.values, n_snap, im_stride, im_offset));
  add("cv", "", over_snapshots(im.cv.values, n_snap, im_stride, im_offset));
  add("share_over_110", "fraction of officers", over_snapshots(im.share_over_110.values, n_snap, im_stride, im_offset));
  add("excessive_officers", "officers", over_snapshots(im.excessive.values, n_snap, im_stride, im_offset));
  add("theil", "", over_snapshots(im.theil.values, n_snap, im_stride, im_offset));
  add("theil_between_ldu", "", over_snapshots(im.theil_between_ldu.values, n_snap, im_stride, im_offset));
  add("theil_within_ldu", "", over_snapshots(im.theil_within_ldu.values, n_snap, im_stride, im_offset));
  add("theil_between_grade", "", over_snapshots(im.theil_between_grade.values, n_snap, im_stride, im_offset));
  add("theil_within_grade", "", over_snapshots(im.theil_within_grade.values, n_snap, im_stride, im_offset));
  std::vector<double> queue(n_snap, 0.0);
  for (std::size_t t = 0; t < n_snap; ++t)
    for (std::size_t l = 0; l < n_ldu; ++l)
      if (division || l == static_cast<std::size_t>(ldu)) queue[t] += s.unallocated[t * n_ldu + l];
  add("unallocated", "cases", over_snapshots(queue, n_snap, 1, 0));

  // Timeliness, by kind of task, then court reports together.
  const auto& tasks = r.task_summary[division ? n_ldu : static_cast<std::size_t>(ldu)];
  for (int k = 0; k < model::kTaskKindCount; ++k) {
    const model::TaskSummary& t = tasks[k];
    const std::string kind(model::kTaskKindNames[k]);
    out.push_back({kind + "_created", "tasks", double(t.created), true});
    out.push_back({kind + "_due", "tasks", double(t.due), true});
    out.push_back({kind + "_on_time", "tasks", double(t.on_time), true});
    add(kind + "_share_on_time", "fraction of tasks due", t.share_on_time());
    add(kind + "_mean_days", "days", t.completed > 0 ? t.mean_days() : kNaN);
    out.push_back({kind + "_open_at_end", "tasks", double(t.open_at_end), true});
  }
  model::TaskSummary court = tasks[static_cast<int>(model::TaskKind::fdr)];
  court += tasks[static_cast<int>(model::TaskKind::sdr)];
  add("court_reports_share_on_time", "fraction of tasks due", court.share_on_time());
  add("court_reports_mean_days", "days", court.completed > 0 ? court.mean_days() : kNaN);
  return out;
}

model::ReplicationResult empty_replication(const model::Scenario& scenario) {
  model::ReplicationResult empty;
  empty.ldu_flows.resize(scenario.ldus.size());
  empty.task_summary.resize(scenario.ldus.size() + 1);
  return empty;
}

std::vector<std::string> headline_figure_names(const model::Scenario& scenario) {
  std::vector<std::string> names;
  for (auto& figure : headline_figures(scenario, empty_replication(scenario), -1)) names.push_back(std::move(figure.name));
  return names;
}

} // namespace caseload::app
