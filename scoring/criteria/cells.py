"""One edited cell of the criteria workbook read back into the type the JSON holds there, or why it cannot be."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .models import out_of_range, out_of_range_message
from .text import bad_character, bad_character_message
from .writeback import EXCEL_CELL_MAX


class CellProblem(ValueError):
    """Why a cell's value cannot go into the JSON file: a code and the Vietnamese text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def cut(value: Any) -> str:
    text = str(value)
    text = "".join(bad_character(ch) or ch for ch in text) if bad_character(text) else text
    return text if len(text) <= 40 else f"{text[:20]}… ({len(text)} ký tự)"


def unchanged(value: Any, current: Any) -> bool:
    """The cell still holds what the export wrote there: the JSON keeps its own spelling of it. A number went out
    through float (openpyxl writes no other), so 0.05000000000000000001 comes back 0.05 and is no edit; a text
    comes back with its spaces, or cut at Excel's cell limit."""
    if isinstance(value, bool) or isinstance(current, bool):
        return False
    if isinstance(current, (int, Decimal)) and isinstance(value, (int, float)):
        return float(current) == value
    if isinstance(current, str) and isinstance(value, str):
        return value == current or (len(current) > EXCEL_CELL_MAX and value == current[:EXCEL_CELL_MAX])
    return False


def number(value: Any, *, percent_format: bool, percentage: bool) -> int | Decimal:
    """A number cell (or a number typed as text, with a decimal comma) as an exact number. A cell Excel shows
    as 96% holds 0.96: for a percentage parameter that is 96, which is what the user saw and meant; anywhere
    else a percentage is refused, not guessed."""
    if isinstance(value, bool):
        raise CellProblem("NOT_A_NUMBER", f"ô chứa giá trị logic {'TRUE' if value else 'FALSE'}, không phải số: gõ "
                                          "một số")
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        if not percentage:
            raise CellProblem("NOT_A_NUMBER", f"«{cut(value)}»: ô này không phải tỷ lệ phần trăm; gõ một số, "
                                              "không có dấu %")
        value, text, percent_format = text[:-1].strip(), None, False
    if percent_format and not percentage:
        raise CellProblem("NOT_A_NUMBER", "ô định dạng phần trăm (Excel hiện số nhân 100 kèm dấu %) nhưng ô này "
                                          "không phải tỷ lệ: đổi định dạng ô về Number hoặc General rồi gõ lại số")
    try:
        if isinstance(value, float):
            exact = Decimal(repr(value))
        elif isinstance(value, str):
            exact = Decimal(value.strip().replace(",", "."))
        else:
            exact = Decimal(value)  # TypeError for a date or a time: not a number
    except (ArithmeticError, ValueError, TypeError):
        raise CellProblem("NOT_A_NUMBER", f"«{cut(value)}» không phải là số") from None
    if not exact.is_finite():
        raise CellProblem("NOT_A_NUMBER", f"«{cut(value)}» không phải là số")
    # before int() or ==: with "1e999999999" in a cell both build a billion-digit integer (minutes of CPU)
    if out_of_range(exact):
        raise CellProblem("NUMBER_OUT_OF_RANGE", out_of_range_message(f"«{cut(value)}»", "ô này") + ".")
    if percent_format:
        exact = (exact * 100).normalize()  # 0.96 shown as 96%: the percentage the user typed
    return int(exact) if exact == exact.to_integral_value() else exact


def text(value: Any) -> str:
    """A text cell (a date as YYYY-MM-DD, a whole number without «.0»); TRUE/FALSE and control characters
    refused: they would be written as «True», or break every workbook and report made from the file."""
    if isinstance(value, bool):
        raise CellProblem("NOT_TEXT", f"ô chứa giá trị logic {'TRUE' if value else 'FALSE'}: gõ chữ (nếu muốn ghi "
                                      "đúng chữ TRUE, gõ '(nháy đơn) trước)")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    out = str(value).strip()
    if bad := bad_character(out):
        raise CellProblem("CONTROL_CHARACTER", bad_character_message(bad))
    return out


def from_cell(value: Any, current: Any, *, percent_format: bool = False, percentage: bool = False,
              numeric: bool = False) -> Any:
    """A cell's value in the type the JSON holds there (`numeric`: a number even where the JSON holds null)."""
    if numeric or (isinstance(current, (int, Decimal)) and not isinstance(current, bool)):
        return number(value, percent_format=percent_format, percentage=percentage)
    return text(value)

