// Task and victim records: the window that holds only those that may still
// change, the summary of those released, and the part file they stream to.

#include "caseload/app/headline.hpp"
#include "caseload/io/hdf5.hpp"
#include "caseload/io/output_writer.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "caseload/replication/simulation.hpp"
#include "caseload/sim/record_window.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <type_traits>
#include <unistd.h>

using namespace caseload;

namespace {

struct Item {
  std::uint32_t value = 0;
  bool done = false;
};
using Window = sim::RecordWindow<Item, 4>;

// Every record handed on, in order, the size of each span, and the records
// handed again once final (id, value).
struct Handed {
  std::vector<std::uint32_t> values;
  std::vector<std::size_t> spans;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> finals;
  std::size_t next = 0;
  void block(std::span<const Item> items, std::size_t first, bool) {
    EXPECT_EQ(first, next); // consecutive, from id 0
    next += items.size();
    spans.push_back(items.size());
    for (const Item& i : items) values.push_back(i.value);
  }
  void final(std::uint32_t id, const Item& item) { finals.emplace_back(id, item.value); }
};

bool is_done(const Item& i) { return i.done; }

} // namespace

TEST(RecordWindow, ReleasesTheFrontInIdOrderAndHandsOnWholeBlocks) {
  Window w;
  for (std::uint32_t i = 0; i < 10; ++i) EXPECT_EQ(w.push_back(Item{i * 10, false}), i);
  Handed out;
  // Records 1 to 6 final, 0 not: nothing can leave before it.
  for (std::uint32_t i = 1; i <= 6; ++i) w[i].done = true;
  w.release(is_done, out);
  EXPECT_EQ(w.base(), 0u);
  EXPECT_TRUE(out.values.empty());
  // With 0 final, 0 to 6 leave; only the first block (0-3) is handed on whole.
  w[0].done = true;
  w.release(is_done, out);
  EXPECT_EQ(w.base(), 7u);
  EXPECT_TRUE(w.released(6));
  EXPECT_FALSE(w.released(7));
  EXPECT_EQ(out.values, (std::vector<std::uint32_t>{0, 10, 20, 30}));
  EXPECT_EQ(out.spans, (std::vector<std::size_t>{4}));
  // Records still held keep their ids and values, new ones follow on.
  EXPECT_EQ(w[8].value, 80u);
  EXPECT_EQ(w.push_back(Item{100, false}), 10u);
  // At the end, the rest in id order, final or not: the second block whole, then the part of the third.
  w.release_all(out);
  EXPECT_EQ(w.base(), 11u);
  EXPECT_EQ(out.values, (std::vector<std::uint32_t>{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  EXPECT_EQ(out.spans, (std::vector<std::size_t>{4, 4, 3}));
  EXPECT_TRUE(out.finals.empty());
}

TEST(RecordWindow, ARecordOpenLongIsKeptApartAndItsBlocksGoOn) {
  // Two blocks at most: record 1 stays open while 20 more pass; its block
  // goes on with it as it is, and it comes again once final.
  sim::RecordWindow<Item, 4> w(2);
  Handed out;
  for (std::uint32_t i = 0; i < 20; ++i) {
    w.push_back(Item{i, i != 1});
    w.release(is_done, out);
  }
  EXPECT_EQ(w.stragglers(), 1u);
  EXPECT_FALSE(w.released(1));
  EXPECT_TRUE(w.released(2));
  using Small = sim::RecordWindow<Item, 4>;
  EXPECT_LE(w.held_bytes(), 3 * (4 * sizeof(Item) + sizeof(std::unique_ptr<Item[]>)) + Small::straggler_bytes);
  ASSERT_GE(out.values.size(), 4u);
  EXPECT_EQ(out.values[1], 1u);
  w[1].value = 101; // still open, still changing
  w.settle(1, is_done, out);
  EXPECT_TRUE(out.finals.empty());
  w[1].done = true;
  w.settle(1, is_done, out);
  EXPECT_EQ(out.finals, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{1, 101}}));
  EXPECT_EQ(w.stragglers(), 0u);
  w.release_all(out);
  ASSERT_EQ(out.values.size(), 20u);
  EXPECT_EQ(out.finals.size(), 1u);
}

TEST(RecordWindow, GrowsWhileItsFrontBlockIsMostlyOpenRatherThanKeepRecordsApart) {
  // Every record stays open for 24 ids (six blocks of 4) against a window of
  // two blocks: a fixed window would keep nearly all of them apart, each read
  // a hash lookup; the window grows to span them instead, and none is kept apart.
  sim::RecordWindow<Item, 4> w(2);
  Handed out;
  constexpr std::uint32_t kOpenFor = 24;
  for (std::uint32_t i = 0; i < 400; ++i) {
    w.push_back(Item{i, false});
    if (i >= kOpenFor) w[i - kOpenFor].done = true;
    w.release(is_done, out);
  }
  EXPECT_EQ(w.stragglers(), 0u);
  EXPECT_EQ(w.base(), 400u - kOpenFor);
  // What is held is the open records' blocks and at most one more on each side.
  EXPECT_LE(w.peak_bytes(), (kOpenFor / 4 + 2) * (4 * sizeof(Item) + sizeof(std::unique_ptr<Item[]>)));
  // A front block with one record of four open (the rest final) still goes on, that one kept apart.
  sim::RecordWindow<Item, 4> v(2);
  Handed rest;
  for (std::uint32_t i = 0; i < 16; ++i) {
    v.push_back(Item{i, i != 0});
    v.release(is_done, rest);
  }
  EXPECT_EQ(v.stragglers(), 1u);
  EXPECT_GE(v.base(), 12u); // blocks of final records behind it went on as well
  // A cohort open all run (the first three of four records, like day 0's
  // victim cases) ahead of records that are final at once: the window must
  // not grow to hold every later block behind it; the cohort is kept apart.
  sim::RecordWindow<Item, 4> c(2);
  Handed cohort;
  for (std::uint32_t i = 0; i < 400; ++i) {
    c.push_back(Item{i, i >= 3});
    c.release(is_done, cohort);
  }
  EXPECT_EQ(c.stragglers(), 3u);
  using Small = sim::RecordWindow<Item, 4>;
  EXPECT_LE(c.peak_bytes(), 3 * (4 * sizeof(Item) + sizeof(std::unique_ptr<Item[]>)) + 3 * Small::straggler_bytes);
}

TEST(RecordWindow, HoldsOnlyTheBlocksBetweenTheOldestOpenRecordAndTheNewest) {
  // Records become final two ids after they are made: at most a few blocks
  // are ever held, however many records pass through.
  Window w;
  Handed out;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    w.push_back(Item{i, false});
    if (i >= 2) w[i - 2].done = true;
    w.release(is_done, out);
  }
  EXPECT_EQ(w.base(), 998u);
  EXPECT_LE(w.peak_bytes(), 3 * (4 * sizeof(Item) + sizeof(std::unique_ptr<Item[]>)));
  w.release_all(out);
  ASSERT_EQ(out.values.size(), 1000u);
  for (std::uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(out.values[i], i);
}

namespace {

// Court reports only, written promptly: three POs, ten FDRs a week against
// room for about twenty, for 160 years.
model::Scenario prompt_reports() {
  return test::parse(R"(
schema_version = 1
initial_state = "empty"
horizon_days = 58440
warmup_days = 0
snapshot_every_days = 3000
[tasks]
sdr_share = 0
[case_types.community]
duration_days = { dist = "fixed", value = 10 }
tier_mix = { C1 = 1.0 }
[[ldu]]
name = "Court"
staff.PO = { establishment = 3 }
court_reports_per_week = 10
)");
}

} // namespace

TEST(Records, TasksCompletedPromptlyAreHeldOnlyWhileOpen) {
  const model::Scenario s = prompt_reports();
  const model::ReplicationResult r = replication::run_keeping_records(s, 0);
  const std::size_t total = r.tasks.size();
  // The window a task keeps open: the tasks created after it until it is
  // done (every later task waits in the window for it), from the records.
  std::size_t widest = 0;
  for (std::size_t i = 0; i < total; ++i) {
    const double until = r.tasks[i].completed >= 0.0 ? r.tasks[i].completed : s.horizon_days;
    std::size_t j = i;
    while (j + 1 < total && r.tasks[j + 1].created <= until) ++j;
    widest = std::max(widest, j - i + 1);
  }
  // Held: that window, rounded out to whole blocks at both ends, and one spare block.
  constexpr std::size_t block = sim::RecordWindow<model::Task>::block_records;
  const std::size_t bound_records = widest + 3 * block;
  EXPECT_LE(r.log_bytes, bound_records * (sizeof(model::Task) + sizeof(void*)));
  // Far fewer than the run's tasks, which all passed through.
  ASSERT_GT(widest, 0u);
  EXPECT_LT(bound_records * 4, total);
  // The summary of the released tasks is the summary of them all.
  const auto& fdr = r.task_summary.back()[static_cast<int>(model::TaskKind::fdr)];
  EXPECT_EQ(static_cast<std::size_t>(fdr.total_created), total);
}

TEST(Records, KeepingTheRecordsChangesNoFigure) {
  // Midlands: a run that drops its records as they are released, and one
  // that keeps them all, give the same summary, bit for bit.
  const model::Scenario s =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018.toml").scenario;
  const model::ReplicationResult kept = replication::run_keeping_records(s, 0);
  const model::ReplicationResult dropped = replication::Simulation(s, 0).run();
  EXPECT_TRUE(dropped.tasks.empty());
  ASSERT_GT(kept.tasks.size(), 65536u); // more than a chunk of the file
  const auto a = app::headline_figures(s, kept, -1), b = app::headline_figures(s, dropped, -1);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(std::isnan(a[i].value) && std::isnan(b[i].value))) {
      EXPECT_EQ(a[i].value, b[i].value) << a[i].name;
    }
  }
  EXPECT_LT(dropped.log_bytes, kept.tasks.size() * sizeof(model::Task));
}

