#pragma once
// A small RAII layer over the HDF5 C API: every HDF5 call of the project goes
// through here. Failures throw std::runtime_error.

#include <hdf5.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace caseload::io::h5 {

// Owns one HDF5 identifier and closes it with the matching H5*close.
class Handle {
public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer, std::string_view what);
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  ~Handle() { reset(); }
  [[nodiscard]] hid_t id() const { return id_; }

private:
  void reset() noexcept;
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

template <class T> hid_t native_type();
template <> inline hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> inline hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> inline hid_t native_type<std::int32_t>() { return H5T_NATIVE_INT32; }
template <> inline hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> inline hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }
template <> inline hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> inline hid_t native_type<std::int8_t>() { return H5T_NATIVE_INT8; }

// How the large numeric datasets are compressed (docs/hdf5-format.md, "storage").
struct Compression {
  enum class Codec { none, deflate, lz4 };
  Codec codec = Codec::lz4;
  int deflate_level = 1; // 1 to 9, for Codec::deflate
};

// HDF5's registered number of the LZ4 filter (a plugin: hdf5-filter-plugin).
inline constexpr H5Z_filter_t kLz4Filter = 32004;
// "1.10.8": the HDF5 library's version (a part of what a file's bytes depend on).
[[nodiscard]] std::string library_version();
// Whether the HDF5 library can load the LZ4 filter plugin.
[[nodiscard]] bool lz4_available();

// Numeric arrays of fewer elements are stored uncompressed (Group::write).
inline constexpr std::size_t kMinCompressed = 1024;

// Chunks compressed ahead of their writing, by any thread (no HDF5 call):
// each the bytes HDF5's pipeline stores for LZ4 then Fletcher-32, so that
// the thread that owns the file only hands them over (H5Dwrite_chunk).
struct PackedChunks {
  std::vector<std::vector<std::uint8_t>> chunks; // in the order of their rows
};
// `rows` rows of `row_bytes` bytes, in chunks of `chunk_rows` rows (the
// last padded with zeros, as the library pads it).
[[nodiscard]] PackedChunks pack_rows(const void* values, std::size_t row_bytes, hsize_t rows, hsize_t chunk_rows);
template <class T> [[nodiscard]] PackedChunks pack_rows(std::span<const T> values, hsize_t chunk_rows) {
  return pack_rows(values.data(), sizeof(T), values.size(), chunk_rows);
}

// A 1-D numeric dataset that grows as rows are appended (records streamed
// out while a replication runs): chunked, compressed and checksummed as a
// large dataset of Group::write.
class AppendableDataset {
public:
  // `write_chunks`: whole chunks compressed here (LZ4) and written as they are.
  AppendableDataset(Handle dataset, hid_t type, hsize_t chunk, bool write_chunks)
      : dataset_(std::move(dataset)), type_(type), chunk_(chunk), write_chunks_(write_chunks) {}
  // `packed`, if given, the values' chunks (pack_rows, in this dataset's chunk): they
  // are stored as they are where this dataset writes its chunks itself.
  template <class T> void append(std::span<const T> values, const PackedChunks* packed = nullptr) {
    append_raw(native_type<T>(), values.data(), values.size(), packed);
  }
  // Grows by `count` values written later (write()); read before, they are 0.
  void extend(hsize_t count);
  // Values [start, start + values.size()) of those appended: read, or replaced.
  template <class T> void read(hsize_t start, std::span<T> values) const {
    transfer(native_type<T>(), values.data(), start, values.size(), false);
  }
  template <class T> void write(hsize_t start, std::span<const T> values, const PackedChunks* packed = nullptr) {
    if (packed != nullptr && store_packed(start, values.size(), *packed)) return;
    transfer(native_type<T>(), const_cast<T*>(values.data()), start, values.size(), true); // NOLINT: only read
  }
  [[nodiscard]] hsize_t size() const { return size_; }

private:
  void append_raw(hid_t type, const void* data, std::size_t count, const PackedChunks* packed);
  // Stores `packed` as values [start, start + count); false where this
  // dataset does not write its chunks itself, or they are not whole chunks.
  bool store_packed(hsize_t start, hsize_t count, const PackedChunks& packed);
  void transfer(hid_t type, void* data, hsize_t start, hsize_t count, bool write) const;
  // Whole chunks read and decoded here; false if one is not as written here.
  bool read_chunks(void* data, hsize_t start, hsize_t count) const;
  Handle dataset_;
  hid_t type_;
  hsize_t chunk_;
  bool write_chunks_;
  hsize_t size_ = 0;
};

