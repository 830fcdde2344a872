"""Identifies the units read against the registry, and merges what several files say about one unit.

By code, else by name (case, spacing, prefix and NFC/NFD ignored; an accent-insensitive match is only
suggested, never applied). Values two files disagree on are dropped and reported, whatever the file order.
"""

from __future__ import annotations

from dataclasses import replace
from string import ascii_uppercase
from typing import Any

from ..criteria import Criteria
from ..errors import InputError, Location, one_of
from ..inputs import UnitInput
from ..names import clean, match_key
from ..numbers import format_vi
from ..registry import RegisteredUnit, Registry
from .limits import MAX_NAME_CHARS
from .parse import quote
from .raw import RawUnit


def identify(raws: list[RawUnit], criteria: Criteria, reg: Registry | None, problems: list[InputError],
             year: int | None, subject: str | None) -> list[UnitInput]:
    """The units, in (subject, id) order; every problem appended to `problems`. A registered unit with no
    file is a unit without data (NO_FORM), so that it is graded «Không xếp loại», not forgotten."""
    merged: dict[str, UnitInput] = {}
    first_seen: dict[str, RawUnit] = {}
    dropped: dict[str, dict[tuple[str, str], Any]] = {}  # per unit: conflicting values, never let back in
    resolved: list[tuple[RawUnit, UnitInput]] = []
    other_subjects: set[str] = set()
    skipped = reg.suggestions_skipped if reg is not None else 0
    refused = _refused_forms(problems, reg)  # registered code → files read for it but not used (see NO_FORM)
    unread = _unread_files(problems, reg.source if reg is not None else None)
    named: list[tuple[RawUnit, str]] = []  # each unit read and the id it was given, for its own problems
    for raw in raws:
        unit = _resolve(raw, criteria, reg, problems, year)
        if unit is not None and raw.own:
            named.append((raw, unit.unit_id))
        if unit is None:
            _note_refused(raw, reg, refused)
        elif subject and unit.subject != subject:
            other_subjects.add(unit.subject)
        else:
            resolved.append((raw, unit))
    if reg is not None:
        _unsuggested(reg.source, reg.suggestions_skipped - skipped, problems)
    if year is None:  # with a year, _resolve has already left out (WRONG_YEAR) every other year
        kept = _one_year(resolved, problems)
        kept_ids = {id(unit) for _, unit in kept}
        for raw, unit in resolved if len(kept) < len(resolved) else []:  # MIXED_YEARS left these out
            if id(unit) not in kept_ids:
                refused.setdefault(unit.unit_id, set()).add(raw.source)
        resolved = kept
    if not resolved and (year is not None or subject):
        _none_selected(raws, year, subject, other_subjects, problems)
    for raw, unit in resolved:
        if unit.unit_id in merged:
            prior = first_seen[unit.unit_id]
            if prior.source == raw.source:
                problems.append(InputError(
                    "DUPLICATE_UNIT", raw.where, f"đơn vị «{unit.unit_name}» có hai dòng trong cùng tệp (dòng trước: "
                    f"{prior.where}); dòng này bị bỏ qua. Xóa dòng trùng.", unit_id=unit.unit_id))
                continue
            merged[unit.unit_id] = _merge(merged[unit.unit_id], unit, problems,
                                          dropped.setdefault(unit.unit_id, {}))
        else:
            merged[unit.unit_id], first_seen[unit.unit_id] = unit, raw
    if reg is not None:
        # once, not per unit: each unit added below carries this year, which only strengthens it
        missing_year = year or _common_year(merged) or 0
        for reg_unit in reg.units:
            if reg_unit.code not in merged and (subject is None or reg_unit.subject == subject):
                merged[reg_unit.code] = UnitInput(reg_unit.code, reg_unit.name, reg_unit.subject, missing_year,
                                                  source=reg.source)
                problems.append(_no_form(reg.source, reg_unit, refused.get(reg_unit.code), unread))
    _stamp(named, problems)
    return sorted(merged.values(), key=lambda u: (u.subject, u.unit_id))


def _stamp(named: list[tuple[RawUnit, str]], problems: list[InputError]) -> None:
    """Each problem of a unit's own cells carries the unit's id (a reader found it before the id was known):
    `explain --don-vi` and the per-unit counts of the reports show it with the unit."""
    stamped = {id(p): replace(p, unit_id=uid) for raw, uid in named for p in raw.own or () if p.unit_id is None}
    if stamped:
        problems[:] = [stamped.get(id(p), p) for p in problems]


