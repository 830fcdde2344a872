"""Reads one filled per-unit form (sheets Thông tin, Số liệu, Chấm điểm, and the hidden _qd274)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..criteria import Criteria
from ..errors import InputError, Location
from ..forms import layout as L
from ..inputs import Reading, Score
from ..names import nfc
from .consolidated import find_header
from .ids import restored
from .parse import as_shown_percent, is_empty, parse_decimal, parse_indicator, parse_int, parse_text, quote, shown
from .raw import RawUnit, cell_error, excel_error, note_text
from .workbook import Book, BookError

_YEAR_DIGITS = re.compile(r"\d{4,}")  # a year among the words of a text cell
_HEADER_SCAN = 10  # the header row is looked for in the first rows, so added title rows do not break it
_TOTAL_HEAD = L.TOTAL_LABEL.split(" (")[0]  # «Tổng điểm»: older forms may word the rest differently


def is_form(book: Book) -> bool:
    """A form by its hidden identity sheet, or by its data and score sheets. Sheets named only loosely («So lieu»,
    «Cham diem», the identity sheet lost) make a form only when neither holds a consolidated table's header: a
    consolidated workbook may name its sheets so, and read as a form it would lose every unit."""
    if book.find_sheet(L.META) is not None or (L.DATA in book.sheet_names and L.SCORES in book.sheet_names):
        return True
    loose = [book.find_sheet(L.DATA), book.find_sheet(L.SCORES)]
    if None in loose:
        return False
    try:
        return not any(find_header(book.rows(sheet)) is not None for sheet in loose if sheet is not None)
    except BookError:  # too large or malformed for a form's sheet: read as a table, which says why
        return False


def read_form(book: Book, name: str, criteria: Criteria) -> tuple[RawUnit | None, list[InputError]]:
    problems: list[InputError] = []
    sheets = _form_sheets(book, name, problems)
    meta = _meta(book, sheets[L.META]) if L.META in sheets else {}
    missing = [s for s in (L.INFO, L.DATA, L.SCORES) if s not in sheets]
    if missing:
        code = _claimed_code(book, name, sheets, meta)
        problems += [_missing_sheet(book, name, sheet, sheets, code) for sheet in missing]
        return None, problems
    used = set(sheets.values())
    for sheet in book.sheet_names:  # a twin keeps its own spelling (workbook._sheet_keys): only the NFC one is read
        if (twin := nfc(sheet)) != sheet and twin in used:
            problems.append(InputError("DUPLICATE_SHEET", Location(file=name, sheet=sheet),
                                       f"tệp có hai sheet cùng tên «{twin}» (giống nhau khi nhìn, khác nhau ở cách "
                                       "mã hóa dấu tiếng Việt): chỉ đọc một sheet, số liệu ở sheet còn lại không "
                                       "được đọc. Xóa sheet thừa (chép số liệu của nó sang sheet kia nếu cần) rồi chạy "
                                       "lại."))
    if meta.get("criteria_sha256") not in (None, "", criteria.sha256):
        problems.append(InputError(
            "STALE_FORM", Location(file=name, sheet=sheets[L.META]),
            f"biểu được tạo từ bộ tiêu chí khác (phiên bản {quote(meta.get('criteria_version'))}, tình trạng "
            f"{quote(meta.get('criteria_status'))}), không phải bộ đang dùng («{criteria.file.version}»). Số liệu vẫn "
            "được đọc theo mã chỉ tiêu; nên tạo lại biểu bằng «qd274 template» cho năm sau.", "warning"))
    unit = RawUnit(name, Location(file=name, sheet=sheets[L.INFO]))
    _info(book, name, sheets[L.INFO], unit, meta, problems)
    subject = unit.subject if unit.subject in criteria.subjects else None
    _data(book, name, sheets[L.DATA], criteria, subject, unit, problems)
    _scores(book, name, sheets[L.SCORES], criteria, subject, unit, problems)
    submitted = bool(unit.values or unit.self_scores or unit.appraised)  # a blank form is "không có số liệu"
    for ind in criteria.file.indicators:  # what a submitted form says by existing ("đã nộp hồ sơ")
        if submitted and ind.implied_by_form is not None and ind.id not in unit.values:
            unit.values[ind.id] = Reading(ind.implied_by_form, Location(file=name, field=ind.id),
                                          "suy ra từ việc đơn vị đã nộp biểu này")
    unit.own = list(problems) or None  # a form is one unit's: every problem in it is that unit's
    return unit, problems


def _form_sheets(book: Book, name: str, problems: list[InputError]) -> dict[str, str]:
    """Each form sheet found → the sheet read for it. Officers rename sheets by hand («So lieu», «Thông tin »):
    a name that differs only in case, spacing or accents is read, with a note, rather than the whole form lost."""
    sheets: dict[str, str] = {}
    for expected in (L.META, L.INFO, L.DATA, L.SCORES):
        found = book.find_sheet(expected)
        if found is None or found in sheets.values():  # one sheet is never read as two of the form's
            continue
        sheets[expected] = found
        if found != expected:
            problems.append(InputError(
                "SHEET_RENAMED", Location(file=name, sheet=found),
                f"sheet «{found}» được đọc là sheet «{expected}» của biểu (tên sheet {_how_renamed(found, expected)}). "
                f"Nên đổi tên sheet lại đúng «{expected}» như biểu gốc.", "info"))
    return sheets


def _how_renamed(found: str, expected: str) -> str:
    """What sets a sheet's name apart from the form's, in the words an officer would fix it by."""
    words = " ".join(found.split())
    ways = ([] if words == found else ["thừa khoảng trắng"]) + (
        ["thiếu hoặc khác dấu tiếng Việt"] if words.casefold() != expected.casefold() else
        ["khác chữ hoa, chữ thường"] if words != expected else [])
    return " và ".join(ways) or "có ký tự ẩn"


def _claimed_code(book: Book, name: str, sheets: dict[str, str], meta: dict[str, str]) -> str | None:
    """The unit code a form that cannot be read still names (hidden sheet, else «Thông tin»), so that its unit
    is not then said to have sent no form. Only a hint: «Thông tin»'s own problems are not reported here."""
    if meta.get("unit_code") or L.INFO not in sheets:
        return meta.get("unit_code") or None
    unit = RawUnit(name, Location(file=name, sheet=sheets[L.INFO]))
    try:
        _info(book, name, sheets[L.INFO], unit, meta, [])
    except BookError:
        return None  # the sheet is unreadable: MISSING_SHEET is still what to say
    return unit.code