TEST(Records, DroppingTheOfficerSeriesChangesNoFigure) {
  // A run that keeps only figures drops each snapshot's officer row once its
  // cells are made: the result holds no officer series, and every headline
  // figure, and every cell and imbalance series, is bit for bit that of a
  // run that keeps them.
  const model::Scenario s =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018.toml").scenario;
  const model::ReplicationResult kept = replication::Simulation(s, 1).run();
  replication::Simulation sim(s, 1);
  sim.set_keep_officer_series(false);
  const model::ReplicationResult dropped = sim.run();
  ASSERT_FALSE(kept.snapshots.officer.cases.values.empty());
  model::for_each_column(dropped.snapshots.officer, [](const auto& column) { EXPECT_TRUE(column.values.empty()) << column.name; });
  EXPECT_EQ(dropped.snapshots.time_days, kept.snapshots.time_days);
  EXPECT_EQ(dropped.snapshots.unallocated, kept.snapshots.unallocated);
  EXPECT_EQ(dropped.snapshots.division.gini.values, kept.snapshots.division.gini.values);
  EXPECT_EQ(dropped.snapshots.ldu_grade.cases.values, kept.snapshots.ldu_grade.cases.values);
  const auto a = app::headline_figures(s, kept, -1), b = app::headline_figures(s, dropped, -1);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::isnan(a[i].value) && std::isnan(b[i].value))) {
      EXPECT_EQ(a[i].value, b[i].value) << a[i].name;
    }
}

