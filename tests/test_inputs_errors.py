"""One bad input per failure mode, built from data in the test: the error code and where it points.

Assertions are on the code and the location (file › sheet › cell), not on the whole sentence.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from scoring import Location, evaluate
from scoring.forms import layout as L
from scoring.registry import RegisteredUnit
from tests.inputs_helpers import (
    REGISTRY,
    UNIT_OF,
    YEAR,
    codes,
    criteria,
    errors,
    make_form,
    minimal_docx,
    only,
    read,
    rows_by_id,
    snapshot,
    write_csv,
    write_registry,
    write_xlsx_table,
)

XA = UNIT_OF["xa"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with the registry of one commune (so no NO_FORM noise for the others)."""
    write_registry(tmp_path, [XA])
    return tmp_path


# ── cells of the form that cannot be typed ───────────────────────────────────────────────────────────────

CELL_CASES = [
    ("NOT_AN_INTEGER", "so_cuoc_kiem_tra", "khoảng 50"),
    ("NOT_AN_INTEGER", "so_cuoc_kiem_tra", "12,5"),
    ("NOT_AN_INTEGER", "so_ho_so_tiep_nhan", 3.5),
    ("OUT_OF_RANGE", "so_cuoc_kiem_tra", -3),
    ("OUT_OF_RANGE", "so_ho_so_tiep_nhan", "-1.000"),
    ("NOT_A_BOOLEAN", "co_hoi_nghi_quan_triet", "có lẽ"),
    ("NOT_A_BOOLEAN", "co_hoi_nghi_quan_triet", 2),
    ("NOT_A_DATE", "ngay_ban_hanh_ke_hoach", "31/02/2023"),
    ("NOT_A_DATE", "ngay_ban_hanh_ke_hoach", "tháng 1/2023"),
    ("NOT_A_DATE", "ngay_ban_hanh_ke_hoach", 12),
    ("NOT_A_CHOICE", "xep_loai_cchc", "Xuất sắc"),
]


@pytest.mark.parametrize(("code", "ind_id", "typed"), CELL_CASES, ids=[f"{c}-{t}" for c, _, t in CELL_CASES])
def test_bad_value_cell(folder: Path, code: str, ind_id: str, typed: Any) -> None:
    filled = make_form(folder / "xa_dong_vuong.xlsx", "xa", values={ind_id: typed, "so_thon": 9})
    result = read(folder)
    problem = only(result.problems, code)
    assert problem.location == Location("xa_dong_vuong.xlsx", L.DATA, filled.values[ind_id], ind_id)
    assert problem.severity == "error"
    assert "nhận được" in problem.message and "Sửa ô này" in problem.message
    [unit] = result.units  # the rest of the form is still read
    assert ind_id not in unit.values and unit.values["so_thon"].value == 9


def test_text_in_a_score_cell_is_not_a_number(folder: Path) -> None:
    filled = make_form(folder / "xa.xlsx", "xa", self_scores={"II.1": "ba điểm", "I.1": 2})
    result = read(folder)
    problem = only(result.problems, "NOT_A_NUMBER")
    assert problem.location == Location("xa.xlsx", L.SCORES, filled.self_scores["II.1"], "II.1")
    assert '"ba điểm"' in problem.message
    [unit] = result.units
    assert set(unit.self_scores) == {"I.1"}


def test_text_in_a_stated_percentage_is_not_a_number(folder: Path) -> None:
    filled = make_form(folder / "xa.xlsx", "xa", values={"so_nhiem_vu_hoan_thanh": 5},
                       pct={"so_nhiem_vu_hoan_thanh": "gần 93"})
    problem = only(read(folder).problems, "NOT_A_NUMBER")
    assert problem.location == Location("xa.xlsx", L.DATA, filled.pct["so_nhiem_vu_hoan_thanh"],
                                        "ty_le:so_nhiem_vu_hoan_thanh")


@pytest.mark.parametrize(("code", "points"), [("SCORE_ABOVE_MAX", 5), ("SCORE_ABOVE_MAX", -0.25),
                                              ("SCORE_STEP", 3.3)])
