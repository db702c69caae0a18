// The `caseload` command: a thin layer over the engine library.
// Exit codes: 0 ok, 2 invalid input or usage, 1 anything else.

#include "info.hpp"
#include "progress.hpp"
#include "serve.hpp"
#include "staff.hpp"
#include "summary.hpp"

#include "caseload/io/csv.hpp"
#include "caseload/io/history.hpp"
#include "caseload/io/hdf5.hpp"
#include "caseload/io/input_error.hpp"
#include "caseload/io/names.hpp"
#include "caseload/io/output_writer.hpp"
#include "caseload/io/replication_parts.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "caseload/app/budget.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/app/experiment.hpp"
#include "caseload/app/sensitivity.hpp"
#include "caseload/app/staffing.hpp"
#ifdef CASELOAD_WITH_MPI
#include "caseload/parallel/mpi_cluster.hpp"
#endif

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using caseload::io::InputError;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

// Ends a process of an MPI run other than the leader with the leader's exit status: the
// leader has said why.
struct QuietExit {
  int code;
};

// The time files are stamped with: now, or SOURCE_DATE_EPOCH (seconds since
// 1970) when it is set, as reproducible builds do, so that a run's file can
// be compared byte for byte with another's.
std::string utc_now() {
  std::time_t now = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    errno = 0;
    const long long seconds = std::strtoll(epoch, &end, 10);
    if (end != epoch && *end == '\0' && errno == 0 && seconds >= 0) now = static_cast<std::time_t>(seconds);
  }
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

caseload::io::RunMetadata file_metadata(caseload::io::h5::Compression compression) {
  return {CASELOAD_VERSION, utc_now(), compression};
}

// Refuses, before any work is done, an output path that cannot be written.
// The output is checked before any simulation, so that nothing is found out
// after hours: its folder exists and takes a new file, and it would replace
// neither an input nor anything that is not an HDF5 file.
void check_output_path(const fs::path& out, std::initializer_list<std::string_view> inputs,
                       bool results_file = true) {
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw InputError(out.string(), 0, 0, "output directory '" + dir.string() + "' does not exist");
  if (fs::is_directory(out))
    throw InputError(out.string(), 0, 0, "output path is a directory, expected a file name");
  std::error_code ec;
  for (const std::string_view input : inputs)
    if (fs::equivalent(out, fs::path(input), ec))
      throw InputError(out.string(), 0, 0, "output path is the input file " + std::string(input) +
                                               "; refusing to replace it (give another -o)");
  if (fs::exists(out)) {
    if (!fs::is_regular_file(out))
      throw InputError(out.string(), 0, 0, "output path exists and is not a regular file; refusing to replace it");
  }
  if (results_file && fs::exists(out)) {
    constexpr std::string_view kHdf5Signature{"\x89HDF\r\n\x1a\n", 8};
    std::string head(kHdf5Signature.size(), '\0');
    std::ifstream existing(out, std::ios::binary);
    existing.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (existing.gcount() > 0 && head != kHdf5Signature)
      throw InputError(out.string(), 0, 0,
                       "output path exists and is not an HDF5 file (a scenario?); refusing to replace it");
  }
  // A probe file: the folder may exist but not take new files (permissions, read-only mount).
  const fs::path probe = dir / fmt::format(".caseload-probe-{}", ::getpid());
  const int fd = ::open(probe.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
  if (fd < 0)
    throw InputError(out.string(), 0, 0,
                     "cannot write in output directory '" + dir.string() + "': " + std::strerror(errno));
  ::close(fd);
  fs::remove(probe, ec);
}

struct CommonOptions {
  std::string output;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  bool quiet = false;
  bool stats = false;
  std::optional<std::string> codec; // lz4 (the default), deflate or none
  std::optional<int> compress;      // deflate level; 0: none
  // How the output's large datasets are to be compressed, from --codec and
  // --compress (refusing a level with another codec).
  [[nodiscard]] caseload::io::h5::Compression requested_compression() const {
    using Codec = caseload::io::h5::Compression::Codec;
    if (!codec && compress) return {*compress == 0 ? Codec::none : Codec::deflate, std::max(1, *compress)};
    const std::string name = codec.value_or("lz4");
    if (compress && name != "deflate" && !(name == "none" && *compress == 0))
      throw InputError("--compress", 0, 0, "sets a deflate level: give it with --codec deflate, not --codec " + name);
    if (name == "deflate") return {Codec::deflate, compress.value_or(1)};
    return {name == "none" ? Codec::none : Codec::lz4, 1};
  }
  // ... as written: LZ4 only if this machine's HDF5 has the plugin.
  [[nodiscard]] caseload::io::h5::Compression compression() const {
    const auto requested = requested_compression();
    if (requested.codec == caseload::io::h5::Compression::Codec::lz4 && !caseload::io::h5::lz4_available())
      throw InputError("--codec", 0, 0,
                       "lz4 (the default) needs HDF5's LZ4 filter plugin, which is not installed: install "
                       "hdf5-filter-plugin (scripts/install-deps does), or give --codec deflate");
    return requested;
  }
  // Limits on what a run may take (issue 12); defaults sized to the machine.
  bool resume = false; // continue the interrupted run writing `output`
  // The processes of an MPI run (none for one process); the leader alone prints and writes.
  const caseload::app::Cluster* cluster = nullptr;
  [[nodiscard]] bool leader() const { return cluster == nullptr || cluster->leader(); }
  // Whether the processes have agreed that each loaded and checked its input
  // (all_ready); before that, a failure on one is agreed on in main.
  mutable bool agreed = false;
  [[nodiscard]] caseload::app::Workers workers() const { return {threads, cluster}; }
  double max_events = 1e10;              // per replication: hours at a few million events a second
  std::optional<double> max_memory_gb;   // default: 80% of the machine's memory
  std::optional<double> max_output_gb;   // default: the free space where the output goes
};

int effective_threads(const CommonOptions& opt, int replications);

// The machine's memory, for the default limit.
double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 8e9;
}

caseload::app::RunLimits limits_of(const CommonOptions& opt) {
  caseload::app::RunLimits limits;
  limits.max_events = opt.max_events;
  limits.compressed = opt.requested_compression().codec != caseload::io::h5::Compression::Codec::none;
  limits.max_memory_bytes = opt.max_memory_gb ? *opt.max_memory_gb * 1e9 : 0.8 * physical_memory_bytes();
  if (opt.max_output_gb) {
    limits.max_output_bytes = *opt.max_output_gb * 1e9;
  } else if (!opt.output.empty()) {
    const fs::path out(opt.output);
    std::error_code ec;
    const auto space = fs::space(out.has_parent_path() ? out.parent_path() : fs::path("."), ec);
    // The replications' parts and the file stand side by side while it is written.
    if (!ec) limits.max_output_bytes = static_cast<double>(space.available) / 2.0;
  }
  return limits;
}

