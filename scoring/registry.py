"""The unit registry (don_vi.csv / .xlsx): codes, names, subject types, aliases; name matching with hints.

The registry is an input like any other, read as the readers read theirs: a workbook passes the same check
before calamine opens it (readers/package.py), a CSV the same reader as a consolidated sheet's, and a cell
the same parsing (a code typed as the number 101 is "101").
"""

from __future__ import annotations

import difflib
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, Location, one_of
from .names import clean, fold_accents, match_key
from .readers.consolidated import find_header, read_csv_rows
from .readers.files import REGISTRY_NAMES as REGISTRY_NAMES  # defined with discover(), which needs them too
from .readers.files import printable, registry_candidates
from .readers.package import check_workbook, size_problem
from .readers.parse import parse_text, quote

COLUMNS = ("ma_don_vi", "ten_don_vi", "doi_tuong", "ten_khac")
# calamine picks its reader by the file's extension: only the xlsx reader is the one the package check models.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
KIND = "danh sách đơn vị"
# The header is looked for in the first rows, as a consolidated sheet's is (readers/consolidated.py): a title line
# or a blank line above it is common in a list typed by hand.
HEADER_SCAN = 10


@dataclass(frozen=True)
class RegisteredUnit:
    code: str
    name: str
    subject: str
    aliases: tuple[str, ...] = ()


@dataclass
class Registry:
    units: list[RegisteredUnit] = field(default_factory=list)
    source: str | None = None

    def __post_init__(self) -> None:
        self._by_code = {u.code: u for u in self.units}
        self._by_key: dict[str, list[RegisteredUnit]] = {}
        # suggest()'s keys, folded once: (unit, its name's folded key, the folded keys of its name and aliases)
        self._folded: list[tuple[RegisteredUnit, str, set[str]]] = []
        for u in self.units:
            keys = [match_key(name) for name in (u.name, *u.aliases)]
            for key in keys:
                bucket = self._by_key.setdefault(key, [])
                if u not in bucket:
                    bucket.append(u)
            folded = [fold_accents(key) for key in keys]
            self._folded.append((u, folded[0], set(folded)))

    def by_code(self, code: str) -> RegisteredUnit | None:
        return self._by_code.get(clean(code))

    def match(self, name: str, subject: str | None = None) -> list[RegisteredUnit]:
        """Units whose name or alias has the same key (case, spacing, prefix and NFC/NFD ignored)."""
        found = self._by_key.get(match_key(name), [])
        return [u for u in found if subject is None or u.subject == subject]

    def suggest(self, name: str, subject: str | None = None) -> list[RegisteredUnit]:
        """Accent-insensitive and near matches: offered in an error message, never applied."""
        folded = fold_accents(match_key(name))
        pool = [f for f in self._folded if subject is None or f[0].subject == subject]
        exact = [u for u, _, keys in pool if folded in keys]
        if exact:
            return exact
        by_key = {key: u for u, key, _ in pool}
        return [by_key[k] for k in difflib.get_close_matches(folded, list(by_key), n=2, cutoff=0.8)]


def load_registry(path: Path, root: Path | None = None, *, subjects: Sequence[str]
                  ) -> tuple[Registry, list[InputError]]:
    """Read a registry file (see read_registry); an empty registry when the file is not read."""
    registry, problems = read_registry(path, root, subjects=subjects)
    return (registry if registry is not None else Registry(source=_shown(path, root))), problems


def read_registry(path: Path, root: Path | None = None, *, subjects: Sequence[str]
                  ) -> tuple[Registry | None, list[InputError]]:
    """Read a registry file; every bad row is reported, the good rows are kept. None when the file is not read
    at all (refused before any parser opens it, or unreadable), with the reason. `subjects`: the subject types
    the criteria file defines (a unit of another type cannot be scored). `root`: the folder read, whose other
    registry files (discover() never reads them as data) are each named in a warning."""
    shown = _shown(path, root)
    registry, problems = _read(path, shown, subjects)
    return registry, problems + _others_not_read(path, root, shown)


def _read(path: Path, shown: str, subjects: Sequence[str]) -> tuple[Registry | None, list[InputError]]:
    try:
        if problem := _not_a_file(path, shown):  # before any open: a FIFO would block, /dev/zero never end
            return None, [problem]
        rows, problems = _rows(path, shown)
    except OSError as exc:  # gone, no permission, a network drive that dropped
        return None, [InputError("UNREADABLE_FILE", Location(file=shown), f"không mở được danh sách đơn vị "
                                 f"({type(exc).__name__}: {exc.strerror or exc}). Kiểm tra quyền truy cập và đường "
                                 "dẫn rồi chạy lại.")]
    if rows is None:
        return None, problems
    if not rows:
        problems.append(InputError("MISSING_HEADER", Location(file=shown), "danh sách đơn vị trống; cần dòng tiêu "
                                   "đề " + ", ".join(COLUMNS)))
        return Registry(source=shown), problems
    h = _header_row(rows)
    header = [_cell(v).casefold() for v in rows[h if h is not None else 0]]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        at_row = h + 1 if h is not None else 1
        problems.append(InputError("MISSING_COLUMN", Location(file=shown, cell=f"A{at_row}"),
                                   f"thiếu cột {', '.join(missing)}; dòng tiêu đề (trong {HEADER_SCAN} dòng đầu) "
                                   "cần có " + ", ".join(COLUMNS)))
        return Registry(source=shown), problems
    assert h is not None  # a header with every column needed was found
    at = {c: header.index(c) for c in COLUMNS if c in header}
    # subject types as the consolidated reader reads them: "XA" typed in capitals is the type xa
    known = {s.casefold(): s for s in subjects}
    units: list[RegisteredUnit] = []
    seen: set[str] = set()
    for n, row in enumerate(rows[h + 1:], start=h + 2):
        cells = [_cell(v) for v in row] + [""] * len(COLUMNS)
        code, name, typed = (cells[at[c]] for c in COLUMNS[:3])
        if not (code or name):
            continue
        where = Location(file=shown, cell=f"A{n}")
        subject = known.get(typed.casefold())
        if not code or not name or subject is None:
            problems.append(InputError("BAD_REGISTRY_ROW", where, f"dòng {n} cần mã, tên và đối tượng "
                                       f"({one_of(subjects)}: các đối tượng của bộ tiêu chí)"))
            continue
        if code in seen:
            problems.append(InputError("DUPLICATE_UNIT", where, f"mã đơn vị {code} xuất hiện hai lần"))
            continue
        seen.add(code)
        aliases = tuple(a.strip() for a in cells[at["ten_khac"]].split(";") if a.strip()) if "ten_khac" in at else ()
        units.append(RegisteredUnit(code, name, subject, aliases))
    return Registry(units, shown), problems


