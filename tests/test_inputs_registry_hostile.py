"""Hostile registries: off A1, among other sheets, unusable, bad rows, codes in any case, long names, huge lists."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from scoring.names import fold_accents, match_key
from scoring.registry import RegisteredUnit, Registry, load_registry, read_registry
from tests.inputs_helpers import (
    REGISTRY,
    codes,
    criteria,
    errors,
    make_form,
    only,
    read,
    write_csv,
    write_registry,
)

HEADER = ["ma_don_vi", "ten_don_vi", "doi_tuong", "ten_khac"]
GRID = [HEADER] + [[u.code, u.name, u.subject, ";".join(u.aliases)] for u in REGISTRY]
SUBJECTS = criteria().subjects


def _workbook(path: Path, sheets: list[tuple[str, list[list[Any]]]], *, hidden: tuple[str, ...] = (),
              chart_first: bool = False, at: tuple[int, int] = (1, 1)) -> Path:
    """A workbook with these sheets in order, each grid written from cell `at` (row, column)."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.cell(row=at[0] + r, column=at[1] + c, value=value)
        if title in hidden:
            ws.sheet_state = "hidden"
    if chart_first:
        from openpyxl.chart import BarChart

        wb.create_chartsheet("Biểu đồ", 0).add_chart(BarChart())
    wb.save(path)
    return path


def _form(folder: Path) -> None:
    make_form(folder / "xa" / "dong_vuong.xlsx", "xa")  # X01, Xã Đồng Vương: in every registry below


# --- 5. a list that does not start at A1 is named by Excel's rows and columns ----------------------------------

def test_a_list_below_and_right_of_a1_names_excels_cell(tmp_path: Path) -> None:
    rows = [*GRID, ["X90", "", "xa"], ["X91", "Xã Chín Mốt", "phường"]]
    _workbook(tmp_path / "don_vi.xlsx", [("DS", rows)], at=(4, 3))  # the header at C4
    result = read(tmp_path)
    bad = sorted((p.location.sheet, p.location.cell, p.location.field) for p in result.problems
                 if p.code == "BAD_REGISTRY_ROW")
    last = 4 + len(GRID)  # the row of X90
    assert bad == [("DS", f"D{last}", "ten_don_vi"), ("DS", f"E{last + 1}", "doi_tuong")]
    assert result.registry is not None and len(result.registry.units) == len(REGISTRY)


def test_a_header_below_empty_rows_is_still_found(tmp_path: Path) -> None:
    _workbook(tmp_path / "don_vi.xlsx", [("DS", [*GRID, ["X90", "Xã Chín Mươi", "tinh"]])], at=(15, 1))
    result = read(tmp_path)
    assert only(result.problems, "BAD_REGISTRY_ROW").location.cell == f"C{15 + len(GRID)}"


# --- 6. the sheet read: the first visible worksheet with the header ---------------------------------------------

OLD = [HEADER, ["OLD", "Xã Cũ", "xa"]]
SHEETS = {
    "a hidden sheet first (last year's list)": dict(sheets=[("Cũ", OLD), ("DS", GRID)], hidden=("Cũ",)),
    "a chart sheet first": dict(sheets=[("DS", GRID)], chart_first=True),
    "an empty sheet first": dict(sheets=[("Trống", []), ("DS", GRID)]),
    "an instructions sheet first": dict(sheets=[("Hướng dẫn", [["Điền danh sách ở sheet DS"]]), ("DS", GRID)]),
}


@pytest.mark.parametrize("case", list(SHEETS))
def test_the_list_is_read_from_the_first_visible_worksheet_with_its_header(tmp_path: Path, case: str) -> None:
    path = _workbook(tmp_path / "don_vi.xlsx", **SHEETS[case])  # type: ignore[arg-type]
    registry, problems = read_registry(path, tmp_path, subjects=SUBJECTS)
    assert registry is not None and [u.code for u in registry.units] == [u.code for u in REGISTRY]
    note = only(problems, "REGISTRY_SHEET")
    assert note.severity == "info" and note.location.sheet == "DS" and "«DS»" in note.message
    assert errors(problems) == []


