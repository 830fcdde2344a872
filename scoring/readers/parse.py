"""Parses what people type into cells: Vietnamese numbers, Có/Không, dates, choices; typed or as text.

Each parser returns (value, None) or (None, (code, expected)) where `expected` is a Vietnamese phrase saying
what was expected; the caller adds where it was (file › sheet › cell). An empty cell is (None, None).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from ..names import INVISIBLE
from .limits import QUOTE_CHARS

Problem = tuple[str, str]
Parsed = tuple[Any, Problem | None]

_TRUE = {"có", "co", "x", "✓", "✔", "1", "đúng", "dung", "yes", "true", "đạt", "dat"}
_FALSE = {"không", "khong", "0", "sai", "no", "false", "không đạt", "khong dat", "-"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")  # 1.234 · 80.000 · 1.234.567
_SPACED = re.compile(r"^[+-]?\d{1,3}( \d{3})+$")  # 1 234 (a space or a no-break space)
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")  # what CSV exports often write
# Excel serials of dates between 1955 and 2064: a plain number in a date cell within this range is a date.
_SERIAL_MIN, _SERIAL_MAX = 20000, 60000
_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
# The same window for real dates: a number typed into a date-formatted cell reaches us as a date already
# (12 → 12/01/1900), and must be refused just like the bare serial 12.
_DATE_MIN, _DATE_MAX = dt.date(1955, 1, 1), dt.date(2064, 12, 31)
_DATE_RANGE = "cần ngày dạng dd/mm/yyyy, năm từ 1955 đến 2064"
# No count, score or percentage has more than 15 digits before the point (float's exact range), nor needs
# more than 30 after it; beyond, a number is a typo or an attack ("1e999999999" would take int() forever).
_MAX_INT_DIGITS, _MAX_DECIMALS = 15, 30


def _text(raw: Any) -> str:
    """NFC, invisible characters removed (zero-width space, BOM, direction marks), no-break space as space."""
    text = unicodedata.normalize("NFC", str(raw))
    if not text.isprintable():  # C-fast check: most cells hold no control, format or odd space character
        text = INVISIBLE.sub("", text)
    return text.replace("\u00a0", " ").strip()


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def shown(raw: Any) -> str:
    """How a raw cell value is quoted back in a message."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, (dt.date, dt.datetime)):
        raw = raw.strftime("%d/%m/%Y")
    text = _text(raw)
    return f"\"{text[:QUOTE_CHARS]}…\"" if len(text) > QUOTE_CHARS else f"\"{text}\""


def quote(text: object) -> str:
    """«text» for a name, code or header quoted in a message: cut to QUOTE_CHARS characters."""
    shown_text = _text(text)
    return f"«{shown_text[:QUOTE_CHARS]}…»" if len(shown_text) > QUOTE_CHARS else f"«{shown_text}»"


