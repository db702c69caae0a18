#include "caseload/io/output_writer.hpp"

#include "caseload/io/hdf5.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/io/job_thread.hpp"
#include "caseload/io/pages.hpp"

#include <fmt/format.h>

#include <atomic>
#include <bit>
#include <tuple>
#include <utility>
#include <functional>
#include <optional>
#include <mutex>
#include <type_traits>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <array>
#include <unistd.h>

namespace caseload::io {
namespace {



// Every column of a series table, each as an array of the given dimensions,
// made ahead of its values (h5::Dataset), then filled.
template <class Table> std::vector<h5::Dataset> create_series(const h5::Group& g, const std::vector<hsize_t>& dims) {
  std::vector<h5::Dataset> out;
  const Table names;
  model::for_each_column(names, [&](const auto& column) {
    using T = typename std::decay_t<decltype(column.values)>::value_type;
    out.push_back(g.create_dataset<T>(std::string(column.name), dims, column.units));
  });
  return out;
}

template <class Table> void fill_series(const std::vector<h5::Dataset>& datasets, const Table& table) {
  std::size_t i = 0;
  model::for_each_column(table, [&](const auto& column) {
    using T = typename std::decay_t<decltype(column.values)>::value_type;
    datasets.at(i++).write(std::span<const T>(column.values));
  });
}

// f(values): rows [first, first + count) of a figure's column, as the file
// holds them (integers, or not).
template <class F> void figure_values(const app::FigureColumn& c, std::size_t first, std::size_t count, F&& f) {
  if (first + count > c.values.size()) throw std::logic_error("figures: rows missing in column " + c.name);
  const std::span<const double> values(c.values.data() + first, count);
  if (!c.integer) return f(values);
  const std::vector<std::int64_t> integers(values.begin(), values.end());
  f(std::span<const std::int64_t>(integers));
}

// The rows' labels of a table of headline figures.
void write_figure_labels(const h5::Group& g, const std::vector<std::int64_t>& replication,
                         const std::vector<std::string>& ldu) {
  if (replication.size() != ldu.size()) throw std::logic_error("figures: rows labelled twice over");
  g.write("replication", replication);
  g.write_strings("ldu", ldu);
}

// The dataset of a figure's column of `rows` rows: integers or not, as figure_values gives them.
h5::Dataset create_figure_dataset(const h5::Group& g, const app::FigureColumn& c, hsize_t rows) {
  return c.integer ? g.create_dataset<std::int64_t>(c.name, {rows}, c.units)
                   : g.create_dataset<double>(c.name, {rows}, c.units);
}

// A table of headline figures made ahead of them: the rows' labels written
// as it is made, a dataset for each figure's column to fill.
class FigureDatasets {
public:
  // Rows labelled by `replication` and `ldu`; the columns of `columns`.
  FigureDatasets(const h5::Group& g, const app::FigureTable& columns, const std::vector<std::int64_t>& replication,
                 const std::vector<std::string>& ldu)
      : rows_(ldu.size()), replication_(replication), ldu_(ldu) {
    write_figure_labels(g, replication, ldu);
    for (const auto& c : columns.columns) {
      names_.push_back(c.name);
      columns_.push_back(create_figure_dataset(g, c, rows_));
    }
  }
  // Rows [first, first + the rows made) of `table`, labelled as made.
  void write(const app::FigureTable& table, std::size_t first) const {
    if (table.columns.size() != columns_.size()) throw std::logic_error("figures: another table's columns");
    const auto at = static_cast<std::ptrdiff_t>(first);
    if (first + rows_ > table.ldu.size() || first + rows_ > table.replication.size() ||
        !std::equal(replication_.begin(), replication_.end(), table.replication.begin() + at) ||
        !std::equal(ldu_.begin(), ldu_.end(), table.ldu.begin() + at))
      throw std::logic_error("figures: rows labelled otherwise than made");
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const app::FigureColumn& c = table.columns[i];
      if (c.name != names_[i])
        throw std::logic_error("figures: column " + c.name + " where " + names_[i] + " was made");
      figure_values(c, first, rows_, [&](auto values) { columns_[i].write(values); });
    }
  }

private:
  std::size_t rows_;
  std::vector<std::int64_t> replication_;
  std::vector<std::string> ldu_;
  std::vector<std::string> names_;
  std::vector<h5::Dataset> columns_;
};

// Rows [first, first + count) of the headline figure table, as columns: the
// datasets FigureDatasets makes, each made, written and closed before the
// next (a part's end overlaps the next replication: held open together, its
// ≈100 would add ≈1 MB to the run's peak).
void write_figures(const h5::Group& g, const app::FigureTable& table, std::size_t first, std::size_t count) {
  const auto from = static_cast<std::ptrdiff_t>(first);
  const auto to = static_cast<std::ptrdiff_t>(first + count);
  if (first + count > table.ldu.size() || first + count > table.replication.size())
    throw std::logic_error("figures: rows missing");
  write_figure_labels(g, std::vector<std::int64_t>(table.replication.begin() + from, table.replication.begin() + to),
                      std::vector<std::string>(table.ldu.begin() + from, table.ldu.begin() + to));
  for (const auto& c : table.columns)
    figure_values(c, first, count, [&](auto values) { create_figure_dataset(g, c, count).write(values); });
}

// An officer, case, victim case or task index as the file holds it: -1 for none.
std::int64_t index_or_none(std::uint32_t index) {
  return index == model::kNone ? -1 : static_cast<std::int64_t>(index);
}

// Rows of the tasks/ table (docs/hdf5-format.md), from records.
struct TaskColumns {
  using Record = model::Task;
  std::vector<std::int32_t> kind, ldu, on_time, in_window;
  std::vector<std::int64_t> officer, subject;
  std::vector<double> created, started, completed, deadline, hours;

  void set(std::size_t row, const model::Task& t, double horizon) {
    kind[row] = static_cast<std::int32_t>(t.kind);
    ldu[row] = t.ldu;
    subject[row] = index_or_none(t.subject);
    created[row] = t.created;
    deadline[row] = t.deadline;
    hours[row] = t.hours;
    in_window[row] = t.in_window;
    set_changing(row, t, horizon);
  }
  // The columns a task's later state can change; the others are set by
  // TaskWork::new_task and never again, so a task that comes again in its
  // final state rewrites only these (tests/unit/test_records.cpp holds every
  // column of the file to the records).
  static bool changes(std::string_view column) {
    return column == "officer" || column == "started" || column == "completed" || column == "on_time";
  }
  // Those columns of `row` (only they need be there: at() throws for one
  // that changes() left out).
  void set_changing(std::size_t row, const model::Task& t, double horizon) {
    officer.at(row) = index_or_none(t.officer);
    started.at(row) = t.started;
    completed.at(row) = t.completed;
    // 1 done by the deadline, 0 late (done late, or open past it), -1 not yet due
    on_time.at(row) = t.completed >= 0.0 && t.completed <= t.deadline ? 1
                      : (t.completed >= 0.0 || t.deadline <= horizon) ? 0 : -1;
  }
  [[nodiscard]] std::size_t size() const { return kind.size(); }
  // f(name, column, units) for each column, in the file's order.
  template <class F> void each(F&& f) {
    f("kind", kind, "");
    f("ldu", ldu, "");
    f("officer", officer, "");
    f("subject", subject, "");
    f("created", created, "days");
    f("started", started, "days");
    f("completed", completed, "days");
    f("deadline", deadline, "days");
    f("hours", hours, "hours");
    f("on_time", on_time, "");
    f("in_window", in_window, ""); // 1: created inside the statistics window
  }
};

// Rows of the victims/ table.
struct VictimColumns {
  using Record = model::VictimCase;
  std::vector<std::int32_t> ldu, opted_out;
  std::vector<std::int64_t> vlo, offender_case, first_contact;
  std::vector<double> created, ended;

