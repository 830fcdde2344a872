"""Opens a workbook read-only: values in bulk through python-calamine, plus the few cell facts it hides.

Cell facts read straight from the package (a zip of XML parts), never by loading the whole workbook in
openpyxl: formula cells without a cached value and error cells (#DIV/0!, #N/A…), both of which calamine
shows as empty, and the 1904 date system.
Every part is read with a size cap, and the package is checked (package.py) before calamine sees it; a
sheet beyond the row and cell limits is never handed to calamine.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]  # (no types-defusedxml in dev)
from python_calamine import CalamineError, CalamineWorkbook

from ..names import clean, fold_accents, nfc
from ..ooxml_text import PERCENT_BUILTIN_IDS, is_percent
from .files import printable
from .limits import MAX_SHEET_CELLS, MAX_UNPACKED_BYTES, TABLE_MAX_ROWS
from .package import Extent, Package, Refused, inspect_package

_F_NO_V = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?>\s*<f[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v>\s*</v>|<v/>)?\s*</c>')
# An error cell, <c r="D10" s="18" t="e"><f>1/0</f><v>#DIV/0!</v></c>: its attributes in any order (the
# (?<!/) leaves out a self-closing <c .../>, which has no value to show), then its cached error text.
_ERROR_CELL = re.compile(rb'<c(\s(?:[^>]*?\s)?t="e"[^>]*?)(?<!/)>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_REF = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
# A cell's reference and style, in the order Excel, LibreOffice and openpyxl write them (r before s)
_STYLED_CELL = re.compile(rb'<c\s(?:[^>]*?\s)?r="([A-Z]+[0-9]+)"[^>]*?\ss="([0-9]+)"')
# Any formula cell, with or without a cached result: its r= among its attributes, then an <f> (Excel writes
# it before the <v>; another tool may not).
_FORMULA_CELL = re.compile(rb'<c\s(?:[^>]*?\s)?r="([A-Z]+[0-9]+)"[^>]*?(?<!/)>\s*(?:<v>[^<]*</v>\s*)?<f[\s>/]')
# What calamine raises on a part it cannot read, and what its conversion to Python can raise on odd values.
_CALAMINE_ERRORS = (CalamineError, ValueError, OverflowError, OSError)


class BookError(Exception):
    """A workbook or sheet could not be read (malformed XML, a missing part, a sheet beyond the limits)."""


@contextmanager
def _calamine() -> Iterator[None]:
    """calamine's failures as BookError: its exceptions, and a Rust panic on a malformed file, which pyo3
    raises as PanicException, a BaseException that would otherwise go through every `except Exception`."""
    try:
        yield
    except _CALAMINE_ERRORS as exc:
        raise BookError(_calamine_words(exc)) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise BookError(_calamine_words(exc)) from exc


@dataclass
class Book:
    """One workbook. The package's own XML is opened only when a question needs it (an empty cell that
    might hide an uncalculated formula or an error, a serial number in a date cell): most forms never need it."""

    path: Path
    sheet_names: list[str]  # in NFC, as readers and messages name them (a Mac may have written them in NFD;
    # only a sheet whose NFC name another sheet already has keeps its own spelling: see _sheet_keys)
    _wb: Any = None
    package: Package = field(default_factory=Package)
    _real: dict[str, str] = field(default_factory=dict)  # name in sheet_names → the name calamine knows
    _uncached: dict[str, set[str]] = field(default_factory=dict)
    _errors: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → {A1 ref: "#DIV/0!"}
    _formulas: dict[str, set[str]] = field(default_factory=dict)
    _sheets: dict[str, Any] = field(default_factory=dict)
    _facts: tuple[bool, dict[str, str]] | None = None
    _percent_styles: frozenset[int] | None = None  # cellXfs indexes whose number format is a percentage
    _percent_cells: dict[str, frozenset[str]] = field(default_factory=dict)
    _zip: zipfile.ZipFile | None = None

    def _package_zip(self) -> zipfile.ZipFile:
        if self._zip is None:  # opened once, for every question the package answers
            self._zip = zipfile.ZipFile(self.path)
        return self._zip

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def find_sheet(self, expected: str) -> str | None:
        """The sheet a reader asks for as `expected`: that very name, else the one sheet whose name differs from
        it only in case, spacing and Vietnamese accents (an officer's «So lieu», «Thông tin »). None when no sheet
        or several do: two candidates are never guessed between."""
        if expected in self.sheet_names:
            return expected
        near = self.near_sheets(expected)
        if len(near) > 1:  # an NFC name and its NFD twin (_sheet_keys): the NFC one is read, as for an exact name
            near = [s for s in near if nfc(s) == s]
        return near[0] if len(near) == 1 else None

    def near_sheets(self, expected: str) -> list[str]:
        """Every sheet whose name is `expected` once case, spacing and accents are set aside (đ as d)."""
        key = _loose(expected)
        return [s for s in self.sheet_names if _loose(s) == key]

    def sheet_states(self) -> dict[str, str]:
        """Each sheet → "" for a worksheet a user sees, else what keeps it from being data: "ẩn" (hidden or very
        hidden), "biểu đồ" (a chart sheet), or another kind (a dialog or macro sheet). From calamine's sheet
        metadata; a sheet the metadata does not name is taken as a visible worksheet."""
        key_of = {real: key for key, real in self._real.items()}
        states = dict.fromkeys(self.sheet_names, "")
        for meta in self._wb.sheets_metadata:
            kind, visible = str(meta.typ).rsplit(".", 1)[-1], str(meta.visible).rsplit(".", 1)[-1]
            if meta.name in key_of:
                states[key_of[meta.name]] = ("" if visible == "Visible" else "ẩn") if kind == "WorkSheet" else \
                    "biểu đồ" if kind == "ChartSheet" else "không phải sheet dữ liệu"
        return states

    def extent(self, sheet: str, max_rows: int = TABLE_MAX_ROWS) -> Extent:
        """Rows and columns calamine will lay the sheet out on (measured before it is loaded); when every part
        is within `max_rows` and the cell limit, an upper bound, found without mapping sheets to parts."""
        largest = self.package.largest
        if largest.rows <= max_rows and largest.cells <= MAX_SHEET_CELLS:
            return largest
        return self.package.extent(self._package()[1].get(sheet))

    def _sheet(self, sheet: str) -> Any:
        # calamine parses a sheet's XML on every get_sheet_by_name: once per sheet, not once per question
        if sheet not in self._sheets:
            extent = self.extent(sheet)
            if extent.rows > TABLE_MAX_ROWS or extent.cells > MAX_SHEET_CELLS:  # callers check first; never load
                raise BookError(f"sheet «{sheet[:60]}» quá lớn ({extent.rows} dòng × {extent.cols} cột)")
            with _calamine():
                self._sheets[sheet] = self._wb.get_sheet_by_name(self._real.get(sheet, sheet))
        return self._sheets[sheet]

    def rows(self, sheet: str, *, from_a1: bool = True) -> list[list[Any]]:
        """The sheet's values, row by row from A1; `from_a1` False: from its first row and column with a value."""
        with _calamine():
            return [list(r) for r in self._sheet(sheet).to_python(skip_empty_area=not from_a1)]

    def merged(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        with _calamine():
            return list(self._sheet(sheet).merged_cell_ranges or [])

    def _package(self) -> tuple[bool, dict[str, str]]:
        if self._facts is None:
            try:
                small = self.package.small
                if "xl/workbook.xml" in small and "xl/_rels/workbook.xml.rels" in small:
                    self._facts = _facts_from(small["xl/workbook.xml"], small["xl/_rels/workbook.xml.rels"])
                else:
                    self._facts = _package_facts(self._package_zip())
            except (zipfile.BadZipFile, KeyError, OSError, ParseError, ValueError, Refused):
                self._facts = (False, {})  # ValueError: defusedxml's refusals; Refused: a part over the cap
        return self._facts

    @property
    def date1904(self) -> bool:
        return self._package()[0]

    def _scan(self, sheet: str, *, errors: bool) -> None:
        """One of the facts calamine hides, from the sheet's part. Most forms' parts are inflated already
        (package.small) and only the fact asked for is scanned; a part read from the zip answers both at once."""
        part = self._package()[1].get(sheet)
        if part is not None and part in self.package.small:
            xml = self.package.small[part]
            if errors:
                self._errors[sheet] = _errors_in(xml)
            else:
                self._uncached[sheet] = _formulas_in(xml)
            return
        xml = self._part_xml(sheet)
        self._uncached.setdefault(sheet, _formulas_in(xml))
        self._errors.setdefault(sheet, _errors_in(xml))

    def _part_xml(self, sheet: str) -> bytes:
        """The sheet's part: inflated already when small (package.small), else read from the zip."""
        part = self._package()[1].get(sheet)
        if part is None:
            return b""
        return self.package.small.get(part) or _sheet_xml(self._package_zip(), part)

    def uncalculated(self, sheet: str, ref: str) -> bool:
        """True when the (empty-looking) cell holds a formula with no cached result: never read as empty."""
        return ref in self.formulas_without_value(sheet)

    def formulas_without_value(self, sheet: str) -> set[str]:
        """Every cell (A1 ref) of the sheet holding a formula with no cached result."""
        if sheet not in self._uncached:
            self._scan(sheet, errors=False)
        return self._uncached[sheet]

    def formula_cells(self, sheet: str) -> set[str]:
        """Every cell (A1 ref) of the sheet holding a formula, calculated or not. Asked only in the rare case
        a reader must tell a computed cell from a typed one, so it is not part of the scans above."""
        if sheet not in self._formulas:
            xml = self._part_xml(sheet)
            self._formulas[sheet] = {m.decode() for m in _FORMULA_CELL.findall(xml)} if b"<f" in xml else set()
        return self._formulas[sheet]

    def shown_as_percent(self, sheet: str, ref: str) -> bool:
        """Whether Excel shows the cell as a percentage (its number format holds a %): 92,75 % typed into it is
        stored 0,9275, and calamine gives the stored number. Asked only for a number where a percentage goes."""
        return ref in self.percent_cells(sheet)

    def percent_cells(self, sheet: str) -> frozenset[str]:
        """Every cell (A1 ref) of the sheet whose style's number format shows a percentage; one pass over the
        sheet's part, then kept."""
        if sheet not in self._percent_cells:
            if self._percent_styles is None:
                self._percent_styles = self._read_percent_styles()
            found: frozenset[str] = frozenset()
            if self._percent_styles:
                found = frozenset(m[1].decode() for m in _STYLED_CELL.finditer(self._part_xml(sheet))
                                  if int(m[2]) in self._percent_styles)
            self._percent_cells[sheet] = found
        return self._percent_cells[sheet]

    def _read_percent_styles(self) -> frozenset[int]:
        try:
            xml = self.package.small.get("xl/styles.xml") or read_part(self._package_zip(), "xl/styles.xml")
            return _percent_styles(xml)
        except (KeyError, OSError, zipfile.BadZipFile, ParseError, ValueError, Refused):
            return frozenset()  # no styles part, or an odd one: no cell is known to be a percentage

    def error_cells(self, sheet: str) -> dict[str, str]:
        """Every error cell of the sheet (#DIV/0!, #N/A…): A1 ref → the error text Excel cached. Calamine shows
        them as empty; a reader that finds an empty cell here must not read it as blank."""
        if sheet not in self._errors:
            self._scan(sheet, errors=True)
        return self._errors[sheet]


def open_book(path: Path, package: Package | None = None) -> Book:
    """Open for reading only; raises on a file that is not a readable workbook (the caller reports it).

    `package` is the result of inspect_package on this file; without it the check is run here (and raises
    Refused when the file must not be opened)."""
    package = package if package is not None else inspect_package(path)
    with _calamine():
        wb = _calamine_open(path)
        names = list(wb.sheet_names)
    return Book(path, list(real := _sheet_keys(names)), wb, package, real)


def _sheet_keys(names: list[str]) -> dict[str, str]:
    """The name each sheet is asked for by → the name calamine knows, in workbook order. Sheets are asked for
    in NFC; two sheets whose names differ only in normalisation (a composed and a decomposed «Tổng hợp») must
    both stay readable, so a name already in NFC keeps it and the other keeps its own spelling as its key.
    A name holding a control or format character (ESC, a direction override) is asked for, and so shown in
    messages, with it escaped (files.printable). _facts_from maps parts by the same rule."""
    taken = set(names)
    key_of = {n: n for n in names if printable(nfc(n)) == n}
    for n in names:
        if n not in key_of:
            shown = printable(nfc(n))
            key_of[n] = shown if shown not in taken else n
            taken.add(key_of[n])
    return {key_of[n]: n for n in names}


def _loose(name: str) -> str:
    return fold_accents(clean(name)).casefold()


def _calamine_open(path: Path) -> CalamineWorkbook:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # a name byte that is not UTF-8 (a Windows zip unpacked on Linux): calamine
        return CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))  # opens only UTF-8 paths
    return CalamineWorkbook.from_path(str(path))


