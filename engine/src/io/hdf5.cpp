#include "caseload/io/hdf5.hpp"

#include <lz4.h>

#include <fcntl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace caseload::io::h5 {
namespace {

void check(herr_t status, std::string_view what) {
  if (status < 0) throw std::runtime_error("HDF5: " + std::string(what) + " failed");
}

// HDF5's Fletcher-32 checksum (the library's H5_checksum_fletcher32, which
// is not in its public API): sums of big-endian 16-bit words, an odd last
// byte taken as a word's high half, folded every 360 words.
std::uint32_t fletcher32(const std::uint8_t* data, std::size_t bytes) {
  std::uint32_t sum1 = 0, sum2 = 0;
  const auto fold = [&] {
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  };
  for (std::size_t words = bytes / 2; words > 0;) {
    const std::size_t block = std::min<std::size_t>(words, 360);
    words -= block;
    for (std::size_t i = 0; i < block; ++i, data += 2) {
      sum1 += static_cast<std::uint32_t>(data[0]) << 8 | data[1];
      sum2 += sum1;
    }
    fold();
  }
  if (bytes % 2 != 0) {
    sum1 += static_cast<std::uint32_t>(*data) << 8;
    sum2 += sum1;
    fold();
  }
  fold();
  return sum2 << 16 | sum1;
}

void put_big_endian(std::uint8_t* at, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) at[i] = static_cast<std::uint8_t>(value & 0xff);
}

// The most a chunk of `bytes` takes as HDF5 stores it (lz4_checksummed_chunk).
std::size_t packed_bound(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) throw std::logic_error("HDF5: chunk too large for LZ4");
  return 16 + static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(bytes))) + 4;
}

// A chunk as HDF5 stores it through the pipeline chunked_properties gives
// (LZ4, then Fletcher-32), byte for byte, written to `out` (packed_bound
// bytes): the LZ4 plugin's frame (the size as a big-endian 64-bit number
// and, its one block being the whole chunk, the block size; then the
// block's compressed size and bytes, or its bytes as they are where LZ4
// gains nothing), then the checksum of the frame, little-endian. Returns
// its length. tests/unit/test_hdf5_chunks.cpp checks it against the library.
std::size_t lz4_checksummed_chunk(const std::uint8_t* data, std::size_t bytes, std::uint8_t* out) {
  const int in = static_cast<int>(bytes);
  put_big_endian(out, bytes, 8);
  put_big_endian(out + 8, bytes, 4);
  const int packed = LZ4_compress_default(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out + 16), in,
                                          LZ4_compressBound(in));
  std::size_t end = 16;
  if (packed <= 0 || packed >= in) {
    std::memcpy(out + 16, data, bytes);
    put_big_endian(out + 12, bytes, 4);
    end += bytes;
  } else {
    put_big_endian(out + 12, static_cast<std::uint64_t>(packed), 4);
    end += static_cast<std::size_t>(packed);
  }
  const std::uint32_t sum = fletcher32(out, end);
  for (int i = 0; i < 4; ++i) out[end + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum >> (8 * i));
  return end + 4;
}

std::uint64_t get_big_endian(const std::uint8_t* at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = value << 8 | at[i];
  return value;
}

// The bytes of a chunk stored as lz4_checksummed_chunk stores it, into `out`
// (`bytes` long); false for a chunk in any other form (the library's
// pipeline then reads it). A checksum that does not match is damage.
bool read_lz4_checksummed_chunk(const std::uint8_t* in, std::size_t length, std::uint8_t* out, std::size_t bytes) {
  if (length < 20 || get_big_endian(in, 8) != bytes || get_big_endian(in + 8, 4) != bytes) return false;
  const std::size_t packed = get_big_endian(in + 12, 4);
  if (16 + packed + 4 != length) return false; // more than one block
  std::uint32_t stored = 0;
  for (int i = 3; i >= 0; --i) stored = stored << 8 | in[16 + packed + static_cast<std::size_t>(i)];
  if (fletcher32(in, 16 + packed) != stored) throw std::runtime_error("HDF5: a chunk fails its checksum (damaged data)");
  if (packed == bytes) {
    std::memcpy(out, in + 16, bytes);
    return true;
  }
  return LZ4_decompress_safe(reinterpret_cast<const char*>(in + 16), reinterpret_cast<char*>(out),
                             static_cast<int>(packed), static_cast<int>(bytes)) == static_cast<int>(bytes);
}

