"""Cells calamine shows as empty but are not, and CSV title lines above the header.

An error cell (#DIV/0!, #N/A…) is read as '' by python-calamine: read as blank it would score 0 in silence,
so the reader reports it, at its cell. A CSV consolidated sheet may start with a title line: the delimiter is
guessed from the header line, not from the title.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from scoring import InputError, Location, evaluate
from scoring.forms import layout as L
from scoring.readers.consolidated import find_header, read_consolidated, read_csv_rows
from scoring.readers.workbook import open_book
from tests.hostile_files import rewrite_part
from tests.inputs_helpers import (
    REGISTRY,
    UNIT_OF,
    YEAR,
    criteria,
    errors,
    make_form,
    only,
    read,
    write_registry,
    write_xlsx_table,
)

XA, X02 = UNIT_OF["xa"], REGISTRY[2]
HINT = "Sửa công thức (hoặc gõ giá trị) trong Excel, lưu lại rồi chạy lại."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two communes: one with the bad file, one with a good file that must still be read and scored."""
    write_registry(tmp_path, [XA, X02])
    return tmp_path


def _error_problems(problems: Iterable[InputError]) -> dict[Location, str]:
    return {p.location: p.message for p in problems if p.code == "CELL_ERROR_VALUE"}


def _as_formula(path: Path, error: str, formula: str) -> None:
    """Give an error cell openpyxl wrote (<c t="e"><v>#DIV/0!</v>) the formula Excel would have saved with it."""
    cell = re.compile(rb'(<c [^>]*t="e"[^>]*>)(<v>' + re.escape(error.encode()) + rb'</v>)')
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if n.startswith("xl/worksheets/") and cell.search(z.read(n))]
    assert parts, f"no {error} cell written"
    for part in parts:
        rewrite_part(path, part, lambda b: cell.sub(lambda m: m[1] + b"<f>" + formula.encode() + b"</f>" + m[2], b))


def test_error_cells_in_a_form_are_reported_at_their_cell(folder: Path) -> None:
    bad = make_form(folder / "xa.xlsx", "xa", values={"so_thon": "#DIV/0!", "so_thon_co_to_dvcd": 8},
                    self_scores={"II.1": "#N/A", "I.1": 2})
    _as_formula(folder / "xa.xlsx", "#DIV/0!", "1/0")
    make_form(folder / "dong_son.xlsx", "xa", unit=X02, values={"so_thon": 9, "so_thon_co_to_dvcd": 8},
              self_scores={"II.1": 3, "I.1": 2})
    result = read(folder)
    found = _error_problems(result.problems)
    value_at = Location("xa.xlsx", L.DATA, bad.values["so_thon"], "so_thon")
    score_at = Location("xa.xlsx", L.SCORES, bad.self_scores["II.1"], "II.1")
    assert set(found) == {value_at, score_at}
    assert "«#DIV/0!»" in found[value_at] and found[value_at].endswith(HINT)
    assert "«#N/A»" in found[score_at]
    assert all(p.severity == "error" for p in result.problems if p.code == "CELL_ERROR_VALUE")
    by_id = {u.unit_id: u for u in result.units}
    x01 = by_id["X01"]
    assert "so_thon" not in x01.values and "II.1" not in x01.self_scores  # never read as blank or as 0
    assert x01.values["so_thon_co_to_dvcd"].value == 8 and x01.self_scores["I.1"].points == 2  # the rest is read
    good = by_id["X02"]  # the file beside it: read and scored as if the bad one were not there
    assert good.values["so_thon"].value == 9 and good.self_scores["II.1"].points == 3
    assert [p for p in errors(result.problems) if p.location.file == "dong_son.xlsx"] == []
    assert evaluate(criteria(), good).records


def test_error_cells_in_a_forms_notes_and_info_are_reported(folder: Path) -> None:
    """An error in the unit's name, the evidence or the stated percentage is reported too, not read as blank."""
    bad = make_form(folder / "xa.xlsx", "xa", name="#N/A", values={"so_thon": 9}, evidence={"so_thon": "#REF!"},
                    pct={"so_nhiem_vu_hoan_thanh": "#VALUE!"})
    result = read(folder)
    found = _error_problems(result.problems)
    pct = "so_nhiem_vu_hoan_thanh"
    assert set(found) == {Location("xa.xlsx", L.INFO, bad.info["ten_don_vi"], "ten_don_vi"),
                          Location("xa.xlsx", L.DATA, bad.evidence["so_thon"], "so_thon"),
                          Location("xa.xlsx", L.DATA, bad.pct[pct], f"ty_le:{pct}")}
    unit = next(u for u in result.units if u.unit_id == "X01")  # still found by its code
    assert unit.values["so_thon"].value == 9 and unit.values["so_thon"].evidence is None


