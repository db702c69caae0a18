#include "caseload/io/output_writer.hpp"

#include "caseload/io/hdf5.hpp"
#include "caseload/metrics/headline.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace caseload::io {
namespace {


template <class T> std::span<const T> view(const std::vector<T>& v) { return v; }

void write_imbalance(const h5::Group& g, const model::ImbalanceSeries& s, std::vector<hsize_t> dims) {
  g.write<double>("gini", view(s.gini), dims);
  g.write<double>("cv", view(s.cv), dims);
  g.write<double>("max_over_median", view(s.max_over_median), dims);
  g.write<double>("share_over_100", view(s.share_over_100), dims, "fraction of officers");
  g.write<double>("share_over_110", view(s.share_over_110), dims, "fraction of officers");
  g.write<double>("theil", view(s.theil), dims);
  g.write<double>("theil_between_ldu", view(s.theil_between_ldu), dims);
  g.write<double>("theil_within_ldu", view(s.theil_within_ldu), dims);
  g.write<double>("theil_between_grade", view(s.theil_between_grade), dims);
  g.write<double>("theil_within_grade", view(s.theil_within_grade), dims);
  g.write<std::int32_t>("excessive", view(s.excessive), dims, "officers");
}

// Headline figures as columns of one table: a row per LDU, then the division,
// for each replication in turn.
class SummaryTable {
public:
  void add(const model::Scenario& scenario, const model::ReplicationResult& r, std::int64_t rep) {
    for (int l = 0; l <= static_cast<int>(scenario.ldus.size()); ++l) {
      const bool division = l == static_cast<int>(scenario.ldus.size());
      replication_.push_back(rep);
      ldu_.push_back(division ? "division" : scenario.ldus[l].name);
      const auto figures = metrics::headline_figures(scenario, r, division ? -1 : l);
      if (columns_.empty())
        for (const auto& f : figures) columns_.push_back({f.name, f.units, f.integer, {}});
      for (std::size_t c = 0; c < figures.size(); ++c) columns_[c].values.push_back(figures[c].value);
    }
  }