def test_scores_are_checked_by_the_evaluator_at_their_cell(folder: Path, code: str, points: float) -> None:
    """II.1 is a judgement worth 4 points in steps of 0,25: 5 is above, 3,3 is off the step."""
    filled = make_form(folder / "xa.xlsx", "xa", self_scores={"II.1": points},
                       appraised={"II.1": (points, "Thẩm định lại")})
    result = read(folder)
    assert errors(result.problems) == []  # the reader types the number; the rule is the evaluator's
    [unit] = result.units
    issues = [i for i in evaluate(criteria(), unit).issues if i.code == code]
    assert sorted(str(i.location) for i in issues) == sorted(
        str(Location("xa.xlsx", L.SCORES, ref, "II.1")) for ref in (filled.self_scores["II.1"],
                                                                      filled.appraised["II.1"]))
    assert all(i.unit_id == XA.code for i in issues)


# ── the form's structure ─────────────────────────────────────────────────────────────────────────────────

def test_unknown_indicator_row(folder: Path) -> None:
    def add_row(wb: Any) -> None:
        ws = wb[L.DATA]
        ws.append(["so_khong_co_trong_tieu_chi", "Chỉ tiêu tự thêm", "Số nguyên", 4])

    filled = make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9}, edit=add_row)
    result = read(folder)
    problem = only(result.problems, "UNKNOWN_INDICATOR")
    ws_rows = rows_by_id(load_workbook(filled.path)[L.DATA])
    assert problem.location == Location("xa.xlsx", L.DATA, f"A{ws_rows['so_khong_co_trong_tieu_chi']}")
    assert "so_khong_co_trong_tieu_chi" in problem.message
    assert result.units[0].values["so_thon"].value == 9


def test_duplicate_indicator_row(folder: Path) -> None:
    def duplicate(wb: Any) -> None:
        wb[L.DATA].append(["so_thon", "lặp lại", "Số nguyên", 10])

    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9}, edit=duplicate)
    result = read(folder)
    problem = only(result.problems, "DUPLICATE_INDICATOR")
    assert (problem.location.sheet, problem.location.field) == (L.DATA, "so_thon")
    assert result.units[0].values["so_thon"].value == 9  # the first row is kept


@pytest.mark.parametrize("sheet", [L.INFO, L.DATA, L.SCORES])
def test_missing_sheet(folder: Path, sheet: str) -> None:
    make_form(folder / "xa.xlsx", "xa", edit=lambda wb: wb.remove(wb[sheet]))
    result = read(folder)
    problem = only(result.problems, "MISSING_SHEET")
    assert problem.location == Location("xa.xlsx", sheet)
    assert only(result.problems, "NO_FORM").unit_id == XA.code  # no unit from a broken form


@pytest.mark.parametrize("sheet", [L.DATA, L.SCORES, L.INFO])
def test_merged_header_cells(folder: Path, sheet: str) -> None:
    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9},
              edit=lambda wb: wb[sheet].merge_cells(f"B{L.HEADER_ROW}:C{L.HEADER_ROW}"))
    problem = only(read(folder).problems, "HEADER_MERGED")
    assert problem.location == Location("xa.xlsx", sheet, f"B{L.HEADER_ROW}")


def test_header_moved_below_the_rows_searched(folder: Path) -> None:
    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9}, edit=lambda wb: wb[L.DATA].insert_rows(1, 10))
    problem = only(read(folder).problems, "MISSING_HEADER")
    assert problem.location == Location("xa.xlsx", L.DATA)
    assert "Mã chỉ tiêu" in problem.message


def test_header_deleted(folder: Path) -> None:
    def delete_header(wb: Any) -> None:
        for cell in wb[L.SCORES][L.HEADER_ROW]:
            cell.value = None

    make_form(folder / "xa.xlsx", "xa", self_scores={"I.1": 3}, edit=delete_header)
    result = read(folder)
    assert only(result.problems, "MISSING_HEADER").location == Location("xa.xlsx", L.SCORES)
    assert result.units[0].self_scores == {}


def test_value_column_deleted(folder: Path) -> None:
    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9}, edit=lambda wb: wb[L.DATA].delete_cols(4))
    problem = only(read(folder).problems, "MISSING_COLUMN")
    assert problem.location == Location("xa.xlsx", L.DATA, f"A{L.HEADER_ROW}")
    assert "«Giá trị»" in problem.message