// Writes `rows` rows from `first_row` (a multiple of `chunk_rows`) of a
// dataset whose chunks are `chunk_rows` whole rows, compressing each chunk
// here and handing it to H5Dwrite_chunk: the same bytes as H5Dwrite through
// the pipeline, without the library's copies into and out of its chunk
// buffers (an eighth of the writer's instructions). A last chunk past the
// rows is padded with zeros, as the library pads it (its fill value).
// One whole chunk (`bytes` long) at `offset`, compressed here and stored as
// the pipeline would store it (lz4_checksummed_chunk).
void write_lz4_chunk(hid_t dataset, const hsize_t* offset, const std::uint8_t* chunk, std::size_t bytes) {
  // Kept by the thread from one call to the next: fresh pages each time
  // (the kernel zeroing them) would cost about as much as the compression.
  thread_local std::vector<std::uint8_t> packed;
  packed.resize(std::max(packed.size(), packed_bound(bytes)));
  const std::size_t length = lz4_checksummed_chunk(chunk, bytes, packed.data());
  check(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, offset, length, packed.data()), "H5Dwrite_chunk");
}

// f(first row, chunk bytes) for each chunk of `rows` rows of `row_bytes`
// in chunks of `chunk_rows` rows, the last padded with zeros.
template <class F>
void each_row_chunk(const void* values, std::size_t row_bytes, hsize_t rows, hsize_t chunk_rows, F&& f) {
  const auto* data = static_cast<const std::uint8_t*>(values);
  const std::size_t total = static_cast<std::size_t>(rows) * row_bytes;
  const std::size_t chunk_bytes = static_cast<std::size_t>(chunk_rows) * row_bytes;
  thread_local std::vector<std::uint8_t> edge;
  for (std::size_t start = 0; start < total; start += chunk_bytes) {
    const std::uint8_t* chunk = data + start;
    if (total - start < chunk_bytes) {
      edge.assign(chunk_bytes, 0);
      std::memcpy(edge.data(), chunk, total - start);
      chunk = edge.data();
    }
    f(static_cast<hsize_t>(start / row_bytes), std::span<const std::uint8_t>(chunk, chunk_bytes));
  }
}

void write_compressed_chunks(hid_t dataset, std::size_t rank, const void* values, std::size_t row_bytes, hsize_t rows,
                             hsize_t chunk_rows, hsize_t first_row = 0) {
  std::vector<hsize_t> offset(rank, 0);
  each_row_chunk(values, row_bytes, rows, chunk_rows, [&](hsize_t row, std::span<const std::uint8_t> chunk) {
    offset[0] = first_row + row;
    write_lz4_chunk(dataset, offset.data(), chunk.data(), chunk.size());
  });
}

// Packed chunks (pack_rows) stored from row `first_row` on, a chunk every `chunk_rows` rows.
void store_packed_chunks(hid_t dataset, std::size_t rank, const PackedChunks& packed, hsize_t chunk_rows,
                         hsize_t first_row) {
  std::vector<hsize_t> offset(rank, 0);
  for (std::size_t i = 0; i < packed.chunks.size(); ++i) {
    offset[0] = first_row + i * chunk_rows;
    check(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, offset.data(), packed.chunks[i].size(), packed.chunks[i].data()),
          "H5Dwrite_chunk");
  }
}

hsize_t chunks_of(hsize_t rows, hsize_t chunk_rows) { return chunk_rows == 0 ? 0 : (rows + chunk_rows - 1) / chunk_rows; }

// Values of the hyperslab at `start` of `count` (one entry a dimension) of
// `dataset`, `data` holding them in order: read, or written, through the
// library's pipeline.
void transfer_hyperslab(hid_t dataset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                        void* data, bool write) {
  Handle file_space(H5Dget_space(dataset), H5Sclose, "dataspace");
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "H5Sselect_hyperslab");
  Handle memory_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose, "dataspace");
  if (write)
    check(H5Dwrite(dataset, type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), "rewriting values");
  else
    check(H5Dread(dataset, type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), "reading values back");
}

