"""The unit registry (don_vi.csv / .xlsx): codes, names, subject types, aliases; name matching with hints.

The registry is an input like any other, read as the readers read theirs: a workbook passes the same check
before calamine opens it (readers/package.py), a CSV the same reader as a consolidated sheet's, and a cell
the same parsing (a code typed as the number 101 is "101").
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Location
from .names import code_key, match_key
from .near_names import NearNames, compact_code
from .readers.files import REGISTRY_NAMES as REGISTRY_NAMES  # defined with discover(), which needs them too
from .readers.files import printable, registry_candidates
from .readers.parse import quote
from .readers.registry_file import COLUMNS as COLUMNS
from .readers.registry_file import UNUSED, Table, read_table
from .readers.registry_rows import units_in
from .safe_paths import real_path


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
        # codes compare in any case, as `explain` finds a unit: «yt-x01» typed in a form is YT-X01
        self._by_code = {code_key(u.code): u for u in self.units}
        self._by_compact: dict[str, list[RegisteredUnit]] = {}
        self._by_key: dict[str, list[RegisteredUnit]] = {}
        for u in self.units:
            self._by_compact.setdefault(compact_code(u.code), []).append(u)
            for key in (match_key(name) for name in (u.name, *u.aliases)):
                bucket = self._by_key.setdefault(key, [])
                if u not in bucket:
                    bucket.append(u)
        self._near = NearNames([(u, u.subject, [match_key(n) for n in (u.name, *u.aliases)]) for u in self.units])

    def by_code(self, code: str) -> RegisteredUnit | None:
        return self._by_code.get(code_key(code))

    def near_codes(self, code: str) -> list[RegisteredUnit]:
        """Units whose code differs from `code` only in spacing, punctuation or case («YT -X02» for YT-X02):
        offered in an error message, never applied."""
        return list(self._by_compact.get(compact_code(code), []))

    def match(self, name: str, subject: str | None = None) -> list[RegisteredUnit]:
        """Units whose name or alias has the same key (case, spacing, prefix and NFC/NFD ignored)."""
        found = self._by_key.get(match_key(name), [])
        return [u for u in found if subject is None or u.subject == subject]

    def suggest(self, name: str, subject: str | None = None) -> list[RegisteredUnit]:
        """Accent-insensitive and near matches: offered in an error message, never applied."""
        found: list[RegisteredUnit] = self._near.suggest(match_key(name), subject)
        return found

    @property
    def suggestions_skipped(self) -> int:
        """Names given no near-name suggestion, the work allowed for them being spent (see near_names)."""
        return self._near.skipped


def load_registry(path: Path, root: Path | None = None, *, subjects: Sequence[str]
                  ) -> tuple[Registry, list[InputError]]:
    """Read a registry file (see read_registry); an empty registry when the file is not read. Notes ("info")
    are left out: `template --don-vi` stops on any problem, and which sheet was read is no reason to stop."""
    registry, problems = read_registry(path, root, subjects=subjects)
    problems = [p for p in problems if p.severity != "info"]
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
    """None when no unit can be read: matching forms against an unusable list would accuse each of being
    unknown (one error per form) when the list itself is wrong; the forms are read as with no registry."""
    try:
        if problem := _not_a_file(path, shown):  # before any open: a FIFO would block, /dev/zero never end
            return None, [problem]
        table, problems = read_table(path, shown)
    except OSError as exc:  # gone, no permission, a network drive that dropped
        return None, [InputError("UNREADABLE_FILE", Location(file=shown), f"không mở được danh sách đơn vị "
                                 f"({type(exc).__name__}: {exc.strerror or exc}). Kiểm tra quyền truy cập và đường "
                                 "dẫn rồi chạy lại.")]
    if table is None:
        return None, problems
    if table.first >= len(table.rows):
        return None, [*problems, InputError("MISSING_HEADER", Location(file=shown, sheet=table.sheet),
                                            f"danh sách đơn vị {quote(shown)} trống; cần dòng tiêu đề "
                                            f"{', '.join(COLUMNS)} rồi mỗi đơn vị một dòng. {UNUSED}")]
    rows, found = units_in(table, shown, subjects)
    problems += found
    if rows is None:  # a column missing: said in one MISSING_COLUMN
        return None, problems
    if not rows:
        return None, [*problems, _empty(shown, table, bool(found))]
    return Registry([RegisteredUnit(*row) for row in rows], shown), problems


def _empty(shown: str, table: Table, rows_refused: bool) -> InputError:
    """EMPTY_REGISTRY: a list with no usable unit, said once for the whole file."""
    why = ("không dòng nào dùng được (xem lỗi ở từng dòng)" if rows_refused
           else "chỉ có dòng tiêu đề, không có đơn vị nào")
    return InputError("EMPTY_REGISTRY", Location(file=shown, sheet=table.sheet), f"danh sách đơn vị {quote(shown)} "
                      f"{why}. Ghi mỗi đơn vị một dòng dưới dòng tiêu đề (mã, tên, đối tượng) rồi chạy lại. {UNUSED}")


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
        chosen = real_path(path)
        others = [p for p in registry_candidates(root) if real_path(p) != chosen]
    except OSError:  # a folder that cannot be listed: no note rather than no run
        return []
    return [InputError("REGISTRY_NOT_READ", Location(file=_shown(p, root)), f"đã dùng danh sách đơn vị "
                       f"{quote(shown)}; tệp này không được đọc (mỗi lần chạy chỉ đọc một danh sách). Nếu tệp này "
                       "mới là danh sách đúng, chỉ tới nó bằng --danh-sach; nếu không, xóa hoặc đổi tên nó.",
                       "warning") for p in others]