// Each value of `read` (the file's) equals `expected`'s, NaN for NaN.
template <class T, class U> void expect_same_values(const std::vector<T>& read, const std::vector<U>& expected,
                                                    const std::string& what) {
  ASSERT_EQ(read.size(), expected.size()) << what;
  for (std::size_t i = 0; i < read.size(); ++i) {
    const auto want = static_cast<T>(expected[i]);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(want)) {
        ASSERT_TRUE(std::isnan(read[i])) << what << " " << i;
        continue;
      }
    }
    ASSERT_EQ(read[i], want) << what << " " << i;
  }
}

namespace {

// Replication 0 of `s` written by a PartWriter (a part file) or a
// SingleRunWriter (a run's results file, its last chunks compressed by the
// thread that finishes it), into `path`.
void write_replication_file(const model::Scenario& s, const std::filesystem::path& path,
                            io::h5::Compression::Codec codec, bool whole_run, std::size_t snapshots) {
  std::filesystem::remove(path);
  const io::RunMetadata meta{"test", "now", {codec, 1}};
  const auto run = [&](app::ReplicationWriter& writer) {
    replication::Simulation sim(s, 0);
    sim.set_record_sink(&writer);
    model::ReplicationResult r = sim.run();
    // The series went to the writer as they were taken, not held.
    EXPECT_TRUE(r.snapshots.officer.cases.values.empty());
    EXPECT_EQ(r.snapshots.count(), snapshots);
    app::FigureTable rows = app::figures_of(s, r, 0);
    writer.finish(std::move(r), rows);
    writer.close();
    return rows;
  };
  if (!whole_run) {
    io::PartWriter writer(path, meta, s, 0);
    run(writer);
    return;
  }
  io::SingleRunWriter file(path, meta, io::RunOutput{&s, "", "", {}, nullptr, {}});
  const std::vector<app::FigureTable> rows{run(*file.replication())};
  file.finish(app::summary_of(app::figure_columns(s), rows));
}

} // namespace

