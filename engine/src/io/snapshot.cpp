#include "snapshot.hpp"

#include "caseload/io/csv.hpp"
#include "csv_cells.hpp"
#include "scenario_kinds.hpp"

#include <cmath>
#include <map>

namespace caseload::io {
namespace {

constexpr std::array<std::string_view, 5> kStaffRequired{"staff_id", "ldu", "grade", "contracted_hours",
                                                         "reduction_hours"};
constexpr std::array<std::string_view, 2> kStaffOptional{"role", "status"};
constexpr std::array<std::string_view, 6> kCasesRequired{"case_id", "ldu", "staff_id", "case_type", "tier",
                                                         "start_date"};
constexpr std::array<std::string_view, 2> kCasesOptional{"expected_end_date", "victim_case"};

// Roles, as the staff file names them, and the duty each is in the model (docs/model.md §2).
constexpr std::array<std::string_view, 3> kRoleNames{"case_holder", "court", "other"};
constexpr std::array<model::Duty, 3> kRoleDuties{model::Duty::caseload, model::Duty::court, model::Duty::other};
constexpr std::array<std::string_view, 2> kStatusNames{"in_post", "absent"};
constexpr std::array<std::string_view, 2> kVictimValues{"0", "1"};

int ldu_index(const Cells& cells, const model::Scenario& s) {
  const std::string& name = cells.required("ldu", "the name of an LDU of the scenario");
  for (std::size_t l = 0; l < s.ldus.size(); ++l)
    if (s.ldus[l].name == name) return static_cast<int>(l);
  std::string names;
  for (std::size_t l = 0; l < s.ldus.size(); ++l) names += (l ? ", \"" : "\"") + s.ldus[l].name + "\"";
  cells.fail("ldu", "unknown LDU \"" + name + "\": expected one of the scenario's LDUs, " + names);
}

std::vector<model::SnapshotOfficer> read_staff(const CsvTable& table, const model::Scenario& s) {
  table.expect_columns(kStaffRequired, kStaffOptional);
  std::vector<model::SnapshotOfficer> officers;
  std::map<std::string, int> seen;
  for (const CsvRow& row : table.rows()) {
    const Cells cells(table, row);
    model::SnapshotOfficer o;
    o.id = unique_id(cells, "staff_id", seen);
    o.ldu = ldu_index(cells, s);
    o.grade = model::Grade(cells.choice("grade", model::kGradeNames, "grade"));
    o.contracted_hours = cells.number("contracted_hours", "hours a week, more than 0 and at most 168");
    if (!(o.contracted_hours > 0.0 && o.contracted_hours <= 168.0))
      cells.fail("contracted_hours", "out of range: expected hours a week, more than 0 and at most 168");
    o.reduction_hours = cells.number("reduction_hours", "hours a week, from 0 to contracted_hours");
    if (!(o.reduction_hours >= 0.0 && o.reduction_hours <= o.contracted_hours))
      cells.fail("reduction_hours", "out of range: expected hours a week, from 0 to contracted_hours");
    o.duty = kRoleDuties[static_cast<std::size_t>(cells.choice("role", kRoleNames, "role", 0))];
    o.absent = cells.choice("status", kStatusNames, "status", 0) == 1;
    officers.push_back(std::move(o));
  }
  return officers;
}

std::vector<model::SnapshotCase> read_cases(const CsvTable& table, const model::Scenario& s,
                                            const std::array<bool, model::kCaseTypeCount>& defined,
                                            std::span<const model::SnapshotOfficer> officers,
                                            std::int64_t snapshot_days, const std::string& snapshot_date) {
  table.expect_columns(kCasesRequired, kCasesOptional);
  std::map<std::string, std::uint32_t> staff;
  for (std::size_t i = 0; i < officers.size(); ++i) staff.emplace(officers[i].id, static_cast<std::uint32_t>(i));
  std::vector<model::SnapshotCase> cases;
  std::map<std::string, int> seen;
  for (const CsvRow& row : table.rows()) {
    const Cells cells(table, row);
    model::SnapshotCase c;
    c.id = unique_id(cells, "case_id", seen);
    c.ldu = ldu_index(cells, s);
    if (const std::string& holder = cells.text("staff_id"); !holder.empty()) {
      const auto found = staff.find(holder);
      if (found == staff.end()) cells.fail("staff_id", "\"" + holder + "\" is not in the staff file");
      const model::SnapshotOfficer& o = officers[found->second];
      if (o.absent)
        cells.fail("staff_id", "\"" + holder + "\" is absent at the snapshot date: expected the case's present "
                               "holder, or staff_id left empty for the case to be allocated at day 0");
      if (!model::grade_holds_caseload(o.grade) || o.duty != model::Duty::caseload)
        cells.fail("staff_id", "\"" + holder + "\" (" + std::string(model::name(o.grade)) + ", role \"" +
                                   std::string(kRoleNames[static_cast<std::size_t>(o.duty)]) +
                                   "\") holds no offender caseload: expected a PO, PQiP or PSO with role "
                                   "\"case_holder\"");
      c.officer = found->second;
    }
    c.type = model::CaseType(cells.choice("case_type", model::kCaseTypeNames, "case type"));
    if (!defined[static_cast<std::size_t>(c.type)])
      cells.fail("case_type", "the scenario has no [case_types." + std::string(model::name(c.type)) +
                                  "]: expected a case type it describes");
    c.tier = cells.choice("tier", model::kTierNames, "tier");
    const std::int64_t start = *cells.date("start_date", true);
    if (start > snapshot_days)
      cells.fail("start_date", iso_date(start) + " is after the snapshot date " + snapshot_date +
                                   ": expected cases open at the snapshot");
    c.served_days = static_cast<double>(snapshot_days - start);
    if (const auto end = cells.date("expected_end_date", false)) {
      if (*end < snapshot_days)
        cells.fail("expected_end_date", iso_date(*end) + " is before the snapshot date " + snapshot_date +
                                            ": expected cases open at the snapshot");
      c.remaining_days = static_cast<double>(*end - snapshot_days);
    }
    c.victim = cells.choice("victim_case", kVictimValues, "victim_case value", 0) == 1;
    cases.push_back(std::move(c));
  }
  return cases;
}

model::SnapshotFile file_record(const CsvTable& table) {
  return {std::filesystem::absolute(table.file()).lexically_normal().string(), table.sha256(),
          static_cast<std::int64_t>(table.rows().size())};
}

// A file named in the table, relative to the file the table is written in.
std::filesystem::path snapshot_path(TableReader& table, std::string_view key, std::string_view what) {
  const std::string name = table.string(key, std::nullopt);
  const toml::node& n = *table.table().get(key);
  const std::filesystem::path written_in = n.source().path ? *n.source().path : table.ctx().file();
  const std::filesystem::path path = written_in.parent_path() / name;
  if (name.empty() || !std::filesystem::is_regular_file(path))
    table.ctx().fail(n.source(), "'" + table.key_path(key) + "': no " + std::string(what) + " " + path.string());
  return path;
}

} // namespace

model::InitialState InitialStateKind::read(TableReader& r, std::string_view key,
                                           std::optional<model::InitialState> fallback) const {
  const toml::node* n = r.find(key);
  if (n && !n->is_table() && !n->is_string())
    r.fail_type(key, *n, "\"steady_state\", \"empty\" or a table { snapshot_date, staff, cases }");
  if (!n || !n->is_table()) return Choice<model::InitialState>{kInitialStates}.read(r, key, fallback);
  TableReader table = r.subtable(key, true);
  SnapshotSpec spec;
  spec.date = Date{}.read(table, "snapshot_date", std::nullopt);
  spec.date_days = *parse_iso_date(spec.date);
  spec.staff = snapshot_path(table, "staff", "staff file");
  spec.cases = snapshot_path(table, "cases", "cases file");
  table.finish();
  *pending = std::move(spec);
  return model::InitialState::snapshot;
}

std::variant<std::string, toml::table> InitialStateKind::write(model::InitialState state) const {
  if (state != model::InitialState::snapshot)
    return Choice<model::InitialState>{kInitialStates}.write(state);
  const model::InitialSnapshot& s = **snapshot;
  return toml::table{{"snapshot_date", Date{}.write(s.date)},
                     {"staff", s.staff_file.path},
                     {"cases", s.cases_file.path}};
}

model::InitialSnapshot read_snapshot(const SnapshotSpec& spec, const model::Scenario& scenario,
                                     const std::array<bool, model::kCaseTypeCount>& defined) {
  const CsvTable staff = read_csv(spec.staff, "staff file");
  const CsvTable cases = read_csv(spec.cases, "cases file");
  model::InitialSnapshot out;
  out.date = spec.date;
  out.officers = read_staff(staff, scenario);
  out.cases = read_cases(cases, scenario, defined, out.officers, spec.date_days, spec.date);
  out.staff_file = file_record(staff);
  out.cases_file = file_record(cases);
  return out;
}

void apply_snapshot(model::Scenario& scenario, model::InitialSnapshot snapshot) {
  scenario.start_date = snapshot.date;
  for (auto& ldu : scenario.ldus)
    for (auto& group : ldu.staff) group.in_post = 0;
  for (const auto& o : snapshot.officers) ++scenario.ldus[static_cast<std::size_t>(o.ldu)].staff[static_cast<int>(o.grade)].in_post;
  scenario.snapshot = std::move(snapshot);
}

} // namespace caseload::io