def test_the_sheets_left_unread_are_named_with_why(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "don_vi.xlsx", [("Cũ", OLD), ("DS", GRID)], hidden=("Cũ",), chart_first=True)
    _, problems = read_registry(path, tmp_path, subjects=SUBJECTS)
    assert "«Cũ» (ẩn)" in only(problems, "REGISTRY_SHEET").message
    assert "«Biểu đồ» (biểu đồ)" in only(problems, "REGISTRY_SHEET").message


def test_template_is_not_stopped_by_which_sheet_was_read(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "don_vi.xlsx", **SHEETS["an instructions sheet first"])  # type: ignore[arg-type]
    registry, problems = load_registry(path, subjects=SUBJECTS)  # template --don-vi stops on any problem
    assert problems == [] and len(registry.units) == len(REGISTRY)


def test_a_workbook_whose_visible_sheets_lack_the_header_is_refused_naming_them(tmp_path: Path) -> None:
    _workbook(tmp_path / "don_vi.xlsx", [("Hướng dẫn", [["Điền ở sheet sau"]]), ("Ghi chú", [["x"]]),
                                         ("Cũ", OLD)], hidden=("Cũ",))
    _form(tmp_path)
    result = read(tmp_path)
    refused = only(result.problems, "MISSING_HEADER")
    assert refused.location.file == "don_vi.xlsx" and result.registry is None
    assert "«Hướng dẫn», «Ghi chú», «Cũ» (ẩn)" in refused.message
    assert "UNKNOWN_UNIT" not in codes(result.problems)


# --- 7. an unusable registry is one error, not one per form ------------------------------------------------------

UNUSABLE = {
    "header only": ("ma_don_vi,ten_don_vi,doi_tuong,ten_khac\r\n", "EMPTY_REGISTRY"),
    "Vietnamese headers": ("Mã đơn vị,Tên đơn vị,Đối tượng\r\nX01,Xã Đồng Vương,xa\r\n", "MISSING_COLUMN"),
    "no doi_tuong column": ("ma_don_vi,ten_don_vi\r\nX01,Xã Đồng Vương\r\n", "MISSING_COLUMN"),
    "every subject misspelled": ("ma_don_vi,ten_don_vi,doi_tuong\r\nX01,Xã Đồng Vương,xã hội\r\n"
                                 "H01,Huyện Yên Thế,tinh\r\n", "EMPTY_REGISTRY"),
    "empty file": ("", "MISSING_HEADER"),
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_an_unusable_registry_is_said_once_and_forms_are_not_accused(tmp_path: Path, case: str) -> None:
    text, code = UNUSABLE[case]
    (tmp_path / "don_vi.csv").write_text(text, "utf-8")
    _form(tmp_path)
    result = read(tmp_path)
    problem = only(result.problems, code)
    assert problem.severity == "error" and problem.location.file == "don_vi.csv"
    assert "không có danh sách đơn vị" in problem.message  # what happens to the forms meanwhile
    assert "UNKNOWN_UNIT" not in codes(result.problems)
    assert [u.unit_id for u in result.units] == ["X01"]  # read as with no registry


def test_an_empty_registry_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "ds_2023.csv").write_text("ma_don_vi,ten_don_vi,doi_tuong\r\n", "utf-8")
    result = read(tmp_path / "ds_2023.csv", registry_path=tmp_path / "ds_2023.csv")
    assert "«ds_2023.csv»" in only(result.problems, "EMPTY_REGISTRY").message