  void set(std::size_t row, const model::VictimCase& v, double /*horizon*/) {
    ldu[row] = v.ldu;
    opted_out[row] = v.opted_out;
    vlo[row] = index_or_none(v.vlo);
    offender_case[row] = static_cast<std::int64_t>(v.offender_case);
    first_contact[row] = index_or_none(v.first_contact);
    created[row] = v.created;
    ended[row] = v.ended;
  }
  [[nodiscard]] std::size_t size() const { return ldu.size(); }
  static bool changes(std::string_view) { return true; } // few come again: all rewritten
  void set_changing(std::size_t row, const model::VictimCase& v, double horizon) { set(row, v, horizon); }
  template <class F> void each(F&& f) {
    f("ldu", ldu, "");
    f("vlo", vlo, "");
    f("offender_case", offender_case, "");
    f("first_contact_task", first_contact, "");
    f("created", created, "days");
    f("ended", ended, "days");
    f("opted_out", opted_out, "");
  }
};

// f(index, name, column) for each column of a table, in the file's order.
template <class Columns, class F> void each_column(Columns& columns, F&& f) {
  std::size_t index = 0;
  columns.each([&](const char* name, auto& column, std::string_view) { f(index++, name, column); });
}

// Appends a row of `record` to the columns.
template <class Columns> void append_row(Columns& columns, const typename Columns::Record& record, double horizon) {
  columns.each([](const char*, auto& column, std::string_view) { column.emplace_back(); });
  columns.set(columns.size() - 1, record, horizon);
}

// A table of records written as they come: held in memory up to one chunk
// of rows (the chunk Group::write gives a large 1-D dataset), then appended
// chunk by chunk. A table that never fills a chunk is written at the end as
// any dataset; so either way its datasets hold the same values in the same
// chunks of rows as a table written at once. A record that comes again in
// its final state (RecordSink) replaces its row: in memory if still there,
// else in the file at the end. The columns a record's later state can change
// (Columns::changes) of the chunk handed over last are held back until the
// next is, or the end: most records that come again are recent, and
// their chunk is then written once, not written and rewritten. Given `post`,
// the file's side (every HDF5 call) is posted as jobs (run elsewhere, in
// order), and the caller only fills and hands over buffers of rows; without,
// it runs in the caller. With `pack_at_finish` (LZ4), the chunks written at
// the end are compressed by the caller of finish(), whose thread may
// have nothing else to do, while the file's side writes what went before.
template <class Columns> class StreamedTable {
public:
  using Record = typename Columns::Record;
  using Correction = std::pair<std::uint64_t, Record>;
  static constexpr std::size_t kChunkRows = 65536;

  using Post = std::function<void(std::function<void()>)>;
  // Posts a job the table can do without (JobThread::try_post); whether it was posted.
  using Hint = std::function<bool(std::function<void()>)>;
  StreamedTable(double horizon, Post post, Hint hint = {}, bool pack_at_finish = false)
      : horizon_(horizon), post_(std::move(post)), hint_(std::move(hint)), pack_at_finish_(pack_at_finish) {
    if (!post_) return; // a table written at once grows as it needs
    reserve(columns_);  // a chunk's rows gathered while the run goes
    if (!hint_) return;
    const auto first = ahead_.next(0);
    first_pages_ = pages_of(first->first, first->second);
    ahead_.asked(first->second);
  }
  // The group it is written to, before anything is written; called on the
  // file's side (with a JobThread, in one of its jobs), which then backs the
  // pages of the first rows.
  void open(h5::Group group) {
    file_.group.emplace(std::move(group));
    first_pages_();
    first_pages_ = {};
  }

  void add(std::span<const Record> records) {
    for (const Record& r : records) {
      append_row(columns_, r, horizon_);
      if (columns_.size() == kChunkRows) hand_over();
    }
    prepare_ahead();
  }
  void correct(std::uint64_t id, const Record& r) {
    if (id >= handed_) columns_.set(id - handed_, r, horizon_);
    else if (id >= held_from()) held_.set_changing(id - held_from(), r, horizon_);
    else corrections_.emplace_back(id, r);
  }
  void finish() {
    Packed packed;
    if (pack_at_finish_) packed = pack_rest();
    run([this, rest = std::move(columns_), held = std::move(held_), corrections = std::move(corrections_),
         packed = std::move(packed)]() mutable {
      file_.finish(std::move(rest), std::move(held), std::move(corrections), packed, horizon_);
    });
  }

private:
  // The chunks written at the end, compressed ahead (h5::pack_rows): of the
  // rest, and of the held columns, one per column (none where not packed).
  struct Packed {
    std::vector<std::optional<h5::PackedChunks>> rest, held;
  };
  static const h5::PackedChunks* packed_at(const std::vector<std::optional<h5::PackedChunks>>& packed, std::size_t i) {
    return i < packed.size() && packed[i] ? &*packed[i] : nullptr;
  }

  // The file's side: touched only by the jobs, in order.
  struct File {
    std::optional<h5::Group> group;
    std::vector<h5::AppendableDataset> datasets;

    void create(Columns& rows) {
      if (!datasets.empty()) return;
      rows.each([&](const char* name, const auto& column, std::string_view units) {
        using T = typename std::decay_t<decltype(column)>::value_type;
        datasets.push_back(group->create_appendable<T>(name, kChunkRows, units));
      });
    }

    // A chunk handed over, from row `start`: the columns that do not change
    // appended; of those that do, the chunk before it (held back until now),
    // if there is one, written, and room made for its own.
    void append_chunk(Columns& rows, std::uint64_t start) {
      create(rows);
      each_column(rows, [&](std::size_t c, const char* name, const auto& column) {
        using T = typename std::decay_t<decltype(column)>::value_type;
        h5::AppendableDataset& d = datasets[c];
        if (!Columns::changes(name)) {
          d.append(std::span<const T>(column));
          return;
        }
        if (start > 0) d.write(start - kChunkRows, std::span<const T>(column));
        d.extend(kChunkRows);
      });
    }

    // Writes what is left and closes its HDF5 objects (the file is closed
    // only once none is open).
    void finish(Columns rest, Columns held, std::vector<Correction> corrections, const Packed& packed, double horizon) {
      write_rest(std::move(rest), std::move(held), std::move(corrections), packed, horizon);
      datasets.clear();
      group.reset();
    }

    void write_rest(Columns rest, Columns held, std::vector<Correction> corrections, const Packed& packed,
                    double horizon) {
      if (datasets.empty()) {
        std::size_t column_index = 0;
        rest.each([&](const char* name, const auto& column, std::string_view units) {
          group->write(name, column, units, packed_at(packed.rest, column_index++));
        });
        return;
      }
      // The held columns of the last chunk handed over, then the rest.
      const std::uint64_t held_start = datasets.front().size() - kChunkRows;
      each_column(held, [&](std::size_t c, const char* name, const auto& column) {
        using T = typename std::decay_t<decltype(column)>::value_type;
        if (Columns::changes(name)) datasets[c].write(held_start, std::span<const T>(column), packed_at(packed.held, c));
      });
      if (rest.size() > 0)
        each_column(rest, [&](std::size_t c, const char*, const auto& column) {
          using T = typename std::decay_t<decltype(column)>::value_type;
          datasets[c].append(std::span<const T>(column), packed_at(packed.rest, c));
        });
      const std::uint64_t written = datasets.front().size();
      // A chunk at a time: the columns the records that came again can
      // change read back, set from those records, written again.
      std::sort(corrections.begin(), corrections.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (std::size_t at = 0; at < corrections.size();) {
        const std::uint64_t start = corrections[at].first / kChunkRows * kChunkRows;
        const std::uint64_t rows = std::min<std::uint64_t>(kChunkRows, written - start);
        Columns chunk;
        each_column(chunk, [&](std::size_t c, const char* name, auto& column) {
          if (!Columns::changes(name)) return;
          column.resize(rows);
          datasets[c].read(start, std::span(column));
        });
        for (; at < corrections.size() && corrections[at].first < start + rows; ++at)
          chunk.set_changing(corrections[at].first - start, corrections[at].second, horizon);
        each_column(chunk, [&](std::size_t c, const char* name, const auto& column) {
          using T = typename std::decay_t<decltype(column)>::value_type;
          if (Columns::changes(name)) datasets[c].write(start, std::span<const T>(column));
        });
      }
    }
  };

  template <class F> void run(F&& job) {
    if (post_) post_(std::forward<F>(job));
    else job();
  }
  static void reserve(Columns& c) {
    c.each([](const char*, auto& column, std::string_view) { column.reserve(kChunkRows); });
  }
  // The pages of the rows the next blocks of records will fill, backed by
  // the file's side (PagesToPrepare) while this thread simulates: a chunk's
  // buffers are fresh memory, and faulting their pages in here cost the
  // simulating thread ≈3 ms of a Midlands replication. A slice at a time,
  // so that little more is backed than the rows need.
  static constexpr std::size_t kPrepareRows = 8192;
  void prepare_ahead() {
    if (!hint_) return;
    while (const auto rows = ahead_.next(columns_.size())) {
      if (!hint_(pages_of(rows->first, rows->second))) return; // the file's side is behind: again after the next records
      ahead_.asked(rows->second);
    }
  }
  [[nodiscard]] PagesToPrepare pages_of(std::size_t from, std::size_t to) {
    PagesToPrepare pages;
    columns_.each([&](const char*, const auto& column, std::string_view) { pages.add(column, from, to); });
    return pages;
  }

  // The first row of the chunk whose changing columns are held (none: past every row).
  [[nodiscard]] std::uint64_t held_from() const { return handed_ == 0 ? handed_ : handed_ - kChunkRows; }

  // The full chunk goes to the file's side, but for its changing columns,
  // which are held in place of those of the chunk before, which go. The
  // buffers come back once written: fresh buffers for every chunk would
  // cost the kernel's zeroing of their pages, about as much as the gathering.
  void hand_over() {
    const std::uint64_t start = handed_;
    handed_ += columns_.size();
    Columns next;
    {
      const std::lock_guard lock(spare_mutex_);
      next = std::exchange(spare_, Columns{});
    }
    reserve(next); // none written back yet, or a held column's first turn
    Columns rows = std::exchange(columns_, std::move(next));
    ahead_.restart();
    std::vector<void*> held_columns; // the same columns of held_, in the same order
    held_.each([&](const char*, auto& column, std::string_view) { held_columns.push_back(&column); });
    each_column(rows, [&](std::size_t c, const char* name, auto& column) {
      if (Columns::changes(name)) std::swap(column, *static_cast<std::remove_reference_t<decltype(column)>*>(held_columns[c]));
    });
    run([this, rows = std::move(rows), start]() mutable {
      file_.append_chunk(rows, start);
      rows.each([](const char*, auto& column, std::string_view) { column.clear(); });
      const std::lock_guard lock(spare_mutex_);
      spare_ = std::move(rows);
    });
  }

  // The chunks finish() writes, compressed here: the rest's (a whole table
  // in chunks of Group::write's rows, if none was handed over) and the held columns'.
  Packed pack_rest() {
    Packed packed;
    const std::size_t rows = columns_.size();
    const bool whole = handed_ == 0;
    if (whole && rows < h5::kMinCompressed) return packed; // stored as it is
    const hsize_t chunk_rows = whole ? h5::Group::chunk_rows({rows}) : kChunkRows;
    columns_.each([&](const char*, const auto& column, std::string_view) {
      packed.rest.emplace_back();
      if (rows > 0) packed.rest.back() = h5::pack_rows(std::span(column), chunk_rows);
    });
    if (!whole)
      held_.each([&](const char* name, const auto& column, std::string_view) {
        packed.held.emplace_back();
        if (Columns::changes(name)) packed.held.back() = h5::pack_rows(std::span(column), kChunkRows);
      });
    return packed;
  }

  double horizon_;
  Post post_;
  Hint hint_;
  bool pack_at_finish_;
  Columns columns_;
  RowsAhead ahead_{kChunkRows, kPrepareRows, 2 * kPrepareRows}; // of columns_ (prepare_ahead)
  PagesToPrepare first_pages_;                                   // backed by open()
  std::uint64_t handed_ = 0;             // rows handed over to the file's side
  Columns held_;                         // the changing columns of rows [held_from(), handed_)
  std::vector<Correction> corrections_; // of rows handed over before held_from()
  std::mutex spare_mutex_;              // guards spare_, the buffers of a chunk written
  Columns spare_;
  File file_;
};

// A whole table at once, from records in memory.
template <class Columns, class Record>
void write_table(h5::Group g, std::span<const Record> records, double horizon) {
  StreamedTable<Columns> table(horizon, {});
  table.open(std::move(g));
  table.add(records);
  table.finish();
}

// A band of snapshots' rows of the officer series, as the engine took them:
// row i holds the values of officers [0, widths[i]) then.
struct OfficerBand {
  std::size_t first = 0; // the snapshot of its first row
  std::vector<double> time_days;
  std::vector<std::size_t> widths;
  model::OfficerSeries rows; // each column's rows one after another
  [[nodiscard]] std::size_t size() const { return widths.size(); }
};

// f(column of a, the same column of b) for each column of two officer series.
template <class F> void each_column_pair(model::OfficerSeries& a, const model::OfficerSeries& b, F&& f) {
  auto into = a.columns();
  const auto from = b.columns();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::get<I>(into), std::get<I>(from)), ...);
  }(std::make_index_sequence<std::tuple_size_v<decltype(into)>>{});
}

