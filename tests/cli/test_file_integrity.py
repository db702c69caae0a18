"""Files that prove their integrity (issue 12): every dataset carries a
Fletcher-32 checksum, and `info` answers a damaged, truncated or crafted file
with exit 2 and what is wrong, never a crash or a wrong number."""

import shutil

import h5py
import pytest

from test_experiments import SHORT_BASE


@pytest.fixture
def run_file(caseload, tmp_path):
    scenario = tmp_path / "short.toml"
    scenario.write_text(SHORT_BASE)
    out = tmp_path / "run.h5"
    proc = caseload("run", scenario, "-r", 2, "-q", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_every_dataset_with_data_has_a_checksum(run_file):
    unchecked = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.size > 0 and obj.dtype.kind != "O" and not obj.fletcher32:
            unchecked.append(name)

    with h5py.File(run_file, "r") as f:
        f.visititems(visit)
    assert unchecked == []


def flip_a_byte_of(path, dataset, at=3):
    with h5py.File(path, "r") as f:
        d = f[dataset]
        offset = d.id.get_chunk_info(0).byte_offset
    with open(path, "r+b") as raw:
        raw.seek(offset + at)
        byte = raw.read(1)
        raw.seek(offset + at)
        raw.write(bytes([byte[0] ^ 0x10]))


def test_a_flipped_bit_in_the_data_is_an_error_not_a_number(caseload, run_file):
    flip_a_byte_of(run_file, "statistics/mean")
    with h5py.File(run_file, "r") as f, pytest.raises(OSError):
        f["statistics/mean"][()]
    proc = caseload("info", run_file)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "damaged or unreadable caseload file" in proc.stderr


def test_columns_of_different_lengths_are_refused_not_read_past(caseload, run_file, tmp_path):
    crafted = tmp_path / "crafted.h5"
    shutil.copy(run_file, crafted)
    with h5py.File(crafted, "r+") as f:
        ldu = f["statistics/ldu"][:3]
        del f["statistics/ldu"]
        f["statistics/ldu"] = ldu
    proc = caseload("info", crafted)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "columns of different lengths" in proc.stderr


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9])
def test_a_truncated_file_exits_2(caseload, run_file, tmp_path, keep):
    data = run_file.read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(data[: int(len(data) * keep)])
    proc = caseload("info", cut)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)


def test_a_missing_group_exits_2(caseload, run_file):
    with h5py.File(run_file, "r+") as f:
        del f["statistics"]
    proc = caseload("info", run_file)
    assert proc.returncode == 2 and "damaged" in proc.stderr
