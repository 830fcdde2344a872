"""Parses what people type into cells: Vietnamese numbers, Có/Không, dates, choices; typed or as text.

Each parser returns (value, None) or (None, (code, expected)) where `expected` is a Vietnamese phrase saying
what was expected; the caller adds where it was (file › sheet › cell). An empty cell is (None, None).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from ..names import INVISIBLE
from .limits import QUOTE_CHARS

Problem = tuple[str, str]
Parsed = tuple[Any, Problem | None]

_TRUE = {"có", "co", "x", "✓", "✔", "1", "đúng", "dung", "yes", "true", "đạt", "dat"}
_FALSE = {"không", "khong", "0", "sai", "no", "false", "không đạt", "khong dat", "-"}
# re.ASCII throughout: \d would otherwise take any script's digits (Arabic-Indic ١٢, Thai ๑๒), which Decimal and
# int() read as numbers but no officer here types; full-width digits (from a CJK input method) are mapped first.
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+", re.ASCII)  # 1.234 · 80.000 · 1.234.567
_SPACED = re.compile(r"[+-]?\d{1,3}(?: \d{3})+", re.ASCII)  # 1 234 (a space or a no-break space)
# One separator at most: 12 · 92,5 · 92.5 · ,5 · 5, (a dot here is a decimal point: 1.234 was taken above).
_SIMPLE = re.compile(r"([+-]?)(\d*)(?:[.,](\d*))?", re.ASCII)
_GROUPED_COMMA = re.compile(r"([+-]?)(\d{1,3}(?:\.\d{3})+),(\d*)", re.ASCII)  # 1.234,5
# English order (1,234.5 · 1,234,567.25): read the Vietnamese way it would be 1.2345, so it is refused.
_ENGLISH = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
_ENGLISH_INT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+", re.ASCII)  # 1,234 in a count: a thousand, or 1,234?
_EXPONENT = re.compile(r"[+-]?[\d.,]*\d[eE][+-]?\d+", re.ASCII)  # 1e5 · 2,5E+3: what Python reads, not people
DATE_TEXT = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", re.ASCII)
# What CSV exports often write: the date, maybe followed by a time of day, which must be a real one (a date
# followed by anything else may be a different value cut short or pasted together, so it is refused). Database
# and web exports write the hour with one digit, or a time zone (Z, +07:00): the date is the date written.
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?)?", re.ASCII)
_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_SERIAL_LAST = 2_958_465  # 31/12/9999, Excel's last date: beyond, a number is no date at all
# The window for every date, typed, as text or as an Excel serial (20000 is 03/10/1954: refused like the typed
# date): a number typed into a date-formatted cell reaches us as a date already (12 → 12/01/1900).
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
        # Beyond float's 15 exact digits, as Excel shows it (1E+308), not as 309 digits of which 60 are quoted
        raw = int(raw) if abs(raw) < 1e15 else f"{raw:.15G}".replace(".", ",")
    if isinstance(raw, (dt.date, dt.datetime)):
        raw = raw.strftime("%d/%m/%Y")
    elif isinstance(raw, (dt.time, dt.timedelta)):
        # calamine turns a number below 1 in a date-formatted cell (0, -1, 0,5) into a time of day: quoted as
        # "00:00:00" the officer would not find what they typed; the number (its fraction of a day) they would
        raw = _day_number(raw)
    text = _text(raw)
    return f"\"{text[:QUOTE_CHARS]}…\"" if len(text) > QUOTE_CHARS else f"\"{text}\""


def _day_number(raw: dt.time | dt.timedelta) -> str:
    """The number of days a time of day or a duration stands for, written the Vietnamese way (0 · 0,5 · 3)."""
    if isinstance(raw, dt.time):
        micros = ((raw.hour * 60 + raw.minute) * 60 + raw.second) * 1_000_000 + raw.microsecond
    else:
        micros = (raw.days * 86_400 + raw.seconds) * 1_000_000 + raw.microseconds
    days = (Decimal(micros) / 86_400_000_000).quantize(Decimal("0.000001")).normalize()
    return f"{days:f}".replace(".", ",")


def quote(text: object) -> str:
    """«text» for a name, code or header quoted in a message: cut to QUOTE_CHARS characters."""
    shown_text = _text(text)
    return f"«{shown_text[:QUOTE_CHARS]}…»" if len(shown_text) > QUOTE_CHARS else f"«{shown_text}»"


_NUMBER_EXAMPLE = "cần một số (ví dụ 12 hoặc 92,5)"


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
            return None, ("NOT_A_NUMBER", _NUMBER_EXAMPLE)
        # As Excel shows it, to 15 significant digits: a formula's 9.000000000000002 (=0,1*90) is the 9 the
        # officer sees, not a count with a fraction no one can find; 92.75 stays 92.75
        return _bounded(Decimal(f"{raw:.15g}"))
    text = _number_text(raw)
    value = _read_number(text)
    if isinstance(value, Decimal):
        return _bounded(value, typed=True)
    if value == "english":
        return None, ("NOT_A_NUMBER", f"cần {_english(text)}")
    if value == "exponent":
        return None, ("NOT_A_NUMBER", "cần một số viết đầy đủ (ví dụ 12 hoặc 92,5), không viết dạng lũy thừa như 1e5")
    return None, ("NOT_A_NUMBER", _NUMBER_EXAMPLE)


def as_shown_percent(stored: Decimal) -> Decimal:
    """What a cell formatted as a percentage shows for the number it stores: 0,9275 → 92,75."""
    shown = stored.scaleb(2)
    return shown.quantize(Decimal(1)) if shown == shown.to_integral_value() else shown.normalize()


def _number_text(raw: Any) -> str:
    return _text(raw).rstrip("%").strip().translate(_FULLWIDTH)


def _english(text: str) -> str:
    return ("số viết kiểu Việt Nam: dấu chấm ngăn hàng nghìn, dấu phẩy trước phần thập phân (ví dụ viết "
            f"«{_swap_separators(text)}»)")


def _read_number(text: str) -> Decimal | str:
    """The number a text writes, or why it is refused: "english", "exponent" or "format".

    Only the forms below are read, each built from ASCII digits for Decimal: Decimal and int() themselves also
    take 1_000, 1e5, Infinity, NaN and other scripts' digits, none of which an officer types into a form."""
    if _THOUSANDS.fullmatch(text) or _SPACED.fullmatch(text):
        return Decimal(text.replace(".", "").replace(" ", ""))
    if (m := _SIMPLE.fullmatch(text)) and (m[2] or m[3]):
        return Decimal(f"{m[1]}{m[2] or 0}.{m[3]}" if m[3] else f"{m[1]}{m[2]}")  # 12 stays 12, not 12.0
    if m := _GROUPED_COMMA.fullmatch(text):
        return Decimal(f"{m[1]}{m[2].replace('.', '')}.{m[3]}" if m[3] else f"{m[1]}{m[2].replace('.', '')}")
    if _ENGLISH.fullmatch(text):
        return "english"
    if _EXPONENT.fullmatch(text):
        return "exponent"
    return "format"