// Refuses, before anything runs, a scenario whose run would exceed the limits.
void check_budget(const std::string& path, const caseload::model::Scenario& s, const CommonOptions& opt) {
  const auto estimate =
      caseload::app::estimate_run(s, s.replications, effective_threads(opt, s.replications));
  if (const auto over = caseload::app::over_limits(estimate, limits_of(opt)))
    throw InputError(path, 0, 0,
                     "this run would take " + *over +
                         ": lower the scenario's rates, durations, snapshots or replications, or raise the limit");
}

// A file that holds several runs (a sweep's values, a comparison's two, a
// plan's base and solution) holds all their replications: each run was
// checked alone as it was loaded; the file is checked here as a whole.
void check_output_budget(const std::string& path, std::span<const caseload::model::Scenario* const> runs,
                         const CommonOptions& opt) {
  if (opt.output.empty()) return;
  caseload::app::RunEstimate total;
  for (const auto* s : runs) {
    const auto e = caseload::app::estimate_run(*s, s->replications, effective_threads(opt, s->replications));
    total.output_bytes += e.output_bytes;
    total.compressed_output_bytes += e.compressed_output_bytes;
  }
  auto limits = limits_of(opt);
  limits.max_events = limits.max_memory_bytes = std::numeric_limits<double>::infinity(); // checked run by run
  if (const auto over = caseload::app::over_limits(total, limits))
    throw InputError(path, 0, 0,
                     fmt::format("the {} runs' file would take {}: fewer values or replications, or raise the limit",
                                 runs.size(), *over));
}

// Warnings on stderr, each printed once however often a scenario is loaded
// (a sweep loads it once per value, a screening twice per parameter).
class WarningLog {
public:
  explicit WarningLog(bool enabled = true) : enabled_(enabled) {} // in an MPI run, the leader's alone
  void print(const std::string& text) {
    if (enabled_ && printed_.insert(text).second) fmt::print(stderr, "caseload: warning: {}\n", text);
  }

private:
  bool enabled_;
  std::set<std::string> printed_;
};

// A scenario loaded, with the command line's overrides applied; its warnings printed.
struct Loaded {
  caseload::io::LoadedScenario file;
  std::string resolved;
};

Loaded load(const std::string& path, const CommonOptions& opt, WarningLog& log,
            std::span<const caseload::io::Override> overrides = {}, bool within_budget = true) {
  Loaded out{caseload::io::load_scenario(path, overrides), {}};
  for (const auto& w : out.file.warnings) log.print(w.text());
  auto& s = out.file.scenario;
  if (opt.seed) s.seed = *opt.seed;
  if (opt.replications) s.replications = *opt.replications;
  if (within_budget) check_budget(path, s, opt);
  out.resolved = caseload::io::resolved_toml(s);
  return out;
}

// In an MPI run, before the first exchange: every process has loaded and
// checked its input (files, limits from its own machine), or all stop with
// the worst status; a process that failed alone has said why (main).
void all_ready(const CommonOptions& opt) {
  if (opt.cluster == nullptr || opt.agreed) return;
  opt.agreed = true;
  if (const int worst = opt.cluster->agree(0); worst != 0) {
    (void)opt.cluster->broadcast(0); // the leader went on: the process that failed speaks
    throw QuietExit{worst};
  }
}

// A failure once replications are kept (a full device, say) says where they
// are and how to go on from them.
[[noreturn]] void rethrow_keeping(const caseload::io::ReplicationParts* parts) {
  try {
    throw;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    const int kept = parts ? parts->count() : 0;
    if (kept == 0) throw;
    throw std::runtime_error(fmt::format("{}\n  the {} replication{} finished are kept in {}: continue with the same "
                                         "command and --resume",
                                         e.what(), kept, kept == 1 ? "" : "s", parts->folder().string()));
  }
}

struct Timed {
  caseload::app::RunSummary summary; // every headline figure, computed once
  std::vector<fs::path> parts;       // with -o: each replication's part file, in order
  int resumed = 0;                   // replications an interrupted run had finished
  double seconds = 0.0;
  std::uint64_t events = 0;          // of the replications run here
};

// Runs a scenario's replications, keeping only their figures; with `parts`
// (a run with -o), each is written to its part file as it finishes and those
// an interrupted run finished are taken as they are: memory stays bounded
// whatever the number of replications.
Timed simulate(const caseload::model::Scenario& s, const CommonOptions& opt, const std::string& label,
               const caseload::io::ReplicationParts* parts = nullptr, std::string_view run = "run",
               caseload::io::ResultsAssembler* assembler = nullptr,
               caseload::io::SingleRunWriter* straight = nullptr) {
  namespace app = caseload::app;
  const int reps = s.replications;
  const app::FigureTable columns = app::figure_columns(s);
  std::vector<app::FigureTable> rows(static_cast<std::size_t>(reps));
  std::vector<int> todo;
  Timed t;
  for (int r = 0; r < reps; ++r) {
    if (parts && opt.leader()) // in an MPI run, the leader's list of replications is everyone's
      if (auto found = parts->finished(run, r, columns)) {
        rows[static_cast<std::size_t>(r)] = std::move(*found);
        ++t.resumed;
        if (assembler) assembler->part_ready(static_cast<std::size_t>(r), parts->path(run, r));
        continue;
      }
    todo.push_back(r);
  }
  all_ready(opt);
  caseload::cli::Progress progress(label, reps, s.horizon_days, !opt.quiet, t.resumed);
  const auto start = std::chrono::steady_clock::now();
  int done = t.resumed;
  const app::LocalSink write_part = [&](int r) {
    std::function<void()> on_whole;
    if (assembler)
      on_whole = [assembler, r, path = parts->path(run, r)] { assembler->part_ready(static_cast<std::size_t>(r), path); };
    return parts->open(run, r, s, std::move(on_whole));
  };
  const app::LocalSink write_straight = [&](int) { return straight->replication(); };
  try {
    const auto figures = app::run_figures(s, todo, opt.workers(),
                                          straight ? write_straight : parts ? write_part : app::LocalSink{},
                                          [&](int, int, std::uint64_t events) {
                                            t.events += events;
                                            progress.update(++done, reps, events);
                                          });
    for (std::size_t i = 0; i < todo.size(); ++i) rows[static_cast<std::size_t>(todo[i])] = figures[i].rows;
  } catch (const caseload::app::ClusterFailure&) {
    throw;
  } catch (...) {
    progress.finish();
    rethrow_keeping(parts);
  }
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  // The others of an MPI run have no figures of the replications the leader resumed; they print nothing.
  if (opt.leader()) t.summary = app::summary_of(columns, rows);
  if (parts)
    for (int r = 0; r < reps; ++r) t.parts.push_back(parts->path(run, r));
  return t;
}

