"""Opens a workbook read-only: values in bulk through python-calamine, plus the few cell facts it hides.

Cell facts read straight from the package (a zip of XML parts), never by loading the whole workbook in
openpyxl: formula cells without a cached value (calamine shows them as empty) and the 1904 date system.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

_F_NO_V = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?>\s*<f[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v>\s*</v>|<v/>)?\s*</c>')
_DATE1904 = re.compile(rb'date1904="(1|true)"')


@dataclass
class Book:
    path: Path
    sheet_names: list[str]
    date1904: bool = False
    _wb: Any = None
    _uncached: dict[str, set[str]] = field(default_factory=dict)
    _sheet_parts: dict[str, str] = field(default_factory=dict)
    _sheets: dict[str, Any] = field(default_factory=dict)

    def _sheet(self, sheet: str) -> Any:
        # calamine parses a sheet's XML on every get_sheet_by_name: once per sheet, not once per question
        if sheet not in self._sheets:
            self._sheets[sheet] = self._wb.get_sheet_by_name(sheet)
        return self._sheets[sheet]

    def rows(self, sheet: str) -> list[list[Any]]:
        return [list(r) for r in self._sheet(sheet).to_python(skip_empty_area=False)]

    def merged(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return list(self._sheet(sheet).merged_cell_ranges or [])

    def formulas_without_value(self, sheet: str) -> set[str]:
        """Cells (A1 refs) holding a formula with no cached result: never to be read as 0 or as empty."""
        if sheet not in self._uncached:
            self._uncached[sheet] = _scan_formulas(self.path, self._sheet_parts.get(sheet))
        return self._uncached[sheet]


def open_book(path: Path) -> Book:
    """Open for reading only; raises on a file that is not a readable workbook (the caller reports it)."""
    wb = CalamineWorkbook.from_path(str(path))
    names = list(wb.sheet_names)
    date1904, parts = _package_facts(path, names)
    return Book(path, names, date1904, wb, {}, parts)


def _package_facts(path: Path, names: list[str]) -> tuple[bool, dict[str, str]]:
    try:
        with zipfile.ZipFile(path) as z:
            workbook = z.read("xl/workbook.xml")
            rels = z.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False, {}
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    parts = {}
    for name, rid in re.findall(rb'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        target = targets.get(rid, b"").decode()
        target = target.lstrip("/")
        parts[_unescape(name.decode())] = target if target.startswith("xl/") else f"xl/{target}"
    return bool(_DATE1904.search(workbook)), parts


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def _scan_formulas(path: Path, part: str | None) -> set[str]:
    if not part:
        return set()
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read(part)
    except (zipfile.BadZipFile, KeyError, OSError):
        return set()
    if b"<f" not in xml:
        return set()
    return {m.decode() for m in _F_NO_V.findall(xml)}