def test_stale_form(folder: Path) -> None:
    def other_criteria(wb: Any) -> None:
        ws = wb[L.META]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "criteria_sha256")
        ws.cell(row, 2, "0" * 64)

    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9}, edit=other_criteria)
    result = read(folder)
    problem = only(result.problems, "STALE_FORM")
    assert problem.location == Location("xa.xlsx", L.META)
    assert problem.severity == "warning"
    assert result.units[0].values["so_thon"].value == 9  # still read, by indicator id


def test_formula_without_cached_value_in_a_form(folder: Path) -> None:
    filled = make_form(folder / "xa.xlsx", "xa", values={"so_thon": "=4+5", "so_thon_co_to_dvcd": 8})
    result = read(folder)
    problem = only(result.problems, "FORMULA_NO_VALUE")
    assert problem.location == Location("xa.xlsx", L.DATA, filled.values["so_thon"], "so_thon")
    assert "so_thon" not in result.units[0].values  # never read as 0 or as empty
    assert result.units[0].values["so_thon_co_to_dvcd"].value == 8


def test_formula_without_cached_value_in_a_consolidated_sheet(folder: Path) -> None:
    write_xlsx_table(folder / "tong_hop.xlsx", [["ma_don_vi", "nam", "so_thon", "so_thon_co_to_dvcd"],
                                                 ["X01", YEAR, "=SUM(1,2)", 2]])
    result = read(folder)
    assert only(result.problems, "FORMULA_NO_VALUE").location == Location("tong_hop.xlsx", "Tổng hợp", "C2",
                                                                         "so_thon")
    assert {k: r.value for k, r in result.units[0].values.items()} == {"so_thon_co_to_dvcd": 2}


def test_wrong_year(folder: Path) -> None:
    filled = make_form(folder / "xa_2022.xlsx", "xa", year=2022, values={"so_thon": 9})
    result = read(folder, year=YEAR)
    problem = only(result.problems, "WRONG_YEAR")
    import openpyxl

    year_row = rows_by_id(openpyxl.load_workbook(filled.path)[L.INFO])["nam"]
    assert problem.location == Location("xa_2022.xlsx", L.INFO, f"C{year_row}", "nam")  # the year's own cell
    assert "2022" in problem.message
    assert [u.has_data for u in result.units] == [False]  # left out; the registered unit has no form


def test_year_missing_everywhere(folder: Path) -> None:
    write_csv(folder / "th.csv", [["ma_don_vi", "so_thon"], ["X01", "9"]])
    assert only(read(folder).problems, "MISSING_YEAR").location == Location("th.csv", None, "A2")
    assert "MISSING_YEAR" not in codes(read(folder, year=YEAR).problems)  # --nam supplies it


def test_no_form_for_a_registered_unit(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "xa.xlsx", "xa", values={"so_thon": 9})
    result = read(tmp_path)
    no_form = sorted((p.unit_id, p.location.file, p.location.field, p.severity) for p in result.problems
                     if p.code == "NO_FORM")
    assert no_form == sorted((u.code, "don_vi.csv", u.code, "warning") for u in REGISTRY if u.code != "X01")
    by_id = {u.unit_id: u for u in result.units}
    assert not by_id["X02"].has_data and by_id["X02"].year == YEAR
    assert evaluate(criteria(), by_id["X02"]).grade_name == "Không xếp loại"


# ── units and files ──────────────────────────────────────────────────────────────────────────────────────

def test_unknown_unit_name_suggests_the_accented_one(folder: Path) -> None:
    filled = make_form(folder / "xa.xlsx", "xa", code="", name="Dong Vuong")
    result = read(folder)
    problem = only(result.problems, "UNKNOWN_UNIT")
    assert problem.location == Location("xa.xlsx", L.INFO, filled.info["ten_don_vi"], "ten_don_vi")
    assert "Có phải 'Xã Đồng Vương' (X01)?" in problem.message
    assert not any(u.has_data for u in result.units)  # a suggestion is never applied


def test_unknown_unit_code(folder: Path) -> None:
    filled = make_form(folder / "xa.xlsx", "xa", code="X99")
    problem = only(read(folder).problems, "UNKNOWN_UNIT")
    assert problem.location.cell == filled.info["ma_don_vi"] and "X99" in problem.message  # the code's cell


