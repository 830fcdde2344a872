"""Reads a consolidated sheet (.xlsx or .csv): one row per unit, one column per indicator or score."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from ..criteria import Criteria
from ..errors import InputError, Location
from ..forms import layout as L
from ..inputs import Reading, Score
from ..numbers import format_vi
from .ids import restored
from .limits import MAX_LINE_BYTES, MAX_PROBLEMS_PER_FILE, MIB, TABLE_MAX_ROWS
from .parse import (
    DATE_TEXT,
    Parsed,
    as_shown_percent,
    is_empty,
    parse_decimal,
    parse_indicator,
    parse_int,
    parse_text,
    quote,
)
from .raw import RawUnit, cell_error, excel_error, note_text

_HEADER_SCAN = 10
_PREFIXES = (L.SELF_PREFIX, L.APPRAISED_PREFIX, L.REASON_PREFIX, L.EVIDENCE_PREFIX, L.PCT_PREFIX)
_NOTES = ("ly_do", "minh_chung")  # the columns that annotate a score column rather than hold a value
_UNSEEN: Parsed = (None, ("", ""))  # a marker compared by identity: not yet in a column's cache


def find_header(rows: list[list[Any]]) -> int | None:
    """Index of the row naming ma_don_vi or ten_don_vi, if any: what makes a sheet a consolidated sheet."""
    for r, row in enumerate(rows[:_HEADER_SCAN]):
        names = {(parse_text(v) or "").casefold() for v in row}
        if "ma_don_vi" in names or "ten_don_vi" in names:
            return r
    return None


_UTF16_PROBE = 4096


def is_utf16(data: bytes) -> bool:
    """UTF-16 with or without its BOM: a NUL in every other byte of a text in the Latin range."""
    head = data[:_UTF16_PROBE]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    if len(head) < 4:
        return False
    odd, even = head[1::2], head[0::2]
    return any(half.count(0) >= 0.9 * len(half) and other.count(0) == 0 for half, other in ((odd, even),
                                                                                           (even, odd)))


def read_csv_rows(data: bytes, name: str) -> tuple[list[list[Any]] | None, list[InputError]]:
    where = Location(file=name)
    # Never the whole file as one str: a 200 MB CSV would be held three times over (the bytes, the str, up to 4
    # bytes a character, and a reader's copy of it). The bytes are checked a block at a time, then decoded a line
    # at a time as the csv reader asks for them: at most the bytes and the rows read are held.
    if is_utf16(data):  # Excel's «Unicode Text», renamed .csv: named for what it is
        return None, [InputError("NOT_UTF8", where, "tệp CSV mã hóa UTF-16 (Excel gọi là «Unicode Text»), không "
                                 "phải UTF-8. Mở bằng Excel, chọn Lưu thành › «CSV UTF-8 (phân cách bằng dấu phẩy)» "
                                 "rồi chạy lại.")]
    if (bad := _utf8_error(data)) is not None:
        return None, [InputError("NOT_UTF8", where,
                                 f"tệp CSV không mã hóa UTF-8 (byte lỗi ở vị trí {bad}). Trong Excel chọn "
                                 "Lưu thành › «CSV UTF-8 (phân cách bằng dấu phẩy)» rồi chạy lại.")]
    if b"\x00" in data:
        return None, [InputError("NOT_A_TABLE", where, "tệp không phải CSV dạng văn bản.")]
    start = len(_BOM) if data.startswith(_BOM) else 0
    line = _header_line(data, start)
    # Vietnamese Excel writes ';' where the decimal separator is ','; tabs come from copy-paste.
    delimiter = max(";,\t", key=lambda d: line.count(d.encode())) if line else ","
    reader = csv.reader(_lines(data, start), delimiter=delimiter)
    rows: list[list[Any]] = []
    first = 1  # the line the row being read starts on: a quoted field may run over many lines
    try:
        for row in reader:
            if len(rows) == TABLE_MAX_ROWS:  # stop reading: the file is refused whatever follows
                return None, [InputError("TOO_MANY_ROWS", where, f"tệp có hơn {format_vi(TABLE_MAX_ROWS)} dòng, "
                                         "vượt giới hạn của bảng tổng hợp. Tách bảng thành nhiều tệp rồi chạy lại.")]
            rows.append(row)
            first = reader.line_num + 1
    except csv.Error as exc:
        why = (f"một ô dài hơn {format_vi(csv.field_size_limit())} ký tự" if "field limit" in str(exc)
               else "cấu trúc CSV hỏng (dấu ngoặc kép không đóng?)")
        return None, [InputError("NOT_A_TABLE", where, f"không đọc được CSV ở dòng {first}: {why}. Mở "
                                 "bằng Excel, kiểm tra dòng này, lưu lại dạng CSV UTF-8 rồi chạy lại.")]
    except _LineTooLong as long:
        return None, [InputError("NOT_A_TABLE", where, f"dòng {long.line} của tệp CSV dài hơn "
                                 f"{format_vi(MAX_LINE_BYTES // MIB)} MB, giới hạn cho một dòng: không phải một dòng "
                                 "của bảng tổng hợp. Kiểm tra có đúng tệp không, "
                                 "hoặc mở bằng Excel, lưu lại dạng CSV UTF-8 rồi chạy lại.")]
    return rows, []


class _LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


_BOM = b"\xef\xbb\xbf"
_CHECK_BLOCK = 1 << 20
_HEADER_BYTES = 1 << 20  # of a line, enough for any header's delimiters; a 200 MB line is not copied whole
_LINE_END = re.compile(rb"\r\n?|\n")  # the line ends csv knows (io's newline="" splits on the same three)


def _utf8_error(data: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8, checked a block at a time (a block decoded is dropped).
    An incremental decoder carries a character cut by a block's edge over to the next block."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view, start, size = memoryview(data), 0, len(data)
    while start < size:
        end = min(start + _CHECK_BLOCK, size)
        held = len(decoder.getstate()[0])  # the start of a character cut by the previous block's edge
        try:
            decoder.decode(view[start:end], final=end == size)
        except UnicodeDecodeError as exc:  # its offsets count the held bytes first
            return start - held + exc.start
        start = end
    return None


def _lines(data: bytes, start: int) -> Iterator[str]:
    """The lines of the text, each with its line end, decoded one at a time from the bytes (checked UTF-8).
    A line longer than MAX_LINE_BYTES raises _LineTooLong (numbered from 1) before it is decoded."""
    view = memoryview(data)
    number = 0
    for match in _LINE_END.finditer(data, start):
        number += 1
        if match.end() - start > MAX_LINE_BYTES:
            raise _LineTooLong(number)
        yield str(view[start:match.end()], "utf-8")
        start = match.end()
    if start < len(data):
        if len(data) - start > MAX_LINE_BYTES:
            raise _LineTooLong(number + 1)
        yield str(view[start:], "utf-8")


def _header_line(data: bytes, start: int) -> bytes:
    """The line to guess the delimiter from: the header line (the first of the first rows naming ma_don_vi or
    ten_don_vi, as find_header looks for it), else the first line. A title line above the header («Bảng tổng
    hợp số liệu năm 2023», with no separator or with a ';' of its own) says nothing about the delimiter."""
    first: bytes | None = None
    for _ in range(_HEADER_SCAN):  # line by line, and only a line's first MiB: the file is never copied whole
        match = _LINE_END.search(data, start)
        end = len(data) if match is None else match.start()
        line = data[start:min(end, start + _HEADER_BYTES)]
        first = line if first is None else first
        low = line.lower()  # the two names are ASCII: bytes' lower() finds them as casefold() did
        if b"ma_don_vi" in low or b"ten_don_vi" in low:
            return line
        if match is None:
            break
        start = match.end()
    return first or b""


def read_consolidated(rows: list[list[Any]], name: str, sheet: str | None, criteria: Criteria, date1904: bool = False,
                      uncached: set[str] | None = None, error_cells: Mapping[str, str] | None = None,
                      percent: Callable[[str], bool] | None = None) -> tuple[list[RawUnit], list[InputError]]:
    """`uncached` and `error_cells` (ref → "#DIV/0!"): the cells calamine shows as empty that are not (Book);
    `percent`: whether a cell (A1 ref) is shown as a percentage (Book.shown_as_percent)."""
    problems: list[InputError] = []
    h = find_header(rows)
    if h is None:
        return [], [InputError("MISSING_HEADER", Location(file=name, sheet=sheet),
                               "không tìm thấy dòng tiêu đề có cột ma_don_vi hoặc ten_don_vi trong "
                               f"{_HEADER_SCAN} dòng đầu. Dùng mẫu «qd274 template --tong-hop».")]
    columns: dict[int, tuple[str, str]] = {}  # col → (kind, id)
    seen: dict[str, int] = {}
    for c, raw in enumerate(rows[h]):
        head = parse_text(raw)
        if not head:
            continue
        head = restored(head, criteria.indicators)  # an id LibreOffice decoded: the id itself
        ref = Location(file=name, sheet=sheet, cell=f"{L.col_letter(c + 1)}{h + 1}", field=head)
        kind, ident = _classify(head, criteria)
        if kind is None:
            problems.append(InputError("UNKNOWN_COLUMN", ref, f"cột {quote(head)} không phải mã chỉ tiêu, mã tiêu chí "
                                       "hay cột đơn vị đã biết; cột này bị bỏ qua. Sửa tên cột theo mẫu."))
            continue
        if head in seen:
            problems.append(InputError("DUPLICATE_COLUMN", ref,
                                       f"cột {quote(head)} xuất hiện hai lần; cột sau bị bỏ qua."))
            continue
        seen[head] = c
        columns[c] = (kind, ident)
    untold = max(0, len(problems) - MAX_PROBLEMS_PER_FILE)  # problems beyond the cap: counted, not kept
    del problems[MAX_PROBLEMS_PER_FILE:]
    if "ma_don_vi" not in seen and "ten_don_vi" not in seen:
        return [], problems + _untold(untold, name, sheet)
    units: list[RawUnit] = []
    ignored: set[str] = set()
    formulas = uncached or set()  # one empty set for every row, not a new one per row
    failed = error_cells or {}
    plan = _plan(columns, criteria, date1904)
    for r in range(h + 1, len(rows)):
        row = rows[r]
        if all(is_empty(v) for v in row):
            continue
        unit = RawUnit(name, Location(file=name, sheet=sheet, cell=f"A{r + 1}"))
        start = len(problems)
        _row(row, r, plan, name, sheet, criteria, unit, problems, ignored, formulas, failed, percent)
        if len(problems) > start:
            unit.own = problems[start:]
        units.append(unit)
        if len(problems) > MAX_PROBLEMS_PER_FILE:
            untold += len(problems) - MAX_PROBLEMS_PER_FILE
            del problems[MAX_PROBLEMS_PER_FILE:]
    problems += _untold(untold, name, sheet)
    problems += _swapped_dates(rows[h + 1:], plan, criteria, name, sheet)
    for ind in sorted(ignored):
        problems.append(InputError("IGNORED_VALUE", Location(file=name, sheet=sheet, field=ind),
                                   f"chỉ tiêu «{ind}» không dùng trong bảng tiêu chí của một số đơn vị trong tệp; "
                                   "giá trị của các đơn vị đó được bỏ qua.", "info"))
    return units, problems


def _swapped_dates(rows: list[list[Any]], plan: list[_Column], criteria: Criteria, name: str,
                   sheet: str | None) -> list[InputError]:
    """DATES_SWAPPED for a date column as Excel set to US English leaves a CSV of dd/mm/yyyy dates: each date
    whose day is 12 or less taken as mm/dd and made a real date (09/01/2022 → 1 September), each other left as
    text (13/01/2022). Both kinds in one column, every real date's day at most 12 and some text's day over 12:
    the real dates are likely day and month swapped, which no single cell can show."""
    out = []
    for col in plan:
        if col.kind != "indicator" or criteria.indicators[col.ident].type != "date":
            continue
        cells = [row[col.pos] for row in rows if col.pos < len(row)]
        real = [v for v in cells if isinstance(v, dt.date)]
        late_text = [v for v in cells
                     if isinstance(v, str) and (m := DATE_TEXT.fullmatch(v.strip())) and int(m[1]) > 12]
        # five real dates at least: fewer could all fall on days up to 12 by chance (two: 15 % of files)
        if len(real) >= _SWAP_MIN_REAL and late_text and all(v.day <= 12 for v in real):
            out.append(InputError("DATES_SWAPPED", Location(file=name, sheet=sheet, field=col.ident),
                                  f"cột «{col.ident}» có {format_vi(len(real))} ô là ngày của Excel, ngày nào cũng ≤ "
                                  f"12, và {format_vi(len(late_text))} ô ngày dạng chữ có ngày > 12 (như "
                                  f"«{late_text[0].strip()}»): thường do tệp CSV được mở bằng Excel cài tiếng Anh "
                                  "(Mỹ), đã đọc dd/mm thành mm/dd (09/01/2022 thành ngày 1 tháng 9). Các ngày của "
                                  "Excel trong cột có thể bị đảo ngày và tháng: kiểm tra lại, hoặc lấy tệp CSV gốc.",
                                  "warning"))
    return out


_SWAP_MIN_REAL = 5  # (12/31)^5 < 1 %: a file of correctly typed dates hardly ever looks swapped


def _untold(untold: int, name: str, sheet: str | None) -> list[InputError]:
    if not untold:
        return []
    return [InputError("TOO_MANY_PROBLEMS", Location(file=name, sheet=sheet),
                       f"còn {format_vi(untold)} lỗi khác trong bảng này, không liệt kê (chỉ liệt kê "
                       f"{format_vi(MAX_PROBLEMS_PER_FILE)} lỗi đầu). Kiểm tra bảng có đúng mẫu không (cột lệch, sai "
                       "dấu phân cách), sửa các lỗi trên rồi chạy lại.")]


def _classify(head: str, criteria: Criteria) -> tuple[str | None, str]:
    low = head.casefold()
    if low in L.UNIT_COLUMNS:
        return "unit", low
    if head in criteria.indicators:
        return "indicator", head
    for prefix in _PREFIXES:
        if low.startswith(prefix):
            ident = head[len(prefix):].strip()
            known = ident in criteria.indicators if prefix == L.PCT_PREFIX else any(
                ident in nodes for nodes in criteria.nodes.values())
            return (prefix.rstrip(":"), ident) if known else (None, ident)
    return None, head


class _Column(NamedTuple):
    """A column of the sheet as every row reads it, worked out once from the header."""

    pos: int  # 0-based
    kind: str  # unit | indicator | tu_cham | tham_dinh | ly_do | minh_chung | ty_le
    ident: str
    letter: str
    parse: Callable[[Any], Parsed] | None  # indicator columns: the indicator's parser
    # Texts already parsed in this column (a national sheet repeats "Có", "0", "12" thousands of times down a
    # column): text → (value, problem), or None for a blank text. Bounded: a column of distinct texts stops adding.
    seen: dict[str, Parsed | None]


_SEEN_LIMIT = 4_096
# A NamedTuple's own constructor is a Python function; tuple.__new__ makes the same tuple without that frame.
# Used for the two records made per cell read (1.1 million in a national sheet): 0.07 s less per read.
_tuple = tuple.__new__


def _plan(columns: dict[int, tuple[str, str]], criteria: Criteria, date1904: bool) -> list[_Column]:
    out = []
    for c, (kind, ident) in columns.items():
        parse = None
        if kind == "indicator":
            ind = criteria.indicators[ident]
            parse = partial(parse_indicator, kind=ind.type, choices=ind.choices, date1904=date1904)
        out.append(_Column(c, kind, ident, L.col_letter(c + 1), parse, {}))
    return out


def _row(row: list[Any], r: int, columns: list[_Column], name: str, sheet: str | None,
         criteria: Criteria, unit: RawUnit, problems: list[InputError], ignored: set[str],
         uncached: set[str], failed: Mapping[str, str], percent: Callable[[str], bool] | None = None) -> None:
    notes: dict[tuple[str, str], str] = {}
    width = len(row)
    line = str(r + 1)
    for col in columns:
        if col.kind in _NOTES and col.pos < width and not is_empty(row[col.pos]):
            where = Location(name, sheet, f"{col.letter}{line}", col.ident)
            notes[(col.kind, col.ident)] = note_text(row[col.pos], where, problems) or ""
    for col in columns:
        c, kind, ident = col.pos, col.kind, col.ident
        raw = row[c] if c < width else None
        if uncached and f"{col.letter}{line}" in uncached:
            problems.append(InputError("FORMULA_NO_VALUE", Location(name, sheet, f"{col.letter}{line}", ident),
                                       "ô chứa công thức chưa có kết quả tính. Mở tệp bằng Excel, lưu lại, hoặc gõ "
                                       "giá trị."))
            continue
        if raw is None or raw == "":
            # the ref is built only for a sheet holding error cells: most hold none, and this runs per cell
            if failed and (error := failed.get(f"{col.letter}{line}")) is not None:
                problems.append(excel_error(error, Location(name, sheet, f"{col.letter}{line}", ident)))
            continue
        if kind in _NOTES:
            continue
        if col.parse is not None:  # an indicator: the common cell
            if type(raw) is str:
                parsed = col.seen.get(raw, _UNSEEN)
                if parsed is _UNSEEN:
                    parsed = None if is_empty(raw) else col.parse(raw)
                    if len(col.seen) < _SEEN_LIMIT:
                        col.seen[raw] = parsed
                if parsed is None:
                    continue
            elif is_empty(raw):
                continue
            else:
                parsed = col.parse(raw)
            value, problem = parsed
            where = _tuple(Location, (name, sheet, f"{col.letter}{line}", ident))
            if problem:
                problems.append(cell_error(problem, where, raw))
            elif value is not None:
                unit.values[ident] = _tuple(Reading, (value, where, None))
            continue
        if is_empty(raw):
            continue
        where = Location(name, sheet, f"{col.letter}{line}", ident)
        if kind == "unit":
            _unit_field(unit, ident, raw, where, problems)
        elif kind == "ty_le":
            pct, problem = parse_decimal(raw)
            if problem:
                problems.append(cell_error(problem, where, raw))
            elif pct is not None:
                if percent is not None and isinstance(raw, float) and percent(f"{col.letter}{line}"):
                    pct = as_shown_percent(pct)  # 92,75 % typed into a percent cell is stored 0,9275
                unit.stated_pct[ident] = Reading(pct, where)
        else:
            points, problem = parse_decimal(raw)
            if problem:
                problems.append(cell_error(problem, where, raw))
                continue
            assert isinstance(points, Decimal)
            if kind == "tu_cham":
                unit.self_scores[ident] = Score(points, where, notes.get(("minh_chung", ident)))
            else:
                unit.appraised[ident] = Score(points, where, notes.get(("ly_do", ident)))
    if unit.subject in criteria.used_indicators:
        used = criteria.used_indicators[unit.subject] | criteria.override_indicators
        for ident in [i for i in unit.values if i not in used]:
            ignored.add(ident)
            del unit.values[ident]


def _unit_field(unit: RawUnit, key: str, raw: Any, where: Location, problems: list[InputError]) -> None:
    if key == "nam":
        year, problem = parse_int(raw)
        if problem:
            problems.append(cell_error(problem, where, raw))
        unit.year, unit.year_at = year, where
        return
    text = parse_text(raw)
    if key == "ma_don_vi":
        unit.code, unit.code_at = text, where
    elif key == "ten_don_vi":
        unit.name, unit.where = text, where
    elif key == "doi_tuong":
        unit.subject = (text or "").casefold()