def read_part(z: zipfile.ZipFile, name: str, cap: int = MAX_UNPACKED_BYTES) -> bytes:
    """A part's bytes, never more than `cap` whatever its header declares."""
    with z.open(name) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise Refused("ZIP_TOO_LARGE", f"phần «{name[:80]}» lớn hơn {cap} byte")
    return data


def _package_facts(z: zipfile.ZipFile) -> tuple[bool, dict[str, str]]:
    """(1904 date system?, sheet name → XML part) from the workbook part and its relationships.

    Parsed with defusedxml (no DTD, no entity is ever expanded); elements are matched by local name, so
    a prefixed or Strict-OOXML workbook is read like any other."""
    return _facts_from(read_part(z, "xl/workbook.xml"), read_part(z, "xl/_rels/workbook.xml.rels"))


def _facts_from(workbook_xml: bytes, rels_xml: bytes) -> tuple[bool, dict[str, str]]:
    workbook = fromstring(workbook_xml)
    rels = fromstring(rels_xml)
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels.iter() if _local(rel.tag) == "Relationship"}
    date1904, parts, names = False, dict[str, str](), list[tuple[str, str]]()
    for el in workbook.iter():
        tag = _local(el.tag)
        if tag == "workbookPr":
            date1904 = (el.get("date1904") or "").strip().lower() in ("1", "true")
        elif tag == "sheet" and el.get("name") is not None:
            target = targets.get(_rel_id(el)) or ""
            if target:
                path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                names.append((el.get("name") or "", path))
    first = dict[str, str]()
    for name, path in names:
        first.setdefault(name, path)
    for key, name in _sheet_keys(list(first)).items():  # keyed as open_book keys the sheets
        parts[key] = first[name]
    return date1904, parts


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _rel_id(el: Element) -> str | None:
    """The r:id of a <sheet>, whatever its namespace prefix (transitional or strict)."""
    return next((v for k, v in el.attrib.items() if k.startswith("{") and _local(k) == "id"), None)


