"""The output is checked before the run and never left half-written: an
unwritable folder, an -o that names an input or a file that is not HDF5, a
device that fills up, and a signal during the write (issue 12)."""

import math
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import time

import h5py
import pytest

from test_experiments import SHORT_BASE

REPO = pathlib.Path(__file__).resolve().parents[2]
MIDLANDS = REPO / "scenarios" / "midlands-2018.toml"


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(SHORT_BASE)
    return path


def leftovers(folder):
    return sorted(p.name for p in pathlib.Path(folder).iterdir() if ".tmp-" in p.name or "probe" in p.name)


@pytest.mark.parametrize("command", [["run"], ["sensitivity", "--param", "allocation.cap_percent=90:110"],
                                     ["staff", "--target", "capacity_mean_PO<=55"]])
def test_output_naming_the_scenario_is_refused_before_running(caseload, tmp_path, scenario, command):
    before = scenario.read_text()
    proc = caseload(command[0], scenario, *command[1:], "-r", 2, "-o", scenario)
    assert proc.returncode == 2, proc.stderr
    assert "refusing to replace" in proc.stderr and str(scenario) in proc.stderr
    assert scenario.read_text() == before


def test_compare_output_naming_either_input_is_refused(caseload, tmp_path, scenario):
    variant = tmp_path / "variant.toml"
    variant.write_text(SHORT_BASE.replace("seed = 5", "seed = 6"))
    for target in (scenario, variant):
        proc = caseload("compare", scenario, variant, "-r", 2, "-o", target)
        assert proc.returncode == 2 and "refusing to replace" in proc.stderr


def test_an_existing_file_that_is_not_hdf5_is_not_replaced(caseload, tmp_path, scenario):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    proc = caseload("run", scenario, "-r", 2, "-o", notes)
    assert proc.returncode == 2 and "not an HDF5 file" in proc.stderr
    assert notes.read_text() == "my notes\n"
    # An earlier results file is replaced, as the README says.
    out = tmp_path / "out.h5"
    assert caseload("run", scenario, "-r", 2, "-o", out, "-q").returncode == 0
    assert caseload("run", scenario, "-r", 3, "-o", out, "-q").returncode == 0
    with h5py.File(out, "r") as f:
        assert f.attrs["replications"] == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in any folder; the test needs an ordinary user")
def test_an_unwritable_folder_is_found_before_the_run(caseload, tmp_path, scenario):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    proc = caseload("run", scenario, "-r", 2, "-o", folder / "out.h5")
    folder.chmod(0o755)
    assert proc.returncode == 2 and "cannot write in output directory" in proc.stderr
    assert "replication" not in proc.stdout  # nothing was run


def test_an_unwritable_folder_is_found_before_the_run_as_any_user(caseload, tmp_path, scenario):
    # A read-only place every user meets: /proc does not take new files.
    proc = caseload("run", scenario, "-r", 2, "-o", "/proc/caseload-out.h5")
    assert proc.returncode == 2 and "cannot write in output directory '/proc'" in proc.stderr