  void write(const h5::Group& g) const {
    g.write("replication", replication_);
    g.write_strings("ldu", ldu_);
    for (const auto& c : columns_) {
      if (c.integer) {
        std::vector<std::int64_t> ints(c.values.begin(), c.values.end());
        g.write(c.name, ints, c.units);
      } else {
        g.write(c.name, c.values, c.units);
      }
    }
  }

private:
  struct Column {
    std::string name, units;
    bool integer;
    std::vector<double> values;
  };
  std::vector<std::int64_t> replication_;
  std::vector<std::string> ldu_;
  std::vector<Column> columns_;
};

void write_cells(const h5::Group& cells, const model::GroupSeries& c, const std::vector<hsize_t>& dims) {
  cells.write<std::int32_t>("officers", view(c.officers), dims, "officers");
  cells.write<std::int32_t>("in_post", view(c.in_post), dims, "officers");
  cells.write<std::int32_t>("establishment", view(c.establishment), dims, "posts");
  cells.write<std::int32_t>("cases", view(c.cases), dims, "cases");
  cells.write<std::int32_t>("points", view(c.points), dims, "WMT points");
  cells.write<std::int32_t>("victim_cases", view(c.victim_cases), dims, "victim cases");
  cells.write<std::int32_t>("excessive", view(c.excessive), dims, "officers");
  cells.write<double>("mean", view(c.mean), dims, "percent");
  cells.write<double>("median", view(c.median), dims, "percent");
  cells.write<double>("p90", view(c.p90), dims, "percent");
  cells.write<double>("max", view(c.max), dims, "percent");
  cells.write<double>("share_over_100", view(c.share_over_100), dims, "fraction of officers");
  cells.write<double>("share_over_110", view(c.share_over_110), dims, "fraction of officers");
  cells.write<double>("share_over_120", view(c.share_over_120), dims, "fraction of officers");
  cells.write<double>("hours_demanded", view(c.hours_demanded), dims, "hours per officer");
  cells.write<double>("backlog_hours", view(c.backlog_hours), dims, "hours");
}

void write_tasks(const h5::Group& g, const std::vector<model::Task>& tasks, double horizon) {
  std::vector<std::int32_t> kind, ldu, on_time;
  std::vector<std::int64_t> officer, subject;
  std::vector<double> created, started, completed, deadline, hours;
  for (const auto& t : tasks) {
    kind.push_back(static_cast<std::int32_t>(t.kind));
    ldu.push_back(t.ldu);
    officer.push_back(t.officer == model::kNone ? -1 : static_cast<std::int64_t>(t.officer));
    subject.push_back(t.subject == model::kNone ? -1 : static_cast<std::int64_t>(t.subject));
    created.push_back(t.created);
    started.push_back(t.started);
    completed.push_back(t.completed);
    deadline.push_back(t.deadline);
    hours.push_back(t.hours);
    // 1 done by the deadline, 0 late (done late, or open past it), -1 not yet due
    on_time.push_back(t.completed >= 0.0 && t.completed <= t.deadline ? 1
                      : (t.completed >= 0.0 || t.deadline <= horizon) ? 0 : -1);
  }
  g.write("kind", kind);
  g.write("ldu", ldu);
  g.write("officer", officer);
  g.write("subject", subject);
  g.write("created", created, "days");
  g.write("started", started, "days");
  g.write("completed", completed, "days");
  g.write("deadline", deadline, "days");
  g.write("hours", hours, "hours");
  g.write("on_time", on_time);
}

void write_victims(const h5::Group& g, const std::vector<model::VictimCase>& victims) {
  std::vector<std::int32_t> ldu, opted_out;
  std::vector<std::int64_t> vlo, offender_case, first_contact;
  std::vector<double> created, ended;
  for (const auto& v : victims) {
    ldu.push_back(v.ldu);
    opted_out.push_back(v.opted_out);
    vlo.push_back(v.vlo == model::kNone ? -1 : static_cast<std::int64_t>(v.vlo));
    offender_case.push_back(static_cast<std::int64_t>(v.offender_case));
    first_contact.push_back(v.first_contact == model::kNone ? -1 : static_cast<std::int64_t>(v.first_contact));
    created.push_back(v.created);
    ended.push_back(v.ended);
  }
  g.write("ldu", ldu);
  g.write("vlo", vlo);
  g.write("offender_case", offender_case);
  g.write("first_contact_task", first_contact);
  g.write("created", created, "days");
  g.write("ended", ended, "days");
  g.write("opted_out", opted_out);
}

void write_replication(const h5::Group& g, const model::Scenario& scenario,
                       const model::ReplicationResult& r, std::int64_t index) {
  g.attribute("replication", index);
  g.attribute("events", static_cast<std::uint64_t>(r.events));

  const h5::Group officers = g.create_group("officers");
  std::vector<std::int32_t> ldu, grade, first_grade;
  std::vector<double> hours, available, joined, left;
  for (const auto& o : r.officers) {
    ldu.push_back(static_cast<std::int32_t>(o.ldu));
    grade.push_back(static_cast<std::int32_t>(o.grade));
    first_grade.push_back(static_cast<std::int32_t>(o.first_grade));
    hours.push_back(o.contracted_hours);
    available.push_back(o.available_points);
    joined.push_back(o.joined_day);
    left.push_back(o.left_day);
  }
  officers.write("ldu", ldu);
  officers.write("grade", grade);
  officers.write("first_grade", first_grade);
  officers.write("joined_day", joined, "days");
  officers.write("left_day", left, "days");
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
  snaps.write<double>("officer_available_points", view(s.officer_available_points), {n_snap, n_off},
                      "WMT points");
  snaps.write<double>("officer_hours_demanded", view(s.officer_hours_demanded), {n_snap, n_off},
                      "hours");
  snaps.write<double>("officer_backlog_hours", view(s.officer_backlog_hours), {n_snap, n_off}, "hours");
  snaps.write<std::int32_t>("officer_victim_cases", view(s.officer_victim_cases), {n_snap, n_off},
                            "victim cases");
  snaps.write<std::int8_t>("officer_state", view(s.officer_state), {n_snap, n_off});
  snaps.write<std::int32_t>("unallocated", view(s.unallocated), {n_snap, n_ldu}, "cases");

  write_cells(snaps.create_group("ldu_grade"), s.ldu_grade, {n_snap, n_ldu, n_grade});
  write_cells(snaps.create_group("division_grade"), s.division_grade, {n_snap, n_grade});

  const h5::Group imbalance = g.create_group("imbalance");
  write_imbalance(imbalance.create_group("division"), s.division, {n_snap});
  write_imbalance(imbalance.create_group("ldu"), s.ldu, {n_snap, n_ldu});

  write_tasks(g.create_group("tasks"), r.tasks, scenario.horizon_days);
  write_victims(g.create_group("victims"), r.victims);
  SummaryTable summary;
  summary.add(scenario, r, index);
  summary.write(g.create_group("summary"));
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
  file.write_strings("task_kind_names", {model::kTaskKindNames.begin(), model::kTaskKindNames.end()});

  const h5::Group reps = file.create_group("replications");
  SummaryTable all;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto index = static_cast<std::int64_t>(i);
    write_replication(reps.create_group(fmt::format("{:04d}", i)), scenario, results[i], index);
    all.add(scenario, results[i], index);
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
