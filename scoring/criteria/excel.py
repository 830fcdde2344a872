"""Criteria ⇄ Excel: export an editable workbook; import it back into the JSON file after full validation.

Only wording, points, thresholds, grade bands, labels and the decision block are editable: the structure
(ids, rule kinds, indicator ids) stays as it is in the JSON, so an edit can never silently rewire a rule.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic
from ..errors import CriteriaError, CriteriaProblem, Location
from ..trace import plain
from .load import Criteria, parse_criteria

GUIDE, CRITERIA, PARAMS, GRADES, INDICATORS, DECISION = (
    "Hướng dẫn", "Tiêu chí", "Tham số", "Xếp loại", "Chỉ tiêu", "Quyết định")
_STRUCTURE_KEYS = {"kind", "input", "numerator", "no_cases"}  # not editable here: they wire the rule


def _flatten(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() if k not in _STRUCTURE_KEYS for kv in _flatten(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [kv for i, v in enumerate(value) for kv in _flatten(v, f"{path}[{i}]")]
    if path.endswith(".denominator") and isinstance(value, str):
        return []
    return [(path.lstrip("."), value)]


def _walk(nodes: list[dict[str, Any]], depth: int = 0) -> list[tuple[dict[str, Any], int]]:
    out = []
    for n in nodes:
        out.append((n, depth))
        out += _walk(n.get("children", []), depth + 1)
    return out


def export_excel(criteria: Criteria, target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    doc = json.loads(Path(criteria.path).read_text("utf-8"), parse_float=Decimal)
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

    def sheet(title: str, header: list[str], rows: list[list[Any]], editable: set[int], widths: list[int]) -> None:
        ws = wb.create_sheet(title)
        ws.append(header)
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append(row)
            for col in editable:
                ws.cell(ws.max_row, col).fill = edit
        for n, w in enumerate(widths, start=1):
            ws.column_dimensions[chr(64 + n)].width = w
        ws.freeze_panes = "A2"

    crit_rows, param_rows = [], []
    for subject, scheme in doc["schemes"].items():
        for node, depth in _walk(scheme["criteria"]):
            src = node["source"]
            crit_rows.append([subject, node["id"], depth, node["title"], _num(node["max"]),
                              node.get("rule", {}).get("kind", "nhóm"), src["annex"], src["section"], src["status"],
                              src["note"]])
            if "rule" in node:
                for path, value in _flatten(node["rule"], ""):
                    param_rows.append([subject, node["id"], path, _num(value)])
    sheet(CRITERIA, ["doi_tuong", "ma_tieu_chi", "cap", "ten_tieu_chi", "diem_toi_da", "quy_tac", "phu_luc", "muc",
                     "tinh_trang", "ghi_chu_nguon"], crit_rows, {4, 5, 9, 10}, [10, 11, 5, 70, 11, 16, 12, 8, 14, 60])
    sheet(PARAMS, ["doi_tuong", "ma_tieu_chi", "tham_so", "gia_tri"], param_rows, {4}, [10, 11, 28, 12])
    sheet(GRADES, ["ma", "ten", "tu_diem", "duoi_diem"],
          [[g["id"], g["name"], _num(g["min"]), _num(g["below"])] for g in doc["grades"]], {2, 3, 4}, [14, 16, 10, 10])
    sheet(INDICATORS, ["ma", "kieu", "nhan"], [[i["id"], i["type"], i["label"]] for i in doc["indicators"]],
          {3}, [28, 8, 100])
    dec = doc["decision"]
    sheet(DECISION, ["truong", "gia_tri"],
          [["status", doc["status"]], ["notice", doc["notice"]], ["version", doc["version"]],
           ["decision.status", dec["status"]], ["decision.url", dec["url"]],
           ["decision.last_verified.on", dec["last_verified"]["on"]],
           ["decision.last_verified.by", dec["last_verified"]["by"]],
           ["decision.last_verified.note", dec["last_verified"]["note"]]], {2}, [30, 100])
    target.parent.mkdir(parents=True, exist_ok=True)
    from ..atomic import write_atomic

    return write_atomic(target, lambda p: wb.save(p))


def _num(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _check_package(source: Path) -> None:
    """The edited sheet came back from someone: the same package and size checks as any input before calamine."""
    from ..readers.limits import TABLE_MAX_ROWS
    from ..readers.package import Refused, inspect_package, sheet_problem

    try:
        package = inspect_package(source)
    except Refused as refused:
        raise CriteriaError(source.name, [CriteriaProblem(refused.code, source.name, f"{refused}. Không nhập tệp "
                                          "này; xuất lại bằng qd274 criteria --xuat rồi sửa.")]) from None
    for part, extent in package.extents.items():
        if part.startswith("xl/worksheets/") and (problem := sheet_problem(
                extent, TABLE_MAX_ROWS, Location(file=source.name, sheet=part), "bảng tiêu chí")):
            raise CriteriaError(source.name, [CriteriaProblem(problem.code, source.name, problem.message)])


def import_excel(source: Path, target: Path) -> int:
    """Apply the edited cells to the JSON file; write it (atomically) only when the result is fully valid."""
    from python_calamine import CalamineWorkbook

    doc = json.loads(target.read_text("utf-8"), parse_float=Decimal)
    _check_package(source)
    wb = CalamineWorkbook.from_path(str(source))
    problems: list[CriteriaProblem] = []
    changes = 0

    def rows(name: str) -> list[list[Any]]:
        if name not in wb.sheet_names:
            problems.append(CriteriaProblem("MISSING_SHEET", f"{source.name} › {name}", "thiếu sheet này"))
            return []
        return [list(r) for r in wb.get_sheet_by_name(name).to_python()][1:]

    def setv(container: Any, key: Any, value: Any, where: str) -> None:
        nonlocal changes
        if value is None or value == "":
            problems.append(CriteriaProblem("EMPTY_CELL", where, "ô không được để trống"))
            return
        value = _from_cell(value, container[key])
        if container[key] != value:
            container[key] = value
            changes += 1

    index = {(s, n["id"]): n for s, sch in doc["schemes"].items() for n, _ in _walk(sch["criteria"])}
    for r, row in enumerate(rows(CRITERIA), start=2):
        node = index.get((str(row[0]), str(row[1])))
        where = f"{source.name} › {CRITERIA} › dòng {r}"
        if node is None:
            problems.append(CriteriaProblem("UNKNOWN_CRITERION", where, f"không có tiêu chí {row[1]} ({row[0]})"))
            continue
        setv(node, "title", row[3], where)
        setv(node, "max", row[4], where)
        setv(node["source"], "status", row[8], where)
        setv(node["source"], "note", row[9], where)
    for r, row in enumerate(rows(PARAMS), start=2):
        node = index.get((str(row[0]), str(row[1])))
        where = f"{source.name} › {PARAMS} › dòng {r}"
        holder = _locate(node.get("rule") if node else None, str(row[2]))
        if holder is None:
            problems.append(CriteriaProblem("UNKNOWN_PARAMETER", where, f"không có tham số {row[2]} của {row[1]}"))
            continue
        setv(holder[0], holder[1], row[3], where)
    grades = {g["id"]: g for g in doc["grades"]}
    for r, row in enumerate(rows(GRADES), start=2):
        g = grades.get(str(row[0]))
        where = f"{source.name} › {GRADES} › dòng {r}"
        if g is None:
            problems.append(CriteriaProblem("UNKNOWN_GRADE", where, f"không có mức xếp loại {row[0]}"))
            continue
        setv(g, "name", row[1], where)
        setv(g, "min", row[2], where)
        if not (row[3] in (None, "") and g["below"] is None):
            setv(g, "below", row[3], where)
    indicators = {i["id"]: i for i in doc["indicators"]}
    for r, row in enumerate(rows(INDICATORS), start=2):
        ind = indicators.get(str(row[0]))
        if ind is not None:
            setv(ind, "label", row[2], f"{source.name} › {INDICATORS} › dòng {r}")
    for r, row in enumerate(rows(DECISION), start=2):
        holder = _locate(doc, str(row[0]))
        if holder is not None:
            setv(holder[0], holder[1], row[1], f"{source.name} › {DECISION} › dòng {r}")
    if problems:
        raise CriteriaError(str(source), problems)
    data = (json.dumps(plain(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    parse_criteria(data, f"{target.name} (sau khi nhập {source.name})")  # raises with every problem found
    write_bytes_atomic(target, data)
    return changes


def _locate(root: Any, path: str) -> tuple[Any, Any] | None:
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


def _from_cell(value: Any, current: Any) -> Any:
    """A cell's value in the type the JSON holds there (numbers stay exact through Decimal)."""
    if isinstance(current, (int, Decimal)) and not isinstance(current, bool):
        if isinstance(value, float):
            value = Decimal(repr(value))
        elif isinstance(value, str):
            value = Decimal(value.strip().replace(",", "."))
        return int(value) if value == int(value) else Decimal(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()