// The officer series of snapshots/ (time_days and officer_*: docs/hdf5-format.md),
// written a band of snapshots at a time, so that a run need not hold them:
// the bands are the datasets' chunks of rows, and the officers who joined
// after a snapshot read as the fill value in its row. A chunk is 16,384
// cells: its columns the power of two (16 to 4,096) that covers the
// officers of the first snapshot, its rows the rest. Small bands keep the
// last, written as the replication ends, small.
class OfficerSeriesFile {
public:
  // Snapshots a band holds, for a first snapshot of `officers` officers.
  static std::size_t band_rows(std::size_t officers) { return kChunkCells / chunk_columns(officers); }

  // Writes the next band (its rows follow those written), creating the
  // datasets with the first one.
  void write(const h5::Group& snapshots, OfficerBand& band) {
    if (band.size() == 0) return;
    create(snapshots, band.widths.front());
    if (band.first != rows_ || band.size() > chunk_rows_) throw std::logic_error("officer series: a band out of step");
    time_->append(std::span<const double>(band.time_days));
    const std::size_t width = *std::max_element(band.widths.begin(), band.widths.end());
    const bool ragged = std::any_of(band.widths.begin(), band.widths.end(), [&](std::size_t w) { return w != width; });
    std::size_t i = 0;
    model::for_each_column(band.rows, [&](auto& column) {
      using T = typename std::decay_t<decltype(column.values)>::value_type;
      std::span<const T> rows(column.values);
      // Padded only where someone joined within the band, into a buffer kept
      // from band to band (a fresh one costs its pages, and the address
      // space's lock that the simulating thread's page faults wait on).
      thread_local std::vector<T> padded;
      if (ragged) {
        model::padded_rows(rows, std::span<const std::size_t>(band.widths), width, column.fill, padded);
        rows = padded;
      }
      columns_[i++].write_rows<T>(rows_, band.size(), width, rows);
    });
    rows_ += band.size();
  }
  // The series' final size: every snapshot, every officer who ever joined; then closed.
  void finish(const h5::Group& snapshots, std::size_t snapshot_count, std::size_t officers) {
    if (snapshot_count != rows_) throw std::logic_error("officer series: snapshots missing");
    create(snapshots, officers);
    for (auto& column : columns_) column.resize(rows_, officers);
    columns_.clear();
    time_.reset();
  }

private:
  static constexpr std::size_t kChunkCells = model::kOfficerBandCells;
  static std::size_t chunk_columns(std::size_t officers) {
    return std::bit_ceil(std::clamp<std::size_t>(officers, 16, 4096));
  }
  void create(const h5::Group& snapshots, std::size_t first_width) {
    if (time_) return;
    chunk_rows_ = band_rows(first_width);
    time_.emplace(snapshots.create_appendable<double>("time_days", chunk_rows_, "days"));
    const model::OfficerSeries names; // the columns' names, units and fill values
    model::for_each_column(names, [&](const auto& column) {
      columns_.push_back(snapshots.create_growing_matrix(std::string(column.name), chunk_rows_,
                                                         chunk_columns(first_width), column.fill, column.units));
    });
  }
  std::optional<h5::AppendableDataset> time_;
  std::vector<h5::GrowingMatrix> columns_;
  std::size_t chunk_rows_ = 0;
  std::size_t rows_ = 0; // written
};

// The whole officer series of a result that holds it (rows padded to every officer).
void write_officer_series(const h5::Group& snapshots, const model::Snapshots& s, std::size_t officers) {
  OfficerSeriesFile file;
  const std::size_t rows = OfficerSeriesFile::band_rows(officers);
  for (std::size_t first = 0; first < s.count(); first += rows) {
    OfficerBand band;
    band.first = first;
    const std::size_t n = std::min(rows, s.count() - first);
    band.time_days.assign(s.time_days.begin() + static_cast<std::ptrdiff_t>(first),
                          s.time_days.begin() + static_cast<std::ptrdiff_t>(first + n));
    band.widths.assign(n, officers);
    each_column_pair(band.rows, s.officer, [&](auto& into, const auto& from) {
      const auto at = static_cast<std::ptrdiff_t>(first * officers);
      into.values.assign(from.values.begin() + at, from.values.begin() + at + static_cast<std::ptrdiff_t>(n * officers));
    });
    file.write(snapshots, band);
  }
  file.finish(snapshots, s.count(), officers);
}

// Writes snapshots/'s time_days and officer series.
using OfficerSeriesWriter = std::function<void(const h5::Group& snapshots)>;

// The datasets of a replication's snapshot series (but the officer series),
// whose shapes the scenario fixes: made before their values by a run of
// one's writer while the replication runs (its end is what the run waits
// for), or a table at a time as a part's values come (write_at_once). The
// cells of snapshots/ are made after the officer series, which a run of
// one's first band makes, so that each group lists its members in one
// order (tests/cli/test_resume.py holds a run of one's replication to a
// part's, member by member). Closed once written.
class SnapshotSeries {
public:
  // imbalance/'s series made now, in replication group `g` (create_replication_groups).
  SnapshotSeries(const h5::Group& g, const model::Scenario& scenario) : SnapshotSeries(scenario) {
    const h5::Group imbalance = g.open_group("imbalance");
    division_ = create_division(imbalance);
    ldu_ = create_ldu(imbalance);
  }

  // snapshots/'s unallocated, ldu_grade/ and division_grade/, once the officer series are made.
  void create_cells(const h5::Group& snapshots) {
    if (cells_) return;
    cells_.emplace(Cells{create_unallocated(snapshots), create_ldu_grade(snapshots), create_division_grade(snapshots)});
  }
  // Every value, then the datasets closed.
  void write(const h5::Group& snapshots, const model::Snapshots& s) {
    check(s);
    create_cells(snapshots);
    cells_->unallocated.write(std::span<const std::int32_t>(s.unallocated));
    fill_series(cells_->ldu_grade, s.ldu_grade);
    fill_series(cells_->division_grade, s.division_grade);
    fill_series(division_, s.division);
    fill_series(ldu_, s.ldu);
    cells_.reset();
    division_.clear();
    ldu_.clear();
  }

