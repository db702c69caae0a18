#include "serve.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <unistd.h>

namespace caseload::cli {

namespace fs = std::filesystem;

namespace {

// The folder holding the `caseload` Python package: $CASELOAD_ANALYSIS, else
// analysis/ two levels above the binary (build/<preset>/caseload in a
// checkout), else the source tree the binary was built from. Empty: rely on an
// installed package (pip install ./analysis).
std::string analysis_dir(const fs::path& self) {
  if (const char* env = std::getenv("CASELOAD_ANALYSIS"); env && *env) return env;
  std::error_code ec;
  const std::vector<fs::path> candidates{self.parent_path().parent_path().parent_path() / "analysis",
#ifdef CASELOAD_ANALYSIS_DIR
                                         fs::path(CASELOAD_ANALYSIS_DIR)
#endif
  };
  for (const auto& dir : candidates)
    if (fs::is_regular_file(dir / "caseload" / "web" / "__main__.py", ec)) return dir.string();
  return {};
}

} // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "serve", "Start the planner's web app (build a what-if, run it, read the comparison) on this machine");
  cmd->add_option("--port", o.port, "Port to listen on (default 8080)")->check(CLI::Range(1, 65535));
  cmd->add_option("--host", o.host,
                  "Address to listen on (default 127.0.0.1, this machine only; any other is warned about)");
  cmd->add_option("--scenarios", o.scenarios, "Folder of scenario files to offer, and to write what-ifs in "
                                              "(default ./scenarios)");
  cmd->add_option("--results", o.results, "Folder for results files (default ./results, made if missing)");
  cmd->add_option("--max-queued", o.max_queued, "Most runs waiting behind the one running (default 3)")
      ->check(CLI::Range(0, 100));
  return cmd;
}

int serve(const ServeOptions& o) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    fmt::print(stderr, "caseload: error: cannot find this program's own path: {}\n", ec.message());
    return 1;
  }
  if (const std::string dir = analysis_dir(self); !dir.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    const std::string path = old && *old ? dir + ":" + old : dir;
    ::setenv("PYTHONPATH", path.c_str(), 1);
  }
  const char* env_python = std::getenv("CASELOAD_PYTHON");
  const std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  std::vector<std::string> args{python, "-m", "caseload.web", "--caseload-bin", self.string()};
  const auto add = [&](const char* flag, const auto& value) {
    if (!value) return;
    args.emplace_back(flag);
    args.push_back(fmt::format("{}", *value));
  };
  add("--host", o.host);
  add("--port", o.port);
  add("--scenarios", o.scenarios);
  add("--results", o.results);
  add("--max-queued", o.max_queued);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(python.c_str(), argv.data());
  fmt::print(stderr, "caseload: error: cannot start the web app with {}: {}\n", python, std::strerror(errno));
  return 1;
}

} // namespace caseload::cli
