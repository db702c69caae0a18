"""Runs over HTTP: the queue and its limit, cancelling a running and a queued run (the engine's
process ends), user text that would mean something to a shell staying inert, and results that
outlive the app."""

from __future__ import annotations

import json
import pathlib
import re
import time

from conftest import Client

WHATIF = {"ldu-0-PO-in_post": "6", "action": "run", "timeline-count": "0"}


def submit(client: Client, base: str, name: str, **fields) -> tuple[int, str]:
    """(status, the job's id or the page) of "Check and run"."""
    token = client.token(f"/scenarios/{base}")
    status, headers, body = client.post(f"/scenarios/{base}/whatif", {"name": name, **WHATIF, **fields}, token)
    if status == 303:
        return status, headers["Location"].rsplit("/", 1)[1]
    return status, body.decode()


def status_of(client: Client, job_id: str) -> dict:
    status, _, body = client.get(f"/jobs/{job_id}/status")
    assert status == 200
    return json.loads(body)


def wait_for(client: Client, job_id: str, wanted, timeout: float = 120) -> dict:
    end = time.monotonic() + timeout
    while True:
        s = status_of(client, job_id)
        if s["status"] in wanted:
            return s
        assert time.monotonic() < end, f"{job_id} still {s['status']} ({s['phase']}) after {timeout} s"
        assert s["status"] not in ("failed", "cancelled", "interrupted"), s
        time.sleep(0.2)


def engine_processes(folder: pathlib.Path) -> list[int]:
    """Processes whose command line names the folder (the engine runs of these tests)."""
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if str(folder).encode() in cmdline and b"compare" in cmdline:
                found.append(int(proc.name))
    return found


def cancel(client: Client, job_id: str) -> int:
    token = client.token(f"/jobs/{job_id}")
    return client.post(f"/jobs/{job_id}/cancel", {}, token)[0]


def test_runs_queue_behind_each_other_up_to_a_limit_and_cancel(serve, folders):
    server = serve("--max-queued", "1")
    client = Client(server.url)
    # Fifty replications of the Midlands baseline: minutes, long enough to find it running.
    status, first = submit(client, "midlands-2018.toml", "long run", replications="50")
    assert status == 303
    running = wait_for(client, first, ("running",), timeout=30)
    assert running["position"] is None
    status, second = submit(client, "two-ldu.toml", "waits")
    assert status == 303
    assert status_of(client, second)["status"] == "queued" and status_of(client, second)["position"] == 1
    status, page = submit(client, "two-ldu.toml", "one too many")
    assert status == 429 and "already waiting (at most 1)" in page
    assert sorted(p.name for p in server.results.iterdir()) == sorted([first, second])

    # Cancelling the queued run takes it out of the queue; cancelling the running one ends the engine.
    assert cancel(client, second) == 303
    assert status_of(client, second)["status"] == "cancelled"
    wait_for(client, first, ("running",))
    assert engine_processes(server.results)
    assert cancel(client, first) == 303
    assert wait_for(client, first, ("cancelled",), timeout=30)["status"] == "cancelled"
    end = time.monotonic() + 10
    while engine_processes(server.results) and time.monotonic() < end:
        time.sleep(0.1)
    assert not engine_processes(server.results)
    assert not (server.results / first / "comparison.h5").exists()

    # With the queue free again, a run goes through.
    status, third = submit(client, "two-ldu.toml", "after the cancel")
    assert status == 303
    assert wait_for(client, third, ("done",))["result"] == f"/results/{third}"


def test_text_a_shell_would_run_stays_inert(client, server, tmp_path):
    marks = [tmp_path / f"mark{i}" for i in range(4)]
    name = (f"x; touch {marks[0]}; $(touch {marks[1]}) `touch {marks[2]}` | touch {marks[3]} "
            "&& echo ${HOME} > /dev/null")[:80]
    status, job_id = submit(client, "two-ldu.toml", name)
    assert status == 303, job_id
    done = wait_for(client, job_id, ("done",))
    assert done["title"] == name
    folder = server.results / job_id
    assert re.fullmatch(r"\d{8}-\d{6}-[a-z0-9-]+", job_id)
    argv = json.loads((folder / "job.json").read_text())["argv"]
    assert argv[1:4] == ["compare", "two-ldu.toml", done["files"]["toml"]]
    assert re.fullmatch(r"[a-z0-9-]+\.toml", done["files"]["toml"])
    assert f"name = {json.dumps(name)}" in (folder / done["files"]["toml"]).read_text()
    token = client.token()
    upload = client.upload("/scenarios/upload", f"$(touch {marks[0]});`touch {marks[1]}`.toml",
                           (server.scenarios / "two-ldu.toml").read_bytes(), token)
    assert upload[0] == 303
    assert not any(m.exists() for m in marks)


def test_no_shell_in_the_app_or_the_serve_command():
    root = pathlib.Path(__file__).resolve().parents[2]
    python = "\n".join(p.read_text() for p in (root / "analysis" / "caseload" / "web").glob("*.py"))
    assert "shell=True" not in python and "os.system" not in python and "os.popen" not in python
    assert python.count("shell=False") >= 3  # every subprocess call says so
    serve_cpp = (root / "engine" / "cli" / "serve.cpp").read_text()
    assert "execv(" in serve_cpp and "system(" not in serve_cpp and "popen(" not in serve_cpp


def test_results_outlive_the_app(serve, folders):
    server = serve()
    client = Client(server.url)
    status, job_id = submit(client, "two-ldu.toml", "kept")
    wait_for(client, job_id, ("done",))
    server.stop()
    again = serve()
    client = Client(again.url)
    status, _, body = client.get("/results")
    assert status == 200 and job_id.encode() in body
    status, _, body = client.get(f"/results/{job_id}")
    assert status == 200 and b"Caseload comparison" in body and b'id="result-bar"' in body
    for kind in ("h5", "xlsx", "toml", "html"):
        assert client.get(f"/results/{job_id}/download/{kind}")[0] == 200
    assert client.get(f"/results/{job_id}/download/exe")[0] == 404


def test_the_loaders_warnings_go_beside_their_control_and_do_not_stop_it(client, server):
    token = client.token("/scenarios/two-ldu.toml")
    status, _, body = client.post("/scenarios/two-ldu.toml/whatif", {
        "name": "too many leave", "action": "validate", "timeline-count": "1", "timeline-0-date": "2020-03-01",
        "timeline-0-what": "staff_count", "timeline-0-ldu": "North", "timeline-0-grade": "PO",
        "timeline-0-value": "-20"}, token)
    assert status == 200
    warning = re.search(r'<span class="msg warning" data-for="timeline-0-value">([^<]*)</span>', body.decode())
    assert warning and "removes more PO staff than are in post in North (7)" in warning.group(1)
    assert (server.scenarios / "too-many-leave.toml").is_file()


def test_stopping_the_app_ends_the_run_going(serve, folders):
    server = serve()
    client = Client(server.url)
    status, job_id = submit(client, "midlands-2018.toml", "outlived", replications="50")
    wait_for(client, job_id, ("running",), timeout=30)
    assert engine_processes(server.results)
    server.stop()
    end = time.monotonic() + 10
    while engine_processes(server.results) and time.monotonic() < end:
        time.sleep(0.1)
    assert not engine_processes(server.results)
    again = Client(serve().url)
    assert status_of(again, job_id)["status"] == "interrupted"