def _consolidated(path: Path) -> Path:
    return write_xlsx_table(path, [
        ["ma_don_vi", "nam", "so_thon", "so_thon_co_to_dvcd", "tu_cham:II.1", "ty_le:so_nhiem_vu_hoan_thanh"],
        ["X01", YEAR, "#DIV/0!", 8, "#N/A", "#NUM!"],
        ["X02", YEAR, 9, 8, 3, None],
    ])


def test_error_cells_in_a_consolidated_sheet_are_reported_at_their_cell(tmp_path: Path) -> None:
    path = _consolidated(tmp_path / "tong_hop.xlsx")
    book = open_book(path)
    try:
        sheet = book.sheet_names[0]
        rows = book.rows(sheet)
        assert rows[1][2] == ""  # what calamine shows: the reason for reading the error from the package
        units, problems = read_consolidated(rows, path.name, sheet, criteria(), book.date1904,
                                            book.formulas_without_value(sheet), book.error_cells(sheet))
    finally:
        book.close()
    found = _error_problems(problems)
    assert set(found) == {Location("tong_hop.xlsx", sheet, "C2", "so_thon"),
                          Location("tong_hop.xlsx", sheet, "E2", "II.1"),
                          Location("tong_hop.xlsx", sheet, "F2", "so_nhiem_vu_hoan_thanh")}
    assert "«#DIV/0!»" in found[Location("tong_hop.xlsx", sheet, "C2", "so_thon")]
    assert "«#N/A»" in found[Location("tong_hop.xlsx", sheet, "E2", "II.1")]
    x01, x02 = units
    assert "so_thon" not in x01.values and not x01.self_scores and not x01.stated_pct
    assert x01.values["so_thon_co_to_dvcd"].value == 8
    assert x02.values["so_thon"].value == 9 and x02.self_scores["II.1"].points == 3


def test_error_cells_are_found_with_their_formula_and_attributes_in_any_order(tmp_path: Path) -> None:
    path = _consolidated(tmp_path / "tong_hop.xlsx")
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda b: b.replace(
        b'<c r="C2" t="e"><v>#DIV/0!</v>', b'<c t="e" s="0" r="C2"><f>D2/0</f><v>#DIV/0!</v>'))
    book = open_book(path)
    try:
        assert book.error_cells(book.sheet_names[0]) == {"C2": "#DIV/0!", "E2": "#N/A", "F2": "#NUM!"}
        assert book.formulas_without_value(book.sheet_names[0]) == set()  # a cached error is not «uncalculated»
    finally:
        book.close()


def test_error_cells_in_a_consolidated_sheet_are_reported_when_reading_a_folder(folder: Path) -> None:
    _consolidated(folder / "tong_hop.xlsx")
    result = read(folder)
    assert Location("tong_hop.xlsx", "Tổng hợp", "C2", "so_thon") in _error_problems(result.problems)


# ── CSV: a title line above the header ───────────────────────────────────────────────────────────────────

CSV_HEADER = ["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_thon", "so_thon_co_to_dvcd"]
CSV_BODY = [["X01", "Xã Đồng Vương", "xa", "2023", "9", "8"], ["X02", "Xã Đông Sơn", "xa", "2023", "10", "7"]]


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("title", ["Bảng tổng hợp số liệu năm 2023", "Bảng tổng hợp; năm 2023",
                                   "Bảng tổng hợp, năm 2023, xã; phường"])
def test_a_csv_title_line_above_the_header_does_not_hide_the_delimiter(folder: Path, title: str,
                                                                       delimiter: str) -> None:
    text = "\r\n".join([title, ""] + [delimiter.join(r) for r in [CSV_HEADER, *CSV_BODY]]) + "\r\n"
    (folder / "tong_hop.csv").write_text(text, encoding="utf-8", newline="")
    rows, problems = read_csv_rows((folder / "tong_hop.csv").read_bytes(), "tong_hop.csv")
    assert problems == [] and rows is not None
    assert find_header(rows) == 2 and rows[2] == CSV_HEADER
    result = read(folder)
    assert [p for p in result.problems if p.code == "MISSING_HEADER"] == []
    by_id = {u.unit_id: u for u in result.units}
    assert by_id["X01"].values["so_thon"].value == 9 and by_id["X02"].values["so_thon_co_to_dvcd"].value == 7


def test_a_csv_without_a_header_line_keeps_the_first_line_delimiter() -> None:
    rows, problems = read_csv_rows(b"a;b,c\r\nd;e,f\r\n", "x.csv")
    assert problems == [] and rows == [["a", "b,c"], ["d", "e,f"]]
    only([*problems, *read_consolidated(rows, "x.csv", None, criteria())[1]], "MISSING_HEADER")