void print_stats(const Timed& t, int threads) {
  fmt::print("\n{} events in {:.3f} s: {:.3g} events/s ({} thread{})\n", t.events, t.seconds,
             t.seconds > 0 ? static_cast<double>(t.events) / t.seconds : 0.0,
             threads, threads == 1 ? "" : "s");
}

int effective_threads(const CommonOptions& opt, int replications) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::min(opt.threads > 0 ? opt.threads : hw, replications);
}

// Intervals from fewer replications than this are too wide, and their own
// width too uncertain, to rely on (docs/model.md §17.1).
constexpr int kFewestReplicationsForIntervals = 5;

void warn_if_few_replications(WarningLog& log, int replications) {
  if (replications >= kFewestReplicationsForIntervals) return;
  log.print(fmt::format("{} replication{}: {}; run {} or more (-r {})", replications, replications == 1 ? "" : "s",
                        replications == 1 ? "no interval can be computed from one"
                                          : fmt::format("{:g}% intervals from fewer than {} are too wide and too "
                                                        "uncertain to rely on",
                                                        100.0 * caseload::app::kConfidence,
                                                        kFewestReplicationsForIntervals),
                        kFewestReplicationsForIntervals, kFewestReplicationsForIntervals));
}

caseload::io::RunOutput output_of(const Loaded& l, const Timed& t) {
  return {&l.file.scenario, l.resolved, l.file.source_text, {}, &t.summary, t.parts};
}

// The working folder of an output's parts (with -o), for a command whose
// output holds these runs: label and scenario each.
// --resume with no interrupted run in `folder`: said, and the run starts from the beginning.
void note_nothing_to_resume(const CommonOptions& opt, const fs::path& folder) {
  if (!opt.quiet)
    fmt::print(stderr, "caseload: note: no interrupted run at {}: starting from the beginning\n", folder.string());
}

std::unique_ptr<caseload::io::ReplicationParts> parts_for(const CommonOptions& opt, std::string_view kind,
                                                        std::span<const std::pair<std::string, const Loaded*>> runs) {
  if (opt.output.empty()) {
    if (opt.resume) throw InputError("--resume", 0, 0, "continues a run writing an output: give its -o");
    return nullptr;
  }
  all_ready(opt);
  // Everything the output's bytes depend on, apart from its creation time.
  const auto compression = opt.compression();
  std::string identity = fmt::format("{}\ncodec {} level {}\nengine {}\nhdf5 {}\n", kind,
                                     static_cast<int>(compression.codec), compression.deflate_level, CASELOAD_VERSION,
                                     caseload::io::h5::library_version());
  for (const auto& [label, loaded] : runs) identity += fmt::format("run {}\n{}\n", label, loaded->resolved);
  std::unique_ptr<caseload::io::ReplicationParts> parts;
  if (!opt.leader()) { // the leader checks and locks the folder; the others write parts into it
    if (const int code = opt.cluster->broadcast(0); code != 0) throw QuietExit{code};
    parts = std::make_unique<caseload::io::ReplicationParts>(opt.output, file_metadata(opt.compression()));
    // A folder one process cannot see: the output is not on a file system they all share.
    const bool seen = fs::exists(parts->folder() / "run.txt");
    if (!seen)
      fmt::print(stderr, "caseload: error (process {}): cannot see {}: the output must be on a file system every "
                         "process of the MPI run shares\n",
                 opt.cluster->rank(), (parts->folder() / "run.txt").string());
    if (const int worst = opt.cluster->agree(seen ? 0 : kExitFailure); worst != 0) throw QuietExit{worst};
    return parts;
  }
  try {
    parts = std::make_unique<caseload::io::ReplicationParts>(opt.output, identity, file_metadata(opt.compression()),
                                                             opt.resume);
  } catch (const InputError&) {
    if (opt.cluster) (void)opt.cluster->broadcast(kExitInvalid);
    throw;
  } catch (...) {
    if (opt.cluster) (void)opt.cluster->broadcast(kExitFailure);
    throw;
  }
  if (opt.cluster) {
    (void)opt.cluster->broadcast(0);
    if (const int worst = opt.cluster->agree(0); worst != 0) {
      parts.reset(); // its folder, with no part yet, is removed
      fmt::print(stderr, "caseload: error: another process of the MPI run cannot see the output's folder\n");
      throw QuietExit{worst};
    }
  }
  if (opt.resume && !parts->resumed()) note_nothing_to_resume(opt, parts->folder());
  return parts;
}

// Writes the output from the parts (with the run's first creation time),
// then removes them.
void write_output(const CommonOptions& opt, caseload::io::ReplicationParts& parts,
                  const std::function<void(const fs::path&, const caseload::io::RunMetadata&)>& write) {
  try {
    caseload::io::write_atomically(opt.output, [&](const fs::path& tmp) { write(tmp, parts.metadata()); });
  } catch (...) {
    rethrow_keeping(&parts);
  }
  parts.remove();
}

// Prints how many replications an interrupted run had finished.
void report_resumed(const CommonOptions& opt, const Timed& t, int replications) {
  if (t.resumed > 0 && !opt.quiet)
    fmt::print(stderr, "caseload: resumed: {} of {} replications were finished by the interrupted run\n", t.resumed,
               replications);
}

// KEY=V1,V2,... → the key and its values.
std::pair<std::string, std::vector<std::string>> parse_vary(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw InputError("--vary", 0, 0, "expected KEY=V1,V2,..., got '" + spec + "'");
  std::vector<std::string> values;
  std::size_t start = eq + 1;
  for (std::size_t comma; (comma = spec.find(',', start)) != std::string::npos; start = comma + 1)
    values.push_back(spec.substr(start, comma - start));
  values.push_back(spec.substr(start));
  return {spec.substr(0, eq), values};
}

void print_run(const CommonOptions& opt, const caseload::model::Scenario& scenario, const Timed& t) {
  if (!opt.quiet) {
    caseload::cli::print_summary(stdout, scenario, t.summary, static_cast<std::size_t>(scenario.replications));
    if (!opt.output.empty()) fmt::print("\nResults in {}\n", opt.output);
  }
  if (opt.stats) print_stats(t, effective_threads(opt, scenario.replications));
}

// Whether a run writes its one replication straight into its output
// (run_straight): not when a working folder of parts is there (an
// interrupted run, which the parts' way continues or refuses). In an MPI
// run, the leader's answer.
bool writes_straight(const CommonOptions& opt, const caseload::model::Scenario& scenario) {
  if (opt.output.empty() || scenario.replications != 1) return false;
  std::error_code ignored;
  const int straight = fs::exists(caseload::io::ReplicationParts::folder_of(opt.output), ignored) ? 0 : 1;
  all_ready(opt);
  return (opt.cluster ? opt.cluster->broadcast(straight) : straight) == 1;
}

