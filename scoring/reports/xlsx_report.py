"""The summary workbook ket_qua_cham_diem.xlsx: summary with live formulas (and cached values), detail per
subject, self/computed/appraised comparison, problems, the flat trace, and the manifest."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..atomic import write_atomic
from ..criteria import Criterion
from ..criteria.validate import walk
from ..pipeline import Run
from ..trace import LEAF, STATUS_VI, plain
from .package import FIXED_TIME, normalize_package

POINTS = "#,##0.00"  # shown with the reader's own separators: 1.234,50 on a Vietnamese Windows
GRADE_FILL = {"tot": "C6EFCE", "kha": "DDEBF7", "trung_binh": "FFEB9C", "yeu": "FFC7CE", "khong_xep_loai": "E7E6E6"}
SHORT_NAMES = {"huyen": "Huyện", "xa": "Xã, thị trấn", "co_quan": "Cơ quan"}  # sheet names (31 chars max)
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")


def put_text(cell: Cell | MergedCell, value: object) -> None:
    """Text from inputs is stored as a string cell: "=1+1", "+84…", "@x" are never taken as formulas."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"


def _put_num(cell: Cell | MergedCell, value: Decimal | None) -> None:
    if value is not None:
        cell.value = value
        cell.number_format = POINTS


def _header(ws: Worksheet, names: list[str], widths: list[int] | None = None) -> None:
    for n, name in enumerate(names, start=1):
        c = ws.cell(1, n)
        put_text(c, name)
        c.font, c.fill = _BOLD, _HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(n)].width = (widths[n - 1] if widths and n <= len(widths) else 12)
    ws.freeze_panes = "A2"


def _sheet_title(text: str) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text[:31]


def write_xlsx(run: Run, target: Path) -> Path:
    wb = Workbook()
    wb.properties.creator = "qd274"
    wb.properties.created = wb.properties.modified = dt.datetime(*FIXED_TIME)
    summary = wb.active
    assert summary is not None
    summary.title = "Tổng hợp"
    cached: dict[int, dict[str, str]] = {}  # sheet index → formula cell → cached value
    details = _details(wb, run)
    _summary(summary, run, details, cached.setdefault(0, {}))
    _comparison(wb.create_sheet("Đối chiếu"), run)
    _problems(wb.create_sheet("Kiểm tra"), run)
    _trace(wb.create_sheet("Truy vết"), run)
    _manifest(wb.create_sheet("Thông tin"), run)

    def save(tmp: Path) -> None:
        wb.save(tmp)
        order = [ws.title for ws in wb.worksheets]
        parts = {f"xl/worksheets/sheet{order.index(wb.worksheets[i].title) + 1}.xml": cells
                 for i, cells in cached.items()}
        normalize_package(tmp, parts)

    return write_atomic(target, save)


def _details(wb: Workbook, run: Run) -> dict[str, tuple[str, dict[str, int], dict[str, int]]]:
    """One sheet per subject: final points per leaf. Returns, per subject, (sheet, unit row, leaf column)."""
    out = {}
    for subject in run.criteria.subjects:
        rows = run.ranked.get(subject)
        if not rows:
            continue
        scheme = run.criteria.scheme(subject)
        ws = wb.create_sheet(_sheet_title(SHORT_NAMES.get(subject, scheme.name)))
        leaves = [n for n, _, _ in walk(scheme.criteria, "") if n.is_leaf]
        _header(ws, ["Hạng", "Mã", "Đơn vị", *[n.id for n in leaves]], [6, 10, 28])
        cols = {}
        for k, node in enumerate(leaves, start=4):
            ws.cell(1, k).comment = Comment(f"{node.title} (tối đa {node.max})", "qd274")
            cols[node.id] = k
        unit_rows = {}
        for r, res in enumerate(rows, start=2):
            ws.cell(r, 1, res.rank)
            put_text(ws.cell(r, 2), res.unit.unit_id)
            put_text(ws.cell(r, 3), res.unit.unit_name)
            for node in leaves:
                _put_num(ws.cell(r, cols[node.id]), res.record(node.id).points)
            unit_rows[res.unit.unit_id] = r
        ws.auto_filter.ref = ws.dimensions
        out[subject] = (ws.title, unit_rows, cols)
    return out