def test_vietnamese_headers_are_quoted_back(tmp_path: Path) -> None:
    (tmp_path / "don_vi.csv").write_text(UNUSABLE["Vietnamese headers"][0], "utf-8")
    missing = only(read(tmp_path).problems, "MISSING_COLUMN")
    assert "«Mã đơn vị»" in missing.message and missing.location.cell == "A1"


def test_the_fix_hint_names_the_registry_read(tmp_path: Path) -> None:
    registry = write_registry(tmp_path, name="ds_2023.csv")
    make_form(tmp_path / "xa.xlsx", "xa", code="X77")
    make_form(tmp_path / "xa2.xlsx", "xa", code="", name="Xã Không Có")
    result = read(tmp_path, registry_path=registry)
    unknown = [p.message for p in result.problems if p.code == "UNKNOWN_UNIT"]
    assert len(unknown) == 2 and all("«ds_2023.csv»" in m and "don_vi.csv" not in m for m in unknown)


# --- 8. a bad row's field is named at its own cell; subjects typed as people type them --------------------------

def test_a_wrong_subject_is_quoted_at_its_cell(tmp_path: Path) -> None:
    write_csv(tmp_path / "don_vi.csv", [HEADER[:3], ["X01", "Xã Đồng Vương", "xa"], ["X02", "Xã Đông Sơn", "phường"]])
    bad = only(read(tmp_path).problems, "BAD_REGISTRY_ROW")
    assert (bad.location.cell, bad.location.field) == ("C3", "doi_tuong")
    assert "«phường»" in bad.message and "doi_tuong" in bad.message


@pytest.mark.parametrize("typed", ["Xã", "XÃ", "xã", "Xa", "XA", "xa"])
def test_vietnamese_subject_labels_are_read(tmp_path: Path, typed: str) -> None:
    write_csv(tmp_path / "don_vi.csv", [HEADER[:3], ["X01", "Xã Đồng Vương", typed], ["H01", "Huyện Yên Thế", "Huyện"],
                                        ["C01", "Phòng Nội vụ", "Cơ quan"]])
    result = read(tmp_path)
    assert result.registry is not None and errors(result.problems) == []
    assert [(u.code, u.subject) for u in result.registry.units] == [("X01", "xa"), ("H01", "huyen"),
                                                                   ("C01", "co_quan")]


def test_a_label_two_subjects_share_is_not_read() -> None:
    from scoring.readers.registry_rows import subject_labels

    labels = subject_labels(["xa", "xã", "co_quan"])
    assert labels["xa"] == "xa" and labels["xã"] == "xã"  # an id always names its own type
    assert labels["co_quan"] == "co_quan" and labels.get("co quan") is None  # looked up by label_key, as read
    from scoring.readers.registry_rows import label_key

    assert labels[label_key("Cơ  quan")] == labels[label_key("CO-QUAN")] == "co_quan" and label_key("Xã") == "xa"


# --- 9. codes compare in any case ---------------------------------------------------------------------------------

def test_a_code_in_another_case_is_a_duplicate(tmp_path: Path) -> None:
    write_csv(tmp_path / "don_vi.csv", [*GRID, ["x01", "Xã Khác", "xa", ""]])
    result = read(tmp_path)
    dup = only(result.problems, "DUPLICATE_UNIT")
    assert dup.location.cell == f"A{len(GRID) + 1}" and "«X01»" in dup.message
    assert [u.code for u in result.registry.units] == [u.code for u in REGISTRY]  # type: ignore[union-attr]


def test_a_form_code_in_another_case_matches_with_a_note(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "xa.xlsx", "xa", code="x01")
    result = read(tmp_path)
    assert [u.unit_id for u in result.units if u.source == "xa.xlsx"] == ["X01"]
    assert "UNKNOWN_UNIT" not in codes(result.problems)
    assert only(result.problems, "CODE_CASE_DIFFERS").severity == "info"


def test_a_code_that_differs_in_punctuation_is_suggested(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "xa.xlsx", "xa", code="X 01")
    unknown = only(read(tmp_path).problems, "UNKNOWN_UNIT")
    assert "Có phải «X01» (Xã Đồng Vương)?" in unknown.message