def parse_decimal(raw: Any) -> Parsed:
    """A number: 92,5 (decimal comma) · 1.234 (thousands) · 92.5 (a dot not followed by 3 digits) · 77,73 %."""
    if is_empty(raw):
        return None, None
    if isinstance(raw, bool):
        return None, ("NOT_A_NUMBER", "cần một số")
    if isinstance(raw, int):
        return _bounded(Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, ("NOT_A_NUMBER", "cần một số (ví dụ 12 hoặc 92,5)")
        return _bounded(Decimal(repr(raw)))  # the shortest text that reads back as the same float
    text = _text(raw).rstrip("%").strip()
    if _THOUSANDS.match(text) or _SPACED.match(text):
        text = text.replace(".", "").replace(" ", "")
    elif "," in text:
        if "." in text:  # 1.234,5
            text = text.replace(".", "")
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, ("NOT_A_NUMBER", "cần một số (ví dụ 12 hoặc 92,5)")
    if not value.is_finite():
        return None, ("NOT_A_NUMBER", "cần một số (ví dụ 12 hoặc 92,5)")
    return _bounded(value, typed=True)


def _bounded(value: Decimal, typed: bool = False) -> Parsed:
    if value and value.adjusted() >= _MAX_INT_DIGITS:
        return None, ("OUT_OF_RANGE", f"cần số có tối đa {_MAX_INT_DIGITS} chữ số trước dấu phẩy")
    if typed:  # a float's residue (5.55e-17) is fine; only typed text is held to the decimals
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -_MAX_DECIMALS:
            return None, ("NOT_A_NUMBER", f"cần một số có tối đa {_MAX_DECIMALS} chữ số sau dấu phẩy")
    return value, None


def parse_int(raw: Any) -> Parsed:
    """A count ≥ 0: 12 · 1.234 · 80.000 · 12,0 — never 12,5 and never negative."""
    # The common cases first (a plain number cell, digits typed as text): most cells of a national sheet.
    if type(raw) is float and raw.is_integer() and 0 <= raw < 1e15:
        return int(raw), None
    if type(raw) is str and 0 < len(raw) <= _MAX_INT_DIGITS and raw.isascii() and raw.isdigit():
        return int(raw), None
    value, problem = parse_decimal(raw)
    if problem and problem[0] == "OUT_OF_RANGE":
        return None, problem
    if problem or value is None:
        return None, (("NOT_AN_INTEGER", "cần số nguyên ≥ 0") if problem else None)
    if value != value.to_integral_value():
        return None, ("NOT_AN_INTEGER", "cần số nguyên ≥ 0 (không có phần thập phân)")
    if value < 0:
        return None, ("OUT_OF_RANGE", "cần số nguyên ≥ 0 (không âm)")
    return int(value), None


_EXACT_BOOL = {"Có": True, "Không": False, "có": True, "không": False, "x": True, "X": True}


def parse_bool(raw: Any) -> Parsed:
    if type(raw) is str and raw in _EXACT_BOOL:  # typed exactly as the form's dropdown offers: no normalising
        return _EXACT_BOOL[raw], None
    if is_empty(raw):
        return None, None
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw), None
    text = _text(raw).casefold()
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, ("NOT_A_BOOLEAN", "cần Có hoặc Không")


def parse_date(raw: Any, date1904: bool = False) -> Parsed:
    """A date: a real date cell, dd/mm/yyyy text (also with '.' or '-'), or an Excel serial number."""
    if is_empty(raw):
        return None, None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return (raw, None) if _DATE_MIN <= raw <= _DATE_MAX else (None, ("NOT_A_DATE", _DATE_RANGE))
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if _SERIAL_MIN <= raw <= _SERIAL_MAX and float(raw).is_integer():
            epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH_1900
            return epoch + dt.timedelta(days=int(raw)), None
        return None, ("NOT_A_DATE", "cần ngày dạng dd/mm/yyyy")
    text = _text(raw)
    if m := _DATE_TEXT.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        return None, ("NOT_A_DATE", "cần ngày dạng dd/mm/yyyy")
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None, ("NOT_A_DATE", "ngày không tồn tại; cần ngày dạng dd/mm/yyyy")
    return (date, None) if _DATE_MIN <= date <= _DATE_MAX else (None, ("NOT_A_DATE", _DATE_RANGE))


def parse_choice(raw: Any, choices: tuple[str, ...]) -> Parsed:
    if is_empty(raw):
        return None, None
    key = _text(raw).casefold()
    for choice in choices:
        if unicodedata.normalize("NFC", choice).casefold() == key:
            return choice, None
    return None, ("NOT_A_CHOICE", "cần một trong: " + ", ".join(choices))


def parse_text(raw: Any) -> str | None:
    if is_empty(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.strftime("%d/%m/%Y")
    return _text(raw)


def parse_indicator(raw: Any, kind: str, choices: tuple[str, ...] | None, date1904: bool = False) -> Parsed:
    if kind == "int":
        return parse_int(raw)
    if kind == "bool":
        return parse_bool(raw)
    if kind == "date":
        return parse_date(raw, date1904)
    return parse_choice(raw, choices or ())