def _shown(path: Path, root: Path | None) -> str:
    """The registry's name as every output shows it (a byte of it that is not UTF-8 written \\xNN)."""
    return printable(path.relative_to(root).as_posix() if root and path.is_relative_to(root) else path.name)


def _not_a_file(path: Path, shown: str) -> InputError | None:
    """UNREADABLE_FILE for a path that is not a regular file, judged on what a link points to: the size checks
    read st_size, which is 0 for a FIFO (open blocks until a writer comes) or a device (/dev/zero never ends)."""
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    what = "một thư mục" if stat.S_ISDIR(mode) else "một FIFO (đường ống)" if stat.S_ISFIFO(mode) else \
        "một thiết bị" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "không phải tệp thông thường"
    # named by the path as given, not only its name in the folder: "/dev/zero", not "zero"; the folder, not "."
    return InputError("UNREADABLE_FILE", Location(file=shown), f"danh sách đơn vị «{printable(str(path))}» là "
                      f"{what}, không phải tệp: không đọc. Chỉ tới tệp don_vi.csv hoặc don_vi.xlsx (--danh-sach) rồi "
                      "chạy lại.")


def _others_not_read(path: Path, root: Path | None, shown: str) -> list[InputError]:
    """A warning for each other registry file at the top of the folder read: one registry is read, and the
    others must not be thought read (an updated don_vi.xlsx beside an old don_vi.csv)."""
    if root is None:
        return []
    try:
        chosen = path.resolve()
        others = [p for p in registry_candidates(root) if p.resolve() != chosen]
    except (OSError, RuntimeError):  # a link loop: no note rather than no run
        return []
    return [InputError("REGISTRY_NOT_READ", Location(file=_shown(p, root)), f"đã dùng danh sách đơn vị "
                       f"{quote(shown)}; tệp này không được đọc (mỗi lần chạy chỉ đọc một danh sách). Nếu tệp này "
                       "mới là danh sách đúng, chỉ tới nó bằng --danh-sach; nếu không, xóa hoặc đổi tên nó.",
                       "warning") for p in others]


def _header_row(rows: list[list[Any]]) -> int | None:
    """Index of the header among the first rows: find_header on the cells cleaned as the registry reads them."""
    return find_header([[_cell(v) for v in row] for row in rows[:HEADER_SCAN]])


def _cell(raw: Any) -> str:
    """A cell's text as the readers read it (the number 101, stored 101.0, is "101"), cleaned as a name is."""
    return clean(parse_text(raw) or "")


def _rows(path: Path, shown: str) -> tuple[list[list[Any]] | None, list[InputError]]:
    """The file's rows (its first sheet's), or None with the reason it is not read."""
    where = Location(file=shown)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if problem := size_problem(path.stat().st_size, where, KIND):
            return None, [problem]
        return read_csv_rows(path.read_bytes(), shown)  # its delimiter is guessed from the header line
    if suffix not in WORKBOOK_SUFFIXES:
        kind = f"tệp {quote(path.suffix)}" if path.suffix else "tệp không có đuôi"
        return None, [InputError("UNSUPPORTED_FILE", where, f"không đọc danh sách đơn vị từ {kind}: chỉ đọc .xlsx, "
                                 ".xlsm hoặc .csv. Mở bằng Excel, lưu lại dạng .xlsx (Excel Workbook) rồi chạy "
                                 "lại.")]
    checked = check_workbook(path, shown, kind=KIND)
    if isinstance(checked, InputError):
        return None, [checked]
    # Imported here: it loads python-calamine, which `qd274 template` (importing this module for its types)
    # never needs.
    from .readers.workbook import BookError, open_book

    try:
        book = open_book(path, checked)
        try:  # from its first value, as it was always read: a header below empty rows is found
            return (book.rows(book.sheet_names[0], from_a1=False) if book.sheet_names else []), []
        finally:
            book.close()
    except BookError as exc:  # calamine's errors, and its panics on a malformed file
        return None, [InputError("UNREADABLE_FILE", where, f"không đọc được danh sách đơn vị ({exc}). Mở tệp bằng "
                                 "Excel, lưu lại dạng .xlsx rồi chạy lại.")]
