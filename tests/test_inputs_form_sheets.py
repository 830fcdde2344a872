"""Form sheets renamed by hand, a form refused whole, and a year typed as text: what is read and what is said."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from scoring import Location
from scoring.forms import layout as L
from scoring.forms.generate import write_form
from scoring.readers.workbook import open_book
from tests.inputs_helpers import REGISTRY, UNIT_OF, YEAR, criteria, errors, make_form, only, read, write_registry

XA = UNIT_OF["xa"]
VALUES = {"so_thon": 9, "so_cuoc_kiem_tra": 7}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with the registry of one commune (so no NO_FORM noise for the others)."""
    write_registry(tmp_path, [XA])
    return tmp_path


def renaming(names: dict[str, str], *, drop_meta: bool = False) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        for i, old in enumerate(names):  # by way of another name: openpyxl would make «SỐ LIỆU» «SỐ LIỆU1»
            wb[old].title = f"tạm {i}"
        for i, new in enumerate(names.values()):
            wb[f"tạm {i}"].title = new
        if drop_meta:  # the sheets copied into a new workbook: the hidden sheet stays behind
            wb.remove(wb[L.META])
    return edit


def typing_year(text: str, then: Callable[[Workbook], None] | None = None) -> Callable[[Workbook], None]:
    """The year cell of «Thông tin» typed over (the form, and its hidden sheet, were made for YEAR)."""
    def edit(wb: Workbook) -> None:
        ws = wb[L.INFO]
        ws.cell(next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "nam"), 3, text)
        if then is not None:
            then(wb)
    return edit


def year_row(path: Path) -> int:
    ws = load_workbook(path)[L.INFO]
    return next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "nam")


# ── A. a sheet renamed without accents, in other case, with spaces ──────────────────────────────────────

RENAMES = [
    ({L.INFO: "Thong tin", L.DATA: "So lieu", L.SCORES: "Cham diem"}, False),
    ({L.INFO: "Thong tin", L.DATA: "So lieu", L.SCORES: "Cham diem"}, True),  # no hidden sheet: is_form too
    ({L.INFO: "Thông tin "}, True),
    ({L.DATA: "SỐ LIỆU"}, False),
    ({L.SCORES: " Chấm  điểm"}, False),
    ({L.DATA: "so lieu"}, False),
]


@pytest.mark.parametrize(("names", "drop_meta"), RENAMES)
def test_a_renamed_sheet_is_read_with_a_note(folder: Path, names: dict[str, str], drop_meta: bool) -> None:
    make_form(folder / "xa.xlsx", "xa", values=VALUES, self_scores={"I.1": 1},
              edit=renaming(names, drop_meta=drop_meta))
    result = read(folder)
    assert [f.kind for f in result.files if f.name == "xa.xlsx"] == ["form"]
    assert errors(result.problems) == []
    [unit] = result.units
    assert unit.unit_id == XA.code and unit.year == YEAR
    assert {k: unit.values[k].value for k in VALUES} == VALUES
    assert unit.self_scores["I.1"].points == 1
    notes = sorted((p.location.sheet, p.severity) for p in result.problems if p.code == "SHEET_RENAMED")
    assert notes == sorted((new, "info") for new in names.values())
    for p in result.problems:
        if p.code == "SHEET_RENAMED":
            expected = next(old for old, new in names.items() if new == p.location.sheet)
            assert f"«{expected}»" in p.message and "đổi tên" in p.message


def test_cells_of_a_renamed_sheet_are_named_in_it(folder: Path) -> None:
    """file › sheet › cell names the sheet the officer sees, not the one the form was made with."""
    filled = make_form(folder / "xa.xlsx", "xa", values={"so_thon": "chín"}, edit=renaming({L.DATA: "So lieu"}))
    problem = only(read(folder).problems, "NOT_AN_INTEGER")
    assert problem.location == Location("xa.xlsx", "So lieu", filled.values["so_thon"], "so_thon")


def test_the_exact_name_wins_over_a_look_alike(folder: Path) -> None:
    def copy_beside(wb: Workbook) -> None:
        other = wb.copy_worksheet(wb[L.DATA])
        other.title = "So lieu"
        other["D4"] = "không đọc"  # would be a cell error if this sheet were read

    make_form(folder / "xa.xlsx", "xa", values=VALUES, edit=copy_beside)
    result = read(folder)
    assert errors(result.problems) == [] and "SHEET_RENAMED" not in {p.code for p in result.problems}
    assert {k: result.units[0].values[k].value for k in VALUES} == VALUES


