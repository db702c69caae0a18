// Day 0 from a snapshot (docs/model.md §6.1): the staff and cases files are
// read into the scenario, every problem in them is named at its file, line
// and column, and the day-0 state of a replication is what the files say.

#include "caseload/io/csv.hpp"
#include "caseload/io/input_error.hpp"
#include "caseload/io/scenario_loader.hpp"
#include "caseload/replication/case_flow.hpp"
#include "caseload/replication/shared_state.hpp"
#include "caseload/replication/task_work.hpp"
#include "caseload/replication/workforce.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace caseload;
using model::Grade;
namespace fs = std::filesystem;

namespace {

const std::string kScenario = R"(schema_version = 1
name = "snap"
start_date = 2018-01-01
[initial_state]
snapshot_date = 2018-10-01
staff = "staff.csv"
cases = "cases.csv"
[case_types.community]
duration_days = { dist = "lognormal", mean = 200, sd = 120 }
tier_mix = { C1 = 1.0 }
[case_types.custody]
duration_days = { dist = "gamma", mean = 300, sd = 100 }
tier_mix = { B1 = 1.0 }
becomes = "licence"
victim_probability = 0.5
[case_types.licence]
duration_days = { dist = "weibull", mean = 180, sd = 90 }
tier_mix = { B1 = 1.0 }
[[ldu]]
name = "North"
staff.PO = { establishment = 5, in_post = 5 }
staff.PSO = { establishment = 3 }
staff.PQiP = { establishment = 2 }
staff.VLO = { establishment = 1 }
arrivals_per_week = { community = 1 }
[[ldu]]
name = "South"
staff.PO = { establishment = 3 }
arrivals_per_week = { community = 1 }
)";

const std::string kStaff = "staff_id,ldu,grade,contracted_hours,reduction_hours,role,status\n"
                           "S1,North,PO,37,0,,\n"
                           "S2,North,PO,30,3,case_holder,in_post\n"
                           "S3,North,PO,37,0,court,\n"
                           "S4,North,PSO,37,0,,absent\n"
                           "S5,North,PSO,37,0,,\n"
                           "S6,South,PO,37,0,,\n"
                           "S7,North,VLO,37,0,,\n"
                           "S8,North,PQiP,37,29.6,,\n";

const std::string kCases = "case_id,ldu,staff_id,case_type,tier,start_date,expected_end_date,victim_case\n"
                           "C1,North,S1,community,A3,2018-01-01,2018-12-01,0\n"
                           "C2,North,S1,custody,B2,2017-06-01,,1\n"
                           "C3,North,S2,licence,C1,2018-09-30,2019-01-01,\n"
                           "C4,North,,community,D1,2018-09-01,,0\n"
                           "C5,South,S6,community,B1,2018-10-01,2018-10-01,0\n"
                           "C6,South,,custody,A1,2018-05-01,2020-05-01,1\n"
                           "C7,North,S5,community,C2,2018-02-01,,0\n";

// A folder of its own for each test's files, removed at the end.
class SnapshotFiles : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("caseload-snapshot-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  model::Scenario load(const std::string& staff = kStaff, const std::string& cases = kCases,
                       const std::string& scenario = kScenario) {
    write("staff.csv", staff);
    write("cases.csv", cases);
    return io::parse_scenario(scenario, (dir_ / "s.toml").string()).scenario;
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  // The error loading with `from` replaced by `to` in one of the files: at
  // that file, at line `line`, at the column where `at` starts in that line.
  void expect_error(const std::string& file, const std::string& from, const std::string& to, int line,
                    const std::string& at, const std::string& mentions) {
    std::string staff = kStaff, cases = kCases;
    std::string& text = file == "staff.csv" ? staff : cases;
    const auto where = text.find(from);
    ASSERT_NE(where, std::string::npos) << from;
    text.replace(where, from.size(), to);
    std::istringstream lines(text);
    std::string line_text;
    for (int i = 0; i < line; ++i) std::getline(lines, line_text);
    const auto column = line_text.find(at);
    ASSERT_NE(column, std::string::npos) << at << " in " << line_text;
    try {
      load(staff, cases);
      ADD_FAILURE() << "no error for " << to;
    } catch (const io::InputError& e) {
      EXPECT_EQ(e.file(), (dir_ / file).string()) << e.what();
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_EQ(e.column(), static_cast<int>(column) + 1) << e.what();
      EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
    }
  }

  fs::path dir_;
};

