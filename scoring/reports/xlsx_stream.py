"""A small streaming .xlsx writer: rows go straight into the zip as XML, with formulas and their cached values.

Why not openpyxl for the summary workbook: it keeps every cell as an object (a national run is millions of
cells: minutes and gigabytes), writes no cached value for a formula, and stamps the save time. This writer
knows the few things the summary workbook needs: inline text (never a formula), numbers with a style,
formulas with cached values, frozen header, filter, column widths; output is byte-reproducible.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ..forms.layout import LETTERS, col_letter
from ..ooxml_text import literal
from .background import BackgroundWriter
from .package import FIXED_TIME

# Style ids (cellXfs order in _STYLES): 0 text (the default, never named), 1 header, 2 points, 3 wrapped text,
# 4.. grade fills.
HEADER, POINTS, WRAP = 1, 2, 3
GRADE_FILLS = ("C6EFCE", "DDEBF7", "FFEB9C", "FFC7CE", "E7E6E6")
GRADE_STYLE = {g: 4 + n for n, g in enumerate(("tot", "kha", "trung_binh", "yeu", "khong_xep_loai"))}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0 at all


@dataclass(frozen=True, slots=True)
class Formula:
    expr: str  # without the leading "="
    cached: Decimal | int | float | None
    style: int = POINTS


@dataclass(frozen=True, slots=True)
class Styled:
    value: Any
    style: int




_NEEDS_WORK = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    # "_x0041_" in a workbook string reads as «A» (ooxml_text): text holding one literally is written escaped
    return _esc(literal(text))


def _esc(text: str) -> str:
    if _NEEDS_WORK.search(text) is None:  # the common case: one scan, no copies
        return text
    text = _ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _num(value: Decimal | int | float) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return repr(value)


def _cell(ref: str, value: Any, default_num_style: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # inline text: Excel never evaluates it, whatever its first character
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="inlineStr"><is><t>{"Có" if value else "Không"}</t></is></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}" s="{default_num_style}"><v>{_num(value)}</v></c>'
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{_num(value.cached)}</v>"
        return f'<c r="{ref}" s="{value.style}"><f>{_esc(value.expr)}</f>{cached}</c>'
    if isinstance(value, Styled):
        inner = _cell(ref, value.value, value.style)
        if isinstance(value.value, str):
            return inner.replace(f'<c r="{ref}" ', f'<c r="{ref}" s="{value.style}" ', 1)
        return inner
    return _cell(ref, str(value), default_num_style)


@dataclass
class Sheet:
    name: str
    widths: Sequence[float]
    header: list[str]
    rows: Iterable[list[Any]]
    filter: bool = True
    freeze: bool = True
    number_style: int = POINTS
    written_rows: int = field(default=0, init=False)


class Workbook:
    """Collects sheets (whose rows may be generators) and writes them into one zip, streaming."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []

    def add(self, sheet: Sheet) -> Sheet:
        if len(sheet.name) > 31 or any(ch in sheet.name for ch in "[]:*?/\\"):
            raise ValueError(f"tên sheet không hợp lệ: {sheet.name!r}")
        self.sheets.append(sheet)
        return sheet

    def save(self, path: Path, compresslevel: int = 6) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
            def put(name: str, data: str) -> None:
                z.writestr(_info(name, compresslevel), data.encode("utf-8"))

            put("[Content_Types].xml", _content_types(len(self.sheets)))
            put("_rels/.rels", _ROOT_RELS)
            put("docProps/core.xml", _CORE)
            put("docProps/app.xml", _APP)
            put("xl/_rels/workbook.xml.rels", _workbook_rels(len(self.sheets)))
            put("xl/styles.xml", _STYLES)
            for n, sheet in enumerate(self.sheets, start=1):
                with z.open(_info(f"xl/worksheets/sheet{n}.xml", compresslevel), "w", force_zip64=True) as out:
                    _write_sheet(out, sheet)
            # After the sheets: each filter's defined name needs the sheet's row count, known once it is written
            # (its rows may be a generator). Entry order means nothing to a reader.
            put("xl/workbook.xml", self._workbook_xml())

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{_esc(s.name).replace(chr(34), "&quot;")}" sheetId="{n}" r:id="rId{n}"/>'
                         for n, s in enumerate(self.sheets, start=1))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"'{_esc(s.name)}'!{_filter_ref(s, '$')}</definedName>"
            for n, s in enumerate(self.sheets) if s.filter)
        defined = f"<definedNames>{names}</definedNames>" if names else ""
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                f'xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>{defined}'
                '<calcPr calcId="191029" fullCalcOnLoad="0"/></workbook>')


