"""The two things the engine's command line gives the web app: `caseload serve` (which execs
Debian's python3 on the package, or says why it cannot) and `caseload validate --resolved`."""

from __future__ import annotations

import os
import subprocess
import tomllib

from conftest import DATA, MIDLANDS


def run(binary, *args, env=None):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=env)


def test_validate_resolved_prints_the_scenario_with_its_base_and_defaults(caseload_bin):
    variant = MIDLANDS.with_name("midlands-2018-po-vacancy-25.toml")
    proc = run(caseload_bin, "validate", "--resolved", variant)
    assert proc.returncode == 0, proc.stderr
    doc = tomllib.loads(proc.stdout)
    assert doc["name"] == "midlands-2018-po-vacancy-25" and "extends" not in doc and "overrides" not in doc
    birmingham = doc["ldu"][0]
    assert birmingham["name"] == "Birmingham"
    assert birmingham["staff"]["PO"]["establishment"] == 73
    assert birmingham["staff"]["PO"]["in_post"] == 55  # 73 x 0.75 = 54.75, from the override
    assert doc["allocation"]["policy"] == "least_loaded" and "tasks" in doc  # defaults filled in


def test_validate_resolved_refuses_an_invalid_scenario_as_validate_does(caseload_bin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "two-ldu.toml").read_text().replace("establishment = 8", "establishment = -8"))
    proc = run(caseload_bin, "validate", "--resolved", bad)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"{bad}:21:" in proc.stderr and "out of range" in proc.stderr


def test_serve_says_why_it_cannot_start(caseload_bin, tmp_path):
    env = dict(os.environ, CASELOAD_PYTHON=str(tmp_path / "no-python"))
    proc = run(caseload_bin, "serve", "--port", "8099", env=env)
    assert proc.returncode == 1
    assert f"cannot start the web app with {tmp_path / 'no-python'}: No such file or directory" in proc.stderr


def test_serve_checks_its_options(caseload_bin, tmp_path):
    for args in (["--port", "0"], ["--port", "70000"], ["--max-queued", "-1"], ["--bogus"]):
        proc = run(caseload_bin, "serve", *args)
        assert proc.returncode == 2 and "caseload: error:" in proc.stderr, args
    proc = run(caseload_bin, "serve", "--scenarios", tmp_path / "missing", "--results", tmp_path / "r")
    assert proc.returncode == 2 and "--scenarios: no folder" in proc.stderr
    assert "serve" in run(caseload_bin, "--help").stdout
    proc = run(caseload_bin, "serv")
    assert proc.returncode == 2 and "validate, info or serve" in proc.stderr


def test_serve_says_when_its_port_is_taken(caseload_bin, folders):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run(caseload_bin, "serve", "--port", port, "--scenarios", folders[0], "--results", folders[1])
    assert proc.returncode == 1
    assert f"caseload: error: cannot listen on 127.0.0.1:{port}: Address already in use" in proc.stderr
    assert "Traceback" not in proc.stderr