// A run of one replication with -o: written as it runs straight into the
// output's working file (io::SingleRunWriter: no part, no copy), which is put
// in place at the end. In an MPI run the leader runs it alone (the others
// have nothing to do), so the file is the same whatever the processes.
int run_straight(const Loaded& loaded, const CommonOptions& opt) {
  if (!opt.leader()) return kExitOk;
  CommonOptions alone = opt;
  alone.cluster = nullptr;
  const auto& scenario = loaded.file.scenario;
  if (opt.resume) note_nothing_to_resume(opt, caseload::io::ReplicationParts::folder_of(opt.output));
  caseload::io::SingleRunWriter file(
      opt.output, file_metadata(opt.compression()),
      caseload::io::RunOutput{&scenario, loaded.resolved, loaded.file.source_text, {}, nullptr, {}});
  const Timed t = simulate(scenario, alone, scenario.name, nullptr, "run", nullptr, &file);
  file.finish(t.summary);
  print_run(opt, scenario, t);
  return kExitOk;
}

int run(const std::string& scenario_path, const CommonOptions& opt, const std::string& vary, WarningLog& log) {
  if (!opt.output.empty()) check_output_path(opt.output, {scenario_path});
  if (!vary.empty()) {
    const auto [key, values] = parse_vary(vary);
    std::vector<Loaded> loaded;
    for (const auto& v : values) {
      const caseload::io::Override o{key, v};
      loaded.push_back(load(scenario_path, opt, log, std::span(&o, 1)));
    }
    warn_if_few_replications(log, loaded.front().file.scenario.replications);
    std::vector<const caseload::model::Scenario*> scenarios;
    for (const auto& l : loaded) scenarios.push_back(&l.file.scenario);
    check_output_budget(scenario_path, scenarios, opt);
    std::vector<std::pair<std::string, const Loaded*>> runs;
    for (std::size_t i = 0; i < loaded.size(); ++i) runs.emplace_back(fmt::format("value-{:04d}", i), &loaded[i]);
    auto parts = parts_for(opt, "sweep " + key, runs);
    std::vector<Timed> timed;
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      timed.push_back(simulate(loaded[i].file.scenario, opt, key + "=" + values[i], parts.get(),
                               runs[i].first));
      report_resumed(opt, timed.back(), loaded[i].file.scenario.replications);
    }
    // Every value runs at the scenario's seed: each later one is paired with the first.
    std::vector<caseload::app::Comparison> differences;
    for (std::size_t i = 1; i < timed.size(); ++i)
      differences.push_back(caseload::app::compare(timed.front().summary, timed[i].summary));
    if (parts && opt.leader()) {
      std::vector<caseload::io::RunOutput> outputs;
      for (std::size_t i = 0; i < loaded.size(); ++i) outputs.push_back(output_of(loaded[i], timed[i]));
      write_output(opt, *parts, [&](const fs::path& tmp, const caseload::io::RunMetadata& meta) {
        caseload::io::write_sweep(tmp, meta, key, values, outputs, differences);
      });
    }
    if (!opt.quiet) {
      std::vector<const caseload::app::RunSummary*> summaries;
      for (const auto& t : timed) summaries.push_back(&t.summary);
      caseload::cli::print_sweep(stdout, key, values, summaries, differences);
      if (!opt.output.empty()) fmt::print("\nResults in {}\n", opt.output);
    }
    if (opt.stats) {
      Timed all;
      for (const auto& t : timed) all.events += t.events, all.seconds += t.seconds;
      print_stats(all, effective_threads(opt, loaded.front().file.scenario.replications));
    }
    return kExitOk;
  }
  const Loaded loaded = load(scenario_path, opt, log);
  const auto& scenario = loaded.file.scenario;
  if (scenario.replications > 1) warn_if_few_replications(log, scenario.replications); // one shows no interval
  if (writes_straight(opt, scenario)) return run_straight(loaded, opt);
  const std::pair<std::string, const Loaded*> runs[] = {{"run", &loaded}};
  auto parts = parts_for(opt, "run", runs);
  // One process puts the file together as the replications finish; an MPI
  // run's leader, from the parts every process wrote, at the end (the same
  // bytes either way).
  std::unique_ptr<caseload::io::ResultsAssembler> assembler;
  if (parts && opt.cluster == nullptr)
    assembler = std::make_unique<caseload::io::ResultsAssembler>(
        opt.output, parts->metadata(),
        caseload::io::RunOutput{&scenario, loaded.resolved, loaded.file.source_text, {}, nullptr, {}},
        static_cast<std::size_t>(scenario.replications));
  const Timed t = simulate(scenario, opt, scenario.name, parts.get(), "run", assembler.get());
  report_resumed(opt, t, scenario.replications);
  if (assembler) {
    try {
      assembler->finish(t.summary);
    } catch (...) {
      rethrow_keeping(parts.get());
    }
    parts->remove();
  } else if (parts && opt.leader()) {
    write_output(opt, *parts, [&](const fs::path& tmp, const caseload::io::RunMetadata& meta) {
      caseload::io::write_results(tmp, meta, output_of(loaded, t));
    });
  }
  print_run(opt, scenario, t);
  return kExitOk;
}

struct CompareOptions {
  bool independent = false;
  bool allow_different_ldus = false;
  std::string ldu{caseload::app::kDivisionRow}; // the row shown
};

// How the variant's LDUs differ from the base's, by name and order, if they do.
std::optional<std::string> ldu_difference(const caseload::model::Scenario& base,
                                          const caseload::model::Scenario& variant) {
  const auto names = [](const caseload::model::Scenario& s) {
    std::vector<std::string> out;
    for (const auto& l : s.ldus) out.push_back(l.name);
    return out;
  };
  const auto a = names(base), b = names(variant);
  if (a == b) return std::nullopt;
  const auto missing = [](const std::vector<std::string>& from, const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const auto& n : from)
      if (std::find(in.begin(), in.end(), n) == in.end()) out.push_back('"' + n + '"');
    return out;
  };
  std::vector<std::string> parts;
  if (const auto only = missing(a, b); !only.empty()) parts.push_back(fmt::format("only the base has {}", fmt::join(only, ", ")));
  if (const auto only = missing(b, a); !only.empty())
    parts.push_back(fmt::format("only the variant has {}", fmt::join(only, ", ")));
  if (parts.empty())
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) {
        parts.push_back(fmt::format("the same LDUs in another order: LDU {} is \"{}\" in the base, \"{}\" in the variant",
                                    i + 1, a[i], b[i]));
        break;
      }
  return fmt::format("{}", fmt::join(parts, "; "));
}

