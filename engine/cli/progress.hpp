#pragma once
// A progress bar on stderr while replications run, drawn only when stderr is
// a terminal: replications done, simulated weeks, events per second, time left.

#include <chrono>
#include <cstdint>
#include <string>

namespace caseload::cli {

class Progress {
public:
  // `already`: replications an interrupted run finished (not timed here).
  Progress(std::string label, int total, double horizon_days, bool enabled, int already = 0);
  // After each replication (calls are serialised by the runner).
  void update(int done, int total, std::uint64_t events);
  void finish();

private:
  std::string label_;
  double horizon_days_;
  bool draw_;
  int already_;
  bool drawn_ = false;
  std::uint64_t events_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace caseload::cli