def run_with_file_size_limit(caseload_bin, args, cwd, limit_bytes):
    """Runs with writes past `limit_bytes` failing (EFBIG), as on a full device."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
    return subprocess.run([str(caseload_bin), *map(str, args)], cwd=cwd, preexec_fn=limit,
                          capture_output=True, text=True, timeout=60)


def test_a_write_that_fails_part_way_exits_1_without_crash_or_litter(caseload_bin, tmp_path):
    # Today's failure was a crash in HDF5's clean-up at exit (SIGSEGV, 139).
    out = tmp_path / "out.h5"
    proc = run_with_file_size_limit(caseload_bin, ["run", MIDLANDS, "-r", 1, "-q", "-o", out], tmp_path, 1 << 20)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "caseload: error:" in proc.stderr and str(out) not in leftovers(tmp_path)
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_full_device_says_so(caseload_bin, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root; the file-size-limit test covers the failure path")
    try:
        out = mount / "out.h5"
        # Found before the run: the estimated file does not fit the free space.
        proc = subprocess.run([str(caseload_bin), "run", MIDLANDS, "-r", "1", "-q", "-o", out],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "--max-output" in proc.stderr, (proc.returncode, proc.stderr)
        # Told to try anyway, the write fails when the device fills.
        proc = subprocess.run([str(caseload_bin), "run", MIDLANDS, "-r", "1", "-q", "--max-output", "1", "-o", out],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, (proc.returncode, proc.stderr)
        assert "no space left on the device of" in proc.stderr
        assert list(mount.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_at_any_moment_leaves_no_working_file(caseload_bin, tmp_path, sig):
    # Signals at spread moments of a Midlands run (simulation, part file,
    # then the HDF5 write): whatever the moment, no working file is left, the
    # output is either absent or a whole file, and replications finished are
    # kept, whole, in out.h5.parts/ for --resume (tests/cli/test_resume.py).
    for delay in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0, 1.3):
        out = tmp_path / "out.h5"
        parts = tmp_path / "out.h5.parts"
        proc = subprocess.Popen([str(caseload_bin), "run", MIDLANDS, "-r", "1", "-j", "1", "-q", "-o", out],
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        assert leftovers(tmp_path) == [], f"after {sig.name} at {delay} s"
        if parts.exists():
            assert leftovers(parts) == [], f"after {sig.name} at {delay} s"
            for part in parts.glob("*.h5"):
                with h5py.File(part, "r") as f:
                    assert f.attrs["format"] == "caseload-replication" and "replication/summary" in f
        assert code in (0, -sig)
        if out.exists():  # finished, or the signal came after the rename: then the file is whole
            with h5py.File(out, "r") as f:
                assert f.attrs["kind"] == "run" and f["statistics/mean"].size > 0
            out.unlink()
        shutil.rmtree(parts, ignore_errors=True)


def test_scenario_paths_that_are_not_regular_files_are_refused_at_once(caseload, tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path, why in ((fifo, "not a regular file"), ("/dev/zero", "not a regular file"),
                      (tmp_path, "is a directory"), (tmp_path / "none.toml", "no such scenario file")):
        proc = caseload("validate", path)  # the fixture fails the test if this blocks for 30 s
        assert proc.returncode == 2 and why in proc.stderr, (path, proc.stderr)


def test_a_scenario_file_over_the_cap_is_refused_by_its_size(caseload, tmp_path):
    big = tmp_path / "big.toml"
    with big.open("wb") as f:
        f.truncate(5 << 20)  # 5 MiB of zeros, over the 4 MiB cap
    proc = caseload("validate", big)
    assert proc.returncode == 2 and "bytes; a scenario file is at most 4194304 bytes" in proc.stderr


@pytest.mark.parametrize("links, ok", [(8, True), (9, False)])
def test_extends_chains_hold_at_most_eight_links(caseload, tmp_path, scenario, links, ok):
    # docs/scenario-format.md: a base may extend another, up to 8 levels deep.
    previous = scenario.name
    for i in range(links):
        path = tmp_path / f"layer{i}.toml"
        path.write_text(f'extends = "{previous}"\nname = "layer{i}"\n')
        previous = path.name
    proc = caseload("validate", tmp_path / previous)
    assert (proc.returncode == 0) == ok, proc.stderr
    if not ok:
        assert "nests more than 8 deep" in proc.stderr


def ldu_scenario(names, in_post=1):
    text = ('schema_version = 1\nhorizon_days = 100\n[case_types.community]\n'
            'duration_days = { dist = "fixed", value = 50 }\ntier_mix = { B2 = 1.0 }\n')
    for name in names:
        text += f'[[ldu]]\nname = "{name}"\nstaff.PO = {{ establishment = {in_post}, in_post = {in_post} }}\n'
    return text


@pytest.mark.parametrize("names, message", [
    (["Same\\u0000a", "Same"], "holds a control character (U+0000)"),
    (["division\\u0000x"], "holds a control character (U+0000)"),
    (["North\\tEast"], "holds a control character (U+0009)"),
    (["North", " north"], 'differ only in case or spaces'),
    (["Black  Country", "Black Country"], 'differ only in case or spaces'),
    (["Division"], 'reserved for the division-wide rows'),
])
def test_ldu_names_that_would_break_tables_are_refused(caseload, tmp_path, names, message):
    path = tmp_path / "names.toml"
    path.write_text(ldu_scenario(names))
    proc = caseload("validate", path)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert ":" in proc.stderr.split("error")[0]  # file:line:column


def test_more_ldus_than_an_ldu_number_holds_are_refused(caseload, tmp_path):
    # Case records hold the LDU in 16 bits; 65,537 LDUs put LDU 65,536's
    # arrivals under LDU 0. The loader refuses more than 10,000.
    path = tmp_path / "many.toml"
    path.write_text(ldu_scenario([f"L{i}" for i in range(10001)]))
    proc = caseload("validate", path)
    assert proc.returncode == 2 and "at most 10000" in proc.stderr


def test_validate_counts_staff_in_64_bits(caseload, tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(ldu_scenario([f"L{i}" for i in range(3000)], in_post=1000000))
    proc = caseload("validate", path)
    # Counted right, then refused: so many officers do not fit in memory.
    assert "3000000000 staff in post" in proc.stdout
    assert proc.returncode == 2 and "of memory at its peak" in proc.stderr


def test_a_run_with_no_staff_has_no_mean_wait(caseload, tmp_path):
    # Every case waits and none is allocated: the mean wait of allocated cases
    # is undefined, not 0 days.
    path = tmp_path / "nobody.toml"
    path.write_text(ldu_scenario(["Empty"], in_post=0).replace(
        "staff.PO = { establishment = 0, in_post = 0 }", "staff.PO = { establishment = 1, in_post = 0 }")
        + "arrivals_per_week = { community = 5 }\n")
    out = tmp_path / "out.h5"
    proc = caseload("run", path, "-r", 2, "-o", out)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        s = f["statistics"]
        rows = {(l, g): i for i, (l, g) in enumerate(zip(s["ldu"].asstr()[:], s["figure"].asstr()[:]))}
        assert s["mean"][rows[("division", "share_waited")]] == 1.0
        assert math.isnan(s["mean"][rows[("division", "mean_wait_days")]])


def test_csv_inputs_that_are_not_regular_files_are_refused_at_once(caseload, tmp_path):
    fifo = tmp_path / "history.csv"
    os.mkfifo(fifo)
    proc = caseload("estimate", fifo)  # the fixture fails the test if this blocks for 30 s
    assert proc.returncode == 2 and "not a regular file" in proc.stderr, proc.stderr