def test_ambiguous_name_and_wrong_subject(tmp_path: Path) -> None:
    write_registry(tmp_path, [RegisteredUnit("X10", "Xã Tân Sỏi", "xa"),
                              RegisteredUnit("C10", "Tân Sỏi", "co_quan"), UNIT_OF["huyen"]])
    write_csv(tmp_path / "th.csv", [["ten_don_vi", "nam", "so_thon"], ["Tân Sỏi", YEAR, 3]])
    make_form(tmp_path / "sai_doi_tuong.xlsx", "xa", code="H01", name="")
    result = read(tmp_path)
    ambiguous = only(result.problems, "AMBIGUOUS_UNIT")
    assert ambiguous.location == Location("th.csv", None, "A2", "ten_don_vi")
    assert "X10" in ambiguous.message and "C10" in ambiguous.message
    assert only(result.problems, "WRONG_SUBJECT").location.file == "sai_doi_tuong.xlsx"


def test_unknown_subject(tmp_path: Path) -> None:
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "doi_tuong", "nam"], ["T01", "tinh", YEAR]])
    assert only(read(tmp_path).problems, "UNKNOWN_SUBJECT").location == Location("th.csv", None, "A2")


def test_conflicting_values_across_two_files(folder: Path) -> None:
    make_form(folder / "a_ban_dau.xlsx", "xa", values={"so_thon": 9, "so_cuoc_kiem_tra": 4})
    write_csv(folder / "b_tong_hop.csv", [["ma_don_vi", "nam", "so_thon", "so_cuoc_kiem_tra"],
                                           ["X01", YEAR, 10, 4]])
    result = read(folder)
    problem = only(result.problems, "CONFLICTING_VALUES")
    assert problem.location == Location("b_tong_hop.csv", None, "C2", "so_thon")
    assert problem.unit_id == "X01" and "9" in problem.message and "10" in problem.message
    [unit] = result.units
    assert "so_thon" not in unit.values  # dropped until someone decides
    assert unit.values["so_cuoc_kiem_tra"].value == 4  # agreeing values are kept
    assert unit.source == "a_ban_dau.xlsx; b_tong_hop.csv"


@pytest.mark.parametrize("order", ["abc", "acb", "bac", "cab"])
def test_a_conflict_stays_dropped_whatever_the_file_order(folder: Path, order: str) -> None:
    """Three files, two agree: the value is still dropped, and the outcome does not depend on file order."""
    for prefix, value in zip(order, (5, 7, 5), strict=True):
        make_form(folder / f"{prefix}.xlsx", "xa", values={"so_thon": value, "so_cuoc_kiem_tra": 4})
    result = read(folder)
    [unit] = result.units
    assert "so_thon" not in unit.values
    assert unit.values["so_cuoc_kiem_tra"].value == 4
    assert {p.code for p in result.problems} == {"CONFLICTING_VALUES"}


def test_not_utf8_csv(folder: Path) -> None:
    for name, encoding in (("cp1258.csv", "cp1258"), ("latin1.csv", "latin-1")):
        write_csv(folder / name, [["ma_don_vi", "ten_don_vi", "nam"], ["X01", "Dông Vuöng é", YEAR]],
                  encoding=encoding)
    write_csv(folder / "good.csv", [["ma_don_vi", "nam", "so_thon"], ["X01", YEAR, 9]])
    result = read(folder)
    bad = [(p.location, p.code) for p in result.problems if p.code != "NO_FORM"]
    assert bad == [(Location("cp1258.csv"), "NOT_UTF8"), (Location("latin1.csv"), "NOT_UTF8")]
    assert "CSV UTF-8" in result.problems[0].message
    assert result.units[0].values["so_thon"].value == 9  # the good file is still read


def test_csv_with_nul_bytes_is_not_a_table(folder: Path) -> None:
    (folder / "nul.csv").write_bytes(b"ma_don_vi,nam\nX01,2023\n" + b"\x00\x01\x02binary" * 3)
    result = read(folder)
    assert only(result.problems, "NOT_A_TABLE").location == Location("nul.csv")


