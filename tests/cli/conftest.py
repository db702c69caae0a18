"""Fixtures for the end-to-end tests of the `caseload` command line.

The binary under test comes from the `caseload_bin` fixture in tests/conftest.py.
"""

import pathlib
import subprocess

import pytest

TIMEOUT_SECONDS = 30


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