def test_two_look_alikes_are_never_guessed_between(folder: Path) -> None:
    def two(wb: Workbook) -> None:
        wb.copy_worksheet(wb[L.DATA]).title = "so lieu "
        wb[L.DATA].title = "So lieu"

    make_form(folder / "xa.xlsx", "xa", values=VALUES, edit=two)
    result = read(folder)
    problem = only(result.problems, "MISSING_SHEET")
    assert problem.location == Location("xa.xlsx", L.DATA)
    assert "«So lieu»" in problem.message and "«so lieu »" in problem.message
    assert "SHEET_RENAMED" not in {p.code for p in result.problems}


def test_find_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Thong  tin"
    for title in ("Số liệu", "So lieu", "cham diem", "Chấm điểm 2", "Ghi chú", "ghi chu "):
        wb.create_sheet(title)
    wb.save(tmp_path / "b.xlsx")
    book = open_book(tmp_path / "b.xlsx")
    assert book.find_sheet(L.INFO) == "Thong  tin"
    assert book.find_sheet(L.DATA) == "Số liệu"  # exact, though «So lieu» folds to it too
    assert book.find_sheet(L.SCORES) == "cham diem"  # «Chấm điểm 2» is another name
    assert book.find_sheet("Ghi chú") == "Ghi chú"
    assert book.find_sheet("Ghi chu") is None  # two candidates: none is taken
    assert book.find_sheet(L.META) is None
    book.close()


# ── B. a form refused whole: NO_FORM does not say that no form was sent ─────────────────────────────────

def no_form_message(folder: Path, **kw: Any) -> str:
    return only(read(folder, **kw).problems, "NO_FORM").message


def test_missing_sheet_names_what_the_file_holds_and_no_form_names_the_file(folder: Path) -> None:
    path = write_form(folder / "xa.xlsx", criteria(), "xa", YEAR, XA)  # the hidden sheet names the unit
    wb = load_workbook(path)
    wb[L.DATA].title = "Data"
    wb.save(path)
    result = read(folder)
    problem = only(result.problems, "MISSING_SHEET")
    assert problem.location == Location("xa.xlsx", L.DATA) and "«Data»" in problem.message
    no_form = only(result.problems, "NO_FORM")
    assert no_form.unit_id == XA.code and "xa.xlsx" in no_form.message
    assert "không có biểu nào" not in no_form.message


def test_no_form_names_a_file_refused_for_the_code_typed_in_it(folder: Path) -> None:
    make_form(folder / "xa.xlsx", "xa", values=VALUES, edit=renaming({L.SCORES: "Diem"}))  # code typed, not hidden
    message = no_form_message(folder)
    assert "xa.xlsx" in message and "không có biểu nào" not in message


@pytest.mark.parametrize(("code", "make", "kw"), [
    ("WRONG_SUBJECT", lambda p: make_form(p, "co_quan", unit=XA), {}),
    ("WRONG_YEAR", lambda p: make_form(p, "xa", year=YEAR - 1), {"year": YEAR}),
])
def test_no_form_after_a_refused_unit(folder: Path, code: str, make: Callable[[Path], Any], kw: dict[str, Any]
                                      ) -> None:
    make(folder / "xa.xlsx")
    result = read(folder, **kw)
    only(result.problems, code)
    message = only(result.problems, "NO_FORM").message
    assert "xa.xlsx" in message and "không có biểu nào" not in message


def test_no_form_after_mixed_years(tmp_path: Path) -> None:
    other = REGISTRY[2]
    write_registry(tmp_path, [XA, other])
    make_form(tmp_path / "xa.xlsx", "xa", values=VALUES)
    make_form(tmp_path / "old.xlsx", "xa", unit=other, values=VALUES, year=YEAR - 1)  # last year's, left behind
    result = read(tmp_path)
    only(result.problems, "MIXED_YEARS")
    no_form = only(result.problems, "NO_FORM")
    assert no_form.unit_id == other.code and "old.xlsx" in no_form.message


def test_no_form_for_a_unit_that_sent_none_is_unchanged(folder: Path) -> None:
    assert "không có biểu nào" in no_form_message(folder)


# ── C. a year typed as text ─────────────────────────────────────────────────────────────────────────────

def test_a_year_in_words_of_the_forms_year_is_read_with_a_warning(folder: Path) -> None:
    make_form(folder / "xa.xlsx", "xa", values=VALUES, edit=typing_year(f"Năm {YEAR}"))
    result = read(folder)
    assert errors(result.problems) == []
    problem = only(result.problems, "YEAR_FROM_FORM")
    cell = f"C{year_row(folder / 'xa.xlsx')}"
    assert (problem.severity, problem.location) == ("warning", Location("xa.xlsx", L.INFO, cell, "nam"))
    assert str(YEAR) in problem.message and L.META in problem.message
    [unit] = result.units
    assert unit.year == YEAR and unit.has_data


