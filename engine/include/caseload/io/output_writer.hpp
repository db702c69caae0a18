#pragma once
// The HDF5 results file (layout: docs/hdf5-format.md).

#include "caseload/app/experiment.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/app/sensitivity.hpp"
#include "caseload/app/recruitment.hpp"
#include "caseload/app/staffing.hpp"
#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include "caseload/io/hdf5.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <memory>
#include <span>
#include <string>

namespace caseload::io {

// Bump the minor version for additions readers may ignore, the major version
// for anything that breaks an existing reader.
inline constexpr std::int64_t kOutputSchemaMajor = 1;
inline constexpr std::int64_t kOutputSchemaMinor = 8;

struct RunMetadata {
  std::string engine_version;
  std::string created;   // ISO 8601 UTC; the one part of a file that varies run to run
  h5::Compression compression; // of the large numeric datasets
};

// One scenario's replications, their summary, and where the scenario came from.
struct RunOutput {
  const model::Scenario* scenario = nullptr;
  std::string resolved_scenario; // TOML with every default filled in
  std::string scenario_source;   // the file as the user wrote it
  std::span<const model::ReplicationResult> results;
  const app::RunSummary* summary = nullptr; // of the replications
  // Or, instead of `results`, for a run that wrote each replication as it
  // ran: replication i's part file (PartWriter), copied in as written.
  std::span<const std::filesystem::path> parts;
};

// A file written under a working name (`path` + ".tmp-<pid>") and renamed to
// `path` only once whole and synced (commit); removed otherwise, also by
// SIGINT, SIGTERM, SIGHUP or SIGQUIT while it is being written.
class WorkingFile {
public:
  explicit WorkingFile(std::filesystem::path path);
  ~WorkingFile();
  WorkingFile(const WorkingFile&) = delete;
  WorkingFile& operator=(const WorkingFile&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return working_; }
  [[nodiscard]] const std::filesystem::path& final_path() const { return path_; }
  // Syncs the working file, renames it to the final path, syncs the folder.
  void commit();

private:
  std::filesystem::path path_, working_;
  int slot_ = -1; // in the signal handler's table
  bool committed_ = false;
};

// One replication in a file of its own (a "part"), written while it runs:
// its group as the results file holds it under /replications, with its rows
// of the figure table. The task and victim records are appended as the
// engine releases them (chunk by chunk), the rest once it finished; then the
// file is synced and renamed to `path`, so that a part that exists is whole.
// The officer series likewise go a band of snapshots at a time (the result
// then holds none of them).
// A run thus holds no replication's records, and one that dies can be
// continued from the parts it wrote. The writing (HDF5, compression, the
// sync) is done by a thread of the writer's own, while the replication and
// then the next one run: the caller only gathers rows and hands them over.
// Failures (a full device named) are thrown by close().
class PartWriter final : public app::ReplicationWriter {
public:
  // `on_whole`, if any, is called (on the writer's thread) once the part is whole at `path`.
  PartWriter(const std::filesystem::path& path, const RunMetadata& meta, const model::Scenario& scenario,
             std::size_t index, std::function<void()> on_whole = {});
  ~PartWriter() override; // removes the working file unless finished
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;
  void tasks(std::span<const model::Task> records) override;
  void victims(std::span<const model::VictimCase> records) override;
  void task_final(std::uint32_t id, const model::Task& record) override;
  void victim_final(std::uint32_t id, const model::VictimCase& record) override;
  [[nodiscard]] model::OfficerSeries* officer_rows() override;
  void officer_row_added(double time) override;
  void finish(model::ReplicationResult&& result, app::FigureTable rows) override;
  void close() override;

private:
  friend class SingleRunWriter;
  // With `run_head`: the replication goes to /replications/NNNN of the run's
  // results file, after the run's head, and the file stays open for finish_run.
  PartWriter(const std::filesystem::path& path, const RunMetadata& meta, const model::Scenario& scenario,
             std::size_t index, std::function<void()> on_whole, std::optional<RunOutput> run_head);
  // The run's summary after the replication; the file synced and put in place. Waits.
  void finish_run(const app::RunSummary& summary);
  struct Open;
  template <class F> auto guarded(F&& f);
  const model::Scenario& scenario_;
  std::size_t index_;
  std::function<void()> on_whole_;
  bool whole_run_;
  WorkingFile file_;
  std::unique_ptr<Open> open_;
};

// The results file of a run of one replication, written as it runs: the
// run's head, then the replication straight into /replications/0000 (as
// PartWriter writes a part), then the summary. No part and no copy: a run
// of one has no finished replication an interruption could keep. Under its
// working name until finish() puts it in place; removed if it goes first.
class SingleRunWriter {
public:
  SingleRunWriter(const std::filesystem::path& output, const RunMetadata& meta, const RunOutput& head);
  // The replication's writer (this keeps the file: the writer handed out
  // only borrows it).
  [[nodiscard]] std::unique_ptr<app::ReplicationWriter> replication();
  // Once the replication finished: the summary, the sync, the rename.
  void finish(const app::RunSummary& summary);

private:
  PartWriter writer_;
};

// A run's results file (kind "run") put together while the run goes on, by a
// thread of its own: the head at once, each replication's part copied in as
// soon as it and every part before it are whole, the summary at the end; the
// same calls in the same order as write_results from the parts, so the same
// bytes, but most of the copying done while later replications run. Written
// under a working name and put in place by finish(); removed if the
// assembler goes first (a failed or interrupted run: the parts stay).
class ResultsAssembler {
public:
  // `head`: the run's scenario and its text (its summary and parts are not read).
  ResultsAssembler(const std::filesystem::path& output, const RunMetadata& meta, const RunOutput& head,
                   std::size_t replications);
  ~ResultsAssembler();
  ResultsAssembler(const ResultsAssembler&) = delete;
  ResultsAssembler& operator=(const ResultsAssembler&) = delete;
  // Part `replication` is whole at `part`. Thread-safe.
  void part_ready(std::size_t replication, std::filesystem::path part);
  // Every part ready: the summary written, the file synced and put in place.
  // Throws what any step failed with (a full device named).
  void finish(const app::RunSummary& summary);

private:
  struct State;
  template <class F> auto guarded(F&& f);
  std::unique_ptr<State> state_;
};

// The figure rows a part file of replication `index` holds, in `columns`'
// columns (app::figure_columns); throws if the file is not that part.
app::FigureTable read_part_figures(const std::filesystem::path& path, std::size_t index,
                                   const app::FigureTable& columns);

// kind = "run": the run's attributes and groups at the root.
void write_results(const std::filesystem::path& path, const RunMetadata& meta, const RunOutput& run);

// kind = "comparison": /base and /variant runs and the /comparison table.
void write_comparison(const std::filesystem::path& path, const RunMetadata& meta,
                      const RunOutput& base, const RunOutput& variant,
                      const app::Comparison& comparison);

// kind = "sweep": /runs/NNNN, one per value of `key`, the /sweep table, and
// (1.6) the /sweep_differences table: `differences[i]` is value i + 1 against
// value 0, paired by replication.
void write_sweep(const std::filesystem::path& path, const RunMetadata& meta, const std::string& key,
                 std::span<const std::string> values, std::span<const RunOutput> runs,
                 std::span<const app::Comparison> differences);

// kind = "sensitivity" (1.4): the /sensitivity table of effects and the
// /parameters screened; none of the runs' records, to keep the file small.
// `scenario` is the one screened, before any parameter is set.
void write_sensitivity(const std::filesystem::path& path, const RunMetadata& meta, const model::Scenario& scenario,
                       const std::string& resolved_scenario, const app::SensitivityTable& table,
                       std::span<const model::SensitivityParameter> parameters);

// What `caseload staff` found: the targets, the groups it could add to, the
// solution and its search, and the base and solution runs.
struct StaffingOutput {
  std::span<const app::StaffingTarget> targets;
  std::span<const app::StaffChoice> choices;
  const app::StaffingSolution* solution = nullptr;
  double confidence = app::kConfidence;
  int max_added = 0;
  RunOutput base;     // the scenario as it is
  RunOutput solution_run; // the scenario with the plan
  // With --by-day: the recruitment plan, its check run (the scenario with the
  // starts as interventions, measured from the day on) and the targets there.
  const app::RecruitmentPlan* recruitment = nullptr;
  std::span<const app::TargetCheck> recruitment_checks;
  RunOutput recruitment_run;
};

// kind = "staffing" (1.5): /staffing_plan, /targets, /search, and the /base
// and /solution runs; with a recruitment plan also /recruitment_plan and the
// /recruitment run, and the targets' recruitment_* columns.
void write_staffing(const std::filesystem::path& path, const RunMetadata& meta, const StaffingOutput& out);

// Runs write(temporary path) and renames the temporary over `path` only if it
// succeeds, so a failure never leaves a partial file or clobbers an old one.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write);

} // namespace caseload::io