def _calamine_words(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:120]}"


def _percent_styles(xml: bytes) -> frozenset[int]:
    """The cellXfs indexes (a cell's s="…") whose number format shows a percentage: built-in 9 and 10, or a
    custom format with a % outside quotes."""
    root = fromstring(xml)
    formats = {int(el.get("numFmtId", "-1")): el.get("formatCode") or "" for el in root.iter()
               if _local(el.tag) == "numFmt"}
    percent = PERCENT_BUILTIN_IDS | {i for i, code in formats.items() if is_percent(code)}
    xfs = next((el for el in root.iter() if _local(el.tag) == "cellXfs"), None)
    if xfs is None:
        return frozenset()
    return frozenset(n for n, xf in enumerate(x for x in xfs if _local(x.tag) == "xf")
                     if int(xf.get("numFmtId", "0") or 0) in percent)


def _sheet_xml(z: zipfile.ZipFile, part: str) -> bytes:
    try:
        return read_part(z, part)
    except (KeyError, OSError, zipfile.BadZipFile, Refused):
        return b""  # an unreadable part: calamine reports it when it reads the sheet


def _scan_formulas(z: zipfile.ZipFile, part: str) -> set[str]:
    return _formulas_in(_sheet_xml(z, part))


def _formulas_in(xml: bytes) -> set[str]:
    if b"<f" not in xml:
        return set()
    return {m.decode() for m in _F_NO_V.findall(xml)}


def _errors_in(xml: bytes) -> dict[str, str]:
    """Found from each t="e" back to its <c: the work grows with the error cells, not with the sheet (a
    national sheet holding one #N/A is not run through a regular expression); most sheets have none."""
    out: dict[str, str] = {}
    at = xml.find(b't="e"')
    while at >= 0:
        start = xml.rfind(b"<c", 0, at)
        cell = _ERROR_CELL.match(xml, start) if start >= 0 else None  # None: t="e" in a text, not a cell
        if cell and (ref := _REF.search(cell[1])):
            out.setdefault(ref[1].decode(), html.unescape(cell[2].decode("utf-8", "replace")).strip())
        at = xml.find(b't="e"', at + 5)
    return out