// Object creation property lists without modification times, so that the
// same results give the same bytes.
Handle untimed(hid_t plist_class) {
  Handle plist(H5Pcreate(plist_class), H5Pclose, "property list");
  check(H5Pset_obj_track_times(plist.id(), false), "H5Pset_obj_track_times");
  return plist;
}

Handle string_type(std::size_t length) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type.id(), length == 0 ? H5T_VARIABLE : length), "H5Tset_size");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  return type;
}

// A file whose root group keeps its members in the order written, without
// modification times (the root group's too: the same results, the same bytes).
Handle ordered_file() {
  Handle fcpl = untimed(H5P_FILE_CREATE);
  check(H5Pset_link_creation_order(fcpl.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "H5Pset_link_creation_order");
  return fcpl;
}

// The HDF5 1.10 file format: a dataset of one chunk (most of ours) keeps it
// without a B-tree index, so checksummed small datasets stay small.
Handle v110_access() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access property list");
  check(H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds");
  // A file being written is rarely read back: its metadata cache is kept
  // small. At the library's default (up to 32 MB, grown as objects come) the
  // cache of a results file that gains ~300 objects a replication would make
  // a run's memory grow with its replications (Midlands -o: 61 MB at -r 2,
  // 108 MB at -r 24).
  H5AC_cache_config_t cache{};
  cache.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.id(), &cache), "H5Pget_mdc_config");
  cache.set_initial_size = true;
  cache.initial_size = 1 << 20;
  cache.min_size = 1 << 20;
  cache.max_size = 4 << 20;
  check(H5Pset_mdc_config(fapl.id(), &cache), "H5Pset_mdc_config");
  return fapl;
}

// Variable-length UTF-8, which h5py returns as str and R's hdf5r as character.
void string_attribute(hid_t object, const std::string& name, std::string_view value) {
  Handle type = string_type(0);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "dataspace");
  const std::string text(value);
  const char* pointer = text.c_str();
  Handle attr(H5Acreate2(object, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "attribute " + name);
  check(H5Awrite(attr.id(), type.id(), &pointer), "writing attribute " + name);
}

} // namespace

PackedChunks pack_rows(const void* values, std::size_t row_bytes, hsize_t rows, hsize_t chunk_rows) {
  PackedChunks packed;
  packed.chunks.reserve(static_cast<std::size_t>(chunks_of(rows, chunk_rows)));
  // Compressed into a buffer the thread keeps, then copied at its length:
  // a vector of the bound for each chunk would clear its pages for nothing.
  thread_local std::vector<std::uint8_t> scratch;
  each_row_chunk(values, row_bytes, rows, chunk_rows, [&](hsize_t, std::span<const std::uint8_t> chunk) {
    scratch.resize(std::max(scratch.size(), packed_bound(chunk.size())));
    const std::size_t length = lz4_checksummed_chunk(chunk.data(), chunk.size(), scratch.data());
    packed.chunks.emplace_back(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(length));
  });
  return packed;
}

namespace {

Handle scalar_space() { return Handle(H5Screate(H5S_SCALAR), H5Sclose, "scalar dataspace"); }

Handle simple_space(const std::vector<hsize_t>& dims) {
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                "dataspace");
}

void write_attribute(hid_t object, const std::string& name, hid_t type, hid_t space,
                     const void* data) {
  Handle attr(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "attribute " + name);
  check(H5Awrite(attr.id(), type, data), "writing attribute " + name);
}

} // namespace