  // The same datasets, each table made, written and closed before the next:
  // a part's end overlaps the next replication, whose peak memory they add
  // to while open (≈12 kB each).
  static void write_at_once(const h5::Group& g, const model::Scenario& scenario, const model::Snapshots& s) {
    const SnapshotSeries tables(scenario);
    tables.check(s);
    const h5::Group snapshots = g.open_group("snapshots");
    tables.create_unallocated(snapshots).write(std::span<const std::int32_t>(s.unallocated));
    fill_series(tables.create_ldu_grade(snapshots), s.ldu_grade);
    fill_series(tables.create_division_grade(snapshots), s.division_grade);
    const h5::Group imbalance = g.open_group("imbalance");
    fill_series(tables.create_division(imbalance), s.division);
    fill_series(tables.create_ldu(imbalance), s.ldu);
  }

private:
  explicit SnapshotSeries(const model::Scenario& scenario)
      : snapshots_(model::snapshot_count(scenario)), ldus_(scenario.ldus.size()) {}

  // Snapshots other than those the scenario fixes, refused before any value
  // is written (and by write_at_once before anything is made).
  void check(const model::Snapshots& s) const {
    if (s.count() != snapshots_ || s.unallocated.size() != snapshots_ * ldus_)
      throw std::logic_error("snapshots: " + std::to_string(s.count()) + " taken where the scenario fixes " +
                             std::to_string(snapshots_));
  }

  // Each table's datasets (docs/hdf5-format.md): where, named, of what shape.
  [[nodiscard]] h5::Dataset create_unallocated(const h5::Group& snapshots) const {
    return snapshots.create_dataset<std::int32_t>("unallocated", {snapshots_, ldus_}, "cases");
  }
  [[nodiscard]] std::vector<h5::Dataset> create_ldu_grade(const h5::Group& snapshots) const {
    return create_series<model::GroupSeries>(snapshots.create_group("ldu_grade"), {snapshots_, ldus_, kGrades});
  }
  [[nodiscard]] std::vector<h5::Dataset> create_division_grade(const h5::Group& snapshots) const {
    return create_series<model::GroupSeries>(snapshots.create_group("division_grade"), {snapshots_, kGrades});
  }
  [[nodiscard]] std::vector<h5::Dataset> create_division(const h5::Group& imbalance) const {
    return create_series<model::ImbalanceSeries>(imbalance.create_group("division"), {snapshots_});
  }
  [[nodiscard]] std::vector<h5::Dataset> create_ldu(const h5::Group& imbalance) const {
    return create_series<model::ImbalanceSeries>(imbalance.create_group("ldu"), {snapshots_, ldus_});
  }

  struct Cells {
    h5::Dataset unallocated;
    std::vector<h5::Dataset> ldu_grade, division_grade;
  };
  static constexpr hsize_t kGrades = model::kGradeCount;
  hsize_t snapshots_, ldus_;
  std::vector<h5::Dataset> division_, ldu_;
  std::optional<Cells> cells_;
};

// The summary/ of replication `index` in its group `g`, made before its
// figures: of `columns` (app::figure_columns) in rows named `rows`.
FigureDatasets replication_summary(const h5::Group& g, const app::FigureTable& columns,
                                   const std::vector<std::string>& rows, std::size_t index) {
  return FigureDatasets(g.create_group("summary"), columns,
                        std::vector<std::int64_t>(rows.size(), static_cast<std::int64_t>(index)), rows);
}

// The groups of a replication, in the order they are created.
constexpr std::array<const char*, 5> kReplicationGroups{"officers", "snapshots", "imbalance", "tasks", "victims"};

// Creates a replication's groups, empty, in their order.
void create_replication_groups(const h5::Group& g) {
  for (const char* name : kReplicationGroups) g.create_group(name);
}

// All but the records and the figures: the groups are there already
// (create_replication_groups), and `series`, if given, made in them (else
// made here, as the values are there); tasks/, victims/ and summary/ are
// the caller's, and the officer series `officer_series`'s.
void write_replication_rest(const h5::Group& g, const model::Scenario& scenario, const model::ReplicationResult& r,
                            std::size_t index, const OfficerSeriesWriter& officer_series,
                            SnapshotSeries* series = nullptr) {
  g.attribute("replication", static_cast<std::int64_t>(index));
  g.attribute("events", static_cast<std::uint64_t>(r.events));

  const h5::Group officers = g.open_group("officers");
  std::vector<std::int32_t> ldu, grade, first_grade;
  std::vector<double> hours, available, joined, left;
  for (const auto& o : r.officers) {
    ldu.push_back(static_cast<std::int32_t>(o.ldu));
    grade.push_back(static_cast<std::int32_t>(o.grade));
    first_grade.push_back(static_cast<std::int32_t>(o.first_grade));
    hours.push_back(o.contracted_hours);
    available.push_back(o.available_points);
    joined.push_back(o.joined_day);
    left.push_back(o.left_day);
  }
  officers.write("ldu", ldu);
  officers.write("grade", grade);
  officers.write("first_grade", first_grade);
  officers.write("joined_day", joined, "days");
  officers.write("left_day", left, "days");
  officers.write("contracted_hours", hours, "hours per week");
  officers.write("available_points", available, "WMT points");

  const h5::Group snaps = g.open_group("snapshots");
  officer_series(snaps);
  if (series != nullptr) series->write(snaps, r.snapshots);
  else SnapshotSeries::write_at_once(g, scenario, r.snapshots);
}

// A replication whose records are in memory (ReplicationResult::tasks and victims).
void write_replication(const h5::Group& g, const model::Scenario& scenario, const model::ReplicationResult& r,
                       std::size_t index, const app::FigureTable& figures, std::size_t first_row) {
  create_replication_groups(g);
  write_replication_rest(g, scenario, r, index, [&](const h5::Group& snapshots) {
    write_officer_series(snapshots, r.snapshots, r.officers.size());
  });
  write_table<TaskColumns>(g.open_group("tasks"), std::span<const model::Task>(r.tasks), scenario.horizon_days);
  write_table<VictimColumns>(g.open_group("victims"), std::span<const model::VictimCase>(r.victims),
                             scenario.horizon_days);
  write_figures(g.create_group("summary"), figures, first_row, figures.rows_per_replication);
}

constexpr const char* kPartFormat = "caseload-replication";
constexpr const char* kPartGroup = "replication";

// A part file of replication `index`, checked to be one.
h5::File open_part(const std::filesystem::path& path, std::size_t index) {
  h5::quiet_errors();
  h5::File file(path.string(), true);
  if (!file.has_attribute("format") || file.read_string_attribute("format") != kPartFormat ||
      !file.has_attribute("replication") ||
      file.read_int_attribute("replication") != std::vector<std::int64_t>{static_cast<std::int64_t>(index)} ||
      !file.has(kPartGroup))
    throw std::runtime_error(path.string() + " is not the part file of replication " + std::to_string(index));
  return file;
}

} // namespace

namespace {

void write_header(const h5::File& file, std::string_view kind, const RunMetadata& meta) {
  h5::quiet_errors();
  file.attribute("format", "caseload");
  const std::int64_t version[2] = {kOutputSchemaMajor, kOutputSchemaMinor};
  file.attribute("schema_version", std::span<const std::int64_t>(version));
  file.attribute("kind", kind);
  file.attribute("engine_version", meta.engine_version);
  file.attribute("created", meta.created);
}

// The statistics table's numbers, column by column: n, then kStatisticNumbers.
constexpr std::array<const char*, 4> kStatisticNumbers{"mean", "half_width", "ci_low", "ci_high"};
struct StatisticNumbers {
  std::vector<std::int64_t> n;
  std::array<std::vector<double>, kStatisticNumbers.size()> numbers;
  explicit StatisticNumbers(std::span<const app::HeadlineStatistic> stats) {
    for (const auto& st : stats) {
      n.push_back(st.interval.n);
      numbers[0].push_back(st.interval.mean);
      numbers[1].push_back(st.interval.half_width);
      numbers[2].push_back(st.interval.low());
      numbers[3].push_back(st.interval.high());
    }
  }
};

// The labels of a statistics table's rows.
struct StatisticLabels {
  std::vector<std::string> ldu, figure, units;
  // Of the statistics given.
  explicit StatisticLabels(std::span<const app::HeadlineStatistic> stats) {
    for (const auto& st : stats) add(st.ldu, st.figure, st.units);
  }
  // Of every (row, figure) of a run's figures, row by row (app::summary_of).
  StatisticLabels(const app::FigureTable& columns, const std::vector<std::string>& rows) {
    for (const auto& row : rows)
      for (const auto& c : columns.columns) add(row, c.name, c.units);
  }
  void add(const std::string& row, const std::string& name, const std::string& unit) {
    ldu.push_back(row);
    figure.push_back(name);
    units.push_back(unit);
  }
};

// A statistics table made ahead of its numbers: its labels written as it is
// made, its numbers filled from statistics of those labels.
class StatisticsDatasets {
public:
  StatisticsDatasets(const h5::Group& g, StatisticLabels labels)
      : ldu_(std::move(labels.ldu)), figure_(std::move(labels.figure)) {
    g.write_strings("ldu", ldu_);
    g.write_strings("figure", figure_);
    g.write_strings("units", labels.units);
    const std::vector<hsize_t> dims{ldu_.size()};
    n_.emplace(g.create_dataset<std::int64_t>("n", dims));
    for (const char* name : kStatisticNumbers) numbers_.push_back(g.create_dataset<double>(name, dims));
  }

