"""Generates the per-unit Excel form from the criteria file: guide, unit info, indicators, scores, meta."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..atomic import via_memory, write_atomic
from ..criteria import Criteria, Criterion
from ..criteria.models import Judgement, RatioLinear, RatioTiers
from ..criteria.validate import walk
from ..errors import Qd274Error
from ..names import clean
from ..numbers import format_vi
from ..readers.limits import MAX_NAME_CHARS
from ..readers.parse import quote
from ..registry import RegisteredUnit
from ..reports.package import FIXED_TIME, normalize_package
from ..safe_paths import nearest_existing
from ..scores import score_step
from . import layout as L

_BOLD = Font(name="Times New Roman", bold=True, size=12)
_NORMAL = Font(name="Times New Roman", size=12)
_TITLE = Font(name="Times New Roman", bold=True, size=14)
_INPUT = PatternFill("solid", fgColor="FFF9E5")  # pale yellow: cells to fill
_GROUP = PatternFill("solid", fgColor="E8EEF7")
_GREY = PatternFill("solid", fgColor="EDEDED")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
# The decision's date: forms carry no run time. write_form's normalisation fixes it anyway; the demo builder
# (scripts/build_demo.py) saves build_form's workbook its own way and relies on this.


def build_form(criteria: Criteria, subject: str, year: int, unit: RegisteredUnit | None = None) -> Workbook:
    wb = Workbook()
    wb.properties.creator = "qd274"
    wb.properties.created = wb.properties.modified = dt.datetime(*FIXED_TIME)
    guide = wb.active
    assert guide is not None
    guide.title = L.GUIDE
    _guide(guide, criteria, subject, year)
    _info(wb.create_sheet(L.INFO), subject, year, unit)
    _data(wb.create_sheet(L.DATA), criteria, subject)
    _scores(wb.create_sheet(L.SCORES), criteria, subject)
    _meta(wb.create_sheet(L.META), criteria, subject, year, unit)
    return wb


class TemplateError(Qd274Error, ValueError):
    """A form or template that must not be written (a device where the file would go, a unit whose form
    qd274 check would refuse): the message says what, where and how to fix it."""


def write_form(path: Path, criteria: Criteria, subject: str, year: int, unit: RegisteredUnit | None = None) -> Path:
    """Write the form to `path` (atomically). Raises TemplateError, writing nothing, when `path` is a folder or
    a device, FIFO or socket (never replaced by a file), or when `unit` cannot make a valid form (unit_problems)."""
    if unit is not None and (problems := unit_problems([unit])):
        raise TemplateError(problems[0])
    refuse_target(path)
    wb = build_form(criteria, subject, year, unit)

    def save(tmp: Path) -> None:
        via_memory(wb.save)(tmp)  # a full disk leaves no open zip behind (scoring.atomic)
        normalize_package(tmp)  # same criteria and unit → same bytes

    return write_atomic(path, save)


def unit_problems(units: Iterable[RegisteredUnit]) -> list[str]:
    """One Vietnamese line per unit whose code or name cannot make a form that qd274 check accepts (empty, or
    longer than MAX_NAME_CHARS, which the reader refuses as NAME_TOO_LONG); [] when every unit can."""
    lines = []
    for u in units:
        who = f"Đơn vị mã {quote(u.code)} (tên {quote(u.name)}, đối tượng {u.subject})"
        for what, text in (("mã", u.code), ("tên", u.name)):
            length = len(clean(text))
            if not length:
                lines.append(f"{who}: {what} đơn vị trống. Ghi {what} đơn vị vào danh sách đơn vị rồi chạy lại.")
            elif length > MAX_NAME_CHARS:
                lines.append(f"{who}: {what} đơn vị dài {format_vi(length)} ký tự (quá {MAX_NAME_CHARS}): qd274 check "
                             f"sẽ từ chối biểu này (không phải {what} một đơn vị). Sửa {what} đơn vị trong danh sách "
                             "đơn vị rồi chạy lại.")
    return lines


def template_out_problem(out: Path, folder: bool, *, consolidated: bool = False) -> str | None:
    """Why `qd274 template` cannot write to `out`, in Vietnamese; None when it can. Worked out before any work.

    `folder=True` (--don-vi): `out` is the folder the forms go to; it must be a folder or not exist yet.
    `folder=False`: `out` is one file, a form (.xlsx) or with `consolidated=True` the consolidated template
    (.xlsx, or .csv: write_consolidated_template picks the format by the suffix). Call it for each path of
    safe_paths.unique_paths too: a folder or a device already there under a unit's file name is caught."""
    if folder:
        if out.exists() and not out.is_dir():
            return (f"«{out}» đã có và không phải thư mục: với --don-vi, --out là thư mục chứa một biểu cho mỗi "
                    "đơn vị. Chọn một thư mục (chưa có thì qd274 tạo).")
        return _ancestor_problem(out)
    if problem := _target_problem(out):
        if out.is_dir():
            example = "tong_hop.xlsx" if consolidated else "bieu.xlsx"
            more = "" if consolidated else " (hoặc dùng thêm --don-vi để tạo một biểu cho mỗi đơn vị vào thư mục này)"
            return f"«{out}» là một thư mục: --out cần tên một tệp, ví dụ «{out / example}»{more}."
        return problem
    suffix = out.suffix.lower()
    if consolidated and suffix not in (".xlsx", ".csv"):
        return (f"bảng tổng hợp được ghi dạng Excel (.xlsx) hoặc CSV (.csv) theo đuôi tệp, nhưng «{out}» "
                f"{_suffix_vi(out)}: qd274 không đọc lại được tệp này. Đặt tên {_as_xlsx(out)}.")
    if not consolidated and suffix != ".xlsx":
        return (f"biểu là một bảng tính Excel (.xlsx), nhưng «{out}» {_suffix_vi(out)}: qd274 chỉ đọc biểu có đuôi "
                f".xlsx. Đặt tên {_as_xlsx(out)}.")
    return None


