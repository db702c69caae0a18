"""End-to-end tests of compare, run --vary, info and scenario extension."""

import pathlib

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "validation" / "infinite-server.toml"
MIDLANDS = ROOT / "scenarios" / "midlands-2018.toml"

SHORT_BASE = """\
schema_version = 1
name = "base"
seed = 5
horizon_days = 200
warmup_days = 50
[allocation]
policy = "capped"
cap_percent = 100
[tasks]
sdr_share = 0.2
[case_types.community]
duration_days = { dist = "lognormal", mean = 120, sd = 80 }
tier_mix = { A3 = 0.5, C1 = 0.5 }
victim_probability = 0.3
[[ldu]]
name = "North"
neighbours = ["South"]
staff.PO = { establishment = 8, in_post = 7 }
staff.PSO = { establishment = 3 }
staff.VLO = { establishment = 1 }
arrivals_per_week = { community = 6 }
court_reports_per_week = 4
[[ldu]]
name = "South"
neighbours = ["North"]
staff.PO = { establishment = 6 }
staff.PSO = { establishment = 2 }
staff.VLO = { establishment = 1 }
arrivals_per_week = { community = 4 }
court_reports_per_week = 2
"""


@pytest.fixture
def base_file(tmp_path):
    path = tmp_path / "base.toml"
    path.write_text(SHORT_BASE)
    return path


def test_comparing_a_scenario_with_itself_gives_exactly_zero(caseload, tmp_path, base_file):
    out = tmp_path / "self.h5"
    proc = caseload("compare", base_file, base_file, "-r", 4, "-o", out)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "comparison"
        c = f["comparison"]
        diff = c["difference"][()]
        finite = np.isfinite(diff)
        assert finite.sum() > 50
        assert (diff[finite] == 0.0).all()
        assert (c["significant"][()] == 0).all()
        np.testing.assert_array_equal(c["base_mean"][()], c["variant_mean"][()])
        np.testing.assert_array_equal(f["base/summary/mean_held"][()], f["variant/summary/mean_held"][()])
    assert " *" not in proc.stdout


def test_compare_marks_real_differences_and_pairs_the_streams(caseload, tmp_path, base_file):
    variant = tmp_path / "short.toml"
    variant.write_text('schema_version = 1\nextends = "base.toml"\nname = "short"\n'
                       '[overrides]\n"ldu[0].staff.PO.in_post" = 4\n')
    out = tmp_path / "cmp.h5"
    proc = caseload("compare", base_file, variant, "-r", 6, "-o", out)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        c = f["comparison"]
        rows = {(l.decode(), g.decode()): i for i, (l, g) in enumerate(zip(c["ldu"][()], c["figure"][()]))}
        waiting = rows[("North", "mean_waiting")]
        assert c["difference"][waiting] > 0 and c["significant"][waiting] == 1
        # Same seed, same streams: arrivals are identical in every replication.
        arrivals = rows[("division", "arrivals")]
        assert c["difference"][arrivals] == 0.0 and c["difference_half_width"][arrivals] == 0.0
        assert f["variant"].attrs["seed"] == f["base"].attrs["seed"]
    assert "mean_waiting" in proc.stdout and "*" in proc.stdout


def test_vary_runs_one_scenario_per_value_into_one_file(caseload, tmp_path, base_file):
    out = tmp_path / "sweep.h5"
    proc = caseload("run", base_file, "-r", 3, "--vary", "vacancy_rate.PO=0,0.25,0.5", "-o", out)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "sweep"
        assert f.attrs["vary_key"] == "vacancy_rate.PO"
        assert [v.decode() for v in f["vary_values"][()]] == ["0", "0.25", "0.5"]
        waits = []
        for i in range(3):
            run = f[f"runs/{i:04d}"]
            in_post = run["replications/0000/snapshots/ldu_grade/in_post"][0, :, 0]
            establishment = run["replications/0000/snapshots/ldu_grade/establishment"][0, :, 0]
            expected = np.floor(establishment * (1 - [0, 0.25, 0.5][i]) + 0.5)  # half rounds up
            np.testing.assert_array_equal(in_post, expected)
            waits.append(run["summary/mean_waiting"][-1])
        assert waits[0] <= waits[1] <= waits[2] and waits[0] < waits[2]
        sweep = f["sweep"]
        assert set(sweep["run"][()]) == {0, 1, 2}


def test_vary_rejects_a_bad_key_with_exit_2(caseload, base_file):
    proc = caseload("run", base_file, "--vary", "ldu[7].staff.PO.in_post=3")
    assert proc.returncode == 2
    assert "--vary" in proc.stderr and "past the end" in proc.stderr
    proc = caseload("run", base_file, "--vary", "allocation.cap_percnt=90")
    assert proc.returncode == 2 and "cap_percnt" in proc.stderr