  // Into `g`, the group it was made in.
  void write(const h5::Group& g, double confidence, std::span<const app::HeadlineStatistic> stats) const {
    if (stats.size() != ldu_.size()) throw std::logic_error("statistics: another number of them than made");
    for (std::size_t i = 0; i < stats.size(); ++i)
      if (stats[i].ldu != ldu_[i] || stats[i].figure != figure_[i])
        throw std::logic_error("statistics: another label than made");
    g.attribute("confidence", confidence);
    const StatisticNumbers columns(stats);
    n_->write<std::int64_t>(columns.n);
    for (std::size_t i = 0; i < numbers_.size(); ++i) numbers_[i].write<double>(columns.numbers[i]);
  }

private:
  std::vector<std::string> ldu_, figure_;
  std::optional<h5::Dataset> n_;
  std::vector<h5::Dataset> numbers_;
};

void write_statistics(const h5::Group& g, double confidence, std::span<const app::HeadlineStatistic> stats) {
  StatisticsDatasets(g, StatisticLabels(stats)).write(g, confidence, stats);
}

// Everything about one run (a scenario's replications) into `root`.
// A run's attributes and name tables, and its (empty) /replications group.
h5::Group write_run_head(const h5::Group& root, const RunOutput& run, std::size_t replications) {
  const model::Scenario& scenario = *run.scenario;
  root.attribute("seed", static_cast<std::uint64_t>(scenario.seed));
  root.attribute("replications", static_cast<std::int64_t>(replications));
  root.attribute("scenario_name", scenario.name);
  root.attribute("scenario", run.resolved_scenario);
  root.attribute("scenario_source", run.scenario_source);
  root.attribute("start_date", scenario.start_date);
  root.attribute("horizon_days", scenario.horizon_days);
  root.attribute("warmup_days", scenario.warmup_days);
  root.attribute("snapshot_every_days", scenario.snapshot_every_days);
  root.attribute("initial_state", scenario.snapshot ? std::string("snapshot")
                                                    : std::string(model::kInitialStateNames[static_cast<int>(scenario.initial_state)]));
  if (scenario.snapshot) {
    // Which files day 0 came from: enough to tell whether two runs started alike.
    const model::InitialSnapshot& snap = *scenario.snapshot;
    root.attribute("snapshot_date", snap.date);
    for (const auto& [name, file] : {std::pair{"staff", &snap.staff_file}, std::pair{"cases", &snap.cases_file}}) {
      root.attribute(fmt::format("snapshot_{}_file", name), file->path);
      root.attribute(fmt::format("snapshot_{}_sha256", name), file->sha256);
      root.attribute(fmt::format("snapshot_{}_rows", name), file->rows);
    }
  }

  std::vector<std::string> ldu_names;
  for (const auto& l : scenario.ldus) ldu_names.push_back(l.name);
  root.write_strings("ldu_names", ldu_names);
  root.write_strings("grade_names", {model::kGradeNames.begin(), model::kGradeNames.end()});
  root.write_strings("task_kind_names", {model::kTaskKindNames.begin(), model::kTaskKindNames.end()});

  return root.create_group("replications");
}

// Replication i from its part file, as written when it finished, compressed data and all.
void copy_part(const h5::Group& replications, const std::filesystem::path& part, std::size_t i) {
  replications.copy(open_part(part, i), kPartGroup, fmt::format("{:04d}", i));
}

// What follows the replications: every headline figure and its statistics.
void write_run_tail(const h5::Group& root, const app::RunSummary& summary) {
  write_figures(root.create_group("summary"), summary.figures, 0, summary.figures.ldu.size());
  write_statistics(root.create_group("statistics"), summary.confidence, summary.statistics);
}

// The same made ahead of the run's summary, for a run of one replication:
// figures of `columns` (app::figure_columns) in rows named `rows`.
class RunTail {
public:
  RunTail(const h5::Group& root, const app::FigureTable& columns, const std::vector<std::string>& rows)
      : summary_(root.create_group("summary"), columns, std::vector<std::int64_t>(rows.size(), 0), rows),
        statistics_group_(root.create_group("statistics")),
        statistics_(statistics_group_, StatisticLabels(columns, rows)) {}
  void write(const app::RunSummary& summary) const {
    summary_.write(summary.figures, 0);
    statistics_.write(statistics_group_, summary.confidence, summary.statistics);
  }

private:
  FigureDatasets summary_;
  h5::Group statistics_group_;
  StatisticsDatasets statistics_;
};

// A run, from results in memory or from part files. ResultsAssembler makes
// the same calls in the same order, so that a file put together as the run
// goes is byte for byte the one put together at the end.
void write_run(const h5::Group& root, const RunOutput& run) {
  const model::Scenario& scenario = *run.scenario;
  const app::RunSummary& summary = *run.summary;
  const h5::Group reps = write_run_head(root, run, run.parts.empty() ? run.results.size() : run.parts.size());
  for (std::size_t i = 0; i < run.results.size(); ++i)
    write_replication(reps.create_group(fmt::format("{:04d}", i)), scenario, run.results[i], i, summary.figures,
                      i * summary.figures.rows_per_replication);
  for (std::size_t i = 0; i < run.parts.size(); ++i) copy_part(reps, run.parts[i], i);
  write_run_tail(root, summary);
}

// The rows of every comparison, one after another, as the /comparison table.
void write_differences(const h5::Group& g, std::span<const app::Comparison> comparisons) {
  std::vector<std::string> ldu, figure, units;
  std::vector<std::int64_t> n, significant;
  std::vector<double> base_mean, base_half, variant_mean, variant_half, diff, diff_half, low, high;
  for (const auto& comparison : comparisons)
    for (const auto& d : comparison.differences) {
      ldu.push_back(d.ldu);
      figure.push_back(d.figure);
      units.push_back(d.units);
      n.push_back(d.difference.n);
      base_mean.push_back(d.base.mean);
      base_half.push_back(d.base.half_width);
      variant_mean.push_back(d.variant.mean);
      variant_half.push_back(d.variant.half_width);
      diff.push_back(d.difference.mean);
      diff_half.push_back(d.difference.half_width);
      low.push_back(d.difference.low());
      high.push_back(d.difference.high());
      significant.push_back(d.significant());
    }
  g.attribute("confidence", comparisons.empty() ? app::kConfidence : comparisons.front().confidence);
  g.write_strings("ldu", ldu);
  g.write_strings("figure", figure);
  g.write_strings("units", units);
  g.write("n", n);
  g.write("base_mean", base_mean);
  g.write("base_half_width", base_half);
  g.write("variant_mean", variant_mean);
  g.write("variant_half_width", variant_half);
  g.write("difference", diff);
  g.write("difference_half_width", diff_half);
  g.write("difference_low", low);
  g.write("difference_high", high);
  g.write("significant", significant);
}

} // namespace

void write_results(const std::filesystem::path& path, const RunMetadata& meta, const RunOutput& run) {
  const h5::File file(path.string(), false, meta.compression);
  write_header(file, "run", meta);
  write_run(file, run);
  file.flush();
}

app::FigureTable read_part_figures(const std::filesystem::path& path, std::size_t index,
                                   const app::FigureTable& columns) {
  const h5::File file = open_part(path, index);
  // All of it, not only the figures: the file copies the part's chunks as they are.
  file.open_group(kPartGroup).read_everything();
  const h5::Group g = file.open_group(kPartGroup).open_group("summary");
  app::FigureTable rows = columns;
  const auto expect_rows = [&](std::size_t n, const std::string& what) {
    if (n != columns.rows_per_replication)
      throw std::runtime_error(fmt::format("{}: {} has {} rows, not {}", path.string(), what, n,
                                           columns.rows_per_replication));
  };
  rows.replication = g.read_ints("replication");
  rows.ldu = g.read_strings("ldu");
  expect_rows(rows.replication.size(), "replication");
  expect_rows(rows.ldu.size(), "ldu");
  for (auto& c : rows.columns) {
    c.values = g.read_doubles(c.name);
    expect_rows(c.values.size(), c.name);
  }
  return rows;
}

void write_comparison(const std::filesystem::path& path, const RunMetadata& meta,
                      const RunOutput& base, const RunOutput& variant, const app::Comparison& comparison) {
  const h5::File file(path.string(), false, meta.compression);
  write_header(file, "comparison", meta);
  file.attribute("seed", static_cast<std::uint64_t>(base.scenario->seed));
  file.attribute("replications", static_cast<std::int64_t>(base.summary->figures.replication.size() /
                                                            std::max<std::size_t>(1, base.summary->figures.rows_per_replication)));
  write_run(file.create_group("base"), base);
  write_run(file.create_group("variant"), variant);
  write_differences(file.create_group("comparison"), std::span(&comparison, 1));
  file.flush();
}