def _no_form(source: str | None, unit: RegisteredUnit, files: set[str] | None, unread: list[str]) -> InputError:
    """A registered unit left without data: it sent no form, or its form was refused (the reason is reported
    above, and «không có biểu nào» would contradict it), or it may be in a file that could not be read."""
    if files:
        why = (f"và có biểu ({_files(files)}), nhưng biểu đó không được dùng (xem lỗi hoặc cảnh báo của tệp đó ở "
               "trên): không xếp loại. Sửa biểu theo các lỗi đó rồi chạy lại.")
    elif unread:  # a form saved as .xls or .ods, a password: the unit's may be one of them
        names = ", ".join(unread[:3]) + (", …" if len(unread) > 3 else "")
        why = (f"nhưng không có biểu nào đọc được: không xếp loại. Có {format_vi(len(unread))} tệp không đọc được "
               f"({names}): nếu biểu của đơn vị nằm trong đó, sửa theo lỗi của tệp đó (ví dụ lưu lại dạng .xlsx) "
               "rồi chạy lại.")
    else:
        why = "nhưng không có biểu nào: không xếp loại."
    return InputError("NO_FORM", Location(file=source, field=unit.code),
                      f"đơn vị «{unit.name}» ({unit.code}) có trong danh sách {why}", "warning", unit.code)


def _unread_files(problems: list[InputError], registry: str | None) -> list[str]:
    """The input files not read at all (an .xls, a password, not a workbook): a problem about the whole file,
    for no unit; the registry's own are not among them."""
    return sorted({p.location.file for p in problems if p.location.file and p.location.file != registry
                   and p.location.sheet is None and p.location.cell is None and p.unit_id is None
                   and p.severity in ("error", "warning") and p.code in _UNREAD_CODES})


# Codes that leave a whole file unread (readers/folder.py, package.py, sniff.py)
# (NOT_AN_INPUT is no such file: it was read, and holds no form)
_UNREAD_CODES = frozenset({"UNSUPPORTED_FILE", "NOT_A_WORKBOOK", "PASSWORD_PROTECTED", "UNREADABLE_FILE",
                           "FILE_TOO_LARGE", "ZIP_TOO_LARGE", "NOT_UTF8", "NOT_A_TABLE"})


def _refused_forms(problems: list[InputError], reg: Registry | None) -> dict[str, set[str]]:
    """The forms a reader refused whole but knew the unit of (MISSING_SHEET carries the hidden sheet's code)."""
    refused: dict[str, set[str]] = {}
    if reg is None:
        return refused
    for p in problems:
        if p.severity == "error" and p.unit_id and p.location.file and (found := reg.by_code(p.unit_id)):
            refused.setdefault(found.code, set()).add(p.location.file)
    return refused


def _note_refused(raw: RawUnit, reg: Registry | None, refused: dict[str, set[str]]) -> None:
    """A form _resolve left out (WRONG_SUBJECT, WRONG_YEAR, MISSING_YEAR…): the registered unit it is for."""
    if reg is None:
        return
    found = reg.by_code(raw.code) if raw.code else None
    if not raw.code and raw.name and len(matches := reg.match(raw.name)) == 1:
        found = matches[0]
    if found is not None:
        refused.setdefault(found.code, set()).add(raw.source)


def _none_selected(raws: list[RawUnit], year: int | None, subject: str | None, other_subjects: set[str],
                   problems: list[InputError]) -> None:
    """NO_UNIT_SELECTED when units were read but --nam (and --doi-tuong) left out every one: an error, so that no
    report of only unsubmitted units is written and kept in the history as that year's run."""
    read_years = {r.year for r in raws if r.year is not None}
    if year is not None and year in read_years:
        return  # forms of that year were read, and left out for their own problems: reported already
    years = sorted(read_years) if year is not None else []
    if not years and not other_subjects:
        return  # nothing left out by the options: the units' own problems are reported already
    asked = " ".join(o for o in (f"--nam {year}" if year is not None else "", f"--doi-tuong {subject}" if subject
                                 else "") if o)
    held = ([f"năm {', '.join(map(str, years))}"] if years else []) + (
        [f"đối tượng {', '.join(sorted(other_subjects))}"] if other_subjects else [])
    problems.append(InputError("NO_UNIT_SELECTED", Location(field=asked),
                               f"không đơn vị nào trong các tệp đã đọc khớp {asked}: các biểu là {' và '.join(held)}. "
                               "Chạy lại với đúng năm (đối tượng) của các biểu, hoặc bỏ tùy chọn đó."))


