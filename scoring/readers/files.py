"""Finds the input files under a path: workbooks and CSV files, recursively, skipping Excel lock files."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Location
from ..names import INVISIBLE

SUFFIXES = (".xlsx", ".xlsm", ".csv")
# Spreadsheets in a format qd274 does not read: named in a note rather than skipped in silence, so that a
# unit whose form was sent as .xls is not simply "without a form". (.et: WPS Spreadsheets.)
UNSUPPORTED = (".xls", ".xlsb", ".ods", ".numbers", ".et", ".xltx", ".xltm")
# Excel's "Unicode Text" (UTF-16) and "Text (Tab delimited)" save as .txt: named when one holds a table of ours
# (a readme beside the forms is not), or the units in it would only show as having sent no form.
TEXT_TABLES = (".txt", ".tsv")
# The registry's names in the input folder, in order of precedence when several are there (the CSV first, as it
# always was). Here rather than in registry.py, which imports this module: discover() must know them too.
REGISTRY_NAMES = ("don_vi.csv", "don_vi.xlsx", "don_vi.xlsm")
# A name byte that is not UTF-8 (a zip made on Windows, extracted on Linux) arrives as a lone surrogate
# (surrogateescape); no UTF-8 output can hold one: the JSON printed, the report's workbook. Control and format
# characters (names.INVISIBLE) and line breaks cannot be shown either.
_UNSHOWABLE = re.compile(f"[\ud800-\udfff\t\n\r]|{INVISIBLE.pattern}")


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str  # relative to the folder read, with forward slashes: how messages name it
    sha256: str
    size: int
    kind: str = "?"  # form | consolidated | registry | unreadable


def discover(root: Path, registry: Path | None, report: Callable[[InputError], None] | None = None
             ) -> tuple[list[Path], set[Path], list[Path]]:
    """(input files in a stable order, files that Excel holds open: a '~$' twin exists beside them,
    spreadsheets in a format that is not read). `report` is given an UNREADABLE_FOLDER problem for each folder
    that could not be listed (no permission: a network share), in the same order."""
    if root.is_file():
        return [root], set(), []
    if not root.is_dir():  # a FIFO, a device: never opened (it would block, or never end)
        if root.exists() and report is not None:
            report(_not_a_file(printable(str(root)), "error"))
        return [], set(), []
    found: list[Path] = []
    other: list[Path] = []
    tails: set[tuple[Path, str]] = set()
    unlisted: list[tuple[Path, OSError]] = []
    registry_id = _file_id(registry) if registry is not None else None  # once, not per file
    for p in _walk(root, unlisted):
        # stat() follows a link: a FIFO, a device or a link to /dev/zero is never opened (it would block or
        # never end)
        file_id = _file_id(p)
        if file_id is None:
            # named like an input: say why it is not read (a registry's name: its reader says so, once)
            if report is not None and p.suffix.lower() in SUFFIXES and not is_registry_name(p, root):
                report(_not_a_file(display_name(p, root), "warning"))
            continue
        if p.name.startswith("~$"):
            tails.add((p.parent, p.name[2:]))
            continue
        if p.suffix.lower() not in SUFFIXES:
            if p.suffix.lower() in UNSUPPORTED or (p.suffix.lower() in TEXT_TABLES and looks_like_table(p)):
                other.append(p)
            continue
        # Every registry name at the top is a registry, never data, whichever one is read (read_registry notes
        # the others): a don_vi.xlsx beside don_vi.csv read as a table gives one error per unit.
        if (registry_id is not None and file_id == registry_id) or is_registry_name(p, root):
            continue
        found.append(p)
    # Excel's lock file is "~$" + the name, or for long names "~$" over its first two characters.
    locked = {f for f in found for parent, tail in tails if parent == f.parent and f.name.endswith(tail)}
    if report is not None:
        for folder, exc in sorted(unlisted, key=lambda u: u[0].as_posix()):
            report(_unlisted(folder, root, exc))
    return found, locked, other


def _file_id(path: Path) -> tuple[int, int] | str | None:
    """What tells the regular file `path` names from any other, links followed: (device, inode), from one stat
    (realpath took one per path component), or its real path where the file system gives no inode (0: FAT, some
    network shares); None for anything but a regular file. The registry given by another path or through a
    link is the same file."""
    try:
        st = path.stat()
    except OSError:  # gone, no permission, a dangling link or a loop of them
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(path)


def looks_like_table(path: Path) -> bool:
    """Whether a text file is a table of ours: one of its first lines (in UTF-16 with its byte-order mark, or
    UTF-8) has ma_don_vi or ten_don_vi as a field, not merely in a sentence. A registry's copy (don_vi.txt) is
    no table of units' figures."""
    if path.stem.casefold() == "don_vi":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:  # unreadable: not ours to name
        return False
    from .consolidated import find_header  # what makes a table ours, as for a CSV

    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    lines = head.decode(encoding, errors="ignore").splitlines()
    return find_header([[f.strip('"') for f in re.split("[\t;,]", line)] for line in lines]) is not None


