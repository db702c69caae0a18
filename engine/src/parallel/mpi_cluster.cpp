#include "caseload/parallel/mpi_cluster.hpp"

#include "caseload/replication/simulation.hpp"

#include <mpi.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace caseload::parallel {
namespace {

enum Tag : int { kRequest = 1, kWork = 2, kResult = 3 };

// A failure on a process other than the leader cannot be handed back through
// the exchange in progress: it ends the whole run, with its message.
[[noreturn]] void abort_run(const std::string& what) {
  std::fprintf(stderr, "caseload: error: %s\n", what.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();
}

int resolved_threads(int threads) {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// One finished replication as the processes send it: its number, its
// events, then its figure values (app::figure_values).
void pack(std::vector<double>& into, int replication, std::uint64_t events, const app::FigureTable& rows) {
  into.push_back(replication);
  into.push_back(static_cast<double>(events)); // exact below 2^53 events
  const auto values = app::figure_values(rows);
  into.insert(into.end(), values.begin(), values.end());
}

} // namespace

bool started_by_mpi_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(name)) return true;
  return false;
}

std::unique_ptr<MpiCluster> MpiCluster::join(int& argc, char**& argv) {
  if (!started_by_mpi_launcher()) return nullptr;
  int provided = 0;
  // Only each process's main thread calls MPI; its worker threads simulate.
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return nullptr;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return std::unique_ptr<MpiCluster>(new MpiCluster(rank, size));
}

MpiCluster::~MpiCluster() { MPI_Finalize(); }

int MpiCluster::broadcast(int value) const {
  MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return value;
}

int MpiCluster::agree(int status) const {
  int worst = status;
  MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return worst;
}

