"""The Word report bao_cao_ket_qua.docx, laid out per Nghị định 30/2020/NĐ-CP: results, charts, appendix."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from ..atomic import via_memory, write_atomic
from ..criteria.models import CriteriaFile
from ..evaluate import UnitResult
from ..grading import FiredOverride, band_for
from ..numbers import format_or_dash as _num
from ..numbers import format_vi, show_value
from ..pipeline import Run
from ..plan import BASE_ID, TOTAL_ID
from ..ranking import edges
from ..trace import GROUP, TOTAL
from . import chart
from .package import FIXED_TIME, normalize_package
from .writer import TRACE, XLSX

FONT = "Times New Roman"
TEXT_CM = 16.5  # A4 (210 mm) less the 30 mm left and 15 mm right margins
CELL_PAD_CM = 0.19 * 2  # Word's default left + right cell margins
BLANK = "……"  # room for the signer to write the number and the day and month by hand
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MOTTO_RULE_CM = 5.6  # the motto's width at 13 pt bold Times New Roman (NĐ 30: the rule is as long as the line)
NO_VALUE = "—"

SUMMARY_HEAD = ("Hạng", "Đơn vị", "Tự chấm", "Theo số liệu", "Thẩm định", "Kết quả", "Xếp loại")
SUMMARY_CM = (1.5, 5.1, 1.8, 1.9, 1.9, 1.8, 2.3)
DETAIL_HEAD = ("Mã", "Tiêu chí", "Tối đa", "Tự chấm", "Theo số liệu", "Thẩm định", "Kết quả")
DETAIL_CM = (1.5, 6.6, 1.4, 1.6, 1.8, 1.8, 1.6)

# A province or the whole country (up to ~10,600 communes) in one report: past these sizes the Word file
# would run to thousands of pages and take minutes to write, so it shows a summary and says where the rest is
# (the workbook and the trace hold every unit). Runs within the limits render exactly as before.
TABLE_LIMIT = 500  # summary rows per subject type; above it only the head and tail of the ranking are listed
TABLE_EDGE = 20  # ranked units listed at each end of a shortened summary table
CHART_LIMIT = 60  # bars per subject type (chart.MAX_BARS per image); above it the chart counts units per grade
DETAIL_LIMIT = 300  # units in the whole report; above it the appendix says where the per-criterion detail is
CHANGES_LIMIT = 200  # lines of the "grade changed after appraisal" list per subject type; the rest are counted

# Paragraph styles by id; their names show in Word's style list, so they are Vietnamese. Paragraphs get the
# id directly: python-docx finds a style by name with a scan of every style, per paragraph.
BODY, HEAD1, HEAD2, CELL, CELL_SMALL, CAPTION = "NoiDung", "DeMuc1", "DeMuc2", "ChuBang", "ChuBangPhuLuc", "ChuThich"
STYLE_NAMES = {BODY: "Nội dung", HEAD1: "Đề mục 1", HEAD2: "Đề mục 2", CELL: "Chữ trong bảng",
               CELL_SMALL: "Chữ trong bảng phụ lục", CAPTION: "Chú thích hình"}
TABLE_GRID = "TableGrid"  # the id of the template's table style "Table Grid", set directly for the same reason

# Characters XML 1.0 cannot carry: a unit name read from a spreadsheet may hold one, and lxml would refuse it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Schema order of the pPr / tblPr children that follow the ones added here: Word refuses a file whose
# elements are out of order, so each is inserted before its successors.
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
                     "w:tblPrChange")


def write_docx(run: Run, target: Path, *, issuer: str = "UBND HUYỆN YÊN THẾ", unit: str = "PHÒNG NỘI VỤ",
               place: str = "Yên Thế", symbol: str = "PNV", charts: Sequence[bytes] | None = None) -> Path:
    """Write the report atomically; the same run gives the same bytes (no time of the run inside).

    `charts`: the PNGs of chart_jobs(run), already drawn (by reports.writer, on another process); drawn
    here when not given."""

    def write(tmp: Path) -> None:
        doc = build(run, issuer=issuer, unit=unit, place=place, symbol=symbol, charts=charts)
        via_memory(doc.save)(tmp)
        normalize_package(tmp)

    return write_atomic(target, write)


def build(run: Run, *, issuer: str, unit: str, place: str, symbol: str,
          charts: Sequence[bytes] | None = None) -> DocxDocument:
    plan = _chart_plan(run)
    jobs = _jobs(plan)
    if charts is not None and len(charts) != len(jobs):
        raise ValueError(f"cần {len(jobs)} biểu đồ, nhận {len(charts)}")
    cf = run.criteria.file
    pngs = iter(charts) if charts is not None else (chart.draw(job, cf) for job in jobs)
    doc = Document()
    year = run.year
    year_text = str(year) if year else BLANK
    report_year = str(year + 1) if year else BLANK
    subtitle = f"Kết quả chấm điểm, xếp loại công tác dân vận chính quyền năm {year_text}"
    number = f"Số: {BLANK}/BC-{clean(symbol)}"
    _setup(doc, subtitle, clean(unit))
    _letterhead(doc, clean(issuer), clean(unit), number, f"{clean(place)}, ngày {BLANK} tháng {BLANK} năm "
                f"{report_year}")
    _title(doc, "BÁO CÁO", subtitle)
    _introduction(doc, run, year_text)
    _results(doc, run, plan, pngs)
    _overall(doc, run)
    _para(doc, f"Trên đây là báo cáo kết quả chấm điểm, xếp loại công tác dân vận chính quyền năm {year_text}./.",
          BODY)
    _closing(doc)
    _appendix(doc, run, f"(Kèm theo Báo cáo số {BLANK}/BC-{clean(symbol)} ngày {BLANK} tháng {BLANK} năm "
                        f"{report_year})")
    return doc


def clean(text: str) -> str:
    """Text from inputs as plain text: characters XML cannot hold are dropped (python-docx escapes the rest)."""
    return _NOT_XML.sub("", text)


# ---- document set-up ------------------------------------------------------------------------------

def _setup(doc: DocxDocument, title: str, author: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    # NĐ 30: the page number is centred in the header from page 2 on, never on page 1.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "2"
    r.append(t)
    field.append(r)
    number._p.append(field)
    _styles(doc)
    props = doc.core_properties
    props.title, props.subject = title, "Công tác dân vận chính quyền theo QĐ 274/QĐ-UBND"
    props.author = props.last_modified_by = author
    props.comments = props.keywords = ""  # the template says "generated by python-docx"
    props.category, props.language, props.revision = "Báo cáo", "vi-VN", 1
    props.created = props.modified = dt.datetime(*FIXED_TIME)  # never the run's time: same run, same bytes
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's preview of an empty page, not of this report
            package.rels.pop(rid)


def _fonts(rpr: BaseOxmlElement) -> None:
    """Times New Roman for every script slot; theme fonts dropped (a theme attribute beats a named font)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)


