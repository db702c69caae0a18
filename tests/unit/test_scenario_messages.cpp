// What the loader tells a planner: errors placed in the file that holds them
// (a variant's too), misspelt keys and LDU names named with the nearest valid
// one, ranges with their numbers, LDUs named in overrides, and likely slips
// refused or warned about (docs/scenario-format.md, "Errors" and "Warnings").

#include "caseload/io/input_error.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

using namespace caseload;
namespace fs = std::filesystem;

namespace {

// A folder of scenario files for one test, removed at its end.
class Files {
public:
  Files() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("caseload-") + info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Files() { fs::remove_all(dir_); }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

private:
  fs::path dir_;
};

// The error `load` throws; a failed expectation if it throws none.
io::InputError error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const io::InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return io::InputError("", 0, 0, "none");
}

io::InputError parse_error(const std::string& text, std::span<const io::Override> overrides = {}) {
  return error_of([&] { io::parse_scenario(text, "test.toml", overrides); });
}

// 1-based line and column of `token` within the one occurrence of `anchor` in `text`.
std::pair<int, int> position_of(const std::string& text, const std::string& anchor, const std::string& token) {
  const auto at = text.find(anchor);
  EXPECT_NE(at, std::string::npos) << anchor;
  EXPECT_EQ(text.find(anchor, at + 1), std::string::npos) << anchor << " is not unique";
  const auto i = at + anchor.find(token);
  const auto line_start = text.rfind('\n', i);
  const int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(i), '\n')) + 1;
  const int column = static_cast<int>(i - (line_start == std::string::npos ? 0 : line_start + 1)) + 1;
  return {line, column};
}

void expect_at(const io::InputError& e, const fs::path& file, std::pair<int, int> where) {
  EXPECT_EQ(e.file(), file.string()) << e.what();
  EXPECT_EQ(e.line(), where.first) << e.what();
  EXPECT_EQ(e.column(), where.second) << e.what();
}

void expect_mentions(const std::string& message, std::initializer_list<const char*> words) {
  for (const char* w : words) EXPECT_NE(message.find(w), std::string::npos) << "no '" << w << "' in: " << message;
}

// Three LDUs with planners' names, one with a space and an ampersand.
std::string three_ldus(const std::string& extra = "") {
  return "schema_version = 1\nname = \"named\"\nhorizon_days = 1277\n" + test::kCaseTypes + R"(
[[ldu]]
name = "Nottinghamshire"
staff.PO = { establishment = 20, in_post = 12 }
staff.PSO = { establishment = 8 }
arrivals_per_week = { community = 4 }
[[ldu]]
name = "Derbyshire"
staff.PO = { establishment = 10 }
arrivals_per_week = { community = 2 }
[[ldu]]
name = "Black Country & Dudley"
staff.PO = { establishment = 14 }
arrivals_per_week = { community = 3 }
)" + extra;
}

} // namespace

// ------------------------------------------------------------------ a variant's own errors

TEST(VariantErrors, AnInterventionErrorInAVariantKeepsItsFileLineAndColumn) {
  Files files;
  files.write("base.toml", test::two_ldu_scenario());
  const std::pair<std::string, std::string> cases[] = {
      {"[[intervention]]\nat_day = 2000\nadd_staff.PO = 1\n", "2000"},
      {"[[intervention]]\nat_day = 10\nldu = \"Nowhere\"\n", "\"Nowhere\""},
      {"[[intervention]]\nat_day = 10\nadd_staff.PO = 1.5\n", "1.5"},
      {"[[intervention]]\nat_day = 10\ndemand_factor = -1\n", "-1"},
      {"[[intervention]]\nat_day = 10\nrecruits = \"apprentice\"\n", "\"apprentice\""},
      {"[[intervention]]\nat_day = 10\nadd_staff.PX = 1\n", "PX"},
      {"[allocation]\ncap_percent = -5\n", "-5"},
      {"[staffing]\nleavers_per_year = { PO = \"high\" }\n", "\"high\""},
  };
  for (const auto& [body, token] : cases) {
    SCOPED_TRACE(body);
    const std::string text = "schema_version = 1\nextends = \"base.toml\"\n" + body;
    const fs::path variant = files.write("variant.toml", text);
    expect_at(error_of([&] { io::load_scenario(variant); }), variant, position_of(text, token, token));
  }
}

