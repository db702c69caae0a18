#include "info.hpp"

#include "format.hpp"

#include "caseload/app/headline.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/io/input_error.hpp"
#include "caseload/io/results_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <array>
#include <cmath>
#include <functional>
#include <optional>

#include <sys/wait.h>
#include <unistd.h>

namespace caseload::cli {
namespace {

using io::h5::Group;

std::string fmt_value(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "-"; }

// A damaged or crafted file whose columns differ in length would send the
// loops below past the end of the shorter ones: refuse it instead.
template <class... Columns>
void require_rows(std::string_view table, const Columns&... columns) {
  const std::array sizes{columns.size()...};
  if (std::adjacent_find(sizes.begin(), sizes.end(), std::not_equal_to<>()) != sizes.end())
    throw std::runtime_error(fmt::format("table {} has columns of different lengths ({})", table,
                                         fmt::join(sizes, ", ")));
}
std::string level(const Group& table) { return fmt::format("{:g}%", 100.0 * table.read_double_attribute("confidence")); }

void describe_run(std::FILE* out, const Group& run, const std::string& indent) {
  fmt::print(out, "{}scenario {} (seed {}, {} replications, {:g} days, {:g} warm-up, start {})\n", indent,
             run.read_string_attribute("scenario_name"), run.read_int_attribute("seed").front(),
             run.read_int_attribute("replications").front(), run.read_double_attribute("horizon_days"),
             run.read_double_attribute("warmup_days"), run.read_string_attribute("start_date"));
  const Group stats = run.open_group("statistics");
  const auto ldu = stats.read_strings("ldu");
  const auto figure = stats.read_strings("figure");
  const auto units = stats.read_strings("units");
  const auto mean = stats.read_doubles("mean");
  const auto low = stats.read_doubles("ci_low");
  const auto high = stats.read_doubles("ci_high");
  require_rows("statistics", ldu, figure, units, mean, low, high);
  fmt::print(out, "{}division, mean and {} interval across replications:\n", indent, level(stats));
  for (const std::string_view name : app::kKeyFigures)
    for (std::size_t i = 0; i < figure.size(); ++i)
      if (ldu[i] == app::kDivisionRow && figure[i] == name && std::isfinite(mean[i])) {
        const FigureFormat f(units[i], mean[i]);
        fmt::print(out, "{}  {:<40} {:>10}  {:<22} {}\n", indent, figure_label(name), f.value(mean[i]),
                   f.interval(low[i], high[i]), name);
      }
}

// The division's key figures of a table of paired differences (/comparison,
// or the rows of one run of /sweep_differences).
void describe_differences(std::FILE* out, const Group& c, const std::string& indent,
                          std::optional<std::int64_t> run = std::nullopt) {
  const auto ldu = c.read_strings("ldu");
  const auto figure = c.read_strings("figure");
  const auto units = c.read_strings("units");
  const auto base = c.read_doubles("base_mean");
  const auto variant = c.read_doubles("variant_mean");
  const auto diff = c.read_doubles("difference");
  const auto low = c.read_doubles("difference_low");
  const auto high = c.read_doubles("difference_high");
  const auto significant = c.read_ints("significant");
  const auto runs = run ? c.read_ints("run") : std::vector<std::int64_t>(figure.size());
  require_rows("differences", ldu, figure, units, base, variant, diff, low, high, significant, runs);
  for (const std::string_view name : app::kKeyFigures)
    for (std::size_t i = 0; i < figure.size(); ++i)
      if (ldu[i] == app::kDivisionRow && figure[i] == name && runs[i] == run.value_or(0)) {
        const FigureFormat f(units[i], std::max(std::abs(base[i]), std::abs(variant[i])));
        fmt::print(out, "{}{:<40} {:>12}  {:<24} {}\n", indent, figure_label(name), f.difference(diff[i]),
                   f.interval(low[i], high[i]) + (significant[i] ? " *" : ""), name);
      }
}

// For each key figure, the three parameters that move it most.
void describe_sensitivity(std::FILE* out, const io::h5::File& file) {
  fmt::print(out, "sensitivity of scenario {} (seed {}, {} replications at each end of each range)\n",
             file.read_string_attribute("scenario_name"), file.read_int_attribute("seed").front(),
             file.read_int_attribute("replications").front());
  const Group screened = file.open_group("parameters");
  const auto key = screened.read_strings("parameter");
  const auto low = screened.read_doubles("low");
  const auto high = screened.read_doubles("high");
  require_rows("parameters", key, low, high);
  fmt::print(out, "parameters, each from low to high:\n");
  for (std::size_t i = 0; i < key.size(); ++i)
    fmt::print(out, "  {:<44} {} -> {}\n", key[i], fmt_value(low[i]), fmt_value(high[i]));
  const Group table = file.open_group("sensitivity");
  const auto parameter = table.read_strings("parameter");
  const auto figure = table.read_strings("figure");
  const auto effect = table.read_doubles("effect");
  const auto ci_low = table.read_doubles("ci_low");
  const auto ci_high = table.read_doubles("ci_high");
  const auto rank = table.read_ints("rank");
  require_rows("sensitivity", parameter, figure, effect, ci_low, ci_high, rank);
  fmt::print(out, "largest effects (high - low, division) and their {} intervals:\n", level(table));
  for (const std::string_view name : app::kKeyFigures) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < figure.size(); ++i)
      if (figure[i] == name && std::isfinite(effect[i])) rows.push_back(i);
    if (rows.empty()) continue;
    std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
    rows.resize(std::min<std::size_t>(rows.size(), 3));
    fmt::print(out, "  {}\n", name);
    for (const std::size_t i : rows)
      fmt::print(out, "    {}. {:<40} {:>10}  [{}, {}]\n", rank[i], parameter[i], fmt_value(effect[i]),
                 fmt_value(ci_low[i]), fmt_value(ci_high[i]));
  }
}