def _one_year(resolved: list[tuple[RawUnit, UnitInput]], problems: list[InputError]
              ) -> list[tuple[RawUnit, UnitInput]]:
    """Only one year's units when the files read carry several years: the year most units carry, the latest
    of those on a tie.

    Last year's files often stay in this year's folder (as many units each year: the latest is taken), and a
    year is sometimes mistyped in one form (one unit in 2024 among 25 in 2023: 2023 is taken). Merging the
    years by unit code would mix one year's figures into another's scores. An error, not a warning: a unit's
    data is left out, and the officer must see it. It names what was left out and how to choose instead.
    """
    units: dict[int, set[str]] = {}
    for _, unit in resolved:
        units.setdefault(unit.year, set()).add(unit.unit_id)
    if len(units) < 2:
        return resolved
    chosen = max(units, key=lambda y: (len(units[y]), y))
    most = len(units[chosen])
    why = "mới nhất" if any(len(ids) == most for y, ids in units.items() if y != chosen) else "nhiều đơn vị nhất"
    files: dict[int, set[str]] = {}
    for raw, unit in resolved:
        if unit.year != chosen:
            files.setdefault(unit.year, set()).add(raw.source)
    parts = [f"{format_vi(len(units[y]))} đơn vị của năm {y} ({_files(files[y])})" for y in sorted(files)]
    others = " hoặc ".join(f"--nam {y}" for y in sorted(files))
    problems.append(InputError(
        "MIXED_YEARS", Location(), f"thư mục có số liệu của các năm {', '.join(str(y) for y in sorted(units))}: "
        f"chỉ chấm năm {chosen} ({why}), bỏ qua {', '.join(parts)}. Nếu năm ghi trong các tệp đó bị gõ nhầm, sửa "
        f"lại rồi chạy lại; muốn chấm năm khác, chạy với {others}."))
    return [(raw, unit) for raw, unit in resolved if unit.year == chosen]


def _files(names: set[str]) -> str:
    """A few files by name (the one form with a mistyped year), many by their number."""
    shown = sorted(names)
    return ", ".join(shown) if len(shown) <= 3 else f"{format_vi(len(shown))} tệp"


def _common_year(units: dict[str, UnitInput]) -> int | None:
    years = [u.year for u in units.values() if u.year]
    return max(set(years), key=years.count) if years else None


def _resolve(raw: RawUnit, criteria: Criteria, reg: Registry | None, problems: list[InputError],
             year: int | None) -> UnitInput | None:
    for what, text in (("tên", raw.name), ("mã", raw.code)):
        if text and len(clean(text)) > MAX_NAME_CHARS:  # not a name: never matched, never quoted whole
            problems.append(InputError("NAME_TOO_LONG", raw.where, f"{what} đơn vị dài {format_vi(len(clean(text)))} "
                                       f"ký tự (quá {MAX_NAME_CHARS}), bắt đầu bằng {quote(text)}: không phải {what} "
                                       "một đơn vị. Sửa ô này rồi chạy lại."))
            return None
    subject = raw.subject if raw.subject in criteria.subjects else None
    unit_id, name = raw.code, raw.name
    if reg is not None:
        found = _by_code(raw, reg, problems) if raw.code else None
        if raw.code and found is None:
            return None
        if found is None and raw.name:
            found = _by_name(raw, reg, subject, problems)
            if found is None:
                return None
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
        problems.append(InputError("UNKNOWN_SUBJECT", raw.where, f"đối tượng {quote(raw.subject or '')} không hợp lệ; "
                                   f"cần {one_of(criteria.subjects)} (các đối tượng của bộ tiêu chí)."))
        return None
    unit_year = raw.year or year
    if unit_year is None:
        problems.append(InputError("MISSING_YEAR", _year_cell(raw), "không rõ năm đánh giá; ghi năm vào biểu hoặc "
                                   "chạy với --nam."))
        return None
    if year is not None and unit_year != year:
        problems.append(InputError("WRONG_YEAR", raw.year_at or raw.where, f"biểu năm {unit_year}, không phải năm "
                                   f"{year} đang chấm; bỏ qua.", "warning"))
        return None
    # Without a registry the name is shown as typed, but cleaned: "Xã  Tân  Sỏi" is shown "Xã Tân Sỏi".
    return UnitInput(unit_id or match_key(name or ""), clean(name or unit_id or ""), subject, unit_year, raw.values,
                     raw.self_scores, raw.appraised, raw.stated_pct, raw.source)