// The components of one replication, wired as the Simulation wires them.
struct Components {
  explicit Components(const model::Scenario& s) : state(s, 0), cases(state), work(state), workforce(state) {
    cases.connect(work);
    work.connect(cases);
    workforce.connect(cases, work);
    workforce.build_staff();
    cases.seed_initial_state();
  }
  replication::SharedState state;
  replication::CaseFlow cases;
  replication::TaskWork work;
  replication::Workforce workforce;
};

std::size_t roster(const replication::SharedState& s, int ldu, Grade g) {
  return s.rosters[static_cast<std::size_t>(ldu)].by_grade[static_cast<int>(g)].size();
}

// The open cases of the replication by the offender-case slot, for lookups by the file's order.
const model::Case& case_at(const replication::SharedState& s, std::size_t row) { return s.cases[row]; }

} // namespace

TEST_F(SnapshotFiles, TheScenarioHoldsTheFilesAsPlainValues) {
  const model::Scenario s = load();
  ASSERT_EQ(s.initial_state, model::InitialState::snapshot);
  ASSERT_TRUE(s.snapshot);
  EXPECT_EQ(s.start_date, "2018-10-01"); // day 0 is the snapshot date
  EXPECT_EQ(s.snapshot->officers.size(), 8u);
  EXPECT_EQ(s.snapshot->cases.size(), 7u);
  EXPECT_EQ(s.snapshot->staff_file.rows, 8);
  EXPECT_EQ(s.snapshot->cases_file.rows, 7);
  EXPECT_EQ(s.snapshot->cases_file.sha256, io::sha256_hex(kCases));
  // In post comes from the file; establishment from the scenario.
  EXPECT_EQ(s.ldus[0].staff[static_cast<int>(Grade::PO)].in_post, 3);
  EXPECT_EQ(s.ldus[0].staff[static_cast<int>(Grade::PO)].establishment, 5);
  EXPECT_EQ(s.ldus[0].staff[static_cast<int>(Grade::PSO)].in_post, 2); // absent staff are in post
  EXPECT_EQ(s.ldus[1].staff[static_cast<int>(Grade::PO)].in_post, 1);
  const model::SnapshotCase& c2 = s.snapshot->cases[1];
  EXPECT_EQ(c2.officer, 0u);
  EXPECT_EQ(c2.type, model::CaseType::custody);
  EXPECT_EQ(model::kTierNames[static_cast<std::size_t>(c2.tier)], "B2");
  EXPECT_DOUBLE_EQ(c2.served_days, 487.0); // 2017-06-01 to 2018-10-01
  EXPECT_FALSE(c2.remaining_days);
  EXPECT_TRUE(c2.victim);
  EXPECT_DOUBLE_EQ(*s.snapshot->cases[0].remaining_days, 61.0);
  EXPECT_FALSE(s.snapshot->cases[3].officer);
  EXPECT_EQ(s.snapshot->officers[2].duty, model::Duty::court);
  EXPECT_TRUE(s.snapshot->officers[3].absent);
}

TEST_F(SnapshotFiles, ResolvedTextReadsBackToTheSameSnapshot) {
  const model::Scenario s = load();
  const std::string resolved = io::resolved_toml(s);
  EXPECT_NE(resolved.find(fs::absolute(dir_ / "cases.csv").string()), std::string::npos);
  const model::Scenario again = io::parse_scenario(resolved, "elsewhere/resolved.toml").scenario;
  EXPECT_EQ(io::resolved_toml(again), resolved);
  ASSERT_TRUE(again.snapshot);
  EXPECT_EQ(again.snapshot->cases_file.sha256, s.snapshot->cases_file.sha256);
}