Handle::Handle(hid_t id, Closer closer, std::string_view what) : id_(id), closer_(closer) {
  if (id < 0) throw std::runtime_error("HDF5: cannot create " + std::string(what));
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() noexcept {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = H5I_INVALID_HID;
}

Group Group::create_group(const std::string& name) const {
  Handle gcpl = untimed(H5P_GROUP_CREATE);
  // Keep members in the order written (tables' columns in their intended order).
  check(H5Pset_link_creation_order(gcpl.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "H5Pset_link_creation_order");
  return Group(Handle(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), H5Gclose,
                      "group " + name), compression_);
}

hsize_t Group::chunk_rows(const std::vector<hsize_t>& dims) {
  const hsize_t count = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  if (count == 0) return 0;
  const hsize_t row = count / dims[0];
  return std::clamp<hsize_t>(65536 / std::max<hsize_t>(row, 1), 1, dims[0]);
}

void Group::write_raw(const std::string& name, hid_t type, const void* data, std::size_t count,
                      std::vector<hsize_t> dims, std::string_view units, const PackedChunks* packed) const {
  const hsize_t expected = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  if (expected != count) throw std::logic_error("HDF5: dataset " + name + " has the wrong size"); // before it is made
  create_dataset_raw(name, type, std::move(dims), units).write_raw(type, data, count, packed);
}

Dataset Group::create_dataset_raw(const std::string& name, hid_t type, std::vector<hsize_t> dims,
                                  std::string_view units) const {
  const hsize_t count = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  Handle space = simple_space(dims);
  // Chunks of whole rows of the trailing dimensions, about 64k elements
  // (checksums and compression work on chunks).
  const bool compressed = count >= kMinCompressed;
  std::vector<hsize_t> chunk = dims;
  if (count > 0) chunk[0] = Group::chunk_rows(dims);
  Handle dcpl = count > 0 ? chunked_properties(chunk, compressed) : untimed(H5P_DATASET_CREATE);
  Handle dataset(H5Dcreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 H5Dclose, "dataset " + name);
  if (!units.empty()) string_attribute(dataset.id(), "units", units);
  return Dataset(std::move(dataset), name, type, std::move(dims),
                 compressed && compression_.codec == Compression::Codec::lz4);
}

void Dataset::write_raw(hid_t type, const void* data, std::size_t count, const PackedChunks* packed) const {
  const hsize_t expected = std::accumulate(dims_.begin(), dims_.end(), hsize_t{1}, std::multiplies<>());
  if (expected != count || type != type_) throw std::logic_error("HDF5: dataset " + name_ + " given the wrong values");
  if (count == 0) return;
  const hsize_t chunk_rows = Group::chunk_rows(dims_);
  if (packs_ && packed != nullptr) {
    if (packed->chunks.size() != chunks_of(dims_[0], chunk_rows))
      throw std::logic_error("HDF5: dataset " + name_ + " given chunks packed for another shape");
    store_packed_chunks(dataset_.id(), dims_.size(), *packed, chunk_rows, 0);
  } else if (packs_)
    write_compressed_chunks(dataset_.id(), dims_.size(), data,
                            static_cast<std::size_t>(count / dims_[0]) * H5Tget_size(type), dims_[0], chunk_rows);
  else
    check(H5Dwrite(dataset_.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing " + name_);
}

Handle Group::chunked_properties(const std::vector<hsize_t>& chunk, bool compress) const {
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  check(H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk");
  if (compress && compression_.codec == Compression::Codec::deflate) {
    check(H5Pset_shuffle(dcpl.id()), "H5Pset_shuffle");
    // Level 1: most of the saving of higher levels at several times the speed.
    check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(compression_.deflate_level)), "H5Pset_deflate");
  } else if (compress && compression_.codec == Compression::Codec::lz4) {
    // LZ4 alone: a quarter larger than shuffle + deflate, written about
    // four times faster (bench/README.md, "Output"); shuffling first gains nothing here.
    check(H5Pset_filter(dcpl.id(), kLz4Filter, H5Z_FLAG_MANDATORY, 0, nullptr), "H5Pset_filter (LZ4)");
  }
  // A checksum of every chunk, so that damaged data is an error on reading, not a number.
  check(H5Pset_fletcher32(dcpl.id()), "H5Pset_fletcher32");
  return dcpl;
}

AppendableDataset Group::create_appendable_raw(const std::string& name, hid_t type, hsize_t chunk,
                                               std::string_view units) const {
  const hsize_t none = 0, unlimited = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &none, &unlimited), H5Sclose, "dataspace");
  Handle dcpl = chunked_properties({chunk}, true);
  Handle dataset(H5Dcreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 H5Dclose, "dataset " + name);
  if (!units.empty()) string_attribute(dataset.id(), "units", units);
  return AppendableDataset(std::move(dataset), type, chunk, compression_.codec == Compression::Codec::lz4);
}

