"""Output safety: paths built from input text stay inside the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.safe_paths import inside, safe_name


@pytest.mark.parametrize(("text", "expected"), [
    ("../../etc/passwd", "etc_passwd"), ("Xã Đồng Vương", "Xa_Dong_Vuong"), ("CON", "don_vi_CON"),
    ("..", "don_vi"), ("a/b\\c:d", "a_b_c_d"), ("YT-X01", "YT-X01")])
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_inside_refuses_escape(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        inside(tmp_path, "..", "x")
    assert inside(tmp_path, "a", "b.xlsx") == (tmp_path / "a" / "b.xlsx").resolve()


def test_template_per_unit_never_writes_outside(tmp_path: Path) -> None:
    registry = tmp_path / "don_vi.csv"
    registry.write_text("ma_don_vi,ten_don_vi,doi_tuong,ten_khac\n../../evil,Xã A,xa,\n/abs/path,Xã B,xa,\n", "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["template", "--don-vi", str(registry), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xlsx"))
    assert written == ["out/xa/abs_path.xlsx", "out/xa/evil.xlsx"]


def test_prefilled_form_keeps_a_formula_like_name_as_text(tmp_path: Path) -> None:
    import openpyxl

    from scoring.criteria import load_criteria
    from scoring.forms.generate import write_form
    from scoring.registry import RegisteredUnit

    path = write_form(tmp_path / "f.xlsx", load_criteria(), "xa", 2023, RegisteredUnit("X1", "=1+1", "xa"))
    ws = openpyxl.load_workbook(path)["Thông tin"]
    cell = next(r[2] for r in ws.iter_rows(min_row=4) if r[0].value == "ten_don_vi")
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_summary_workbook_keeps_1_plus_1_as_text(tmp_path: Path) -> None:
    import dataclasses

    import openpyxl

    from scoring.reports.xlsx_report import write_xlsx
    from tests.report_fixtures import small_run
    from tests.soffice import convert

    run = small_run(tmp_path / "in")
    first = run.ranked["xa"][0]
    renamed = dataclasses.replace(first, unit=dataclasses.replace(first.unit, unit_name="=1+1"))
    run.ranked["xa"][0] = renamed
    path = write_xlsx(run, tmp_path / "kq.xlsx")
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    cells = [ws.cell(r, 4) for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)
    recalculated = openpyxl.load_workbook(convert(path, "xlsx", tmp_path / "lo"))["Tổng hợp"]
    assert "=1+1" in [recalculated.cell(r, 4).value for r in range(2, recalculated.max_row + 1)]


def test_summary_workbook_keeps_an_ooxml_escape_lookalike_as_typed(tmp_path: Path) -> None:
    # Excel and calamine read "_x0041_" in a string as "A": written as "_x005F_x0041_" it reads back as typed
    import dataclasses

    from python_calamine import CalamineWorkbook

    from scoring.reports.xlsx_report import write_xlsx
    from tests.report_fixtures import small_run

    run = small_run(tmp_path / "in")
    name = "Xã_x0041_ _x000D_ _X0041_ _x41_ _x0041_x0042_ a_x005F_x0041_ so_xa_dat"
    first = run.ranked["xa"][0]
    run.ranked["xa"][0] = dataclasses.replace(first, unit=dataclasses.replace(first.unit, unit_name=name))
    path = write_xlsx(run, tmp_path / "kq.xlsx")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tổng hợp").to_python()
    assert name in [v for row in rows for v in row]