TEST(Records, TheFileHoldsTheRecordsAndSeriesKeptInMemory) {
  // Records streamed to the file chunk by chunk as they are released, and
  // the officer series a band of snapshots at a time, read back equal to
  // what a run keeps in memory: every column, whichever codec (LZ4: chunks
  // compressed by the writer; deflate: the library's pipeline), whichever
  // writer (a part, or a run's file whose last chunks the finishing thread
  // compresses), for a run of one chunk and a bit of tasks (the records that
  // came again in the chunk whose changing columns are held) and one of
  // three and more (those of older chunks, read back and rewritten).
  struct Case {
    double horizon_days;
    io::h5::Compression::Codec codec;
    bool whole_run;
  };
  using Codec = io::h5::Compression::Codec;
  const std::string midlands = std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018.toml";
  for (const Case c : {Case{0, Codec::lz4, false}, Case{0, Codec::deflate, false}, Case{0, Codec::lz4, true},
                       Case{3400, Codec::lz4, false}, Case{3400, Codec::lz4, true}}) {
    if (c.codec == Codec::lz4 && !io::h5::lz4_available()) continue;
    std::vector<io::Override> longer;
    if (c.horizon_days > 0) longer.push_back({"horizon_days", std::to_string(static_cast<int>(c.horizon_days))});
    const model::Scenario s = io::load_scenario(midlands, longer).scenario;
    const model::ReplicationResult kept = replication::run_keeping_records(s, 0);
    ASSERT_GT(kept.tasks.size(), c.horizon_days > 0 ? 3 * 65536u : 65536u);
    SCOPED_TRACE(::testing::Message() << "horizon " << s.horizon_days << ", codec " << static_cast<int>(c.codec)
                                      << (c.whole_run ? ", run's file" : ", part"));
    const auto path =
        std::filesystem::temp_directory_path() / ("caseload-records-" + std::to_string(::getpid()) + ".h5");
    write_replication_file(s, path, c.codec, c.whole_run, kept.snapshots.count());
    ASSERT_TRUE(std::filesystem::exists(path));
    {
      const io::h5::File file(path.string(), true);
      const io::h5::Group replication = c.whole_run ? file.open_group("replications").open_group("0000")
                                                    : file.open_group("replication");
      const io::h5::Group tasks = replication.open_group("tasks");
      std::vector<std::int64_t> kind, ldu, officer, subject, in_window, on_time;
      std::vector<double> created, started, completed, deadline, hours;
      const double horizon = s.horizon_days;
      for (const model::Task& t : kept.tasks) {
        kind.push_back(static_cast<std::int64_t>(t.kind));
        ldu.push_back(t.ldu);
        officer.push_back(t.officer == model::kNone ? -1 : static_cast<std::int64_t>(t.officer));
        subject.push_back(t.subject == model::kNone ? -1 : static_cast<std::int64_t>(t.subject));
        in_window.push_back(t.in_window);
        on_time.push_back(t.completed >= 0.0 && t.completed <= t.deadline     ? 1
                          : (t.completed >= 0.0 || t.deadline <= horizon) ? 0
                                                                            : -1);
        created.push_back(t.created);
        started.push_back(t.started);
        completed.push_back(t.completed);
        deadline.push_back(t.deadline);
        hours.push_back(t.hours);
      }
      for (const auto& [name, values] : {std::pair{"kind", &kind}, {"ldu", &ldu}, {"officer", &officer},
                                         {"subject", &subject}, {"in_window", &in_window}, {"on_time", &on_time}})
        expect_same_values(tasks.read_ints(name), *values, name);
      for (const auto& [name, values] : {std::pair{"created", &created}, {"started", &started},
                                         {"completed", &completed}, {"deadline", &deadline}, {"hours", &hours}})
        expect_same_values(tasks.read_doubles(name), *values, name);

      const io::h5::Group victims = replication.open_group("victims");
      const auto ended = victims.read_doubles("ended");
      const auto first = victims.read_ints("first_contact_task");
      ASSERT_EQ(ended.size(), kept.victims.size());
      for (std::size_t i = 0; i < kept.victims.size(); ++i) {
        const model::VictimCase& v = kept.victims[i];
        ASSERT_EQ(ended[i], v.ended) << i;
        ASSERT_EQ(first[i], v.first_contact == model::kNone ? -1 : static_cast<std::int64_t>(v.first_contact)) << i;
      }

      const io::h5::Group snapshots = replication.open_group("snapshots");
      expect_same_values(snapshots.read_doubles("time_days"), kept.snapshots.time_days, "time_days");
      model::for_each_column(kept.snapshots.officer, [&](const auto& column) {
        ASSERT_EQ(column.values.size(), kept.snapshots.count() * kept.officers.size()) << column.name;
        expect_same_values(snapshots.read_doubles(std::string(column.name)), column.values, std::string(column.name));
      });
    }
    std::filesystem::remove(path);
  }
}
