// Writing while the simulation runs: the job thread a part file is written
// by, and the writers of finished replications closed behind the run.
#include "caseload/app/experiment.hpp"
#include "caseload/app/headline.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/io/job_thread.hpp"
#include "caseload/io/output_writer.hpp"
#include "caseload/io/pages.hpp"
#include "caseload/replication/simulation.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace caseload;

TEST(JobThread, RunsJobsOneAtATimeInTheOrderPosted) {
  std::vector<int> ran; // touched only by the job thread until wait() returns
  {
    io::JobThread jobs(2); // fewer places than jobs: post() waits for room
    for (int i = 0; i < 50; ++i) jobs.post([&ran, i] { ran.push_back(i); });
    jobs.wait();
    std::vector<int> expected(50);
    for (int i = 0; i < 50; ++i) expected[static_cast<std::size_t>(i)] = i;
    EXPECT_EQ(ran, expected);
  }
}

TEST(JobThread, WaitThrowsTheFirstFailureAndLaterJobsAreDropped) {
  io::JobThread jobs(8);
  std::atomic<int> after{0};
  std::latch hold(1);
  jobs.post([&] { hold.wait(); }); // the three below are waiting when the first fails
  jobs.post([] { throw std::runtime_error("disk full"); });
  jobs.post([] { throw std::runtime_error("second"); });
  jobs.post([&] { ++after; });
  hold.count_down();
  try {
    jobs.wait();
    FAIL() << "wait() returned after a job failed";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
  jobs.post([&] { ++after; }); // dropped too: the writer is broken
  EXPECT_THROW(jobs.wait(), std::runtime_error);
  EXPECT_THROW(jobs.check(), std::runtime_error); // and said at once, without waiting
  EXPECT_EQ(after.load(), 0);
}

TEST(JobThread, CheckSaysNothingWhileNoJobFailed) {
  io::JobThread jobs(2);
  std::latch hold(1);
  jobs.post([&] { hold.wait(); });
  EXPECT_NO_THROW(jobs.check()); // a job still running is no failure
  hold.count_down();
  jobs.wait();
  EXPECT_NO_THROW(jobs.check());
}

TEST(JobThread, HintsRunInOrderAreDroppedPastTheirLimitAndNeverHoldUpAPost) {
  io::JobThread jobs(1);
  std::latch running(1);
  std::latch hold(1);
  jobs.post([&] {
    running.count_down();
    hold.wait();
  });
  running.wait(); // the first job runs: post()'s one place is free again
  std::vector<int> ran; // touched only by the job thread until wait() returns
  std::vector<int> expected;
  for (int i = 0; i < static_cast<int>(io::JobThread::kMaxHints); ++i) {
    EXPECT_TRUE(jobs.try_post([&ran, i] { ran.push_back(i); }));
    expected.push_back(i);
  }
  EXPECT_FALSE(jobs.try_post([&] { ran.push_back(-1); })); // as many waiting as may: dropped, not waited for
  jobs.post([&] { ran.push_back(100); }); // the hints take none of post()'s places: this does not wait
  hold.count_down();
  jobs.wait();
  expected.push_back(100);
  EXPECT_EQ(ran, expected); // in the order posted
  EXPECT_TRUE(jobs.try_post([&] { ran.push_back(4); }));
  expected.push_back(4);
  jobs.post([] { throw std::runtime_error("disk full"); });
  EXPECT_THROW(jobs.wait(), std::runtime_error);
  EXPECT_FALSE(jobs.try_post([&] { ran.push_back(5); })); // after a failure, as post(): dropped
  EXPECT_EQ(ran, expected);
}

namespace {

// Which pages of [begin, begin + bytes) (page-aligned) are backed by memory.
std::vector<bool> resident_pages(const void* begin, std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((bytes + page - 1) / page);
  if (::mincore(const_cast<void*>(begin), bytes, in_core.data()) != 0) throw std::runtime_error("mincore");
  std::vector<bool> resident(in_core.size());
  std::transform(in_core.begin(), in_core.end(), resident.begin(), [](unsigned char c) { return (c & 1) != 0; });
  return resident;
}

// Whether this kernel backs pages on request (MADV_POPULATE_WRITE, Linux 5.14).
bool kernel_backs_pages() {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* map = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw std::runtime_error("mmap");
  const bool backs = io::prepare_pages_for_writing(map, page);
  ::munmap(map, page);
  return backs;
}

} // namespace

TEST(Pages, PreparedPagesAreBackedAndKeepTheirValues) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t pages = 64;
  void* map = ::mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  auto* bytes = static_cast<unsigned char*>(map);
  bytes[page + 7] = 42; // page 1 written before
  std::vector<bool> expected(pages, false);
  expected[1] = true;
  EXPECT_EQ(resident_pages(map, pages * page), expected);
  // From the middle of page 1 to the middle of page 11: pages 1 to 11, whole.
  if (!kernel_backs_pages()) {
    ::munmap(map, pages * page);
    GTEST_SKIP() << "this kernel cannot back pages on request (MADV_POPULATE_WRITE, Linux 5.14)";
  }
  EXPECT_TRUE(io::prepare_pages_for_writing(bytes + page + page / 2, 10 * page));
  std::fill(expected.begin() + 1, expected.begin() + 12, true);
  EXPECT_EQ(resident_pages(map, pages * page), expected);
  EXPECT_EQ(bytes[page + 7], 42); // kept
  EXPECT_EQ(bytes[5 * page], 0);
  EXPECT_EQ(std::count(bytes, bytes + pages * page, 0), static_cast<std::ptrdiff_t>(pages * page - 1)); // and no other written
  ::munmap(map, pages * page);
}