def _filter_ref(sheet: Sheet, anchor: str = "") -> str:
    """The filtered range (header and every written row), for the sheet's autoFilter (`anchor` "") and the
    workbook's _FilterDatabase name (`anchor` "$"); valid only once the sheet has been written."""
    last = col_letter(len(sheet.header))
    return f"{anchor}A{anchor}1:{anchor}{last}{anchor}{max(sheet.written_rows, 1)}"


def _info(name: str, level: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    # A ZipInfo handed to open() or writestr() keeps its own level, not the archive's: without this every part
    # was deflated at zlib's default (6) whatever `compresslevel` said. Python 3.13 names it compress_level.
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)
    return info


def _rows_xml(sheet: Sheet) -> Iterator[str]:
    width = len(sheet.header)
    letters = LETTERS[:max(width, 1)]
    yield '<row r="1">' + "".join(_cell(f"{letters[c]}1", Styled(h, HEADER), HEADER)
                                  for c, h in enumerate(sheet.header)) + "</row>"
    r = 1
    style = sheet.number_style
    # The two common cells (text, a Decimal) are written inline: a national workbook has ~2 million cells,
    # and the general _cell's checks cost a second of it.
    cell_open = [f'<c r="{x}' for x in letters]
    num_open = f'" s="{style}"><v>'  # after the cell's ref
    # Texts and numbers repeat (a unit's name on each of its rows, criterion ids, points): each is escaped
    # or formatted once per sheet. Bounded: a sheet of distinct texts stops caching, it does not grow.
    texts: dict[str, str] = {}
    numbers: dict[Decimal, str] = {}
    for row in sheet.rows:
        r += 1
        line = str(r)
        cells = []
        for c, v in enumerate(row):
            t = type(v)
            if t is str:
                x = texts.get(v)
                if x is None:
                    x = _text(v)
                    if len(texts) < 200_000:
                        texts[v] = x
                cells.append(f'{cell_open[c]}{line}" t="inlineStr"><is><t xml:space="preserve">{x}</t></is></c>')
            elif t is Decimal:
                x = numbers.get(v)
                if x is None:
                    x = f"{v:f}"
                    if len(numbers) < 200_000:
                        numbers[v] = x
                cells.append(f"{cell_open[c]}{line}{num_open}{x}</v></c>")
            elif v is not None:
                cells.append(_cell(f"{letters[c]}{line}", v, style))
        yield f'<row r="{line}">{"".join(cells)}</row>'
    sheet.written_rows = r


def _write_sheet(out: IO[bytes], sheet: Sheet) -> None:
    cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                   for n, w in enumerate(sheet.widths, start=1))
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>') if sheet.freeze else ""
    out.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
               f'xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
               f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>')
              .encode())
    chunk: list[str] = []
    with BackgroundWriter(out) as background:  # compression on the other core
        for xml in _rows_xml(sheet):
            chunk.append(xml)
            if len(chunk) >= 2000:
                background.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        background.write("".join(chunk).encode("utf-8"))
    tail = "</sheetData>"
    if sheet.filter:
        tail += f'<autoFilter ref="{_filter_ref(sheet)}"/>'
    out.write((tail + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               '<pageSetup paperSize="9" orientation="landscape"/></worksheet>').encode("utf-8"))


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _content_types(sheets: int) -> str:
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                        for n in range(1, sheets + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps'
            '/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>")


def _workbook_rels(sheets: int) -> str:
    rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                   for n in range(1, sheets + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">{rels}'
            f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')


_ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">'
              f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
              'core-properties" Target="docProps/core.xml"/>'
              f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
              "</Relationships>")
_CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.'
         'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
         'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         "<dc:creator>qd274</dc:creator>"
         '<dcterms:created xsi:type="dcterms:W3CDTF">2017-05-26T00:00:00Z</dcterms:created>'
         '<dcterms:modified xsi:type="dcterms:W3CDTF">2017-05-26T00:00:00Z</dcterms:modified>'
         "</cp:coreProperties>")
_APP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.'
        'org/officeDocument/2006/extended-properties"><Application>qd274</Application></Properties>')
_FILLS = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor indexed="64"/>'
                 "</patternFill></fill>" for c in ("D9E1F2", *GRADE_FILLS))
_GRADE_XFS = "".join(f'<xf numFmtId="0" fontId="0" fillId="{3 + n}" borderId="0" xfId="0" applyFill="1"/>'
                     for n in range(len(GRADE_FILLS)))
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           f'<fills count="{3 + len(GRADE_FILLS)}"><fill><patternFill patternType="none"/></fill>'
           f'<fill><patternFill patternType="gray125"/></fill>{_FILLS}</fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           f'<cellXfs count="{4 + len(GRADE_FILLS)}">'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
           'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
           f'<alignment vertical="top" wrapText="1"/></xf>{_GRADE_XFS}</cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
