"""Imports an edited criteria workbook into the JSON file: every cell and then the whole file checked, all at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CriteriaError, CriteriaProblem, InputError
from ..forms.layout import col_letter
from ..readers.ids import restored
from ..safe_paths import real_path
from .cells import CellProblem, cut, from_cell, unchanged
from .excel import (
    CRITERIA,
    DECISION,
    DECISION_FIELDS,
    GRADES,
    GUIDE,
    HEADERS,
    INDICATORS,
    PARAMS,
    editable_parameters,
    locate,
)
from .load import decode, parse_criteria, read_raw
from .writeback import dumps, recorded_source, stale_problem, write_in_place

if TYPE_CHECKING:
    from ..readers.package import Package
    from ..readers.workbook import Book

Row = list[Any]
_BAD = object()  # a cell whose value cannot be read (an error cell, a formula never calculated): already reported


def import_excel(source: Path, target: Path, *, overwrite: bool = False) -> int:
    """Apply the edited cells to the JSON file; write it (atomically, in place) only when the result is fully
    valid and differs from it. `overwrite`: import even a workbook exported from an older state of the file."""
    from ..readers.workbook import BookError, open_book

    real = real_path(target)  # a symbolic link is written through, never replaced by a file
    raw = read_raw(real)
    doc = decode(raw, str(target))
    package = check_package(source)
    try:  # through the readers' wrapper: calamine's errors (and a Rust panic) become BookError, not a crash
        book = open_book(source, package)
    except BookError as exc:
        raise CriteriaError(source.name, [unreadable(source.name, str(exc))]) from None
    try:
        if not overwrite and (stale := stale_problem(source, target, recorded_source(_guide(book)),
                                                     hashlib.sha256(raw).hexdigest())):
            raise CriteriaError(str(source), [stale])
        run = _Run(source, book, doc)
        run.all_sheets()
    finally:
        book.close()
    data = dumps(doc, raw)
    if not run.structural:  # the file's own checks too, even when some cells were refused: every problem at once
        try:
            parse_criteria(data, f"{target.name} (sau khi nhập {source.name})")
        except CriteriaError as exc:
            run.problems += [run.mapped(p, target) for p in exc.problems]
    if run.problems:
        raise CriteriaError(str(source), run.problems)
    if run.changes:  # no edit, no write: the file keeps its bytes, its date and its spelling of every value
        write_in_place(real, data)
    return run.changes


class _Run:
    """One import: the cells applied to `doc`, the problems found, and which cell holds each JSON value."""

    def __init__(self, source: Path, book: Book, doc: Any) -> None:
        self.source, self.book, self.doc = source, book, doc
        self.problems: list[CriteriaProblem] = []
        self.changes = 0
        self.structural = False  # a sheet missing, unreadable or with moved columns: its values were not read
        self.cells: dict[str, str] = {}  # JSON path → the cell it was read from (to name a file-level problem)

    def shown_as_percent(self, sheet: str, col: int, n: int, value: Any) -> bool:
        """A number (or a formula's result) in a cell Excel shows as a percentage: calamine gives 0.96, not the
        96% the user saw. A text cell is shown as typed, whatever its style."""
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return number and self.book.shown_as_percent(sheet, f"{col_letter(col + 1)}{n}")

    def add(self, code: str, where: str, message: str) -> None:
        self.problems.append(CriteriaProblem(code, where, message))

    def cell(self, sheet: str, col: int, n: int) -> str:
        return f"{self.source.name} › {sheet} › ô {col_letter(col + 1)}{n}"

    def row(self, sheet: str, n: int) -> str:
        return f"{self.source.name} › {sheet} › dòng {n}"

    # ---- reading ----------------------------------------------------------------------------------------

    def table(self, sheet: str) -> list[tuple[int, Row]] | None:
        """The sheet's rows under a checked header, each with its number as Excel shows it; a wholly empty
        row is no edit, a row short of cells reads them as empty. None when the sheet cannot be read as the
        export wrote it (reported)."""
        from ..readers.workbook import BookError

        if sheet not in self.book.sheet_names:
            self.structural = True
            self.add("MISSING_SHEET", f"{self.source.name} › {sheet}", "thiếu sheet này (đã xóa hoặc đổi tên?). "
                     "Xuất lại bằng qd274 criteria --xuat rồi sửa")
            return None
        try:
            rows = self.book.rows(sheet)
        except BookError as exc:  # a malformed cell or part: the other sheets are still checked and reported
            self.structural = True
            self.problems.append(unreadable(f"{self.source.name} › {sheet}", str(exc)))
            return None
        expected = HEADERS[sheet]
        if problem := header_problem(rows[0] if rows else [], expected):
            self.structural = True
            self.add("HEADER_MISMATCH", self.row(sheet, 1), problem)
            return None
        width = len(expected)
        return [(n, self.restored(r[:width]) + [None] * (width - len(r))) for n, r in enumerate(rows[1:], start=2)
                if any(v not in (None, "") for v in r)]

    def restored(self, row: Row) -> Row:
        """The row with each indicator id LibreOffice decoded («so\ndat_cqtt» for so_xa_dat_cqtt) written back:
        an unedited cell is no edit."""
        ids = self.indicator_ids
        return [restored(v, ids) if isinstance(v, str) else v for v in row]

    @cached_property
    def indicator_ids(self) -> frozenset[str]:
        return frozenset(str(ind.get("id")) for ind in self.doc.get("indicators", ()) if isinstance(ind, dict))

    def read(self, sheet: str, col: int, n: int, row: Row) -> Any:
        """The cell's value; _BAD for an error cell or an uncalculated formula, which calamine shows as empty
        and which is no empty cell (reported here, named)."""
        value = row[col]
        if value not in (None, ""):
            return value
        ref = f"{col_letter(col + 1)}{n}"
        if error := self.book.error_cells(sheet).get(ref):
            self.add("CELL_ERROR", self.cell(sheet, col, n), f"ô đang báo lỗi {error} (công thức hỏng hoặc tham "
                     "chiếu tới ô đã xóa), không phải một giá trị: gõ giá trị trực tiếp vào ô")
            return _BAD
        if ref in self.book.formulas_without_value(sheet):
            self.add("FORMULA_NO_VALUE", self.cell(sheet, col, n), "ô có công thức chưa được tính (tệp lưu bằng "
                     "phần mềm không tính công thức): gõ giá trị trực tiếp, hoặc mở bằng Excel rồi lưu lại")
            return _BAD
        return value

    def put(self, sheet: str, col: int, n: int, row: Row, holder: tuple[Any, Any], path: str, *,
            numeric: bool = False) -> None:
        """Apply one editable cell to the JSON value at `path` (holder: its container and key)."""
        container, key = holder
        where = self.cell(sheet, col, n)
        self.cells[path] = where
        value = self.read(sheet, col, n, row)
        current = container[key]
        if value is _BAD:
            return
        if value is None or value == "":
            if current is not None:  # null (the top grade's upper bound) is written as an empty cell
                self.add("EMPTY_CELL", where, "ô không được để trống: gõ lại giá trị (xem tệp JSON nếu cần)")
            return
        if unchanged(value, current):
            return
        try:
            new = from_cell(value, current, numeric=numeric, percentage=path.endswith("min_pct"),
                            percent_format=self.shown_as_percent(sheet, col, n, value))
        except CellProblem as problem:
            self.add(problem.code, where, problem.message)
            return
        if new == "":  # only spaces: as empty as an empty cell
            self.add("EMPTY_CELL", where, "ô chỉ có dấu cách: gõ lại giá trị (xem tệp JSON nếu cần)")
            return
        if new != current:
            container[key] = new
            self.changes += 1

    def fixed(self, sheet: str, col: int, n: int, row: Row, expected: Any) -> None:
        """A cell the import cannot apply (structure, or a value shown for reference): NOT_EDITABLE when changed."""
        value = row[col]
        if _same(value, expected):
            return
        self.add("NOT_EDITABLE", self.cell(sheet, col, n), f"cột «{HEADERS[sheet][col]}» không sửa được ở đây "
                 f"(đang là «{cut(value)}», tệp JSON ghi «{cut(expected)}»): đó là cấu trúc của bộ tiêu chí. Trả lại "
                 "giá trị cũ; muốn đổi thì sửa trong tệp JSON")

    def keyed(self, sheet: str, known: dict[Any, Any], key_of: Any, what: Any) -> Iterator[tuple[int, Row, Any]]:
        """The sheet's rows with the item each one edits; a row twice (DUPLICATE_ROW: the later would win in
        silence) and an exported row deleted (MISSING_ROW: its edits would be dropped in silence) are named.
        Rows whose key is unknown are the caller's (yielded with None)."""
        rows = self.table(sheet)
        if rows is None:
            return
        seen: dict[Any, int] = {}
        for n, row in rows:
            key = key_of(row)
            if key in seen and key in known:
                self.add("DUPLICATE_ROW", self.row(sheet, n), f"dòng {seen[key]} và dòng {n} cùng sửa {what(key)}: "
                         "không biết giữ dòng nào. Xóa một dòng, giữ dòng đúng")
                continue
            seen[key] = n
            yield n, row, known.get(key)
        for key in known:
            if key not in seen:
                self.add("MISSING_ROW", f"{self.source.name} › {sheet}", f"thiếu dòng của {what(key)} (đã xóa?): "
                         "các dòng xuất ra phải giữ nguyên, không xóa. Thêm lại dòng đó hoặc xuất lại rồi sửa")

    # ---- the sheets ---------------------------------------------------------------------------------------

    def all_sheets(self) -> None:
        self.criteria()
        self.parameters()
        self.grades()
        self.indicators()
        self.decision()

    def criteria(self) -> None:
        index: dict[tuple[str, str], tuple[Any, int, str]] = {}
        for subject, scheme in self.doc["schemes"].items():
            for node, depth, path in _nodes(scheme["criteria"], f"schemes.{subject}.criteria"):
                index[(subject, node["id"])] = (node, depth, path)
        for n, row, item in self.keyed(CRITERIA, index, lambda r: (_key(r[0]), _key(r[1])),
                                       lambda k: f"tiêu chí {k[1]} ({k[0]})"):
            if item is None:
                self.add("UNKNOWN_CRITERION", self.row(CRITERIA, n), f"không có tiêu chí {cut(row[1])} "
                         f"({cut(row[0])}): không thêm dòng, không sửa mã")
                continue
            node, depth, path = item
            src = node["source"]
            for col, expected in ((2, depth), (5, node.get("rule", {}).get("kind", "nhóm")), (6, src["annex"]),
                                  (7, src["section"])):
                self.fixed(CRITERIA, col, n, row, expected)
            self.put(CRITERIA, 3, n, row, (node, "title"), f"{path}.title")
            self.put(CRITERIA, 4, n, row, (node, "max"), f"{path}.max", numeric=True)
            self.put(CRITERIA, 8, n, row, (src, "status"), f"{path}.source.status")
            self.put(CRITERIA, 9, n, row, (src, "note"), f"{path}.source.note")

    def parameters(self) -> None:
        known: dict[tuple[str, str, str], tuple[Any, Any, str]] = {}
        nodes: dict[tuple[str, str], Any] = {}
        for subject, scheme in self.doc["schemes"].items():
            for node, _, path in _nodes(scheme["criteria"], f"schemes.{subject}.criteria"):
                nodes[(subject, node["id"])] = node
                for param, (holder, key) in editable_parameters(node.get("rule") or {}).items():
                    known[(subject, node["id"], param)] = (holder, key, f"{path}.rule.{param}")
        for n, row, item in self.keyed(PARAMS, known, lambda r: (_key(r[0]), _key(r[1]), _key(r[2])),
                                       lambda k: f"tham số {k[2]} của {k[1]} ({k[0]})"):
            if item is not None:
                holder, key, path = item
                self.put(PARAMS, 3, n, row, (holder, key), path)
                continue
            owner = nodes.get((_key(row[0]), _key(row[1])))
            if locate(owner.get("rule") if owner else None, _key(row[2])) is not None:
                self.add("NOT_EDITABLE", self.row(PARAMS, n), f"tham số {cut(row[2])} của {cut(row[1])} không sửa "
                         "được ở đây: nó nối quy tắc với chỉ tiêu hoặc quyết định loại quy tắc (cấu trúc). Chỉ sửa "
                         "cột gia_tri của các dòng đã xuất; sửa cấu trúc trong tệp JSON.")
            else:
                self.add("UNKNOWN_PARAMETER", self.row(PARAMS, n), f"không có tham số {cut(row[2])} của "
                         f"{cut(row[1])}")

    def grades(self) -> None:
        known = {g["id"]: (i, g) for i, g in enumerate(self.doc["grades"])}
        for n, row, item in self.keyed(GRADES, known, lambda r: _key(r[0]), lambda k: f"mức xếp loại {k}"):
            if item is None:
                self.add("UNKNOWN_GRADE", self.row(GRADES, n), f"không có mức xếp loại {cut(row[0])}")
                continue
            i, g = item
            self.put(GRADES, 1, n, row, (g, "name"), f"grades[{i}].name")
            self.put(GRADES, 2, n, row, (g, "min"), f"grades[{i}].min", numeric=True)
            self.put(GRADES, 3, n, row, (g, "below"), f"grades[{i}].below", numeric=True)

    def indicators(self) -> None:
        known = {ind["id"]: (i, ind) for i, ind in enumerate(self.doc["indicators"])}
        for n, row, item in self.keyed(INDICATORS, known, lambda r: _key(r[0]), lambda k: f"chỉ tiêu {k}"):
            if item is None:
                self.add("UNKNOWN_INDICATOR", self.row(INDICATORS, n), f"không có chỉ tiêu {cut(row[0])}")
                continue
            i, ind = item
            self.fixed(INDICATORS, 1, n, row, ind["type"])
            self.put(INDICATORS, 2, n, row, (ind, "label"), f"indicators[{i}].label")

    def decision(self) -> None:
        known = {name: locate(self.doc, name) for name in DECISION_FIELDS}
        for n, row, holder in self.keyed(DECISION, known, lambda r: _key(r[0]), lambda k: f"trường {k}"):
            if holder is None:
                self.add("NOT_EDITABLE", self.row(DECISION, n), f"trường {cut(row[0])} không sửa được ở đây; chỉ "
                         f"sửa được: {', '.join(DECISION_FIELDS)}")
                continue
            self.put(DECISION, 1, n, row, holder, _key(row[0]))

    # ---- the file's own checks, named by cell -------------------------------------------------------------

    def mapped(self, problem: CriteriaProblem, target: Path) -> CriteriaProblem:
        """A problem of the resulting file, at the cell(s) its JSON path was read from where there is one."""
        path = problem.path
        cells = [c for p, c in self.cells.items() if p == path]
        cells = cells or [c for p, c in self.cells.items() if p.startswith((f"{path}.", f"{path}["))]
        if not cells:
            return CriteriaProblem(problem.code, f"{target.name} (sau khi nhập) › {path}", problem.message)
        shown = cells[0] + "".join(f", {c.rsplit(' › ', 1)[-1]}" for c in cells[1:4])
        shown += f" và {len(cells) - 4} ô khác" if len(cells) > 4 else ""
        return CriteriaProblem(problem.code, shown, problem.message)