int compare(const std::string& base_path, const std::string& variant_path, const CommonOptions& opt,
            const CompareOptions& co, WarningLog& log) {
  if (!opt.output.empty()) check_output_path(opt.output, {base_path, variant_path});
  const Loaded base = load(base_path, opt, log);
  Loaded variant = load(variant_path, opt, log);
  // Rows are paired by LDU name: LDUs in one scenario only would drop out
  // unseen, and another order would put the file's rows out of step.
  if (const auto difference = ldu_difference(base.file.scenario, variant.file.scenario);
      difference && !co.allow_different_ldus)
    throw InputError(variant_path, 0, 0,
                     "its LDUs differ from those of the base " + base_path + ": " + *difference +
                         ". Compare scenarios of the same LDUs, or give --allow-different-ldus to compare the LDUs "
                         "both have (and the division, which then covers different LDUs)");
  if (co.ldu != caseload::app::kDivisionRow) {
    std::vector<std::string_view> names;
    for (const auto& l : base.file.scenario.ldus) names.emplace_back(l.name);
    const bool in_both = std::find(names.begin(), names.end(), co.ldu) != names.end() &&
                         std::any_of(variant.file.scenario.ldus.begin(), variant.file.scenario.ldus.end(),
                                     [&](const auto& l) { return l.name == co.ldu; });
    if (!in_both) throw InputError("--ldu", 0, 0, caseload::io::unknown_name("LDU", co.ldu, names));
  }
  warn_if_few_replications(log, base.file.scenario.replications);
  // Common random numbers: the variant runs with the base's seed and number of
  // replications, so replication r of both draws from the same streams.
  variant.file.scenario.seed = base.file.scenario.seed;
  variant.file.scenario.replications = base.file.scenario.replications;
  if (co.independent) variant.file.scenario.seed = base.file.scenario.seed ^ 0x9E3779B97F4A7C15ull >> 1;
  variant.resolved = caseload::io::resolved_toml(variant.file.scenario);
  const caseload::model::Scenario* both[] = {&base.file.scenario, &variant.file.scenario};
  check_output_budget(variant_path, both, opt);
  const std::pair<std::string, const Loaded*> runs[] = {{"base", &base}, {"variant", &variant}};
  auto parts = parts_for(opt, "comparison", runs);
  const auto* p = parts.get();
  const Timed a = simulate(base.file.scenario, opt, "base: " + base.file.scenario.name, p, "base");
  report_resumed(opt, a, base.file.scenario.replications);
  const Timed b = simulate(variant.file.scenario, opt, "variant: " + variant.file.scenario.name, p, "variant");
  report_resumed(opt, b, variant.file.scenario.replications);
  const auto comparison = caseload::app::compare(a.summary, b.summary);
  if (parts && opt.leader()) {
    write_output(opt, *parts, [&](const fs::path& tmp, const caseload::io::RunMetadata& meta) {
      caseload::io::write_comparison(tmp, meta, output_of(base, a), output_of(variant, b), comparison);
    });
  }
  if (!opt.quiet) {
    caseload::cli::print_comparison(stdout, base.file.scenario, variant.file.scenario, comparison, co.independent,
                                    co.ldu);
    if (!opt.output.empty()) fmt::print("\nResults in {}\n", opt.output);
  }
  if (opt.stats) {
    Timed both;
    both.events = a.events + b.events;
    both.seconds = a.seconds + b.seconds;
    print_stats(both, effective_threads(opt, base.file.scenario.replications));
  }
  return kExitOk;
}

// One end of a parameter's range. An error in applying the override names
// itself; one the scenario finds with the value set is put down to the parameter.
caseload::model::Scenario load_at(const std::string& path, const CommonOptions& opt, WarningLog& log,
                                  const caseload::io::Override& at) {
  try {
    return load(path, opt, log, std::span(&at, 1)).file.scenario;
  } catch (const InputError& e) {
    if (e.file() == at.option) throw;
    throw InputError(at.option, 0, 0, "with " + at.key + " = " + at.value + " the scenario is not valid: " + e.what());
  }
}

// One-at-a-time screening with common random numbers (docs/model.md §17.4).
int sensitivity(const std::string& scenario_path, const CommonOptions& opt, const std::vector<std::string>& specs,
                WarningLog& log) {
  using caseload::io::override_at;
  if (!opt.output.empty()) check_output_path(opt.output, {scenario_path});
  const Loaded base = load(scenario_path, opt, log);
  const auto& scenario = base.file.scenario;
  std::vector<caseload::model::SensitivityParameter> parameters = scenario.sensitivity;
  if (!specs.empty()) {
    parameters.clear();
    for (const auto& spec : specs) parameters.push_back(caseload::io::parse_sensitivity_parameter(spec));
  }
  if (parameters.empty())
    throw InputError(scenario_path, 0, 0,
                     "nothing to screen: give --param KEY=LOW:HIGH, or a [sensitivity] table "
                     "parameters = { \"KEY\" = [low, high], ... } in the scenario");
  std::vector<caseload::app::ScreenedParameter> screened;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto& p = parameters[i];
    const std::string origin =
        specs.empty() ? scenario_path + " [sensitivity] \"" + p.key + "\"" : "--param '" + specs[i] + "'";
    auto& s = screened.emplace_back(caseload::app::ScreenedParameter{
        p, load_at(scenario_path, opt, log, override_at(p.key, p.low, origin)),
        load_at(scenario_path, opt, log, override_at(p.key, p.high, origin))});
    // Common random numbers need both ends at the scenario's seed and replications.
    for (const auto* end : {&s.at_low, &s.at_high})
      if (p.key == "seed" || p.key == "replications" || end->seed != scenario.seed ||
          end->replications != scenario.replications)
        throw InputError(origin, 0, 0, "'" + p.key + "' cannot be screened: a screening holds the seed and the "
                                                     "number of replications fixed");
  }
  warn_if_few_replications(log, scenario.replications);
  caseload::cli::Progress progress("sensitivity", 2 * static_cast<int>(parameters.size()) * scenario.replications,
                                   scenario.horizon_days, !opt.quiet);
  const auto start = std::chrono::steady_clock::now();
  Timed all;
  all_ready(opt);
  const auto table = caseload::app::screen(
      screened, opt.workers(), [&](int done, int total, std::uint64_t events) {
        progress.update(done, total, events);
        all.events += events;
      });
  all.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  if (!opt.output.empty() && opt.leader())
    caseload::io::write_atomically(opt.output, [&](const fs::path& tmp) {
      caseload::io::write_sensitivity(tmp, file_metadata(opt.compression()), scenario, base.resolved, table, parameters);
    });
  if (!opt.quiet) {
    caseload::cli::print_sensitivity(stdout, scenario, table, parameters.size());
    if (!opt.output.empty()) fmt::print("\nResults in {}\n", opt.output);
  }
  if (opt.stats) print_stats(all, effective_threads(opt, scenario.replications));
  return kExitOk;
}

struct StaffOptions {
  caseload::cli::StaffRequest request;
  double confidence = caseload::app::kConfidence;
  int max_added = 200;
  std::optional<double> by_day; // a recruitment plan that reaches the staff by this day
};

