"""Reads one filled per-unit form (sheets Thông tin, Số liệu, Chấm điểm, and the hidden _qd274)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..criteria import Criteria
from ..errors import InputError, Location
from ..forms import layout as L
from ..inputs import Reading, Score
from ..names import nfc
from .ids import restored
from .parse import is_empty, parse_decimal, parse_indicator, parse_int, parse_text, quote
from .raw import RawUnit, cell_error, excel_error, note_text
from .workbook import Book

_FORM_SHEETS = frozenset({L.META, L.INFO, L.DATA, L.SCORES})
_HEADER_SCAN = 10  # the header row is looked for in the first rows, so added title rows do not break it
_TOTAL_HEAD = L.TOTAL_LABEL.split(" (")[0]  # «Tổng điểm»: older forms may word the rest differently


def is_form(book: Book) -> bool:
    return L.META in book.sheet_names or (L.DATA in book.sheet_names and L.SCORES in book.sheet_names)


def read_form(book: Book, name: str, criteria: Criteria) -> tuple[RawUnit | None, list[InputError]]:
    problems: list[InputError] = []
    missing = [s for s in (L.INFO, L.DATA, L.SCORES) if s not in book.sheet_names]
    for sheet in missing:
        problems.append(InputError("MISSING_SHEET", Location(file=name, sheet=sheet),
                                   f"thiếu sheet «{sheet}». Dùng biểu do qd274 tạo (qd274 template) và không "
                                   "đổi tên, không xóa sheet."))
    if missing:
        return None, problems
    for sheet in book.sheet_names:  # a twin keeps its own spelling (workbook._sheet_keys): only the NFC one is read
        if (twin := nfc(sheet)) != sheet and twin in _FORM_SHEETS:
            problems.append(InputError("DUPLICATE_SHEET", Location(file=name, sheet=sheet),
                                       f"tệp có hai sheet cùng tên «{twin}» (giống nhau khi nhìn, khác nhau ở cách "
                                       "mã hóa dấu tiếng Việt): chỉ đọc một sheet, số liệu ở sheet còn lại không "
                                       "được đọc. Xóa sheet thừa (chép số liệu của nó sang sheet kia nếu cần) rồi chạy "
                                       "lại."))
    meta = _meta(book) if L.META in book.sheet_names else {}
    if meta.get("criteria_sha256") not in (None, "", criteria.sha256):
        problems.append(InputError(
            "STALE_FORM", Location(file=name, sheet=L.META),
            f"biểu được tạo từ bộ tiêu chí khác (phiên bản {quote(meta.get('criteria_version'))}, tình trạng "
            f"{quote(meta.get('criteria_status'))}), không phải bộ đang dùng («{criteria.file.version}»). Số liệu vẫn "
            "được đọc theo mã chỉ tiêu; nên tạo lại biểu bằng «qd274 template» cho năm sau.", "warning"))
    unit = RawUnit(name, Location(file=name, sheet=L.INFO))
    _info(book, name, unit, meta, problems)
    subject = unit.subject if unit.subject in criteria.subjects else None
    _data(book, name, criteria, subject, unit, problems)
    _scores(book, name, criteria, subject, unit, problems)
    submitted = bool(unit.values or unit.self_scores or unit.appraised)  # a blank form is "không có số liệu"
    for ind in criteria.file.indicators:  # what a submitted form says by existing ("đã nộp hồ sơ")
        if submitted and ind.implied_by_form is not None and ind.id not in unit.values:
            unit.values[ind.id] = Reading(ind.implied_by_form, Location(file=name, field=ind.id),
                                          "suy ra từ việc đơn vị đã nộp biểu này")
    return unit, problems


def _meta(book: Book) -> dict[str, str]:
    out = {}
    for row in book.rows(L.META):
        if len(row) >= 2 and not is_empty(row[0]):
            out[str(row[0])] = parse_text(row[1]) or ""
    return out


def _find_header(book: Book, name: str, sheet: str, columns: tuple[tuple[str, str, int], ...],
                 required: tuple[str, ...], problems: list[InputError]) -> tuple[list[list[Any]], int, dict[str, int]]:
    """(rows, index of the header row, column index per key); an empty map when the header is unusable."""
    rows = book.rows(sheet)
    want = {header.casefold(): key for key, header, _ in columns}
    for r, row in enumerate(rows[:_HEADER_SCAN]):
        found = {want[t]: c for c, v in enumerate(row) if (t := (parse_text(v) or "").casefold()) in want}
        if columns[0][0] in found:
            for (r0, c0), (r1, c1) in book.merged(sheet):
                if r0 <= r <= r1 and (r1 > r0 or c1 > c0):
                    problems.append(InputError(
                        "HEADER_MERGED", Location(file=name, sheet=sheet, cell=f"{L.col_letter(c0 + 1)}{r0 + 1}"),
                        "dòng tiêu đề có ô bị gộp (merge). Bỏ gộp ô ở dòng tiêu đề rồi chạy lại."))
                    return rows, r, {}
            lost = [k for k in required if k not in found]
            if lost:
                headers = {key: header for key, header, _ in columns}
                problems.append(InputError(
                    "MISSING_COLUMN", Location(file=name, sheet=sheet, cell=f"A{r + 1}"),
                    "thiếu cột " + ", ".join(f"«{headers[k]}»" for k in lost) + " ở dòng tiêu đề. Khôi phục cột "
                    "(đúng tên tiêu đề) rồi chạy lại."))
                return rows, r, {}
            return rows, r, found
    problems.append(InputError(
        "MISSING_HEADER", Location(file=name, sheet=sheet),
        f"không tìm thấy dòng tiêu đề (ô «{columns[0][1]}») trong {_HEADER_SCAN} dòng đầu. Không xóa hoặc sửa "
        "dòng tiêu đề của biểu."))
    return rows, -1, {}


def _info(book: Book, name: str, unit: RawUnit, meta: dict[str, str], problems: list[InputError]) -> None:
    rows, h, cols = _find_header(book, name, L.INFO, L.INFO_COLUMNS, ("key", "value"), problems)
    fields: dict[str, tuple[Any, Location]] = {}
    errors = book.error_cells(L.INFO)
    if cols:
        for r in range(h + 1, len(rows)):
            row = rows[r]
            key = parse_text(_at(row, cols["key"]))
            if key:
                loc = Location(file=name, sheet=L.INFO, cell=f"{L.col_letter(cols['value'] + 1)}{r + 1}", field=key)
                if not _error_cell(errors, _at(row, cols["value"]), loc, problems):
                    fields[key] = (_at(row, cols["value"]), loc)
    typed = parse_text(fields.get("ma_don_vi", (None,))[0])
    unit.code = typed or meta.get("unit_code") or None
    # the cell only when the code was typed there: one from the hidden sheet is named at the name's cell
    unit.code_at = fields["ma_don_vi"][1] if typed else None
    unit.name = parse_text(fields.get("ten_don_vi", (None,))[0])
    unit.subject = meta.get("subject") or parse_text(fields.get("doi_tuong", (None,))[0])
    if "ten_don_vi" in fields:
        unit.where = fields["ten_don_vi"][1]
    raw_year = fields["nam"][0] if "nam" in fields else meta.get("year")
    year, problem = parse_int(raw_year)
    if problem and "nam" in fields:
        problems.append(cell_error(problem, fields["nam"][1], raw_year))
    unit.year = year
    unit.year_at = fields["nam"][1] if "nam" in fields else None


def _at(row: list[Any], col: int) -> Any:
    return row[col] if col < len(row) else None


def _error_cell(errors: dict[str, str], raw: Any, where: Location, problems: list[InputError]) -> bool:
    """True, and reported, when an empty-looking cell is an error cell (#DIV/0!, #N/A…) that calamine blanked.
    `errors`: Book.error_cells of the sheet, asked once per sheet (this runs for every empty cell read)."""
    if not errors or not is_empty(raw) or where.cell not in errors:
        return False
    problems.append(excel_error(errors[where.cell], where))
    return True


def _note(errors: dict[str, str], raw: Any, where: Location, problems: list[InputError]) -> str | None:
    return None if _error_cell(errors, raw, where, problems) else note_text(raw, where, problems)


def _without_id(book: Book, name: str, sheet: str, row: list[Any], r: int, cols: dict[str, int],
                value_keys: tuple[str, ...], what: str, problems: list[InputError]) -> None:
    """Reports a row skipped for having no id when something was lost with it: a value typed on it, or an id
    cell merged into the row above (Excel keeps only the top-left cell's value, so the id is gone and the
    indicator would show only as an uncelled «thiếu số liệu»). Blank rows say nothing; neither does the
    form's own total row, whose cells are formulas (a computed cell is not a typed value)."""
    if "title" in cols and (parse_text(_at(row, cols["title"])) or "").startswith(_TOTAL_HEAD):
        return  # the form's own total: a unit that pasted values over its formulas typed nothing wrong
    typed = [ref for key in value_keys if key in cols and not is_empty(_at(row, cols[key]))
             for ref in (f"{L.col_letter(cols[key] + 1)}{r + 1}",)]
    id_col, id_ref = cols["id"], f"{L.col_letter(cols['id'] + 1)}{r + 1}"
    merge = next((f"{L.col_letter(c0 + 1)}{r0 + 1}:{L.col_letter(c1 + 1)}{r1 + 1}"
                  for (r0, c0), (r1, c1) in book.merged(sheet) if r0 < r <= r1 and c0 <= id_col <= c1), None)
    if typed and not merge:
        formulas = book.formula_cells(sheet)
        typed = [ref for ref in typed if ref not in formulas]
    if not typed and not merge:
        return
    lost = f"giá trị ở ô {', '.join(typed)} không được đọc" if typed else "số liệu của dòng này không được đọc"
    why = (f"không có mã {what} vì ô {id_ref} nằm trong vùng ô gộp {merge}" if merge else
           f"có giá trị nhưng ô mã {what} {id_ref} trống (mã bị xóa hoặc ô bị gộp)")
    problems.append(InputError(
        "ROW_WITHOUT_ID", Location(file=name, sheet=sheet, cell=id_ref),
        f"dòng {r + 1} {why}; {lost}. Bỏ gộp ô và khôi phục mã {what} ở cột {L.col_letter(id_col + 1)} theo "
        "biểu gốc (qd274 template), rồi chạy lại."))


def _data(book: Book, name: str, criteria: Criteria, subject: str | None, unit: RawUnit,
          problems: list[InputError]) -> None:
    rows, h, cols = _find_header(book, name, L.DATA, L.DATA_COLUMNS, ("id", "value"), problems)
    if not cols:
        return
    errors = book.error_cells(L.DATA)
    for r in range(h + 1, len(rows)):
        row = rows[r]
        ind_id = parse_text(_at(row, cols["id"]))
        if ind_id:  # an id LibreOffice decoded («so\ndat_cqtt» for so_xa_dat_cqtt): the id itself
            ind_id = restored(ind_id, criteria.indicators)
        if not ind_id:
            _without_id(book, name, L.DATA, row, r, cols, ("value", "stated_pct"), "chỉ tiêu", problems)
            continue
        value_ref = f"{L.col_letter(cols['value'] + 1)}{r + 1}"
        where = Location(file=name, sheet=L.DATA, cell=value_ref, field=ind_id)
        ind = criteria.indicators.get(ind_id)
        if ind is None:
            problems.append(InputError("UNKNOWN_INDICATOR", Location(file=name, sheet=L.DATA, cell=f"A{r + 1}"),
                                       f"mã chỉ tiêu {quote(ind_id)} không có trong bộ tiêu chí. Không sửa cột mã."))
            continue
        if ind_id in unit.values:
            problems.append(InputError("DUPLICATE_INDICATOR", where, f"chỉ tiêu {quote(ind_id)} xuất hiện hai lần "
                                       "trong sheet; giữ một dòng."))
            continue
        raw = _at(row, cols["value"])
        if _error_cell(errors, raw, where, problems):
            continue
        if is_empty(raw) and book.uncalculated(L.DATA, value_ref):
            problems.append(InputError("FORMULA_NO_VALUE", where, "ô chứa công thức chưa có kết quả tính (tệp "
                                       "chưa được Excel tính lại). Mở tệp bằng Excel, lưu lại, hoặc gõ giá trị."))
            continue
        value, problem = parse_indicator(raw, ind.type, ind.choices,
                                         ind.type == "date" and isinstance(raw, (int, float)) and book.date1904)
        if problem:
            problems.append(cell_error(problem, where, raw))
            continue
        evidence = None
        if "evidence" in cols:
            ev_where = Location(file=name, sheet=L.DATA, cell=f"{L.col_letter(cols['evidence'] + 1)}{r + 1}",
                                field=ind_id)
            evidence = _note(errors, _at(row, cols["evidence"]), ev_where, problems)
        if value is not None:
            unit.values[ind_id] = Reading(value, where, evidence)
        if "stated_pct" in cols:
            pct_raw = _at(row, cols["stated_pct"])
            if is_empty(pct_raw) and not errors:  # the common case: no percentage stated, nothing to build
                continue
            pct_ref = f"{L.col_letter(cols['stated_pct'] + 1)}{r + 1}"
            pct_where = Location(file=name, sheet=L.DATA, cell=pct_ref, field=f"ty_le:{ind_id}")
            if _error_cell(errors, pct_raw, pct_where, problems):
                continue
            pct, problem = parse_decimal(pct_raw)
            if problem:
                problems.append(cell_error(problem, pct_where, pct_raw))
            elif pct is not None:
                unit.stated_pct[ind_id] = Reading(pct, pct_where)


def _scores(book: Book, name: str, criteria: Criteria, subject: str | None, unit: RawUnit,
            problems: list[InputError]) -> None:
    rows, h, cols = _find_header(book, name, L.SCORES, L.SCORE_COLUMNS, ("id", "self"), problems)
    if not cols:
        return
    nodes = criteria.nodes.get(subject or "", {})
    errors = book.error_cells(L.SCORES)
    letters = {key: L.col_letter(c + 1) for key, c in cols.items()}
    for r in range(h + 1, len(rows)):
        row = rows[r]
        cid = parse_text(_at(row, cols["id"]))
        if not cid:
            _without_id(book, name, L.SCORES, row, r, cols, ("self", "appraised"), "tiêu chí", problems)
            continue
        node = nodes.get(cid)
        if node is not None and not node.is_leaf:
            continue  # group rows add up their children (formulas); they are never read
        for key, target, note_key in (("self", unit.self_scores, "evidence"),
                                      ("appraised", unit.appraised, "reason")):
            if key not in cols:
                continue
            raw = _at(row, cols[key])
            ref = f"{letters[key]}{r + 1}"
            if is_empty(raw):  # a #N/A or a formula Excel never calculated is not "no score"
                if errors and ref in errors:
                    problems.append(excel_error(errors[ref], Location(name, L.SCORES, ref, cid)))
                elif book.uncalculated(L.SCORES, ref):
                    problems.append(InputError("FORMULA_NO_VALUE", Location(name, L.SCORES, ref, cid),
                                               "ô điểm chứa công thức chưa có kết quả tính. Mở tệp bằng Excel, "
                                               "lưu lại, hoặc gõ điểm."))
                continue
            where = Location(file=name, sheet=L.SCORES, cell=ref, field=cid)
            points, problem = parse_decimal(raw)
            if problem:
                problems.append(cell_error(problem, where, raw))
                continue
            assert isinstance(points, Decimal)
            note = _note(errors, _at(row, cols[note_key]), Location(name, L.SCORES, f"{letters[note_key]}{r + 1}", cid),
                         problems) if note_key in cols else None
            target[cid] = Score(points, where, note)