def _nodes(nodes: list[dict[str, Any]], path: str) -> Iterator[tuple[dict[str, Any], int, str]]:
    """Every criterion with its depth and JSON path, in the export's order (excel.walk_nodes)."""
    def visit(items: list[dict[str, Any]], base: str, depth: int) -> Iterator[tuple[dict[str, Any], int, str]]:
        for i, node in enumerate(items):
            here = f"{base}[{i}]"
            yield node, depth, here
            yield from visit(node.get("children", []), f"{here}.children", depth + 1)

    return visit(nodes, path, 0)


def _key(value: Any) -> str:
    """An id cell as text (a whole number Excel made 1.0 reads «1»)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)) and isinstance(expected, (int, float)):
        return float(value) == float(expected)
    return _key(value) == _key(expected)


def header_problem(found: list[Any], expected: tuple[str, ...]) -> str | None:
    """What is wrong with a header row, naming the moved, extra and missing columns; None when it is the export's."""
    names = [_key(v) for v in found]
    while names and names[-1] == "":
        names.pop()
    width = len(expected)
    # Columns added after the export's (a note beside a value) are not read, as before; one repeating an
    # export's column is refused: which copy was edited?
    if tuple(names[:width]) == expected and not set(names[width:]) & set(expected):
        return None
    said = [f"cột «{name}» có hai lần (cột {', '.join(col_letter(i + 1) for i, n in enumerate(names) if n == name)})"
            for name in expected if names.count(name) > 1]
    for i, name in enumerate(names):
        if name not in expected:
            said.append(f"cột {col_letter(i + 1)} " + (f"«{cut(name)}» không có trong bản xuất" if name else
                                                         "chưa có trong bản xuất (cột chèn thêm, tiêu đề trống)"))
    said += [f"thiếu cột «{name}» (cột {col_letter(i + 1)} của bản xuất)" for i, name in enumerate(expected)
             if name not in names]
    if not said:
        said = [f"cột «{name}» đang ở cột {col_letter(names.index(name) + 1)}, bản xuất để ở cột {col_letter(i + 1)}"
                for i, name in enumerate(expected) if names.index(name) != i]
    return ("dòng tiêu đề khác bản xuất: " + "; ".join(said) + f". Các cột phải giữ đúng thứ tự "
            f"{', '.join(expected)} (không chèn, xóa hay chuyển cột): đưa về như cũ, hoặc xuất lại rồi sửa")