def _styles(doc: DocxDocument) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    assert defaults is not None
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert rpr is not None
    _fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")  # Word's spelling checker then reads the text as Vietnamese
    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.name, normal.font.size = FONT, Pt(14)
    _fonts(normal.element.get_or_add_rPr())
    nf = normal.paragraph_format
    nf.space_before, nf.space_after, nf.line_spacing = Pt(0), Pt(0), 1.0

    def add(sid: str, size: float, *, bold: bool = False, outline: int | None = None) -> ParagraphStyle:
        style = doc.styles.add_style(STYLE_NAMES[sid], WD_STYLE_TYPE.PARAGRAPH)
        assert isinstance(style, ParagraphStyle)
        style.style_id = sid
        style.base_style = normal
        style.quick_style = True
        style.font.size, style.font.bold = Pt(size), bold or None
        if outline is not None:  # Word's navigation pane lists the headings
            style.element.get_or_add_pPr().get_or_add_outlineLvl().val = outline
        return style

    # NĐ 30: 13-14 pt body, first line indented 1-1.27 cm, at least 6 pt between paragraphs.
    for name, outline in ((BODY, None), (HEAD1, 0), (HEAD2, 1)):
        style = add(name, 14, bold=name != BODY, outline=outline)
        pf = style.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        pf.first_line_indent, pf.space_before, pf.space_after, pf.line_spacing = Cm(1), Pt(0), Pt(6), 1.15
        if name != BODY:
            pf.keep_with_next = True
            pf.space_before = Pt(6)
    for name, size in ((CELL, 12), (CELL_SMALL, 11)):
        add(name, size).paragraph_format.space_before = Pt(1)  # text clear of the cell's top border
    caption = add(CAPTION, 12)
    caption.font.italic = True
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_after = Pt(8)


# ---- small builders --------------------------------------------------------------------------------

