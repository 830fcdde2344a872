"""File names built from input text (unit codes, names) that can never leave the output folder."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from .names import fold_accents
from .readers.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Windows devices: the name alone, or followed by any extension («com1.txt», «nul.tar.gz»), opens the device.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_MAX_CHARS = 80


def safe_name(text: str, fallback: str = "don_vi") -> str:
    """ASCII letters, digits, '.', '_', '-' only; no leading dot; no trailing dot (Windows drops it, so two names
    would meet); no Windows device name as the part before the first dot; ≤ 80 characters (+ the fallback)."""
    # stripped after the cut too: cutting «…ab.cd» at a dot would leave a name ending in one
    name = _UNSAFE.sub("_", fold_accents(text)).strip("._-")[:_MAX_CHARS].strip("._-")
    if not name or name.split(".", 1)[0].lower() in _RESERVED:
        name = f"{fallback}_{name}" if name else fallback
    return name


def real_path(path: Path) -> Path:
    """The absolute path with every link followed as far as it leads. Path.resolve raises RuntimeError on a loop
    of links (a → b → a; OSError from Python 3.13): a crash for a mere comparison of paths. Opening such a path
    later fails with ELOOP, reported like any unreadable file."""
    return Path(os.path.realpath(path))


def inside(base: Path, *parts: str) -> Path:
    """base / parts, refusing any result that resolves outside base (a belt to safe_name's braces)."""
    target = real_path(base.joinpath(*parts))
    if not target.is_relative_to(real_path(base)):
        raise ValueError(f"đường dẫn {target} nằm ngoài thư mục {base}")
    return target


def unique_paths(out: Path, items: Sequence[tuple[str, str]], suffix: str = ".xlsx") -> list[Path]:
    """One file per (subject, code), in order: `out/<safe subject>/<safe code><suffix>`, inside `out`.

    Codes that safe_name folds to one name («X 01», «X_01», «X/01»; «Đ01», «D01»), or to names differing only
    in case («dup», «DUP»: one file on Windows and macOS), would overwrite each other. No two paths returned are
    equal compared case-insensitively: every unit whose plain name no earlier unit took keeps it (a unit coded
    «X_01_2» too); each later one gets the first free `<name>_2`, `<name>_3`… The same items give the same paths.
    """
    plain = [(safe_name(subject), safe_name(code)) for subject, code in items]
    taken: set[str] = set()
    chosen: list[tuple[str, str] | None] = []
    for folder, stem in plain:  # first pass: plain names, first come first served
        key = f"{folder}/{stem}{suffix}".casefold()
        chosen.append(None if key in taken else (folder, stem))
        taken.add(key)
    for n, (folder, stem) in enumerate(plain):  # second pass: the rest get a suffix no plain name uses
        if chosen[n] is None:
            k = 2
            while f"{folder}/{stem}_{k}{suffix}".casefold() in taken:
                k += 1
            taken.add(f"{folder}/{stem}_{k}{suffix}".casefold())
            chosen[n] = (folder, f"{stem}_{k}")
    return [inside(out, folder, f"{stem}{suffix}") for folder, stem in (c for c in chosen if c is not None)]


def name_clashes(out: Path, items: Sequence[tuple[str, str]], paths: Sequence[Path]) -> list[str]:
    """One Vietnamese line per file name that several codes folded to (`paths`: unique_paths(out, items)),
    naming each code and the file it got, for the user to know which file is whose; [] when none shared."""
    groups: dict[str, list[tuple[str, Path]]] = {}
    for (subject, code), path in zip(items, paths, strict=True):
        key = f"{safe_name(subject)}/{safe_name(code)}".casefold()
        groups.setdefault(key, []).append((code, path))
    base = real_path(out)
    lines = []
    for group in groups.values():
        if len(group) > 1:
            shared = group[0][1].relative_to(base).as_posix()
            who = "; ".join(f"mã {quote(code)} → {path.relative_to(base).as_posix()}" for code, path in group)
            lines.append(f"Các mã đơn vị {', '.join(quote(c) for c, _ in group)} cho cùng một tên tệp «{shared}» "
                         f"(tên tệp chỉ giữ chữ không dấu, số, «.», «_», «-» và không phân biệt hoa thường): {who}. "
                         "Mã đơn vị ghi trong biểu nên qd274 vẫn đọc đúng từng biểu; chỉ cần gửi đúng tệp cho "
                         "từng đơn vị.")
    return lines


def nearest_existing(path: Path) -> Path:
    """`path` if it exists, else its nearest existing parent: what decides whether a file or folder can be made
    there (under a file, no folder can be)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path
