"""Fixtures for the end-to-end tests of the `caseload` command line.

The binary under test comes from the environment variable CASELOAD_BIN (set by
the test runner); only when it is unset do we fall back to the CI build.
"""

import os
import pathlib
import subprocess

import pytest

DEFAULT_BIN = "/work/main/build/ci/caseload"
TIMEOUT_SECONDS = 30


@pytest.fixture(scope="session")
def caseload_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("CASELOAD_BIN") or DEFAULT_BIN)
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"caseload binary not found or not executable: {path} "
                    "(set CASELOAD_BIN to the binary under test)")
    return path


@pytest.fixture
def caseload(caseload_bin, tmp_path):
    """Runs the binary with the given arguments in tmp_path; never waits more than 30 s."""

    def run(*args, cwd=None):
        argv = [str(caseload_bin), *(str(a) for a in args)]
        try:
            return subprocess.run(argv, cwd=cwd or tmp_path, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, errors="replace",
                                  timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"hang: {' '.join(argv)} did not exit within {TIMEOUT_SECONDS} s")

    return run