def _para(container: DocxDocument | _Cell, text: str = "", style: str | None = None, *, bold: bool = False,
          italic: bool = False, size: float | None = None, align: WD_ALIGN_PARAGRAPH | None = None,
          first: bool = False) -> Paragraph:
    """A paragraph of plain text (`first`: fill a table cell's initial empty paragraph)."""
    p = container.paragraphs[0] if first and isinstance(container, _Cell) else container.add_paragraph()
    assert isinstance(p, Paragraph)
    if style:
        p._p.get_or_add_pPr().style = style
    if text:
        run = p.add_run(text)
        if bold:  # only when set: assigning None would still add an empty <w:rPr/> to every run
            run.bold = True
        if italic:
            run.italic = True
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def _border(p: Paragraph, sides: Sequence[str], size: int = 6, colour: str = "auto", space: int = 1) -> None:
    """A single line on the given sides of a paragraph (size in eighths of a point, space in points)."""
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(size))
        line.set(qn("w:space"), str(space))
        line.set(qn("w:color"), colour)
        borders.append(line)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _rule(container: DocxDocument | _Cell, length_cm: float, room_cm: float) -> Paragraph:
    """A centred horizontal rule: the top border of an empty 1 pt paragraph narrowed by its indents."""
    p = _para(container)
    side = max((room_cm - length_cm) / 2, 0)
    pf = p.paragraph_format
    pf.left_indent = pf.right_indent = Cm(side)
    pf.first_line_indent = Cm(0)
    pf.space_before, pf.space_after, pf.line_spacing = Pt(3), Pt(0), 1.0  # clear of the descenders above
    _border(p, ["top"], space=0)
    mark = OxmlElement("w:rPr")  # the paragraph mark's size sets the empty line's height
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    p._p.get_or_add_pPr().append(mark)
    return p


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "none")
        line.set(qn("w:sz"), "0")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "auto")
        borders.append(line)
    tblpr.insert_element_before(borders, *_AFTER_TBLBORDERS)


def _table(doc: DocxDocument, widths_cm: Sequence[float], *, borders: bool = True) -> Table:
    table: Table = doc.add_table(rows=0, cols=len(widths_cm))
    if borders:
        # The id itself: assigning the style by name looks it up among all styles, per table (300 in an appendix).
        table._tbl.tblPr.style = TABLE_GRID
    else:
        _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: Word and LibreOffice keep the widths given here
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    return table


def _add_row(table: Table, *, header: bool = False) -> _Row:
    """A new row that never splits across pages; a header row repeats on every page the table runs to."""
    row: _Row = table.add_row()  # type: ignore[no-untyped-call]
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    return row