@pytest.mark.parametrize("bom", [b"", b"\xff\xfe"])
def test_a_utf16_csv_is_named_for_its_encoding(folder: Path, bom: bytes) -> None:
    # Excel's «Unicode Text» renamed .csv: it was "not a table", or a bad byte at position 0
    (folder / "utf16.csv").write_bytes(bom + "ma_don_vi,nam\nX01,2023\n".encode("utf-16-le"))
    problem = only(read(folder).problems, "NOT_UTF8")
    assert problem.location == Location("utf16.csv") and "UTF-16" in problem.message and "CSV UTF-8" in problem.message


@pytest.mark.parametrize(("kind", "make"), [
    ("text", lambda p: p.write_text("ma_don_vi,nam\nX01,2023\n", encoding="utf-8")),
    ("docx", minimal_docx),
    ("empty", lambda p: p.write_bytes(b"")),
    ("xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)),
    ("pdf", lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")),
])
def test_not_a_workbook(folder: Path, kind: str, make: Any) -> None:
    make(folder / "bao_cao.xlsx")
    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9})
    result = read(folder)
    problem = only(result.problems, "NOT_A_WORKBOOK")
    assert problem.location == Location("bao_cao.xlsx")
    expected = {"docx": "tệp Word (.docx)", "empty": "tệp rỗng", "xls": "tệp Excel cũ (.xls)", "pdf": "tệp PDF",
                "text": "không phải tệp Excel"}[kind]
    assert problem.message.startswith(expected)
    assert "Error" not in problem.message  # no library exception text for the person who filled the form
    assert [f.kind for f in result.files if f.name == "bao_cao.xlsx"] == ["unreadable"]
    assert result.units[0].values["so_thon"].value == 9


def test_a_corrupt_workbook_is_unreadable(folder: Path) -> None:
    import zipfile

    with zipfile.ZipFile(folder / "hong.xlsx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook><sheets>")  # truncated
    assert only(read(folder).problems, "UNREADABLE_FILE").location == Location("hong.xlsx")


def test_a_workbook_that_is_neither_form_nor_table(folder: Path) -> None:
    write_xlsx_table(folder / "ghi_chu.xlsx", [["Ghi chú"], ["không có bảng nào"]])
    result = read(folder)
    assert only(result.problems, "NOT_AN_INPUT").location == Location("ghi_chu.xlsx")


def test_macro_workbook_is_read_for_values_only(folder: Path) -> None:
    filled = make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9})
    shutil.move(filled.path, folder / "xa.xlsm")
    result = read(folder)
    assert only(result.problems, "MACROS_IGNORED").severity == "info"
    assert result.units[0].values["so_thon"].value == 9


def test_missing_path(tmp_path: Path) -> None:
    result = read(tmp_path / "khong_co")
    assert codes(result.problems) == ["NOT_FOUND"] and result.units == []


# ── registry rows ────────────────────────────────────────────────────────────────────────────────────────

def test_bad_registry_rows_are_reported_and_the_good_ones_kept(tmp_path: Path) -> None:
    write_csv(tmp_path / "don_vi.csv", [["ma_don_vi", "ten_don_vi", "doi_tuong"], ["X01", "Xã Đồng Vương", "xa"],
                                        ["X01", "Xã Khác", "xa"], ["X05", "", "xa"], ["X06", "Xã Mới", "tinh"]])
    result = read(tmp_path)
    assert sorted((p.code, p.location.cell) for p in result.problems if p.code != "NO_FORM") == [
        ("BAD_REGISTRY_ROW", "B4"), ("BAD_REGISTRY_ROW", "C5"), ("DUPLICATE_UNIT", "A3")]  # each at its field's cell
    assert [u.code for u in result.registry.units] == ["X01"]  # type: ignore[union-attr]


def test_registry_without_its_columns(tmp_path: Path) -> None:
    write_csv(tmp_path / "don_vi.csv", [["ma", "ten"], ["X01", "Xã Đồng Vương"]])
    problem = only(read(tmp_path).problems, "MISSING_COLUMN")
    assert problem.location == Location("don_vi.csv", cell="A1") and "doi_tuong" in problem.message


# ── collecting everything, touching nothing ──────────────────────────────────────────────────────────────

