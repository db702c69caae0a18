"""Names the app accepts for scenario files and results, and the paths they may stand for.

Every name that comes in a request goes through here: it must be a plain file
name of letters, digits, `.`, `_` and `-` (no `/`, no `..`, no leading dot),
and the path it names must be a regular file (or, for results, a folder) that
is no symlink and lies directly in its folder. Anything else is "not found",
so that a request cannot tell what lies outside the folders.
"""

from __future__ import annotations

import pathlib
import re

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
MAX_NAME = 80


class NotAllowed(LookupError):
    """A name that is not a plain name in its folder, or a path outside it."""


def plain_name(name: str) -> str:
    """`name` if it is a plain file name (at most 80 characters), else NotAllowed."""
    if not isinstance(name, str) or len(name) > MAX_NAME or not NAME.fullmatch(name):
        raise NotAllowed(name)
    return name


def inside(folder: pathlib.Path, name: str, *, kind: str = "file") -> pathlib.Path:
    """The path of `name` directly in `folder`: a regular file (kind "file") or folder (kind "dir")
    that is not a symlink and resolves inside `folder`. NotAllowed otherwise (also if missing)."""
    path = folder / plain_name(name)
    if path.is_symlink():
        raise NotAllowed(name)
    exists = path.is_file() if kind == "file" else path.is_dir()
    if not exists or path.resolve().parent != folder.resolve():
        raise NotAllowed(name)
    return path


def new_path(folder: pathlib.Path, name: str) -> pathlib.Path:
    """The path a new file `name` would take directly in `folder` (it may exist; it must not be a
    symlink)."""
    path = folder / plain_name(name)
    if path.is_symlink() or path.resolve().parent != folder.resolve():
        raise NotAllowed(name)
    return path


def slug(text: str, fallback: str = "what-if") -> str:
    """A plain name made from free text: `Cut POs (Birmingham)` → `cut-pos-birmingham`."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return out or fallback


def scenario_files(folder: pathlib.Path) -> list[str]:
    """The scenario files offered as bases: *.toml directly in the folder, no symlinks, no hidden files."""
    out = []
    for p in sorted(folder.glob("*.toml")):
        try:
            inside(folder, p.name)
        except NotAllowed:
            continue
        out.append(p.name)
    return out