def _guide(book: Book) -> list[Any]:
    """Every value of the guide sheet (where the export wrote the source's SHA-256); none if it is gone."""
    from ..readers.workbook import BookError

    if GUIDE not in book.sheet_names:
        return []
    try:
        return [v for row in book.rows(GUIDE)[:50] for v in row]
    except BookError:
        return []


def check_package(source: Path) -> Package:
    """The edited sheet came back from someone: the same package and size checks as any input before calamine."""
    from ..readers.package import check_workbook

    # told apart first: the package check would call a missing file a damaged zip («[Errno 2]»)
    if not source.exists():
        raise CriteriaError(source.name, [CriteriaProblem("FILE_NOT_FOUND", str(source), "không tìm thấy tệp này. "
                                          "Kiểm tra lại đường dẫn sau --nhap (tệp đã xuất bằng qd274 criteria "
                                          "--xuat).")])
    if not source.is_file():
        raise CriteriaError(source.name, [CriteriaProblem("FILE_UNREADABLE", str(source), "đây không phải là một "
                                          "tệp (là thư mục?). Chỉ ra tệp Excel đã sửa sau --nhap.")])
    # The readers' own check: a password, an old .xls, a CSV or a .docx renamed .xlsx is named for what it is,
    # not called a damaged zip
    checked = check_workbook(source, source.name, kind="bảng tiêu chí")
    if isinstance(checked, InputError):
        raise CriteriaError(source.name, [CriteriaProblem(checked.code, source.name, checked.message)])
    return checked


def unreadable(where: str, why: str) -> CriteriaProblem:
    return CriteriaProblem("UNREADABLE_FILE", where, f"không đọc được ({why}). Không nhập tệp này; xuất lại bằng "
                           "qd274 criteria --xuat rồi sửa, và lưu bằng Excel.")
