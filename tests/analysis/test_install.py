"""analysis/ is an installable package: in a virtual environment that sees Debian's
packages (--system-site-packages), `pip install --no-index --no-build-isolation ./analysis`
works offline and gives `import caseload` from any folder and the caseload-report and
caseload-export commands."""
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ANALYSIS = pathlib.Path(__file__).resolve().parents[2] / "analysis"


def run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment with the package installed from a copy of analysis/
    (so the build leaves nothing in the worktree): (its bin folder, a clean environment)."""
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        pytest.skip("the venv module (with ensurepip) is missing: apt-get install python3-venv")
    d = tmp_path_factory.mktemp("install")
    source = d / "analysis"
    shutil.copytree(ANALYSIS, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    # Nothing from the caller's Python or pip settings: no PYTHONPATH to the worktree,
    # no pip configuration (an index, find-links).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    made = run(sys.executable, "-m", "venv", "--system-site-packages", d / "venv", env=env)
    assert made.returncode == 0, made.stderr
    bin_dir = d / "venv" / "bin"
    installed = run(bin_dir / "pip", "install", "--no-index", "--no-build-isolation", "--no-cache-dir",
                    "--disable-pip-version-check", source, env=env, cwd=d)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Successfully installed caseload-" in installed.stdout
    return bin_dir, env


def test_import_caseload_from_another_folder(venv, tmp_path):
    bin_dir, env = venv
    result = run(bin_dir / "python", "-c",
                 "import caseload, pathlib; print(pathlib.Path(caseload.__file__).resolve()); "
                 "print(caseload.__version__)", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    where, version = result.stdout.split()
    assert pathlib.Path(where).is_relative_to(bin_dir.parent.resolve())  # the installed copy
    assert not pathlib.Path(where).is_relative_to(ANALYSIS)
    assert version == "0.1.0"


def test_the_web_app_is_installed_with_its_pages(venv, tmp_path):
    bin_dir, env = venv
    result = run(bin_dir / "python", "-c",
                 "import caseload.web, pathlib; p = pathlib.Path(caseload.web.__file__).parent; "
                 "print(sorted(f.name for f in (p / 'templates').iterdir())); "
                 "print(sorted(f.name for f in (p / 'static').iterdir()))", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    templates, static = result.stdout.splitlines()
    assert "'scenario.html'" in templates and "'job.html'" in templates
    assert static == "['app.css', 'app.js']"


def test_the_commands(venv, tmp_path, files):
    bin_dir, env = venv
    result = run(bin_dir / "caseload-report", "--help", env=env, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("usage: caseload-report")
    assert "self-contained HTML report" in result.stdout
    # The same main as python3 -m caseload report: a missing file is exit 2.
    result = run(bin_dir / "caseload-report", tmp_path / "missing.h5", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "caseload: error:" in result.stderr

    result = run(bin_dir / "caseload-export", files["run"], "--csv", tmp_path / "tables", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["about.csv", "by_ldu.csv",
                                                                       "statistics.csv"]