def _leaf_span(group: Criterion, cols: dict[str, int]) -> tuple[int, int]:
    ids = [n.id for n, _, _ in walk((group,), "") if n.is_leaf]
    return min(cols[i] for i in ids), max(cols[i] for i in ids)


def _summary(ws: Worksheet, run: Run, details: dict[str, tuple[str, dict[str, int], dict[str, int]]],
             cached: dict[str, str]) -> None:
    base_ids: list[str] = []
    for s in run.criteria.subjects:
        for g in run.criteria.scheme(s).criteria:
            if g.group == "base" and g.id not in base_ids:
                base_ids.append(g.id)
    heads = ["Đối tượng", "Hạng", "Mã", "Đơn vị", *base_ids, "Điểm cơ bản", "Điểm thưởng", "Điểm trừ", "Tổng điểm",
             "Xếp loại"]
    _header(ws, heads, [22, 6, 10, 30] + [8] * len(base_ids) + [11, 11, 10, 11, 15])
    lo, hi = run.criteria.file.score_range.min, run.criteria.file.score_range.max
    r = 2
    for subject in run.criteria.subjects:
        if subject not in details:
            continue
        sheet, unit_rows, cols = details[subject]
        scheme = run.criteria.scheme(subject)
        for res in run.ranked[subject]:
            dr = unit_rows[res.unit.unit_id]
            put_text(ws.cell(r, 1), scheme.name)
            ws.cell(r, 2, res.rank)
            put_text(ws.cell(r, 3), res.unit.unit_id)
            put_text(ws.cell(r, 4), res.unit.unit_name)
            first_total_col = 5 + len(base_ids)

            def formula(col: int, text: str, value: Decimal, row: int = r) -> None:
                ref = f"{get_column_letter(col)}{row}"
                ws[ref] = text
                ws[ref].number_format = POINTS
                cached[ref] = str(value)

            group_cells = []
            for g in scheme.criteria:
                a, b = _leaf_span(g, cols)
                span = f"'{sheet}'!{get_column_letter(a)}{dr}:{get_column_letter(b)}{dr}"
                if g.group == "base":
                    col = 5 + base_ids.index(g.id)
                    formula(col, f"=SUM({span})", res.record(g.id).points)
                    group_cells.append(f"{get_column_letter(col)}{r}")
                elif g.group == "bonus":
                    formula(first_total_col + 1, f"=MIN({g.max},SUM({span}))", res.bonus)
                else:
                    formula(first_total_col + 2, f"=MIN({g.max},SUM({span}))", res.deduction)
            formula(first_total_col, f"=SUM({','.join(group_cells)})", res.base)
            b_ref, c_ref, d_ref = (f"{get_column_letter(first_total_col + k)}{r}" for k in (0, 1, 2))
            formula(first_total_col + 3, f"=MAX({lo},MIN({hi},{b_ref}+{c_ref}-{d_ref}))", res.total)
            grade = ws.cell(r, first_total_col + 4)
            put_text(grade, res.grade_name)
            grade.fill = PatternFill("solid", fgColor=GRADE_FILL.get(res.grade_id, "FFFFFF"))
            r += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(r - 1, 1)}"


def _comparison(ws: Worksheet, run: Run) -> None:
    _header(ws, ["Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Tiêu chí", "Tự chấm", "Theo số liệu", "Thẩm định",
                 "Kết quả", "Tự chấm − kết quả", "Tình trạng", "Lý do thẩm định"],
            [10, 26, 9, 50, 9, 11, 10, 9, 12, 16, 40])
    r = 2
    for res in run.results:
        for rec in res.records:
            if rec.level != LEAF or (rec.self_score is None and rec.appraised is None):
                continue
            put_text(ws.cell(r, 1), res.unit.unit_id)
            put_text(ws.cell(r, 2), res.unit.unit_name)
            put_text(ws.cell(r, 3), rec.criterion_id)
            put_text(ws.cell(r, 4), rec.title)
            for col, value in ((5, rec.self_score), (6, rec.computed), (7, rec.appraised), (8, rec.points)):
                _put_num(ws.cell(r, col), value)
            if rec.self_score is not None:
                _put_num(ws.cell(r, 9), rec.self_score - rec.points)
            put_text(ws.cell(r, 10), STATUS_VI.get(rec.status, rec.status))
            put_text(ws.cell(r, 11), rec.reason)
            r += 1
    ws.auto_filter.ref = f"A1:K{max(r - 1, 1)}"


