"""Finds the input files under a path: workbooks and CSV files, recursively, skipping Excel lock files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..registry import REGISTRY_NAMES

SUFFIXES = (".xlsx", ".xlsm", ".csv")
# Spreadsheets in a format qd274 does not read: named in a note rather than skipped in silence, so that a
# unit whose form was sent as .xls is not simply "without a form". (.et: WPS Spreadsheets.)
UNSUPPORTED = (".xls", ".xlsb", ".ods", ".numbers", ".et", ".xltx", ".xltm")


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str  # relative to the folder read, with forward slashes: how messages name it
    sha256: str
    size: int
    kind: str = "?"  # form | consolidated | registry | unreadable


def discover(root: Path, registry: Path | None) -> tuple[list[Path], set[Path], list[Path]]:
    """(input files in a stable order, files that Excel holds open: a '~$' twin exists beside them,
    spreadsheets in a format that is not read)."""
    if root.is_file():
        return [root], set(), []
    found: list[Path] = []
    other: list[Path] = []
    tails: set[tuple[Path, str]] = set()
    registry_real = registry.resolve() if registry is not None else None  # once, not per file
    for p in sorted(root.rglob("*"), key=lambda q: q.as_posix()):
        if any(part.startswith(".") for part in p.relative_to(root).parts) or not p.is_file():
            continue
        if p.name.startswith("~$"):
            tails.add((p.parent, p.name[2:]))
            continue
        if p.suffix.lower() not in SUFFIXES:
            if p.suffix.lower() in UNSUPPORTED:
                other.append(p)
            continue
        if (registry_real is not None and p.resolve() == registry_real) or \
                (registry is None and p.parent == root and p.name.lower() in REGISTRY_NAMES):
            continue
        found.append(p)
    # Excel's lock file is "~$" + the name, or for long names "~$" over its first two characters.
    locked = {f for f in found for parent, tail in tails if parent == f.parent and f.name.endswith(tail)}
    return found, locked, other


def display_name(path: Path, root: Path) -> str:
    base = root if root.is_dir() else root.parent
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name


def describe(path: Path, root: Path, data: bytes | None, kind: str, name: str | None = None) -> InputFile:
    """The file as the manifest lists it; `data` None: hashed from disk a block at a time (a file too big to read).
    `name`: its display_name, when the caller has it already."""
    name = name if name is not None else display_name(path, root)
    if data is None:
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return InputFile(path, name, digest, path.stat().st_size, kind)
    return InputFile(path, name, hashlib.sha256(data).hexdigest(), len(data), kind)


def default_registry(root: Path) -> Path | None:
    base = root if root.is_dir() else root.parent
    for name in REGISTRY_NAMES:
        if (base / name).is_file():
            return base / name
    return None