void write_sweep(const std::filesystem::path& path, const RunMetadata& meta, const std::string& key,
                 std::span<const std::string> values, std::span<const RunOutput> runs,
                 std::span<const app::Comparison> differences) {
  const h5::File file(path.string(), false, meta.compression);
  write_header(file, "sweep", meta);
  file.attribute("vary_key", key);
  file.write_strings("vary_values", {values.begin(), values.end()});
  const h5::Group group = file.create_group("runs");
  std::vector<std::int64_t> run_index;
  std::vector<std::string> value;
  std::vector<app::HeadlineStatistic> all;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const h5::Group g = group.create_group(fmt::format("{:04d}", i));
    g.attribute("vary_value", values[i]);
    write_run(g, runs[i]);
    for (const auto& st : runs[i].summary->statistics) {
      run_index.push_back(static_cast<std::int64_t>(i));
      value.push_back(values[i]);
      all.push_back(st);
    }
  }
  const h5::Group sweep = file.create_group("sweep");
  sweep.write("run", run_index);
  sweep.write_strings("value", value);
  write_statistics(sweep, runs.empty() ? app::kConfidence : runs.front().summary->confidence, all);
  // Each later value against the first, paired by replication (1.6).
  const h5::Group paired = file.create_group("sweep_differences");
  std::vector<std::int64_t> paired_run;
  std::vector<std::string> paired_value;
  for (std::size_t i = 0; i < differences.size(); ++i)
    for (std::size_t row = 0; row < differences[i].differences.size(); ++row) {
      paired_run.push_back(static_cast<std::int64_t>(i + 1));
      paired_value.push_back(values[i + 1]);
    }
  paired.attribute("reference_run", std::int64_t{0});
  paired.attribute("reference_value", values.empty() ? std::string() : values.front());
  paired.write("run", paired_run);
  paired.write_strings("value", paired_value);
  write_differences(paired, differences);
  file.flush();
}

void write_sensitivity(const std::filesystem::path& path, const RunMetadata& meta, const model::Scenario& scenario,
                       const std::string& resolved_scenario, const app::SensitivityTable& table,
                       std::span<const model::SensitivityParameter> parameters) {
  const h5::File file(path.string(), false, meta.compression);
  write_header(file, "sensitivity", meta);
  file.attribute("scenario_name", scenario.name);
  file.attribute("seed", static_cast<std::uint64_t>(scenario.seed));
  file.attribute("replications", static_cast<std::int64_t>(scenario.replications));
  file.attribute("scenario", resolved_scenario);

  std::vector<std::string> key;
  std::vector<double> low, high;
  for (const auto& p : parameters) {
    key.push_back(p.key);
    low.push_back(p.low);
    high.push_back(p.high);
  }
  const h5::Group screened = file.create_group("parameters");
  screened.write_strings("parameter", key);
  screened.write("low", low);
  screened.write("high", high);

  std::vector<std::string> parameter, figure, units;
  std::vector<double> row_low, row_high, effect, ci_low, ci_high;
  std::vector<std::int64_t> n, rank;
  for (const auto& row : table.rows) {
    parameter.push_back(row.parameter);
    row_low.push_back(row.low);
    row_high.push_back(row.high);
    figure.push_back(row.figure);
    units.push_back(row.units);
    effect.push_back(row.effect.mean);
    ci_low.push_back(row.effect.low());
    ci_high.push_back(row.effect.high());
    n.push_back(row.effect.n);
    rank.push_back(row.rank);
  }
  const h5::Group g = file.create_group("sensitivity");
  g.attribute("confidence", table.confidence);
  g.write_strings("parameter", parameter);
  g.write("low", row_low);
  g.write("high", row_high);
  g.write_strings("figure", figure);
  g.write_strings("units", units);
  g.write("effect", effect);
  g.write("ci_low", ci_low);
  g.write("ci_high", ci_high);
  g.write("n", n);
  g.write("rank", rank);
  file.flush();
}

void write_staffing(const std::filesystem::path& path, const RunMetadata& meta, const StaffingOutput& out) {
  const h5::File file(path.string(), false, meta.compression);
  write_header(file, "staffing", meta);
  const model::Scenario& scenario = *out.base.scenario;
  const app::StaffingSolution& solution = *out.solution;
  file.attribute("scenario_name", scenario.name);
  file.attribute("seed", static_cast<std::uint64_t>(scenario.seed));
  file.attribute("replications", static_cast<std::int64_t>(scenario.replications));
  file.attribute("confidence", out.confidence);
  file.attribute("max_added", static_cast<std::int64_t>(out.max_added));
  file.attribute("all_met", static_cast<std::int64_t>(solution.all_met));
  file.attribute("total_cost", app::plan_cost(out.choices, solution.plan));

  std::vector<std::string> ldu, grade;
  std::vector<std::int64_t> before, after, added;
  std::vector<double> unit_cost, cost;
  for (std::size_t i = 0; i < out.choices.size(); ++i) {
    const app::StaffChoice& c = out.choices[i];
    const auto& group = scenario.ldus[static_cast<std::size_t>(c.ldu)].staff[static_cast<std::size_t>(c.grade)];
    ldu.push_back(scenario.ldus[static_cast<std::size_t>(c.ldu)].name);
    grade.emplace_back(model::kGradeNames[static_cast<std::size_t>(c.grade)]);
    before.push_back(group.establishment);
    after.push_back(group.establishment + solution.plan[i]);
    added.push_back(solution.plan[i]);
    unit_cost.push_back(c.cost);
    cost.push_back(c.cost * solution.plan[i]);
  }
  const h5::Group plan = file.create_group("staffing_plan");
  plan.write_strings("ldu", ldu);
  plan.write_strings("grade", grade);
  plan.write("establishment_before", before, "posts");
  plan.write("establishment_after", after, "posts");
  plan.write("added", added, "posts");
  plan.write("unit_cost", unit_cost);
  plan.write("cost", cost);

  std::vector<std::string> target_ldu, figure, op, text;
  std::vector<double> value, base_mean, base_bound, mean, bound;
  std::vector<std::int64_t> base_met, met;
  for (std::size_t t = 0; t < out.targets.size(); ++t) {
    const app::StaffingTarget& target = out.targets[t];
    target_ldu.push_back(target.ldu);
    figure.push_back(target.figure);
    op.emplace_back(app::op_text(target.op));
    text.push_back(target.text);
    value.push_back(target.value);
    base_mean.push_back(solution.base[t].mean);
    base_bound.push_back(solution.base[t].bound);
    base_met.push_back(solution.base[t].met);
    mean.push_back(solution.achieved[t].mean);
    bound.push_back(solution.achieved[t].bound);
    met.push_back(solution.achieved[t].met);
  }
  const h5::Group targets = file.create_group("targets");
  targets.attribute("confidence", out.confidence);
  targets.write_strings("ldu", target_ldu);
  targets.write_strings("figure", figure);
  targets.write_strings("op", op);
  targets.write_strings("text", text);
  targets.write("value", value);
  targets.write("base_mean", base_mean);
  targets.write("base_bound", base_bound);
  targets.write("base_met", base_met);
  targets.write("achieved_mean", mean);
  targets.write("achieved_bound", bound);
  targets.write("met", met);
  if (out.recruitment != nullptr) {
    std::vector<double> r_mean, r_bound;
    std::vector<std::int64_t> r_met;
    for (const app::TargetCheck& c : out.recruitment_checks)
      r_mean.push_back(c.mean), r_bound.push_back(c.bound), r_met.push_back(c.met);
    targets.write("recruitment_mean", r_mean);
    targets.write("recruitment_bound", r_bound);
    targets.write("recruitment_met", r_met);
  }

  std::vector<std::int64_t> step, total_added, accepted, step_plans;
  std::vector<double> step_cost, shortfall, step_means, step_bounds;
  std::vector<std::string> change;
  for (const app::SearchStep& s : solution.steps) {
    step_plans.insert(step_plans.end(), s.plan.begin(), s.plan.end());
    step.push_back(s.step);
    total_added.push_back(s.total_added);
    step_cost.push_back(s.cost);
    shortfall.push_back(s.shortfall);
    accepted.push_back(s.accepted);
    change.push_back(s.change);
    for (const app::TargetCheck& c : s.checks) step_means.push_back(c.mean), step_bounds.push_back(c.bound);
  }
  const h5::Group search = file.create_group("search");
  search.write("step", step);
  search.write("total_added", total_added, "posts");
  search.write("cost", step_cost);
  search.write("shortfall", shortfall);
  search.write("accepted", accepted);
  search.write_strings("change", change);
  const std::vector<hsize_t> dims{solution.steps.size(), out.targets.size()};
  search.write<double>("target_mean", std::span<const double>(step_means), dims);
  search.write<double>("target_bound", std::span<const double>(step_bounds), dims);
  // Each candidate's posts added, by group (the rows of /staffing_plan).
  search.write<std::int64_t>("plan", std::span<const std::int64_t>(step_plans),
                             std::vector<hsize_t>{solution.steps.size(), out.choices.size()});

  write_run(file.create_group("base"), out.base);
  write_run(file.create_group("solution"), out.solution_run);
  if (out.recruitment != nullptr) {
    const app::RecruitmentPlan& r = *out.recruitment;
    std::vector<std::string> r_ldu, r_grade;
    std::vector<double> quarter;
    std::vector<std::int64_t> hires, trainees;
    for (const app::RecruitmentRow& row : r.rows) {
      r_ldu.push_back(scenario.ldus[static_cast<std::size_t>(row.ldu)].name);
      r_grade.emplace_back(model::kGradeNames[static_cast<std::size_t>(row.grade)]);
      quarter.push_back(row.quarter_start_day);
      hires.push_back(row.experienced_hires);
      trainees.push_back(row.trainee_starts);
    }
    const h5::Group table = file.create_group("recruitment_plan");
    table.attribute("by_day", r.by_day);
    table.attribute("reachable", static_cast<std::int64_t>(r.reachable()));
    table.write_strings("ldu", r_ldu);
    table.write_strings("grade", r_grade);
    table.write("quarter_start_day", quarter, "days");
    table.write("experienced_hires", hires, "staff");
    table.write("trainee_starts", trainees, "staff");
    const h5::Group run = file.create_group("recruitment");
    run.attribute("by_day", r.by_day);
    write_run(run, out.recruitment_run);
  }
  file.flush();
}