TEST_F(SnapshotFiles, DayZeroStaffAndCasesAreThoseOfTheFiles) {
  const model::Scenario s = load();
  const Components c(s);
  const replication::SharedState& st = c.state;
  // Staff in post per LDU and grade, in the file's order, as the file has them.
  EXPECT_EQ(roster(st, 0, Grade::PO), 3u);
  EXPECT_EQ(roster(st, 0, Grade::PSO), 2u);
  EXPECT_EQ(roster(st, 0, Grade::PQiP), 1u);
  EXPECT_EQ(roster(st, 0, Grade::VLO), 1u);
  EXPECT_EQ(roster(st, 1, Grade::PO), 1u);
  EXPECT_EQ(st.establishment[0][static_cast<int>(Grade::PO)], 5);
  ASSERT_EQ(st.officers.size(), 8u);
  for (std::size_t i = 0; i < s.snapshot->officers.size(); ++i) {
    const model::SnapshotOfficer& f = s.snapshot->officers[i];
    EXPECT_EQ(st.officers[i].ldu, static_cast<std::uint32_t>(f.ldu));
    EXPECT_EQ(st.officers[i].grade, f.grade);
    EXPECT_EQ(st.officers[i].duty, f.duty);
    EXPECT_DOUBLE_EQ(st.officers[i].contracted_hours, f.contracted_hours);
  }
  EXPECT_EQ(st.officers[3].state, model::OfficerState::absent);
  EXPECT_EQ(st.officers[3].available_points, 0.0);
  EXPECT_GT(st.lives[3].absent_until, 0.0); // back after the rest of an absence
  EXPECT_DOUBLE_EQ(st.officers[1].available_points, s.workload.available_points(30.0, 3.0));
  EXPECT_DOUBLE_EQ(st.officers[7].available_points, s.workload.available_points(37.0, 29.6));

  // Cases held per officer: as the file, plus the unallocated placed by the
  // policy at day 0 (C4, a D case in North, to the PSO or trainee with the
  // least load; C6, an A case in South, to South's one PO).
  EXPECT_EQ(st.officers[0].cases, 2);
  EXPECT_EQ(st.officers[1].cases, 1);
  EXPECT_EQ(st.officers[2].cases, 0);
  EXPECT_EQ(st.officers[3].cases, 0);
  EXPECT_EQ(st.officers[4].cases + st.officers[7].cases, 2);
  EXPECT_EQ(st.officers[5].cases, 2);
  EXPECT_EQ(st.flows[0].initial_cases, 5);
  EXPECT_EQ(st.flows[1].initial_cases, 2);
  for (const auto& q : st.queues) EXPECT_TRUE(q.empty());
  ASSERT_EQ(st.cases.size(), 7u);
  for (std::size_t row = 0; row < 7; ++row) {
    const model::Case& k = case_at(st, row);
    EXPECT_TRUE(k.started) << row;
    EXPECT_EQ(k.type, s.snapshot->cases[row].type) << row;
    EXPECT_EQ(k.tier, s.snapshot->cases[row].tier) << row;
    if (s.snapshot->cases[row].officer) {
      EXPECT_EQ(k.officer, *s.snapshot->cases[row].officer) << row;
    }
    std::int32_t points = 0;
    for (std::uint32_t id = st.lives[k.officer].first_case; id != model::kNone; id = st.cases[id].next_held)
      points += st.points_of(st.cases[id]);
    EXPECT_EQ(points, st.officers[k.officer].points);
  }
  // Given ends are kept; the others are drawn from what is left of the phase.
  EXPECT_DOUBLE_EQ(case_at(st, 0).phase_ends, 61.0);
  EXPECT_DOUBLE_EQ(case_at(st, 4).phase_ends, 0.0);
  EXPECT_DOUBLE_EQ(case_at(st, 5).phase_ends, 578.0); // 2018-10-01 to 2020-05-01
  EXPECT_GT(case_at(st, 1).phase_days, 0.0);
  EXPECT_GT(case_at(st, 1).next_phase_days, 0.0); // custody becomes licence
  // Victim cases where the file says so (C2, C6), whatever victim_probability says.
  ASSERT_EQ(st.victims.size(), 2u);
  EXPECT_EQ(st.victims[0].offender_case, 1u);
  EXPECT_EQ(st.victims[1].offender_case, 5u);
  EXPECT_EQ(st.victims[0].first_contact, model::kNone); // made before day 0
}

