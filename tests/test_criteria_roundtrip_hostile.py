"""The criteria Excel round trip against hostile edits: each one refused with the cell named, or applied exactly."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.criteria import DEFAULT_CRITERIA, load_criteria, parse_criteria
from scoring.criteria.excel import export_excel, import_excel
from scoring.errors import CriteriaError

Cells = Callable[[Any], None]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "tieu_chi.json"
    shutil.copy(DEFAULT_CRITERIA, target)
    return target


@pytest.fixture
def export(copy: Path, tmp_path: Path) -> Path:
    return export_excel(load_criteria(copy), tmp_path / "tc.xlsx")


def _row(ws: Any, *key: str) -> int:
    """The row (as Excel numbers it) whose first cells hold `key`."""
    for r in ws.iter_rows(min_row=2):
        if tuple(c.value for c in r[:len(key)]) == key:
            return int(r[0].row)
    raise AssertionError(f"no row {key} in {ws.title}")


def _edited(path: Path, edit: Cells, name: str = "edited.xlsx") -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb)
    out = path.with_name(name)
    wb.save(out)
    return out


def _refused(source: Path, target: Path) -> CriteriaError:
    before = target.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(source, target)
    assert target.read_bytes() == before
    return info.value


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["criteria", *args], env={"COLUMNS": "300"})


# ---- 1. --xuat never destroys the criteria file or an edited export ----------------------------------------------

def test_export_onto_the_criteria_file_itself_is_refused(copy: Path) -> None:
    before = copy.read_bytes()
    result = _cli("--tieu-chi", str(copy), "--xuat", str(copy))
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert copy.read_bytes() == before


def test_export_over_an_existing_workbook_needs_ghi_de(copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "tc.xlsx"
    out.write_bytes(b"an export being edited")
    result = _cli("--tieu-chi", str(copy), "--xuat", str(out))
    assert result.exit_code == 2 and "--ghi-de" in result.output
    assert out.read_bytes() == b"an export being edited"
    assert _cli("--tieu-chi", str(copy), "--xuat", str(out), "--ghi-de").exit_code == 0
    assert zipfile.is_zipfile(out)


# ---- 2. an export older than the JSON file is refused --------------------------------------------------------------

def test_an_export_older_than_the_json_file_is_refused_unless_forced(copy: Path, export: Path) -> None:
    copy.write_text(copy.read_text("utf-8").replace('"min_pct": 95', '"min_pct": 94', 1), "utf-8")
    edited = _edited(export, lambda wb: wb["Tiêu chí"].cell(_row(wb["Tiêu chí"], "xa", "I.1"), 4, "Sửa"))
    assert _refused(edited, copy).codes() == {"STALE_EXPORT"}
    assert import_excel(edited, copy, overwrite=True) >= 1  # --ghi-de: the workbook's values, knowingly


# ---- 3. control characters --------------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\\u000b", "\\u001b[2J", "\\u0000"])
def test_a_control_character_in_the_json_is_refused_at_load_with_its_path(char: str) -> None:
    text = DEFAULT_CRITERIA.read_text("utf-8").replace('"title": "', f'"title": "{char}', 1)
    with pytest.raises(CriteriaError) as info:
        parse_criteria(text.encode("utf-8"), "x.json")
    assert info.value.codes() == {"CONTROL_CHARACTER"}
    assert info.value.problems[0].path == "decision.title"
    assert "\x1b" not in str(info.value)  # the message prints safely


def test_a_control_character_in_a_cell_is_refused_with_the_cell(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tiêu chí"]
        ws.cell(_row(ws, "xa", "I.1"), 4, "Tiêu đề _x000B_ lạ")  # how Excel stores a vertical tab

    error = _refused(_edited(export, edit), copy)
    assert error.codes() == {"CONTROL_CHARACTER"}
    assert re.search(r"Tiêu chí › ô D\d+", error.problems[0].path)


# ---- 4. header row checked -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("at", [1, 5, 10])
def test_an_inserted_column_is_named_not_mapped_onto_the_wrong_field(copy: Path, export: Path, at: int) -> None:
    error = _refused(_edited(export, lambda wb: wb["Tiêu chí"].insert_cols(at)), copy)
    assert error.codes() == {"HEADER_MISMATCH"}
    assert "Tiêu chí › dòng 1" in error.problems[0].path and f"cột {'AEJ'[[1, 5, 10].index(at)]}" in str(error)


def test_swapped_columns_are_named(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Xếp loại"]
        for r in ws.iter_rows():
            r[2].value, r[3].value = r[3].value, r[2].value

    error = _refused(_edited(export, edit), copy)
    assert error.codes() == {"HEADER_MISMATCH"} and "«tu_diem» đang ở cột D" in str(error)


# ---- 5. percent-formatted cells ------------------------------------------------------------------------------------

def test_a_percent_formatted_threshold_is_read_as_the_percentage_shown(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tham số"]
        cell = ws.cell(_row(ws, "huyen", "II.2", "tiers[1].min_pct"), 4, 0.92)
        cell.number_format = "0%"

    assert import_excel(_edited(export, edit), copy) == 1
    rule: Any = load_criteria(copy).nodes["huyen"]["II.2"].rule
    assert rule.tiers[1].min_pct == Decimal(92)


@pytest.mark.parametrize("number_format", ['0.00"%"', "0.00\\%", '0.00" %"'])
def test_a_percent_sign_written_as_text_in_the_format_is_no_percentage(copy: Path, export: Path,
                                                                        number_format: str) -> None:
    # 0"%" shows 92% for 92 (no ×100): the value typed is the percentage itself
    def edit(wb: Any) -> None:
        ws = wb["Tham số"]
        ws.cell(_row(ws, "huyen", "II.2", "tiers[1].min_pct"), 4, 92).number_format = number_format

    assert import_excel(_edited(export, edit), copy) == 1
    rule: Any = load_criteria(copy).nodes["huyen"]["II.2"].rule
    assert rule.tiers[1].min_pct == Decimal(92)


def test_a_formula_in_a_percent_cell_is_read_as_the_percentage_shown(copy: Path, export: Path,
                                                                     tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tham số"]
        ws.cell(_row(ws, "huyen", "II.2", "tiers[1].min_pct"), 4, "=23/25").number_format = "0%"

    edited = _edited(export, edit)
    cached = tmp_path / "cached.xlsx"  # as Excel saves it: the formula with its result (openpyxl writes none)
    with zipfile.ZipFile(edited) as zin, zipfile.ZipFile(cached, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if b"<f>23/25</f>" in data:
                data = re.sub(rb"<f>23/25</f>(<v\s*/>|<v></v>)?", b"<f>23/25</f><v>0.92</v>", data)
            zout.writestr(info, data)
    assert import_excel(cached, copy) == 1
    rule: Any = load_criteria(copy).nodes["huyen"]["II.2"].rule
    assert rule.tiers[1].min_pct == Decimal(92)


def test_a_percent_formatted_points_cell_is_refused(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tiêu chí"]
        ws.cell(_row(ws, "huyen", "I.1"), 5, 0.03).number_format = "0%"

    error = _refused(_edited(export, edit), copy)
    assert "NOT_A_NUMBER" in error.codes() and "phần trăm" in str(error)


# ---- 6, 7. rows copied, deleted; columns that are not editable -----------------------------------------------------

def test_a_row_twice_is_named_with_both_rows(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tham số"]
        row = [c.value for c in ws[_row(ws, "huyen", "II.2", "tiers[1].min_pct")]]
        ws.append([*row[:3], 85])

    error = _refused(_edited(export, edit), copy)
    assert error.codes() == {"DUPLICATE_ROW"}
    assert "Tham số › dòng" in error.problems[0].path and " và dòng " in str(error)


def test_an_edit_to_a_structure_column_is_refused_with_its_cell(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tiêu chí"]
        ws.cell(_row(ws, "huyen", "I.1"), 7, "Phụ lục IX")
        ws.cell(_row(ws, "huyen", "I.1"), 6, "yes_no")
        wb["Chỉ tiêu"].cell(2, 2, "int")

    error = _refused(_edited(export, edit), copy)
    assert error.codes() == {"NOT_EDITABLE"} and len(error.problems) == 3
    assert any("Chỉ tiêu › ô B2" in p.path for p in error.problems)


@pytest.mark.parametrize(("sheet", "key", "named"), [("Tiêu chí", ("xa", "I.1"), "tiêu chí I.1 (xa)"),
                                                     ("Tham số", ("huyen", "II.2", "tiers[1].min_pct"), "tiers[1]")])
def test_a_deleted_row_is_named(copy: Path, export: Path, sheet: str, key: tuple[str, ...], named: str) -> None:
    error = _refused(_edited(export, lambda wb: wb[sheet].delete_rows(_row(wb[sheet], *key))), copy)
    assert error.codes() == {"MISSING_ROW"} and named in str(error)


# ---- 8. the file's own checks named by cell, with the cell problems ------------------------------------------------

def test_a_broken_sum_is_named_by_cell_together_with_a_bad_cell(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tiêu chí"]
        ws.cell(_row(ws, "huyen", "I.1"), 5, 4)
        ws.cell(_row(ws, "huyen", "I.2"), 4, True)

    error = _refused(_edited(export, edit), copy)
    assert error.codes() == {"SUM_MISMATCH", "NOT_TEXT"}  # both at once: no second round
    (total,) = [p for p in error.problems if p.code == "SUM_MISMATCH"]
    assert re.fullmatch(r"edited\.xlsx › Tiêu chí › ô E\d+", total.path), total.path


# ---- 10. text that looks like a formula ----------------------------------------------------------------------------

def test_a_title_starting_with_equals_is_exported_as_text(copy: Path, tmp_path: Path) -> None:
    copy.write_text(copy.read_text("utf-8").replace('"title": "Ban hành kế hoạch', '"title": "=Ban hành kế hoạch', 1),
                    "utf-8")
    before = copy.read_bytes()
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    ws = openpyxl.load_workbook(sheet)["Tiêu chí"]
    cell = ws.cell(_row(ws, "huyen", "I.1"), 4)
    assert cell.data_type == "s" and str(cell.value).startswith("=Ban hành")
    assert import_excel(sheet, copy) == 0 and copy.read_bytes() == before


# ---- 12, 13. error cells, uncalculated formulas, TRUE/FALSE ---------------------------------------------------------

def _with_cell_xml(path: Path, sheet_part: str, ref: str, xml: bytes) -> Path:
    """The workbook with one cell of one sheet part replaced by raw XML (an error cell openpyxl cannot write)."""
    out = path.with_name("raw.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == sheet_part:
                data, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', xml, data, count=1)
                assert n == 1
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize(("xml", "code", "said"), [
    (b'<c r="D{n}" t="e"><f>1/0</f><v>#DIV/0!</v></c>', "CELL_ERROR", "#DIV/0!"),
    (b'<c r="D{n}" t="e"><v>#REF!</v></c>', "CELL_ERROR", "#REF!"),
    (b'<c r="D{n}"><f>SUM(A1:A2)</f></c>', "FORMULA_NO_VALUE", "chưa được tính"),
])
def test_an_error_cell_or_an_uncalculated_formula_is_said_for_what_it_is(copy: Path, export: Path, xml: bytes,
                                                                       code: str, said: str) -> None:
    n = _row(openpyxl.load_workbook(export)["Tham số"], "huyen", "II.2", "tiers[1].min_pct")
    raw = _with_cell_xml(export, "xl/worksheets/sheet3.xml", f"D{n}", xml.replace(b"{n}", str(n).encode()))
    error = _refused(raw, copy)
    assert error.codes() == {code} and said in str(error) and f"ô D{n}" in str(error)


def test_an_error_in_the_top_grades_empty_bound_is_not_read_as_empty(copy: Path, export: Path) -> None:
    raw = _with_cell_xml(export, "xl/worksheets/sheet4.xml", "D2", b'<c r="D2" t="e"><v>#REF!</v></c>')
    assert _refused(raw, copy).codes() == {"CELL_ERROR"}


@pytest.mark.parametrize(("column", "code"), [(5, "NOT_A_NUMBER"), (4, "NOT_TEXT")])
def test_true_in_a_points_or_title_cell_is_refused(copy: Path, export: Path, column: int, code: str) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tiêu chí"]
        ws.cell(_row(ws, "huyen", "I.1"), column, True)

    assert _refused(_edited(export, edit), copy).codes() == {code}


# ---- 17. links and permissions ----------------------------------------------------------------------------------

def _title_edit(wb: Any) -> None:
    ws = wb["Tiêu chí"]
    ws.cell(_row(ws, "xa", "I.1"), 4, "Tiêu đề sửa")


def test_a_linked_target_is_written_through_and_keeps_its_permissions(copy: Path, tmp_path: Path) -> None:
    os.chmod(copy, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(copy.name)
    sheet = export_excel(load_criteria(link), tmp_path / "tc.xlsx")
    assert import_excel(_edited(sheet, _title_edit), link) == 1
    assert link.is_symlink() and load_criteria(copy).nodes["xa"]["I.1"].title == "Tiêu đề sửa"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640


def test_a_read_only_target_is_refused_not_replaced(copy: Path, export: Path) -> None:
    os.chmod(copy, 0o444)
    try:
        error = _refused(_edited(export, _title_edit), copy)
        assert error.codes() == {"READ_ONLY"} and stat.S_IMODE(copy.stat().st_mode) == 0o444
    finally:
        os.chmod(copy, 0o644)


# ---- 9. no edit, no write; numbers and line ends kept --------------------------------------------------------------

def test_an_import_without_edits_does_not_write(copy: Path, export: Path) -> None:
    copy.write_bytes(json.dumps(json.loads(copy.read_bytes()), ensure_ascii=False).encode("utf-8"))  # one line
    sheet = export_excel(load_criteria(copy), export.with_name("one_line.xlsx"))
    before = copy.stat()
    result = _cli("--tieu-chi", str(copy), "--nhap", str(sheet))
    assert result.exit_code == 0 and "không ghi lại" in result.output
    after = copy.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_edit_keeps_every_other_number_as_written_and_the_bom_and_line_ends(copy: Path, tmp_path: Path) -> None:
    text = copy.read_text("utf-8").replace('"min_pct": 95', '"min_pct": 95.000000000000000001', 1)
    assert text != copy.read_text("utf-8")
    copy.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    assert import_excel(_edited(sheet, _title_edit), copy) == 1
    raw = copy.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n")
    assert b'"min_pct": 95.000000000000000001' in raw and "Tiêu đề sửa".encode() in raw


# ---- 15. what the loader says, in Vietnamese ---------------------------------------------------------------------

def _problems(raw: bytes) -> str:
    with pytest.raises(CriteriaError) as info:
        parse_criteria(raw, "x.json")
    return str(info.value)


@pytest.mark.parametrize(("old", "new", "said"), [
    (r'"version": "[^"]*"', '"version": 3', "cần chữ, đặt trong dấu nháy kép; tệp ghi 3"),
    ('"status": "reconstructed"', '"status": "offical"', "cần 'official' hoặc 'reconstructed'; tệp ghi \"offical\""),
    ('"max": 3,', '"max": -3,', "cần số ≥ 0; tệp ghi -3"),
])
def test_schema_problems_are_said_in_vietnamese_with_what_was_expected(old: str, new: str, said: str) -> None:
    text = re.sub(old, new, DEFAULT_CRITERIA.read_text("utf-8"), count=1)
    message = _problems(text.encode("utf-8"))
    assert said in message and "Input should" not in message


@pytest.mark.parametrize(("raw", "said"), [
    (DEFAULT_CRITERIA.read_text("utf-8").encode("utf-16"), "lưu lại dạng UTF-8"),
    (DEFAULT_CRITERIA.read_bytes().replace("ế".encode(), b"\xea", 1), "lưu lại dạng UTF-8"),
    (DEFAULT_CRITERIA.read_bytes()[:5000], "bị cắt cụt"),
])
def test_a_file_not_utf8_or_cut_off_says_so(raw: bytes, said: str) -> None:
    message = _problems(raw)
    assert said in message and "codec" not in message and "Expecting" not in message


# ---- 14. no lax coercion of a flag -----------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new"), [('"implied_by_form": false', '"implied_by_form": "no"'),
                                          ('"ungraded": true', '"ungraded": 1')])
def test_a_flag_written_as_text_or_a_number_is_refused(old: str, new: str) -> None:
    text = DEFAULT_CRITERIA.read_text("utf-8")
    assert old in text
    assert "cần true hoặc false" in _problems(text.replace(old, new, 1).encode("utf-8"))


# ---- review: text Excel or LibreOffice would decode, added columns, the wrong file --------------------------------

def test_a_title_holding_an_escape_lookalike_round_trips_unchanged(copy: Path, tmp_path: Path) -> None:
    # "_x0041_" in a workbook string reads as «A»: an untouched export changed the title on import
    text = copy.read_text("utf-8")
    assert '"title": "Lãnh đạo, chỉ đạo' in text  # a criterion's title: an editable cell of «Tiêu chí»
    copy.write_text(text.replace('"title": "Lãnh đạo, chỉ đạo', '"title": "Lãnh đạo_x0041_ _xa_ chỉ đạo'), "utf-8")
    before = copy.read_bytes()
    export = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    assert import_excel(export, copy) == 0
    assert copy.read_bytes() == before


def test_an_export_saved_by_libreoffice_imports_as_no_change(copy: Path, export: Path, tmp_path: Path) -> None:
    # LibreOffice reads "_xa_" in the indicator id so_xa_dat_cqtt as a line break and saves it so
    from tests.soffice import convert

    saved = convert(export, "xlsx", tmp_path / "lo")
    before = copy.read_bytes()
    assert import_excel(saved, copy) == 0
    assert copy.read_bytes() == before


def test_a_column_added_after_the_exports_is_not_read(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Tham số"]
        ws.cell(1, 5, "ghi_chu_cua_toi")
        ws.cell(2, 5, "giữ nguyên")

    assert import_excel(_edited(export, edit), copy) == 0


def test_a_column_copied_beside_the_export_is_refused_by_name(copy: Path, export: Path) -> None:
    def edit(wb: Any) -> None:  # the old values kept beside: which copy was edited?
        ws = wb["Tham số"]
        for r in range(1, ws.max_row + 1):
            ws.cell(r, 5, ws.cell(r, 4).value)

    error = _refused(_edited(export, edit), copy)
    assert "HEADER_MISMATCH" in error.codes() and "cột «gia_tri» có hai lần (cột D, E)" in str(error)


def test_an_export_of_another_file_names_that_file(copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "tieu_chi_rieng.json"
    other.write_text(copy.read_text("utf-8").replace('"title": "', '"title": "Riêng ', 1), "utf-8")
    export = export_excel(load_criteria(other), tmp_path / "rieng.xlsx")
    error = _refused(export, copy)
    assert error.codes() == {"STALE_EXPORT"}
    said = " ".join(str(error).split())
    assert "xuất từ «tieu_chi_rieng.json», không phải từ «tieu_chi.json»" in said and "--tieu-chi" in said
    assert "--ghi-de" in said  # a renamed file, or a link by another name, is the same file: the way out is kept


def test_an_export_names_its_file_in_any_case(copy: Path, tmp_path: Path) -> None:
    # Windows: «Tieu_chi.json» and «tieu_chi.json» are one file; only the usual stale message applies
    export = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    upper = copy.with_name("Tieu_chi.json")
    copy.rename(upper)
    upper.write_text(upper.read_text("utf-8").replace('"title": "', '"title": "Sửa ', 1), "utf-8")
    error = _refused(export, upper)
    assert error.codes() == {"STALE_EXPORT"} and "không phải từ" not in str(error)


def test_an_export_hint_names_the_criteria_file(copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(app, ["criteria", "--tieu-chi", str(copy), "--xuat", str(out)],
                                env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert f"--nhap {out} --tieu-chi {copy}" in " ".join(result.output.split())


@pytest.mark.parametrize("option", ["--xuat", "--nhap"])
def test_doi_tuong_with_the_round_trip_is_a_usage_error(copy: Path, tmp_path: Path, option: str) -> None:
    # it was ignored by --xuat (every subject exported anyway) and --nhap accepted a subject that does not exist
    result = CliRunner().invoke(app, ["criteria", "--tieu-chi", str(copy), option, str(tmp_path / "x.xlsx"),
                                      "--doi-tuong", "khong_co"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "--doi-tuong không dùng cùng --xuat hoặc --nhap" in result.output
    assert not (tmp_path / "x.xlsx").exists()