TEST(VariantErrors, AMissingKeyInAVariantsInterventionPointsAtItsTable) {
  Files files;
  files.write("base.toml", test::two_ldu_scenario());
  const std::string text = "schema_version = 1\nextends = \"base.toml\"\n[[intervention]]\nadd_staff.PO = 1\n";
  const fs::path variant = files.write("variant.toml", text);
  const io::InputError e = error_of([&] { io::load_scenario(variant); });
  expect_at(e, variant, {3, 1});
  expect_mentions(e.what(), {"at_day"});
}

TEST(VariantErrors, AValueSetInOverridesIsPlacedAtTheValue) {
  Files files;
  files.write("base.toml", test::two_ldu_scenario());
  const std::string text =
      "schema_version = 1\nextends = \"base.toml\"\n[overrides]\n\"allocation.cap_percent\" = \"high\"\n";
  const fs::path variant = files.write("variant.toml", text);
  const io::InputError e = error_of([&] { io::load_scenario(variant); });
  expect_at(e, variant, position_of(text, "\"high\"", "\"high\""));
  expect_mentions(e.what(), {"cap_percent"});
  // A key an override creates that the schema does not know: at the override's key.
  const std::string misspelt = "schema_version = 1\nextends = \"base.toml\"\n[overrides]\n\"allocation.cap_percnt\" = 3\n";
  const fs::path typo = files.write("typo.toml", misspelt);
  const io::InputError unknown = error_of([&] { io::load_scenario(typo); });
  expect_at(unknown, typo, {4, 1});
  expect_mentions(unknown.what(), {"did you mean 'cap_percent'?"});
}

// ------------------------------------------------------------------ misspelt keys and names

