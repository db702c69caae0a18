"""Shared fixtures for the Python test suites (cli/, analysis/)."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def caseload_bin() -> pathlib.Path:
    """The binary under test: $CASELOAD_BIN (set by scripts/test), else the CI build."""
    path = pathlib.Path(os.environ.get("CASELOAD_BIN") or ROOT / "build" / "ci" / "caseload")
    path = path.resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"caseload binary not found or not executable: {path} "
                    "(build it, or set CASELOAD_BIN to the binary under test)")
    return path
