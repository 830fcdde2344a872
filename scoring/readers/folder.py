"""Reads a folder (or one file) of forms and consolidated sheets into units; every problem collected.

Input files are opened read-only and never written. A workbook's package is checked (package.py) before
any parser sees it; a file that is not a workbook is named for what it is (sniff.py). Units are then
identified against the registry (identify.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from ..batch import gc_paused
from ..criteria import Criteria
from ..errors import InputError, Location
from ..forms import layout as L
from ..inputs import UnitInput
from ..numbers import format_vi
from ..registry import Registry, read_registry
from .consolidated import find_header, read_consolidated, read_csv_rows
from .files import TEXT_TABLES, InputFile, default_registry, describe, discover, display_name, printable
from .form import is_form, read_form
from .identify import identify
from .limits import FORM_MAX_ROWS, MAX_FILE_BYTES, MIB, TABLE_MAX_ROWS
from .package import check_workbook, sheet_problem
from .parallel import read_all
from .raw import RawUnit
from .workbook import Book, BookError, open_book


@dataclass
class ReadResult:
    units: list[UnitInput] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    files: list[InputFile] = field(default_factory=list)
    registry: Registry | None = None


def read_inputs(path: Path, criteria: Criteria, *, year: int | None = None, subject: str | None = None,
                registry_path: Path | None = None,
                progress: Callable[[int, int], None] | None = None) -> ReadResult:
    """Every unit in the file or folder, with every problem found (inputs are only ever read)."""
    with gc_paused():  # a record per cell read, none of them cyclic (see scoring.batch)
        return _read_inputs(path, criteria, year, subject, registry_path, progress)


def _read_inputs(path: Path, criteria: Criteria, year: int | None, subject: str | None, registry_path: Path | None,
                 progress: Callable[[int, int], None] | None) -> ReadResult:
    result = ReadResult()
    if not path.exists():
        result.problems.append(InputError("NOT_FOUND", Location(file=printable(str(path))),
                                          "không tìm thấy tệp hoặc thư mục này."))
        return result
    reg_file = registry_path or default_registry(path)
    if reg_file is not None:  # checked like any input (read_registry): None when refused or unreadable
        result.registry, problems = read_registry(reg_file, path if path.is_dir() else path.parent,
                                                  subjects=criteria.subjects)
        result.problems += problems
    files, locked, unsupported = discover(path, reg_file, result.problems.append)
    for f in unsupported:
        result.problems.append(InputError("UNSUPPORTED_FILE", Location(file=display_name(f, path)),
                                          _unsupported(f.suffix.lower()), "warning"))
    # Nothing to read at all (a registry alone is not this: it lists who has not sent a form yet)
    if not files and not unsupported and reg_file is None and not any(
            p.code in ("UNREADABLE_FOLDER", "NOT_A_REGULAR_FILE") for p in result.problems):
        result.problems.append(InputError("NO_INPUT_FILES", Location(file=printable(str(path))),
                                          "không có biểu chấm điểm (.xlsx) hay bảng tổng hợp (.xlsx, .csv) nào ở "
                                          "đây: không có gì để chấm. Kiểm tra đường dẫn (thư mục chứa các biểu đã "
                                          "điền) rồi chạy lại."))
    raws: list[RawUnit] = []
    read = partial(_read_alone, root=path, locked=frozenset(locked))
    for units, problems, described in read_all(files, read, criteria, progress):
        raws += units
        result.problems += problems
        result.files += described
    result.units = identify(raws, criteria, result.registry, result.problems, year, subject)
    return result


def _unsupported(suffix: str) -> str:
    if suffix in TEXT_TABLES:
        return (f"tệp văn bản {suffix} (Excel ghi «Unicode Text» hoặc «Text (Tab delimited)» như vậy) có cột của bảng "
                "tổng hợp nhưng không được đọc. Mở bằng Excel, lưu lại dạng «CSV UTF-8 (Comma delimited)» (.csv) "
                "hoặc .xlsx rồi chạy lại.")
    return (f"bảng tính dạng {suffix} không được đọc. Mở bằng Excel, lưu lại dạng .xlsx (Excel Workbook) nếu tệp là "
            "biểu chấm điểm.")


def _read_alone(criteria: Criteria, f: Path, root: Path, locked: frozenset[Path]
                ) -> tuple[list[RawUnit], list[InputError], list[InputFile]]:
    """One file read on its own (perhaps in a worker process): its units, its problems, its description."""
    mine = ReadResult()
    units = _read_file(f, root, criteria, mine, f in locked)
    return units, mine.problems, mine.files


def _read_file(f: Path, root: Path, criteria: Criteria, result: ReadResult, locked: bool) -> list[RawUnit]:
    try:
        return _read_file_at(f, root, criteria, result, locked)
    except OSError as exc:  # gone since it was listed, no permission, a network drive that dropped
        name = display_name(f, root)
        result.problems.append(InputError("UNREADABLE_FILE", Location(file=name), f"không mở được tệp "
                                          f"({type(exc).__name__}: {exc.strerror or exc}). Kiểm tra quyền truy cập "
                                          "và đường dẫn rồi chạy lại."))
        if name not in {i.name for i in result.files}:
            result.files.append(InputFile(f, name, "", 0, "unreadable"))
        return []


def _read_file_at(f: Path, root: Path, criteria: Criteria, result: ReadResult, locked: bool) -> list[RawUnit]:
    name = display_name(f, root)
    if locked:
        result.problems.append(InputError("FILE_OPEN_IN_EXCEL", Location(file=name),
                                          "tệp đang mở trong Excel (có tệp khóa ~$ bên cạnh): đọc bản đã lưu gần "
                                          "nhất; lưu và đóng Excel nếu vừa sửa.", "info"))
    if f.stat().st_size > MAX_FILE_BYTES:  # never read into memory: hashed from disk for the manifest
        result.problems.append(InputError("FILE_TOO_LARGE", Location(file=name),
                                          f"tệp nặng {format_vi(f.stat().st_size // MIB)} MB, quá giới hạn "
                                          f"{format_vi(MAX_FILE_BYTES // MIB)} MB cho một tệp đầu vào: không đọc. "
                                          "Kiểm tra có đúng tệp không; tách bảng thành nhiều tệp nếu cần."))
        result.files.append(describe(f, root, None, "unreadable", name))
        return []
    data = f.read_bytes()  # one read: hashed for the manifest, parsed for CSV
    info = describe(f, root, data, "?", name)
    if f.suffix.lower() == ".csv":
        rows, problems = read_csv_rows(data, name)
        result.problems += problems
        units: list[RawUnit] = []
        if rows is not None:
            units, problems = read_consolidated(rows, name, None, criteria)
            result.problems += problems
        result.files.append(replace(info, kind="consolidated" if rows is not None else "unreadable"))
        return units
    book = _open(f, name, data, result)
    if book is None:
        result.files.append(replace(info, kind="unreadable"))
        return []
    try:
        return _read_book(book, f, name, info, criteria, result)
    finally:
        book.close()


def _open(f: Path, name: str, data: bytes, result: ReadResult) -> Book | None:
    """The workbook, once check_workbook passed it and calamine has opened it; None with the problem reported."""
    checked = check_workbook(f, name, data=data)
    if isinstance(checked, InputError):
        result.problems.append(checked)
        return None
    try:
        return open_book(f, checked)
    except BookError as exc:  # calamine's errors (zip, xml, password) all mean: cannot read this file
        result.problems.append(_unreadable(name, None, str(exc)))
        return None


def _unreadable(name: str, sheet: str | None, why: str) -> InputError:
    return InputError("UNREADABLE_FILE", Location(file=name, sheet=sheet),
                      f"không đọc được {'sheet này' if sheet else 'tệp Excel'} ({why}). Mở tệp bằng Excel, bỏ mật "
                      "khẩu nếu có, lưu lại dạng .xlsx rồi chạy lại.")


# The sheets of qd274's own summary workbook (reports/xlsx_report.py; a test keeps the two in step)
_OWN_SHEETS = frozenset({"Đối chiếu", "Kiểm tra", "Truy vết", "Thông tin"})


def _read_book(book: Book, f: Path, name: str, info: InputFile, criteria: Criteria,
               result: ReadResult) -> list[RawUnit]:
    if f.suffix.lower() == ".xlsm" or book.package.vba:
        result.problems.append(InputError("MACROS_IGNORED", Location(file=name),
                                          "tệp có macro (.xlsm, VBA): chỉ đọc giá trị đã lưu, không chạy macro nào.",
                                          "info"))
    if _OWN_SHEETS <= set(book.sheet_names):  # last year's summary copied in beside the forms: not data
        result.problems.append(InputError("OWN_OUTPUT", Location(file=name), "đây là bảng kết quả do qd274 report "
                                          "ghi ra, không phải số liệu: không đọc. Để các tệp kết quả ngoài thư mục "
                                          "đầu vào.", "warning"))
        result.files.append(replace(info, kind="output"))
        return []
    if is_form(book):
        # each form sheet as the form reader finds it (a renamed «So lieu» too: read_form's find_sheet)
        sheets = [real for s in (L.META, L.INFO, L.DATA, L.SCORES) if (real := book.find_sheet(s))]
        too_big = [p for s in sheets if (p := sheet_problem(book.extent(s, FORM_MAX_ROWS), FORM_MAX_ROWS,
                                                            Location(name, s), "biểu chấm điểm"))]
        if too_big:
            result.problems += too_big
            result.files.append(replace(info, kind="unreadable"))
            return []
        try:
            unit, problems = read_form(book, name, criteria)
        except BookError as exc:
            result.problems.append(_unreadable(name, None, str(exc)))
            result.files.append(replace(info, kind="unreadable"))
            return []
        result.problems += problems
        result.files.append(replace(info, kind="form"))
        return [unit] if unit else []
    units, tables, refused = [], 0, 0
    for sheet in book.sheet_names:  # every table is read: one sheet per subject type is a common layout
        if problem := sheet_problem(book.extent(sheet), TABLE_MAX_ROWS, Location(name, sheet), "bảng tổng hợp"):
            result.problems.append(problem)
            refused += 1
            continue
        try:
            rows = book.rows(sheet)
            if find_header(rows) is None:
                continue
            found, problems = read_consolidated(rows, name, sheet, criteria, book.date1904,
                                                book.formulas_without_value(sheet), book.error_cells(sheet),
                                                partial(book.shown_as_percent, sheet))
        except BookError as exc:
            result.problems.append(_unreadable(name, sheet, str(exc)))
            refused += 1
            continue
        result.problems += problems
        units += found
        tables += 1
    if tables:
        result.files.append(replace(info, kind="consolidated"))
        return units
    if not refused:
        result.problems.append(InputError("NOT_AN_INPUT", Location(file=name),
                                          "tệp không phải biểu chấm điểm của qd274 (thiếu sheet «Số liệu») và không "
                                          "có dòng tiêu đề ma_don_vi/ten_don_vi của bảng tổng hợp."))
    result.files.append(replace(info, kind="unreadable"))
    return []
