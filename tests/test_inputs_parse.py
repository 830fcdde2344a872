"""What people type into cells: Vietnamese numbers, Có/Không, dates and choices, typed or as text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.readers.parse import (
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_indicator,
    parse_int,
    parse_text,
    shown,
)

CCHC = ("Tốt", "Khá", "Trung bình", "Yếu", "Chưa xếp loại")


@pytest.mark.parametrize(("typed", "value"), [
    ("1.234", 1234), ("80.000", 80000), ("1.234.567", 1234567), ("1 234", 1234), ("1\u00a0234", 1234),
    ("12", 12), (" 12 ", 12), ("12,0", 12), ("12.0", 12), (12, 12), (12.0, 12), ("0", 0), (0, 0), ("+7", 7),
    (0.1 * 90, 9),  # a formula's 9.000000000000002: Excel shows 9 (15 significant digits), so it is 9
])
def test_parse_int(typed: Any, value: int) -> None:
    assert parse_int(typed) == (value, None)
    assert type(parse_int(typed)[0]) is int


@pytest.mark.parametrize(("typed", "code"), [
    ("92,5", "NOT_AN_INTEGER"), ("12.5", "NOT_AN_INTEGER"), (12.5, "NOT_AN_INTEGER"), ("khoảng 50", "NOT_AN_INTEGER"),
    ("12 hồ sơ", "NOT_AN_INTEGER"), (True, "NOT_AN_INTEGER"), ("NaN", "NOT_AN_INTEGER"), ("inf", "NOT_AN_INTEGER"),
    ("-3", "OUT_OF_RANGE"), (-1, "OUT_OF_RANGE"), ("-1.000", "OUT_OF_RANGE"),
])
def test_parse_int_refuses(typed: Any, code: str) -> None:
    value, problem = parse_int(typed)
    assert value is None and problem is not None and problem[0] == code
    assert problem[1].startswith("cần số nguyên")


@pytest.mark.parametrize(("typed", "value"), [
    ("92,5", "92.5"), ("92.5", "92.5"), ("92,75 %", "92.75"), ("92,75%", "92.75"), ("1.234", "1234"),
    ("1.234,5", "1234.5"), ("0,25", "0.25"), (3.25, "3.25"), (0.1, "0.1"), (4, "4"), ("1 234,5", None),
    (0.1 + 0.2, "0.3"), (1 / 3, "0.333333333333333"),  # floats as Excel shows them, 15 significant digits
])
def test_parse_decimal(typed: Any, value: str | None) -> None:
    parsed, problem = parse_decimal(typed)
    if value is None:  # space-grouped with decimals is not supported: refused, never misread
        assert problem is not None and problem[0] == "NOT_A_NUMBER"
    else:
        assert (parsed, problem) == (Decimal(value), None)


@pytest.mark.parametrize("typed", ["ba điểm", "1,2,3", "--", True, False, "—"])
def test_parse_decimal_refuses(typed: Any) -> None:
    assert parse_decimal(typed)[1] is not None and parse_decimal(typed)[1][0] == "NOT_A_NUMBER"  # type: ignore[index]


@pytest.mark.parametrize("empty", [None, "", "   ", "\u00a0"])
def test_empty_cells_are_no_value_and_no_problem(empty: Any) -> None:
    for parse in (parse_int, parse_decimal, parse_bool, parse_date):
        assert parse(empty) == (None, None)
    assert parse_choice(empty, CCHC) == (None, None)
    assert parse_text(empty) is None


@pytest.mark.parametrize("typed", ["Có", "có", "CÓ", "co", "x", "X", "✓", "✔", "1", 1, 1.0, True, "đúng", "Đúng",
                                   "yes", "TRUE", "đạt", "Co\u0301"])  # the last one is NFD
def test_parse_bool_true(typed: Any) -> None:
    assert parse_bool(typed) == (True, None)


@pytest.mark.parametrize("typed", ["Không", "không", "KHÔNG", "khong", "0", 0, 0.0, False, "sai", "no", "false",
                                   "không đạt", "-"])
def test_parse_bool_false(typed: Any) -> None:
    assert parse_bool(typed) == (False, None)


@pytest.mark.parametrize("typed", ["có lẽ", "chưa", 2, 0.5, "?", "xx"])
def test_parse_bool_refuses(typed: Any) -> None:
    assert parse_bool(typed) == (None, ("NOT_A_BOOLEAN", "cần Có hoặc Không"))


D = dt.date(2023, 1, 14)


@pytest.mark.parametrize(("typed", "value"), [
    ("14/01/2023", D), ("14/1/2023", D), ("14.01.2023", D), ("14-01-2023", D), (" 14/01/2023 ", D),
    ("2023-01-14", D), ("2023-01-14 00:00:00", D), ("2023-01-14T08:30", D),
    (D, D), (dt.datetime(2023, 1, 14, 8, 30), D),
    (44940, D), (44940.0, D),  # Excel serial (1900 system)
])
def test_parse_date(typed: Any, value: dt.date) -> None:
    parsed, problem = parse_date(typed)
    assert (parsed, problem) == (value, None)
    assert type(parsed) is dt.date  # never a datetime: comparisons with dates must work


def test_parse_date_1904_serial() -> None:
    serial = (D - dt.date(1904, 1, 1)).days
    assert parse_date(serial, date1904=True) == (D, None)
    assert parse_date(serial, date1904=False) == (D - dt.timedelta(days=1462), None)  # the 4 years and a day apart


@pytest.mark.parametrize("typed", ["31/02/2023", "14/13/2023", "tháng 1/2023", "14/01/23", "2023", 12, 44940.5,
                                   2023, True, dt.datetime(1900, 1, 12), dt.date(2099, 1, 1), "14/01/1900"])
def test_parse_date_refuses(typed: Any) -> None:
    """A small number in a date-formatted cell reaches the reader as a date in 1900: refused like the number."""
    value, problem = parse_date(typed)
    assert value is None and problem is not None and problem[0] == "NOT_A_DATE"


def test_parse_choice() -> None:
    assert parse_choice("khá", CCHC) == ("Khá", None)
    assert parse_choice(" TRUNG BÌNH ", CCHC) == ("Trung bình", None)
    assert parse_choice("Kha\u0301", CCHC) == ("Khá", None)  # NFD
    value, problem = parse_choice("Xuất sắc", CCHC)
    assert value is None and problem is not None and problem[0] == "NOT_A_CHOICE"
    assert all(c in problem[1] for c in CCHC)  # the message lists what may be chosen


def test_parse_text_and_shown() -> None:
    assert parse_text(12.0) == "12" and parse_text(D) == "14/01/2023" and parse_text(" a\u00a0b ") == "a b"
    assert shown(12.0) == '"12"' and shown(dt.datetime(1900, 1, 12)) == '"12/01/1900"'
    assert shown("x" * 100) == '"' + "x" * 60 + '…"'


def test_parse_indicator_dispatches_on_kind() -> None:
    assert parse_indicator("1.234", "int", None) == (1234, None)
    assert parse_indicator("x", "bool", None) == (True, None)
    assert parse_indicator("14/01/2023", "date", None) == (D, None)
    assert parse_indicator("tốt", "choice", CCHC) == ("Tốt", None)


# ── properties: what a person types in the Vietnamese way reads back as the number meant ──────────────────

def _vi_int(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@given(st.integers(0, 10**12), st.sampled_from([".", " ", "\u00a0", ""]))
def test_grouped_integers_read_back(n: int, sep: str) -> None:
    assert parse_int(_vi_int(n, sep)) == (n, None)


@given(st.integers(0, 10**9), st.integers(0, 99))
def test_decimal_comma_reads_back(whole: int, cents: int) -> None:
    text = f"{_vi_int(whole, '.')},{cents:02d}"
    assert parse_decimal(text) == (Decimal(whole) + Decimal(cents) / 100, None)
    assert parse_decimal(text + " %")[0] == Decimal(whole) + Decimal(cents) / 100


@given(st.dates(dt.date(1955, 1, 1), dt.date(2064, 12, 31)))
def test_every_way_of_writing_a_date_agrees(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    expected = (day, None)
    assert parse_date(day.strftime("%d/%m/%Y")) == expected
    assert parse_date(day.isoformat()) == expected
    assert parse_date(dt.datetime.combine(day, dt.time())) == expected
    if 20000 <= serial <= 60000:
        assert parse_date(serial) == expected