// The fewest posts, by LDU and grade, that meet the targets (docs/model.md
// §17.5). Exit 1 when no plan within --max-added meets them.
int staff(const std::string& scenario_path, const CommonOptions& opt, const StaffOptions& so, WarningLog& log) {
  namespace app = caseload::app;
  if (!opt.output.empty()) check_output_path(opt.output, {scenario_path});
  const Loaded base = load(scenario_path, opt, log);
  const auto& scenario = base.file.scenario;
  const auto targets = caseload::cli::staffing_targets(scenario, so.request.targets);
  const auto choices = caseload::cli::staffing_choices(scenario, so.request);
  if (so.by_day && !(*so.by_day > 0.0 && *so.by_day < scenario.horizon_days))
    throw InputError("--by-day", 0, 0,
                     fmt::format("day {:g} is not within the run: expected a day after 0 and before the horizon, {:g}",
                                 *so.by_day, scenario.horizon_days));
  warn_if_few_replications(log, scenario.replications);

  std::optional<caseload::cli::Progress> bar;
  int candidates = 0;
  Timed all;
  const auto start = std::chrono::steady_clock::now();
  all_ready(opt);
  const app::PlanEvaluation simulate_plan = app::simulated_evaluation(
      scenario, choices, targets, opt.workers(), so.confidence,
      [&](int done, int total, std::uint64_t events) {
        bar->update(done, total, events);
        all.events += events;
      });
  const app::PlanEvaluation evaluate = [&](const app::Plan& plan) {
    bar.emplace(fmt::format("staff: candidate {}", ++candidates), scenario.replications, scenario.horizon_days,
                !opt.quiet);
    auto checks = simulate_plan(plan);
    bar->finish();
    return checks;
  };
  const app::StaffingSolution solution = app::solve_staffing(targets, choices, so.max_added, evaluate);
  all.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The recruitment plan, checked by running the scenario with its starts as
  // interventions and measuring from the day on (docs/model.md §17.6).
  std::optional<app::RecruitmentPlan> recruitment;
  std::optional<Loaded> recruited;
  if (so.by_day) {
    recruitment = app::plan_recruitment(scenario, choices, solution.plan, *so.by_day);
    recruited = base;
    recruited->file.scenario = app::with_recruitment(scenario, *recruitment);
    recruited->resolved = caseload::io::resolved_toml(recruited->file.scenario);
  }
  Loaded staffed = base;
  staffed.file.scenario = app::with_plan(scenario, choices, solution.plan);
  staffed.resolved = caseload::io::resolved_toml(staffed.file.scenario);
  // The runs the file holds stream through parts (the search before them,
  // deterministic, is done again by a resumed command).
  std::vector<std::pair<std::string, const Loaded*>> runs{{"base", &base}, {"solution", &staffed}};
  if (recruited) runs.emplace_back("recruitment", &*recruited);
  auto parts = parts_for(opt, fmt::format("staffing at {:g}", so.confidence), runs);
  const auto* p = parts.get();

  std::optional<Timed> recruitment_run;
  std::vector<app::TargetCheck> recruitment_checks;
  if (recruited) {
    recruitment_run = simulate(recruited->file.scenario, opt, "recruitment: " + scenario.name, p, "recruitment");
    const app::RunSummary summary = app::summary_of(recruitment_run->summary.figures, so.confidence);
    for (const auto& t : targets) recruitment_checks.push_back(app::check_target(t, summary));
  }
  const bool recruitment_met =
      std::all_of(recruitment_checks.begin(), recruitment_checks.end(), [](const auto& c) { return c.met; });

  if (parts) {
    // The search keeps no replication's records; the two runs written are run
    // again, with the same streams, so they are the runs the search saw.
    const Timed base_run = simulate(scenario, opt, "base: " + scenario.name, p, "base");
    const Timed solution_run = simulate(staffed.file.scenario, opt, "solution: " + scenario.name, p, "solution");
    caseload::io::StaffingOutput out{targets, choices, &solution, so.confidence, so.max_added,
                                     output_of(base, base_run), output_of(staffed, solution_run), nullptr, {}, {}};
    if (recruitment) {
      out.recruitment = &*recruitment;
      out.recruitment_checks = recruitment_checks;
      out.recruitment_run = output_of(*recruited, *recruitment_run);
    }
    if (opt.leader())
      write_output(opt, *parts, [&](const fs::path& tmp, const caseload::io::RunMetadata& meta) {
        caseload::io::write_staffing(tmp, meta, out);
      });
  }
  if (!opt.quiet) {
    caseload::cli::print_staffing(stdout, scenario, targets, choices, solution, so.confidence);
    if (recruitment)
      caseload::cli::print_recruitment(stdout, scenario, targets, *recruitment, recruitment_checks);
    if (!opt.output.empty()) fmt::print("\nResults in {}\n", opt.output);
  }
  if (!opt.leader()) {
    // Its figures of the recruitment run are the leader's alone: it says nothing.
  } else if (!solution.all_met) {
    std::string failing;
    for (std::size_t t = 0; t < targets.size(); ++t)
      if (!solution.achieved[t].met) failing += (failing.empty() ? "" : ", ") + targets[t].text;
    const int added = std::accumulate(solution.plan.begin(), solution.plan.end(), 0);
    if (added < so.max_added)
      fmt::print(stderr, "caseload: no plan meets every target: after {} added posts, no further post in the allowed "
                         "grades and LDUs brings {} closer\n", added, failing);
    else
      fmt::print(stderr, "caseload: no plan with at most {} added posts meets every target: {} still fails\n",
                 so.max_added, failing);
  }
  else if (recruitment && !recruitment_met)
    fmt::print(stderr, "caseload: with the recruitment plan, not every target is met from day {:g}\n", *so.by_day);
  if (opt.stats) print_stats(all, effective_threads(opt, scenario.replications));
  return solution.all_met && (!recruitment || recruitment_met) ? kExitOk : kExitFailure;
}

struct EstimateOptions {
  std::string output;
  std::string as_of;
  std::string scenario;
  double confidence = caseload::app::kConfidence;
};

// Demand from an allocation history, as scenario keys (docs/model.md §20).
int estimate(const std::string& history_path, const EstimateOptions& eo, WarningLog& log) {
  namespace io = caseload::io;
  if (!eo.output.empty()) check_output_path(eo.output, {history_path, eo.scenario}, false);
  std::optional<Loaded> base;
  std::vector<std::string> ldus;
  if (!eo.scenario.empty()) {
    base = load(eo.scenario, CommonOptions{}, log);
    for (const auto& l : base->file.scenario.ldus) ldus.push_back(l.name);
  }
  const io::LoadedHistory history = io::read_history(history_path, ldus);
  std::int64_t window_start = history.history.cases.front().start_day;
  for (const auto& c : history.history.cases) window_start = std::min(window_start, c.start_day);
  std::int64_t as_of = history.latest_day;
  if (!eo.as_of.empty()) {
    const auto day = io::parse_iso_date(eo.as_of);
    if (!day) throw InputError("--as-of", 0, 0, "'" + eo.as_of + "' is not a date: expected YYYY-MM-DD");
    as_of = *day;
  }
  if (as_of <= window_start)
    throw InputError(eo.as_of.empty() ? history.file : std::string("--as-of"), 0, 0,
                     "the window from the first start date, " + io::iso_date(window_start) + ", to " +
                         io::iso_date(as_of) + " is empty: expected a history that spans some days");
  const auto estimate = caseload::app::estimate_demand(history.history, as_of, eo.confidence);
  io::FragmentOptions options{history_path, nullptr, {}};
  if (base) {
    options.base = &base->file.scenario;
    // `extends` is relative to the fragment's folder.
    const fs::path from = eo.output.empty() ? fs::current_path() : fs::absolute(eo.output).parent_path();
    options.extends = fs::absolute(eo.scenario).lexically_normal().lexically_relative(from.lexically_normal()).string();
  }
  const std::string text = io::demand_fragment(estimate, options);
  if (eo.output.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  caseload::io::write_atomically(eo.output, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  });
  return kExitOk;
}

