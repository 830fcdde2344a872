"""Criteria ⇄ Excel: export an editable workbook; import it back into the JSON file after full validation.

Only wording, points, thresholds, grade bands, labels and the decision block are editable: the structure
(ids, rule kinds, indicator ids) stays as it is in the JSON, so an edit can never silently rewire a rule.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import via_memory, write_atomic, write_bytes_atomic
from ..errors import CriteriaError, CriteriaProblem, Location
from ..forms.layout import col_letter
from ..trace import plain
from .load import Criteria, decode, parse_criteria, read_raw
from .models import out_of_range, out_of_range_message

if TYPE_CHECKING:
    from ..readers.package import Package

GUIDE, CRITERIA, PARAMS, GRADES, INDICATORS, DECISION = (
    "Hướng dẫn", "Tiêu chí", "Tham số", "Xếp loại", "Chỉ tiêu", "Quyết định")
_STRUCTURE_KEYS = {"kind", "input", "numerator", "no_cases"}  # not editable here: they wire the rule
# The top-level fields the «Quyết định» sheet shows, in its order: the only ones its import may change.
DECISION_FIELDS = ("status", "notice", "version", "decision.status", "decision.url", "decision.last_verified.on",
                   "decision.last_verified.by", "decision.last_verified.note")


def _parameters(rule: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
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


def _walk(nodes: list[dict[str, Any]], depth: int = 0) -> list[tuple[dict[str, Any], int]]:
    out = []
    for n in nodes:
        out.append((n, depth))
        out += _walk(n.get("children", []), depth + 1)
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
            crit_rows.append([subject, node["id"], depth, node["title"], plain(node["max"]),
                              node.get("rule", {}).get("kind", "nhóm"), src["annex"], src["section"], src["status"],
                              src["note"]])
            if "rule" in node:
                for path, (holder, key) in _parameters(node["rule"]).items():
                    param_rows.append([subject, node["id"], path, plain(holder[key])])
    sheet(CRITERIA, ["doi_tuong", "ma_tieu_chi", "cap", "ten_tieu_chi", "diem_toi_da", "quy_tac", "phu_luc", "muc",
                     "tinh_trang", "ghi_chu_nguon"], crit_rows, {4, 5, 9, 10}, [10, 11, 5, 70, 11, 16, 12, 8, 14, 60])
    sheet(PARAMS, ["doi_tuong", "ma_tieu_chi", "tham_so", "gia_tri"], param_rows, {4}, [10, 11, 28, 12])
    sheet(GRADES, ["ma", "ten", "tu_diem", "duoi_diem"],
          [[g["id"], g["name"], plain(g["min"]), plain(g["below"])] for g in doc["grades"]], {2, 3, 4},
          [14, 16, 10, 10])
    sheet(INDICATORS, ["ma", "kieu", "nhan"], [[i["id"], i["type"], i["label"]] for i in doc["indicators"]],
          {3}, [28, 8, 100])
    decision_rows = []
    for name in DECISION_FIELDS:
        holder = _locate(doc, name)
        assert holder is not None  # the file was loaded: every field is there
        decision_rows.append([name, holder[0][holder[1]]])
    sheet(DECISION, ["truong", "gia_tri"], decision_rows, {2}, [30, 100])
    return write_atomic(target, via_memory(wb.save))


def _check_package(source: Path) -> Package:
    """The edited sheet came back from someone: the same package and size checks as any input before calamine."""
    from ..readers.limits import TABLE_MAX_ROWS
    from ..readers.package import Refused, inspect_package, sheet_problem

    # told apart first: the package check would call a missing file a damaged zip («[Errno 2]»)
    if not source.exists():
        raise CriteriaError(source.name, [CriteriaProblem("FILE_NOT_FOUND", str(source), "không tìm thấy tệp này. "
                                          "Kiểm tra lại đường dẫn sau --nhap (tệp đã xuất bằng qd274 criteria "
                                          "--xuat).")])
    if not source.is_file():
        raise CriteriaError(source.name, [CriteriaProblem("FILE_UNREADABLE", str(source), "đây không phải là một "
                                          "tệp (là thư mục?). Chỉ ra tệp Excel đã sửa sau --nhap.")])
    try:
        package = inspect_package(source)
    except Refused as refused:
        raise CriteriaError(source.name, [CriteriaProblem(refused.code, source.name, f"{refused}. Không nhập tệp "
                                          "này; xuất lại bằng qd274 criteria --xuat rồi sửa.")]) from None
    # Any part may be a sheet (workbook.xml.rels decides where): no part may exceed a sheet's limits.
    if problem := sheet_problem(package.largest, TABLE_MAX_ROWS, Location(file=source.name), "bảng tiêu chí"):
        raise CriteriaError(source.name, [CriteriaProblem(problem.code, source.name, problem.message)])
    return package


def import_excel(source: Path, target: Path) -> int:
    """Apply the edited cells to the JSON file; write it (atomically) only when the result is fully valid."""
    from ..readers.workbook import BookError, open_book

    doc = decode(read_raw(target), str(target))
    package = _check_package(source)
    try:  # through the readers' wrapper: calamine's errors (and a Rust panic) become BookError, not a crash
        book = open_book(source, package)
    except BookError as exc:
        raise CriteriaError(source.name, [_unreadable(source.name, str(exc))]) from None
    problems: list[CriteriaProblem] = []
    changes = 0

    def rows(name: str, width: int) -> list[tuple[str, int, list[Any]]]:
        """The sheet's rows under its header, each with where it is (the row numbered as Excel shows it); a
        wholly empty row is no edit, and a row short of cells (a column deleted) reads them as empty."""
        if name not in book.sheet_names:
            problems.append(CriteriaProblem("MISSING_SHEET", f"{source.name} › {name}", "thiếu sheet này"))
            return []
        try:
            table = book.rows(name)
        except BookError as exc:  # a malformed cell or part: the other sheets are still checked and reported
            problems.append(_unreadable(f"{source.name} › {name}", str(exc)))
            return []
        return [(f"{source.name} › {name} › dòng {n}", n, r + [None] * (width - len(r)))
                for n, r in enumerate(table[1:], start=2)
                if any(v not in (None, "") for v in r)]

    def at(sheet: str, column: int, n: int) -> str:
        """A cell as Excel names it (column from 0): where a problem with its value is."""
        return f"{source.name} › {sheet} › ô {col_letter(column + 1)}{n}"

    def setv(container: Any, key: Any, value: Any, where: str) -> None:
        nonlocal changes
        if value is None or value == "":
            problems.append(CriteriaProblem("EMPTY_CELL", where, "ô không được để trống"))
            return
        try:
            value = _from_cell(value, container[key])
        except _OutOfRange:
            problems.append(CriteriaProblem("NUMBER_OUT_OF_RANGE", where,
                                            out_of_range_message(f"«{_cut(value)}»", "ô này") + "."))
            return
        except (ArithmeticError, ValueError, TypeError):  # not a number (InvalidOperation), NaN, Infinity, a date
            problems.append(CriteriaProblem("NOT_A_NUMBER", where, f"«{_cut(value)}» không phải là số"))
            return
        if container[key] != value:
            container[key] = value
            changes += 1

    index = {(s, n["id"]): n for s, sch in doc["schemes"].items() for n, _ in _walk(sch["criteria"])}
    for where, n, row in rows(CRITERIA, 10):
        node = index.get((str(row[0]), str(row[1])))
        if node is None:
            problems.append(CriteriaProblem("UNKNOWN_CRITERION", where, f"không có tiêu chí {row[1]} ({row[0]})"))
            continue
        setv(node, "title", row[3], at(CRITERIA, 3, n))
        setv(node, "max", row[4], at(CRITERIA, 4, n))
        setv(node["source"], "status", row[8], at(CRITERIA, 8, n))
        setv(node["source"], "note", row[9], at(CRITERIA, 9, n))
    parameters = {key: _parameters(n["rule"]) for key, n in index.items() if "rule" in n}
    for where, n, row in rows(PARAMS, 4):
        node = index.get((str(row[0]), str(row[1])))
        holder = parameters.get((str(row[0]), str(row[1])), {}).get(str(row[2]))
        if holder is not None:
            setv(holder[0], holder[1], row[3], at(PARAMS, 3, n))
        elif _locate(node.get("rule") if node else None, str(row[2])) is not None:
            problems.append(CriteriaProblem("NOT_EDITABLE", where, f"tham số {row[2]} của {row[1]} không sửa được "
                                            "ở đây: nó nối quy tắc với chỉ tiêu hoặc quyết định loại quy tắc (cấu "
                                            "trúc). Chỉ sửa cột gia_tri của các dòng đã xuất; sửa cấu trúc trong "
                                            "tệp JSON."))
        else:
            problems.append(CriteriaProblem("UNKNOWN_PARAMETER", where, f"không có tham số {row[2]} của {row[1]}"))
    grades = {g["id"]: g for g in doc["grades"]}
    for where, n, row in rows(GRADES, 4):
        g = grades.get(str(row[0]))
        if g is None:
            problems.append(CriteriaProblem("UNKNOWN_GRADE", where, f"không có mức xếp loại {row[0]}"))
            continue
        setv(g, "name", row[1], at(GRADES, 1, n))
        setv(g, "min", row[2], at(GRADES, 2, n))
        if not (row[3] in (None, "") and g["below"] is None):
            setv(g, "below", row[3], at(GRADES, 3, n))
    indicators = {i["id"]: i for i in doc["indicators"]}
    for where, n, row in rows(INDICATORS, 3):
        ind = indicators.get(str(row[0]))
        if ind is None:
            problems.append(CriteriaProblem("UNKNOWN_INDICATOR", where, f"không có chỉ tiêu {row[0]}"))
            continue
        setv(ind, "label", row[2], at(INDICATORS, 2, n))
    for where, n, row in rows(DECISION, 2):
        holder = _locate(doc, str(row[0])) if str(row[0]) in DECISION_FIELDS else None
        if holder is None:
            problems.append(CriteriaProblem("NOT_EDITABLE", where, f"trường {row[0]} không sửa được ở đây; chỉ sửa "
                                            f"được: {', '.join(DECISION_FIELDS)}"))
            continue
        setv(holder[0], holder[1], row[1], at(DECISION, 1, n))
    book.close()  # every sheet is read: the zip it may hold open (cell facts) is not needed any more
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


class _OutOfRange(ValueError):
    """A number cell beyond what a criteria file can hold (models.out_of_range)."""


def _unreadable(where: str, why: str) -> CriteriaProblem:
    return CriteriaProblem("UNREADABLE_FILE", where, f"không đọc được ({why}). Không nhập tệp này; xuất lại bằng "
                           "qd274 criteria --xuat rồi sửa, và lưu bằng Excel.")


def _cut(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}… ({len(text)} ký tự)"


def _from_cell(value: Any, current: Any) -> Any:
    """A cell's value in the type the JSON holds there (numbers stay exact through Decimal)."""
    if isinstance(current, (int, Decimal)) and not isinstance(current, bool):
        if isinstance(value, float):
            value = Decimal(repr(value))
        elif isinstance(value, str):
            value = Decimal(value.strip().replace(",", "."))
        number = Decimal(value)  # TypeError for a date or a time: not a number
        if not number.is_finite():
            raise InvalidOperation(value)
        # before int() or ==: with "1e999999999" in a cell both build a billion-digit integer (minutes of CPU)
        if out_of_range(number):
            raise _OutOfRange(value)
        return int(number) if number == number.to_integral_value() else number
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()
