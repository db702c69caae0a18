#include "caseload/io/output_writer.hpp"

#include "caseload/io/hdf5.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace caseload::io {
namespace {

using model::FlowSummary;

template <class T> std::span<const T> view(const std::vector<T>& v) { return v; }

void write_imbalance(const h5::Group& g, const model::ImbalanceSeries& s, std::vector<hsize_t> dims) {
  g.write<double>("gini", view(s.gini), dims);
  g.write<double>("cv", view(s.cv), dims);
  g.write<double>("max_over_median", view(s.max_over_median), dims);
  g.write<double>("share_over_100", view(s.share_over_100), dims, "fraction of officers");
  g.write<double>("share_over_110", view(s.share_over_110), dims, "fraction of officers");
}

// Flow figures as columns of one table: a row per LDU, then the division.
struct FlowColumns {
  std::vector<std::int64_t> replication, arrivals, allocations, closures, waited, initial_cases,
      total_arrivals, total_closures, held_at_end, waiting_at_end;
  std::vector<double> mean_held, mean_waiting, mean_wait_days, share_waited;
  std::vector<std::string> ldu;

  void add(std::int64_t rep, const std::string& name, const FlowSummary& f) {
    replication.push_back(rep);
    ldu.push_back(name);
    arrivals.push_back(f.arrivals);
    allocations.push_back(f.allocations);
    closures.push_back(f.closures);
    waited.push_back(f.waited);
    initial_cases.push_back(f.initial_cases);
    total_arrivals.push_back(f.total_arrivals);
    total_closures.push_back(f.total_closures);
    held_at_end.push_back(f.held_at_end);
    waiting_at_end.push_back(f.waiting_at_end);
    mean_held.push_back(f.mean_held);
    mean_waiting.push_back(f.mean_waiting);
    mean_wait_days.push_back(f.mean_wait_days());
    share_waited.push_back(f.share_waited());
  }

  void write(const h5::Group& g) const {
    g.write("replication", replication);
    g.write_strings("ldu", ldu);
    g.write("arrivals", arrivals, "cases");
    g.write("allocations", allocations, "cases");
    g.write("closures", closures, "cases");
    g.write("waited", waited, "cases");
    g.write("mean_held", mean_held, "cases");
    g.write("mean_waiting", mean_waiting, "cases");
    g.write("mean_wait_days", mean_wait_days, "days");
    g.write("share_waited", share_waited, "fraction of arrivals");
    g.write("initial_cases", initial_cases, "cases");
    g.write("total_arrivals", total_arrivals, "cases");
    g.write("total_closures", total_closures, "cases");
    g.write("held_at_end", held_at_end, "cases");
    g.write("waiting_at_end", waiting_at_end, "cases");
  }
};

void write_replication(const h5::Group& g, const model::Scenario& scenario,
                       const model::ReplicationResult& r, std::int64_t index) {
  g.attribute("replication", index);
  g.attribute("events", static_cast<std::uint64_t>(r.events));

  const h5::Group officers = g.create_group("officers");
  std::vector<std::int32_t> ldu, grade;
  std::vector<double> hours, available;
  for (const auto& o : r.officers) {
    ldu.push_back(static_cast<std::int32_t>(o.ldu));
    grade.push_back(static_cast<std::int32_t>(o.grade));
    hours.push_back(o.contracted_hours);
    available.push_back(o.available_points);
  }
  officers.write("ldu", ldu);
  officers.write("grade", grade);
  officers.write("contracted_hours", hours, "hours per week");
  officers.write("available_points", available, "WMT points");

  const model::Snapshots& s = r.snapshots;
  const hsize_t n_snap = s.count(), n_off = r.officers.size(), n_ldu = scenario.ldus.size(),
                n_grade = model::kGradeCount;
  const h5::Group snaps = g.create_group("snapshots");
  snaps.write("time_days", s.time_days, "days");
  snaps.write<std::int32_t>("officer_cases", view(s.officer_cases), {n_snap, n_off}, "cases");
  snaps.write<std::int32_t>("officer_points", view(s.officer_points), {n_snap, n_off}, "WMT points");
  snaps.write<double>("officer_capacity_percent", view(s.officer_capacity_percent), {n_snap, n_off},
                      "percent");
  snaps.write<std::int32_t>("unallocated", view(s.unallocated), {n_snap, n_ldu}, "cases");

  const h5::Group cells = snaps.create_group("ldu_grade");
  const std::vector<hsize_t> cell_dims{n_snap, n_ldu, n_grade};
  const model::GroupSeries& c = s.ldu_grade;
  cells.write<std::int32_t>("officers", view(c.officers), cell_dims, "officers");
  cells.write<std::int32_t>("cases", view(c.cases), cell_dims, "cases");
  cells.write<std::int32_t>("points", view(c.points), cell_dims, "WMT points");
  cells.write<double>("mean", view(c.mean), cell_dims, "percent");
  cells.write<double>("median", view(c.median), cell_dims, "percent");
  cells.write<double>("p90", view(c.p90), cell_dims, "percent");
  cells.write<double>("max", view(c.max), cell_dims, "percent");
  cells.write<double>("share_over_100", view(c.share_over_100), cell_dims, "fraction of officers");
  cells.write<double>("share_over_110", view(c.share_over_110), cell_dims, "fraction of officers");
  cells.write<double>("share_over_120", view(c.share_over_120), cell_dims, "fraction of officers");

  const h5::Group imbalance = g.create_group("imbalance");
  write_imbalance(imbalance.create_group("division"), s.division, {n_snap});
  write_imbalance(imbalance.create_group("ldu"), s.ldu, {n_snap, n_ldu});

  FlowColumns flows;
  for (std::size_t l = 0; l < r.ldu_flows.size(); ++l)
    flows.add(index, scenario.ldus[l].name, r.ldu_flows[l]);
  flows.add(index, "division", r.division_flow);
  flows.write(g.create_group("summary"));
}

} // namespace