def test_info_describes_runs_comparisons_and_sweeps(caseload, tmp_path, base_file):
    run, cmp = tmp_path / "run.h5", tmp_path / "cmp.h5"
    assert caseload("run", base_file, "-r", 2, "-o", run, "-q").returncode == 0
    assert caseload("compare", base_file, base_file, "-r", 2, "-o", cmp, "-q").returncode == 0
    proc = caseload("info", run)
    assert proc.returncode == 0, proc.stderr
    assert "caseload run file, schema 1." in proc.stdout and "scenario base (seed 5, 2 replications" in proc.stdout
    assert "capacity_mean_PO" in proc.stdout
    proc = caseload("info", cmp)
    assert proc.returncode == 0 and "paired differences" in proc.stdout
    missing = caseload("info", tmp_path / "nothing.h5")
    assert missing.returncode == 2 and "no such results file" in missing.stderr
    not_hdf5 = tmp_path / "text.h5"
    not_hdf5.write_text("hello")
    proc = caseload("info", not_hdf5)
    assert proc.returncode == 2 and "not an HDF5 file" in proc.stderr
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    proc = caseload("info", other)
    assert proc.returncode == 2 and "not a caseload results file" in proc.stderr
    newer = tmp_path / "newer.h5"
    newer.write_bytes(run.read_bytes())
    with h5py.File(newer, "r+") as f:
        f.attrs["schema_version"] = np.array([2, 0], dtype=np.int64)
    proc = caseload("info", newer)
    assert proc.returncode == 2 and "schema version 2.0" in proc.stderr


def test_extends_lays_a_variant_over_its_base(caseload, tmp_path, base_file):
    variant = tmp_path / "variant.toml"
    variant.write_text('schema_version = 1\nextends = "base.toml"\nname = "variant"\n'
                       '[allocation]\ncap_percent = 120\n'
                       '[[intervention]]\nat_day = 100\ndemand_factor = 1.5\n')
    out = tmp_path / "v.h5"
    assert caseload("run", variant, "-r", 1, "-o", out, "-q").returncode == 0
    import tomllib
    with h5py.File(out, "r") as f:
        resolved = tomllib.loads(f.attrs["scenario"])
    assert resolved["name"] == "variant"
    assert resolved["allocation"]["cap_percent"] == 120
    assert resolved["allocation"]["policy"] == "capped"        # from the base
    assert resolved["intervention"][0]["demand_factor"] == 1.5
    assert [l["name"] for l in resolved["ldu"]] == ["North", "South"]


def test_an_error_in_the_base_names_the_base_file(caseload, tmp_path, base_file):
    base_file.write_text(SHORT_BASE.replace("cap_percent = 100", "cap_percnt = 100"))
    variant = tmp_path / "variant.toml"
    variant.write_text('schema_version = 1\nextends = "base.toml"\n')
    proc = caseload("validate", variant)
    assert proc.returncode == 2
    line = SHORT_BASE.splitlines().index("cap_percent = 100") + 1
    assert f"{base_file}:{line}:1: error: unknown key 'allocation.cap_percnt'" in proc.stderr


def test_bad_extends_and_overrides_are_input_errors(caseload, tmp_path, base_file):
    cases = {
        'schema_version = 1\nextends = "nowhere.toml"\n': "no scenario file",
        'schema_version = 1\n[overrides]\n"seed" = 3\n': "needs 'extends'",
        'schema_version = 1\nextends = "base.toml"\n[overrides]\n"ldu[9].name" = "X"\n': "past the end",
    }
    for text, message in cases.items():
        path = tmp_path / "v.toml"
        path.write_text(text)
        proc = caseload("validate", path)
        assert proc.returncode == 2, text
        assert message in proc.stderr, proc.stderr
        assert f"{path}:" in proc.stderr


def test_stats_prints_events_per_second(caseload):
    proc = caseload("run", SMALL, "-r", 2, "-q", "--stats")
    assert proc.returncode == 0
    assert "events in" in proc.stdout and "events/s" in proc.stdout


def test_the_codec_changes_the_bytes_not_the_results(caseload, tmp_path, base_file):
    files = {codec: tmp_path / f"{codec}.h5" for codec in ("none", "deflate", "lz4", "default")}
    for codec, path in files.items():
        extra = [] if codec == "default" else ["--codec", codec]
        assert caseload("run", MIDLANDS, "-r", 1, "-o", path, "-q", *extra).returncode == 0
    assert files["default"].stat().st_size == files["lz4"].stat().st_size  # LZ4 unless told otherwise
    for codec in ("deflate", "lz4"):
        assert files[codec].stat().st_size < files["none"].stat().st_size / 3
    name = "replications/0000/snapshots/officer_capacity_percent"
    with h5py.File(files["none"], "r") as a:
        for codec, filters in (("deflate", {"gzip", "shuffle"}), ("lz4", {"32004"}), ("default", {"32004"})):
            with h5py.File(files[codec], "r") as b:
                assert a[name].compression is None and filters <= set(map(str, b[name]._filters))
                np.testing.assert_array_equal(a[name][()], b[name][()])
    # --compress N is a deflate level; 0 alone means none; with another codec it is a mistake.
    assert caseload("run", MIDLANDS, "-r", 1, "-o", tmp_path / "d6.h5", "-q", "--compress", 6).returncode == 0
    with h5py.File(tmp_path / "d6.h5", "r") as f:
        assert f[name].compression == "gzip" and f[name].compression_opts == 6
    proc = caseload("run", base_file, "--codec", "lz4", "--compress", 6)
    assert proc.returncode == 2 and "--codec deflate" in proc.stderr
    assert caseload("run", base_file, "--compress", 10).returncode == 2
    assert caseload("run", base_file, "--codec", "zip").returncode == 2