// The plan (groups that gain posts), its cost, and each target before and after.
void describe_staffing(std::FILE* out, const io::h5::File& file) {
  fmt::print(out, "staffing plan for scenario {} (seed {}, {} replications, at most {} posts added)\n",
             file.read_string_attribute("scenario_name"), file.read_int_attribute("seed").front(),
             file.read_int_attribute("replications").front(), file.read_int_attribute("max_added").front());
  fmt::print(out, "{}; total cost {}\n",
             file.read_int_attribute("all_met").front() ? "every target met" : "NOT every target met (best plan found)",
             fmt_value(file.read_double_attribute("total_cost")));
  const Group plan = file.open_group("staffing_plan");
  const auto ldu = plan.read_strings("ldu");
  const auto grade = plan.read_strings("grade");
  const auto before = plan.read_ints("establishment_before");
  const auto after = plan.read_ints("establishment_after");
  const auto added = plan.read_ints("added");
  const auto cost = plan.read_doubles("cost");
  require_rows("staffing_plan", ldu, grade, before, after, added, cost);
  fmt::print(out, "posts added:\n");
  for (std::size_t i = 0; i < ldu.size(); ++i)
    if (added[i] > 0)
      fmt::print(out, "  {:<28} {:<5} {} -> {} (+{}), cost {}\n", ldu[i], grade[i], before[i], after[i], added[i],
                 fmt_value(cost[i]));
  const Group targets = file.open_group("targets");
  const auto text = targets.read_strings("text");
  const auto base_bound = targets.read_doubles("base_bound");
  const auto bound = targets.read_doubles("achieved_bound");
  const auto met = targets.read_ints("met");
  require_rows("targets", text, base_bound, bound, met);
  fmt::print(out, "targets, bound of the {} interval before -> after:\n", level(targets));
  for (std::size_t i = 0; i < text.size(); ++i)
    fmt::print(out, "  {:<44} {} -> {}  {}\n", text[i], fmt_value(base_bound[i]), fmt_value(bound[i]),
               met[i] ? "met" : "NOT met");
  fmt::print(out, "{} candidate plans in /search\n", file.open_group("search").read_ints("step").size());
  if (!file.has("recruitment_plan")) return;
  const Group recruitment = file.open_group("recruitment_plan");
  std::int64_t hires = 0, trainees = 0;
  for (const auto n : recruitment.read_ints("experienced_hires")) hires += n;
  for (const auto n : recruitment.read_ints("trainee_starts")) trainees += n;
  const auto by_day = recruitment.read_double_attribute("by_day");
  fmt::print(out, "recruitment by day {}: {} experienced hires and {} trainee starts in {} rows of /recruitment_plan\n",
             fmt_value(by_day), hires, trainees, recruitment.read_ints("experienced_hires").size());
  const auto recruited_met = targets.read_ints("recruitment_met");
  require_rows("targets", text, recruited_met);
  fmt::print(out, "  with them, from day {}: {}\n", fmt_value(by_day),
             std::all_of(recruited_met.begin(), recruited_met.end(), [](auto m) { return m != 0; })
                 ? "every target met"
                 : "NOT every target met");
}

