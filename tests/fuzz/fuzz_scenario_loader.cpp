// libFuzzer harness for the scenario loader (issue 12). Any text must either
// be refused with an InputError (the CLI's exit 2) or load; a scenario that
// loads must survive write -> re-read -> identical resolved text, and its
// run's budget must be computable. Anything else (another exception, a
// crash, a sanitizer report, a difference) is a finding.
//
//   cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/tests/fuzz/fuzz_scenario_loader -max_total_time=600 tests/fuzz/corpus scenarios

#include "caseload/app/budget.hpp"
#include "caseload/io/input_error.hpp"
#include "caseload/io/scenario_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  caseload::io::LoadedScenario loaded;
  try {
    loaded = caseload::io::parse_scenario(text, "fuzz.toml");
  } catch (const caseload::io::InputError&) {
    return 0; // refused with a message: what the CLI turns into exit 2
  }
  const std::string resolved = caseload::io::resolved_toml(loaded.scenario);
  std::string again;
  try {
    again = caseload::io::resolved_toml(caseload::io::parse_scenario(resolved, "resolved.toml").scenario);
  } catch (const caseload::io::InputError& e) {
    std::fprintf(stderr, "a loaded scenario's resolved text does not load:\n%s\n--- resolved ---\n%s\n", e.what(),
                 resolved.c_str());
    __builtin_trap();
  }
  if (again != resolved) {
    std::fprintf(stderr, "write -> re-read changed the scenario:\n--- first ---\n%s\n--- again ---\n%s\n",
                 resolved.c_str(), again.c_str());
    __builtin_trap();
  }
  (void)caseload::app::estimate_run(loaded.scenario, loaded.scenario.replications, 2);
  return 0;
}