void write_results(const std::filesystem::path& path, const model::Scenario& scenario,
                   const RunMetadata& meta, std::span<const model::ReplicationResult> results) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // errors become exceptions, not stderr noise
  const h5::File file(path.string());
  file.attribute("format", "caseload");
  const std::int64_t version[2] = {kOutputSchemaMajor, kOutputSchemaMinor};
  file.attribute("schema_version", std::span<const std::int64_t>(version));
  file.attribute("engine_version", meta.engine_version);
  file.attribute("seed", static_cast<std::uint64_t>(scenario.seed));
  file.attribute("replications", static_cast<std::int64_t>(results.size()));
  file.attribute("scenario_name", scenario.name);
  file.attribute("scenario", meta.resolved_scenario);
  file.attribute("scenario_source", meta.scenario_source);
  file.attribute("start_date", scenario.start_date);
  file.attribute("horizon_days", scenario.horizon_days);
  file.attribute("warmup_days", scenario.warmup_days);
  file.attribute("snapshot_every_days", scenario.snapshot_every_days);
  file.attribute("created", meta.created);

  std::vector<std::string> ldu_names;
  for (const auto& l : scenario.ldus) ldu_names.push_back(l.name);
  file.write_strings("ldu_names", ldu_names);
  file.write_strings("grade_names", {model::kGradeNames.begin(), model::kGradeNames.end()});

  const h5::Group reps = file.create_group("replications");
  FlowColumns all;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto index = static_cast<std::int64_t>(i);
    write_replication(reps.create_group(fmt::format("{:04d}", i)), scenario, results[i], index);
    for (std::size_t l = 0; l < results[i].ldu_flows.size(); ++l)
      all.add(index, scenario.ldus[l].name, results[i].ldu_flows[l]);
    all.add(index, "division", results[i].division_flow);
  }
  all.write(file.create_group("summary"));
  file.flush();
}

void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write) {
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  std::filesystem::remove(tmp);
  try {
    write(tmp);
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
}

} // namespace caseload::io
