"""Runs across processes on MPI (issue 13): `mpirun -n N caseload …` spreads
replications, sweep values and candidate plans over the processes, and gives
results byte-identical to one process (with SOURCE_DATE_EPOCH fixing the one
attribute that varies, `created`), printed once, with one exit status."""

import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
MIDLANDS = REPO / "scenarios" / "midlands-2018.toml"
MPIRUN = shutil.which("mpirun")
EPOCH = "1700000000"

pytestmark = pytest.mark.skipif(MPIRUN is None, reason="no mpirun (install openmpi-bin: scripts/install-deps)")


@pytest.fixture(autouse=True)
def not_under_asan(caseload_bin):
    if "asan" in str(caseload_bin):
        pytest.skip("the MPI library's own allocations read as leaks to LeakSanitizer; the ci build runs these")


@pytest.fixture
def short(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(f'extends = "{MIDLANDS}"\nname = "short"\nhorizon_days = 300\nwarmup_days = 60\n')
    return path


def launch(caseload_bin, processes, args, cwd):
    """The command on `processes` MPI processes (0: as one process, without mpirun)."""
    argv = [str(caseload_bin), *map(str, args)]
    if processes:
        # --oversubscribe: more processes than this machine's cores; root in CI containers.
        argv = [MPIRUN, "--oversubscribe", "--allow-run-as-root", "-n", str(processes), *argv]
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, OMPI_MCA_btl_vader_single_copy_mechanism="none")
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [
    ["run", "{short}", "-r", 5],
    # One replication: written straight into the file, by the leader alone.
    ["run", "{short}", "-r", 1],
    ["run", "{short}", "-r", 3, "--vary", "allocation.cap_percent=100,120"],
    ["compare", "{short}", "{variant}", "-r", 4],
    ["sensitivity", "{short}", "-r", 3, "--param", "allocation.cap_percent=100:120"],
])
def test_any_number_of_processes_gives_the_same_file_and_summary(caseload_bin, tmp_path, short, command):
    variant = tmp_path / "variant.toml"
    variant.write_text(f'extends = "{short}"\nname = "capped"\n[allocation]\npolicy = "capped"\ncap_percent = 95\n')
    args = [a.format(short=short, variant=variant) if isinstance(a, str) else a for a in command] + ["-j", 1]
    one = launch(caseload_bin, 0, args + ["-o", "one.h5"], tmp_path)
    assert one.returncode == 0, one.stderr
    for processes in (2, 3):
        many = launch(caseload_bin, processes, args + ["-o", f"many{processes}.h5"], tmp_path)
        assert many.returncode == 0, many.stderr
        assert (tmp_path / f"many{processes}.h5").read_bytes() == (tmp_path / "one.h5").read_bytes(), processes
        # Printed once, by the leader, as one process prints it.
        assert many.stdout.replace(f"many{processes}.h5", "one.h5") == one.stdout


def test_the_staffing_search_is_the_same_on_three_processes(caseload_bin, tmp_path, short):
    args = ["staff", short, "-r", 3, "-j", 1, "--target", "Birmingham:capacity_mean_PO<=95", "--ldu", "Birmingham",
            "--grades", "PO", "-o"]
    one = launch(caseload_bin, 0, args + ["one.h5"], tmp_path)
    many = launch(caseload_bin, 3, args + ["many.h5"], tmp_path)
    assert one.returncode == many.returncode == 0, (one.stderr, many.stderr)
    assert (tmp_path / "many.h5").read_bytes() == (tmp_path / "one.h5").read_bytes()


def test_an_error_is_said_once_and_every_process_exits_with_it(caseload_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = 1\nhorizon_days = -5\n")
    proc = launch(caseload_bin, 3, ["run", bad], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("error:") == 1, proc.stderr


def test_a_refused_resume_ends_every_process(caseload_bin, tmp_path, short):
    # The leader refuses (parts of an interrupted run, no --resume); the others must not wait for it.
    parts = tmp_path / "out.h5.parts"
    parts.mkdir()
    (parts / "run-0000.h5").write_bytes(b"not a part")
    (parts / "run.txt").write_text("identity = x\ncreated = y\n")
    proc = launch(caseload_bin, 3, ["run", short, "-r", 3, "-o", "out.h5"], tmp_path)
    assert proc.returncode == 2 and "--resume" in proc.stderr, proc.stderr


@pytest.mark.parametrize("failing", ["leader", "others"])
def test_a_failure_on_some_processes_only_ends_every_process(caseload_bin, tmp_path, short, failing):
    # MPMD: the leader and the others get different files, as machines that see different
    # files or have different memory would; nobody may wait for ever for the others.
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = 1\nhorizon_days = -5\n")
    first, rest = (bad, short) if failing == "leader" else (short, bad)
    env = dict(os.environ, OMPI_MCA_btl_vader_single_copy_mechanism="none")
    argv = [MPIRUN, "--oversubscribe", "--allow-run-as-root",
            "-n", "1", str(caseload_bin), "run", str(first), "-r", "3", "-j", "1", "-q", ":",
            "-n", "2", str(caseload_bin), "run", str(rest), "-r", "3", "-j", "1", "-q"]
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "horizon_days" in proc.stderr
    if failing == "others":  # the leader went on: each failing process says why, naming itself
        assert proc.stderr.count("(process ") == 2, proc.stderr
    else:
        assert proc.stderr.count("error:") == 1, proc.stderr
