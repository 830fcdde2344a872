"""Criteria ⇄ Excel: export an editable workbook; import it back into the JSON file after full validation.

Only wording, points, thresholds, grade bands, labels and the decision block are editable: the structure
(ids, rule kinds, indicator ids) stays as it is in the JSON, so an edit can never silently rewire a rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..atomic import via_memory, write_atomic
from ..ooxml_text import literal
from ..trace import plain
from .load import Criteria, decode

GUIDE, CRITERIA, PARAMS, GRADES, INDICATORS, DECISION = (
    "Hướng dẫn", "Tiêu chí", "Tham số", "Xếp loại", "Chỉ tiêu", "Quyết định")
_STRUCTURE_KEYS = {"kind", "input", "numerator", "no_cases"}  # not editable here: they wire the rule
# The top-level fields the «Quyết định» sheet shows, in its order: the only ones its import may change.
# Each sheet's header row: the import reads a column by its place, so it checks them first (a column inserted
# or moved would otherwise put one field's values into another).
HEADERS = {
    CRITERIA: ("doi_tuong", "ma_tieu_chi", "cap", "ten_tieu_chi", "diem_toi_da", "quy_tac", "phu_luc", "muc",
               "tinh_trang", "ghi_chu_nguon"),
    PARAMS: ("doi_tuong", "ma_tieu_chi", "tham_so", "gia_tri"),
    GRADES: ("ma", "ten", "tu_diem", "duoi_diem"),
    INDICATORS: ("ma", "kieu", "nhan"),
    DECISION: ("truong", "gia_tri"),
}
DECISION_FIELDS = ("status", "notice", "version", "decision.status", "decision.url", "decision.last_verified.on",
                   "decision.last_verified.by", "decision.last_verified.note")


def editable_parameters(rule: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """A rule's editable parameters, path → (container, key): the rows the export writes to «Tham số» and
    the only paths its import may change. Left out: the keys that wire the rule (kind, the indicators it
    reads, no_cases) and a denominator that names an indicator (a number denominator is a parameter)."""
    out: dict[str, tuple[Any, Any]] = {}

    def visit(container: Any, key: Any, path: str) -> None:
        value = container[key]
        if isinstance(value, dict):
            for k in value:
                if k not in _STRUCTURE_KEYS:
                    visit(value, k, f"{path}.{k}")
        elif isinstance(value, list):
            for i in range(len(value)):
                visit(value, i, f"{path}[{i}]")
        elif not (key == "denominator" and isinstance(value, str)):
            out[path.lstrip(".")] = (container, key)

    visit({"": rule}, "", "")
    return out


def walk_nodes(nodes: list[dict[str, Any]], depth: int = 0) -> list[tuple[dict[str, Any], int]]:
    out = []
    for n in nodes:
        out.append((n, depth))
        out += walk_nodes(n.get("children", []), depth + 1)
    return out


def export_excel(criteria: Criteria, target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    doc = decode(criteria.raw, criteria.path)  # the bytes that were validated, not a second read
    wb = Workbook()
    edit = PatternFill("solid", fgColor="FFF9E5")
    bold = Font(bold=True)
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE
    for line in ("Sửa bộ tiêu chí mà không cần lập trình:",
                 "1. Chỉ sửa các ô màu vàng (tên, điểm, ngưỡng, mức xếp loại, tình trạng, ghi chú nguồn).",
                 "2. Không sửa mã, không thêm/xóa dòng: cấu trúc tiêu chí giữ nguyên theo tệp JSON.",
                 "3. Nhập lại: qd274 criteria --nhap <tệp này>. Chương trình kiểm tra đầy đủ (tổng điểm, ngưỡng, "
                 "mức xếp loại…) và chỉ ghi tệp JSON khi không có lỗi.",
                 "4. Khi đã đối chiếu với phụ lục chính thức, đổi «tình trạng» thành official ở sheet «Quyết định» và "
                 "ở từng tiêu chí đã đối chiếu.",
                 f"Tệp nguồn: {Path(criteria.path).name} (SHA-256 {criteria.sha256})."):
        guide.append([line])
    guide.column_dimensions["A"].width = 120

    def sheet(title: str, rows: list[list[Any]], editable: set[int], widths: list[int]) -> None:
        ws = wb.create_sheet(title)
        ws.append(HEADERS[title])
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append(row)
            for c in ws[ws.max_row]:
                if isinstance(c.value, str):
                    # "_x0041_" would read back as «A» (ooxml_text): written escaped, it reads back as typed
                    c.value = literal(c.value)
                    c.data_type = "s"  # text, always: openpyxl makes «=Hoàn thành…» a live formula otherwise
            for col in editable:
                ws.cell(ws.max_row, col).fill = edit
        for n, w in enumerate(widths, start=1):
            ws.column_dimensions[chr(64 + n)].width = w
        ws.freeze_panes = "A2"

    crit_rows, param_rows = [], []
    for subject, scheme in doc["schemes"].items():
        for node, depth in walk_nodes(scheme["criteria"]):
            src = node["source"]
            crit_rows.append([subject, node["id"], depth, node["title"], plain(node["max"]),
                              node.get("rule", {}).get("kind", "nhóm"), src["annex"], src["section"], src["status"],
                              src["note"]])
            if "rule" in node:
                for path, (holder, key) in editable_parameters(node["rule"]).items():
                    param_rows.append([subject, node["id"], path, plain(holder[key])])
    sheet(CRITERIA, crit_rows, {4, 5, 9, 10}, [10, 11, 5, 70, 11, 16, 12, 8, 14, 60])
    sheet(PARAMS, param_rows, {4}, [10, 11, 28, 12])
    sheet(GRADES,
          [[g["id"], g["name"], plain(g["min"]), plain(g["below"])] for g in doc["grades"]], {2, 3, 4},
          [14, 16, 10, 10])
    sheet(INDICATORS, [[i["id"], i["type"], i["label"]] for i in doc["indicators"]],
          {3}, [28, 8, 100])
    decision_rows = []
    for name in DECISION_FIELDS:
        holder = locate(doc, name)
        assert holder is not None  # the file was loaded: every field is there
        decision_rows.append([name, holder[0][holder[1]]])
    sheet(DECISION, decision_rows, {2}, [30, 100])
    return write_atomic(target, via_memory(wb.save))


def import_excel(source: Path, target: Path, *, overwrite: bool = False) -> int:
    """Apply the edited cells to the JSON file (see excel_import); the number of values changed."""
    from .excel_import import import_excel as run

    return run(source, target, overwrite=overwrite)


def locate(root: Any, path: str) -> tuple[Any, Any] | None:
    """The (container, key) a dotted path with [i] indexes names, or None."""
    if root is None:
        return None
    parts = [p for chunk in path.replace("]", "").split(".") for p in chunk.split("[") if p != ""]
    node = root
    try:
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
        node[last]
        return node, last
    except (KeyError, IndexError, ValueError, TypeError):
        return None
