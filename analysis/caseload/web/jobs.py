"""Runs of the engine, one at a time, with a bounded queue behind it.

A job is a `caseload compare BASE WHATIF` (or a `caseload staff`) run as an
argument list (never a shell), in its own process group so that cancelling
ends it and its threads at once. The engine draws its progress bar only on a
terminal, so the job gives its stderr a pseudo-terminal and reads the bar
from it (`label [####....] 3/5 replications, ...`). When the run is done the
job writes the report (HTML) and the workbook (xlsx) with this package's own
command line, and the folder of the result holds:

    job.json          what was run, when, how it ended
    <what-if>.toml    the scenario file of the what-if (a copy)
    comparison.h5     (or staffing.h5) the engine's results file
    report.html       the report of it
    tables.xlsx       its tables
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import json
import os
import pathlib
import pty
import re
import signal
import subprocess
import sys
import threading
import time

from .folders import NotAllowed, plain_name

_BAR = re.compile(r"(?P<label>[^\r\n\[]*?)\s*\[[#.]+\]\s+(?P<done>\d+)/(?P<total>\d+) replications")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FINAL = ("done", "failed", "cancelled", "interrupted")
PACKAGE_ROOT = pathlib.Path(__file__).resolve().parents[2]  # the folder holding the caseload package


class QueueFull(RuntimeError):
    """A run is going and as many again wait: try later."""


@dataclasses.dataclass
class Job:
    id: str
    kind: str                 # "compare" or "staff"
    title: str
    base: str                 # scenario file names, in the scenarios folder
    variant: str | None
    argv: list[str]           # the engine's command line, as run (paths relative to the scenarios folder)
    created: str
    status: str = "queued"    # queued, running, reporting, done, failed, cancelled, interrupted
    progress: float = 0.0     # 0 … 1
    phase: str = "waiting for the run before it"
    message: str = ""         # how it ended, in words (the engine's error for a failed run)
    output: str = ""          # the engine's summary on stdout
    files: dict = dataclasses.field(default_factory=dict)  # kind → file name in the folder

    @property
    def command(self) -> str:
        """The command line as a planner would type it in the scenarios folder (the output by its
        name in the result's folder), quoted for a shell to read: for showing, never for running."""
        import shlex
        args = ["caseload", *self.argv[1:]]
        for i, arg in enumerate(args[:-1]):
            if arg == "-o":
                args[i + 1] = pathlib.Path(args[i + 1]).name
        return shlex.join(args)

    def public(self) -> dict:
        return {k: getattr(self, k) for k in ("id", "kind", "title", "base", "variant", "created", "status",
                                               "progress", "phase", "message", "files")}


class Runner:
    def __init__(self, binary: pathlib.Path, scenarios: pathlib.Path, results: pathlib.Path,
                 max_queued: int = 3, python: str = sys.executable):
        self.binary, self.scenarios, self.results = pathlib.Path(binary), scenarios, results
        self.max_queued, self.python = max_queued, python
        self.jobs: dict[str, Job] = {}
        self._queue: collections.deque[str] = collections.deque()
        self._lock = threading.Condition()
        self._proc: subprocess.Popen | None = None
        self._cancelled: set[str] = set()
        self._load_earlier()
        threading.Thread(target=self._work, name="caseload-runner", daemon=True).start()

    # ------------------------------------------------------------------ requests

    def folder(self, job_id: str) -> pathlib.Path:
        from .folders import inside
        return inside(self.results, job_id, kind="dir")

    def new_folder(self, title: str) -> tuple[str, pathlib.Path]:
        from .folders import slug
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            job_id = f"{stamp}-{slug(title)}" + (f"-{n}" if n else "")
            path = self.results / job_id
            try:
                path.mkdir()
                return job_id, path
            except FileExistsError:
                continue
        raise RuntimeError("cannot make a results folder")

    def check_room(self) -> None:
        with self._lock:
            if len(self._queue) >= self.max_queued:
                raise QueueFull(f"{len(self._queue)} runs are already waiting (at most {self.max_queued}): "
                                "wait for one to finish, or cancel one")

    def submit(self, job: Job) -> Job:
        with self._lock:
            if len(self._queue) >= self.max_queued:
                raise QueueFull(f"{len(self._queue)} runs are already waiting (at most {self.max_queued})")
            self.jobs[job.id] = job
            self._queue.append(job.id)
            self._save(job)
            self._lock.notify_all()
        return job

    def cancel(self, job_id: str) -> bool:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.status in FINAL or job.status == "reporting":
                return False  # finished, or only its report is left to write
            self._cancelled.add(job_id)
            if job_id in self._queue:
                self._queue.remove(job_id)
                self._finish(job, "cancelled", "cancelled before it started")
            elif self._proc is not None:
                try:
                    os.killpg(self._proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            return True

    def stop(self) -> None:
        """End the run going, if any (the app is stopping): its job is then interrupted."""
        with self._lock:
            if self._proc is not None:
                try:
                    os.killpg(self._proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def listing(self) -> list[Job]:
        with self._lock:
            return sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)

    def position(self, job_id: str) -> int | None:
        with self._lock:
            return list(self._queue).index(job_id) + 1 if job_id in self._queue else None

    # ------------------------------------------------------------------ the worker

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                job = self.jobs[self._queue.popleft()]
                job.status, job.phase = "running", "starting"
                self._save(job)
            try:
                self._run(job)
            except Exception as e:  # noqa: BLE001 (the worker must live on)
                with self._lock:
                    self._finish(job, "failed", f"the app failed: {e}")

    def _run(self, job: Job) -> None:
        folder = self.results / job.id
        env = dict(os.environ, LC_ALL="C.UTF-8", COLUMNS="200")
        master, slave = pty.openpty()
        with self._lock:
            if job.id in self._cancelled:
                os.close(master), os.close(slave)
                self._finish(job, "cancelled", "cancelled")
                return
            try:
                self._proc = subprocess.Popen(job.argv, cwd=self.scenarios, stdin=subprocess.DEVNULL,
                                              stdout=subprocess.PIPE, stderr=slave, env=env,
                                              start_new_session=True, shell=False)
            except OSError:
                os.close(master), os.close(slave)
                raise
        os.close(slave)
        stdout: list[bytes] = []
        reader = threading.Thread(target=lambda: stdout.append(self._proc.stdout.read()), daemon=True)
        reader.start()
        errors = self._follow(job, master)
        rc = self._proc.wait()
        reader.join()
        os.close(master)
        with self._lock:
            self._proc = None
            job.output = b"".join(stdout).decode("utf-8", "replace")
            if job.id in self._cancelled:
                self._finish(job, "cancelled", "cancelled while running")
                return
        out = folder / job.files["h5"]
        written = rc in (0, 1) and out.is_file()
        if not written:
            text = [line for line in errors if "warning:" not in line] or errors or [f"exit code {rc}"]
            with self._lock:
                self._finish(job, "failed", "\n".join(text[-5:]))
            return
        with self._lock:
            job.status, job.phase, job.progress = "reporting", "writing the report and the workbook", 0.92
            self._save(job)
        report = self._package(["report", str(out), "-o", str(folder / "report.html")])
        workbook = self._package(["export", str(out), "--xlsx", str(folder / "tables.xlsx")])
        with self._lock:
            if report.returncode == 0:
                job.files["report"] = "report.html"
            if workbook.returncode == 0:
                job.files["xlsx"] = "tables.xlsx"
            notes = [line for line in errors if "warning:" in line]  # the engine's, as on a terminal
            if report.returncode != 0:
                notes.append(f"the report could not be written: {report.stderr.strip()}")
            if job.kind == "staff" and rc == 1:
                notes.append("No plan found meets every target: the report shows the best.")
            self._finish(job, "done", "\n".join(notes))

    def _follow(self, job: Job, master: int) -> list[str]:
        """Read the engine's stderr (a terminal) until it closes: update the progress from its bar;
        return its other lines (warnings and errors)."""
        pending, lines, runs_done = "", [], 0
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            pending += _ANSI.sub("", chunk.decode("utf-8", "replace"))
            *parts, pending = re.split(r"[\r\n]", pending)
            for part in parts:
                m = _BAR.search(part)
                if m:
                    done, total = int(m["done"]), int(m["total"])
                    label = m["label"].strip()
                    if done == total:
                        runs_done += 1
                    with self._lock:
                        self._progress(job, label, done, total, runs_done)
                elif part.strip():
                    lines.append(part.strip())
        if pending.strip() and not _BAR.search(pending):
            lines.append(pending.strip())
        return lines

    def _progress(self, job: Job, label: str, done: int, total: int, runs_done: int) -> None:
        if job.kind == "compare":
            phase = 1 if label.startswith("variant") else 0
            job.progress = 0.9 * (phase * total + done) / (2 * total)
            job.phase = f"{'what-if' if phase else 'base'}: {done} of {total} replications"
        else:  # the staffing search: an unknown number of candidate plans
            job.progress = min(0.9, 0.9 * (1 - 0.93 ** runs_done))
            job.phase = f"{label or 'searching'}: {done} of {total} replications ({runs_done} runs done)"

    def _package(self, args: list[str]) -> subprocess.CompletedProcess:
        env = dict(os.environ, MPLBACKEND="Agg")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
        return subprocess.run([self.python, "-m", "caseload", *args], capture_output=True, text=True,
                              env=env, stdin=subprocess.DEVNULL, timeout=900, shell=False)

    # ------------------------------------------------------------------ state on disk

    def _finish(self, job: Job, status: str, message: str) -> None:
        job.status, job.message = status, message
        job.phase = {"done": "done", "failed": "failed", "cancelled": "cancelled"}.get(status, status)
        if status == "done":
            job.progress = 1.0
        self._cancelled.discard(job.id)
        self._save(job)

    def _save(self, job: Job) -> None:
        folder = self.results / job.id
        tmp = folder / ".job.json.tmp"
        tmp.write_text(json.dumps({**job.public(), "argv": job.argv, "output": job.output}, indent=1),
                       encoding="utf-8")
        tmp.replace(folder / "job.json")

    def _load_earlier(self) -> None:
        for folder in sorted(self.results.iterdir()):
            try:
                plain_name(folder.name)
            except NotAllowed:
                continue
            if folder.is_symlink() or not folder.is_dir() or not (folder / "job.json").is_file():
                continue
            try:
                data = json.loads((folder / "job.json").read_text(encoding="utf-8"))
                fields = {f.name for f in dataclasses.fields(Job)}
                job = Job(**{k: v for k, v in data.items() if k in fields})
            except (OSError, ValueError, TypeError):
                continue
            if job.id != folder.name:
                continue
            if job.status not in FINAL:
                job.status, job.message = "interrupted", "the app stopped while this run was going"
                self._save(job)
            self.jobs[job.id] = job


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_until(predicate, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