def _year_cell(raw: RawUnit) -> Location:
    """Where a missing year is named: the year's own cell when it is on another row than the unit's name (a
    form's «Thông tin», one field a row); a consolidated row is named by its first cell, as its other problems."""
    at, where = raw.year_at, raw.where
    if at is None or at.cell is None:
        return where
    if where.cell is not None and at.cell.lstrip(ascii_uppercase) == where.cell.lstrip(ascii_uppercase):  # row
        return where
    return at


def _by_code(raw: RawUnit, reg: Registry, problems: list[InputError]) -> RegisteredUnit | None:
    """The unit of the code typed, in any case (an info note when the case differs); UNKNOWN_UNIT, with the
    codes that differ only in spacing or punctuation, when none has it."""
    code, where = raw.code or "", raw.code_at or raw.where  # the cell of the code, else of the name
    found = reg.by_code(code)
    if found is not None and found.code != clean(code):
        problems.append(InputError("CODE_CASE_DIFFERS", where, f"mã đơn vị {quote(code)} được đọc là "
                                   f"{quote(found.code)} ({found.name}) của danh sách đơn vị {quote(reg.source)}: "
                                   "mã không phân biệt chữ hoa, chữ thường. Nên ghi mã đúng như danh sách.", "info",
                                   found.code))
    if found is None:
        near = reg.near_codes(code)
        hint = " Có phải " + " hoặc ".join(f"{quote(u.code)} ({u.name})" for u in near) + "?" if near else ""
        problems.append(InputError("UNKNOWN_UNIT", where, f"mã đơn vị {quote(code)} không có trong danh sách đơn "
                                   f"vị {quote(reg.source)}.{hint} Sửa mã theo danh sách rồi chạy lại."))
    return found


def _by_name(raw: RawUnit, reg: Registry, subject: str | None, problems: list[InputError]) -> RegisteredUnit | None:
    """The one unit of that name (or alias); AMBIGUOUS_UNIT, or UNKNOWN_UNIT with near names offered."""
    name = raw.name or ""
    matches = reg.match(name, subject)
    if len(matches) > 1:
        problems.append(InputError("AMBIGUOUS_UNIT", raw.where, f"tên {quote(name)} khớp nhiều đơn vị: "
                                   + ", ".join(f"{u.name} ({u.code})" for u in matches) + ". Ghi mã đơn vị."))
        return None
    if not matches:
        hints = reg.suggest(name, subject)
        hint = " Có phải " + " hoặc ".join(f"'{u.name}' ({u.code})" for u in hints) + "?" if hints else ""
        problems.append(InputError("UNKNOWN_UNIT", raw.where, f"không tìm thấy đơn vị {quote(name)} trong danh sách "
                                   f"đơn vị {quote(reg.source)}.{hint} Sửa tên (hoặc ghi mã đơn vị) rồi chạy lại."))
        return None
    return matches[0]


def _unsuggested(source: str | None, skipped: int, problems: list[InputError]) -> None:
    """One line for the names left without a near-name suggestion (a large registry, many unknown names)."""
    if skipped:
        problems.append(InputError("SUGGESTIONS_LIMITED", Location(file=source), f"danh sách đơn vị lớn và "
                                   f"nhiều tên không khớp: {format_vi(skipped)} tên không tìm thấy "
                                   "không được gợi ý tên gần đúng (chỉ gợi ý tên khớp khi bỏ dấu). Sửa các tên đã được "
                                   "gợi ý (hoặc ghi mã đơn vị) rồi chạy lại để được gợi ý cho các tên còn lại.",
                                   "info"))


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