namespace {

// The working files being written, removed by a signal that ends the process
// while they are: a signal handler can reach only static storage, so this
// table is the one piece of global state, filled and cleared by WorkingFile.
// Several can be open at once: the part file of each replication running.
constexpr std::size_t kWorkingSlots = 64;
constexpr std::size_t kWorkingPath = 4096;
char g_working_files[kWorkingSlots][kWorkingPath];
std::atomic<bool> g_working_used[kWorkingSlots];
std::mutex g_working_mutex; // guards the slots' registration and the handlers
std::size_t g_working_count = 0;
constexpr std::array kSignals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};
std::array<struct sigaction, kSignals.size()> g_previous{};

extern "C" void remove_working_files_and_reraise(int signal) {
  for (std::size_t i = 0; i < kWorkingSlots; ++i)
    if (g_working_used[i].load(std::memory_order_acquire)) ::unlink(g_working_files[i]); // async-signal-safe
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

// A slot for `path` (none when the table is full or the path too long: then
// a signal leaves the file, which the next run removes).
int register_working_file(const std::filesystem::path& path) {
  const std::string text = path.string();
  const std::lock_guard lock(g_working_mutex);
  if (text.size() >= kWorkingPath) return -1;
  for (std::size_t i = 0; i < kWorkingSlots; ++i) {
    if (g_working_used[i].load(std::memory_order_relaxed)) continue;
    std::memcpy(g_working_files[i], text.c_str(), text.size() + 1);
    g_working_used[i].store(true, std::memory_order_release);
    if (g_working_count++ == 0) {
      struct sigaction action {};
      action.sa_handler = remove_working_files_and_reraise;
      sigemptyset(&action.sa_mask);
      for (std::size_t k = 0; k < kSignals.size(); ++k) ::sigaction(kSignals[k], &action, &g_previous[k]);
    }
    return static_cast<int>(i);
  }
  return -1;
}

void unregister_working_file(int slot) {
  if (slot < 0) return;
  const std::lock_guard lock(g_working_mutex);
  g_working_used[static_cast<std::size_t>(slot)].store(false, std::memory_order_release);
  if (--g_working_count == 0)
    for (std::size_t k = 0; k < kSignals.size(); ++k) ::sigaction(kSignals[k], &g_previous[k], nullptr);
}

// Data and metadata on the disk before the rename makes the file visible.
void sync_to_disk(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + " to sync it: " + std::strerror(errno));
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0) throw std::runtime_error("cannot sync " + path.string() + " to disk: " + std::strerror(error));
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// Called in a catch block, after writing `path` failed: HDF5 does not pass on
// the system's reason; a device with (almost) nothing left is the likely
// one, and the one a user can act on, so it is named; otherwise the
// exception goes on as it was.
[[noreturn]] void rethrow_write_failure(const std::filesystem::path& path, const std::exception& e) {
  const std::filesystem::path dir = folder_of(path);
  std::error_code ignored;
  const auto space = std::filesystem::space(dir, ignored);
  if (!ignored && space.available < (std::uintmax_t{1} << 20))
    throw std::runtime_error(fmt::format("no space left on the device of {} ({} bytes free): writing {} failed ({})",
                                         std::filesystem::absolute(dir).lexically_normal().string(),
                                         space.available, path.string(), e.what()));
  throw;
}

// Closes a file written under a working name and puts it in place: its
// objects must all be closed first (HDF5 closes a file only once none is
// open, so one left open would be written after the sync).
void close_and_commit(std::optional<h5::File>& file, WorkingFile& working, const char* what) {
  file->flush();
  if (file->other_open_objects() != 0) throw std::logic_error(std::string(what) + "'s HDF5 objects were left open");
  file.reset();
  working.commit();
}

// A job writing `file` (through `group`), made to clean up if it fails: the
// file closed before its device's space is looked at, its working copy
// removed, a full device named.
template <class F>
auto guarded_writing(F&& f, std::optional<h5::Group>& group, std::optional<h5::File>& file, const WorkingFile& working) {
  return [f = std::forward<F>(f), &group, &file, &working]() mutable {
    try {
      f();
    } catch (const std::exception& e) {
      group.reset();
      file.reset();
      std::error_code ignored;
      std::filesystem::remove(working.path(), ignored);
      rethrow_write_failure(working.final_path(), e);
    }
  };
}

} // namespace

WorkingFile::WorkingFile(std::filesystem::path path) : path_(std::move(path)), working_(path_) {
  working_ += fmt::format(".tmp-{}", ::getpid());
  std::filesystem::remove(working_);
  slot_ = register_working_file(working_);
}

WorkingFile::~WorkingFile() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(working_, ignored);
  }
  unregister_working_file(slot_);
}

void WorkingFile::commit() {
  sync_to_disk(working_, O_RDONLY);
  std::filesystem::rename(working_, path_);
  committed_ = true;
  sync_to_disk(folder_of(path_), O_RDONLY | O_DIRECTORY);
}

void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write) {
  WorkingFile file(path);
  try {
    write(file.path());
    file.commit();
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(file.path(), ignored); // before the free space is looked at
    rethrow_write_failure(path, e);
  }
}

// The part file while the replication runs: its HDF5 objects, touched only
// by the jobs of its JobThread, and the tables' rows being gathered.
struct PartWriter::Open {
  // `pack_at_finish`: the tables' last chunks compressed by the thread that
  // finishes the replication (a run of one, whose thread then only waits).
  Open(double horizon, const std::function<void(std::function<void()>)>& post,
       const std::function<bool(std::function<void()>)>& hint, bool pack_at_finish)
      : tasks(horizon, post, hint, pack_at_finish), victims(horizon, post, hint, pack_at_finish) {}
  std::optional<h5::File> file;
  std::optional<h5::Group> group;
  StreamedTable<TaskColumns> tasks;
  StreamedTable<VictimColumns> victims;
  // The officer series: the band being gathered, and its file's side.
  OfficerBand band;
  std::mutex spare_band_mutex; // guards spare_band, the buffers of a band written
  OfficerBand spare_band;
  std::size_t band_rows = 0;  // set by the first snapshot
  std::size_t band_cells = 0; // of each column, in the band's rows so far
  std::size_t bands_written = 0;
  std::size_t snapshots = 0;
  OfficerSeriesFile officer_series;
  // In a run of one, whose end the run waits for: the datasets of the
  // replication's end and of the run's, made as the file opens. A part
  // makes each as its values come: its end overlaps the next replication,
  // and held open they would cost ≈12 kB each all the while.
  std::optional<SnapshotSeries> series;
  std::optional<FigureDatasets> summary;
  std::optional<RunTail> tail;
  // Jobs waiting at most: a chunk of rows of each table while one is written,
  // or the finished replication.
  JobThread jobs{4}; // last: joined before the rest goes
};

template <class F> auto PartWriter::guarded(F&& f) {
  return guarded_writing(std::forward<F>(f), open_->group, open_->file, file_);
}

PartWriter::PartWriter(const std::filesystem::path& path, const RunMetadata& meta, const model::Scenario& scenario,
                       std::size_t index, std::function<void()> on_whole)
    : PartWriter(path, meta, scenario, index, std::move(on_whole), std::nullopt) {}

PartWriter::PartWriter(const std::filesystem::path& path, const RunMetadata& meta, const model::Scenario& scenario,
                       std::size_t index, std::function<void()> on_whole, std::optional<RunOutput> run_head)
    : scenario_(scenario), index_(index), on_whole_(std::move(on_whole)), whole_run_(run_head.has_value()),
      file_(path), open_(std::make_unique<Open>(
                       scenario.horizon_days, [this](std::function<void()> job) { open_->jobs.post(guarded(std::move(job))); },
                       [this](std::function<void()> job) { return open_->jobs.try_post(std::move(job)); },
                       whole_run_ && meta.compression.codec == h5::Compression::Codec::lz4)) {
  open_->jobs.post(guarded([this, meta, head = std::move(run_head)] {
    h5::quiet_errors();
    Open& o = *open_;
    o.file.emplace(file_.path().string(), false, meta.compression);
    if (head) { // a run's results file, of this one replication
      write_header(*o.file, "run", meta);
      o.group.emplace(write_run_head(*o.file, *head, 1).create_group(fmt::format("{:04d}", index_)));
    } else {
      o.file->attribute("format", kPartFormat);
      o.file->attribute("engine_version", meta.engine_version);
      o.file->attribute("replication", static_cast<std::int64_t>(index_));
      o.group.emplace(o.file->create_group(kPartGroup));
    }
    create_replication_groups(*o.group);
    o.tasks.open(o.group->open_group("tasks"));
    o.victims.open(o.group->open_group("victims"));
    if (head) {
      o.series.emplace(*o.group, scenario_);
      const app::FigureTable columns = app::figure_columns(scenario_);
      const std::vector<std::string> rows = app::figure_row_names(scenario_);
      o.summary.emplace(replication_summary(*o.group, columns, rows, index_));
      o.tail.emplace(*o.file, columns, rows);
    }
  }));
}