void AppendableDataset::append_raw(hid_t type, const void* data, std::size_t count, const PackedChunks* packed) {
  if (count == 0) return;
  const hsize_t start = size_;
  extend(count);
  if (packed != nullptr && store_packed(start, count, *packed)) return;
  transfer(type, const_cast<void*>(data), start, count, true); // NOLINT: only read
}

void AppendableDataset::extend(hsize_t count) {
  const hsize_t total = size_ + count;
  check(H5Dset_extent(dataset_.id(), &total), "H5Dset_extent");
  size_ = total;
}

bool AppendableDataset::store_packed(hsize_t start, hsize_t count, const PackedChunks& packed) {
  if (!write_chunks_ || start % chunk_ != 0 || (count % chunk_ != 0 && start + count != size_)) return false;
  if (start + count > size_ || packed.chunks.size() != chunks_of(count, chunk_))
    throw std::logic_error("HDF5: packed chunks outside an appendable dataset");
  store_packed_chunks(dataset_.id(), 1, packed, chunk_, start);
  return true;
}

void AppendableDataset::transfer(hid_t type, void* data, hsize_t start, hsize_t count, bool write) const {
  if (type != type_ || start + count > size_) throw std::logic_error("HDF5: outside an appendable dataset");
  if (count == 0) return;
  // Whole chunks (or the last, up to the end) are compressed here and
  // written as they are: so while the run goes on, not when the file is
  // closed, and none is read back to be replaced.
  if (write_chunks_ && start % chunk_ == 0 && (count % chunk_ == 0 || start + count == size_)) {
    if (write) {
      write_compressed_chunks(dataset_.id(), 1, data, H5Tget_size(type), count, chunk_, start);
      return;
    }
    if (read_chunks(data, start, count)) return;
  }
  transfer_hyperslab(dataset_.id(), type, {start}, {count}, data, write);
}

GrowingMatrix Group::create_growing_matrix_raw(const std::string& name, hid_t type, std::size_t element_bytes,
                                              const void* fill, hsize_t chunk_rows, hsize_t chunk_columns,
                                              std::string_view units) const {
  const hsize_t none[2] = {0, 0}, unlimited[2] = {H5S_UNLIMITED, H5S_UNLIMITED};
  Handle space(H5Screate_simple(2, none, unlimited), H5Sclose, "dataspace");
  Handle dcpl = chunked_properties({chunk_rows, chunk_columns}, true);
  check(H5Pset_fill_value(dcpl.id(), type, fill), "H5Pset_fill_value");
  Handle dataset(H5Dcreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 H5Dclose, "dataset " + name);
  if (!units.empty()) string_attribute(dataset.id(), "units", units);
  const auto* bytes = static_cast<const std::uint8_t*>(fill);
  return GrowingMatrix(std::move(dataset), type, element_bytes, std::vector<std::uint8_t>(bytes, bytes + element_bytes),
                       chunk_rows, chunk_columns, compression_.codec == Compression::Codec::lz4);
}

void GrowingMatrix::grow_to(hsize_t rows, hsize_t columns) {
  if (rows <= rows_ && columns <= columns_) return;
  rows_ = std::max(rows_, rows);
  columns_ = std::max(columns_, columns);
  const hsize_t dims[2] = {rows_, columns_};
  check(H5Dset_extent(dataset_.id(), dims), "H5Dset_extent");
}

void GrowingMatrix::resize(hsize_t rows, hsize_t columns) {
  if (rows < rows_ || columns < columns_) throw std::logic_error("HDF5: a growing matrix made smaller");
  grow_to(rows, columns);
}