def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    write_registry(tmp_path, [XA, UNIT_OF["huyen"]])
    bad = make_form(tmp_path / "xa.xlsx", "xa", values={"so_thon": "chín", "co_hoi_nghi_quan_triet": "chưa",
                                                         "so_cuoc_kiem_tra": 2},
                    self_scores={"I.1": "hai"})
    make_form(tmp_path / "huyen.xlsx", "huyen", values={"so_xa": 23})
    result = read(tmp_path)
    found = sorted((p.code, p.location.cell) for p in errors(result.problems))
    assert found == sorted([("NOT_AN_INTEGER", bad.values["so_thon"]),
                            ("NOT_A_BOOLEAN", bad.values["co_hoi_nghi_quan_triet"]),
                            ("NOT_A_NUMBER", bad.self_scores["I.1"])])
    by_id = {u.unit_id: u for u in result.units}
    assert by_id["X01"].values["so_cuoc_kiem_tra"].value == 2  # the good cells of the bad file are kept
    assert by_id["H01"].values["so_xa"].value == 23  # the other file is read


def test_reading_changes_no_file_and_creates_none(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "a" / "xa.xlsx", "xa", values={"so_thon": "=1+1"})
    make_form(tmp_path / "b" / "huyen.xlsx", "huyen", values={"so_xa": 3})
    write_xlsx_table(tmp_path / "th.xlsx", [["ma_don_vi", "nam", "so_thon"], ["X02", YEAR, 4]])
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "nam", "so_thon"], ["X03", YEAR, "5"]], delimiter=";", bom=True)
    minimal_docx(tmp_path / "bao_cao.xlsx")
    before = snapshot(tmp_path)
    result = read(tmp_path)
    assert snapshot(tmp_path) == before
    assert {f.name: f.sha256 for f in result.files} == {k: v for k, v in before.items() if k != "don_vi.csv"}


def test_excel_lock_files_are_ignored(folder: Path) -> None:
    make_form(folder / "xa.xlsx", "xa", values={"so_thon": 9})
    (folder / "~$xa.xlsx").write_bytes(b"\x0bNguyen Van A" + b"\x00" * 150)  # what Excel leaves beside an open file
    (folder / "~$lock.xlsx").write_bytes(b"\x00" * 162)
    result = read(folder)
    assert [f.name for f in result.files] == ["xa.xlsx"]
    assert codes(result.problems) == ["FILE_OPEN_IN_EXCEL"]
    assert result.problems[0].severity == "info" and result.problems[0].location == Location("xa.xlsx")
    assert result.units[0].values["so_thon"].value == 9


def test_every_reader_error_code_has_a_test() -> None:
    """A meta-test, as for legal cases: a code the readers can raise and no test names is a gap."""
    root = Path(__file__).resolve().parents[1]
    sources = [*sorted((root / "scoring" / "readers").glob("*.py")), root / "scoring" / "registry.py"]
    raised = set()
    for path in sources:
        text = path.read_text("utf-8")
        raised |= set(re.findall(r'InputError\(\s*"([A-Z_0-9]+)"', text))
        raised |= set(re.findall(r'\("([A-Z][A-Z_]+)", "(?:cần|ngày)', text))  # parse.py's (code, expected)
    here = Path(__file__).parent
    tests = "".join(p.read_text("utf-8") for p in [*sorted(here.glob("test_inputs_*.py")),
                                                   here / "test_hostile_inputs.py"])
    assert raised >= {"NOT_AN_INTEGER", "NOT_A_DATE", "UNKNOWN_UNIT"}  # the scan itself works
    assert sorted(code for code in raised if f'"{code}"' not in tests) == []



def test_score_formula_without_cached_value_is_reported(tmp_path: Path) -> None:
    """A self-score typed as a formula that no spreadsheet calculated is not read as 'no score'."""
    import openpyxl

    from scoring.criteria import load_criteria
    from scoring.forms.generate import write_form
    from scoring.readers.folder import read_inputs

    criteria = load_criteria()
    path = tmp_path / "xa.xlsx"
    write_form(path, criteria, "xa", 2023)
    wb = openpyxl.load_workbook(path)
    wb["Thông tin"]["C5"] = "Xã Thử"
    ws = wb["Chấm điểm"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "II.1")
    row[3].value = "=2+1.5"
    wb.save(path)
    result = read_inputs(tmp_path, criteria)
    found = [(p.code, p.location.cell) for p in result.problems]
    assert ("FORMULA_NO_VALUE", row[3].coordinate) in found
