"""Reads a folder (or one file) of forms and consolidated sheets into units; every problem collected.

Input files are opened read-only and never written. Units are identified against the registry (by code,
else by name: case, spacing, prefix and NFC/NFD ignored; an accent-insensitive match is only suggested).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..criteria import Criteria
from ..errors import InputError, Location
from ..inputs import UnitInput
from ..names import clean, match_key
from ..registry import Registry, load_registry
from .consolidated import find_header, read_consolidated, read_csv_rows
from .files import InputFile, default_registry, describe, discover
from .form import is_form, read_form
from .raw import RawUnit
from .workbook import Book, open_book


@dataclass
class ReadResult:
    units: list[UnitInput] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    files: list[InputFile] = field(default_factory=list)
    registry: Registry | None = None


def read_inputs(path: Path, criteria: Criteria, *, year: int | None = None, subject: str | None = None,
                registry_path: Path | None = None,
                progress: Callable[[int, int], None] | None = None) -> ReadResult:
    result = ReadResult()
    if not path.exists():
        result.problems.append(InputError("NOT_FOUND", Location(file=str(path)),
                                          "không tìm thấy tệp hoặc thư mục này."))
        return result
    reg_file = registry_path or default_registry(path)
    if reg_file is not None:
        result.registry, problems = load_registry(reg_file, path if path.is_dir() else path.parent)
        result.problems += problems
    files, locked = discover(path, reg_file)
    raws: list[RawUnit] = []
    for n, f in enumerate(files):
        raws += _read_file(f, path, criteria, result, f in locked)
        if progress:
            progress(n + 1, len(files))
    _identify(raws, criteria, result, year, subject)
    return result


def _read_file(f: Path, root: Path, criteria: Criteria, result: ReadResult, locked: bool) -> list[RawUnit]:
    data = f.read_bytes()  # one read: hashed for the manifest, parsed for CSV
    info = describe(f, root, data, "?")
    name = info.name
    if locked:
        result.problems.append(InputError("FILE_OPEN_IN_EXCEL", Location(file=name),
                                          "tệp đang mở trong Excel (có tệp khóa ~$ bên cạnh): đọc bản đã lưu gần "
                                          "nhất; lưu và đóng Excel nếu vừa sửa.", "info"))
    if f.suffix.lower() == ".csv":
        rows, problems = read_csv_rows(data, name)
        result.problems += problems
        units: list[RawUnit] = []
        if rows is not None:
            units, problems = read_consolidated(rows, name, None, criteria)
            result.problems += problems
        result.files.append(replace(info, kind="consolidated" if rows is not None else "unreadable"))
        return units
    if not zipfile.is_zipfile(f):
        result.problems.append(_not_a_workbook(name, data))
        result.files.append(replace(info, kind="unreadable"))
        return []
    try:
        book = open_book(f)
    except Exception as exc:  # calamine's errors (zip, xml, password) all mean: cannot read this file
        if other := _zip_without_workbook(f):  # a .docx is a zip too: say what it is, not calamine's words
            result.problems.append(_not_a_workbook(name, data, other))
        else:
            result.problems.append(InputError("UNREADABLE_FILE", Location(file=name),
                                              f"không đọc được tệp Excel ({type(exc).__name__}: {str(exc)[:120]}). "
                                              "Mở tệp bằng Excel, bỏ mật khẩu nếu có, lưu lại dạng .xlsx rồi chạy "
                                              "lại."))
        result.files.append(replace(info, kind="unreadable"))
        return []
    try:
        return _read_book(book, f, name, info, criteria, result)
    finally:
        book.close()


def _read_book(book: Book, f: Path, name: str, info: InputFile, criteria: Criteria,
               result: ReadResult) -> list[RawUnit]:
    if f.suffix.lower() == ".xlsm":
        result.problems.append(InputError("MACROS_IGNORED", Location(file=name),
                                          "tệp có macro (.xlsm): chỉ đọc giá trị đã lưu, không chạy macro nào.",
                                          "info"))
    if is_form(book):
        unit, problems = read_form(book, name, criteria)
        result.problems += problems
        result.files.append(replace(info, kind="form"))
        return [unit] if unit else []
    units, tables = [], 0
    for sheet in book.sheet_names:  # every table is read: one sheet per subject type is a common layout
        rows = book.rows(sheet)
        if find_header(rows) is not None:
            found, problems = read_consolidated(rows, name, sheet, criteria, book.date1904,
                                                book.formulas_without_value(sheet))
            result.problems += problems
            units += found
            tables += 1
    if tables:
        result.files.append(replace(info, kind="consolidated"))
        return units
    result.problems.append(InputError("NOT_AN_INPUT", Location(file=name),
                                      "tệp không phải biểu chấm điểm của qd274 (thiếu sheet «Số liệu») và không có "
                                      "dòng tiêu đề ma_don_vi/ten_don_vi của bảng tổng hợp."))
    result.files.append(replace(info, kind="unreadable"))
    return []


def _zip_without_workbook(path: Path) -> str | None:
    """What a zip holding no workbook is (a .docx is a zip too, and calamine's error on it says nothing useful)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return None  # left to calamine, which reports it as unreadable
    if any(n.startswith("xl/") for n in names):
        return None
    return ("tệp Word (.docx) bị đổi đuôi, không phải bảng tính" if any(n.startswith("word/") for n in names)
            else "tệp PowerPoint (.pptx) bị đổi đuôi, không phải bảng tính" if any(n.startswith("ppt/") for n in names)
            else "tệp OpenDocument (LibreOffice) bị đổi đuôi" if "mimetype" in names
            else "tệp nén (.zip) không chứa bảng tính Excel")


def _not_a_workbook(name: str, data: bytes, what: str | None = None) -> InputError:
    head = data[:8]
    what = what or ("tệp Excel cũ (.xls) hoặc tệp Office khác" if head.startswith(b"\xd0\xcf\x11\xe0")
                    else "tệp PDF" if head.startswith(b"%PDF") else "tệp rỗng" if not data
                    else "không phải tệp Excel .xlsx (có thể bị hỏng hoặc đổi đuôi)")
    return InputError("NOT_A_WORKBOOK", Location(file=name), f"{what}. Mở bằng Excel và lưu lại dạng .xlsx "
                      "(Excel Workbook) rồi chạy lại.")


def _identify(raws: list[RawUnit], criteria: Criteria, result: ReadResult, year: int | None,
              subject: str | None) -> None:
    reg = result.registry
    merged: dict[str, UnitInput] = {}
    first_seen: dict[str, RawUnit] = {}
    dropped: dict[str, dict[tuple[str, str], Any]] = {}  # per unit: conflicting values, never let back in
    for raw in raws:
        unit = _resolve(raw, criteria, reg, result.problems, year)
        if unit is None or (subject and unit.subject != subject):
            continue
        if unit.unit_id in merged:
            prior = first_seen[unit.unit_id]
            if prior.source == raw.source:
                result.problems.append(InputError(
                    "DUPLICATE_UNIT", raw.where, f"đơn vị «{unit.unit_name}» có hai dòng trong cùng tệp (dòng trước: "
                    f"{prior.where}); dòng này bị bỏ qua. Xóa dòng trùng.", unit_id=unit.unit_id))
                continue
            merged[unit.unit_id] = _merge(merged[unit.unit_id], unit, result.problems,
                                          dropped.setdefault(unit.unit_id, {}))
        else:
            merged[unit.unit_id], first_seen[unit.unit_id] = unit, raw
    if reg is not None:
        for reg_unit in reg.units:
            if reg_unit.code not in merged and (subject is None or reg_unit.subject == subject):
                merged[reg_unit.code] = UnitInput(reg_unit.code, reg_unit.name, reg_unit.subject,
                                                  year or _common_year(merged) or 0, source=reg.source)
                result.problems.append(InputError(
                    "NO_FORM", Location(file=reg.source, field=reg_unit.code),
                    f"đơn vị «{reg_unit.name}» ({reg_unit.code}) có trong danh sách nhưng không có biểu nào: "
                    "không xếp loại.", "warning", reg_unit.code))
    result.units = sorted(merged.values(), key=lambda u: (u.subject, u.unit_id))


def _common_year(units: dict[str, UnitInput]) -> int | None:
    years = [u.year for u in units.values() if u.year]
    return max(set(years), key=years.count) if years else None


def _resolve(raw: RawUnit, criteria: Criteria, reg: Registry | None, problems: list[InputError],
             year: int | None) -> UnitInput | None:
    subject = raw.subject if raw.subject in criteria.subjects else None
    unit_id, name = raw.code, raw.name
    if reg is not None:
        found = reg.by_code(raw.code) if raw.code else None
        if raw.code and found is None:
            problems.append(InputError("UNKNOWN_UNIT", raw.where, f"mã đơn vị «{raw.code}» không có trong danh "
                                       "sách đơn vị. Sửa mã theo danh sách (don_vi.csv)."))
            return None
        if found is None and raw.name:
            matches = reg.match(raw.name, subject)
            if len(matches) > 1:
                problems.append(InputError("AMBIGUOUS_UNIT", raw.where, f"tên «{raw.name}» khớp nhiều đơn vị: "
                                           + ", ".join(f"{u.name} ({u.code})" for u in matches) + ". Ghi mã đơn vị."))
                return None
            if not matches:
                hints = reg.suggest(raw.name, subject)
                hint = " Có phải " + " hoặc ".join(f"'{u.name}' ({u.code})" for u in hints) + "?" if hints else ""
                problems.append(InputError("UNKNOWN_UNIT", raw.where, f"không tìm thấy đơn vị «{raw.name}» trong "
                                           f"danh sách đơn vị.{hint} Sửa tên (hoặc ghi mã đơn vị) rồi chạy lại."))
                return None
            found = matches[0]
        if found is None:
            problems.append(InputError("UNKNOWN_UNIT", raw.where, "không có mã và tên đơn vị. Ghi mã hoặc tên."))
            return None
        if subject and subject != found.subject:
            problems.append(InputError("WRONG_SUBJECT", raw.where, f"«{found.name}» là đối tượng {found.subject} "
                                       f"trong danh sách, nhưng biểu ghi {subject}. Dùng đúng mẫu biểu."))
            return None
        unit_id, name, subject = found.code, found.name, found.subject
    if not (unit_id or name):
        problems.append(InputError("UNKNOWN_UNIT", raw.where, "không có mã và tên đơn vị. Ghi mã hoặc tên."))
        return None
    if subject is None:
        problems.append(InputError("UNKNOWN_SUBJECT", raw.where, f"đối tượng «{raw.subject or ''}» không hợp lệ; "
                                   "cần huyen, xa hoặc co_quan."))
        return None
    unit_year = raw.year or year
    if unit_year is None:
        problems.append(InputError("MISSING_YEAR", raw.where, "không rõ năm đánh giá; ghi năm vào biểu hoặc chạy "
                                   "với --nam."))
        return None
    if year is not None and unit_year != year:
        problems.append(InputError("WRONG_YEAR", raw.where, f"biểu năm {unit_year}, không phải năm {year} đang "
                                   "chấm; bỏ qua.", "warning"))
        return None
    # Without a registry the name is shown as typed, but cleaned: "Xã  Tân  Sỏi" is shown "Xã Tân Sỏi".
    return UnitInput(unit_id or match_key(name or ""), clean(name or unit_id or ""), subject, unit_year, raw.values,
                     raw.self_scores, raw.appraised, raw.stated_pct, raw.source)


def _merge(a: UnitInput, b: UnitInput, problems: list[InputError],
           dropped: dict[tuple[str, str], Any]) -> UnitInput:
    """Two files for one unit: values that agree are kept, values that conflict are dropped and reported.

    A dropped value stays dropped when a third file agrees with one side: the result must not depend on
    the order the files are read in.
    """
    out: dict[str, Any] = {}
    for attr in ("values", "self_scores", "appraised", "stated_pct"):
        left, right = dict(getattr(a, attr)), getattr(b, attr)
        for key, item in right.items():
            mine = left.get(key, dropped.get((attr, key)))
            value_a = getattr(mine, "value", getattr(mine, "points", None))
            value_b = getattr(item, "value", getattr(item, "points", None))
            if mine is None:
                left[key] = item
            elif value_a != value_b:
                problems.append(InputError(
                    "CONFLICTING_VALUES", item.origin or Location(file=b.source, field=key),
                    f"đơn vị «{a.unit_name}», «{key}»: {value_a} ở {mine.origin} nhưng {value_b} ở {item.origin}. "
                    "Giữ một giá trị đúng rồi chạy lại; đến khi đó giá trị này bị bỏ.", unit_id=a.unit_id))
                dropped.setdefault((attr, key), mine)
                left.pop(key, None)
        out[attr] = left
    sources = "; ".join(s for s in (a.source, b.source) if s)
    return replace(a, source=sources, **out)