TEST(Pages, AVectorsReservedElementsArePreparedAndNoOthers) {
  if (!kernel_backs_pages()) GTEST_SKIP() << "this kernel cannot back pages on request";
  // 64 MB: past glibc's largest mmap threshold, so the storage is fresh pages of its own.
  std::vector<double> values;
  values.reserve(8u << 20);
  values.push_back(1.0);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(values.data()) / page * page;
  // Pages of 4 kB: where transparent huge pages are on for every mapping,
  // backing a range may back the 2 MB around it.
  ::madvise(reinterpret_cast<void*>(start), values.capacity() * sizeof(double), MADV_NOHUGEPAGE);
  const std::size_t from = 3u << 20;
  const std::size_t to = from + (1u << 18); // 2 MB of doubles
  io::PagesToPrepare pages;
  pages.add(values, from, to);
  pages();
  const std::vector<bool> resident =
      resident_pages(reinterpret_cast<const void*>(start), values.capacity() * sizeof(double));
  const auto page_of = [&](std::size_t element) {
    return (reinterpret_cast<std::uintptr_t>(values.data()) + element * sizeof(double) - start) / page;
  };
  for (std::size_t p = 0; p < resident.size(); ++p) {
    const bool asked = p >= page_of(from) && p <= page_of(to - 1);
    if (p >= page_of(1u << 20)) { // not the first pages: the element written, and a sanitizer's fill
      EXPECT_EQ(resident[p], asked) << "page " << p;
    }
  }
  EXPECT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0], 1.0);
}

TEST(Pages, RowsAreAskedForASliceAtATimeAsFarAsTheLeadAndNoFurtherThanTheBuffer) {
  io::RowsAhead ahead(100, 16, 32); // a buffer of 100 rows; 16 a slice, up to 32 rows ahead
  using Rows = std::pair<std::size_t, std::size_t>;
  // Asks for the slices next() gives once `filled` rows are filled; what it asked for.
  const auto ask = [&](std::size_t filled) {
    std::vector<Rows> asked;
    while (const auto rows = ahead.next(filled)) {
      asked.push_back(*rows);
      ahead.asked(rows->second);
    }
    return asked;
  };
  EXPECT_EQ(ask(0), (std::vector<Rows>{{0, 16}, {16, 32}}));
  EXPECT_EQ(ask(10), (std::vector<Rows>{{32, 48}}));  // up to row 42
  EXPECT_EQ(ask(16), (std::vector<Rows>{}));         // row 48 is asked for already
  EXPECT_EQ(ask(60), (std::vector<Rows>{{48, 64}, {64, 80}, {80, 96}}));
  EXPECT_EQ(ask(90), (std::vector<Rows>{{96, 100}})); // the last slice ends with the buffer
  EXPECT_EQ(ask(100), (std::vector<Rows>{}));
  ahead.restart(); // another buffer
  EXPECT_EQ(ask(0), (std::vector<Rows>{{0, 16}, {16, 32}}));
}