// A 2-D numeric dataset that grows in both dimensions, written a band of
// whole rows at a time (a series of snapshots whose columns are officers,
// more of them as staff join): chunks of chunk_rows × chunk_columns,
// compressed and checksummed as a large dataset of Group::write, and cells
// never written read as the fill value.
class GrowingMatrix {
public:
  GrowingMatrix(Handle dataset, hid_t type, std::size_t element_bytes, std::vector<std::uint8_t> fill, hsize_t chunk_rows,
                hsize_t chunk_columns, bool write_chunks)
      : dataset_(std::move(dataset)), type_(type), element_bytes_(element_bytes), fill_(std::move(fill)),
        chunk_rows_(chunk_rows), chunk_columns_(chunk_columns), write_chunks_(write_chunks) {}
  // Rows [first, first + rows) of columns [0, width), `values` row by row:
  // `first` a multiple of chunk_rows, and `rows` chunk_rows unless they are
  // the last. The dataset grows to hold them.
  template <class T> void write_rows(hsize_t first, hsize_t rows, hsize_t width, std::span<const T> values) {
    if (values.size() != rows * width) throw std::logic_error("HDF5: a band of the wrong size");
    write_rows_raw(native_type<T>(), first, rows, width, values.data());
  }
  // The final dimensions (never less than written).
  void resize(hsize_t rows, hsize_t columns);

private:
  void write_rows_raw(hid_t type, hsize_t first, hsize_t rows, hsize_t width, const void* values);
  void grow_to(hsize_t rows, hsize_t columns);
  void fill_bytes(std::uint8_t* at, std::size_t bytes) const;
  Handle dataset_;
  hid_t type_;
  std::size_t element_bytes_;
  std::vector<std::uint8_t> fill_; // one element's bytes
  hsize_t chunk_rows_, chunk_columns_;
  bool write_chunks_; // compressed here (LZ4) and handed to H5Dwrite_chunk, else through the pipeline
  hsize_t rows_ = 0, columns_ = 0;
};

// A fixed-shape numeric dataset made before its values are known, stored
// as Group::write stores it: HDF5's cost of making an object (≈30 µs each,
// most of a small dataset's) paid ahead, by a writer's thread while the run
// goes, so that only the values are left for its end.
class Dataset {
public:
  Dataset(Handle dataset, std::string name, hid_t type, std::vector<hsize_t> dims, bool packs)
      : dataset_(std::move(dataset)), name_(std::move(name)), type_(type), dims_(std::move(dims)), packs_(packs) {}
  // Every value, once; `packed` as in Group::write.
  template <class T> void write(std::span<const T> data, const PackedChunks* packed = nullptr) const {
    write_raw(native_type<T>(), data.data(), data.size(), packed);
  }

private:
  friend class Group; // whose write() is create_dataset() then this
  void write_raw(hid_t type, const void* data, std::size_t count, const PackedChunks* packed) const;
  Handle dataset_;
  std::string name_;
  hid_t type_;
  std::vector<hsize_t> dims_;
  bool packs_; // its chunks compressed here (LZ4) and handed to H5Dwrite_chunk
};

class Group {
public:
  // `compression`: of the large datasets of this group and the groups created in it.
  explicit Group(Handle handle, Compression compression = {})
      : handle_(std::move(handle)), compression_(compression) {}
  [[nodiscard]] hid_t id() const { return handle_.id(); }

  Group create_group(const std::string& name) const;
  [[nodiscard]] Group open_group(const std::string& name) const;
  [[nodiscard]] bool has(const std::string& name) const;
  [[nodiscard]] bool has_attribute(const std::string& name) const;

