"""The `caseload` binary, as the app calls it: always an argument list, never a shell.

`validate` checks a scenario file and gives the loader's messages, each with
the file, line and column it names; `resolved` gives a scenario with its
`extends` and `[overrides]` applied and every default filled in, read from
`caseload validate --resolved`.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import subprocess
import tomllib

VALIDATE_TIMEOUT = 120  # seconds: the loader reads snapshot files of up to 256 MiB

_POSITIONED = re.compile(r"^(?:caseload: (?P<warning>warning): )?(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): "
                         r"(?:error: )?(?P<text>.*)$")
_UNPOSITIONED = re.compile(r"^(?:caseload: (?P<warning>warning): )?(?:(?P<file>.+?): )?(?:error: )?(?P<text>.*)$")


@dataclasses.dataclass
class Message:
    """One message of the loader: an error (the file is refused) or a warning."""
    text: str
    warning: bool = False
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        return where + self.text


def parse_messages(stderr: str) -> list[Message]:
    """The loader's messages on stderr, one a line (`FILE:LINE:COL: error: WHAT`,
    `caseload: warning: FILE:LINE:COL: WHAT`, `FILE: error: WHAT`)."""
    out = []
    for line in stderr.splitlines():
        line = line.rstrip()
        if not line:
            continue
        m = _POSITIONED.match(line)
        if m:
            out.append(Message(m["text"], bool(m["warning"]), m["file"], int(m["line"]), int(m["column"])))
            continue
        m = _UNPOSITIONED.match(line)
        out.append(Message(m["text"] if m else line, bool(m and m["warning"]), m["file"] if m else None))
    return out


class EngineError(RuntimeError):
    """The binary could not be run, or failed in a way that is not a verdict on the file."""


class Engine:
    def __init__(self, binary: pathlib.Path):
        self.binary = pathlib.Path(binary)

    def validate(self, path: pathlib.Path) -> tuple[bool, list[Message]]:
        """(valid, the loader's messages: errors and warnings) for a scenario file."""
        proc = self._call(["validate", str(path)])
        if proc.returncode not in (0, 2):
            raise EngineError(f"caseload validate exited {proc.returncode}: {proc.stderr.strip()}")
        return proc.returncode == 0, parse_messages(proc.stderr)

    def resolved(self, path: pathlib.Path) -> dict:
        """The scenario with every default, as a dict (tomllib: dates as datetime.date)."""
        proc = self._call(["validate", "--resolved", str(path)])
        if proc.returncode != 0:
            messages = [m for m in parse_messages(proc.stderr) if not m.warning]
            raise EngineError("; ".join(str(m) for m in messages) or f"exit {proc.returncode}")
        return tomllib.loads(proc.stdout)

    def _call(self, args: list[str]) -> subprocess.CompletedProcess:
        try:
            return subprocess.run([str(self.binary), *args], capture_output=True, text=True,
                                  timeout=VALIDATE_TIMEOUT, shell=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise EngineError(f"cannot run {self.binary}: {e}") from e