def _head_row(table: Table, names: Sequence[str], style: str) -> None:
    if _plain(names):  # the quick way, as in _data_row: one per appendix table
        table._tbl.append(_row_xml(table, names, [WD_ALIGN_PARAGRAPH.CENTER] * len(names), style, True, 0, 0,
                                   header=True))
        return
    row = _add_row(table, header=True)
    for cell, name in zip(row.cells, names, strict=True):
        _para(cell, name, style, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _data_row(table: Table, values: Sequence[str], aligns: Sequence[WD_ALIGN_PARAGRAPH], style: str, *,
              bold: bool = False, indent_cm: float = 0, indent_col: int = 1) -> None:
    # python-docx spends ~0.5 ms per cell (a property call per element); a row parsed from text is ~20 times
    # faster and gives the same XML. Text python-docx would turn into more than one <w:t> (tab, line break) or
    # mark xml:space="preserve" goes the slow way, so the bytes never depend on the path taken.
    if _plain(values):
        table._tbl.append(_row_xml(table, values, aligns, style, bold, indent_cm, indent_col))
        return
    row = _add_row(table)
    for n, (cell, value, align) in enumerate(zip(row.cells, values, aligns, strict=True)):
        p = _para(cell, value, style, bold=bold, align=align, first=True)
        if indent_cm and n == indent_col:
            p.paragraph_format.left_indent = Cm(indent_cm)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


_SPECIAL = re.compile("[\t\n\r]")
_W = nsdecls("w")
_W_W, _W_GRIDCOL = qn("w:w"), qn("w:gridCol")


@cache
def _jc(align: WD_ALIGN_PARAGRAPH) -> str:
    return str(WD_ALIGN_PARAGRAPH.to_xml(align))


def _plain(values: Sequence[str]) -> bool:
    """Text python-docx writes as a single <w:t> without xml:space: no tab or line break, no outer spaces."""
    return all(v == v.strip() and not _SPECIAL.search(v) for v in values)


def _row_xml(table: Table, values: Sequence[str], aligns: Sequence[WD_ALIGN_PARAGRAPH], style: str, bold: bool,
             indent_cm: float, indent_col: int, *, header: bool = False) -> BaseOxmlElement:
    """The <w:tr> _add_row and _para would build for plain text values, element for element."""
    widths = [g.get(_W_W) for g in table._tbl.tblGrid.iterchildren(_W_GRIDCOL)]
    run_pr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    ind = f'<w:ind w:left="{Cm(indent_cm).twips}"/>' if indent_cm else ""
    cells = []
    for n, (width, value, align) in enumerate(zip(widths, values, aligns, strict=True)):
        tcw = f'<w:tcW w:type="dxa" w:w="{width}"/>' if width is not None else ""
        text = f"<w:r>{run_pr}<w:t>{escape(value)}</w:t></w:r>" if value else ""
        cells.append(f'<w:tc><w:tcPr>{tcw}<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr>'
                     f'<w:pStyle w:val="{style}"/>{ind if n == indent_col else ""}<w:jc w:val="{_jc(align)}"/>'
                     f"</w:pPr>{text}</w:p></w:tc>")
    repeat = "<w:tblHeader/>" if header else ""
    return parse_xml(f'<w:tr {_W}><w:trPr><w:cantSplit/>{repeat}</w:trPr>{"".join(cells)}</w:tr>')


# ---- the parts of the report -------------------------------------------------------------------------

def _letterhead(doc: DocxDocument, issuer: str, unit: str, number: str, dated: str) -> None:
    """NĐ 30's two-column header: issuing body and number on the left, national title and date on the right."""
    left_cm, right_cm = 6.0, TEXT_CM - 6.0
    table = _table(doc, (left_cm, right_cm), borders=False)
    left, right = _add_row(table).cells
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(left, issuer.upper(), size=12, align=centre, first=True)
    _para(left, unit.upper(), bold=True, size=12, align=centre)
    # NĐ 30: a rule a third to a half as long as the unit's name; its width is estimated (capitals at 12 pt
    # bold average 0.63 em), as the text is only measured when it is laid out.
    name_cm = min(len(unit) * 0.63 * 12 / 72 * 2.54, left_cm - CELL_PAD_CM)
    _rule(left, max(name_cm * 0.45, 1.2), left_cm - CELL_PAD_CM)
    number_p = _para(left, number, size=13, align=centre)
    number_p.paragraph_format.space_before = Pt(6)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, align=centre, first=True)
    _para(right, MOTTO, bold=True, size=13, align=centre)
    _rule(right, MOTTO_RULE_CM, right_cm - CELL_PAD_CM)
    date_p = _para(right, dated, italic=True, size=14, align=centre)
    date_p.paragraph_format.space_before = Pt(6)


