"""File names built from input text (unit codes, names) that can never leave the output folder."""

from __future__ import annotations

import re
from pathlib import Path

from .names import fold_accents

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_name(text: str, fallback: str = "don_vi") -> str:
    """ASCII letters, digits, '.', '_', '-' only; no leading dot; not a Windows device name; ≤ 80 characters."""
    name = _UNSAFE.sub("_", fold_accents(text)).strip("._-")[:80]
    if not name or name.lower() in _RESERVED:
        name = f"{fallback}_{name}" if name else fallback
    return name


def inside(base: Path, *parts: str) -> Path:
    """base / parts, refusing any result that resolves outside base (a belt to safe_name's braces)."""
    target = base.joinpath(*parts).resolve()
    if not target.is_relative_to(base.resolve()):
        raise ValueError(f"đường dẫn {target} nằm ngoài thư mục {base}")
    return target