void describe(std::FILE* out, const std::string& path) {
  const io::ResultsFile results = io::open_results(path);
  const io::h5::File& file = results.file;
  const std::string& kind = results.kind;
  const auto& version = results.version;
  fmt::print(out, "{}: caseload {} file, schema {}.{}, engine {}, created {}\n", path, kind, version[0],
             version[1], file.read_string_attribute("engine_version"), file.read_string_attribute("created"));
  if (kind == "run") {
    describe_run(out, file, "");
  } else if (kind == "comparison") {
    fmt::print(out, "base:\n");
    describe_run(out, file.open_group("base"), "  ");
    fmt::print(out, "variant:\n");
    describe_run(out, file.open_group("variant"), "  ");
    fmt::print(out, "paired differences (variant - base), division; * = the {} interval excludes 0:\n",
               level(file.open_group("comparison")));
    describe_differences(out, file.open_group("comparison"), "  ");
  } else if (kind == "sweep") {
    const auto values = file.read_strings("vary_values");
    const std::string key = file.read_string_attribute("vary_key");
    fmt::print(out, "sweep over {} = {}\n", key, fmt::join(values, ", "));
    const Group runs = file.open_group("runs");
    for (std::size_t i = 0; i < values.size(); ++i) {
      fmt::print(out, "{} = {}:\n", key, values[i]);
      describe_run(out, runs.open_group(fmt::format("{:04d}", i)), "  ");
      if (i > 0 && file.has("sweep_differences")) {
        fmt::print(out, "  paired differences from {} = {}, division; * = the {} interval excludes 0:\n", key,
                   values.front(), level(file.open_group("sweep_differences")));
        describe_differences(out, file.open_group("sweep_differences"), "    ", static_cast<std::int64_t>(i));
      }
    }
  } else if (kind == "sensitivity") {
    describe_sensitivity(out, file);
  } else if (kind == "staffing") {
    describe_staffing(out, file);
    fmt::print(out, "base:\n");
    describe_run(out, file.open_group("base"), "  ");
    fmt::print(out, "solution:\n");
    describe_run(out, file.open_group("solution"), "  ");
  } else {
    throw std::runtime_error("unknown kind '" + kind + "'");
  }
}

} // namespace

namespace {

// What the child of info() does: describe the file to `out`, or say what is wrong.
int describe_or_explain(std::FILE* out, const std::string& path) {
  // A file that opens as a caseload file but then lacks a group, an
  // attribute or consistent columns, or whose data fail their checksums, is
  // damaged (or crafted): exit 2 with what is wrong.
  try {
    describe(out, path);
    return 0;
  } catch (const io::InputError& e) {
    fmt::print(stderr, "{}\n", e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n",
               io::InputError(path, 0, 0, std::string("damaged or unreadable caseload file: ") + e.what()).what());
  }
  return 2;
}

// Longer than any whole file takes to describe (info reads its tables, not its records).
constexpr unsigned kInfoSeconds = 120;
// The child's status when it cannot hand its description to the parent.
constexpr int kCannotReport = 3;

} // namespace

int info(std::FILE* out, const std::string& path) {
  // The HDF5 library can crash or loop on a crafted or damaged file (its
  // variable-length attribute text has no checksum), so the file is read in
  // a child process: a crash or a hang there is an exit 2 naming the file,
  // and the description is printed only when it is whole.
  int channel[2];
  if (::pipe(channel) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  ::signal(SIGCHLD, SIG_DFL); // an inherited SIG_IGN would reap the child before waitpid could
  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    ::close(channel[0]);
    ::close(channel[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(error));
  }
  if (child == 0) {
    ::close(channel[0]);
    std::FILE* to_parent = ::fdopen(channel[1], "w");
    ::alarm(kInfoSeconds);
    const int code = to_parent ? describe_or_explain(to_parent, path) : kCannotReport;
    if (to_parent) std::fclose(to_parent);
    std::fflush(stderr);
    ::_exit(code);
  }
  ::close(channel[1]);
  std::string text;
  char buffer[65536];
  for (ssize_t n; (n = ::read(channel[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(channel[0]);
  int status = 0;
  pid_t waited;
  while ((waited = ::waitpid(child, &status, 0)) < 0 && errno == EINTR) {
  }
  if (waited != child) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    throw io::InputError(path, 0, 0,
                         signal == SIGALRM
                             ? fmt::format("damaged or unreadable caseload file: reading it took more than {} s",
                                           kInfoSeconds)
                             : fmt::format("damaged or unreadable caseload file: the HDF5 library failed reading it "
                                           "(signal {}, {})",
                                           signal, ::strsignal(signal)));
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (code == kCannotReport) throw std::runtime_error("cannot pass the description on (fdopen)");
  // The child ends with 0 or 2 by itself; any other status is a failure inside
  // the library that a checker turned into an exit (AddressSanitizer's is 1).
  if (code != 0 && code != 2)
    throw io::InputError(path, 0, 0,
                         fmt::format("damaged or unreadable caseload file: the HDF5 library failed reading it (exit "
                                     "status {})",
                                     code));
  if (code == 0) std::fwrite(text.data(), 1, text.size(), out);
  return code;
}

} // namespace caseload::cli
