"""Checks a registry's rows: each bad field named at its own cell, subject labels, lengths, codes unique by case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InputError, Location, one_of
from ..forms.layout import col_letter
from ..names import clean, code_key, fold_accents
from ..numbers import format_vi
from .limits import MAX_NAME_CHARS
from .parse import quote
from .registry_file import COLUMNS, HEADER_SCAN, UNUSED, Table, cell, header_row

Row = tuple[str, str, str, tuple[str, ...]]  # code, name, subject, aliases: one unit, checked
_WHAT = {"ma_don_vi": "mã", "ten_don_vi": "tên", "doi_tuong": "đối tượng", "ten_khac": "tên khác"}


def subject_labels(subjects: Sequence[str]) -> dict[str, str]:
    """Label as typed → subject type: the type's id in any case ("XA"), and its words as people type them, in any
    case, with or without accents ("Xã", "Cơ quan", "co-quan"; see label_key). A type's id always names it; a
    label two types share is left out: a subject is only ever read from an unambiguous label."""
    exact = {s.casefold(): s for s in subjects}
    words: dict[str, set[str]] = {}
    for s in subjects:
        words.setdefault(label_key(s), set()).add(s)
    return {**{key: next(iter(found)) for key, found in words.items() if len(found) == 1}, **exact}


def label_key(text: str) -> str:
    """"Cơ quan", "CO_QUAN", "co-quan" → "co_quan": accents, case and the word separator ignored."""
    return "_".join(fold_accents(clean(text)).casefold().replace("-", " ").replace("_", " ").split())


def units_in(table: Table, shown: str, subjects: Sequence[str]) -> tuple[list[Row] | None, list[InputError]]:
    """The checked rows; None when the header row lacks a column the registry needs (no row can be read)."""
    h = header_row(table)
    at_row = h if h is not None else table.first
    header = [cell(v).casefold() for v in table.rows[at_row]]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        return None, [_missing_columns(table, shown, at_row, missing)]
    at = {c: header.index(c) for c in COLUMNS if c in header}
    labels = subject_labels(subjects)
    rows: list[Row] = []
    problems: list[InputError] = []
    seen: dict[str, tuple[int, str]] = {}  # code, case folded → (its line, as typed there)
    for n, raw in enumerate(table.rows[at_row + 1:], start=at_row + 2):
        cells = [cell(v) for v in raw] + [""] * (len(header) - len(raw))
        code, name, typed = (cells[at[c]] for c in COLUMNS[:3])
        if not (code or name):
            continue

        def where(column: str, n: int = n) -> Location:
            return Location(file=shown, sheet=table.sheet, cell=f"{col_letter(at[column] + 1)}{n}", field=column)

        aliases = tuple(a.strip() for a in cells[at["ten_khac"]].split(";") if a.strip()) if "ten_khac" in at else ()
        subject = labels.get(typed.casefold()) or labels.get(label_key(typed))
        bad = _row_problems(n, code, name, typed, subject, aliases, where, subjects)
        if bad or subject is None:
            problems += bad
            continue
        if (key := code_key(code)) in seen:
            problems.append(_duplicate(n, code, *seen[key], where("ma_don_vi")))
            continue
        seen[key] = (n, code)
        rows.append((code, name, subject, aliases))
    return rows, problems


def _row_problems(n: int, code: str, name: str, typed: str, subject: str | None, aliases: tuple[str, ...],
                  where: Any, subjects: Sequence[str]) -> list[InputError]:
    """Every problem of one row, each at the cell it is in."""
    out = []
    if not code:
        out.append(InputError("BAD_REGISTRY_ROW", where("ma_don_vi"), f"dòng {n}: thiếu mã đơn vị (cột ma_don_vi) "
                              f"của {quote(name)}. Ghi mã vào ô này rồi chạy lại."))
    if not name:
        out.append(InputError("BAD_REGISTRY_ROW", where("ten_don_vi"), f"dòng {n}: thiếu tên đơn vị (cột "
                              f"ten_don_vi) của mã {quote(code)}. Ghi tên vào ô này rồi chạy lại."))
    if subject is None:
        said = f"đối tượng {quote(typed)} không hợp lệ" if typed else "thiếu đối tượng"
        out.append(InputError("BAD_REGISTRY_ROW", where("doi_tuong"), f"dòng {n}: {said} (cột doi_tuong); cần một "
                              f"đối tượng ({one_of(subjects)}: các đối tượng của bộ tiêu chí, chữ hoa hay thường, có "
                              "dấu hay không). Sửa ô này rồi chạy lại."))
    for column, texts in (("ma_don_vi", [code]), ("ten_don_vi", [name]), ("ten_khac", list(aliases))):
        if long := next((t for t in texts if len(t) > MAX_NAME_CHARS), None):
            what = _WHAT[column]
            # the same refusal as a form's name or code (readers/identify.py): no unit is named so
            out.append(InputError("NAME_TOO_LONG", where(column), f"dòng {n}: {what} đơn vị dài {format_vi(len(long))} "
                                  f"ký tự (quá {MAX_NAME_CHARS}), bắt đầu bằng {quote(long)}: không phải {what} một "
                                  "đơn vị. Sửa ô này rồi chạy lại."))
    return out


def _duplicate(n: int, code: str, first: int, first_code: str, where: Location) -> InputError:
    """A code already on an earlier line, in any case: «yt-x01» and YT-X01 would be one unit in every form."""
    case = "" if first_code == code else f" (ghi là {quote(first_code)}: mã không phân biệt chữ hoa, chữ thường)"
    return InputError("DUPLICATE_UNIT", where, f"dòng {n}: mã đơn vị {quote(code)} đã có ở dòng {first}{case}; dòng "
                      "này bị bỏ qua. Xóa dòng trùng hoặc sửa mã rồi chạy lại.")


def _missing_columns(table: Table, shown: str, at_row: int, missing: list[str]) -> InputError:
    """MISSING_COLUMN, quoting what the header row holds: «Mã đơn vị» typed for ma_don_vi is the usual cause."""
    typed = [cell(v) for v in table.rows[at_row] if cell(v)] if at_row < len(table.rows) else []
    held = f"; dòng {at_row + 1} ghi {', '.join(quote(t) for t in typed[:6])}" if typed else ""
    return InputError("MISSING_COLUMN", Location(file=shown, sheet=table.sheet, cell=f"A{at_row + 1}"),
                      f"thiếu cột {', '.join(missing)}: dòng tiêu đề (trong {HEADER_SCAN} dòng đầu) cần có các cột "
                      f"{', '.join(COLUMNS)} (ten_khac không bắt buộc), viết đúng như vậy{held}. Sửa dòng tiêu đề "
                      f"rồi chạy lại. {UNUSED}")