TEST(Misspellings, AMisspeltRequiredKeyIsNamedAsUnknownWithTheKeyMeant) {
  const std::string text = test::two_ldu_scenario() + "[[intervention]]\nat_days = 10\nadd_staff.PO = 1\n";
  const io::InputError e = parse_error(text);
  expect_mentions(e.what(), {"unknown key 'intervention[0].at_days'", "did you mean 'at_day'?"});
  EXPECT_EQ(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  EXPECT_EQ(e.line(), position_of(text, "at_days", "at_days").first);
}

TEST(Misspellings, AnUnknownKeySuggestsTheNearestKnownKeyOfItsTable) {
  const io::InputError e = parse_error(test::two_ldu_scenario("policy = \"capped\"\ncap_percnt = 90"));
  expect_mentions(e.what(), {"unknown key 'allocation.cap_percnt'", "did you mean 'cap_percent'?"});
  // An optional key that the table did not hold is still a known key to suggest.
  const io::InputError hours = parse_error(test::two_ldu_scenario() + "[staffing]\ntime_to_hire_day = 3\n");
  expect_mentions(hours.what(), {"did you mean 'time_to_hire_days'?"});
  // Nothing near: no guess.
  const io::InputError far = parse_error(test::two_ldu_scenario("policy = \"capped\"\nzzz = 90"));
  EXPECT_EQ(std::string(far.what()).find("did you mean"), std::string::npos) << far.what();
}

TEST(Misspellings, AnUnknownNameSuggestsTheNearestOfItsList) {
  expect_mentions(parse_error(test::two_ldu_scenario("policy = \"least_loadd\"")).what(),
                  {"\"least_loadd\"", "did you mean \"least_loaded\"?"});
  const std::string po = "staff.PO = { establishment = 6 }";
  std::string text = test::two_ldu_scenario();
  text.replace(text.rfind(po), po.size(), "staff.Po = { establishment = 6 }");
  expect_mentions(parse_error(text).what(), {"\"Po\"", "did you mean \"PO\"?"});
}

TEST(LduNames, AnUnknownLduListsTheValidNamesAndSuggestsTheNearest) {
  const std::string text = three_ldus("[[intervention]]\nat_day = 10\nldu = \"Nottinghamshir\"\nadd_staff.PO = 1\n");
  const io::InputError e = parse_error(text);
  expect_mentions(e.what(), {"\"Nottinghamshir\"", "\"Nottinghamshire\"", "\"Derbyshire\"",
                             "\"Black Country & Dudley\"", "did you mean \"Nottinghamshire\"?"});
  EXPECT_EQ(std::make_pair(e.line(), e.column()), position_of(text, "\"Nottinghamshir\"", "\"Nottinghamshir\""));
  // A neighbour too.
  std::string neighbours = three_ldus();
  neighbours.insert(neighbours.find("staff.PO = { establishment = 10 }"), "neighbours = [\"Derbyshir\"]\n");
  expect_mentions(parse_error(neighbours).what(), {"\"Derbyshir\"", "did you mean \"Derbyshire\"?",
                                                   "\"Black Country & Dudley\""});
}

TEST(LduNames, AnInterventionTakesAnLduByNameAndAnIndexIsRefusedWithTheNames) {
  const model::Scenario s =
      test::parse(three_ldus("[[intervention]]\nat_day = 10\nldu = \"Derbyshire\"\nadd_staff.PO = 1\n"));
  EXPECT_EQ(s.interventions.at(0).ldu, 1);
  expect_mentions(parse_error(three_ldus("[[intervention]]\nat_day = 10\nldu = 1\nadd_staff.PO = 1\n")).what(),
                  {"an LDU name", "\"Derbyshire\""});
}

// ------------------------------------------------------------------ ranges with their numbers

TEST(Ranges, ADayAfterTheHorizonGivesTheHorizon) {
  const io::InputError e = parse_error(three_ldus("[[intervention]]\nat_day = 2000\nadd_staff.PO = 1\n"));
  expect_mentions(e.what(), {"2000", "horizon", "1277"});
  EXPECT_EQ(std::string(e.what()).find("horizon_days"), std::string::npos) << e.what();
  std::string text = three_ldus();
  text.insert(text.find("horizon_days = 1277\n") + 20, "warmup_days = 1300\n");
  expect_mentions(parse_error(text).what(), {"1300", "1277"});
}

// ------------------------------------------------------------------ LDUs named in overrides

TEST(Overrides, AnOverrideNamesAnLduByNameQuotedOrInBrackets) {
  const std::string text = three_ldus();
  const std::pair<const char*, int> cases[] = {
      {"ldu.Nottinghamshire.staff.PO.in_post", 0},
      {"ldu.\"Black Country & Dudley\".staff.PO.in_post", 2},
      {"ldu[Black Country & Dudley].staff.PO.in_post", 2},
      {"ldu[\"Derbyshire\"].staff.PO.in_post", 1},
      {"ldu[1].staff.PO.in_post", 1},
  };
  const int in_file[] = {12, 10, 14};
  for (const auto& [key, ldu] : cases) {
    SCOPED_TRACE(key);
    const io::Override o{key, "5"};
    const model::Scenario s = io::parse_scenario(text, "test.toml", std::span(&o, 1)).scenario;
    for (std::size_t l = 0; l < 3; ++l)
      EXPECT_EQ(s.ldus[l].staff[0].in_post, static_cast<int>(l) == ldu ? 5 : in_file[l]);
  }
}

TEST(Overrides, AnUnknownLduInAnOverrideListsTheNamesAndSuggestsTheNearest) {
  const io::Override o{"ldu.Derbyshir.staff.PO.in_post", "5"};
  const io::InputError e = parse_error(three_ldus(), std::span(&o, 1));
  EXPECT_EQ(e.file(), "--vary");
  expect_mentions(e.what(), {"\"Derbyshir\"", "did you mean \"Derbyshire\"?", "\"Nottinghamshire\"",
                             "\"Black Country & Dudley\""});
  const io::Override unclosed{"ldu.\"Derbyshire.staff.PO.in_post", "5"};
  expect_mentions(parse_error(three_ldus(), std::span(&unclosed, 1)).what(), {"quote"});
  // Interventions have no names: only an index or * picks one.
  const io::Override unnamed{"intervention.first.at_day", "5"};
  expect_mentions(parse_error(three_ldus("[[intervention]]\nat_day = 10\ndemand_factor = 1.1\n"),
                              std::span(&unnamed, 1))
                      .what(),
                  {"have no names", "intervention[i]"});
}

// ------------------------------------------------------------------ likely slips

TEST(Slips, ACapacityPercentWrittenAsAFractionIsRefused) {
  const std::pair<std::string, const char*> cases[] = {{"policy = \"capped\"\ncap_percent = 1.1", "write 110"},
                                                        {"preference_threshold_percent = 1.05", "write 105"},
                                                        {"grade_cap_percent = { PQiP = 1 }", "write 100"}};
  for (const auto& [allocation, hint] : cases) {
    SCOPED_TRACE(allocation);
    expect_mentions(parse_error(test::two_ldu_scenario(allocation)).what(), {"fraction", hint});
  }
  const io::InputError e =
      parse_error(test::two_ldu_scenario() + "[[intervention]]\nat_day = 10\ncap_percent = 1.1\n");
  expect_mentions(e.what(), {"intervention[0].cap_percent", "110"});
  EXPECT_NO_THROW(test::parse(test::two_ldu_scenario("policy = \"capped\"\ncap_percent = 2.5")));
}

TEST(Slips, AReductionPercentUnderOneIsLoadedWithAWarningAtTheValue) {
  const std::string text = three_ldus();
  std::string slip = text;
  slip.replace(slip.find("staff.PSO = { establishment = 8 }"), 33,
               "staff.PSO = { establishment = 8, reduction_percent = 0.3 }");
  const io::LoadedScenario loaded = io::parse_scenario(slip, "test.toml");
  EXPECT_DOUBLE_EQ(loaded.scenario.ldus[0].staff[2].reduction_percent, 0.3);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  const io::Warning& w = loaded.warnings[0];
  EXPECT_EQ(w.file, "test.toml");
  EXPECT_EQ(std::make_pair(w.line, w.column), position_of(slip, "reduction_percent = 0.3", "0.3"));
  expect_mentions(w.what, {"reduction_percent", "0.3", "30"});
  EXPECT_EQ(w.text(), "test.toml:" + std::to_string(w.line) + ":" + std::to_string(w.column) + ": " + w.what);
  EXPECT_TRUE(io::parse_scenario(text, "test.toml").warnings.empty());
  // A trainee step too.
  const auto steps = io::parse_scenario(text + "[staffing]\ntrainee_reductions = [{ months = 6, percent = 0.8 }]\n",
                                        "test.toml");
  ASSERT_EQ(steps.warnings.size(), 1u);
  expect_mentions(steps.warnings[0].what, {"0.8", "80"});
}

TEST(Slips, ADemandFactorOfFifteenIsRefusedAndOfThreeWarned) {
  const std::string text = three_ldus("[[intervention]]\nat_day = 10\ndemand_factor = 15\n");
  expect_mentions(parse_error(text).what(), {"demand_factor", "15", "1.15"});
  const auto loaded = io::parse_scenario(three_ldus("[[intervention]]\nat_day = 10\ndemand_factor = 3\n"), "t.toml");
  ASSERT_EQ(loaded.warnings.size(), 1u);
  expect_mentions(loaded.warnings[0].what, {"demand_factor", "3", "1.03"});
  EXPECT_TRUE(io::parse_scenario(three_ldus("[[intervention]]\nat_day = 10\ndemand_factor = 1.5\n"), "t.toml")
                  .warnings.empty());
}

TEST(Slips, RemovingMoreStaffThanAreInPostIsWarnedWithTheNumbers) {
  // Nottinghamshire has 12 POs in post; an earlier intervention adds 2.
  const std::string text = three_ldus(
      "[[intervention]]\nat_day = 20\nldu = \"Nottinghamshire\"\nadd_staff.PO = -18\n"
      "[[intervention]]\nat_day = 10\nldu = \"Nottinghamshire\"\nadd_staff.PO = 2\n");
  const auto loaded = io::parse_scenario(text, "t.toml");
  ASSERT_EQ(loaded.warnings.size(), 1u);
  expect_mentions(loaded.warnings[0].what, {"18", "14", "Nottinghamshire", "PO"});
  EXPECT_EQ(loaded.warnings[0].line, position_of(text, "-18", "-18").first);
  // Division-wide: each LDU that has too few is named.
  const auto all = io::parse_scenario(three_ldus("[[intervention]]\nat_day = 20\nadd_staff.PO = -11\n"), "t.toml");
  ASSERT_EQ(all.warnings.size(), 1u);
  expect_mentions(all.warnings[0].what, {"Derbyshire"});
  EXPECT_EQ(all.warnings[0].what.find("Nottinghamshire"), std::string::npos) << all.warnings[0].what;
}

TEST(Slips, KeepPostsAndPercentagesAreCheckedForSense) {
  const auto intervention = [](const std::string& body) {
    return three_ldus("[[intervention]]\nat_day = 10\nldu = \"Derbyshire\"\n" + body);
  };
  const model::Scenario s = test::parse(intervention("add_staff_percent.PO = -25\nkeep_posts = true\n"));
  EXPECT_EQ(s.interventions.at(0).add_staff_percent[0], -25.0);
  EXPECT_TRUE(s.interventions.at(0).keep_posts);
  expect_mentions(parse_error(intervention("keep_posts = true\n")).what(), {"keep_posts", "add_staff"});
  expect_mentions(parse_error(intervention("add_staff.PO = -2\nadd_staff_percent.PO = -10\n")).what(),
                  {"add_staff", "add_staff_percent", "PO"});
  expect_mentions(parse_error(intervention("add_staff_percent.PO = -150\n")).what(), {"-150", "-100"});
  const auto fraction = io::parse_scenario(intervention("add_staff_percent.PO = -0.25\n"), "t.toml");
  ASSERT_EQ(fraction.warnings.size(), 1u);
  expect_mentions(fraction.warnings[0].what, {"-0.25", "-25"});
  // Filling more vacant posts than there are: Derbyshire's 10 PO posts are all filled.
  const auto full = io::parse_scenario(intervention("add_staff.PO = 3\nkeep_posts = true\n"), "t.toml");
  ASSERT_EQ(full.warnings.size(), 1u);
  expect_mentions(full.warnings[0].what, {"vacant", "0"});
}

TEST(Slips, AWarningInTheBaseNamesTheBaseFile) {
  Files files;
  std::string base = three_ldus();
  base.replace(base.find("staff.PSO = { establishment = 8 }"), 33,
               "staff.PSO = { establishment = 8, reduction_percent = 0.5 }");
  const fs::path base_path = files.write("base.toml", base);
  const fs::path variant = files.write("variant.toml", "schema_version = 1\nextends = \"base.toml\"\n");
  const io::LoadedScenario loaded = io::load_scenario(variant);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0].file, base_path.string());
  EXPECT_EQ(loaded.warnings[0].line, position_of(base, "reduction_percent = 0.5", "0.5").first);
}