  // Reading back (for `caseload info`): attributes and 1-D datasets.
  [[nodiscard]] std::string read_string_attribute(const std::string& name) const;
  [[nodiscard]] std::vector<std::int64_t> read_int_attribute(const std::string& name) const;
  [[nodiscard]] double read_double_attribute(const std::string& name) const;
  [[nodiscard]] std::vector<double> read_doubles(const std::string& name) const;
  [[nodiscard]] std::vector<std::int64_t> read_ints(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> read_strings(const std::string& name) const;

  // An n-dimensional array of T; compressed (shuffle + deflate) in chunks of
  // whole leading-dimension rows when it is large enough to gain from it.
  template <class T>
  void write(const std::string& name, std::span<const T> data, std::vector<hsize_t> dims,
             std::string_view units = {}) const {
    write_raw(name, native_type<T>(), data.data(), data.size(), std::move(dims), units);
  }
  template <class T>
  void write(const std::string& name, const std::vector<T>& data, std::string_view units = {},
             const PackedChunks* packed = nullptr) const {
    write_raw(name, native_type<T>(), data.data(), data.size(), {data.size()}, units, packed);
  }
  // The dataset write() makes for an array of T of `dims`, without its values.
  template <class T>
  [[nodiscard]] Dataset create_dataset(const std::string& name, std::vector<hsize_t> dims,
                                       std::string_view units = {}) const {
    return create_dataset_raw(name, native_type<T>(), std::move(dims), units);
  }
  // The rows of each chunk of an array of `dims` that write() stores (with
  // the LZ4 codec, an array of kMinCompressed elements or more can be given
  // its chunks packed ahead in these).
  [[nodiscard]] static hsize_t chunk_rows(const std::vector<hsize_t>& dims);
  void write_strings(const std::string& name, const std::vector<std::string>& values) const;
  // An empty 1-D dataset of T to append to, in chunks of `chunk` elements.
  template <class T>
  [[nodiscard]] AppendableDataset create_appendable(const std::string& name, hsize_t chunk,
                                                    std::string_view units = {}) const {
    return create_appendable_raw(name, native_type<T>(), chunk, units);
  }

  // An empty 2-D dataset of T that grows (GrowingMatrix), reading `fill` where nothing was written.
  template <class T>
  [[nodiscard]] GrowingMatrix create_growing_matrix(const std::string& name, hsize_t chunk_rows, hsize_t chunk_columns,
                                                    T fill, std::string_view units = {}) const {
    return create_growing_matrix_raw(name, native_type<T>(), sizeof(T), &fill, chunk_rows, chunk_columns, units);
  }

  // Reads every dataset in this group and those below it, chunk checksums
  // and all, keeping nothing; throws at the first that cannot be read.
  void read_everything() const;

  // A copy of `source`'s member `source_name` (a group with all it holds,
  // its compressed data copied as stored) as this group's member `name`.
  void copy(const Group& source, const std::string& source_name, const std::string& name) const;

  void attribute(const std::string& name, std::string_view value) const;
  void attribute(const std::string& name, double value) const;
  void attribute(const std::string& name, std::int64_t value) const;
  void attribute(const std::string& name, std::uint64_t value) const;
  void attribute(const std::string& name, std::span<const std::int64_t> values) const;

private:
  void write_raw(const std::string& name, hid_t type, const void* data, std::size_t count,
                 std::vector<hsize_t> dims, std::string_view units, const PackedChunks* packed = nullptr) const;
  Dataset create_dataset_raw(const std::string& name, hid_t type, std::vector<hsize_t> dims,
                             std::string_view units) const;
  AppendableDataset create_appendable_raw(const std::string& name, hid_t type, hsize_t chunk,
                                          std::string_view units) const;
  GrowingMatrix create_growing_matrix_raw(const std::string& name, hid_t type, std::size_t element_bytes,
                                          const void* fill, hsize_t chunk_rows, hsize_t chunk_columns,
                                          std::string_view units) const;
  // Chunked as given, compressed with the group's codec if `compress`, checksummed.
  [[nodiscard]] Handle chunked_properties(const std::vector<hsize_t>& chunk, bool compress) const;
  Handle handle_;
  Compression compression_;
};

// A new file, which must not exist (callers write to a fresh temporary
// name); or, with `read_only`, an existing file opened for reading.
class File : public Group {
public:
  explicit File(const std::string& path, bool read_only = false, Compression compression = {});
  void flush() const;
  // Has the system start writing to the disk what was written so far, so
  // that the sync at the end has less left to wait for.
  void start_writeback() const;
  // HDF5 objects of this file still open besides the file itself: the file
  // is really closed (its last metadata written) only once there are none.
  [[nodiscard]] std::size_t other_open_objects() const;
};

// Stops the HDF5 library printing its error stack: failures surface as our exceptions.
void quiet_errors();
// Whether the file at `path` has an HDF5 signature.
[[nodiscard]] bool is_hdf5(const std::string& path);

// Tells the HDF5 library not to close its files when the process exits. A
// write that failed (a full disk) leaves the file half-closed in the
// library's tables, and its clean-up at exit then crashes (HDF5 1.10); every
// file caseload writes is closed by its File before then, so nothing is lost.
void skip_cleanup_at_exit();

} // namespace caseload::io::h5
