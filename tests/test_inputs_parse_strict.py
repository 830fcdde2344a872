"""Cell values Python would read but an officer never meant: refused with the cell named and how to write it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.readers import consolidated
from scoring.readers.consolidated import read_consolidated, read_csv_rows
from scoring.readers.limits import MAX_LINE_BYTES
from scoring.readers.parse import parse_date, parse_decimal, parse_int, shown
from tests.inputs_helpers import criteria

HEADER = ["ma_don_vi", "doi_tuong", "nam", "ngay_ban_hanh_ke_hoach", "so_ho_so_tiep_nhan", "tu_cham:II.1"]
EPOCH = dt.date(1899, 12, 30)


def _serial(day: dt.date) -> int:
    return (day - EPOCH).days


def _problems(date: Any = None, count: Any = None, score: Any = None) -> dict[str, tuple[str, str]]:
    """cell → (code, message) for one unit row read as a consolidated sheet."""
    rows = [HEADER, ["X01", "xa", "2023", date, count, score]]
    _, problems = read_consolidated(rows, "tong_hop.csv", None, criteria())
    return {p.location.cell or "": (p.code, p.message) for p in problems if p.severity == "error"}


# ── numbers ───────────────────────────────────────────────────────────────────────────────────────────────

def test_english_order_number_is_refused_with_how_to_write_it() -> None:
    found = _problems(score="1,234.5")
    code, message = found["F2"]
    assert code == "NOT_A_NUMBER"
    assert "«1.234,5»" in message and 'nhận được "1,234.5"' in message


def test_english_thousands_in_a_count_is_refused_with_how_to_write_it() -> None:
    code, message = _problems(count="1,234")["E2"]
    assert code == "NOT_AN_INTEGER" and "«1.234»" in message and 'nhận được "1,234"' in message


@pytest.mark.parametrize("typed", ["1__0", "1_000", "Infinity", "-Infinity", "nan", "sNaN", "١٢", "๑๒", "1.23,5",
                                   "+-5", "1,234,567.25", "1e5", "2,5E+3", "0e999999999"])
def test_python_only_numbers_are_refused(typed: str) -> None:
    value, problem = parse_decimal(typed)
    assert value is None and problem is not None and problem[0] == "NOT_A_NUMBER"
    value, problem = parse_int(typed)
    assert value is None and problem is not None and problem[0] == "NOT_AN_INTEGER"


def test_exponent_and_underscore_refused_in_the_cell() -> None:
    code, message = _problems(count="1e5")["E2"]
    assert code == "NOT_AN_INTEGER" and "lũy thừa" in message and 'nhận được "1e5"' in message
    code, message = _problems(count="1__0")["E2"]
    assert code == "NOT_AN_INTEGER" and 'nhận được "1__0"' in message


@pytest.mark.parametrize(("typed", "value"), [
    ("１２", "12"), ("+7", "7"), ("12", "12"), ("1.234", "1234"), ("1.234,5", "1234.5"), ("92.5", "92.5"),
    (",5", "0.5"), ("-5", "-5"), ("12 %", "12"),
])
def test_what_an_officer_types_still_reads(typed: str, value: str) -> None:
    parsed, problem = parse_decimal(typed)
    assert problem is None and parsed == Decimal(value)
    assert str(parsed) == value  # no exponent added: 12 stays 12, not 12.0


# ── dates ─────────────────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("typed", ["2023-01-12T99:99", "2023-01-12T24:00", "2023-01-12 10:60", "2023-01-12T08:30+7",
                                   "2023-01-12 rác", "2023-01-12T", "١٢/٠١/٢٠٢٣"])
def test_a_date_followed_by_no_valid_time_is_refused(typed: str) -> None:
    value, problem = parse_date(typed)
    assert value is None and problem is not None and problem[0] == "NOT_A_DATE"


def test_an_invalid_time_after_the_date_is_named_in_the_cell() -> None:
    code, message = _problems(date="2023-01-12T99:99")["D2"]
    assert code == "NOT_A_DATE" and "giờ" in message and 'nhận được "2023-01-12T99:99"' in message


@pytest.mark.parametrize("typed", ["2023-01-12T23:59:59", "2023-01-12 08:30", "2023-01-12T00:00:00.000"])
def test_a_date_with_a_real_time_still_reads(typed: str) -> None:
    assert parse_date(typed) == (dt.date(2023, 1, 12), None)


@pytest.mark.parametrize(("day", "ok"), [
    (dt.date(1954, 10, 3), False), (dt.date(1954, 12, 31), False), (dt.date(1955, 1, 1), True),
    (dt.date(2064, 4, 8), True), (dt.date(2064, 12, 31), True), (dt.date(2065, 1, 1), False),
])
def test_serial_dates_have_the_bounds_of_typed_dates(day: dt.date, ok: bool) -> None:
    serial = _serial(day)
    assert (parse_date(serial)[0] is not None) is ok
    assert (parse_date(day)[0] is not None) is ok
    assert (parse_date(day.strftime("%d/%m/%Y"))[0] is not None) is ok


def test_serial_before_1955_is_named_with_the_date_excel_shows() -> None:
    code, message = _problems(date=20000.0)["D2"]
    assert code == "NOT_A_DATE" and "03/10/1954" in message and 'nhận được "20000"' in message


# ── what the message quotes ───────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("raw", "quoted"), [
    (dt.time(0, 0), '"0"'), (dt.time(12, 0), '"0,5"'), (dt.time(6, 0), '"0,25"'), (dt.timedelta(days=3), '"3"'),
])
def test_a_time_is_quoted_as_the_number_typed(raw: Any, quoted: str) -> None:
    assert shown(raw) == quoted


@pytest.mark.parametrize(("raw", "quoted"), [
    (1e308, '"1E+308"'), (-2.5e20, '"-2,5E+20"'), (1e15, '"1E+15"'), (999_999_999_999_999.0, '"999999999999999"'),
    (12.0, '"12"'),
])
def test_a_huge_number_is_quoted_as_excel_shows_it(raw: float, quoted: str) -> None:
    assert shown(raw) == quoted


def test_serial_zero_in_a_date_cell_is_quoted_as_the_number() -> None:
    """calamine reads 0 (and -1) in a date-formatted cell as the time 00:00:00."""
    code, message = _problems(date=dt.time(0, 0))["D2"]
    assert code == "NOT_A_DATE"
    assert 'nhận được "0"' in message and "00:00:00" not in message


# ── CSV ───────────────────────────────────────────────────────────────────────────────────────────────────

def test_an_overlong_quoted_field_is_reported_where_it_starts() -> None:
    data = b"ma_don_vi,ten_don_vi\r\nX01,ok\r\nX02,\"" + b"a\n" * 70_000 + b"\"\r\n"
    rows, problems = read_csv_rows(data, "tong_hop.csv")
    assert rows is None and [p.code for p in problems] == ["NOT_A_TABLE"]
    assert "dòng 3:" in problems[0].message and "131.072" in problems[0].message


@pytest.mark.parametrize("last", [True, False])
def test_a_line_beyond_the_line_limit_is_refused_before_it_is_decoded(last: bool) -> None:
    long = "😀".encode() * (MAX_LINE_BYTES // 4 + 1)  # 4-byte characters: decoded, ~4x the bytes in memory
    data = b"ma_don_vi,ten_don_vi\nX01,ok\nX02," + long + (b"" if last else b"\nX03,ok\n")
    rows, problems = read_csv_rows(data, "tong_hop.csv")
    assert rows is None and [p.code for p in problems] == ["NOT_A_TABLE"]
    assert "dòng 3 của tệp CSV dài hơn 16 MB" in problems[0].message


def test_the_line_limit_counts_bytes_line_ends_included(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consolidated, "MAX_LINE_BYTES", 12)
    rows, problems = read_csv_rows(b"ma_don_vi\r\nX01234567\r\nX012345678\r\n", "t.csv")  # 11 bytes, 12 bytes
    assert problems == [] and rows == [["ma_don_vi"], ["X01234567"], ["X012345678"]]
    rows, problems = read_csv_rows(b"ma_don_vi\r\nX0123456789\r\n", "t.csv")  # 13 bytes
    assert rows is None and "dòng 2 của tệp CSV" in problems[0].message


@pytest.mark.parametrize("ending", [b"\r\n", b"\n", b"\r"])
def test_csv_line_ends_and_bom(ending: bytes) -> None:
    data = b"\xef\xbb\xbfma_don_vi;ten_don_vi" + ending + "X01;Xã Đồng Vương".encode() + ending + b"X02;\"a" + \
        ending + b"b\""
    rows, problems = read_csv_rows(data, "tong_hop.csv")
    assert problems == [] and rows == [["ma_don_vi", "ten_don_vi"], ["X01", "Xã Đồng Vương"],
                                       ["X02", "a" + ending.decode() + "b"]]


def test_not_utf8_names_the_byte() -> None:
    data = b"ma_don_vi,ten_don_vi\r\n" + b"x" * (3 << 20) + "ệ".encode()[:2] + b",\r\n"
    rows, problems = read_csv_rows(data, "tong_hop.csv")
    assert rows is None and [p.code for p in problems] == ["NOT_UTF8"]
    assert f"vị trí {22 + (3 << 20)})" in problems[0].message


@given(st.lists(st.sampled_from([b"a", b",", b"\n", "é".encode(), "😀".encode(), "ệ".encode(), b"\x80", b"\xbf",
                                 b"\xe2\x82", b"\xf0", b"\xff"]), max_size=60))
def test_the_block_wise_utf8_check_finds_what_decoding_finds(parts: list[bytes]) -> None:
    """Blocks of 8 bytes here (1 MiB in use), so characters fall across block edges; runs of continuation
    bytes longer than a character (a hang and an IndexError once) included."""
    data = b"".join(parts)
    try:
        data.decode("utf-8")
        first: int | None = None
    except UnicodeDecodeError as exc:
        first = exc.start
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(consolidated, "_CHECK_BLOCK", 8)
        assert consolidated._utf8_error(data) == first
    assert consolidated._utf8_error(b"ok," + b"\x80" * 5000) == 3  # the same, at the real block size


@pytest.mark.parametrize("text", ["2023-01-12T10:00:00+07:00", "2023-01-12T10:00:00Z", "2023-01-12 0:00",
                                  "2023-01-12T10:00+0700", "2023-01-12T10:00:00.123456-05:00"])
def test_iso_dates_from_exports_keep_their_date(text: str) -> None:
    """A database or web export writes a time zone or a one-digit hour after the date (found in review)."""
    assert parse_date(text) == (dt.date(2023, 1, 12), None)
