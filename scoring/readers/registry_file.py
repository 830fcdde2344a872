"""Reads a registry file's rows: a CSV, or the first visible worksheet of a workbook that holds the list."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, Location
from ..names import clean
from ..numbers import format_vi
from .consolidated import find_header, read_csv_rows
from .limits import TABLE_MAX_ROWS
from .package import check_workbook, size_problem
from .parse import parse_text, quote

if TYPE_CHECKING:  # imported when a workbook is read: it loads python-calamine
    from .workbook import Book

# calamine picks its reader by the file's extension: only the xlsx reader is the one the package check models.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
KIND = "danh sách đơn vị"
COLUMNS = ("ma_don_vi", "ten_don_vi", "doi_tuong", "ten_khac")
# The header is looked for in the first rows from the first one with a value, as a consolidated sheet's is: a
# title line or a blank line above it is common in a list typed by hand.
HEADER_SCAN = 10
# Said with every problem that leaves no unit to read: what happens to the forms meanwhile.
UNUSED = ("Đến khi sửa xong, các biểu được đọc như khi không có danh sách đơn vị (mã, tên đơn vị không được đối "
          "chiếu).")
# How much of a UTF-16 file is looked at to tell it: a few lines of text.


@dataclass
class Table:
    """The rows of the list as the file holds them, row 0 being line 1 (cell A1 of a workbook's sheet)."""

    rows: list[list[Any]]
    sheet: str | None = None  # the worksheet read; None for a CSV
    first: int = 0  # the first row with a value: the header is looked for from there


def cell(raw: Any) -> str:
    """A cell's text as the readers read it (the number 101, stored 101.0, is "101"), cleaned as a name is."""
    return clean(parse_text(raw) or "")


def header_row(table: Table) -> int | None:
    """Index (in table.rows) of the header: find_header on the cells cleaned as the registry reads them."""
    scan = table.rows[table.first:table.first + HEADER_SCAN]
    found = find_header([[cell(v) for v in row] for row in scan])
    return None if found is None else table.first + found


def read_table(path: Path, shown: str) -> tuple[Table | None, list[InputError]]:
    """The file's rows, or None with the reason it is not read. OSError is the caller's."""
    where = Location(file=shown)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if problem := size_problem(path.stat().st_size, where, KIND):
            return None, [problem]
        data = path.read_bytes()
        rows, problems = read_csv_rows(data, shown)  # its delimiter is guessed from the header line
        problems = [_for_registry(p) for p in problems]
        return (None if rows is None else Table(rows, None, _first_filled(rows))), problems
    if suffix not in WORKBOOK_SUFFIXES:
        kind = f"tệp {quote(path.suffix)}" if path.suffix else "tệp không có đuôi"
        return None, [InputError("UNSUPPORTED_FILE", where, f"không đọc danh sách đơn vị từ {kind}: chỉ đọc .xlsx, "
                                 ".xlsm hoặc .csv. Mở bằng Excel, lưu lại dạng .xlsx (Excel Workbook) rồi chạy "
                                 "lại.")]
    checked = check_workbook(path, shown, kind=KIND)
    if isinstance(checked, InputError):
        return None, [_for_registry(checked)]
    # Imported here: it loads python-calamine, which `qd274 template` (importing this module for its types)
    # never needs.
    from .workbook import BookError, open_book

    try:
        book = open_book(path, checked)
        try:
            return _from_book(book, shown)
        finally:
            book.close()
    except BookError as exc:  # calamine's errors, and its panics on a malformed file
        return None, [InputError("UNREADABLE_FILE", where, f"không đọc được danh sách đơn vị ({exc}). Mở tệp bằng "
                                 "Excel, lưu lại dạng .xlsx rồi chạy lại.")]


def _from_book(book: Book, shown: str) -> tuple[Table | None, list[InputError]]:
    """The first visible worksheet whose header row is found. A workbook often holds more than the list: an
    instructions sheet first, last year's list hidden, a chart: the list is the sheet with the header. When no
    sheet has it, a lone worksheet is still returned (its header row is then judged column by column)."""
    states = book.sheet_states()
    visible = [s for s in book.sheet_names if not states[s]]
    first: Table | None = None
    for sheet in visible:  # read one by one: the sheets after the list are never loaded
        table = _table(book, sheet)
        first = first or table
        if header_row(table) is not None:
            others = [s for s in book.sheet_names if s != sheet]
            return table, [_sheet_note(shown, sheet, others, states)] if others else []
    if len(visible) == 1 and first is not None:
        return first, []
    listed = ", ".join(_sheet_label(s, states) for s in book.sheet_names) or "không có sheet nào"
    return None, [InputError("MISSING_HEADER", Location(file=shown), f"không sheet hiện nào của danh sách đơn vị có "
                             f"dòng tiêu đề ({', '.join(COLUMNS)}) trong {HEADER_SCAN} dòng đầu; các sheet: {listed}. "
                             f"Ghi dòng tiêu đề phía trên danh sách (trong một sheet không ẩn) rồi chạy lại. {UNUSED}")]


def _table(book: Book, sheet: str) -> Table:
    """The sheet's rows from A1, so that a row and a column are named as Excel names them."""
    rows = book.rows(sheet, from_a1=True)
    return Table(rows, sheet, _first_filled(rows))


def _sheet_label(sheet: str, states: dict[str, str]) -> str:
    return f"{quote(sheet)} ({states[sheet]})" if states.get(sheet) else quote(sheet)


def _sheet_note(shown: str, sheet: str, others: list[str], states: dict[str, str]) -> InputError:
    """Which sheet was read, when the workbook has several: the others must not be thought read."""
    listed = ", ".join(_sheet_label(s, states) for s in others)
    return InputError("REGISTRY_SHEET", Location(file=shown, sheet=sheet), f"tệp có {format_vi(len(others) + 1)} "
                      f"sheet: đọc danh sách đơn vị ở sheet {quote(sheet)} (sheet hiện đầu tiên có dòng tiêu đề "
                      f"ma_don_vi, ten_don_vi); không đọc {listed}. Nếu danh sách đúng ở sheet khác, chuyển nó lên "
                      "trước (và bỏ ẩn) rồi chạy lại.", "info")


def _first_filled(rows: list[list[Any]]) -> int:
    return next((n for n, row in enumerate(rows) if any(cell(v) for v in row)), len(rows))


def _for_registry(problem: InputError) -> InputError:
    """The shared CSV and workbook checks' words where the registry needs others: one registry is read per run,
    so "split the table into several files" cannot help."""
    if problem.code == "TOO_MANY_ROWS":
        return replace(problem, message=f"danh sách đơn vị có hơn {format_vi(TABLE_MAX_ROWS)} dòng, vượt giới hạn "
                       f"{format_vi(TABLE_MAX_ROWS)} đơn vị; mỗi lần chạy chỉ đọc một danh sách, nên không tách "
                       "thành nhiều tệp được. Xóa các dòng thừa (dòng trống hoặc có định dạng ở cuối bảng), chỉ giữ "
                       "các đơn vị được chấm lần này, rồi chạy lại.")
    return problem
