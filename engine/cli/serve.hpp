#pragma once
// `caseload serve`: the planner's web app (docs/web-app.md). The app is Python
// (analysis/caseload/web); this command only finds it and execs Debian's
// interpreter on it, with the options as separate arguments (no shell), and
// passes this binary's own path so that the app runs the same engine.

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace caseload::cli {

struct ServeOptions {
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> scenarios;
  std::optional<std::string> results;
  std::optional<int> max_queued;
};

// Adds the `serve` subcommand to the app, filling `options` when parsed.
CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);

// Replaces this process with the web app; returns (exit code 1) only if it cannot.
int serve(const ServeOptions& options);

} // namespace caseload::cli
