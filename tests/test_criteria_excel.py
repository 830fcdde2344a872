"""Correcting the criteria without code: export to Excel, edit, import back after full validation."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.criteria import DEFAULT_CRITERIA, load_criteria
from scoring.criteria.excel import export_excel, import_excel
from scoring.errors import CriteriaError


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "tieu_chi.json"
    shutil.copy(DEFAULT_CRITERIA, target)
    return target


def _edit(path: Path, sheet: str, match: dict[int, str], column: int, value: str | float, out: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    for row in wb[sheet].iter_rows(min_row=2):
        if all(row[c].value == v for c, v in match.items()):
            row[column].value = value
            break
    else:
        raise AssertionError(f"no row {match} in {sheet}")
    wb.save(out)
    return out


def test_export_then_import_unchanged_gives_the_same_bytes(copy: Path, tmp_path: Path) -> None:
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    before = copy.read_bytes()
    assert import_excel(sheet, copy) == 0
    assert copy.read_bytes() == before


def test_an_edited_threshold_and_title_are_imported(copy: Path, tmp_path: Path) -> None:
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    edited = _edit(sheet, "Tham số", {0: "huyen", 1: "II.7", 2: "tiers[1].points"}, 3, 2.5, tmp_path / "e1.xlsx")
    edited = _edit(edited, "Tiêu chí", {0: "xa", 1: "I.3"}, 3, "Tiêu đề đã sửa theo phụ lục", tmp_path / "e2.xlsx")
    assert import_excel(edited, copy) == 2
    criteria = load_criteria(copy)
    assert criteria.nodes["huyen"]["II.7"].rule.tiers[1].points == Decimal("2.5")  # type: ignore[union-attr]
    assert criteria.nodes["xa"]["I.3"].title == "Tiêu đề đã sửa theo phụ lục"
    assert json.loads(copy.read_text("utf-8"))["status"] == "reconstructed"


def test_an_edit_that_breaks_the_sums_is_refused_and_nothing_is_written(copy: Path, tmp_path: Path) -> None:
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    edited = _edit(sheet, "Tiêu chí", {0: "huyen", 1: "I.1"}, 4, 4, tmp_path / "bad.xlsx")
    before = copy.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(edited, copy)
    assert "SUM_MISMATCH" in info.value.codes()
    assert copy.read_bytes() == before


def test_cli_export_and_import(copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "tc.xlsx"
    result = runner.invoke(app, ["criteria", "--xuat", str(out), "--tieu-chi", str(copy)])
    assert result.exit_code == 0 and out.exists()
    result = runner.invoke(app, ["criteria", "--nhap", str(out), "--tieu-chi", str(copy)], env={"COLUMNS": "300"})
    assert result.exit_code == 0 and "0 thay đổi" in result.output


def test_cli_import_into_an_unreadable_criteria_file_is_a_clear_error(copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "tc.xlsx"
    assert runner.invoke(app, ["criteria", "--xuat", str(out), "--tieu-chi", str(copy)]).exit_code == 0
    missing = tmp_path / "khong_co.json"
    result = runner.invoke(app, ["criteria", "--nhap", str(out), "--tieu-chi", str(missing)], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output  # an expected error, not an internal one (exit 3)
    assert "không đọc được tệp" in result.output and not missing.exists()


@pytest.mark.parametrize("make", ["bomb", "not_zip"])
def test_a_hostile_sheet_is_refused_before_any_parser_and_nothing_is_written(copy: Path, tmp_path: Path,
                                                                            make: str) -> None:
    from tests.hostile_files import zip_bomb

    bad = tmp_path / "tc.xlsx"
    if make == "bomb":
        zip_bomb(bad, 300 * 2**20)  # a few hundred KB that inflate to 300 MB, over the 200 MB limit
    else:
        bad.write_bytes(b"%PDF-1.7 not a workbook")
    before = copy.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(bad, copy)
    # the readers' own check (readers/package.check_workbook): a PDF is named a PDF, not a damaged zip
    assert info.value.codes() == ({"ZIP_TOO_LARGE"} if make == "bomb" else {"NOT_A_WORKBOOK"})
    assert ("Không đọc bảng tiêu chí này" if make == "bomb" else "tệp PDF") in str(info.value)
    assert copy.read_bytes() == before


@pytest.mark.parametrize(("make", "code", "words"), [
    ("encrypted", "PASSWORD_PROTECTED", "xóa mật khẩu"),
    ("csv", "NOT_A_WORKBOOK", "tệp văn bản (CSV)"),
])
def test_an_import_file_is_named_for_what_it_is(copy: Path, tmp_path: Path, make: str, code: str,
                                                words: str) -> None:
    from tests.hostile_files import encrypted_xlsx

    bad = tmp_path / "tc.xlsx"
    if make == "encrypted":
        encrypted_xlsx(bad)
    else:
        bad.write_text("ma,ten\nI.1,3\n", encoding="utf-8")
    with pytest.raises(CriteriaError) as info:
        import_excel(bad, copy)
    assert info.value.codes() == {code} and words in str(info.value)
    assert "tệp nén bị hỏng" not in str(info.value)


def _append(path: Path, sheet: str, row: list[object], out: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet].append(row)
    wb.save(out)
    return out


@pytest.mark.parametrize("row", [
    ["huyen", "I.2", "items[0].input", "co_khen_thuong_dien_hinh"],  # another indicator read by the rule
    ["huyen", "I.2", "kind", "yes_no"],  # another kind of rule
    ["huyen", "II.7", "denominator", "so_thon"],  # another denominator
])
def test_a_row_that_rewires_a_rule_is_refused_and_nothing_is_written(copy: Path, tmp_path: Path,
                                                                     row: list[object]) -> None:
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    edited = _append(sheet, "Tham số", row, tmp_path / "rewired.xlsx")
    before = copy.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(edited, copy)
    assert info.value.codes() == {"NOT_EDITABLE"}
    assert f"{row[2]}" in str(info.value) and "không sửa được" in str(info.value)
    assert copy.read_bytes() == before


def test_a_decision_field_the_export_does_not_write_is_refused(copy: Path, tmp_path: Path) -> None:
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    edited = _append(sheet, "Quyết định", ["decision.number", "999/QĐ-UBND"], tmp_path / "dec.xlsx")
    before = copy.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(edited, copy)
    assert info.value.codes() == {"NOT_EDITABLE"}
    assert "decision.number" in str(info.value)
    assert copy.read_bytes() == before


def test_unknown_indicator_rows_and_text_in_a_number_cell_are_reported_with_the_rest(copy: Path,
                                                                                      tmp_path: Path) -> None:
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    edited = _append(sheet, "Chỉ tiêu", ["khong_co_chi_tieu_nay", "bool", "Nhãn"], tmp_path / "e1.xlsx")
    edited = _edit(edited, "Tiêu chí", {0: "huyen", 1: "I.1"}, 4, "bốn", tmp_path / "e2.xlsx")
    before = copy.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(edited, copy)
    assert info.value.codes() == {"UNKNOWN_INDICATOR", "NOT_A_NUMBER"}
    assert copy.read_bytes() == before


def test_a_criteria_file_with_a_utf8_bom_exports_and_imports(copy: Path, tmp_path: Path) -> None:
    copy.write_bytes(b"\xef\xbb\xbf" + copy.read_bytes())
    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    edited = _edit(sheet, "Tiêu chí", {0: "xa", 1: "I.3"}, 3, "Tiêu đề sửa", tmp_path / "e.xlsx")
    assert import_excel(edited, copy) == 1
    assert load_criteria(copy).nodes["xa"]["I.3"].title == "Tiêu đề sửa"


def test_a_sheet_stored_outside_xl_worksheets_is_size_checked_too(copy: Path, tmp_path: Path) -> None:
    import zipfile

    sheet = export_excel(load_criteria(copy), tmp_path / "tc.xlsx")
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(sheet) as src, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data, name = src.read(info), info.filename
            if name == "xl/worksheets/sheet2.xml":  # «Tiêu chí», moved and stretched to row 30,000
                name = "xl/elsewhere/s.xml"
                data = data.replace(b"</sheetData>", b'<row r="30000"><c r="A30000" t="inlineStr"><is><t>x</t>'
                                    b"</is></c></row></sheetData>")
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/sheet2.xml", b"elsewhere/s.xml")
            dst.writestr(name, data)
    before = copy.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(moved, copy)
    assert info.value.codes() == {"TOO_MANY_ROWS"}
    assert copy.read_bytes() == before
