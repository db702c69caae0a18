// The CSV reader (io/csv.hpp): RFC 4180 fields with their lines and columns,
// and every error named at its place; ISO dates; SHA-256.

#include "caseload/io/csv.hpp"
#include "caseload/io/input_error.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

using namespace caseload;

namespace {

// The error a table fails with: file, line, column and a part of the message.
void expect_error(const std::string& bytes, int line, int column, const std::string& mentions) {
  try {
    const io::CsvTable t(bytes, "t.csv");
    FAIL() << "expected an error mentioning " << mentions;
  } catch (const io::InputError& e) {
    EXPECT_EQ(e.file(), "t.csv");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
  }
}

} // namespace

TEST(Csv, ReadsQuotedFieldsWithCommasQuotesAndLineBreaksKeepingLinesAndColumns) {
  const io::CsvTable t("id,note,n\r\n"
                       "1,\"a, b\",2\r\n"
                       "2,\"say \"\"hi\"\"\nthere\", 3 \n"
                       "\n"
                       "3,,4\n",
                       "t.csv");
  ASSERT_EQ(t.header().size(), 3u);
  EXPECT_EQ(t.header()[2].text, "n");
  EXPECT_EQ(t.column("note"), 1u);
  EXPECT_FALSE(t.column("missing"));
  ASSERT_EQ(t.rows().size(), 3u);
  EXPECT_EQ(t.rows()[0].fields[1].text, "a, b");
  EXPECT_EQ(t.rows()[1].fields[1].text, "say \"hi\"\nthere");
  EXPECT_EQ(t.rows()[1].fields[2].text, "3"); // unquoted fields are trimmed
  EXPECT_EQ(t.rows()[1].line, 3);
  EXPECT_EQ(t.rows()[1].fields[2].line, 4);   // the quoted field spans two lines
  EXPECT_EQ(t.rows()[1].fields[2].column, 9); // after 'there",' and a space
  EXPECT_EQ(t.rows()[2].line, 6);             // the blank line is skipped
  EXPECT_EQ(t.rows()[2].fields[1].text, "");
  EXPECT_EQ(t.rows()[2].fields[2].column, 4);
}

TEST(Csv, SkipsAUtf8ByteOrderMarkAndCountsColumnsInCharacters) {
  const io::CsvTable t("\xEF\xBB\xBFname,ldu\nJos\xC3\xA9,North\n", "t.csv");
  EXPECT_EQ(t.header()[0].text, "name");
  EXPECT_EQ(t.header()[0].column, 1);
  EXPECT_EQ(t.rows()[0].fields[0].text, "Jos\xC3\xA9");
  EXPECT_EQ(t.rows()[0].fields[1].column, 6); // é is one character
}

TEST(Csv, EachMalformedInputIsNamedAtItsLineAndColumn) {
  expect_error("", 1, 1, "empty");
  expect_error("a,b\n1,\"open\n2,3\n", 2, 3, "not closed");
  expect_error("a,b\n1,\"x\"y\n", 2, 6, "after the closing quote");
  expect_error("a,b\n1,x\"y\n", 2, 4, "quote inside an unquoted field");
  expect_error("a,b\n1,2,3\n", 2, 5, "3 fields: expected 2");
  expect_error("a,b\n1\n", 2, 1, "1 fields: expected 2");
  expect_error("a,,b\n", 1, 3, "empty column name");
  expect_error("a,b,a\n", 1, 5, "'a' is named twice");
  expect_error("a,b\n1,caf\xE9\n", 2, 6, "0xe9 is not UTF-8"); // Latin-1 é
  expect_error("a,b\n1,\xC0\xAF\n", 2, 3, "not UTF-8");         // an overlong form
  expect_error("\xFF\xFE" "a\0,\0b\0", 1, 1, "UTF-16");
  expect_error("id;ldu\n1;North\n", 1, 1, "separated by commas");
}

TEST(Csv, ExpectsItsRequiredColumnsAndNoOthers) {
  const io::CsvTable t("id,ldu,extra\n1,North,x\n", "t.csv");
  constexpr std::array<std::string_view, 2> required{"id", "ldu"};
  constexpr std::array<std::string_view, 1> optional{"extra"};
  EXPECT_NO_THROW(t.expect_columns(required, optional));
  try {
    t.expect_columns(required, {});
    FAIL();
  } catch (const io::InputError& e) {
    EXPECT_EQ(e.line(), 1);
    EXPECT_EQ(e.column(), 8);
    EXPECT_NE(std::string(e.what()).find("unknown column 'extra'"), std::string::npos);
  }
  constexpr std::array<std::string_view, 3> more{"id", "ldu", "grade"};
  try {
    t.expect_columns(more, optional);
    FAIL();
  } catch (const io::InputError& e) {
    EXPECT_EQ(e.line(), 1);
    EXPECT_NE(std::string(e.what()).find("missing column 'grade'"), std::string::npos);
  }
  const io::InputError at = t.error(t.rows()[0].fields[1], 1, "unknown LDU");
  EXPECT_EQ(std::string(at.what()), "t.csv:2:3: error: column 'ldu': unknown LDU");
}

TEST(Csv, ReadsAFileAndRefusesMissingOnes) {
  EXPECT_THROW(io::read_csv("/no/such/file.csv", "staff file"), io::InputError);
  try {
    io::read_csv(CASELOAD_SOURCE_DIR, "staff file");
    FAIL();
  } catch (const io::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos);
  }
}

TEST(Csv, IsoDatesAreCalendarDatesOnly) {
  EXPECT_EQ(io::parse_iso_date("1970-01-01"), 0);
  EXPECT_EQ(io::parse_iso_date("2018-10-01"), 17805);
  EXPECT_EQ(io::parse_iso_date("2000-03-01").value() - io::parse_iso_date("2000-02-28").value(), 2); // 2000 is leap
  EXPECT_EQ(io::parse_iso_date("1900-03-01").value() - io::parse_iso_date("1900-02-28").value(), 1); // 1900 is not
  for (const char* bad : {"2019-02-29", "2018-13-01", "2018-00-10", "2018-04-31", "18-10-01", "2018/10/01",
                          "01/10/2018", "2018-1-01", "", "2018-10-01x"})
    EXPECT_FALSE(io::parse_iso_date(bad)) << bad;
  for (std::int64_t d : {-1000, 0, 17805, 59, 60, 11016, 2932896})
    EXPECT_EQ(io::parse_iso_date(io::iso_date(d)), d) << io::iso_date(d);
}

TEST(Csv, Sha256MatchesTheStandardTestVectors) {
  // FIPS 180-2, appendix B.1, and the empty message.
  EXPECT_EQ(io::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(io::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(io::CsvTable("abc", "t.csv").sha256(), io::sha256_hex("abc"));
}