void GrowingMatrix::fill_bytes(std::uint8_t* at, std::size_t bytes) const {
  for (std::size_t done = 0; done < bytes; done += element_bytes_) std::memcpy(at + done, fill_.data(), element_bytes_);
}

void GrowingMatrix::write_rows_raw(hid_t type, hsize_t first, hsize_t rows, hsize_t width, const void* values) {
  if (type != type_ || first % chunk_rows_ != 0 || rows > chunk_rows_)
    throw std::logic_error("HDF5: a band of rows not on the chunks of a growing matrix");
  if (rows == 0 || width == 0) return;
  grow_to(first + rows, width);
  if (!write_chunks_) {
    transfer_hyperslab(dataset_.id(), type, {first, 0}, {rows, width}, const_cast<void*>(values), true); // NOLINT: only read
    return;
  }
  // Each chunk of the band in turn, its cells past the rows or the width
  // the fill value; chunks wholly past the width are left unwritten (fill).
  const std::size_t chunk_bytes = static_cast<std::size_t>(chunk_rows_ * chunk_columns_) * element_bytes_;
  thread_local std::vector<std::uint8_t> chunk; // kept: fresh pages cost their zeroing
  chunk.resize(chunk_bytes);
  const auto* data = static_cast<const std::uint8_t*>(values);
  for (hsize_t column = 0; column < width; column += chunk_columns_) {
    const std::size_t filled = static_cast<std::size_t>(std::min(chunk_columns_, width - column)) * element_bytes_;
    const std::size_t row_bytes = static_cast<std::size_t>(chunk_columns_) * element_bytes_;
    for (hsize_t r = 0; r < rows; ++r) {
      std::uint8_t* to = chunk.data() + static_cast<std::size_t>(r) * row_bytes;
      std::memcpy(to, data + static_cast<std::size_t>(r * width + column) * element_bytes_, filled);
      fill_bytes(to + filled, row_bytes - filled);
    }
    fill_bytes(chunk.data() + static_cast<std::size_t>(rows) * row_bytes, chunk_bytes - static_cast<std::size_t>(rows) * row_bytes);
    const hsize_t offset[2] = {first, column};
    write_lz4_chunk(dataset_.id(), offset, chunk.data(), chunk_bytes);
  }
}

bool AppendableDataset::read_chunks(void* data, hsize_t start, hsize_t count) const {
  const std::size_t element = H5Tget_size(type_);
  const std::size_t chunk_bytes = static_cast<std::size_t>(chunk_) * element;
  thread_local std::vector<std::uint8_t> packed, edge;
  auto* out = static_cast<std::uint8_t*>(data);
  for (hsize_t at = start; at < start + count; at += chunk_) {
    hsize_t length = 0;
    check(H5Dget_chunk_storage_size(dataset_.id(), &at, &length), "H5Dget_chunk_storage_size");
    packed.resize(std::max<std::size_t>(packed.size(), static_cast<std::size_t>(length)));
    std::uint32_t filters = 0;
    check(H5Dread_chunk(dataset_.id(), H5P_DEFAULT, &at, &filters, packed.data()), "H5Dread_chunk");
    const hsize_t rows = std::min(chunk_, start + count - at);
    std::uint8_t* to = out + static_cast<std::size_t>(at - start) * element;
    if (rows < chunk_) edge.resize(chunk_bytes); // the last chunk: its padding read apart
    if (filters != 0 || !read_lz4_checksummed_chunk(packed.data(), static_cast<std::size_t>(length),
                                                    rows < chunk_ ? edge.data() : to, chunk_bytes))
      return false;
    if (rows < chunk_) std::memcpy(to, edge.data(), static_cast<std::size_t>(rows) * element);
  }
  return true;
}