def refuse_target(path: Path) -> None:
    """Raise TemplateError when a file must not be written at `path`: os.replace would swap a device (as root:
    /dev/null itself), a FIFO or a socket for a regular file, and cannot replace a folder."""
    if problem := _target_problem(path):
        raise TemplateError(problem)


def _target_problem(path: Path) -> str | None:
    if path.is_dir():
        return (f"«{path}» là một thư mục, không phải tệp: qd274 không ghi đè lên nó. Đổi tên hoặc xóa thư mục đó, "
                "hoặc chọn đường dẫn khác cho --out.")
    if path.exists() and not path.is_file():
        return (f"«{path}» đã có nhưng không phải tệp thường (là thiết bị, FIFO hay socket): qd274 không ghi đè lên "
                "nó. Chọn đường dẫn khác cho --out.")
    return _ancestor_problem(path)


def _ancestor_problem(target: Path) -> str | None:
    """The nearest existing folder above `target` must be a folder: under a file no folder can be made."""
    existing = nearest_existing(target.parent)
    if existing.exists() and not existing.is_dir():
        return (f"«{existing}» là một tệp, không phải thư mục: không ghi được «{target}» vào trong nó. Chọn đường "
                "dẫn khác cho --out.")
    return None


def _suffix_vi(path: Path) -> str:
    return f"có đuôi «{path.suffix}»" if path.suffix else "không có đuôi tệp"


def _as_xlsx(path: Path) -> str:
    try:
        return f"«{path.with_suffix('.xlsx')}»"
    except ValueError:  # a name such as «..» has no suffix to change
        return "có đuôi .xlsx"


def text_cell(ws: Worksheet, row: int, col: int, value: str | int | None) -> Cell:
    """ws.cell(row, col, value), a str kept as text: openpyxl stores «=…» as a formula, and a code, a name or a
    label from the registry or the criteria file («=1+1», «=HYPERLINK(…)») must never be one."""
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _title(ws: Worksheet, text: str, note: str, width: int) -> None:
    text_cell(ws, 1, 1, text).font = _TITLE  # the scheme's annex (criteria file) is part of one title
    text_cell(ws, 2, 1, note).font = Font(name="Times New Roman", italic=True, size=11, color="9C2A00")
    ws.cell(2, 1).alignment = _WRAP
    ws.row_dimensions[2].height = 48
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _headers(ws: Worksheet, columns: tuple[tuple[str, str, int], ...]) -> None:
    for n, (_, header, width) in enumerate(columns, start=1):
        c = text_cell(ws, L.HEADER_ROW, n, header)
        c.font, c.border, c.fill = _BOLD, _BOX, _GROUP
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[L.col_letter(n)].width = width
    ws.freeze_panes = f"A{L.FIRST_ROW}"