@pytest.mark.parametrize("typed", [f"Năm {YEAR + 1}", "năm nay", f"{YEAR}-{YEAR + 1}"])
def test_a_year_in_words_the_hidden_year_does_not_confirm_is_not_guessed(folder: Path, typed: str) -> None:
    """The typed year wins over the hidden one: a form reused for another year is never read as the old year."""
    make_form(folder / "xa.xlsx", "xa", values=VALUES, edit=typing_year(typed))
    result = read(folder)
    cell = Location("xa.xlsx", L.INFO, f"C{year_row(folder / 'xa.xlsx')}", "nam")
    assert only(result.problems, "NOT_AN_INTEGER").location == cell
    assert only(result.problems, "MISSING_YEAR").location == cell  # the year's cell, not the name's
    assert "YEAR_FROM_FORM" not in {p.code for p in result.problems}
    assert "MISSING_YEAR" not in {p.code for p in read(folder, year=YEAR).problems}  # --nam supplies it


def test_a_year_in_words_without_the_hidden_sheet(folder: Path) -> None:
    make_form(folder / "xa.xlsx", "xa", values=VALUES,
              edit=typing_year(f"Năm {YEAR}", renaming({}, drop_meta=True)))
    result = read(folder)
    cell = Location("xa.xlsx", L.INFO, f"C{year_row(folder / 'xa.xlsx')}", "nam")
    assert only(result.problems, "NOT_AN_INTEGER").location == cell
    assert only(result.problems, "MISSING_YEAR").location == cell


def test_a_consolidated_workbook_with_sheets_named_like_a_forms_stays_a_table(tmp_path: Path) -> None:
    # «So lieu» and «Cham diem» holding consolidated tables: read as a form, all their units were lost
    from tests.inputs_helpers import write_registry, write_xlsx_table

    write_registry(tmp_path)
    head = ["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_thon"]
    write_xlsx_table(tmp_path / "tong_hop.xlsx", [head, ["X01", "Xã Đồng Vương", "xa", 2023, 5]], sheet="So lieu",
                     more={"Cham diem": [head, ["X02", "Xã Đồng Kỳ", "xa", 2023, 7]]})
    result = read(tmp_path)
    assert {u.unit_id: u.values["so_thon"].value for u in result.units if "so_thon" in u.values} == {"X01": 5,
                                                                                                     "X02": 7}
    assert not {"SHEET_RENAMED", "MISSING_SHEET"} & {p.code for p in result.problems}


def test_a_typed_year_other_than_the_forms_is_read_and_said(tmp_path: Path) -> None:
    # a 2022 form reused for 2023: read as 2023, as typed, and said (it was taken silently)
    write_registry(tmp_path)
    make_form(tmp_path / "x.xlsx", "xa", year=2022, values={"so_thon": 5},
              edit=lambda wb: wb[L.INFO].cell(year_row_of(wb), 3, 2023))
    result = read(tmp_path)
    note = only(result.problems, "YEAR_NOT_FORMS")
    assert note.severity == "info" and "2023" in note.message and "2022" in note.message
    assert [u.year for u in result.units if u.unit_id == "X01"] == [2023]


def year_row_of(wb: Any) -> int:
    ws = wb[L.INFO]
    return next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "nam")


def test_a_value_cell_merged_into_the_row_above_is_said(tmp_path: Path) -> None:
    # one figure typed for two indicators by merging their value cells: the lower one had only MISSING_VALUE
    from tests.inputs_helpers import rows_by_id

    write_registry(tmp_path)

    def merge(wb: Any) -> None:
        ws = wb[L.DATA]
        at = rows_by_id(ws)
        first, second = sorted([at["so_thon"], at["so_thon_co_to_dvcd"]])
        assert second == first + 1, "the two indicators sit on adjacent rows"
        value = 1 + [key for key, *_ in L.DATA_COLUMNS].index("value")
        ws.merge_cells(start_row=first, start_column=value, end_row=second, end_column=value)

    make_form(tmp_path / "x.xlsx", "xa", values={"so_thon": 5}, edit=merge)
    problem = only(read(tmp_path).problems, "MERGED_VALUE")
    assert problem.severity == "warning" and "vùng ô gộp D44:D45" in problem.message and problem.location.cell == "D45"
