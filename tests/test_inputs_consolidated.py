"""Consolidated sheets: one row per unit, one column per indicator or score, as .xlsx or as .csv."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Location, evaluate
from scoring.forms import layout as L
from tests.inputs_helpers import (
    REGISTRY,
    YEAR,
    codes,
    criteria,
    errors,
    only,
    read,
    write_csv,
    write_registry,
    write_xlsx_table,
)

HEADER = ["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "ngay_ban_hanh_ke_hoach", "co_hoi_nghi_quan_triet",
          "so_ho_so_tiep_nhan", "so_nhiem_vu_duoc_giao", "so_nhiem_vu_hoan_thanh", "xep_loai_cchc",
          "so_phieu_hai_long", "tu_cham:II.1", "minh_chung:II.1", "tham_dinh:II.1", "ly_do:II.1",
          "ty_le:so_nhiem_vu_hoan_thanh"]


def _rows(typed: bool) -> list[list[Any]]:
    """X01 filled; C01 (an office) filled; X02 with no value and no score; X03 with an office-only indicator.

    `typed`: values as an .xlsx holds them (dates, numbers) or as a CSV holds them (all text).
    """
    date = dt.date(2023, 1, 14) if typed else "14/01/2023"
    return [
        HEADER,
        ["X01", "Xã Đồng Vương", "xa", YEAR, date, "Có", "1.234", 138, 128, "Khá", None,
         3.5 if typed else "3,5", "Kế hoạch 12/KH-UBND", "3,25", "Thiếu biên bản", "92,75"],
        ["C01", "Phòng Nội vụ", "co_quan", YEAR, date, "x", 40, 10, 9, "Tốt", 75, 4, None, None, None, None],
        ["X02", "Xã Đông Sơn", "xa", YEAR, None, None, None, None, None, None, None, None, None, None, None, None],
        ["X03", "Xã Đồng Sơn", "xa", YEAR, None, "Không", None, None, None, None, 80, None, None, None, None, None],
    ]


def _ref(column: str, row: int) -> str:
    return f"{L.col_letter(HEADER.index(column) + 1)}{row}"


FORMATS = {
    "xlsx": lambda folder: write_xlsx_table(folder / "tong_hop.xlsx", _rows(True)),
    "csv": lambda folder: write_csv(folder / "tong_hop.csv", _rows(False)),
    "csv-bom": lambda folder: write_csv(folder / "tong_hop.csv", _rows(False), bom=True),
    "csv-semicolon": lambda folder: write_csv(folder / "tong_hop.csv", _rows(False), delimiter=";"),
    "csv-semicolon-bom": lambda folder: write_csv(folder / "tong_hop.csv", _rows(False), delimiter=";", bom=True),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_consolidated_sheet_reads_the_same_in_every_format(tmp_path: Path, fmt: str) -> None:
    write_registry(tmp_path, [u for u in REGISTRY if u.code in ("X01", "X02", "X03", "C01")])
    path = FORMATS[fmt](tmp_path)
    result = read(tmp_path)
    assert errors(result.problems) == []
    sheet = "Tổng hợp" if fmt == "xlsx" else None
    file = path.name
    by_id = {u.unit_id: u for u in result.units}
    assert sorted(by_id) == ["C01", "X01", "X02", "X03"]

    x01 = by_id["X01"]
    assert (x01.unit_name, x01.subject, x01.year, x01.source) == ("Xã Đồng Vương", "xa", YEAR, file)
    assert {k: r.value for k, r in x01.values.items()} == {
        "ngay_ban_hanh_ke_hoach": dt.date(2023, 1, 14), "co_hoi_nghi_quan_triet": True, "so_ho_so_tiep_nhan": 1234,
        "so_nhiem_vu_duoc_giao": 138, "so_nhiem_vu_hoan_thanh": 128, "xep_loai_cchc": "Khá"}
    for ind_id, reading in x01.values.items():
        assert reading.origin == Location(file, sheet, _ref(ind_id, 2), ind_id)
    assert (x01.self_scores["II.1"].points, x01.self_scores["II.1"].note) == (Decimal("3.5"), "Kế hoạch 12/KH-UBND")
    assert x01.self_scores["II.1"].origin == Location(file, sheet, _ref("tu_cham:II.1", 2), "II.1")
    assert (x01.appraised["II.1"].points, x01.appraised["II.1"].note) == (Decimal("3.25"), "Thiếu biên bản")
    assert x01.appraised["II.1"].origin == Location(file, sheet, _ref("tham_dinh:II.1", 2), "II.1")
    stated = x01.stated_pct["so_nhiem_vu_hoan_thanh"]
    assert (stated.value, stated.origin) == (Decimal("92.75"), Location(file, sheet, _ref(
        "ty_le:so_nhiem_vu_hoan_thanh", 2), "so_nhiem_vu_hoan_thanh"))
    assert not [i for i in evaluate(criteria(), x01).issues if i.code.startswith(("SCORE_", "STATED_PCT"))]

    c01 = by_id["C01"]
    assert c01.values["so_phieu_hai_long"].value == 75  # an office uses this indicator
    assert c01.values["co_hoi_nghi_quan_triet"].value is True
    assert c01.self_scores["II.1"].points == 4 and c01.self_scores["II.1"].note is None

    # A row with a unit and nothing else: a unit without data, which is not graded.
    x02 = by_id["X02"]
    assert not x02.has_data and x02.unit_name == "Xã Đông Sơn"
    assert evaluate(criteria(), x02).grade_name == "Không xếp loại"

    # An indicator a commune's scheme does not use: dropped, with one note for the file, never an error.
    assert {k: r.value for k, r in by_id["X03"].values.items()} == {"co_hoi_nghi_quan_triet": False}
    note = only(result.problems, "IGNORED_VALUE")
    assert (note.severity, note.location) == ("info", Location(file, sheet, field="so_phieu_hai_long"))
    assert codes(result.problems) == ["IGNORED_VALUE"]


def test_one_ignored_value_note_however_many_rows(tmp_path: Path) -> None:
    rows = [["ma_don_vi", "doi_tuong", "nam", "so_phieu_hai_long", "so_xa"]]
    rows += [[f"X{n:02d}", "xa", YEAR, 10 + n, 5] for n in range(1, 4)]
    write_csv(tmp_path / "th.csv", rows)
    result = read(tmp_path)
    assert codes(result.problems) == ["IGNORED_VALUE", "IGNORED_VALUE"]  # one per indicator, not per row
    assert sorted(p.location.field for p in result.problems) == ["so_phieu_hai_long", "so_xa"]  # type: ignore[type-var]
    assert all(u.values == {} for u in result.units)


def test_header_below_title_rows(tmp_path: Path) -> None:
    write_registry(tmp_path, [REGISTRY[1]])
    write_xlsx_table(tmp_path / "th.xlsx", [["BẢNG TỔNG HỢP SỐ LIỆU NĂM 2023"], [],
                                            ["ma_don_vi", "nam", "so_thon"], ["X01", YEAR, 12]])
    [unit] = read(tmp_path).units
    assert unit.values["so_thon"].origin == Location("th.xlsx", "Tổng hợp", "C4", "so_thon")


def test_unknown_columns_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    write_registry(tmp_path, [REGISTRY[1]])
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "nam", "cot_la", "so_thon", "tu_cham:IX.9", "ty_le:so_thon"],
                                    ["X01", YEAR, "?", 12, 3, 50]])
    result = read(tmp_path)
    unknown = sorted((p.location.cell, p.location.field) for p in result.problems if p.code == "UNKNOWN_COLUMN")
    assert unknown == [("C1", "cot_la"), ("E1", "tu_cham:IX.9")]
    assert all(p.severity == "error" for p in result.problems if p.code == "UNKNOWN_COLUMN")
    [unit] = result.units
    assert unit.values["so_thon"].value == 12 and unit.self_scores == {}
    # ty_le: names any indicator; that it is not a ratio's numerator is the evaluator's warning.
    assert "STATED_PCT_NOT_RATIO" in codes(evaluate(criteria(), unit).issues)


def test_duplicate_column(tmp_path: Path) -> None:
    write_registry(tmp_path, [REGISTRY[1]])
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "nam", "so_thon", "so_thon"], ["X01", YEAR, 12, 13]])
    result = read(tmp_path)
    assert only(result.problems, "DUPLICATE_COLUMN").location == Location("th.csv", None, "D1", "so_thon")
    assert result.units[0].values["so_thon"].value == 12


def test_duplicate_unit_in_one_sheet(tmp_path: Path) -> None:
    write_registry(tmp_path, [REGISTRY[1]])
    write_xlsx_table(tmp_path / "th.xlsx", [["ma_don_vi", "ten_don_vi", "nam", "so_thon"],
                                            ["X01", "Xã Đồng Vương", YEAR, 12],
                                            ["X01", "Đồng Vương", YEAR, 13]])
    result = read(tmp_path)
    problem = only(result.problems, "DUPLICATE_UNIT")
    assert problem.location == Location("th.xlsx", "Tổng hợp", "B3", "ten_don_vi")
    assert problem.unit_id == "X01"
    [unit] = result.units
    assert unit.values["so_thon"].value == 12  # the first row wins; the second is reported, not merged


def test_one_unit_per_row_by_name_only(tmp_path: Path) -> None:
    """Without a code column the name identifies the unit, whatever its spelling (see test_inputs_registry)."""
    write_registry(tmp_path, [REGISTRY[1], REGISTRY[4]])
    write_csv(tmp_path / "th.csv", [["ten_don_vi", "nam", "so_thon"], ["ĐỒNG VƯƠNG", YEAR, 1], ["TT Cầu Gồ", YEAR, 2]])
    result = read(tmp_path)
    assert errors(result.problems) == []
    assert {u.unit_id: u.values["so_thon"].value for u in result.units} == {"X01": 1, "X04": 2}


def test_csv_without_a_unit_column(tmp_path: Path) -> None:
    write_csv(tmp_path / "th.csv", [["don_vi", "so_thon"], ["X01", 12]])
    result = read(tmp_path)
    assert only(result.problems, "MISSING_HEADER").location == Location("th.csv")
    assert result.units == []


def test_every_table_of_a_workbook_is_read(tmp_path: Path) -> None:
    """One sheet per subject type: the second sheet is not silently skipped."""
    write_registry(tmp_path, [REGISTRY[0], REGISTRY[1]])
    write_xlsx_table(tmp_path / "th.xlsx", [["ma_don_vi", "nam", "so_thon"], ["X01", YEAR, 12]], sheet="Xã",
                     more={"Ghi chú": [["Số liệu do Phòng Nội vụ tổng hợp"]],
                           "Huyện": [["ma_don_vi", "nam", "so_xa"], ["H01", YEAR, 23]]})
    result = read(tmp_path)
    assert errors(result.problems) == [] and "NO_FORM" not in codes(result.problems)
    got = {u.unit_id: {k: (r.value, r.origin.sheet) for k, r in u.values.items()}  # type: ignore[union-attr]
           for u in result.units}
    assert got == {"X01": {"so_thon": (12, "Xã")}, "H01": {"so_xa": (23, "Huyện")}}


def test_bad_cells_in_a_consolidated_sheet(tmp_path: Path) -> None:
    write_registry(tmp_path, [REGISTRY[1], REGISTRY[2]])
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "nam", "so_thon", "co_hoi_nghi_quan_triet", "tu_cham:I.1",
                                     "ty_le:so_nhiem_vu_hoan_thanh"],
                                    ["X01", YEAR, "12,5", "chưa rõ", "ba", "chín mươi"],
                                    ["X02", "năm nay", 3, "Có", 1, 90]], delimiter=";")
    result = read(tmp_path)
    assert sorted((p.code, p.location.cell) for p in result.problems) == [
        ("MISSING_YEAR", "A3"), ("NOT_AN_INTEGER", "B3"), ("NOT_AN_INTEGER", "C2"), ("NOT_A_BOOLEAN", "D2"),
        ("NOT_A_NUMBER", "E2"), ("NOT_A_NUMBER", "F2"), ("NO_FORM", None)]  # X02 could not be used
    x01 = next(u for u in result.units if u.unit_id == "X01")
    assert not x01.has_data  # every cell of the row was refused
    assert [u.has_data for u in result.units] == [False, False]


@settings(max_examples=25)
@given(st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_units(rnd: random.Random) -> None:
    rows = _rows(False)
    body = rows[1:]
    rnd.shuffle(body)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(folder / "a.csv", [rows[0], *body])
        shuffled = read(folder)
        write_csv(folder / "a.csv", rows)
        straight = read(folder)

    def strip(units: Any) -> list[Any]:  # everything but the row a value came from
        return [(u.unit_id, {k: r.value for k, r in u.values.items()},
                 {k: s.points for k, s in u.self_scores.items()}, {k: s.points for k, s in u.appraised.items()})
                for u in units]

    assert strip(shuffled.units) == strip(straight.units)
    assert codes(shuffled.problems) == codes(straight.problems)
