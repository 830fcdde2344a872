"""Form rows that lost their id (merged cells, a deleted code) and sheets whose names differ only in Unicode
normalisation: what was typed there is reported or read, never dropped without a word."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from scoring import Location
from scoring.forms import layout as L
from tests.inputs_helpers import (
    REGISTRY,
    UNIT_OF,
    YEAR,
    codes,
    make_form,
    only,
    read,
    rows_by_id,
    write_registry,
    write_xlsx_table,
)

XA = UNIT_OF["xa"]
# Two indicators on adjacent rows of the generated «Số liệu» sheet, and one more elsewhere.
ABOVE, BELOW, OTHER = "so_bao_cao_dung_han", "so_bao_cao_phai_gui", "so_thon"
VALUES = {ABOVE: 2, BELOW: 4, OTHER: 9}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_registry(tmp_path, [XA])
    return tmp_path


def _row(wb: Workbook, sheet: str, key: str) -> int:
    return rows_by_id(wb[sheet])[key]


def test_merge_over_the_id_column_of_data_rows(folder: Path) -> None:
    """Merging A10:A11 empties A11 (as Excel does); the value in D11 is reported, not silently skipped."""
    at: dict[str, int] = {}

    def merge(wb: Workbook) -> None:
        at["row"] = _row(wb, L.DATA, BELOW)
        assert _row(wb, L.DATA, ABOVE) == at["row"] - 1
        wb[L.DATA].merge_cells(f"A{at['row'] - 1}:A{at['row']}")

    make_form(folder / "xa.xlsx", "xa", values=VALUES, edit=merge)
    result = read(folder)
    problem = only(result.problems, "ROW_WITHOUT_ID")
    r = at["row"]
    assert problem.location == Location("xa.xlsx", L.DATA, f"A{r}")
    assert problem.severity == "error"
    assert f"A{r - 1}:A{r}" in problem.message and f"D{r}" in problem.message and "Bỏ gộp ô" in problem.message
    [unit] = result.units
    assert {k: unit.values[k].value for k in (ABOVE, OTHER)} == {ABOVE: 2, OTHER: 9}  # the rest still read
    assert BELOW not in unit.values


def test_merged_id_cell_reported_even_without_a_value(folder: Path) -> None:
    """A row merged away loses its indicator whether or not it was filled yet: the merge is named."""
    make_form(folder / "xa.xlsx", "xa", values={OTHER: 9},
              edit=lambda wb: wb[L.DATA].merge_cells(f"A{_row(wb, L.DATA, ABOVE)}:A{_row(wb, L.DATA, BELOW)}"))
    problem = only(read(folder).problems, "ROW_WITHOUT_ID")
    assert problem.location.sheet == L.DATA and problem.location.cell is not None


def test_deleted_indicator_code_with_a_value(folder: Path) -> None:
    at: dict[str, int] = {}

    def clear(wb: Workbook) -> None:
        at["row"] = _row(wb, L.DATA, BELOW)
        wb[L.DATA].cell(at["row"], 1).value = None

    make_form(folder / "xa.xlsx", "xa", values=VALUES, pct={ABOVE: 50}, edit=clear)
    result = read(folder)
    problem = only(result.problems, "ROW_WITHOUT_ID")
    assert problem.location == Location("xa.xlsx", L.DATA, f"A{at['row']}")
    assert f"D{at['row']}" in problem.message and "mã chỉ tiêu" in problem.message
    [unit] = result.units
    assert unit.values[ABOVE].value == 2 and unit.stated_pct[ABOVE].value == 50


def test_score_typed_on_a_row_without_criterion_id(folder: Path) -> None:
    at: dict[str, int] = {}

    def clear(wb: Workbook) -> None:
        at["row"] = _row(wb, L.SCORES, "I.2")
        wb[L.SCORES].cell(at["row"], 1).value = None

    make_form(folder / "xa.xlsx", "xa", values=VALUES, self_scores={"I.1": 3, "I.2": 2}, appraised={"I.2": 1},
              edit=clear)
    result = read(folder)
    problem = only(result.problems, "ROW_WITHOUT_ID")
    assert problem.location == Location("xa.xlsx", L.SCORES, f"A{at['row']}")
    assert f"D{at['row']}" in problem.message and f"F{at['row']}" in problem.message
    assert "mã tiêu chí" in problem.message
    [unit] = result.units
    assert unit.self_scores["I.1"].points == 3 and "I.2" not in unit.self_scores


def test_merge_over_the_id_column_of_score_rows(folder: Path) -> None:
    def merge(wb: Workbook) -> None:
        wb[L.SCORES].merge_cells(f"A{_row(wb, L.SCORES, 'I.3')}:A{_row(wb, L.SCORES, 'I.4')}")

    make_form(folder / "xa.xlsx", "xa", values=VALUES, self_scores={"I.1": 3, "I.4": 2}, edit=merge)
    result = read(folder)
    problem = only(result.problems, "ROW_WITHOUT_ID")
    assert problem.location.sheet == L.SCORES and "vùng ô gộp" in problem.message
    assert result.units[0].self_scores["I.1"].points == 3


def test_generated_rows_are_not_reported(folder: Path) -> None:
    """Blank forms, filled forms, and the total row (a formula, here with the result Excel caches) say nothing."""
    make_form(folder / "xa.xlsx", "xa", values=VALUES, self_scores={"I.1": 3})
    path = folder / "xa.xlsx"
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    part = next(n for n, data in parts.items() if n.startswith("xl/worksheets/") and b"MAX(0,MIN(100," in data)
    cached, n = re.subn(rb"(<f>MAX\(0,MIN\(100,[^<]*</f>)<v\s*/?>(?:</v>)?", rb"\1<v>3</v>", parts[part])
    assert n == 2, parts[part][-600:]
    parts[part] = cached
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    make_form(folder / "blank.xlsx", "xa", unit=REGISTRY[1], code="", name="")
    result = read(folder)
    assert "ROW_WITHOUT_ID" not in codes(result.problems)


def test_sheets_equal_after_nfc_are_both_read(tmp_path: Path) -> None:
    """«Tổng hợp» composed and decomposed: two sheets, both read (the second used to be dropped)."""
    write_registry(tmp_path, [REGISTRY[1], REGISTRY[2]])
    composed = "Tổng hợp"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    header = ["ma_don_vi", "nam", "so_thon"]
    write_xlsx_table(tmp_path / "th.xlsx", [header, ["X01", YEAR, 12]], sheet=composed,
                     more={decomposed: [header, ["X02", YEAR, 7]]})
    result = read(tmp_path)
    got = {u.unit_id: u.values["so_thon"].value for u in result.units}
    assert got == {"X01": 12, "X02": 7}


def test_decomposed_sheet_name_first_still_read_as_nfc(tmp_path: Path) -> None:
    """The decomposed twin first: the composed one keeps its name, and both are read."""
    from scoring.readers.workbook import open_book

    composed = "Tổng hợp"
    decomposed = unicodedata.normalize("NFD", composed)
    header = ["ma_don_vi", "nam", "so_thon"]
    path = write_xlsx_table(tmp_path / "th.xlsx", [header, ["X01", YEAR, 12]], sheet=decomposed,
                            more={composed: [header, ["X02", YEAR, 7]], "Xa\u0300": [header]})
    book = open_book(path)
    try:
        assert book.sheet_names == [decomposed, composed, "Xà"]
        assert book.rows(composed)[1][0] == "X02" and book.rows(decomposed)[1][0] == "X01"
        assert book.rows("Xà") == [header]  # a lone decomposed name is still asked for in NFC
    finally:
        book.close()


def test_the_total_row_with_values_pasted_over_its_formulas_is_not_reported(folder: Path) -> None:
    """Units often paste values over a sheet before sending it (or type the total by hand): the total row then
    holds numbers, not formulas, and it has no criterion id by design."""
    def paste_values(wb: Workbook) -> None:
        ws = wb[L.SCORES]
        total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == L.TOTAL_LABEL)
        ws.cell(total, 4).value, ws.cell(total, 6).value = 97.85, 95

    make_form(folder / "xa.xlsx", "xa", values=VALUES, self_scores={"I.1": 3}, edit=paste_values)
    result = read(folder)
    assert "ROW_WITHOUT_ID" not in codes(result.problems)
    assert result.units[0].self_scores["I.1"].points == 3


@pytest.mark.parametrize("sheet", [L.DATA, L.SCORES])
def test_a_form_sheet_with_a_decomposed_twin_is_reported(folder: Path, sheet: str) -> None:
    """Two «Số liệu» sheets, one spelled decomposed: the form reads one; the twin is an error, never silent."""
    import openpyxl

    path = folder / "x.xlsx"
    make_form(path, "xa", values=VALUES)
    wb = openpyxl.load_workbook(path)
    twin = wb.copy_worksheet(wb[sheet])
    twin.title = unicodedata.normalize("NFD", sheet)
    assert twin.title != sheet
    wb.save(path)
    result = read(folder)
    problem = only(result.problems, "DUPLICATE_SHEET")
    assert problem.severity == "error" and problem.location == Location("x.xlsx", twin.title)
    assert f"hai sheet cùng tên «{sheet}»" in problem.message
    assert result.units[0].values[OTHER].value == VALUES[OTHER]  # the form itself is still read


def test_a_form_without_twins_has_no_duplicate_sheet(folder: Path) -> None:
    make_form(folder / "x.xlsx", "xa", values=VALUES)
    assert "DUPLICATE_SHEET" not in codes(read(folder).problems)