PartWriter::~PartWriter() = default;

// A failure on the writer's thread (a full device) stops the replication at
// its next records, as it did when the writing was done here.
void PartWriter::tasks(std::span<const model::Task> records) {
  open_->jobs.check();
  open_->tasks.add(records);
}

void PartWriter::victims(std::span<const model::VictimCase> records) {
  open_->jobs.check();
  open_->victims.add(records);
}

void PartWriter::task_final(std::uint32_t id, const model::Task& record) { open_->tasks.correct(id, record); }

void PartWriter::victim_final(std::uint32_t id, const model::VictimCase& record) {
  open_->victims.correct(id, record);
}

model::OfficerSeries* PartWriter::officer_rows() { return &open_->band.rows; }

void PartWriter::officer_row_added(double time) {
  Open& o = *open_;
  o.jobs.check();
  const std::size_t width = o.band.rows.cases.values.size() - o.band_cells;
  if (o.band_rows == 0) o.band_rows = OfficerSeriesFile::band_rows(width);
  if (o.band.widths.capacity() == 0) { // a band's room at once: growing it costs its copies and fresh pages
    const std::size_t cells = o.band_rows * width * 5 / 4;
    o.band.time_days.reserve(o.band_rows);
    o.band.widths.reserve(o.band_rows);
    model::for_each_column(o.band.rows, [&](auto& column) { column.values.reserve(cells); });
    // backed by the writer's thread before the next snapshots fill it, as a
    // table's rows (all the room at once: a band is ≈100 kB a column)
    PagesToPrepare pages;
    model::for_each_column(o.band.rows, [&](auto& column) {
      pages.add(column.values, column.values.size(), column.values.capacity());
    });
    o.jobs.try_post(std::move(pages));
  }
  o.band.time_days.push_back(time);
  o.band.widths.push_back(width);
  o.band_cells += width;
  ++o.snapshots;
  if (o.band.size() < o.band_rows) return;
  OfficerBand next;
  {
    const std::lock_guard lock(o.spare_band_mutex);
    next = std::exchange(o.spare_band, OfficerBand{});
  }
  next.first = o.snapshots;
  o.band_cells = 0;
  o.jobs.post(guarded([this, band = std::exchange(o.band, std::move(next))]() mutable {
    const h5::Group snapshots = open_->group->open_group("snapshots");
    open_->officer_series.write(snapshots, band);
    if (open_->series) open_->series->create_cells(snapshots);
    // The kernel set to write what is there so far, every few bands (each
    // call costs the writer ~0.1 ms).
    if (++open_->bands_written % 4 == 0) open_->file->start_writeback();
    // The buffers go back, emptied, for a later band.
    band.time_days.clear();
    band.widths.clear();
    model::for_each_column(band.rows, [](auto& column) { column.values.clear(); });
    const std::lock_guard lock(open_->spare_band_mutex);
    open_->spare_band = std::move(band);
  }));
}

void PartWriter::finish(model::ReplicationResult&& result, app::FigureTable rows) {
  Open& o = *open_;
  o.jobs.post(guarded([this, result = std::move(result), band = std::move(o.band)]() mutable {
    write_replication_rest(*open_->group, scenario_, result, index_, [&](const h5::Group& snapshots) {
      open_->officer_series.write(snapshots, band);
      open_->officer_series.finish(snapshots, result.snapshots.count(), result.officers.size());
    }, open_->series ? &*open_->series : nullptr);
    open_->series.reset();
  }));
  // The figures before the tables' last chunks: the writer writes them
  // while this thread packs those chunks (pack_at_finish).
  o.jobs.post(guarded([this, rows = std::move(rows)] {
    Open& o = *open_;
    if (o.summary) {
      o.summary->write(rows, 0);
      o.summary.reset();
    } else {
      write_figures(o.group->create_group("summary"), rows, 0, rows.rows_per_replication);
    }
  }));
  o.tasks.finish();
  o.victims.finish();
  o.jobs.post(guarded([this] {
    Open& o = *open_;
    o.group.reset();
    if (whole_run_) { // the run's summary follows (finish_run), while the replication goes to the disk
      o.file->start_writeback();
      return;
    }
    close_and_commit(o.file, file_, "a part file");
    if (on_whole_) on_whole_();
  }));
}

void PartWriter::close() { open_->jobs.wait(); }

void PartWriter::finish_run(const app::RunSummary& summary) {
  open_->jobs.post(guarded([this, &summary] {
    Open& o = *open_;
    o.tail->write(summary);
    o.tail.reset();
    close_and_commit(o.file, file_, "the results file");
  }));
  open_->jobs.wait();
}

namespace {

// A writer handed on without its ownership.
class BorrowedWriter final : public app::ReplicationWriter {
public:
  explicit BorrowedWriter(app::ReplicationWriter& writer) : writer_(writer) {}
  void tasks(std::span<const model::Task> records) override { writer_.tasks(records); }
  void victims(std::span<const model::VictimCase> records) override { writer_.victims(records); }
  void task_final(std::uint32_t id, const model::Task& record) override { writer_.task_final(id, record); }
  void victim_final(std::uint32_t id, const model::VictimCase& record) override { writer_.victim_final(id, record); }
  [[nodiscard]] model::OfficerSeries* officer_rows() override { return writer_.officer_rows(); }
  void officer_row_added(double time) override { writer_.officer_row_added(time); }
  void finish(model::ReplicationResult&& result, app::FigureTable rows) override {
    writer_.finish(std::move(result), std::move(rows));
  }
  void close() override { writer_.close(); }

private:
  app::ReplicationWriter& writer_;
};

} // namespace

SingleRunWriter::SingleRunWriter(const std::filesystem::path& output, const RunMetadata& meta, const RunOutput& head)
    : writer_(output, meta, *head.scenario, 0, {}, RunOutput{head.scenario, head.resolved_scenario, head.scenario_source, {}, nullptr, {}}) {}

std::unique_ptr<app::ReplicationWriter> SingleRunWriter::replication() { return std::make_unique<BorrowedWriter>(writer_); }

void SingleRunWriter::finish(const app::RunSummary& summary) { writer_.finish_run(summary); }

// The output's file while the run goes on: touched only by the jobs of its JobThread.
struct ResultsAssembler::State {
  State(const std::filesystem::path& output, std::size_t replications) : file(output), ready(replications) {}
  WorkingFile file;
  std::optional<h5::File> h5;
  std::optional<h5::Group> replications;
  std::vector<std::optional<std::filesystem::path>> ready; // parts whole, by replication
  std::size_t copied = 0;                                  // replications [0, copied) are in the file
  JobThread jobs{64};                                      // last: joined before the rest goes
};

template <class F> auto ResultsAssembler::guarded(F&& f) {
  return guarded_writing(std::forward<F>(f), state_->replications, state_->h5, state_->file);
}

ResultsAssembler::ResultsAssembler(const std::filesystem::path& output, const RunMetadata& meta, const RunOutput& head,
                                   std::size_t replications)
    : state_(std::make_unique<State>(output, replications)) {
  state_->jobs.post(guarded([this, meta, head, replications] {
    State& st = *state_;
    st.h5.emplace(st.file.path().string(), false, meta.compression);
    write_header(*st.h5, "run", meta);
    st.replications.emplace(write_run_head(*st.h5, head, replications));
  }));
}

ResultsAssembler::~ResultsAssembler() = default;

void ResultsAssembler::part_ready(std::size_t replication, std::filesystem::path part) {
  state_->jobs.post(guarded([this, replication, part = std::move(part)] {
    State& st = *state_;
    st.ready.at(replication) = part;
    const std::size_t before = st.copied;
    for (; st.copied < st.ready.size() && st.ready[st.copied]; ++st.copied)
      copy_part(*st.replications, *st.ready[st.copied], st.copied);
    if (st.copied > before) st.h5->start_writeback(); // so that the sync at the end has less to wait for
  }));
}

void ResultsAssembler::finish(const app::RunSummary& summary) {
  state_->jobs.post(guarded([this, &summary] {
    State& st = *state_;
    if (st.copied != st.ready.size()) throw std::logic_error("the results file was finished before every part was in it");
    write_run_tail(*st.h5, summary);
    st.replications.reset();
    close_and_commit(st.h5, st.file, "the results file");
  }));
  state_->jobs.wait();
}

} // namespace caseload::io