def _title(doc: DocxDocument, kind: str, subtitle: str) -> None:
    head = _para(doc, kind, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    head.paragraph_format.space_before = Pt(24)
    _para(doc, subtitle, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(doc, 3.5, TEXT_CM).paragraph_format.space_after = Pt(18)


def _introduction(doc: DocxDocument, run: Run, year_text: str) -> None:
    decision = run.criteria.file.decision
    title = decision.title[:1].lower() + decision.title[1:]
    _para(doc, f"Căn cứ Quyết định số {decision.number} ngày {decision.date:%d/%m/%Y} của {decision.issuer} "
               f"{title};", BODY)
    _para(doc, f"Trên cơ sở hồ sơ tự chấm điểm của các cơ quan, đơn vị và kết quả thẩm định, kết quả chấm điểm, "
               f"xếp loại công tác dân vận chính quyền năm {year_text} của {format_vi(len(run.results))} cơ quan, "
               "đơn vị như sau:", BODY)
    if run.criteria.status != "official":
        # The criteria are a reconstruction: a reader must see that before any number.
        p = _para(doc, "", BODY)
        p.add_run("LƯU Ý: ").bold = True
        p.add_run(run.criteria.file.notice).italic = True
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(0.2)
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(8)
        _border(p, ["top", "left", "bottom", "right"], size=12, colour="C0392B", space=4)


def _results(doc: DocxDocument, run: Run, plan: list[_Section], pngs: Iterator[bytes]) -> None:
    cf = run.criteria.file
    _para(doc, "I. KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI THEO NHÓM ĐỐI TƯỢNG", HEAD1)
    for k, subject, charts in plan:
        rows = run.ranked[subject]
        scheme = run.criteria.scheme(subject)
        _para(doc, f"{k}. {scheme.name} ({format_vi(len(rows))} đơn vị)", HEAD2)
        shown = edges(rows, TABLE_LIMIT, TABLE_EDGE)
        which = f" ({TABLE_EDGE} đơn vị xếp đầu và {TABLE_EDGE} đơn vị xếp cuối)" if None in shown else ""
        _para(doc, f"a) Điểm tự chấm, điểm theo số liệu, điểm thẩm định và kết quả{which}:", BODY) \
            .paragraph_format.keep_with_next = True
        table = _table(doc, SUMMARY_CM)
        _head_row(table, SUMMARY_HEAD, CELL)
        c, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
        for r in shown:
            if r is None:  # the ranks left out: every unit is in the workbook
                _gap_row(table, f"… ({format_vi(len(rows) - 2 * TABLE_EDGE)} đơn vị, xem đầy đủ trong tệp Excel "
                                f"{XLSX}, sheet «Tổng hợp»)")
                continue
            tot = r.record(TOTAL_ID)
            has = r.unit.has_data  # a unit without data has no points to show, only its grade (as on the console)
            _data_row(table, [str(r.rank) if r.rank is not None else NO_VALUE, clean(r.unit.unit_name),
                              _num(tot.self_score), _num(tot.computed) if has else NO_VALUE, _num(tot.appraised),
                              format_vi(r.total) if has else NO_VALUE, r.grade_name], [c, left, c, c, c, c, c], CELL)
        counts, grades = _grades_of(rows, cf)
        tally = "; ".join(f"{name}: {format_vi(counts.get(gid, 0))} đơn vị" for gid, name in grades)
        _para(doc, f"b) Kết quả xếp loại: {tally}.", BODY).paragraph_format.space_before = Pt(6)
        for _, caption in charts:
            _picture(doc, next(pngs), caption)
        _changes(doc, run, rows)


_Section = tuple[int, str, list[tuple[chart.Chart, str]]]  # number, subject type, its charts with captions


def _chart_plan(run: Run) -> list[_Section]:
    """The numbered sections of part I (the subject types that have units), each with its charts."""
    subjects = [s for s in run.criteria.subjects if run.ranked.get(s)]
    return [(k, subject, _charts(run, k, subject)) for k, subject in enumerate(subjects, start=1)]


def _jobs(plan: list[_Section]) -> list[chart.Chart]:
    return [job for _, _, charts in plan for job, _ in charts]


def _charts(run: Run, k: int, subject: str) -> list[tuple[chart.Chart, str]]:
    """Section k's charts with their captions, in document order."""
    rows = run.ranked[subject]
    name = run.criteria.scheme(subject).name
    if len(rows) > CHART_LIMIT:
        # Hundreds of bars are unreadable at any size and cost seconds each: the spread over grades is what
        # a reader can take in at this scale.
        counts, grades = _grades_of(rows, run.criteria.file)
        return [(chart.Chart("grades", tuple((gid, grade, counts.get(gid, 0)) for gid, grade in grades)),
                 f"Biểu đồ {k}: Số đơn vị theo xếp loại ({name}, {format_vi(len(rows))} đơn vị)")]
    out = []
    for start in range(0, len(rows), chart.MAX_BARS):
        part = rows[start:start + chart.MAX_BARS]
        caption = f"Biểu đồ {k}: Tổng điểm các đơn vị, màu theo xếp loại ({name})"
        if len(rows) > chart.MAX_BARS:
            caption += f", hạng {start + 1}–{start + len(part)}"
        out.append((chart.totals(part), caption))
    return out


def chart_jobs(run: Run) -> list[chart.Chart]:
    """Every chart of the report, in document order: what reports.writer has drawn beside the workbook."""
    return _jobs(_chart_plan(run))


def _picture(doc: DocxDocument, png: bytes, caption: str) -> None:
    picture = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
    picture.paragraph_format.keep_with_next = True
    shape = picture.add_run().add_picture(io.BytesIO(png), width=Cm(16))
    shape._inline.docPr.set("descr", caption)  # alternative text for screen readers
    _para(doc, caption, CAPTION)


def _gap_row(table: Table, text: str) -> None:
    """One cell across the table, in place of the ranks left out."""
    cells = _add_row(table).cells
    cell = cells[0].merge(cells[-1])
    _para(cell, text, CELL, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def self_assessed(r: UnitResult) -> bool:
    """Whether the unit self-scored every criterion: a total of a few self-scores is no self-assessment to
    grade (a consolidated sheet's one tu_cham column gave every commune «tự chấm 4 điểm (Yếu)»)."""
    return r.record(TOTAL_ID).self_score is not None and all(rec.self_score is not None for rec in r.leaves())


def _changes(doc: DocxDocument, run: Run, rows: Sequence[UnitResult]) -> None:
    """Units whose final grade differs from the grade their complete self-assessment would give, with the
    overriding condition when one decided it. The cause may be the data, an appraisal or a condition: the
    heading claims no more than the difference."""
    cf = run.criteria.file
    lines: list[str] = []
    changed = partial = 0
    for r in rows:
        own = r.record(TOTAL_ID).self_score
        if own is None:  # nothing self-assessed: nothing to compare
            continue
        if not self_assessed(r):
            partial += 1
            continue
        claimed = band_for(cf, own)
        if claimed.id != r.grade_id:
            changed += 1
            if len(lines) < CHANGES_LIMIT:  # counted beyond the limit, not written: a list of thousands helps no one
                why = f" (điều kiện: {'; '.join(o.title for o in r.overrides)})" if r.overrides else ""
                lines.append(f"- {clean(r.unit.unit_name)}: tự chấm {format_vi(own)} điểm ({claimed.name}), "
                             f"kết quả {format_vi(r.total)} điểm ({r.grade_name}){why}.")
    if changed > len(lines):
        lines.append(f"- … và {format_vi(changed - len(lines))} đơn vị khác (tổng cộng {format_vi(changed)} đơn vị "
                     f"thay đổi xếp loại; điểm tự chấm và kết quả của từng đơn vị có trong tệp {TRACE}).")
    if partial:
        lines.append(f"- {format_vi(partial)} đơn vị chỉ tự chấm một phần các tiêu chí: không so sánh xếp loại.")
    head = "c) Đơn vị có xếp loại khác xếp loại theo điểm tự chấm: " + ("" if lines else "Không có.")
    p = _para(doc, head.rstrip(), BODY)
    if lines:
        p.paragraph_format.keep_with_next = True
    for line in lines:
        _para(doc, line, BODY)


def _grades_of(results: Sequence[UnitResult], cf: CriteriaFile) -> tuple[Counter[str], list[tuple[str, str]]]:
    """Units per grade id, and the grades a tally lists: every grade, the ungraded one only when it has units."""
    counts = Counter(r.grade_id for r in results)
    return counts, [(gid, name) for gid, name in cf.grade_order() if gid != cf.ungraded.id or counts.get(gid)]


def _overall(doc: DocxDocument, run: Run) -> None:
    cf = run.criteria.file
    results = run.results
    counts, grades = _grades_of(results, cf)
    _para(doc, "II. TỔNG HỢP CHUNG", HEAD1)
    tally = "; ".join(f"{name}: {format_vi(counts.get(gid, 0))}" for gid, name in grades)
    _para(doc, f"Tổng số {format_vi(len(results))} cơ quan, đơn vị được chấm điểm, xếp loại; trong đó {tally}.", BODY)
    first, count = 5.6, 2.2
    rest = (TEXT_CM - 0.2 - first - count) / len(grades)
    table = _table(doc, (first, count, *([rest] * len(grades))))
    _head_row(table, ["Nhóm đối tượng", "Số đơn vị", *[name for _, name in grades]], CELL)
    c, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    aligns = [left, c, *([c] * len(grades))]
    for subject in run.criteria.subjects:
        rows = run.ranked.get(subject)
        if rows:
            sub = Counter(r.grade_id for r in rows)
            _data_row(table, [run.criteria.scheme(subject).name, format_vi(len(rows)),
                              *[format_vi(sub.get(gid, 0)) for gid, _ in grades]], aligns, CELL)
    _data_row(table, ["Cộng", format_vi(len(results)), *[format_vi(counts.get(gid, 0)) for gid, _ in grades]],
              aligns, CELL, bold=True)
    _para(doc).paragraph_format.space_after = Pt(6)


def _closing(doc: DocxDocument) -> None:
    """'Nơi nhận' on the left and the signature block on the right, in one borderless row kept whole."""
    table = _table(doc, (8.0, TEXT_CM - 8.0), borders=False)
    left, right = _add_row(table).cells
    label = _para(left, "Nơi nhận:", bold=True, italic=True, size=12, first=True)
    label.paragraph_format.space_before = Pt(6)
    for line in ("- Như trên;", "- Lưu: VT."):
        _para(left, line, size=11)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    sign = _para(right, "TRƯỞNG PHÒNG", bold=True, size=14, align=centre, first=True)
    sign.paragraph_format.space_before = Pt(6)
    for _ in range(4):
        _para(right)
    _para(right, "(Ký, ghi rõ họ tên)", italic=True, size=13, align=centre)


def _appendix(doc: DocxDocument, run: Run, attached: str) -> None:
    head = _para(doc, "PHỤ LỤC", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    head.paragraph_format.page_break_before = True
    _para(doc, "Chi tiết điểm theo tiêu chí của từng đơn vị", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    tail = _para(doc, attached, italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    tail.paragraph_format.space_after = Pt(12)
    results = run.results
    if len(results) > DETAIL_LIMIT:
        # A page or two per unit would make thousands of pages nobody prints; the detail is in the other files.
        _para(doc, f"Báo cáo gồm {format_vi(len(results))} cơ quan, đơn vị (nhiều hơn {format_vi(DETAIL_LIMIT)}) nên "
                   "phụ lục không in bảng điểm chi tiết của từng đơn vị. Điểm tự chấm, điểm theo số liệu, điểm thẩm "
                   f"định và kết quả theo từng tiêu chí của mọi đơn vị có trong tệp Excel {XLSX}, sheet «Đối "
                   f"chiếu»; diễn giải và căn cứ của từng điểm có trong tệp {TRACE}; diễn giải một đơn vị: lệnh "
                   "qd274 explain THƯ_MỤC --don-vi \"tên hoặc mã đơn vị\".", BODY)
        return
    c, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    aligns = [left, left, c, c, c, c, c]
    for n, r in enumerate(results, start=1):
        scheme = run.criteria.scheme(r.unit.subject)
        # Each unit from a new page: its pages can be copied and sent back to the unit on their own.
        _para(doc, f"{n}. {clean(r.unit.unit_name)}", HEAD2).paragraph_format.page_break_before = n > 1
        peers = len(run.ranked.get(r.unit.subject, []))
        place = f"hạng {r.rank}/{peers}" if r.rank is not None else "không xếp hạng"
        ungraded = r.grade_id == run.criteria.file.ungraded.id  # «xếp loại Không xếp loại» says it twice
        grade = "không xếp loại" if ungraded else f"xếp loại {r.grade_name}"
        result = (f"{format_vi(r.total)} điểm, {grade}" if r.unit.has_data else
                  f"không có số liệu và điểm tự chấm, {grade}")
        summary = _para(doc, f"{scheme.name}. Kết quả: {result}, {place}.", BODY)
        summary.paragraph_format.keep_with_next = True
        for o in r.overrides:
            _para(doc, f"Điều kiện xếp loại: {_override(run, r, o)}.", BODY).paragraph_format.keep_with_next = True
        table = _table(doc, DETAIL_CM)
        _head_row(table, DETAIL_HEAD, CELL_SMALL)
        for rec in r.records:  # the tree in pre-order, then the base and final totals
            strong = rec.level in (GROUP, TOTAL)
            code = "" if rec.criterion_id in (BASE_ID, TOTAL_ID) else rec.criterion_id
            _data_row(table, [code, rec.title, format_vi(rec.max), _num(rec.self_score), _num(rec.computed),
                              _num(rec.appraised), format_vi(rec.points)], aligns, CELL_SMALL, bold=strong,
                      indent_cm=0.35 * max(rec.depth - 1, 0))
        _para(doc).paragraph_format.space_after = Pt(6)


def _override(run: Run, r: UnitResult, o: FiredOverride) -> str:
    """An overriding condition in words: its title, the unit's value that set it off, its effect on the grade."""
    why, _, effect = o.sentence.partition(" → ")
    reading = r.unit.values.get(o.indicator) if o.indicator else None
    if reading is not None and o.indicator in run.criteria.indicators:  # the indicator's label, not its id
        why = f"{run.criteria.indicators[o.indicator].label}: {show_value(reading.value)}"
    return f"{o.title} ({why}) → {effect}" if effect else o.title
