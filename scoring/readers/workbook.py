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
    """One workbook. The package's own XML is opened only when a question needs it (an empty cell that
    might hide an uncalculated formula, a serial number in a date cell): most forms never need it."""

    path: Path
    sheet_names: list[str]
    _wb: Any = None
    _uncached: dict[str, set[str]] = field(default_factory=dict)
    _sheets: dict[str, Any] = field(default_factory=dict)
    _facts: tuple[bool, dict[str, str]] | None = None
    _zip: zipfile.ZipFile | None = None

    def _package_zip(self) -> zipfile.ZipFile:
        if self._zip is None:  # opened once, for every question the package answers
            self._zip = zipfile.ZipFile(self.path)
        return self._zip

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def _sheet(self, sheet: str) -> Any:
        # calamine parses a sheet's XML on every get_sheet_by_name: once per sheet, not once per question
        if sheet not in self._sheets:
            self._sheets[sheet] = self._wb.get_sheet_by_name(sheet)
        return self._sheets[sheet]

    def rows(self, sheet: str) -> list[list[Any]]:
        return [list(r) for r in self._sheet(sheet).to_python(skip_empty_area=False)]

    def merged(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return list(self._sheet(sheet).merged_cell_ranges or [])

    def _package(self) -> tuple[bool, dict[str, str]]:
        if self._facts is None:
            try:
                self._facts = _package_facts(self._package_zip())
            except (zipfile.BadZipFile, KeyError, OSError):
                self._facts = (False, {})
        return self._facts

    @property
    def date1904(self) -> bool:
        return self._package()[0]

    def uncalculated(self, sheet: str, ref: str) -> bool:
        """True when the (empty-looking) cell holds a formula with no cached result: never read as empty."""
        if sheet not in self._uncached:
            part = self._package()[1].get(sheet)
            self._uncached[sheet] = _scan_formulas(self._package_zip(), part) if part else set()
        return ref in self._uncached[sheet]

    def formulas_without_value(self, sheet: str) -> set[str]:
        """Every cell (A1 ref) of the sheet holding a formula with no cached result."""
        self.uncalculated(sheet, "")
        return self._uncached[sheet]


def open_book(path: Path) -> Book:
    """Open for reading only; raises on a file that is not a readable workbook (the caller reports it)."""
    wb = CalamineWorkbook.from_path(str(path))
    return Book(path, list(wb.sheet_names), wb)


def _package_facts(z: zipfile.ZipFile) -> tuple[bool, dict[str, str]]:
    """(1904 date system?, sheet name → XML part) from the workbook part and its relationships."""
    workbook = z.read("xl/workbook.xml")
    rels = z.read("xl/_rels/workbook.xml.rels")
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


def _scan_formulas(z: zipfile.ZipFile, part: str) -> set[str]:
    try:
        xml = z.read(part)
    except (KeyError, OSError, zipfile.BadZipFile):
        return set()
    if b"<f" not in xml:
        return set()
    return {m.decode() for m in _F_NO_V.findall(xml)}