def test_an_unknown_code_is_named_at_its_own_cell(tmp_path: Path) -> None:
    write_registry(tmp_path)
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam"], ["X77", "Xã Đồng Vương", "xa",
                                                                                     "2023"]])
    assert only(read(tmp_path).problems, "UNKNOWN_UNIT").location.cell == "A2"


# --- 10. names and codes beyond the length a form accepts ----------------------------------------------------------

@pytest.mark.parametrize(("row", "cell"), [(["X90", "Xã " + "A" * 5000, "xa", ""], "B"),
                                           (["C" * 5000, "Xã Mã Dài", "xa", ""], "A"),
                                           (["X91", "Xã Bí Danh", "xa", "B" * 400], "D")])
def test_a_name_or_code_too_long_is_refused_at_its_cell(tmp_path: Path, row: list[str], cell: str) -> None:
    write_csv(tmp_path / "don_vi.csv", [*GRID, row])
    result = read(tmp_path)
    long = only(result.problems, "NAME_TOO_LONG")
    assert long.location.cell == f"{cell}{len(GRID) + 1}" and "quá 300" in long.message
    assert len(long.message) < 400  # quoted cut, never whole
    assert len(result.registry.units) == len(REGISTRY)  # type: ignore[union-attr]


# --- 11. near-name suggestions: the same answers as difflib, bounded work -------------------------------------------

def _plain(units: list[RegisteredUnit], name: str, subject: str | None) -> list[RegisteredUnit]:
    """What suggest() always answered: difflib over every name of the subject."""
    folded = fold_accents(match_key(name))
    pool = [u for u in units if subject is None or u.subject == subject]
    keys = {u: {fold_accents(match_key(n)) for n in (u.name, *u.aliases)} for u in pool}
    same = [u for u in pool if folded in keys[u]]
    by_key = {fold_accents(match_key(u.name)): u for u in pool}
    return same or [by_key[k] for k in difflib.get_close_matches(folded, list(by_key), n=2, cutoff=0.8)]


NAMES = st.text(alphabet="anhđôơư ", min_size=1, max_size=14)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES, st.sampled_from(["xa", "huyen"])), min_size=1, max_size=40), NAMES,
       st.sampled_from([None, "xa"]))
def test_narrowed_suggestions_equal_difflib_over_every_name(entries: list[tuple[str, str]], asked: str,
                                                            subject: str | None) -> None:
    from scoring import near_names

    units = [RegisteredUnit(f"U{n}", name, s) for n, (name, s) in enumerate(entries)]
    saved = near_names._INDEX_FROM
    near_names._INDEX_FROM = 0  # the letter index for every list, however small
    try:
        registry = Registry(units)
    finally:
        near_names._INDEX_FROM = saved
    assert registry.suggest(asked, subject) == _plain(units, asked, subject)


def test_a_districts_suggestions_are_unchanged() -> None:
    registry = Registry(list(REGISTRY))
    for asked in ("Đồng Vươn", "Dong Son", "Cau Go", "Yen The", "Tân Sỏi", "Phong Noi vu"):
        assert registry.suggest(asked) == _plain(list(REGISTRY), asked, None)


def test_past_the_work_allowed_names_get_no_near_suggestion_and_one_line_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring import near_names

    communes = len([u for u in REGISTRY if u.subject == "xa"])
    monkeypatch.setattr(near_names, "SUGGEST_WORK", 2 * communes)  # two searches over the communes' names
    write_registry(tmp_path)
    write_csv(tmp_path / "th.csv", [["ten_don_vi", "doi_tuong", "nam"]] + [[f"Đồng Vươn {n}", "xa", "2023"]
                                                                           for n in range(5)])
    result = read(tmp_path)
    hinted = [p for p in result.problems if p.code == "UNKNOWN_UNIT" and "Có phải" in p.message]
    assert len(hinted) == 2 and len([p for p in result.problems if p.code == "UNKNOWN_UNIT"]) == 5
    line = only(result.problems, "SUGGESTIONS_LIMITED")
    assert line.severity == "info" and "3 tên" in line.message and line.location.file == "don_vi.csv"