TEST_F(SnapshotFiles, EveryProblemIsNamedAtItsFileLineAndColumn) {
  expect_error("staff.csv", "S1,North", "S1,Nowhere", 2, "Nowhere", "unknown LDU \"Nowhere\"");
  expect_error("staff.csv", "S2,North,PO", "S2,North,P0", 3, "P0", "unknown grade \"P0\"");
  expect_error("staff.csv", "S2,", "S1,", 3, "S1", "\"S1\" is used twice (first on line 2)");
  expect_error("staff.csv", "S3,North,PO,37", "S3,North,PO,abc", 4, "abc", "column 'contracted_hours'");
  expect_error("staff.csv", "S2,North,PO,30,3", "S2,North,PO,30,31", 3, "31", "column 'reduction_hours'");
  expect_error("staff.csv", "0,court,", "0,manager,", 4, "manager", "unknown role \"manager\"");
  expect_error("staff.csv", "0,,absent", "0,,away", 5, "away", "unknown status \"away\"");
  expect_error("staff.csv", "S5,North", "S5,Nor\xE9th", 6, "\xE9", "is not UTF-8");
  expect_error("staff.csv", "reduction_hours,", "reductions,", 1, "staff_id", "missing column 'reduction_hours'");
  expect_error("cases.csv", "C1,North,S1,community", "C1,North,S1,communty", 2, "communty",
               "unknown case type \"communty\"");
  expect_error("cases.csv", "community,A3", "community,E3", 2, "E3", "unknown tier \"E3\"");
  expect_error("cases.csv", "C3,", "C2,", 4, "C2", "\"C2\" is used twice (first on line 3)");
  expect_error("cases.csv", "C3,North,S2", "C3,North,S99", 4, "S99", "\"S99\" is not in the staff file");
  expect_error("cases.csv", "C3,North,S2", "C3,North,S4", 4, "S4", "\"S4\" is absent at the snapshot date");
  expect_error("cases.csv", "C3,North,S2", "C3,North,S3", 4, "S3", "holds no offender caseload");
  expect_error("cases.csv", "C3,North,S2", "C3,North,S7", 4, "S7", "holds no offender caseload");
  expect_error("cases.csv", "2018-02-01", "01/02/2018", 8, "01/02", "\"01/02/2018\" is not a date");
  expect_error("cases.csv", "2018-09-30,2019", "2018-10-02,2019", 4, "2018-10-02", "after the snapshot date");
  expect_error("cases.csv", "2018-12-01", "2018-09-30", 2, "2018-09-30", "before the snapshot date");
  expect_error("cases.csv", "2018-12-01", "2018-02-30", 2, "2018-02-30", "is not a date");
  expect_error("cases.csv", "2020-05-01,1", "2020-05-01,yes", 7, "yes", "unknown victim_case value \"yes\"");
  expect_error("cases.csv", ",tier,", ",band,", 1, "case_id", "missing column 'tier'");
  expect_error("cases.csv", "victim_case\n", "notes\n", 1, "notes", "unknown column 'notes'");
  expect_error("cases.csv", "D1,2018-09-01,,0", "D1,2018-09-01", 5, "2018-09-01", "6 fields: expected 8");
}

TEST_F(SnapshotFiles, AMissingFileIsNamedWhereTheScenarioNamesIt) {
  std::string scenario = kScenario;
  scenario.replace(scenario.find("\"cases.csv\""), 11, "\"nope.csv\"");
  try {
    load(kStaff, kCases, scenario);
    FAIL();
  } catch (const io::InputError& e) {
    EXPECT_EQ(e.file(), (dir_ / "s.toml").string());
    EXPECT_EQ(e.line(), 7);
    EXPECT_NE(std::string(e.what()).find("no cases file"), std::string::npos) << e.what();
  }
}

TEST_F(SnapshotFiles, TheExampleSnapshotOfTheMidlandsLoadsAndStartsAsItsFilesSay) {
  const model::Scenario s =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018-snapshot.toml").scenario;
  ASSERT_TRUE(s.snapshot);
  const Components c(s);
  const replication::SharedState& st = c.state;
  std::vector<int> held(s.snapshot->officers.size(), 0);
  std::size_t unallocated = 0;
  for (const auto& k : s.snapshot->cases) {
    if (k.officer) ++held[*k.officer];
    else ++unallocated;
  }
  ASSERT_GT(unallocated, 0u);
  // The policy has placed the unallocated cases: each officer holds the file's
  // cases and perhaps some of them, and all of them are held or waiting.
  std::int64_t placed = 0;
  for (std::size_t i = 0; i < held.size(); ++i) {
    EXPECT_EQ(st.officers[i].ldu, static_cast<std::uint32_t>(s.snapshot->officers[i].ldu));
    EXPECT_GE(st.officers[i].cases, held[i]) << s.snapshot->officers[i].id;
    placed += st.officers[i].cases - held[i];
  }
  std::int64_t waiting = 0;
  for (const auto& q : st.queues) waiting += static_cast<std::int64_t>(q.size());
  EXPECT_EQ(placed + waiting, static_cast<std::int64_t>(unallocated));
}
