// The writer compresses the chunks of large datasets itself (LZ4, then
// Fletcher-32, as the filter pipeline it declares would) and hands them to
// the library whole: each chunk must be the very bytes the library's own
// pipeline (the LZ4 filter plugin) stores, and read back to the values.
#include "caseload/io/hdf5.hpp"

#include <gtest/gtest.h>

#include <hdf5.h>
#include <unistd.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

using namespace caseload;

namespace {

struct TempFile {
  explicit TempFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("caseload-chunks-" + name + "-" + std::to_string(::getpid()) + ".h5")) {}
  ~TempFile() { std::filesystem::remove(path); }
  std::filesystem::path path;
};

// The same dataset written through the library's filter pipeline: the
// chunking and filters Group::write declares (rows of ~64k elements; LZ4
// then Fletcher-32), and H5Dwrite.
template <class T>
void write_through_pipeline(hid_t file, const std::string& name, const std::vector<T>& values,
                            const std::vector<hsize_t>& dims) {
  const hsize_t row = values.size() / dims[0];
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::clamp<hsize_t>(65536 / row, 1, dims[0]);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
  H5Pset_filter(dcpl, io::h5::kLz4Filter, H5Z_FLAG_MANDATORY, 0, nullptr);
  H5Pset_fletcher32(dcpl);
  const hid_t d = H5Dcreate2(file, name.c_str(), io::h5::native_type<T>(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ASSERT_GE(H5Dwrite(d, io::h5::native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
}

// Every stored chunk of dataset `name` in file a equals that of file b; the
// number of chunks compared.
std::size_t compare_chunks(hid_t a, hid_t b, const std::string& name) {
  const hid_t da = H5Dopen2(a, name.c_str(), H5P_DEFAULT), db = H5Dopen2(b, name.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(da);
  hsize_t chunks = 0;
  H5Dget_num_chunks(da, space, &chunks);
  hsize_t chunks_b = 0;
  H5Dget_num_chunks(db, space, &chunks_b);
  EXPECT_EQ(chunks, chunks_b) << name;
  for (hsize_t i = 0; i < chunks; ++i) {
    std::vector<hsize_t> offset(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    unsigned mask = 0;
    haddr_t address = 0;
    hsize_t size_a = 0, size_b = 0;
    H5Dget_chunk_info(da, space, i, offset.data(), &mask, &address, &size_a);
    EXPECT_EQ(mask, 0u) << name << " chunk " << i << ": a filter was skipped";
    H5Dget_chunk_storage_size(db, offset.data(), &size_b);
    std::vector<std::uint8_t> raw_a(size_a), raw_b(size_b);
    std::uint32_t filters = 0;
    H5Dread_chunk(da, H5P_DEFAULT, offset.data(), &filters, raw_a.data());
    H5Dread_chunk(db, H5P_DEFAULT, offset.data(), &filters, raw_b.data());
    EXPECT_EQ(raw_a, raw_b) << name << " chunk " << i << " (at row " << offset[0] << ")";
  }
  H5Sclose(space);
  H5Dclose(da);
  H5Dclose(db);
  return static_cast<std::size_t>(chunks);
}

template <class T> std::vector<T> read_all(hid_t file, const std::string& name, std::size_t count) {
  std::vector<T> out(count);
  const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  EXPECT_GE(H5Dread(d, io::h5::native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << name;
  H5Dclose(d);
  return out;
}

} // namespace

TEST(Hdf5Chunks, TheWritersChunksAreTheBytesOfTheLibrarysPipeline) {
  if (!io::h5::lz4_available()) GTEST_SKIP() << "no LZ4 filter plugin (hdf5-filter-plugin) to compare with";
  boost::random::mt19937 rng(13);
  boost::random::uniform_int_distribution<int> small(0, 40), any(-128, 127);
  // Compressible doubles over two and a half chunks (an edge chunk padded);
  // officer-like rows (1711 a row, 38 rows a chunk); incompressible bytes
  // stored as they are, in chunks of an odd number of bytes (the checksum's
  // odd last byte: rows of 3, 21,845 rows a chunk).
  std::vector<double> doubles(163'000);
  for (auto& v : doubles) v = small(rng) / 7.0;
  std::vector<std::int32_t> officers(157 * 1711);
  for (auto& v : officers) v = small(rng);
  std::vector<std::int8_t> noise(3 * 50'000);
  for (auto& v : noise) v = static_cast<std::int8_t>(any(rng));

  const TempFile mine("mine"), library("library"), packed("packed");
  {
    io::h5::File file(mine.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
    file.write("doubles", doubles);
    file.write<std::int32_t>("officers", std::span<const std::int32_t>(officers), {157, 1711});
    file.write<std::int8_t>("noise", std::span<const std::int8_t>(noise), {50'000, 3});
  }
  {
    // The same array's chunks packed ahead (by any thread) and handed over.
    io::h5::File file(packed.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
    const auto chunks = io::h5::pack_rows(std::span<const double>(doubles), io::h5::Group::chunk_rows({doubles.size()}));
    EXPECT_EQ(chunks.chunks.size(), 3u);
    file.write("doubles", doubles, "", &chunks);
    // Chunks packed for another shape are refused.
    const auto wrong = io::h5::pack_rows(std::span<const double>(doubles), 1000);
    EXPECT_THROW(file.write("wrong", doubles, "", &wrong), std::logic_error);
  }
  {
    const hid_t file = H5Fcreate(library.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    write_through_pipeline(file, "doubles", doubles, {doubles.size()});
    write_through_pipeline(file, "officers", officers, {157, 1711});
    write_through_pipeline(file, "noise", noise, {50'000, 3});
    H5Fclose(file);
  }
  const hid_t a = H5Fopen(mine.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t b = H5Fopen(library.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_EQ(compare_chunks(a, b, "doubles"), 3u);
  EXPECT_EQ(compare_chunks(a, b, "officers"), 5u);
  EXPECT_EQ(compare_chunks(a, b, "noise"), 3u);
  const hid_t p = H5Fopen(packed.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_EQ(compare_chunks(p, b, "doubles"), 3u);
  H5Fclose(p);
  // And the library reads them back (checksums checked, decompressed) to the values.
  EXPECT_EQ(read_all<double>(a, "doubles", doubles.size()), doubles);
  EXPECT_EQ(read_all<std::int32_t>(a, "officers", officers.size()), officers);
  EXPECT_EQ(read_all<std::int8_t>(a, "noise", noise.size()), noise);
  H5Fclose(a);
  H5Fclose(b);
}

TEST(Hdf5Chunks, AppendedChunksAreTheBytesOfTheLibrarysPipelineAndReadBackAndRewrite) {
  if (!io::h5::lz4_available()) GTEST_SKIP() << "no LZ4 filter plugin (hdf5-filter-plugin) to compare with";
  // Two whole chunks and a part of a third, appended as the task table is:
  // each whole chunk compressed by the writer as it comes, the last one
  // padded; the library, given the same appends, stores the same bytes.
  constexpr hsize_t kChunk = 65536;
  boost::random::mt19937 rng(17);
  boost::random::uniform_int_distribution<int> small(0, 40);
  std::vector<double> values(2 * kChunk + 1234);
  for (auto& v : values) v = small(rng) / 3.0;
  const auto part = [&](std::size_t from, std::size_t to) {
    return std::span<const double>(values.data() + from, to - from);
  };
  const TempFile mine("appended"), library("appended-library"), packed("appended-packed");
  {
    io::h5::File file(mine.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
    io::h5::AppendableDataset d = file.create_appendable<double>("values", kChunk);
    d.append(part(0, kChunk));
    d.append(part(kChunk, 2 * kChunk));
    d.append(part(2 * kChunk, values.size()));
  }
  {
    // As a table's changing columns are written: the first chunk appended;
    // room made for the second, written (packed ahead) once the third is
    // appended (packed ahead, the last, padded).
    io::h5::File file(packed.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
    io::h5::AppendableDataset d = file.create_appendable<double>("values", kChunk);
    d.append(part(0, kChunk));
    d.extend(kChunk);
    const auto last = io::h5::pack_rows(part(2 * kChunk, values.size()), kChunk);
    d.append(part(2 * kChunk, values.size()), &last);
    const auto second = io::h5::pack_rows(part(kChunk, 2 * kChunk), kChunk);
    d.write(kChunk, part(kChunk, 2 * kChunk), &second);
    EXPECT_EQ(d.size(), values.size());
  }
  {
    const hid_t file = H5Fcreate(library.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t none = 0, unlimited = H5S_UNLIMITED, total = values.size();
    const hid_t space = H5Screate_simple(1, &none, &unlimited);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &kChunk);
    H5Pset_filter(dcpl, io::h5::kLz4Filter, H5Z_FLAG_MANDATORY, 0, nullptr);
    H5Pset_fletcher32(dcpl);
    const hid_t d = H5Dcreate2(file, "values", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dset_extent(d, &total);
    ASSERT_GE(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Fclose(file);
  }
  const hid_t a = H5Fopen(mine.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t b = H5Fopen(library.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_EQ(compare_chunks(a, b, "values"), 3u);
  EXPECT_EQ(read_all<double>(a, "values", values.size()), values);
  H5Fclose(a);
  const hid_t p = H5Fopen(packed.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_EQ(compare_chunks(p, b, "values"), 3u);
  EXPECT_EQ(read_all<double>(p, "values", values.size()), values);
  H5Fclose(p);
  H5Fclose(b);

  // Read back chunk by chunk (decoded by the writer) and rewritten as a
  // corrected record's columns are: the library reads the new values.
  const TempFile rewritten("rewritten");
  {
    io::h5::File file(rewritten.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
    io::h5::AppendableDataset d = file.create_appendable<double>("again", kChunk);
    d.append(part(0, values.size()));
    std::vector<double> chunk(kChunk), last(values.size() - 2 * kChunk);
    d.read(kChunk, std::span<double>(chunk));
    ASSERT_TRUE(std::equal(chunk.begin(), chunk.end(), values.begin() + kChunk));
    d.read(2 * kChunk, std::span<double>(last));
    ASSERT_TRUE(std::equal(last.begin(), last.end(), values.begin() + 2 * kChunk));
    chunk[5] = -1.5;
    last.back() = 99.0;
    d.write(kChunk, std::span<const double>(chunk));
    d.write(2 * kChunk, std::span<const double>(last));
    values[kChunk + 5] = -1.5;
    values.back() = 99.0;
  }
  const hid_t again = H5Fopen(rewritten.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_EQ(read_all<double>(again, "again", values.size()), values);
  H5Fclose(again);
}

TEST(Hdf5Chunks, AGrowingMatrixHoldsItsBandsAndTheFillElsewhere) {
  // Bands of 4 rows whose width grows past a chunk's 16 columns, then a last
  // band of 2; the final size 10 × 40. Whatever the codec, every cell reads
  // as written, and the fill value (-1) where nothing was: past a row's
  // width, and in the chunks never written.
  for (const auto codec : {io::h5::Compression::Codec::lz4, io::h5::Compression::Codec::deflate,
                           io::h5::Compression::Codec::none}) {
    if (codec == io::h5::Compression::Codec::lz4 && !io::h5::lz4_available()) continue;
    const TempFile temp("growing");
    const std::vector<std::pair<hsize_t, hsize_t>> bands{{4, 10}, {4, 20}, {2, 21}}; // rows, width
    std::vector<std::int32_t> expected(10 * 40, -1);
    {
      io::h5::File file(temp.path.string(), false, {codec, 1});
      io::h5::GrowingMatrix m = file.create_growing_matrix<std::int32_t>("m", 4, 16, -1, "cases");
      hsize_t first = 0;
      for (const auto& [rows, width] : bands) {
        std::vector<std::int32_t> band(rows * width);
        for (hsize_t r = 0; r < rows; ++r)
          for (hsize_t c = 0; c < width; ++c) {
            const auto v = static_cast<std::int32_t>(1000 * (first + r) + c);
            band[r * width + c] = v;
            expected[(first + r) * 40 + c] = v;
          }
        m.write_rows<std::int32_t>(first, rows, width, std::span<const std::int32_t>(band));
        first += rows;
      }
      EXPECT_THROW(m.resize(9, 40), std::logic_error); // never smaller than written
      m.resize(10, 40);
    }
    const io::h5::File file(temp.path.string(), true);
    const std::vector<std::int64_t> read = file.read_ints("m");
    ASSERT_EQ(read.size(), expected.size());
    for (std::size_t i = 0; i < read.size(); ++i)
      ASSERT_EQ(read[i], expected[i]) << "row " << i / 40 << " column " << i % 40;
  }
}

TEST(Hdf5Chunks, ADatasetMadeAheadOfItsValuesIsTheOneWriteMakes) {
  // The writer makes the datasets of a replication's end while it runs and
  // fills them at its end (h5::Dataset): each must be stored as Group::write
  // stores it (chunks, filters, units), whatever was made in between.
  if (!io::h5::lz4_available()) GTEST_SKIP() << "no LZ4 filter plugin (hdf5-filter-plugin)";
  boost::random::mt19937 rng(17);
  boost::random::uniform_int_distribution<int> small(0, 40);
  std::vector<double> large(70'000); // compressed: two chunks
  for (auto& v : large) v = small(rng) / 3.0;
  const std::vector<std::int64_t> few{3, 1, 4, 1, 5, 9, 2, 6}; // stored as they are
  const std::vector<std::int32_t> none;

  const TempFile ahead("ahead"), at_once("at-once");
  for (const bool packed : {false, true}) {
    std::filesystem::remove(ahead.path);
    std::filesystem::remove(at_once.path);
    {
      io::h5::File file(ahead.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
      const auto l = file.create_dataset<double>("large", {35'000, 2}, "days");
      const auto f = file.create_dataset<std::int64_t>("few", {few.size()}, "cases");
      const auto n = file.create_dataset<std::int32_t>("none", {0});
      file.write("between", few); // made and written while the others wait
      const auto chunks = io::h5::pack_rows(large.data(), 2 * sizeof(double), 35'000, io::h5::Group::chunk_rows({35'000, 2}));
      l.write(std::span<const double>(large), packed ? &chunks : nullptr);
      f.write(std::span<const std::int64_t>(few));
      n.write(std::span<const std::int32_t>(none));
      // The wrong number of values, or of another type, is refused.
      EXPECT_THROW(f.write(std::span<const std::int64_t>(few).first(3)), std::logic_error);
      EXPECT_THROW(f.write(std::span<const std::int32_t>(none)), std::logic_error);
    }
    {
      io::h5::File file(at_once.path.string(), false, {io::h5::Compression::Codec::lz4, 1});
      file.write<double>("large", std::span<const double>(large), {35'000, 2}, "days");
      file.write("few", few, "cases");
      file.write<std::int32_t>("none", std::span<const std::int32_t>(none), {0});
    }
    const hid_t a = H5Fopen(ahead.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t b = H5Fopen(at_once.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT_EQ(compare_chunks(a, b, "large"), 2u) << packed;
    EXPECT_EQ(compare_chunks(a, b, "few"), 1u) << packed;
    EXPECT_EQ(read_all<double>(a, "large", large.size()), large);
    EXPECT_EQ(read_all<std::int64_t>(a, "few", few.size()), few);
    for (const char* name : {"large", "few", "none"}) {
      const hid_t da = H5Dopen2(a, name, H5P_DEFAULT), db = H5Dopen2(b, name, H5P_DEFAULT);
      const hid_t pa = H5Dget_create_plist(da), pb = H5Dget_create_plist(db);
      EXPECT_EQ(H5Pget_layout(pa), H5Pget_layout(pb)) << name;
      EXPECT_EQ(H5Pget_nfilters(pa), H5Pget_nfilters(pb)) << name;
      EXPECT_EQ(H5Aexists(da, "units"), H5Aexists(db, "units")) << name;
      H5Pclose(pa);
      H5Pclose(pb);
      H5Dclose(da);
      H5Dclose(db);
    }
    H5Fclose(a);
    H5Fclose(b);
  }
}