def _missing_sheet(book: Book, name: str, sheet: str, sheets: dict[str, str], unit_code: str | None) -> InputError:
    """MISSING_SHEET, naming what the file holds instead. It carries the unit code the form names, for identify's
    NO_FORM to say that the unit's form was refused, not that it sent none."""
    near = book.near_sheets(sheet)
    if len(near) > 1:
        why = (f"có {len(near)} sheet gần giống tên này ({', '.join(f'«{s}»' for s in near)}) nên không biết đọc sheet "
               f"nào. Giữ một sheet và đặt tên đúng «{sheet}»")
    else:
        others = [s for s in book.sheet_names if s not in sheets.values() and s != L.GUIDE][:5]
        held = f" Tệp có các sheet khác: {', '.join(f'«{s}»' for s in others)}." if others else ""
        why = (f"không tìm thấy.{held} Nếu sheet «{sheet}» đã bị đổi tên, đặt lại đúng tên «{sheet}»; nếu bị xóa, "
               "dùng lại biểu do qd274 tạo (qd274 template)")
    return InputError("MISSING_SHEET", Location(file=name, sheet=sheet),
                      f"thiếu sheet «{sheet}» của biểu: {why}, rồi chạy lại.", unit_id=unit_code or None)


def _meta(book: Book, sheet: str) -> dict[str, str]:
    out = {}
    for row in book.rows(sheet):
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


def _info(book: Book, name: str, sheet: str, unit: RawUnit, meta: dict[str, str], problems: list[InputError]) -> None:
    rows, h, cols = _find_header(book, name, sheet, L.INFO_COLUMNS, ("key", "value"), problems)
    fields: dict[str, tuple[Any, Location]] = {}
    errors = book.error_cells(sheet)
    if cols:
        for r in range(h + 1, len(rows)):
            row = rows[r]
            key = parse_text(_at(row, cols["key"]))
            if key:
                loc = Location(file=name, sheet=sheet, cell=f"{L.col_letter(cols['value'] + 1)}{r + 1}", field=key)
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
    unit.year = _year(fields.get("nam"), meta.get("year"), problems)
    unit.year_at = fields["nam"][1] if "nam" in fields else None