int validate(const std::string& path, bool print_resolved, WarningLog& log) {
  // What it is and what it would take first; then whether that fits.
  const auto loaded = load(path, CommonOptions{}, log, {}, false);
  if (print_resolved) { // for programs (the web app): the scenario with every default, as TOML
    fmt::print("{}", loaded.resolved);
    return kExitOk;
  }
  const auto& s = loaded.file.scenario;
  std::int64_t officers = 0; // 64 bits: LDUs × staff per group may pass 2^31
  for (const auto& l : s.ldus)
    for (const auto& g : l.staff) officers += g.in_post;
  fmt::print("{}: valid scenario \"{}\": {} LDUs, {} staff in post, {:g} days\n", path, s.name,
             s.ldus.size(), officers, s.horizon_days);
  const auto e = caseload::app::estimate_run(s, s.replications, effective_threads(CommonOptions{}, s.replications));
  fmt::print("estimate for {} replication{}: about {:.3g} cases held, {:.3g} events per replication, "
             "{} of memory at the peak, {} of output before compression\n",
             s.replications, s.replications == 1 ? "" : "s", e.cases_held, e.events,
             caseload::app::describe_bytes(e.memory_bytes), caseload::app::describe_bytes(e.output_bytes));
  check_budget(path, s, CommonOptions{});
  return kExitOk;
}

void add_common(CLI::App* cmd, CommonOptions& opt) {
  cmd->add_option("-o,--output", opt.output, "HDF5 results file to write");
  cmd->add_option("-r,--replications", opt.replications, "Number of replications")
      ->check(CLI::Range(1, caseload::io::kMaxReplications));
  cmd->add_option("-s,--seed", opt.seed, "Master seed (overrides the scenario's)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  cmd->add_option("-j,--threads", opt.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("-q,--quiet", opt.quiet, "Print nothing on success");
  cmd->add_flag("--stats", opt.stats, "Print events processed and events per second");
  cmd->add_option("--codec", opt.codec,
                  "Compression of the output's large datasets: lz4 (default: fast; readers need HDF5's LZ4 "
                  "plugin), deflate (readable anywhere, smaller, about four times slower to write) or none")
      ->check(CLI::IsMember({"lz4", "deflate", "none"}));
  cmd->add_option("--compress", opt.compress,
                  "Deflate level, 1 to 9, with --codec deflate; 0 alone: no compression")
      ->check(CLI::Range(0, 9));
  cmd->add_option("--max-events", opt.max_events,
                  "Refuse a run estimated to take more events per replication (default 1e10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-memory", opt.max_memory_gb,
                  "Refuse a run estimated to need more memory, in GB (default 80% of the machine's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-output", opt.max_output_gb,
                  "Refuse a run whose results file is estimated larger, in GB (default: the free space there)")
      ->check(CLI::PositiveNumber);
}

} // namespace