void Group::write_strings(const std::string& name, const std::vector<std::string>& values) const {
  // Fixed-length, null-padded UTF-8 in checksummed chunks, like the numbers:
  // variable-length strings live in HDF5's global heap, which has no
  // checksum, so a damaged file could give other names (or crash the
  // library reading them) instead of an error.
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type.id(), width), "H5Tset_size");
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  const hsize_t count = values.size();
  Handle space = simple_space({count});
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  if (count > 0) {
    const hsize_t chunk = std::clamp<hsize_t>(65536 / width, 1, count);
    check(H5Pset_chunk(dcpl.id(), 1, &chunk), "H5Pset_chunk");
    check(H5Pset_fletcher32(dcpl.id()), "H5Pset_fletcher32");
  }
  Handle dataset(H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 H5Dclose, "dataset " + name);
  std::vector<char> buffer(count * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), buffer.begin() + i * width);
  if (count > 0)
    check(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), "writing " + name);
}

void Group::attribute(const std::string& name, std::string_view value) const { string_attribute(id(), name, value); }

void Group::attribute(const std::string& name, double value) const {
  Handle space = scalar_space();
  write_attribute(id(), name, H5T_NATIVE_DOUBLE, space.id(), &value);
}

void Group::attribute(const std::string& name, std::int64_t value) const {
  Handle space = scalar_space();
  write_attribute(id(), name, H5T_NATIVE_INT64, space.id(), &value);
}

void Group::attribute(const std::string& name, std::uint64_t value) const {
  Handle space = scalar_space();
  write_attribute(id(), name, H5T_NATIVE_UINT64, space.id(), &value);
}

void Group::attribute(const std::string& name, std::span<const std::int64_t> values) const {
  Handle space = simple_space({values.size()});
  write_attribute(id(), name, H5T_NATIVE_INT64, space.id(), values.data());
}

File::File(const std::string& path, bool read_only, Compression compression)
    : Group(read_only ? Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                               "an HDF5 file from " + path)
                      : Handle(H5Fcreate(path.c_str(), H5F_ACC_EXCL, ordered_file().id(), v110_access().id()),
                               H5Fclose, "file " + path),
            compression) {}

std::string library_version() {
  unsigned major = 0, minor = 0, release = 0;
  check(H5get_libversion(&major, &minor, &release), "H5get_libversion");
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

bool lz4_available() { return H5Zfilter_avail(kLz4Filter) > 0; }

Group Group::open_group(const std::string& name) const {
  return Group(Handle(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), H5Gclose, "group " + name), compression_);
}

bool Group::has(const std::string& name) const { return H5Lexists(id(), name.c_str(), H5P_DEFAULT) > 0; }

bool Group::has_attribute(const std::string& name) const { return H5Aexists(id(), name.c_str()) > 0; }

namespace {

Handle open_attribute(hid_t object, const std::string& name) {
  return Handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "attribute " + name);
}

hssize_t element_count(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) throw std::runtime_error("HDF5: cannot size a dataspace");
  return n;
}

// Reads variable- or fixed-length strings of `type` through `read`.
template <class Read>
std::vector<std::string> read_string_values(hid_t type, std::size_t count, Read&& read) {
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    std::vector<char*> pointers(count, nullptr);
    Handle mem = string_type(0);
    check(read(mem.id(), pointers.data()), "reading strings");
    for (char* p : pointers) {
      out.emplace_back(p ? p : "");
      H5free_memory(p);
    }
  } else {
    const std::size_t size = H5Tget_size(type);
    std::vector<char> buffer(count * size + 1, '\0');
    Handle mem = string_type(size);
    // Null-padded in memory: a value as long as the type keeps its last
    // character (null-terminated would give it up for the terminator).
    check(H5Tset_strpad(mem.id(), H5T_STR_NULLPAD), "H5Tset_strpad");
    check(read(mem.id(), buffer.data()), "reading strings");
    for (std::size_t i = 0; i < count; ++i) {
      std::string s(buffer.data() + i * size, size);
      out.push_back(s.substr(0, s.find('\0')));
    }
  }
  return out;
}

} // namespace

std::string Group::read_string_attribute(const std::string& name) const {
  Handle attr = open_attribute(id(), name);
  Handle type(H5Aget_type(attr.id()), H5Tclose, "attribute type");
  const auto values = read_string_values(type.id(), 1, [&](hid_t mem, void* buf) {
    return H5Aread(attr.id(), mem, buf);
  });
  return values.front();
}

