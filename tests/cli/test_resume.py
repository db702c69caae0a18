"""Replications that survive (issue 12): each finished replication is written
to OUT.h5.parts/ as it finishes, memory stays bounded whatever -r is, and a
run that is killed is continued with --resume to a file byte-identical to an
uninterrupted run's."""

import os
import pathlib
import signal
import subprocess
import time

import h5py
import pytest

from test_file_integrity import flip_a_byte_of

REPO = pathlib.Path(__file__).resolve().parents[2]
MIDLANDS = REPO / "scenarios" / "midlands-2018.toml"
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH: the `created` stamp, so that files compare byte for byte


def start(caseload_bin, args, cwd, epoch=EPOCH):
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
    return subprocess.Popen([str(caseload_bin), *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(caseload_bin, args, cwd, epoch=EPOCH):
    proc = start(caseload_bin, args, cwd, epoch)
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err


def parts_in(out):
    folder = pathlib.Path(f"{out}.parts")
    return sorted(p.name for p in folder.glob("*.h5")) if folder.is_dir() else []


def kill_after(caseload_bin, args, cwd, out, parts, sig=signal.SIGKILL):
    """Starts the command and kills it once `parts` replications are written (and before it ends)."""
    proc = start(caseload_bin, args, cwd)
    deadline = time.monotonic() + 600
    while len(parts_in(out)) < parts:
        assert proc.poll() is None, f"the run ended before it was killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    kept = parts_in(out)
    assert parts <= len(kept), kept
    return kept


# Midlands over a shorter horizon: a replication takes long enough to kill
# the run between two of them, not so long that the suite (also run under
# ASan) drags.
SHORT = "short.toml"
RUN = ["run", SHORT, "-r", 5, "-j", 1, "-q"]


@pytest.fixture(autouse=True)
def short_midlands(tmp_path):
    (tmp_path / SHORT).write_text(f'extends = "{MIDLANDS}"\nname = "short"\nhorizon_days = 480\nwarmup_days = 91\n')


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_resumes_to_the_same_bytes(caseload_bin, tmp_path, sig):
    whole, out = tmp_path / "whole.h5", tmp_path / "out.h5"
    assert finish(caseload_bin, RUN + ["-o", whole], tmp_path)[0] == 0
    assert not pathlib.Path(f"{whole}.parts").exists()  # removed once the file is in place
    kept = kill_after(caseload_bin, RUN + ["-o", out], tmp_path, out, 2, sig)
    assert not out.exists() and len(kept) < 5
    # Another day: `created` is the interrupted run's, not the resumed one's.
    code, err = finish(caseload_bin, ["run", SHORT, "-r", 5, "-j", 2, "-o", out, "--resume"], tmp_path,
                       epoch="1800000000")
    assert code == 0, err
    assert f"resumed: {len(kept)} of 5 replications were finished" in err
    assert out.read_bytes() == whole.read_bytes()
    assert not pathlib.Path(f"{out}.parts").exists()


def test_a_comparison_and_a_sweep_resume_to_the_same_bytes(caseload_bin, tmp_path):
    variant = tmp_path / "variant.toml"
    variant.write_text(f'extends = "{SHORT}"\nname = "capped"\n[allocation]\npolicy = "capped"\ncap_percent = 95\n')
    for command, parts in ((["compare", SHORT, variant], 4), (["run", SHORT, "--vary", "seed=1,2"], 4)):
        args = command + ["-r", 3, "-j", 1, "-q"]
        whole, out = tmp_path / "whole.h5", tmp_path / "out.h5"
        assert finish(caseload_bin, args + ["-o", whole], tmp_path)[0] == 0
        kept = kill_after(caseload_bin, args + ["-o", out], tmp_path, out, parts)
        # Parts are named by the run they belong to.
        assert any(name.startswith(("variant-", "value-0001-")) for name in kept), kept
        code, err = finish(caseload_bin, args + ["-o", out, "--resume"], tmp_path)
        assert code == 0, err
        assert out.read_bytes() == whole.read_bytes(), command
        whole.unlink()
        out.unlink()


@pytest.mark.parametrize("damage", ["cut short", "a flipped bit in its records"])
def test_a_damaged_part_is_run_again(caseload_bin, tmp_path, damage):
    whole, out = tmp_path / "whole.h5", tmp_path / "out.h5"
    assert finish(caseload_bin, RUN + ["-o", whole], tmp_path)[0] == 0
    kept = kill_after(caseload_bin, RUN + ["-o", out], tmp_path, out, 2)
    damaged = pathlib.Path(f"{out}.parts") / kept[0]
    if damage == "cut short":  # as by a failing disk
        damaged.write_bytes(damaged.read_bytes()[:5000])
    else:  # not in the figures resume reads back: in records the file would copy as they are
        flip_a_byte_of(damaged, "replication/snapshots/officer_capacity_percent", at=10)
    code, err = finish(caseload_bin, RUN + ["-o", out, "--resume"], tmp_path)
    assert code == 0, err
    assert out.read_bytes() == whole.read_bytes()


def test_parts_are_continued_only_when_asked_and_only_by_the_same_command(caseload_bin, tmp_path):
    out = tmp_path / "out.h5"
    kept = kill_after(caseload_bin, RUN + ["-o", out], tmp_path, out, 1)
    # Without --resume: refused, the work kept.
    code, err = finish(caseload_bin, RUN + ["-o", out], tmp_path)
    assert code == 2 and "--resume" in err and "interrupted run" in err, err
    # Another seed, replications or compression would give another file: refused.
    for changed in (["-s", 9], ["--compress", 0]):
        code, err = finish(caseload_bin, RUN + ["-o", out, "--resume"] + changed, tmp_path)
        assert code == 2 and "replications of another run" in err, err
    assert parts_in(out) == kept
    # --resume needs the output it continues.
    code, err = finish(caseload_bin, RUN + ["--resume"], tmp_path)
    assert code == 2 and "--resume" in err and "-o" in err


def test_resume_with_nothing_interrupted_runs_from_the_start(caseload_bin, tmp_path):
    out = tmp_path / "out.h5"
    code, err = finish(caseload_bin, ["run", SHORT, "-r", 1, "-o", out, "--resume"], tmp_path)
    assert code == 0 and "no interrupted run" in err, err
    with h5py.File(out, "r") as f:
        assert f.attrs["replications"] == 1


def test_a_second_process_writing_the_same_output_is_refused(caseload_bin, tmp_path):
    out = tmp_path / "out.h5"
    first = start(caseload_bin, RUN + ["-o", out], tmp_path)
    try:
        while not (pathlib.Path(f"{out}.parts") / "run.txt").exists():
            assert first.poll() is None
            time.sleep(0.01)
        code, err = finish(caseload_bin, RUN + ["-o", out, "--resume"], tmp_path)
        assert code == 2 and "another caseload process is writing" in err, err
    finally:
        first.kill()
        first.wait()


def max_rss_kb(caseload_bin, args, cwd):
    proc = subprocess.Popen([str(caseload_bin), *map(str, args)], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss


def test_memory_does_not_grow_with_replications(caseload_bin, tmp_path):
    if "asan" in str(caseload_bin):
        pytest.skip("AddressSanitizer keeps freed memory in quarantine; peak memory means nothing there")
    # One Midlands replication's records are about 24 MB (measured: a run that
    # held them grew from 100 MB at -r 2 to 243 MB at -r 8). Held, four more
    # replications would add over 90 MB; handed on, the peak is that of one
    # replication at a time, plus each one's few kB of figures. Allow less than
    # one replication's records for allocator noise. (Two against six: both
    # write parts; a run of one writes straight into its file, with less.)
    two = max_rss_kb(caseload_bin, ["run", MIDLANDS, "-r", 2, "-j", 1, "-q", "-o", tmp_path / "a.h5"], tmp_path)
    six = max_rss_kb(caseload_bin, ["run", MIDLANDS, "-r", 6, "-j", 1, "-q", "-o", tmp_path / "b.h5"], tmp_path)
    assert six - two < 20_000, (two, six)
    bare_two = max_rss_kb(caseload_bin, ["run", MIDLANDS, "-r", 2, "-j", 1, "-q"], tmp_path)
    bare = max_rss_kb(caseload_bin, ["run", MIDLANDS, "-r", 6, "-j", 1, "-q"], tmp_path)
    assert bare - bare_two < 20_000, (bare_two, bare)


def same_group(a, b, path=""):
    """Every member of HDF5 groups a and b, in order, with their attributes and values (NaN equal to NaN)."""
    import numpy as np
    assert list(a.keys()) == list(b.keys()), path
    assert {k: str(v) for k, v in a.attrs.items()} == {k: str(v) for k, v in b.attrs.items()}, path
    for name in a:
        x, y = a[name], b[name]
        if isinstance(x, h5py.Group):
            same_group(x, y, f"{path}/{name}")
            continue
        assert {k: str(v) for k, v in x.attrs.items()} == {k: str(v) for k, v in y.attrs.items()}, name
        u, v = x[()], y[()]
        assert u.shape == v.shape, f"{path}/{name}"
        assert np.array_equal(u, v, equal_nan=u.dtype.kind == "f"), f"{path}/{name}"


def test_one_replication_is_written_straight_into_the_file(caseload_bin, tmp_path):
    # A run of one has nothing an interruption could keep: its replication is
    # written into the output's working file as it runs, with no parts
    # folder, and is the very replication 0 a longer run copies from its part.
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    proc = start(caseload_bin, ["run", SHORT, "-r", 1, "-j", 1, "-q", "-o", one], tmp_path)
    while proc.poll() is None:
        assert not pathlib.Path(f"{one}.parts").exists()
        time.sleep(0.005)
    assert proc.returncode == 0, proc.stderr.read()
    code, err = finish(caseload_bin, ["run", SHORT, "-r", 2, "-j", 1, "-q", "-o", two], tmp_path)
    assert code == 0, err
    with h5py.File(one, "r") as a, h5py.File(two, "r") as b:
        assert a.attrs["replications"] == 1 and b.attrs["replications"] == 2
        same_group(a["replications/0000"], b["replications/0000"], "replications/0000")
        for name in ("ldu_names", "grade_names", "task_kind_names"):
            assert list(a[name][()]) == list(b[name][()])
        assert set(a["summary/replication"][()]) == {0}


@pytest.mark.parametrize("replications", [1, 2])
def test_members_are_listed_in_the_documented_order(caseload_bin, tmp_path, replications):
    # Groups list their members in creation order (docs/hdf5-format.md). The
    # writer makes most of a replication's end, and a run of one its summary
    # and statistics, while the replication runs; the order must still be
    # the documented one: snapshots/'s cells after its officer series, the
    # figures in the order the statistics list them.
    out = tmp_path / "out.h5"
    code, err = finish(caseload_bin, ["run", SHORT, "-r", replications, "-j", 1, "-q", "-o", out], tmp_path)
    assert code == 0, err
    with h5py.File(out, "r") as f:
        stats = f["statistics"]
        assert list(stats) == ["ldu", "figure", "units", "n", "mean", "half_width", "ci_low", "ci_high"]
        first_row = stats["ldu"][()] == stats["ldu"][0]
        figures = [name.decode() for name in stats["figure"][()][first_row]]
        assert len(figures) > 90
        assert list(f["summary"]) == ["replication", "ldu", *figures]
        for r in range(replications):
            rep = f[f"replications/{r:04d}"]
            assert list(rep) == ["officers", "snapshots", "imbalance", "tasks", "victims", "summary"]
            snapshots = list(rep["snapshots"])
            assert snapshots[0] == "time_days" and snapshots[-3:] == ["unallocated", "ldu_grade", "division_grade"]
            assert len(snapshots) > 4 and all(name.startswith("officer_") for name in snapshots[1:-3]), snapshots
            assert list(rep["imbalance"]) == ["division", "ldu"]
            assert list(rep["imbalance/division"]) == list(rep["imbalance/ldu"])
            assert list(rep["summary"]) == ["replication", "ldu", *figures]
            assert set(rep["summary/replication"][()]) == {r}


def test_a_killed_run_of_one_replication_leaves_nothing(caseload_bin, tmp_path):
    out = tmp_path / "out.h5"
    proc = start(caseload_bin, ["run", SHORT, "-r", 1, "-j", 1, "-q", "-o", out], tmp_path)
    deadline = time.monotonic() + 600
    while not list(tmp_path.glob("out.h5.tmp-*")):
        assert proc.poll() is None, "the run ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [SHORT]