def _finish(ws: Worksheet, last_col: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"
    ws.print_options.gridLines = False
    # Labels are locked, inputs are not; no password: protection prevents accidents, not people.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _guide(ws: Worksheet, criteria: Criteria, subject: str, year: int) -> None:
    cf = criteria.file
    lines = [
        f"BIỂU TỰ CHẤM ĐIỂM CÔNG TÁC DÂN VẬN CHÍNH QUYỀN NĂM {year}",
        f"Theo Quyết định số {cf.decision.number} ngày {cf.decision.date:%d/%m/%Y} của {cf.decision.issuer}",
        f"Đối tượng: {criteria.scheme(subject).name} ({criteria.scheme(subject).annex})",
        "",
        "Cách điền biểu:",
        "1. Sheet «Thông tin»: ghi mã, tên đơn vị, người lập biểu, số điện thoại.",
        "2. Sheet «Số liệu»: mỗi dòng một chỉ tiêu. Điền cột «Giá trị» (ô màu vàng) theo đúng kiểu: "
        "Có/Không chọn trong danh sách; số nguyên ≥ 0; ngày dạng dd/mm/yyyy. "
        "Không rõ số liệu thì để trống (không ghi 0): ô trống được báo là «thiếu số liệu».",
        "   Ghi số, ngày văn bản làm tài liệu kiểm chứng ở cột bên cạnh. Với các tỷ lệ, nếu báo cáo của đơn vị "
        "có nêu tỷ lệ %, ghi vào cột «Tỷ lệ nêu trong báo cáo»: chương trình đối chiếu tỷ lệ này với số liệu.",
        "3. Sheet «Chấm điểm»: điền «Điểm tự chấm» cho từng tiêu chí (không vượt điểm tối đa; tiêu chí chấm "
        "theo đánh giá phải là bội của bước điểm). Các dòng nhóm tự cộng, không điền.",
        "   Cột «Điểm thẩm định» và «Lý do thẩm định» do cơ quan thẩm định điền.",
        "4. Không đổi tên sheet, không xóa cột, không sửa sheet ẩn: chương trình dựa vào đó để đọc biểu.",
        "",
        f"Lưu ý: {cf.notice}" if cf.status != "official" else "",
        f"Bộ tiêu chí: {cf.id}, phiên bản {cf.version}, tình trạng: {cf.status}.",
    ]
    for n, line in enumerate(lines, start=1):
        c = text_cell(ws, n, 1, line)  # the decision, the scheme, the notice: the criteria file's text
        c.font = _TITLE if n == 1 else (_BOLD if line.startswith(("Cách", "Lưu ý")) else _NORMAL)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 120
    _finish(ws, 1)


def _info(ws: Worksheet, subject: str, year: int, unit: RegisteredUnit | None) -> None:
    _title(ws, "THÔNG TIN ĐƠN VỊ", "Điền cột «Nội dung». Mã và tên đơn vị theo danh sách của Phòng Nội vụ.", 3)
    _headers(ws, L.INFO_COLUMNS)
    prefill: dict[str, str | int] = {"doi_tuong": subject, "nam": year}
    if unit:
        prefill |= {"ma_don_vi": unit.code, "ten_don_vi": unit.name}
    for n, (key, label) in enumerate(L.INFO_FIELDS, start=L.FIRST_ROW):
        text_cell(ws, n, 1, key).font = Font(name="Times New Roman", size=10, color="808080")
        text_cell(ws, n, 2, label).font = _BOLD
        c = text_cell(ws, n, 3, prefill.get(key))  # a registry code or name such as "=1+1" is text
        c.fill, c.protection, c.font, c.border = _INPUT, _UNLOCKED, _NORMAL, _BOX
        if key in ("doi_tuong", "nam"):
            c.fill, c.protection = _GREY, Protection(locked=True)
    _finish(ws, 3)


def _ratio_numerators(criteria: Criteria, subject: str) -> set[str]:
    return {c.rule.numerator for c in criteria.nodes[subject].values()
            if isinstance(c.rule, (RatioLinear, RatioTiers))}


def _data(ws: Worksheet, criteria: Criteria, subject: str) -> None:
    _title(ws, "SỐ LIỆU ĐẦU VÀO (CHỈ TIÊU)", "Ô màu vàng là ô cần điền. Để trống nếu không có số liệu "
           "(không ghi 0 thay cho «không rõ»).", len(L.DATA_COLUMNS))
    _headers(ws, L.DATA_COLUMNS)
    used = criteria.used_indicators[subject] | _override_indicators(criteria)
    numerators = _ratio_numerators(criteria, subject)
    dvs = {"bool": DataValidation(type="list", formula1='"Có,Không"', allow_blank=True),
           "int": DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True),
           "date": DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                                  formula2="DATE(2100,12,31)", allow_blank=True),
           "pct": DataValidation(type="decimal", operator="between", formula1="0", formula2="1000",
                                 allow_blank=True)}
    for kind, dv in dvs.items():
        dv.error = {"bool": "Chọn Có hoặc Không.", "int": "Cần số nguyên ≥ 0.", "date": "Cần ngày dd/mm/yyyy.",
                    "pct": "Cần một tỷ lệ % (ví dụ 92,75)."}[kind]
        dv.errorTitle, dv.showErrorMessage = "Giá trị không hợp lệ", True
        ws.add_data_validation(dv)
    row = L.FIRST_ROW
    for ind in criteria.file.indicators:  # the catalogue's order: the order of the report's sections
        if ind.id not in used:
            continue
        text_cell(ws, row, 1, ind.id).font = Font(name="Consolas", size=10)
        text_cell(ws, row, 2, ind.label).alignment = _WRAP
        text_cell(ws, row, 3, L.TYPE_VI[ind.type])
        value = ws.cell(row, 4)
        value.fill, value.protection, value.border = _INPUT, _UNLOCKED, _BOX
        if ind.type == "choice":
            # a quote in a choice ends Excel's string literal early, leaving the rest read as a formula: doubled
            listed = ",".join(ind.choices or ()).replace('"', '""')
            dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            dv.error, dv.showErrorMessage = "Chọn một giá trị trong danh sách.", True
            ws.add_data_validation(dv)
            dv.add(value)
        else:
            dvs[ind.type].add(value)
        if ind.type == "date":
            value.number_format = "dd/mm/yyyy"
        elif ind.type == "int":
            value.number_format = "#,##0"
        evidence = ws.cell(row, 5)
        evidence.fill, evidence.protection, evidence.alignment = _INPUT, _UNLOCKED, _WRAP
        pct = ws.cell(row, 6)
        if ind.id in numerators:
            pct.fill, pct.protection, pct.number_format = _INPUT, _UNLOCKED, "0.00"
            dvs["pct"].add(pct)
        else:
            pct.fill = _GREY
        for col in range(1, 7):
            ws.cell(row, col).border = _BOX
        for col in (2, 3):
            ws.cell(row, col).font = _NORMAL
        row += 1
    _finish(ws, len(L.DATA_COLUMNS))


