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


def test_a_flipped_bit_in_a_name_is_an_error_not_another_name(caseload, run_file):
    # 1.7: string datasets are fixed-length in checksummed chunks, like numbers.
    with h5py.File(run_file, "r") as f:
        assert f["ldu_names"].fletcher32 and f["ldu_names"].asstr()[0] == "North"
    flip_a_byte_of(run_file, "ldu_names", at=1)
    flip_a_byte_of(run_file, "statistics/ldu", at=1)  # the names `info` prints
    for name in ("ldu_names", "statistics/ldu"):
        with h5py.File(run_file, "r") as f, pytest.raises(OSError):
            f[name][()]
    proc = caseload("info", run_file)
    assert proc.returncode == 2 and "damaged or unreadable caseload file" in proc.stderr, proc.stderr


def heap_damaged_file(path):
    """A caseload-looking file whose variable-length attribute text has lengths far past the
    end of HDF5's global heap: the HDF5 library (h5dump too) crashes reading it."""
    import numpy as np
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "caseload"
        f.attrs["schema_version"] = np.array([1, 7], dtype=np.int64)
        f.attrs["kind"] = "run"
        f.attrs["engine_version"] = "0.1.0"
        f.attrs["created"] = "x" * 100
    data = bytearray(path.read_bytes())
    heap = data.find(b"GCOL")
    assert heap > 0
    # Collection: GCOL, version, 3 reserved, size (8); then objects: index (2), references (2),
    # 4 reserved, size (8), data padded to 8 bytes; index 0 is the free space.
    at = heap + 16
    while int.from_bytes(data[at:at + 2], "little") != 0:
        size = int.from_bytes(data[at + 8:at + 16], "little")
        data[at + 8:at + 16] = (1 << 40).to_bytes(8, "little")
        at += 16 + (size + 7) // 8 * 8
    path.write_bytes(bytes(data))


def test_a_file_that_crashes_the_hdf5_library_is_exit_2_not_a_crash(caseload, tmp_path):
    crafted = tmp_path / "crafted.h5"
    heap_damaged_file(crafted)
    proc = caseload("info", crafted)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "the HDF5 library failed reading it" in proc.stderr and proc.stdout == ""
