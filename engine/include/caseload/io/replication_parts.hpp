#pragma once
// The replications a run has finished, each kept in a file of its own in a
// folder beside the output (OUT.h5.parts/) until the output is written: a run
// holds no replication once written, and one that dies, is killed or loses
// power is continued (`--resume`) from those already there, giving the same
// file as a run never interrupted (docs/hdf5-format.md, "Runs that survive").

#include "caseload/app/run_summary.hpp"
#include "caseload/io/output_writer.hpp"
#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace caseload::io {

class ReplicationParts {
public:
  // The folder of `output`'s parts. `identity` is everything the output's
  // bytes depend on (the command, the resolved scenarios, replications,
  // compression, engine version); a folder left by an interrupted run is
  // continued only with `resume` and only if its identity is the same, and
  // its run's `created` time is kept, so that the file is the one the run
  // would have written. Throws InputError (another command's parts, a folder
  // left without --resume, another process writing) or std::runtime_error.
  // A folder that holds no finished replication has nothing to keep and is
  // taken over, with or without `resume`.
  ReplicationParts(const std::filesystem::path& output, const std::string& identity, RunMetadata meta, bool resume);
  // For the other processes of an MPI run: writes parts into the folder the
  // leader opened (and locked), and nothing else.
  ReplicationParts(const std::filesystem::path& output, RunMetadata meta);
  // Removes the folder if no replication was finished in it (a run that failed
  // at once, or a full device), keeps it otherwise, for --resume.
  ~ReplicationParts();
  ReplicationParts(const ReplicationParts&) = delete;
  ReplicationParts& operator=(const ReplicationParts&) = delete;

  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }
  // The working folder of `output`'s parts: OUT.h5.parts beside OUT.h5.
  [[nodiscard]] static std::filesystem::path folder_of(const std::filesystem::path& output);
  [[nodiscard]] const RunMetadata& metadata() const { return meta_; }
  // Whether an interrupted run's folder was found and is being continued.
  [[nodiscard]] bool resumed() const { return resumed_; }

  // Where replication `replication` of the output's run `run` ("run",
  // "base", "variant", "value-0002") is kept.
  [[nodiscard]] std::filesystem::path path(std::string_view run, int replication) const;
  // The figures of that replication, if an earlier process finished it.
  [[nodiscard]] std::optional<app::FigureTable> finished(std::string_view run, int replication,
                                                         const app::FigureTable& columns) const;
  // Opens its part file, to be written as it runs (PartWriter); `on_whole`
  // is called once the part is whole.
  [[nodiscard]] std::unique_ptr<app::ReplicationWriter> open(std::string_view run, int replication,
                                                             const model::Scenario& scenario,
                                                             std::function<void()> on_whole = {}) const;
  // How many replications are kept (finished, whole).
  [[nodiscard]] int count() const;
  // After the output is in place: the parts are in it.
  void remove();

private:
  std::filesystem::path folder_;
  RunMetadata meta_;
  bool resumed_ = false;
  int lock_fd_ = -1;
};

} // namespace caseload::io
