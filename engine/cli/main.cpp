// The `caseload` command: a thin layer over the engine library.
// Exit codes: 0 ok, 2 invalid input or usage, 1 anything else.

#include "summary.hpp"

#include "caseload/io/input_error.hpp"
#include "caseload/io/output_writer.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "caseload/model/experiment.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

namespace {

namespace fs = std::filesystem;
using caseload::io::InputError;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Refuses, before any work is done, an output path that cannot be written.
void check_output_path(const fs::path& out) {
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw InputError(out.string(), 0, 0,
                     "output directory '" + dir.string() + "' does not exist");
  if (fs::is_directory(out))
    throw InputError(out.string(), 0, 0, "output path is a directory, expected a file name");
}

caseload::io::LoadedScenario load(const std::string& path) {
  auto loaded = caseload::io::load_scenario(path);
  for (const auto& w : loaded.warnings) fmt::print(stderr, "{}: warning: {}\n", path, w);
  return loaded;
}

struct RunOptions {
  std::string scenario;
  std::string output;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  bool quiet = false;
};

int run(const RunOptions& opt) {
  if (!opt.output.empty()) check_output_path(opt.output);
  auto loaded = load(opt.scenario);
  caseload::model::Scenario& scenario = loaded.scenario;
  if (opt.seed) scenario.seed = *opt.seed;
  if (opt.replications) scenario.replications = *opt.replications;

  const auto start = std::chrono::steady_clock::now();
  const auto results =
      caseload::model::run_replications(scenario, scenario.replications, opt.threads);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!opt.output.empty()) {
    const caseload::io::RunMetadata meta{CASELOAD_VERSION, caseload::io::resolved_toml(scenario),
                                         loaded.source_text, utc_now()};
    caseload::io::write_atomically(opt.output, [&](const fs::path& tmp) {
      caseload::io::write_results(tmp, scenario, meta, results);
    });
  }
  if (!opt.quiet) {
    caseload::cli::print_summary(stdout, scenario, results);
    std::uint64_t events = 0;
    for (const auto& r : results) events += r.events;
    fmt::print("\n{} events in {:.3f} s ({:.3g} events/s){}\n", events, seconds,
               seconds > 0 ? static_cast<double>(events) / seconds : 0.0,
               opt.output.empty() ? "" : "; results in " + opt.output);
  }
  return kExitOk;
}

int validate(const std::string& path) {
  const auto loaded = load(path);
  const auto& s = loaded.scenario;
  int officers = 0;
  for (const auto& l : s.ldus)
    for (const auto& g : l.staff) officers += g.in_post;
  fmt::print("{}: valid scenario \"{}\": {} LDUs, {} staff in post, {:g} days\n", path, s.name,
             s.ldus.size(), officers, s.horizon_days);
  return kExitOk;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"caseload: a discrete-event simulator of probation workload and staffing"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CASELOAD_VERSION);

  RunOptions run_opt;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a scenario and write its results");
  run_cmd->add_option("scenario", run_opt.scenario, "Scenario file (TOML)")->required();
  run_cmd->add_option("-o,--output", run_opt.output, "HDF5 results file to write");
  run_cmd->add_option("-r,--replications", run_opt.replications, "Number of replications")
      ->check(CLI::Range(1, caseload::io::kMaxReplications));
  run_cmd->add_option("-s,--seed", run_opt.seed, "Master seed (overrides the scenario's)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{INT64_MAX}));
  run_cmd->add_option("-j,--threads", run_opt.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(0, 4096));
  run_cmd->add_flag("-q,--quiet", run_opt.quiet, "Print nothing on success");

  std::string validate_path;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file and say what is wrong");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required();

  // CLI11 would report a mistyped command as a missing one; name it instead.
  const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
  const bool known = std::any_of(commands.begin(), commands.end(),
                                 [&](const CLI::App* c) { return argc > 1 && c->check_name(argv[1]); });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    fmt::print(stderr, "caseload: error: unknown command '{}': expected run or validate\n", argv[1]);
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

  try {
    if (*run_cmd) return run(run_opt);
    if (*validate_cmd) return validate(validate_path);
  } catch (const InputError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return kExitInvalid;
  } catch (const std::exception& e) {
    fmt::print(stderr, "caseload: error: {}\n", e.what());
    return kExitFailure;
  }
  return kExitFailure;
}