std::vector<std::int64_t> Group::read_int_attribute(const std::string& name) const {
  Handle attr = open_attribute(id(), name);
  Handle space(H5Aget_space(attr.id()), H5Sclose, "attribute space");
  std::vector<std::int64_t> out(static_cast<std::size_t>(element_count(space.id())));
  check(H5Aread(attr.id(), H5T_NATIVE_INT64, out.data()), "reading attribute " + name);
  return out;
}

double Group::read_double_attribute(const std::string& name) const {
  Handle attr = open_attribute(id(), name);
  double value = 0.0;
  check(H5Aread(attr.id(), H5T_NATIVE_DOUBLE, &value), "reading attribute " + name);
  return value;
}

namespace {
template <class T>
std::vector<T> read_numbers(hid_t group, const std::string& name, hid_t mem_type) {
  Handle dataset(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "dataset " + name);
  Handle space(H5Dget_space(dataset.id()), H5Sclose, "dataspace");
  std::vector<T> out(static_cast<std::size_t>(element_count(space.id())));
  if (!out.empty()) check(H5Dread(dataset.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "reading " + name);
  return out;
}
} // namespace

std::vector<double> Group::read_doubles(const std::string& name) const {
  return read_numbers<double>(id(), name, H5T_NATIVE_DOUBLE);
}

std::vector<std::int64_t> Group::read_ints(const std::string& name) const {
  return read_numbers<std::int64_t>(id(), name, H5T_NATIVE_INT64);
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose, "dataset " + name);
  Handle space(H5Dget_space(dataset.id()), H5Sclose, "dataspace");
  Handle type(H5Dget_type(dataset.id()), H5Tclose, "dataset type");
  const auto count = static_cast<std::size_t>(element_count(space.id()));
  return read_string_values(type.id(), count, [&](hid_t mem, void* buf) {
    return H5Dread(dataset.id(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  });
}

namespace {
herr_t read_if_dataset(hid_t root, const char* name, const H5O_info_t* info, void*) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  Handle dataset(H5Dopen2(root, name, H5P_DEFAULT), H5Dclose, std::string("dataset ") + name);
  Handle type(H5Dget_type(dataset.id()), H5Tclose, "dataset type");
  Handle space(H5Dget_space(dataset.id()), H5Sclose, "dataspace");
  const auto count = static_cast<std::size_t>(element_count(space.id()));
  if (count == 0 || H5Tis_variable_str(type.id()) > 0) return 0; // variable-length text: no checksum to check
  std::vector<unsigned char> buffer(count * H5Tget_size(type.id()));
  return H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data());
}
} // namespace

void Group::read_everything() const {
  check(H5Ovisit2(id(), H5_INDEX_NAME, H5_ITER_NATIVE, read_if_dataset, nullptr, H5O_INFO_BASIC),
        "reading every dataset");
}

void Group::copy(const Group& source, const std::string& source_name, const std::string& name) const {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "link creation property list");
  check(H5Ocopy(source.id(), source_name.c_str(), id(), name.c_str(), H5P_DEFAULT, lcpl.id()),
        "copying " + source_name);
}

std::size_t File::other_open_objects() const {
  const ssize_t count = H5Fget_obj_count(id(), H5F_OBJ_ALL | H5F_OBJ_LOCAL);
  if (count < 0) throw std::runtime_error("HDF5: cannot count a file's open objects");
  return static_cast<std::size_t>(count) - 1;
}

void File::flush() const { check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "H5Fflush"); }

void File::start_writeback() const {
  // The POSIX driver's descriptor: the kernel starts writing the pages
  // written so far, and does not wait; a failure here is only a lost head start.
  void* handle = nullptr;
  if (H5Fget_vfd_handle(id(), H5P_DEFAULT, &handle) < 0 || handle == nullptr) return;
  (void)::sync_file_range(*static_cast<int*>(handle), 0, 0, SYNC_FILE_RANGE_WRITE);
}

void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

bool is_hdf5(const std::string& path) { return H5Fis_hdf5(path.c_str()) > 0; }

void skip_cleanup_at_exit() { check(H5dont_atexit(), "H5dont_atexit"); }

} // namespace caseload::io::h5