def _year(typed: tuple[Any, Location] | None, hidden: str | None, problems: list[InputError]) -> int | None:
    """The year typed in «Thông tin», else the hidden sheet's. The typed one wins (a form reused for another
    year is read as the year typed), so the hidden year stands in for unreadable text only when that text
    states it and no other year («Năm 2023» in a 2023 form): the unit is then graded, with a warning."""
    if typed is None:
        from_meta: int | None = parse_int(hidden)[0]
        return from_meta
    raw, where = typed
    year: int | None
    year, problem = parse_int(raw)
    if not problem:
        made_for = parse_int(hidden)[0] if hidden else None
        if year is not None and made_for is not None and year != made_for:  # said, so that it is never unseen
            problems.append(InputError(
                "YEAR_NOT_FORMS", where, f"năm đánh giá ghi {year}, còn biểu được tạo cho năm {made_for} (sheet ẩn "
                f"«{L.META}»): đọc theo năm ghi {year}. Nếu biểu năm trước được dùng lại cho năm nay, không cần sửa; "
                "nếu gõ nhầm năm, sửa ô này.", "info"))
        return year
    stated = _stated_year(raw, hidden)
    if stated is None:
        problems.append(cell_error(problem, where, raw))
        return None
    problems.append(InputError(
        "YEAR_FROM_FORM", where, f"ô năm đánh giá ghi {shown(raw)}, không phải một số: đọc là năm {stated}, năm ghi "
        f"trong sheet ẩn «{L.META}» khi tạo biểu (khớp với năm trong ô). Sửa ô này thành {stated} (chỉ ghi số) rồi "
        "chạy lại.", "warning"))
    return stated


def _stated_year(raw: Any, hidden: str | None) -> int | None:
    """The hidden year when the unreadable text names that year and no other (a date of that year counts)."""
    year = parse_int(hidden)[0] if hidden else None
    return year if year is not None and set(_YEAR_DIGITS.findall(str(raw))) == {str(year)} else None


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
    merge = _merged_into(book.merged(sheet), r, id_col)
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