# --- minor: advice that fits a registry ----------------------------------------------------------------------------

def test_too_many_rows_advice_fits_a_registry(tmp_path: Path) -> None:
    lines = ["ma_don_vi,ten_don_vi,doi_tuong"] + [f"X{n},Xã {n},xa" for n in range(20_001)]
    (tmp_path / "don_vi.csv").write_text("\r\n".join(lines), "utf-8")
    too_many = only(read(tmp_path).problems, "TOO_MANY_ROWS")
    assert "tách bảng" not in too_many.message.lower() and "chỉ đọc một danh sách" in too_many.message


def test_a_utf16_csv_without_bom_is_named_for_its_encoding(tmp_path: Path) -> None:
    (tmp_path / "don_vi.csv").write_bytes("ma_don_vi,ten_don_vi,doi_tuong\r\nH01,Huyen Yen The,huyen\r\n"
                                          .encode("utf-16-le"))
    problem = only(read(tmp_path).problems, "NOT_UTF8")
    assert "UTF-16" in problem.message and "CSV UTF-8" in problem.message


def test_codes_that_casefold_alike_but_differ_in_case_only_by_unicode_rules_stay_two_units(tmp_path: Path) -> None:
    # casefold() makes «ß1» and «SS1» one code; they are two codes that do not differ by case
    reg = write_csv(tmp_path / "don_vi.csv", [HEADER, ["SS1", "Xã Một", "xa", ""], ["ß1", "Xã Hai", "xa", ""]])
    registry, problems = load_registry(reg, tmp_path, subjects=SUBJECTS)
    assert "DUPLICATE_UNIT" not in codes(problems)
    assert [u.code for u in registry.units] == ["SS1", "ß1"]
    assert registry.by_code("ss1") is not None and registry.by_code("ß1") is not None
    assert registry.by_code("ss1") != registry.by_code("ß1")


def test_an_unknown_code_from_the_hidden_sheet_is_named_at_the_name_cell(tmp_path: Path) -> None:
    # the code cell was cleared, the hidden sheet still holds the code: the error must not point at an empty cell
    from scoring.forms import layout as L
    from scoring.forms.generate import build_form
    from tests.inputs_helpers import rows_by_id

    write_registry(tmp_path)
    wb = build_form(criteria(), "xa", 2023, RegisteredUnit("X99", "Xã Lạ", "xa"))
    info = wb[L.INFO]
    at = rows_by_id(info)
    info.cell(at["ma_don_vi"], 3).value = None
    wb.save(tmp_path / "x99.xlsx")
    problem = only(read(tmp_path).problems, "UNKNOWN_UNIT")
    assert "X99" in problem.message
    assert problem.location.cell == f"C{at['ten_don_vi']}"


def test_a_long_registry_beside_a_small_sheet_is_not_too_many_cells(tmp_path: Path) -> None:
    # the package check paired the long sheet's rows with the small sheet's assumed 702 columns: a false
    # TOO_MANY_CELLS «cột thứ 702» for a list of 15,000 rows and 4 columns
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for n in range(15_000):
        ws.append([f"X{n:05d}", f"Xã Số {n}", "xa", ""])
    wb.create_sheet("Ghi chú").append(["Danh sách năm 2023"])
    wb.save(tmp_path / "don_vi.xlsx")
    registry, problems = read_registry(tmp_path / "don_vi.xlsx", tmp_path, subjects=SUBJECTS)
    assert "TOO_MANY_CELLS" not in codes(problems)
    assert registry is not None and len(registry.units) == 15_000