def _problems(ws: Worksheet, run: Run) -> None:
    _header(ws, ["Mức", "Mã lỗi", "Đơn vị", "Tệp", "Sheet", "Ô", "Trường", "Nội dung"], [9, 24, 10, 30, 12, 6, 24, 90])
    labels = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}
    for r, p in enumerate(run.problems, start=2):
        loc = p.location
        for col, value in enumerate((labels.get(p.severity, p.severity), p.code, p.unit_id, loc.file, loc.sheet,
                                     loc.cell, loc.field, p.message), start=1):
            put_text(ws.cell(r, col), value)
    ws.auto_filter.ref = f"A1:H{max(len(run.problems) + 1, 1)}"


def _trace(ws: Worksheet, run: Run) -> None:
    _header(ws, ["Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Cấp", "Quy tắc", "Số liệu đọc (ô nguồn)", "Tham số",
                 "Căn cứ", "Diễn giải", "Điểm", "Tối đa"], [10, 24, 9, 7, 14, 50, 40, 30, 70, 8, 8])
    r = 2
    for res in run.results:
        for rec in res.records:
            d = rec.to_dict()
            reads = "; ".join(f"{i['indicator']} = {_show(i['value'])}" + (f" [{_where(i['origin'])}]" if i["origin"]
                                                                         else "") for i in d["inputs"])
            params = json.dumps(d["params"], ensure_ascii=False) if d["params"] is not None else ""
            for col, value in enumerate((res.unit.unit_id, res.unit.unit_name, rec.criterion_id, rec.level,
                                         rec.kind, reads, params, rec.citation, d["sentence"]), start=1):
                put_text(ws.cell(r, col), value)
            _put_num(ws.cell(r, 10), rec.points)
            _put_num(ws.cell(r, 11), rec.max)
            r += 1
    ws.auto_filter.ref = f"A1:K{max(r - 1, 1)}"


def _show(value: Any) -> str:
    if value is None:
        return "trống"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return str(value)


def _where(origin: dict[str, str]) -> str:
    parts = [origin.get("file"), origin.get("sheet"), f"ô {origin['cell']}" if origin.get("cell") else None]
    return " › ".join(p for p in parts if p)


def _manifest(ws: Worksheet, run: Run) -> None:
    _header(ws, ["Mục", "Giá trị"], [28, 100])
    m = run.manifest()
    rows: list[tuple[str, Any]] = [
        ("Lưu ý", run.criteria.file.notice if run.criteria.status != "official" else ""),
        ("Chương trình", f"{m['engine']['name']} {m['engine']['version']}"),
        ("Bộ tiêu chí", f"{m['criteria']['file']} ({m['criteria']['id']}, phiên bản {m['criteria']['version']}, "
                        f"tình trạng {m['criteria']['status']})"),
        ("SHA-256 bộ tiêu chí", m["criteria"]["sha256"]),
        ("Quyết định", m["criteria"]["decision"]), ("Năm đánh giá", m["year"]),
        ("Danh sách đơn vị", m["registry"]), ("Thời điểm chạy", m["generated_at"])]
    rows += [(f"Tệp đầu vào: {f['file']}", f"SHA-256 {f['sha256']} · {f['bytes']} byte · {f['kind']}")
             for f in m["inputs"]]
    for r, (k, v) in enumerate(rows, start=2):
        put_text(ws.cell(r, 1), k)
        put_text(ws.cell(r, 2), plain(v))
