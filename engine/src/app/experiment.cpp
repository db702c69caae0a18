#include "caseload/app/experiment.hpp"

#include "caseload/replication/simulation.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

namespace caseload::app {

void ClosingWriters::add(std::unique_ptr<ReplicationWriter> writer) {
  std::unique_ptr<ReplicationWriter> oldest;
  {
    const std::lock_guard lock(mutex_);
    open_.push_back(std::move(writer));
    if (open_.size() <= limit_) return;
    oldest = std::move(open_.front());
    open_.pop_front();
  }
  oldest->close(); // while the others go on
}

void ClosingWriters::close_all() {
  // Every one waited for, even after one failed: the others' parts are
  // whole, and kept for --resume.
  const std::lock_guard lock(mutex_);
  std::exception_ptr failure;
  for (; !open_.empty(); open_.pop_front()) {
    try {
      open_.front()->close();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

void for_each_replication(const model::Scenario& scenario, std::span<const int> which, int threads,
                          const ReplicationSink& sink, const LocalSink& local, bool keep_officer_series) {
  const int count = static_cast<int>(which.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min(threads, count));

  std::atomic<int> next{0};
  std::mutex mutex; // guards failure and the sink
  std::exception_ptr failure;
  // A finished replication's file is written while the next one runs: one
  // writing for each thread.
  ClosingWriters closing(static_cast<std::size_t>(threads));
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < count;) {
      try {
        const int r = which[static_cast<std::size_t>(i)];
        std::unique_ptr<ReplicationWriter> writer = local ? local(r) : nullptr;
        replication::Simulation sim(scenario, static_cast<std::uint32_t>(r));
        sim.set_record_sink(writer.get());
        sim.set_keep_officer_series(keep_officer_series);
        auto result = sim.run();
        {
          const std::lock_guard lock(mutex);
          if (failure) return;
          sink(r, std::move(result), writer.get());
        }
        if (writer) closing.add(std::move(writer));
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next = count; // stop handing out work
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  try { // parts finished before a failure are kept, whole, for --resume
    closing.close_all();
  } catch (...) {
    if (!failure) failure = std::current_exception();
  }
  if (failure) std::rethrow_exception(failure);
}

std::vector<model::ReplicationResult> run_replications(const model::Scenario& scenario, int replications,
                                                int threads, const ProgressCallback& progress) {
  std::vector<model::ReplicationResult> results(static_cast<std::size_t>(replications));
  std::vector<int> all(static_cast<std::size_t>(replications));
  std::iota(all.begin(), all.end(), 0);
  int done = 0;
  for_each_replication(scenario, all, threads, [&](int r, model::ReplicationResult&& result, ReplicationWriter*) {
    auto& slot = results[static_cast<std::size_t>(r)];
    slot = std::move(result);
    if (progress) progress(++done, replications, slot.events);
  });
  return results;
}

std::vector<ReplicationFigures> run_figures(const model::Scenario& scenario, std::vector<int>& which,
                                            const Workers& workers, const LocalSink& local,
                                            const ProgressCallback& progress) {
  if (workers.spread()) return workers.cluster->run(scenario, which, workers.threads, local, progress);
  std::vector<ReplicationFigures> out(which.size());
  std::vector<std::size_t> slot_of(which.empty() ? 0 : static_cast<std::size_t>(*std::max_element(which.begin(), which.end())) + 1);
  for (std::size_t i = 0; i < which.size(); ++i) slot_of[static_cast<std::size_t>(which[i])] = i;
  int done = 0;
  const int total = static_cast<int>(which.size());
  for_each_replication(
      scenario, which, workers.threads,
      [&](int r, model::ReplicationResult&& result, ReplicationWriter* writer) {
        auto& mine = out[slot_of[static_cast<std::size_t>(r)]];
        mine.rows = figures_of(scenario, result, static_cast<std::size_t>(r));
        mine.events = result.events;
        if (writer != nullptr) writer->finish(std::move(result), mine.rows);
        if (progress) progress(++done, total, mine.events);
      },
      local, false);
  return out;
}

RunSummary summarise_replications(const model::Scenario& scenario, const Workers& workers, double confidence,
                                  const ProgressCallback& progress) {
  std::vector<int> all(static_cast<std::size_t>(scenario.replications));
  std::iota(all.begin(), all.end(), 0);
  const auto figures = run_figures(scenario, all, workers, {}, progress);
  std::vector<FigureTable> rows;
  rows.reserve(figures.size());
  for (const auto& f : figures) rows.push_back(f.rows);
  return summary_of(figure_columns(scenario), rows, confidence);
}

} // namespace caseload::app