def _swap_separators(text: str) -> str:
    """1,234.5 → 1.234,5: the English-order text written the Vietnamese way, as the example to follow."""
    return text.translate(str.maketrans(",.", ".,"))


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
        why = _read_number(_number_text(raw)) if problem and isinstance(raw, str) else None  # text refused: why
        if why == "english":  # 1,234.0: the example of how to write it is kept
            return None, ("NOT_AN_INTEGER", f"cần số nguyên ≥ 0; {_english(_number_text(raw))}")
        if why == "exponent":
            return None, ("NOT_AN_INTEGER", "cần số nguyên ≥ 0 viết đầy đủ, không viết dạng lũy thừa như 1e5")
        return None, (("NOT_AN_INTEGER", "cần số nguyên ≥ 0") if problem else None)
    if value != value.to_integral_value():
        if type(raw) is str and _ENGLISH_INT.fullmatch(text := _text(raw).rstrip("%").strip()):
            # 1,234 in a count is 1,234 read the Vietnamese way; one thousand was meant, written the English way
            return None, ("NOT_AN_INTEGER", "cần số nguyên ≥ 0; dấu phẩy là dấu thập phân, hàng nghìn ngăn bằng "
                          f"dấu chấm (ví dụ viết «{_swap_separators(text)}»)")
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
    """A date: a real date cell, dd/mm/yyyy text (also with '.' or '-'), yyyy-mm-dd text maybe followed by a time
    of day (hh:mm, hh:mm:ss), or an Excel serial number; always between 1955 and 2064, however written."""
    if is_empty(raw):
        return None, None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return (raw, None) if _DATE_MIN <= raw <= _DATE_MAX else (None, ("NOT_A_DATE", _DATE_RANGE))
    if isinstance(raw, dt.time):  # what calamine makes of 0, a negative or a fraction in a date-formatted cell
        return None, ("NOT_A_DATE", "cần ngày dạng dd/mm/yyyy; ô chứa số nhỏ hơn 1 hoặc số âm, không phải ngày")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1 <= raw <= _SERIAL_LAST and float(raw).is_integer():
            epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH_1900
            try:
                date = epoch + dt.timedelta(days=int(raw))
            except OverflowError:  # the 1904 system runs four years past Excel's last date
                return None, ("NOT_A_DATE", _DATE_RANGE)
            if _DATE_MIN <= date <= _DATE_MAX:
                return date, None
            return None, ("NOT_A_DATE", f"{_DATE_RANGE} (Excel đọc số này là ngày {date:%d/%m/%Y})")
        return None, ("NOT_A_DATE", "cần ngày dạng dd/mm/yyyy")
    text = _text(raw).translate(_FULLWIDTH)
    if m := DATE_TEXT.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DATE_ISO.fullmatch(text):
        year, month, day = (int(g) for g in m.groups()[:3])
        hour, minute, second = (int(g or 0) for g in m.groups()[3:])
        if hour > 23 or minute > 59 or second > 59:
            return None, ("NOT_A_DATE", "giờ ghi sau ngày không hợp lệ; cần ngày dạng dd/mm/yyyy")
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
