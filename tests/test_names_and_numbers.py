"""Vietnamese names (matching keys, dictionary order) and numbers (format, half-up rounding)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from scoring.names import clean, fold_accents, match_key, sort_key
from scoring.numbers import format_pct, format_vi, round_half_up


@pytest.mark.parametrize("spelling", ["Xã Đồng Vương", "xã  đồng vương", "ĐỒNG VƯƠNG", "UBND xã Đồng Vương",
                                      unicodedata.normalize("NFD", "Xã Đồng Vương"), "Đồng Vương\u200f"])
def test_spellings_of_one_unit_share_a_key(spelling: str) -> None:
    assert match_key(spelling) == "đồng vương"


def test_accents_distinguish_units_and_folding_is_only_for_hints() -> None:
    assert match_key("Đông Sơn") != match_key("Đồng Sơn")
    assert fold_accents(match_key("Đông Sơn")) == fold_accents(match_key("Đồng Sơn")) == "dong son"


def test_vietnamese_dictionary_order() -> None:
    # letters first (a ă â … d đ), tones only break ties between otherwise equal names (Đông before Đồng)
    names = ["Xã Đồng Sơn", "Xã Dương Hưu", "Thị trấn Bố Hạ", "Xã Ân Thi", "Xã Ăn Cư", "Xã An Thượng", "Xã Đông Sơn",
             "Xã Đồng Kỳ"]
    assert sorted(names, key=sort_key) == ["Xã An Thượng", "Xã Ăn Cư", "Xã Ân Thi", "Thị trấn Bố Hạ",
                                           "Xã Dương Hưu", "Xã Đồng Kỳ", "Xã Đông Sơn", "Xã Đồng Sơn"]


def test_clean_removes_control_and_direction_marks() -> None:
    assert clean("  Xã\u202e  Tân\x07 Sỏi ") == "Xã Tân Sỏi"


@pytest.mark.parametrize("brk", ["\r", "\x0b", "\x0c", "\x85", "\u2028", "\r\n"])
def test_clean_reads_any_line_break_as_a_space(brk: str) -> None:
    # a bare CR (old Mac files), Excel's Alt+Enter stored as \x0b: words stay apart
    assert clean(f"Xã{brk}An Thượng") == "Xã An Thượng"


@pytest.mark.parametrize(("value", "places", "text"), [
    (Decimal("1234.5"), None, "1.234,5"), (Decimal("4.736842"), 2, "4,74"), (Decimal("10"), None, "10"),
    (Decimal("0.375"), 2, "0,38"), (Decimal("1495"), None, "1.495"), (Decimal("1234567.891"), 2, "1.234.567,89")])
def test_vietnamese_number_format(value: Decimal, places: int | None, text: str) -> None:
    assert format_vi(value, places) == text


def test_half_up_rounding_and_percent() -> None:
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert format_pct(Decimal(12800) / Decimal(138)) == "92,75 %"