int main(int argc, char** argv) {
#ifdef CASELOAD_WITH_MPI
  // Started by mpirun, mpiexec or srun to run replications: one of the run's
  // processes. (The other commands run alone, even under mpirun.)
  const bool replicates = argc > 1 && (std::string_view(argv[1]) == "run" || std::string_view(argv[1]) == "compare" ||
                                       std::string_view(argv[1]) == "sensitivity" ||
                                       std::string_view(argv[1]) == "staff");
  const auto cluster = replicates ? caseload::parallel::MpiCluster::join(argc, argv) : nullptr;
  const caseload::app::Cluster* processes = cluster.get();
#else
  const caseload::app::Cluster* processes = nullptr;
#endif
  CLI::App app{"caseload: a discrete-event simulator of probation workload and staffing"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CASELOAD_VERSION);

  CommonOptions run_opt;
  std::string run_path, vary;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario and write its results");
  run_cmd->add_option("scenario", run_path, "Scenario file (TOML)")->required();
  add_common(run_cmd, run_opt);
  run_cmd->add_flag("--resume", run_opt.resume,
                    "Continue an interrupted run from the replications it finished (the same command and -o)");
  run_cmd->add_option("--vary", vary,
                      "Run once per value and compare each with the first: KEY=V1,V2,... (a dotted scenario key "
                      "such as allocation.cap_percent, ldu[*].staff.PO.in_post or ldu.NAME.staff.PO.in_post, "
                      "or vacancy_rate.GRADE)");

  CommonOptions compare_opt;
  CompareOptions compare_options;
  std::string base_path, variant_path;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare", "Run a base and a variant with common random numbers and report paired differences");
  compare_cmd->add_option("base", base_path, "Base scenario (TOML)")->required();
  compare_cmd->add_option("variant", variant_path, "Variant scenario (TOML)")->required();
  add_common(compare_cmd, compare_opt);
  compare_cmd->add_flag("--resume", compare_opt.resume,
                        "Continue an interrupted comparison from the replications it finished (the same command "
                        "and -o)");
  compare_cmd->add_flag("--independent", compare_options.independent,
                        "Give the variant its own random streams (to measure what CRN saves)");
  compare_cmd->add_option("--ldu", compare_options.ldu, "Show one LDU's rows instead of the division's");
  compare_cmd->add_flag("--allow-different-ldus", compare_options.allow_different_ldus,
                        "Compare scenarios whose LDUs differ in name or order (rows are paired by name)");

  CommonOptions sensitivity_opt;
  std::string sensitivity_path;
  std::vector<std::string> params;
  CLI::App* sensitivity_cmd = app.add_subcommand(
      "sensitivity", "Screen which assumptions move which figures: each parameter at its low and high value, "
                     "one at a time, with common random numbers");
  sensitivity_cmd->add_option("scenario", sensitivity_path, "Scenario file (TOML)")->required();
  add_common(sensitivity_cmd, sensitivity_opt);
  sensitivity_cmd->add_option("--param", params,
                              "A parameter and its range: KEY=LOW:HIGH (KEY as for run --vary); repeatable. "
                              "Default: the scenario's [sensitivity] parameters")
      ->allow_extra_args(false); // one KEY=LOW:HIGH per --param, so the scenario may follow it

  CommonOptions staff_opt;
  StaffOptions staff_options;
  std::string staff_path;
  CLI::App* staff_cmd = app.add_subcommand(
      "staff", "Find the fewest posts, by LDU and grade, that meet targets on headline figures "
               "(greedy search with common random numbers, then pruning)");
  staff_cmd->add_option("scenario", staff_path, "Scenario file (TOML)")->required();
  add_common(staff_cmd, staff_opt);
  staff_cmd->add_option("--target", staff_options.request.targets,
                        "A target: [LDU:]FIGURE<=VALUE or [LDU:]FIGURE>=VALUE, met by the interval's bound; "
                        "repeatable")
      ->required()
      ->allow_extra_args(false);
  staff_cmd->add_option("--grades", staff_options.request.grades, "Grades that may gain posts, e.g. PO,VLO (default PO)")
      ->allow_extra_args(false);
  staff_cmd->add_option("--ldu", staff_options.request.ldus, "An LDU that may gain posts; repeatable (default all)")
      ->allow_extra_args(false);
  staff_cmd->add_option("--cost", staff_options.request.costs, "Cost of one post: GRADE=COST; repeatable (default 1)")
      ->allow_extra_args(false);
  staff_cmd->add_option("--confidence", staff_options.confidence, "Confidence level of the intervals (default 0.95)")
      ->check(CLI::Range(0.5, 0.9999));
  staff_cmd->add_flag("--resume", staff_opt.resume,
                      "Continue an interrupted command from the replications its output runs finished (the same "
                      "command and -o; the search is done again)");
  staff_cmd->add_option("--by-day", staff_options.by_day,
                        "Also plan recruitment (experienced hires and trainee starts per quarter) that reaches the "
                        "planned staff by this day, and check it by simulation from the day on");
  staff_cmd->add_option("--max-added", staff_options.max_added, "Most posts the plan may add (default 200)")
      ->check(CLI::Range(0, 100000));

  std::string validate_path;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file and say what is wrong");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required();
  bool validate_resolved = false;
  validate_cmd->add_flag("--resolved", validate_resolved,
                         "Print the scenario resolved (extends and overrides applied, every default filled in) "
                         "as TOML instead of the summary");

  EstimateOptions estimate_options;
  std::string history_path;
  CLI::App* estimate_cmd = app.add_subcommand(
      "estimate", "Estimate demand from an allocation history (CSV): arrivals per week per LDU and case type, "
                  "tier mixes and durations (fitted with right-censoring), as scenario keys with 95% intervals");
  estimate_cmd->add_option("history", history_path,
                           "History file (CSV: case_id, ldu, case_type, tier, start_date[, end_date])")
      ->required();
  estimate_cmd->add_option("-o,--output", estimate_options.output, "TOML fragment to write (default: print it)");
  estimate_cmd->add_option("--as-of", estimate_options.as_of,
                           "End of the observation window, YYYY-MM-DD (default: the latest date in the file)");
  estimate_cmd->add_option("--scenario", estimate_options.scenario,
                           "Write a variant of this scenario (extends it, sets the estimates as [overrides])");
  estimate_cmd->add_option("--confidence", estimate_options.confidence, "Confidence level of the intervals (default 0.95)")
      ->check(CLI::Range(0.5, 0.9999));

  std::string info_path;
  CLI::App* info_cmd = app.add_subcommand("info", "Describe a results file");
  info_cmd->add_option("file", info_path, "HDF5 results file")->required();

  caseload::cli::ServeOptions serve_options;
  CLI::App* serve_cmd = caseload::cli::add_serve_command(app, serve_options);

  // CLI11 would report a mistyped command as a missing one; name it instead.
  const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
  const bool known = std::any_of(commands.begin(), commands.end(),
                                 [&](const CLI::App* c) { return argc > 1 && c->check_name(argv[1]); });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    fmt::print(stderr, "caseload: error: unknown command '{}': expected run, compare, sensitivity, staff, estimate, validate, info or serve\n",
               argv[1]);
    return kExitInvalid;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "caseload: error: {}\nRun 'caseload --help' for usage.\n", e.what());
    return kExitInvalid;
  }

  caseload::io::h5::skip_cleanup_at_exit();
  // In an MPI run every process runs the command (one program, many
  // processes); the leader alone prints and writes, and they all end with
  // its exit status.
  const bool leader = processes == nullptr || processes->leader();
  for (CommonOptions* o : {&run_opt, &compare_opt, &sensitivity_opt, &staff_opt}) {
    o->cluster = processes;
    if (!leader) o->quiet = true, o->stats = false;
  }
  WarningLog log(leader);
  CommonOptions* const current = *run_cmd         ? &run_opt
                                 : *compare_cmd     ? &compare_opt
                                 : *sensitivity_cmd ? &sensitivity_opt
                                 : *staff_cmd       ? &staff_opt
                                                    : nullptr;
  // In an MPI run, a failure before the processes agreed to go on (all_ready)
  // may be this process's alone: they agree on the worst status, and this
  // process says why unless the leader failed too (and said so).
  const auto agree_on_failure = [&](int code, const std::string& message) {
    if (processes == nullptr || current == nullptr || current->agreed) {
      if (leader) fmt::print(stderr, "{}\n", message);
      return code;
    }
    current->agreed = true;
    const int worst = processes->agree(code);
    const int leader_code = processes->broadcast(code);
    if (leader) fmt::print(stderr, "{}\n", message);
    else if (leader_code == 0) fmt::print(stderr, "(process {}) {}\n", processes->rank(), message);
    return worst;
  };
  const int code = [&] {
    try {
      if (*run_cmd) return run(run_path, run_opt, vary, log);
      if (*compare_cmd) return compare(base_path, variant_path, compare_opt, compare_options, log);
      if (*sensitivity_cmd) return sensitivity(sensitivity_path, sensitivity_opt, params, log);
      if (*staff_cmd) return staff(staff_path, staff_opt, staff_options, log);
      if (!leader) return kExitOk; // commands without replications: the leader's alone
      if (*validate_cmd) return validate(validate_path, validate_resolved, log);
      if (*estimate_cmd) return estimate(history_path, estimate_options, log);
      if (*info_cmd) return caseload::cli::info(stdout, info_path);
      if (*serve_cmd) return caseload::cli::serve(serve_options);
    } catch (const QuietExit& e) {
      return e.code;
    } catch (const caseload::app::ClusterFailure&) {
      return kExitFailure;
    } catch (const InputError& e) {
      return agree_on_failure(kExitInvalid, e.what());
    } catch (const std::exception& e) {
      return agree_on_failure(kExitFailure, fmt::format("caseload: error: {}", e.what()));
    }
    return kExitFailure;
  }();
  return processes ? processes->broadcast(code) : code;
}