def _data(book: Book, name: str, sheet: str, criteria: Criteria, subject: str | None, unit: RawUnit,
          problems: list[InputError]) -> None:
    rows, h, cols = _find_header(book, name, sheet, L.DATA_COLUMNS, ("id", "value"), problems)
    if not cols:
        return
    errors = book.error_cells(sheet)
    merges: list[tuple[tuple[int, int], tuple[int, int]]] | None = None
    for r in range(h + 1, len(rows)):
        row = rows[r]
        ind_id = parse_text(_at(row, cols["id"]))
        if ind_id:  # an id LibreOffice decoded («so\ndat_cqtt» for so_xa_dat_cqtt): the id itself
            ind_id = restored(ind_id, criteria.indicators)
        if not ind_id:
            _without_id(book, name, sheet, row, r, cols, ("value", "stated_pct"), "chỉ tiêu", problems)
            continue
        value_ref = f"{L.col_letter(cols['value'] + 1)}{r + 1}"
        where = Location(file=name, sheet=sheet, cell=value_ref, field=ind_id)
        ind = criteria.indicators.get(ind_id)
        if ind is None:
            problems.append(InputError("UNKNOWN_INDICATOR", Location(file=name, sheet=sheet, cell=f"A{r + 1}"),
                                       f"mã chỉ tiêu {quote(ind_id)} không có trong bộ tiêu chí. Không sửa cột mã."))
            continue
        if ind_id in unit.values:
            problems.append(InputError("DUPLICATE_INDICATOR", where, f"chỉ tiêu {quote(ind_id)} xuất hiện hai lần "
                                       "trong sheet; giữ một dòng."))
            continue
        raw = _at(row, cols["value"])
        if _error_cell(errors, raw, where, problems):
            continue
        if is_empty(raw) and book.uncalculated(sheet, value_ref):
            problems.append(InputError("FORMULA_NO_VALUE", where, "ô chứa công thức chưa có kết quả tính (tệp "
                                       "chưa được Excel tính lại). Mở tệp bằng Excel, lưu lại, hoặc gõ giá trị."))
            continue
        if is_empty(raw) and merges is None:
            merges = book.merged(sheet)  # once per sheet, and only for a sheet with an empty value
        if is_empty(raw) and merges and (merge := _merged_into(merges, r, cols["value"])):
            problems.append(InputError("MERGED_VALUE", where, f"ô {value_ref} nằm trong vùng ô gộp {merge}: Excel "
                                       "chỉ giữ giá trị của ô đầu vùng, nên chỉ tiêu này không có giá trị. Bỏ gộp ô "
                                       "và ghi giá trị cho từng chỉ tiêu rồi chạy lại.", "warning"))
        value, problem = parse_indicator(raw, ind.type, ind.choices,
                                         ind.type == "date" and isinstance(raw, (int, float)) and book.date1904)
        if problem:
            problems.append(cell_error(problem, where, raw))
            continue
        evidence = None
        if "evidence" in cols:
            ev_where = Location(file=name, sheet=sheet, cell=f"{L.col_letter(cols['evidence'] + 1)}{r + 1}",
                                field=ind_id)
            evidence = _note(errors, _at(row, cols["evidence"]), ev_where, problems)
        if value is not None:
            unit.values[ind_id] = Reading(value, where, evidence)
        if "stated_pct" in cols:
            pct_raw = _at(row, cols["stated_pct"])
            if is_empty(pct_raw) and not errors:  # the common case: no percentage stated, nothing to build
                continue
            pct_ref = f"{L.col_letter(cols['stated_pct'] + 1)}{r + 1}"
            pct_where = Location(file=name, sheet=sheet, cell=pct_ref, field=f"ty_le:{ind_id}")
            if _error_cell(errors, pct_raw, pct_where, problems):
                continue
            pct, problem = parse_decimal(pct_raw)
            if problem:
                problems.append(cell_error(problem, pct_where, pct_raw))
            elif pct is not None:
                if isinstance(pct_raw, float) and book.shown_as_percent(sheet, pct_ref):
                    pct = as_shown_percent(pct)  # 92,75 % typed into a percent cell is stored 0,9275
                unit.stated_pct[ind_id] = Reading(pct, pct_where)


def _merged_into(merges: list[tuple[tuple[int, int], tuple[int, int]]], r: int, c: int) -> str | None:
    """The merged range (C10:C11) whose top-left cell is not (r, c) but which covers it: a value typed once for
    two rows, read for the first only."""
    for (r0, c0), (r1, c1) in merges:
        if r0 <= r <= r1 and c0 <= c <= c1 and (r, c) != (r0, c0):
            return f"{L.col_letter(c0 + 1)}{r0 + 1}:{L.col_letter(c1 + 1)}{r1 + 1}"
    return None


def _scores(book: Book, name: str, sheet: str, criteria: Criteria, subject: str | None, unit: RawUnit,
            problems: list[InputError]) -> None:
    rows, h, cols = _find_header(book, name, sheet, L.SCORE_COLUMNS, ("id", "self"), problems)
    if not cols:
        return
    nodes = criteria.nodes.get(subject or "", {})
    errors = book.error_cells(sheet)
    letters = {key: L.col_letter(c + 1) for key, c in cols.items()}
    for r in range(h + 1, len(rows)):
        row = rows[r]
        cid = parse_text(_at(row, cols["id"]))
        if not cid:
            _without_id(book, name, sheet, row, r, cols, ("self", "appraised"), "tiêu chí", problems)
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
                    problems.append(excel_error(errors[ref], Location(name, sheet, ref, cid)))
                elif book.uncalculated(sheet, ref):
                    problems.append(InputError("FORMULA_NO_VALUE", Location(name, sheet, ref, cid),
                                               "ô điểm chứa công thức chưa có kết quả tính. Mở tệp bằng Excel, "
                                               "lưu lại, hoặc gõ điểm."))
                continue
            where = Location(file=name, sheet=sheet, cell=ref, field=cid)
            points, problem = parse_decimal(raw)
            if problem:
                problems.append(cell_error(problem, where, raw))
                continue
            assert isinstance(points, Decimal)
            note = _note(errors, _at(row, cols[note_key]), Location(name, sheet, f"{letters[note_key]}{r + 1}", cid),
                         problems) if note_key in cols else None
            target[cid] = Score(points, where, note)
