"""The unit registry (don_vi.csv / .xlsx): codes, names, subject types, aliases; name matching with hints."""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Location
from .names import clean, fold_accents, match_key

REGISTRY_NAMES = ("don_vi.csv", "don_vi.xlsx")
COLUMNS = ("ma_don_vi", "ten_don_vi", "doi_tuong", "ten_khac")


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
        for u in self.units:
            for name in (u.name, *u.aliases):
                bucket = self._by_key.setdefault(match_key(name), [])
                if u not in bucket:
                    bucket.append(u)

    def by_code(self, code: str) -> RegisteredUnit | None:
        return self._by_code.get(clean(code))

    def match(self, name: str, subject: str | None = None) -> list[RegisteredUnit]:
        """Units whose name or alias has the same key (case, spacing, prefix and NFC/NFD ignored)."""
        found = self._by_key.get(match_key(name), [])
        return [u for u in found if subject is None or u.subject == subject]

    def suggest(self, name: str, subject: str | None = None) -> list[RegisteredUnit]:
        """Accent-insensitive and near matches: offered in an error message, never applied."""
        folded = fold_accents(match_key(name))
        pool = [u for u in self.units if subject is None or u.subject == subject]
        exact = [u for u in pool if fold_accents(match_key(u.name)) == folded
                 or any(fold_accents(match_key(a)) == folded for a in u.aliases)]
        if exact:
            return exact
        keys = {fold_accents(match_key(u.name)): u for u in pool}
        return [keys[k] for k in difflib.get_close_matches(folded, list(keys), n=2, cutoff=0.8)]


def load_registry(path: Path, root: Path | None = None) -> tuple[Registry, list[InputError]]:
    """Read a registry file; every bad row is reported, the good rows are kept."""
    shown = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
    problems: list[InputError] = []
    try:
        rows = _rows(path)
    except Exception as exc:  # an unreadable registry is reported like any unreadable input
        return Registry(source=shown), [InputError("UNREADABLE_FILE", Location(file=shown),
                                                   f"không đọc được danh sách đơn vị: {exc}")]
    if not rows:
        return Registry(source=shown), [InputError("MISSING_HEADER", Location(file=shown),
                                                   "danh sách đơn vị trống; cần dòng tiêu đề "
                                                   + ", ".join(COLUMNS))]
    header = [clean(str(h)).casefold() for h in rows[0]]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        return Registry(source=shown), [InputError("MISSING_COLUMN", Location(file=shown, cell="A1"),
                                                   f"thiếu cột {', '.join(missing)}; dòng tiêu đề cần có "
                                                   + ", ".join(COLUMNS))]
    at = {c: header.index(c) for c in COLUMNS if c in header}
    units: list[RegisteredUnit] = []
    seen: set[str] = set()
    for n, row in enumerate(rows[1:], start=2):
        cells = [clean(str(v)) if v is not None else "" for v in row] + [""] * len(COLUMNS)
        code, name, subject = (cells[at[c]] for c in COLUMNS[:3])
        if not (code or name):
            continue
        where = Location(file=shown, cell=f"A{n}")
        if not code or not name or subject not in ("huyen", "xa", "co_quan"):
            problems.append(InputError("BAD_REGISTRY_ROW", where, f"dòng {n} cần mã, tên và đối tượng "
                                       "(huyen, xa hoặc co_quan)"))
            continue
        if code in seen:
            problems.append(InputError("DUPLICATE_UNIT", where, f"mã đơn vị {code} xuất hiện hai lần"))
            continue
        seen.add(code)
        aliases = tuple(a.strip() for a in cells[at["ten_khac"]].split(";") if a.strip()) if "ten_khac" in at else ()
        units.append(RegisteredUnit(code, name, subject, aliases))
    return Registry(units, shown), problems


def _rows(path: Path) -> list[list[object]]:
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        first = text.split("\n", 1)[0]  # Excel in a Vietnamese locale saves CSV with ';' (as input sheets)
        delimiter = max(";,\t", key=first.count) if first else ","
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return [list(r) for r in wb.get_sheet_by_index(0).to_python()]
