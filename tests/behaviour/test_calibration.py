"""docs/calibration.md is regenerated from a baseline run: it must match the model as built."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_calibration_page_is_current(caseload_bin):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "calibrate"), "--check", "--binary",
                           str(caseload_bin)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