def _walk(root: Path, unlisted: list[tuple[Path, OSError]]) -> list[Path]:
    """Every entry under `root` that is not a folder (nor a link to one), sorted by path, hidden ones (a name
    starting with '.', or inside such a folder) left out; each folder that could not be listed goes to `unlisted`.

    os.walk rather than Path.rglob: rglob drops a folder it may not list without a word, and the units whose
    forms are in it would only show as having no form. Links to folders are not followed (as rglob did not:
    no loop); a link to a file is listed like one."""
    out: list[Path] = []

    def failed(exc: OSError) -> None:
        unlisted.append((Path(exc.filename) if exc.filename is not None else root, exc))

    for top, dirs, names in os.walk(root, onerror=failed):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # never entered: nothing in them is read
        base = Path(top)
        out += [base / n for n in names if not n.startswith(".")]
    out.sort(key=lambda q: q.as_posix())
    return out


def _not_a_file(name: str, severity: str) -> InputError:
    return InputError("NOT_A_REGULAR_FILE", Location(file=name), "không phải tệp thường (FIFO, thiết bị, hoặc liên kết "
                      "tới chỗ không còn tệp): không đọc. Chép biểu vào đây dưới dạng tệp .xlsx hoặc .csv.", severity)


def _unlisted(folder: Path, root: Path, exc: OSError) -> InputError:
    rel = folder.relative_to(root) if folder.is_relative_to(root) else folder
    name = printable(rel.as_posix() if rel.parts else str(root))  # the input folder itself: by its path
    return InputError("UNREADABLE_FOLDER", Location(file=name),
                      f"không mở được thư mục này ({type(exc).__name__}: {exc.strerror or exc}; quyền truy cập, "
                      "hoặc ổ mạng bị ngắt): các biểu trong đó không được đọc, nên đơn vị có biểu ở đây sẽ bị coi là "
                      "chưa nộp biểu. Cấp quyền đọc thư mục (hoặc chép các tệp sang một thư mục khác) rồi chạy lại.")


def printable(text: str) -> str:
    """`text` as it can be shown anywhere: each byte that is not UTF-8 written \\xNN (valid UTF-8 wherever it is
    written, and still one name per file: a U+FFFD for every such byte would give two files the same name,
    showing the byte itself); each control, format or line-break character written \\xNN or \\uNNNN. A file or
    sheet name holding ESC would otherwise reach the terminal raw (\\x1b[2J clears it), a direction override
    would turn the rest of the line around, a line break would split a table row."""
    if text.isprintable():  # C-fast: no surrogate, control, format or line-break character
        return text
    return _UNSHOWABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"



def display_name(path: Path, root: Path) -> str:
    base = root if root.is_dir() else root.parent
    return printable(path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name)


def describe(path: Path, root: Path, data: bytes | None, kind: str, name: str | None = None) -> InputFile:
    """The file as the manifest lists it; `data` None: hashed from disk a block at a time (a file too big to read).
    `name`: its display_name, when the caller has it already."""
    name = name if name is not None else display_name(path, root)
    if data is None:
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return InputFile(path, name, digest, path.stat().st_size, kind)
    return InputFile(path, name, hashlib.sha256(data).hexdigest(), len(data), kind)


def is_registry_name(path: Path, base: Path) -> bool:
    """A registry's name (in any case: a folder from Windows) at the top of `base`."""
    return path.parent == base and path.name.lower() in REGISTRY_NAMES


def registry_candidates(base: Path) -> list[Path]:
    """The registry files at the top of `base`, the one read first: by REGISTRY_NAMES' order, a regular file
    before anything else under such a name (a folder, a FIFO: read_registry refuses it, naming it, rather than
    the registry being missed in silence)."""
    try:
        entries = [p for p in base.iterdir() if p.name.lower() in REGISTRY_NAMES]
    except OSError:  # not a folder, gone, no permission: no registry found here, as before
        return []
    return sorted(entries, key=lambda p: (not _regular(p), REGISTRY_NAMES.index(p.name.lower()), p.name))


def default_registry(root: Path) -> Path | None:
    found = registry_candidates(root if root.is_dir() else root.parent)
    return found[0] if found else None


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False