def _override_indicators(criteria: Criteria) -> frozenset[str]:
    """Indicators the overriding conditions read, except those a submitted form implies."""
    implied = {i.id for i in criteria.file.indicators if i.implied_by_form is not None}
    return criteria.override_indicators - implied


def _scores(ws: Worksheet, criteria: Criteria, subject: str) -> None:
    scheme = criteria.scheme(subject)
    _title(ws, f"BẢNG TỰ CHẤM ĐIỂM ({scheme.annex.upper()})", "Điền «Điểm tự chấm» và tài liệu kiểm chứng "
           "cho từng tiêu chí lá; dòng nhóm tự cộng. Cột thẩm định do cơ quan thẩm định điền.",
           len(L.SCORE_COLUMNS))
    _headers(ws, L.SCORE_COLUMNS)
    places = criteria.file.rounding.places
    rows: dict[str, int] = {}
    nodes = list(walk(scheme.criteria, ""))
    for n, (node, _, _depth) in enumerate(nodes):
        rows[node.id] = L.FIRST_ROW + n
    for node, _, depth in nodes:
        r = rows[node.id]
        text_cell(ws, r, 1, node.id)
        title = text_cell(ws, r, 2, node.title)
        title.alignment = Alignment(wrap_text=True, vertical="top", indent=2 * depth)
        ws.cell(r, 3, node.max).number_format = "0.##"
        for col in range(1, 8):
            cell = ws.cell(r, col)
            cell.border = _BOX
            cell.font = _BOLD if not node.is_leaf else _NORMAL
        if node.is_leaf:
            _score_inputs(ws, r, node, places)
        else:
            _group_formulas(ws, r, node, rows)
    total = L.FIRST_ROW + len(nodes)
    text_cell(ws, total, 2, L.TOTAL_LABEL).font = _BOLD
    for col in (4, 6):
        letter = L.col_letter(col)
        terms = [f"{'-' if g.group == 'deduction' else '+'}{letter}{rows[g.id]}" for g in scheme.criteria]
        ws.cell(total, col, f"=MAX(0,MIN(100,{''.join(terms).lstrip('+')}))").font = _BOLD
    _finish(ws, len(L.SCORE_COLUMNS))


