#include "caseload/app/experiment.hpp"

#include "caseload/replication/simulation.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace caseload::app {

std::vector<model::ReplicationResult> run_replications(const model::Scenario& scenario, int replications,
                                                int threads, const ProgressCallback& progress) {
  std::vector<model::ReplicationResult> results(static_cast<std::size_t>(replications));
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, replications);

  std::atomic<int> next{0};
  std::mutex mutex; // guards done, failure and the progress callback
  int done = 0;
  std::exception_ptr failure;
  auto worker = [&] {
    for (int r; (r = next.fetch_add(1)) < replications;) {
      try {
        replication::Simulation sim(scenario, static_cast<std::uint32_t>(r));
        results[static_cast<std::size_t>(r)] = sim.run();
        const std::lock_guard lock(mutex);
        ++done;
        if (progress) progress(done, replications, results[static_cast<std::size_t>(r)]);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next = replications; // stop handing out work
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  if (failure) std::rethrow_exception(failure);
  return results;
}

} // namespace caseload::model
