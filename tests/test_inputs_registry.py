"""Identifying units against the registry: spellings that match, accent-less names that are only suggested."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import Location
from scoring.forms import layout as L
from scoring.registry import Registry, load_registry
from tests.inputs_helpers import (
    REGISTRY,
    YEAR,
    codes,
    criteria,
    errors,
    make_form,
    only,
    read,
    write_csv,
    write_registry,
    write_xlsx_table,
)

REG = Registry(list(REGISTRY), "don_vi.csv")
NFD = unicodedata.normalize("NFD", "Xã Đồng Vương")

SPELLINGS = {
    "as registered": "Xã Đồng Vương",
    "NFD": NFD,
    "double spaces": "Xã  Đồng   Vương ",
    "no-break space": "Xã\u00a0Đồng Vương",
    "without prefix": "Đồng Vương",
    "upper case": "XÃ ĐỒNG VƯƠNG",
    "lower case, NFD, no prefix": unicodedata.normalize("NFD", "đồng vương"),
    "UBND prefix": "UBND xã Đồng Vương",
}


@pytest.mark.parametrize("spelling", list(SPELLINGS.values()), ids=list(SPELLINGS))
def test_spellings_match_the_registered_unit(spelling: str) -> None:
    assert [u.code for u in REG.match(spelling)] == ["X01"]
    assert [u.code for u in REG.match(spelling, "xa")] == ["X01"]
    assert REG.match(spelling, "huyen") == []  # the subject narrows, never widens


def test_an_accent_less_name_is_suggested_not_matched() -> None:
    assert REG.match("Dong Vuong") == []
    assert [u.code for u in REG.suggest("Dong Vuong")] == ["X01"]
    assert [u.code for u in REG.suggest("Xa Dong Vuong", "xa")] == ["X01"]
    assert REG.suggest("Đồng Vươn")[0].code == "X01"  # a near typo is suggested too, the closest first
    assert REG.suggest("Tân Sỏi") == []


def test_dong_son_and_dong_son_are_two_units() -> None:
    assert [u.code for u in REG.match("Xã Đông Sơn")] == ["X02"]
    assert [u.code for u in REG.match("Đồng Sơn")] == ["X03"]
    assert sorted(u.code for u in REG.suggest("Dong Son")) == ["X02", "X03"]  # both offered, neither applied


def test_alias_and_code() -> None:
    assert [u.code for u in REG.match("tt cầu gồ")] == ["X04"]
    assert REG.by_code(" X04 ") is not None and REG.by_code("x04") == REG.by_code("X04")  # spaces and case aside


@given(st.sampled_from(REGISTRY), st.sampled_from(["NFC", "NFD"]), st.sampled_from(["", "  ", "\u00a0"]),
       st.booleans(), st.sampled_from([str.upper, str.lower, str.title, str]))
def test_any_respelling_of_any_unit_matches_it(unit, form, pad, drop_prefix, case) -> None:  # type: ignore[no-untyped-def]
    name = unit.name
    if drop_prefix:
        for prefix in ("Xã ", "Huyện ", "Thị trấn "):
            name = name.removeprefix(prefix)
    spelled = pad + unicodedata.normalize(form, case(name)).replace(" ", " " + pad) + pad
    assert REG.match(spelled) == [unit]


# ── through the readers ──────────────────────────────────────────────────────────────────────────────────

def test_forms_named_in_many_ways_resolve_to_one_unit(tmp_path: Path) -> None:
    write_registry(tmp_path)
    for n, spelling in enumerate((NFD, "xã  đồng vương", "ĐỒNG VƯƠNG")):
        make_form(tmp_path / f"f{n}.xlsx", "xa", code="", name=spelling, values={"so_thon": 9})
    result = read(tmp_path)
    assert errors(result.problems) == []
    x01 = next(u for u in result.units if u.unit_id == "X01")
    assert x01.unit_name == "Xã Đồng Vương" and x01.values["so_thon"].value == 9
    assert x01.source == "f0.xlsx; f1.xlsx; f2.xlsx"  # three forms, merged, values agree


def test_dong_son_rows_stay_apart_in_a_sheet(tmp_path: Path) -> None:
    write_registry(tmp_path)
    write_csv(tmp_path / "th.csv", [["ten_don_vi", "nam", "so_thon"], ["Đông Sơn", YEAR, 4], ["Đồng Sơn", YEAR, 7]])
    result = read(tmp_path)
    assert "DUPLICATE_UNIT" not in codes(result.problems)
    values = {u.unit_id: u.values["so_thon"].value for u in result.units if u.has_data}
    assert values == {"X02": 4, "X03": 7}


def test_dong_vuong_without_accents_is_an_error_with_a_hint(tmp_path: Path) -> None:
    write_registry(tmp_path)
    write_csv(tmp_path / "th.csv", [["ten_don_vi", "doi_tuong", "nam", "so_thon"], ["Dong Vuong", "xa", YEAR, 4]])
    result = read(tmp_path)
    problem = only(result.problems, "UNKNOWN_UNIT")
    assert problem.location == Location("th.csv", None, "A2", "ten_don_vi")
    assert "Có phải 'Xã Đồng Vương' (X01)?" in problem.message
    assert not next(u for u in result.units if u.unit_id == "X01").has_data


def test_code_wins_over_a_misspelt_name(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "f.xlsx", "xa", code="X01", name="Dong Vuong")
    result = read(tmp_path)
    assert "UNKNOWN_UNIT" not in codes(result.problems)
    assert next(u for u in result.units if u.unit_id == "X01").unit_name == "Xã Đồng Vương"


def test_without_a_registry_units_are_named_by_code_or_name(tmp_path: Path) -> None:
    make_form(tmp_path / "f.xlsx", "xa", code="", name="Xã  Tân  Sỏi\u200f", values={"so_thon": 2})
    make_form(tmp_path / "g.xlsx", "xa", code="X77", name="", values={"so_thon": 2})
    result = read(tmp_path)
    assert errors(result.problems) == []
    assert [(u.unit_id, u.unit_name) for u in result.units] == [("X77", "X77"), ("tân sỏi", "Xã Tân Sỏi")]


@pytest.mark.parametrize("variant", ["csv", "csv-bom", "csv-semicolon", "xlsx"])
def test_registry_file_formats(tmp_path: Path, variant: str) -> None:
    rows = [["ma_don_vi", "ten_don_vi", "doi_tuong", "ten_khac"], ["X01", "Xã Đồng Vương", "xa", ""],
            ["X04", "Thị trấn Cầu Gồ", "xa", "TT Cầu Gồ; Cầu Gồ cũ"]]
    if variant == "xlsx":
        path = write_xlsx_table(tmp_path / "don_vi.xlsx", rows)
    else:
        path = write_csv(tmp_path / "don_vi.csv", rows, bom=variant == "csv-bom",
                         delimiter=";" if variant == "csv-semicolon" else ",")
    registry, problems = load_registry(path, tmp_path, subjects=criteria().subjects)
    assert problems == []
    assert [(u.code, u.name, u.subject, u.aliases) for u in registry.units] == [
        ("X01", "Xã Đồng Vương", "xa", ()), ("X04", "Thị trấn Cầu Gồ", "xa", ("TT Cầu Gồ", "Cầu Gồ cũ"))]
    assert registry.source == path.name
    make_form(tmp_path / "f.xlsx", "xa", code="", name="cầu gồ cũ")
    result = read(tmp_path)
    assert errors(result.problems) == [] and {u.unit_id for u in result.units} == {"X01", "X04"}


def test_registry_named_on_the_command_line_is_not_read_as_input(tmp_path: Path) -> None:
    reg = write_registry(tmp_path, name="danh_sach.csv")
    make_form(tmp_path / "f.xlsx", "xa", values={"so_thon": 1})
    result = read(tmp_path, registry_path=reg)
    assert [f.name for f in result.files] == ["f.xlsx"]
    assert result.registry is not None and len(result.registry.units) == len(REGISTRY)
    assert codes(result.problems) == ["NO_FORM"] * (len(REGISTRY) - 1)


def test_subject_filter(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "x.xlsx", "xa", values={"so_thon": 1})
    make_form(tmp_path / "h.xlsx", "huyen", values={"so_xa": 2})
    result = read(tmp_path, subject="huyen")
    assert [u.unit_id for u in result.units] == ["H01"]
    assert codes(result.problems) == []  # the communes are not this run's business


def test_info_sheet_location_of_a_form_unit(tmp_path: Path) -> None:
    write_registry(tmp_path)
    filled = make_form(tmp_path / "f.xlsx", "xa", code="", name="Xã Đâu Đó")
    problem = only(read(tmp_path).problems, "UNKNOWN_UNIT")
    assert problem.location == Location("f.xlsx", L.INFO, filled.info["ten_don_vi"], "ten_don_vi")
    assert "Có phải" not in problem.message  # nothing close: no hint is invented


def test_a_code_typed_as_a_number_in_a_workbook_registry(tmp_path: Path) -> None:
    """Excel stores 101 typed in a cell as the number 101.0: the registry's code is "101", as the readers read
    the same number in a form or a table (never "101.0", which would match nothing)."""
    write_xlsx_table(tmp_path / "don_vi.xlsx", [["ma_don_vi", "ten_don_vi", "doi_tuong"], [101, "Xã Đồng Vương", "xa"],
                                                [7.0, "Huyện Phú Bình", "huyen"]])
    registry, problems = load_registry(tmp_path / "don_vi.xlsx", tmp_path, subjects=criteria().subjects)
    assert problems == [] and [u.code for u in registry.units] == ["101", "7"]
    make_form(tmp_path / "f.xlsx", "xa", code="101", name="Dong Vuong", values={"so_thon": 9})
    write_xlsx_table(tmp_path / "th.xlsx", [["ma_don_vi", "nam", "so_xa"], [7, YEAR, 12]])
    result = read(tmp_path)
    assert errors(result.problems) == []
    by_id = {u.unit_id: u for u in result.units}
    assert by_id["101"].unit_name == "Xã Đồng Vương" and by_id["101"].values["so_thon"].value == 9
    assert by_id["7"].unit_name == "Huyện Phú Bình" and by_id["7"].values["so_xa"].value == 12


def test_suggestions_keep_their_order_and_their_subject() -> None:
    """suggest() folds every unit's name once, not on each call: the same answers, in the same order."""
    assert [u.code for u in REG.suggest("Dong Son")] == ["X02", "X03"]  # registry order
    assert [u.code for u in REG.suggest("Dong Son", "huyen")] == []
    assert [u.code for u in REG.suggest("TT Cau Go")] == ["X04"]  # an alias, folded
    assert REG.suggest("Đồng Vươn") == REG.suggest("Đồng Vươn")  # asked twice, the same answer


@pytest.mark.parametrize(("data", "code"), [
    ("ma_don_vi,ten_don_vi,doi_tuong\nX01,Xã Đồng Vương,xa\n".encode("cp1258", "replace"), "NOT_UTF8"),
    (b"ma_don_vi,ten_don_vi,doi_tuong\nX01,X\x00,xa\n", "NOT_A_TABLE"),
], ids=["windows-1258", "nul"])
def test_a_registry_csv_is_read_like_an_input_csv(tmp_path: Path, data: bytes, code: str) -> None:
    """The CSV reader of consolidated sheets: its Vietnamese message for a file not in UTF-8, its refusal of a
    binary file; the registry is then not used (the forms are still read, named by their own code)."""
    (tmp_path / "don_vi.csv").write_bytes(data)
    make_form(tmp_path / "f.xlsx", "xa", values={"so_thon": 9})
    result = read(tmp_path)
    problem = only(result.problems, code)
    assert problem.location == Location("don_vi.csv")
    assert result.registry is None and [u.unit_id for u in result.units] == ["X01"]