std::vector<app::ReplicationFigures> MpiCluster::run(const model::Scenario& scenario, std::vector<int>& which,
                                                     int threads, const app::LocalSink& local,
                                                     const app::ProgressCallback& progress) const {
  // Every process works on the leader's list.
  int n = broadcast(static_cast<int>(which.size()));
  which.resize(static_cast<std::size_t>(n));
  MPI_Bcast(which.data(), n, MPI_INT, 0, MPI_COMM_WORLD);
  threads = resolved_threads(threads);

  const app::FigureTable columns = app::figure_columns(scenario);
  const std::size_t block = 2 + columns.rows_per_replication * columns.columns.size();
  std::vector<std::size_t> slot_of(which.empty() ? 0 : static_cast<std::size_t>(*std::max_element(which.begin(), which.end())) + 1);
  for (std::size_t i = 0; i < which.size(); ++i) slot_of[static_cast<std::size_t>(which[i])] = i;
  std::vector<app::ReplicationFigures> out(which.size());
  const auto unpack = [&](const double* at) {
    const int r = static_cast<int>(at[0]);
    auto& f = out[slot_of[static_cast<std::size_t>(r)]];
    f.events = static_cast<std::uint64_t>(at[1]);
    f.rows = app::figures_from_values(scenario, columns, static_cast<std::size_t>(r),
                                      std::span<const double>(at + 2, block - 2));
    return f.events;
  };

  std::vector<double> all; // every replication, packed: the leader shares it at the end
  int status = 0;
  std::exception_ptr failure;
  if (leader()) {
    std::mutex mutex; // guards the queue, `out`, `done`, `failure`, `local` and `progress`
    std::deque<int> queue(which.begin(), which.end());
    app::ClosingWriters closing(static_cast<std::size_t>(threads)); // files written while the next replication runs
    int done = 0;
    const auto finished = [&](std::uint64_t events) {
      if (progress) progress(++done, n, events);
    };
    // The leader's own threads take from the same queue as the other processes.
    const auto simulate = [&] {
      for (;;) {
        int r;
        {
          const std::lock_guard lock(mutex);
          if (queue.empty()) return;
          r = queue.front();
          queue.pop_front();
        }
        try {
          std::unique_ptr<app::ReplicationWriter> writer = local ? local(r) : nullptr;
          replication::Simulation sim(scenario, static_cast<std::uint32_t>(r));
          sim.set_record_sink(writer.get());
          sim.set_keep_officer_series(false); // only figures are kept, as in app::run_figures
          auto result = sim.run();
          auto rows = app::figures_of(scenario, result, static_cast<std::size_t>(r));
          {
            const std::lock_guard lock(mutex);
            auto& f = out[slot_of[static_cast<std::size_t>(r)]];
            f.events = result.events;
            if (writer) writer->finish(std::move(result), rows);
            f.rows = std::move(rows);
            finished(f.events);
          }
          if (writer) closing.add(std::move(writer));
        } catch (...) {
          const std::lock_guard lock(mutex);
          if (!failure) failure = std::current_exception();
          queue.clear(); // hand out nothing more
        }
      }
    };
    {
      std::vector<std::jthread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(simulate);
      // This thread serves the other processes until each has been told there is no more.
      for (int active = size_ - 1; active > 0;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
          std::this_thread::sleep_for(std::chrono::microseconds(200)); // not a busy wait: cores simulate
          continue;
        }
        if (st.MPI_TAG == kRequest) {
          int capacity = 0;
          MPI_Recv(&capacity, 1, MPI_INT, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          std::vector<int> batch;
          {
            const std::lock_guard lock(mutex);
            while (!queue.empty() && static_cast<int>(batch.size()) < capacity) {
              batch.push_back(queue.front());
              queue.pop_front();
            }
          }
          MPI_Send(batch.data(), static_cast<int>(batch.size()), MPI_INT, st.MPI_SOURCE, kWork, MPI_COMM_WORLD);
          if (batch.empty()) --active;
        } else {
          int count = 0;
          MPI_Get_count(&st, MPI_DOUBLE, &count);
          std::vector<double> buffer(static_cast<std::size_t>(count));
          MPI_Recv(buffer.data(), count, MPI_DOUBLE, st.MPI_SOURCE, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          const std::lock_guard lock(mutex);
          try {
            for (std::size_t at = 0; at + block <= buffer.size(); at += block) finished(unpack(buffer.data() + at));
          } catch (...) {
            // Failed here (memory, the progress bar): hand out nothing more,
            // but go on answering, so that every process reaches the end.
            if (!failure) failure = std::current_exception();
            queue.clear();
          }
        }
      }
    } // the leader's threads are done
    try { // parts finished before a failure are kept, whole, for --resume
      closing.close_all();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
    status = failure ? 1 : 0;
    if (!failure)
      for (std::size_t i = 0; i < out.size(); ++i) pack(all, which[i], out[i].events, out[i].rows);
  } else {
    for (;;) {
      MPI_Send(&threads, 1, MPI_INT, 0, kRequest, MPI_COMM_WORLD);
      MPI_Status st;
      MPI_Probe(0, kWork, MPI_COMM_WORLD, &st);
      int count = 0;
      MPI_Get_count(&st, MPI_INT, &count);
      std::vector<int> batch(static_cast<std::size_t>(count));
      MPI_Recv(batch.data(), count, MPI_INT, 0, kWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (batch.empty()) break;
      std::vector<double> results;
      try {
        app::for_each_replication(
            scenario, batch, threads,
            [&](int r, model::ReplicationResult&& result, app::ReplicationWriter* writer) {
              const auto rows = app::figures_of(scenario, result, static_cast<std::size_t>(r));
              pack(results, r, result.events, rows);
              if (writer != nullptr) writer->finish(std::move(result), rows);
            },
            local, false);
      } catch (const std::exception& e) {
        abort_run(fmt::format("process {} of the MPI run: {}", rank_, e.what()));
      }
      MPI_Send(results.data(), static_cast<int>(results.size()), MPI_DOUBLE, 0, kResult, MPI_COMM_WORLD);
    }
  }

  // The leader's outcome, then every replication's figures, on every process.
  if (broadcast(status) != 0) {
    if (failure) std::rethrow_exception(failure);
    throw app::ClusterFailure();
  }
  all.resize(static_cast<std::size_t>(n) * block);
  constexpr std::size_t kPiece = std::size_t{1} << 26; // MPI counts are ints: share in pieces
  for (std::size_t at = 0; at < all.size(); at += kPiece)
    MPI_Bcast(all.data() + at, static_cast<int>(std::min(kPiece, all.size() - at)), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (!leader())
    for (std::size_t at = 0; at < all.size(); at += block) unpack(all.data() + at);
  return out;
}

} // namespace caseload::parallel