namespace {

// A writer that records when it is closed, and may fail then.
struct FakeWriter final : app::ReplicationWriter {
  FakeWriter(int id, std::vector<int>& closed, bool fails) : id(id), closed(closed), fails(fails) {}
  void tasks(std::span<const model::Task>) override {}
  void victims(std::span<const model::VictimCase>) override {}
  void task_final(std::uint32_t, const model::Task&) override {}
  void victim_final(std::uint32_t, const model::VictimCase&) override {}
  void finish(model::ReplicationResult&&, app::FigureTable) override { finished = true; }
  void close() override { // called from the worker threads, two at once
    {
      static std::mutex mutex;
      const std::lock_guard lock(mutex);
      closed.push_back(id);
    }
    if (fails) throw std::runtime_error("cannot write replication " + std::to_string(id));
  }
  int id;
  std::vector<int>& closed;
  bool fails;
  bool finished = false;
};

} // namespace

TEST(ClosingWriters, KeepsAtMostTheLimitOpenClosingTheOldestFirst) {
  std::vector<int> closed;
  app::ClosingWriters closing(2);
  for (int i = 0; i < 5; ++i) {
    closing.add(std::make_unique<FakeWriter>(i, closed, false));
    // After adding writer i, writers 0 .. i-2 are closed: two stay open.
    std::vector<int> expected;
    for (int k = 0; k + 2 <= i; ++k) expected.push_back(k);
    EXPECT_EQ(closed, expected) << i;
  }
  closing.close_all();
  EXPECT_EQ(closed, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(ClosingWriters, WaitsForEveryWriterEvenAfterOneFailed) {
  // The others' parts are whole and kept for --resume.
  std::vector<int> closed;
  app::ClosingWriters closing(3);
  closing.add(std::make_unique<FakeWriter>(0, closed, true));
  closing.add(std::make_unique<FakeWriter>(1, closed, false));
  EXPECT_THROW(closing.close_all(), std::runtime_error);
  EXPECT_EQ(closed, (std::vector<int>{0, 1}));
}

TEST(ClosingWriters, AReplicationWhoseFileFailsFailsTheRun) {
  // The writing goes on after the replication's sink returned; its failure
  // must still end the run with that failure, not a file short of a replication.
  const model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  for (const int threads : {1, 2}) {
    std::vector<int> closed;
    std::vector<FakeWriter*> writers(4, nullptr);
    const int which[] = {0, 1, 2, 3};
    int sunk = 0;
    try {
      app::for_each_replication(
          s, which, threads,
          [&](int r, model::ReplicationResult&& result, app::ReplicationWriter* writer) {
            ++sunk;
            ASSERT_NE(writer, nullptr);
            writer->finish(std::move(result), {});
            EXPECT_EQ(writer, writers[static_cast<std::size_t>(r)]);
          },
          [&](int r) {
            auto w = std::make_unique<FakeWriter>(r, closed, r == 3);
            writers[static_cast<std::size_t>(r)] = w.get();
            return w;
          });
      FAIL() << "the run ended without the failure, threads " << threads;
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "cannot write replication 3") << threads;
    }
    EXPECT_EQ(sunk, 4) << threads;
    std::sort(closed.begin(), closed.end());
    EXPECT_EQ(closed, (std::vector<int>{0, 1, 2, 3})) << threads;
  }
}

TEST(ResultsAssembler, AFilePutTogetherAsPartsComeIsTheFilePutTogetherAtTheEnd) {
  // Whatever order the parts become whole in, and however the copying
  // interleaves with the run, the file is byte for byte the one
  // write_results makes from the same parts at the end (which an MPI run's
  // leader writes): the same calls in the same order.
  model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  const auto dir = std::filesystem::temp_directory_path() / ("caseload-assembler-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const io::RunMetadata meta{"test", "2026-12-02T00:00:00Z", {io::h5::Compression::Codec::deflate, 1}};
  constexpr int kReplications = 3;
  std::vector<std::filesystem::path> parts;
  std::vector<app::FigureTable> rows;
  for (int r = 0; r < kReplications; ++r) {
    parts.push_back(dir / ("part-" + std::to_string(r) + ".h5"));
    io::PartWriter writer(parts.back(), meta, s, static_cast<std::size_t>(r));
    replication::Simulation sim(s, static_cast<std::uint32_t>(r));
    sim.set_record_sink(&writer);
    model::ReplicationResult result = sim.run();
    rows.push_back(app::figures_of(s, result, static_cast<std::size_t>(r)));
    writer.finish(std::move(result), rows.back());
    writer.close();
  }
  const app::RunSummary summary = app::summary_of(app::figure_columns(s), rows);
  const io::RunOutput run{&s, "resolved", "source", {}, &summary, parts};

  const auto at_end = dir / "at-end.h5", as_they_come = dir / "as-they-come.h5";
  io::write_atomically(at_end, [&](const std::filesystem::path& tmp) { io::write_results(tmp, meta, run); });
  {
    io::ResultsAssembler assembler(as_they_come, meta, {&s, "resolved", "source", {}, nullptr, {}}, kReplications);
    for (const int r : {2, 0, 1}) assembler.part_ready(static_cast<std::size_t>(r), parts[static_cast<std::size_t>(r)]);
    assembler.finish(summary);
  }
  const auto bytes = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  };
  const auto a = bytes(at_end), b = bytes(as_they_come);
  EXPECT_GT(a.size(), 10'000u);
  EXPECT_TRUE(a == b) << "sizes " << a.size() << " and " << b.size();
  std::filesystem::remove_all(dir);
}

TEST(ResultsFile, SnapshotsOtherThanTheScenarioFixesAreRefused) {
  // The snapshot series' shapes come from the scenario (model::snapshot_count):
  // a replication with another count is a bug, said as such, not a file
  // whose shapes disagree.
  model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  std::vector<model::ReplicationResult> results{replication::run_keeping_records(s, 0)};
  results[0].snapshots.time_days.pop_back();
  const std::vector<app::FigureTable> rows{app::figures_of(s, replication::run_keeping_records(s, 0), 0)};
  const app::RunSummary summary = app::summary_of(app::figure_columns(s), rows);
  const auto out = std::filesystem::temp_directory_path() / ("caseload-snapshots-" + std::to_string(::getpid()) + ".h5");
  try {
    io::write_atomically(out, [&](const std::filesystem::path& tmp) {
      io::write_results(tmp, {"test", "now", {}}, {&s, "", "", results, &summary, {}});
    });
    FAIL() << "written";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("snapshots: " + std::to_string(model::snapshot_count(s) - 1) + " taken"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ResultsAssembler, AFileNotFinishedIsNotLeftBehind) {
  model::Scenario s = test::parse(test::two_ldu_scenario("policy = \"random\""));
  const auto out = std::filesystem::temp_directory_path() / ("caseload-unfinished-" + std::to_string(::getpid()) + ".h5");
  {
    io::ResultsAssembler assembler(out, {"test", "now", {}}, {&s, "", "", {}, nullptr, {}}, 2);
  } // a run that failed: no part came
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(out.parent_path()))
    EXPECT_EQ(entry.path().filename().string().find(out.filename().string() + ".tmp-"), std::string::npos)
        << entry.path();
}