def _score_inputs(ws: Worksheet, r: int, node: Criterion, places: int) -> None:
    step = score_step(node, places)
    for col in (4, 5, 6, 7):
        cell = ws.cell(r, col)
        cell.fill, cell.protection = _INPUT, _UNLOCKED
        if col in (5, 7):
            cell.alignment = _WRAP
    for col in (4, 6):
        ref = f"{L.col_letter(col)}{r}"
        dv = DataValidation(type="custom", allow_blank=True,
                            formula1=f"AND({ref}>=0,{ref}<={node.max},MOD(ROUND({ref}/{step},6),1)=0)")
        kind = ("bội của " + str(step).replace(".", ",")) if isinstance(node.rule, Judgement) else \
            "tối đa 2 chữ số thập phân"
        dv.error = f"Điểm từ 0 đến {str(node.max).replace('.', ',')}, {kind}."
        dv.errorTitle, dv.showErrorMessage = "Điểm không hợp lệ", True
        ws.add_data_validation(dv)
        dv.add(ref)
        ws[ref].number_format = "0.00"


def _group_formulas(ws: Worksheet, r: int, node: Criterion, rows: dict[str, int]) -> None:
    self_col = L.col_letter(4)
    for col in (4, 6):
        letter = L.col_letter(col)
        if col == 6:  # the appraised total counts an unappraised leaf with its self-score, as the engine does
            inner = "+".join(f"IF(ISBLANK({letter}{rows[c.id]}),{self_col}{rows[c.id]},{letter}{rows[c.id]})"
                             if c.is_leaf else f"{letter}{rows[c.id]}" for c in node.children)
        else:
            inner = "+".join(f"{letter}{rows[c.id]}" for c in node.children)
        formula = f"=MIN({node.max},{inner})" if node.group in ("bonus", "deduction") else f"={inner}"
        cell = ws.cell(r, col, formula)
        cell.fill, cell.number_format = _GROUP, "0.00"
    for col in (1, 2, 3, 5, 7):
        ws.cell(r, col).fill = _GROUP


def _meta(ws: Worksheet, criteria: Criteria, subject: str, year: int, unit: RegisteredUnit | None) -> None:
    cf = criteria.file
    pairs: list[tuple[str, str | int]] = [
        ("format", L.FORMAT), ("criteria_id", cf.id), ("criteria_version", cf.version),
        ("criteria_status", cf.status), ("criteria_sha256", criteria.sha256), ("subject", subject),
        ("year", year), ("unit_code", unit.code if unit else "")]
    for n, (k, v) in enumerate(pairs, start=1):
        text_cell(ws, n, 1, k)
        text_cell(ws, n, 2, v)  # the unit code from the registry: «=1+1» stays text here too
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
