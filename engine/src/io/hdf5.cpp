#include "caseload/io/hdf5.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace caseload::io::h5 {
namespace {

void check(herr_t status, std::string_view what) {
  if (status < 0) throw std::runtime_error("HDF5: " + std::string(what) + " failed");
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
  return fapl;
}

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

void Group::write_raw(const std::string& name, hid_t type, const void* data, std::size_t count,
                      std::vector<hsize_t> dims, std::string_view units) const {
  const hsize_t expected =
      std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  if (expected != count) throw std::logic_error("HDF5: dataset " + name + " has the wrong size");
  Handle space = simple_space(dims);
  constexpr hsize_t kMinCompressed = 1024; // elements; smaller arrays are not worth compressing
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  if (count > 0) {
    // Chunks of whole rows of the trailing dimensions, about 64k elements
    // (checksums and compression work on chunks).
    std::vector<hsize_t> chunk = dims;
    const hsize_t row = count / dims[0];
    chunk[0] = std::clamp<hsize_t>(65536 / std::max<hsize_t>(row, 1), 1, dims[0]);
    dcpl = chunked_properties(chunk, count >= kMinCompressed);
  }
  Handle dataset(H5Dcreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 H5Dclose, "dataset " + name);
  if (count > 0) check(H5Dwrite(dataset.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing " + name);
  if (!units.empty()) Group(std::move(dataset)).attribute("units", units);
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
  if (!units.empty()) // through a second handle on the dataset, which stays open
    Group(Handle(H5Oopen(id(), name.c_str(), H5P_DEFAULT), H5Oclose, "dataset " + name)).attribute("units", units);
  return AppendableDataset(std::move(dataset), type);
}

void AppendableDataset::append_raw(hid_t type, const void* data, std::size_t count) {
  if (count == 0) return;
  const hsize_t start = size_, total = size_ + count;
  check(H5Dset_extent(dataset_.id(), &total), "H5Dset_extent");
  size_ = total;
  transfer(type, const_cast<void*>(data), start, count, true); // NOLINT: only read
}

void AppendableDataset::transfer(hid_t type, void* data, hsize_t start, hsize_t count, bool write) const {
  if (type != type_ || start + count > size_) throw std::logic_error("HDF5: outside an appendable dataset");
  if (count == 0) return;
  Handle file_space(H5Dget_space(dataset_.id()), H5Sclose, "dataspace");
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), "H5Sselect_hyperslab");
  Handle memory_space = simple_space({count});
  if (write)
    check(H5Dwrite(dataset_.id(), type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), "rewriting values");
  else
    check(H5Dread(dataset_.id(), type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), "reading values back");
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

void Group::attribute(const std::string& name, std::string_view value) const {
  // Variable-length UTF-8, which h5py returns as str and R's hdf5r as character.
  Handle type = string_type(0);
  Handle space = scalar_space();
  const std::string text(value);
  const char* pointer = text.c_str();
  write_attribute(id(), name, type.id(), space.id(), &pointer);
}

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

void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

bool is_hdf5(const std::string& path) { return H5Fis_hdf5(path.c_str()) > 0; }

void skip_cleanup_at_exit() { check(H5dont_atexit(), "H5dont_atexit"); }

} // namespace caseload::io::h5
