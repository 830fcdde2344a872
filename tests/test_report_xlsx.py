"""The summary workbook: numeric cells with formats, live formulas with cached values equal to the engine
(also after LibreOffice recalculates), injection-proof text, byte-reproducible, atomic."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from scoring.pipeline import Run
from scoring.reports import xlsx_report
from scoring.reports.xlsx_report import write_xlsx
from tests.report_fixtures import small_run
from tests.soffice import convert


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return small_run(tmp_path_factory.mktemp("inputs"))


def _summary_rows(path: Path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tổng hợp").to_python()


def test_summary_totals_are_formulas_with_cached_engine_values(run: Run, tmp_path: Path) -> None:
    path = write_xlsx(run, tmp_path / "kq.xlsx")
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    head = [c.value for c in ws[1]]
    col_total = head.index("Tổng điểm") + 1
    rows = _summary_rows(path)
    by_code = {r.unit.unit_id: r for r in run.results}
    assert len(rows) - 1 == len(run.results)
    for n, row in enumerate(rows[1:], start=2):
        assert str(ws.cell(n, col_total).value).startswith("=MAX(")
        assert ws.cell(n, col_total).number_format == "#,##0.00"
        assert Decimal(repr(row[col_total - 1])) == by_code[str(row[2])].total


def test_detail_cells_are_numbers_not_text(run: Run, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_xlsx(run, tmp_path / "kq.xlsx"))
    detail = wb["Xã, thị trấn"]
    values = [c for row in detail.iter_rows(min_row=2, min_col=4) for c in row if c.value is not None]
    assert values and all(c.data_type == "n" and c.number_format == "#,##0.00" for c in values)


def test_libreoffice_recalculation_gives_the_engine_totals(run: Run, tmp_path: Path) -> None:
    path = write_xlsx(run, tmp_path / "kq.xlsx")
    recalculated = convert(path, "xlsx", tmp_path / "lo")
    by_code = {r.unit.unit_id: r for r in run.results}
    rows = _summary_rows(recalculated)
    col_total = rows[0].index("Tổng điểm")
    for row in rows[1:]:
        assert round(Decimal(repr(row[col_total])), 2) == by_code[str(row[2])].total


def test_a_name_that_looks_like_a_formula_stays_text(run: Run, tmp_path: Path) -> None:
    path = write_xlsx(run, tmp_path / "kq.xlsx")
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    names = {ws.cell(r, 4).value: ws.cell(r, 4).data_type for r in range(2, ws.max_row + 1)}
    hostile = '=HYPERLINK("http://x")'
    assert names[hostile] == "s"
    recalculated = convert(path, "xlsx", tmp_path / "lo")
    assert hostile in [row[3] for row in _summary_rows(recalculated)]


def test_same_run_same_bytes(run: Run, tmp_path: Path) -> None:
    a = write_xlsx(run, tmp_path / "a.xlsx").read_bytes()
    b = write_xlsx(run, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_failure_midway_leaves_no_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(xlsx_report, "_trace", boom)
    with pytest.raises(RuntimeError):
        write_xlsx(run, tmp_path / "kq.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_sheets_present(run: Run, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_xlsx(run, tmp_path / "kq.xlsx"))
    assert {"Tổng hợp", "Đối chiếu", "Kiểm tra", "Truy vết", "Thông tin"} <= set(wb.sheetnames)
    assert wb["Tổng hợp"].freeze_panes == "A2" and wb["Tổng hợp"].auto_filter.ref
    info = {r[0].value: r[1].value for r in wb["Thông tin"].iter_rows(min_row=2)}
    assert info["SHA-256 bộ tiêu chí"] == run.criteria.sha256
    assert "TÁI DỰNG" in str(info["Lưu ý"])


def test_trace_sheet_is_capped_with_a_pointer_to_the_json(run: Run, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_report, "TRACE_SHEET_LIMIT", 10)
    rows = CalamineWorkbook.from_path(str(write_xlsx(run, tmp_path / "kq.xlsx"))).get_sheet_by_name(
        "Truy vết").to_python()
    assert len(rows) == 1 + 10 + 1
    assert "truy_vet.json" in str(rows[-1][5])


def test_trace_sheet_names_levels_and_rule_kinds_in_vietnamese_with_the_kind_id(run: Run, tmp_path: Path) -> None:
    """Officers read the sheet: «tiêu chí», «nhóm», «tỷ lệ, tính theo tỷ lệ (ratio_linear)», never bare «leaf» or
    «ratio_linear» (the id stays beside the label: it is what the criteria file and truy_vet.json say)."""
    from scoring.criteria.models import RULE_KINDS

    rows = CalamineWorkbook.from_path(str(write_xlsx(run, tmp_path / "kq.xlsx"))).get_sheet_by_name(
        "Truy vết").to_python()
    levels, kinds = {r[3] for r in rows[1:]}, {r[4] for r in rows[1:]}
    assert levels <= {"tiêu chí", "mục", "nhóm", "tổng"} and {"tiêu chí", "nhóm", "tổng"} <= levels
    assert "tỷ lệ, tính theo tỷ lệ (ratio_linear)" in kinds and "cộng các tiêu chí con (sum)" in kinds
    assert not kinds & {*RULE_KINDS, "sum", "capped_sum", "total"}  # no bare id
    assert all(kind.endswith(")") for kind in kinds)


def test_text_from_inputs_is_escaped_and_control_characters_dropped(run: Run, tmp_path: Path) -> None:
    import dataclasses

    first = run.ranked["co_quan"][0]
    odd = 'A & B <b>"x"</b>\x07\x1b end'
    run.ranked["co_quan"][0] = dataclasses.replace(first, unit=dataclasses.replace(first.unit, unit_name=odd))
    try:
        ws = openpyxl.load_workbook(write_xlsx(run, tmp_path / "kq.xlsx"))["Tổng hợp"]
        names = [ws.cell(r, 4).value for r in range(2, ws.max_row + 1)]
        assert 'A & B <b>"x"</b> end' in names
    finally:
        run.ranked["co_quan"][0] = first


def test_filter_defined_names_cover_the_same_rows_as_the_sheet_filters(run: Run, tmp_path: Path) -> None:
    """Each sheet's _xlnm._FilterDatabase name (workbook.xml) ends on the last row of its <autoFilter>, not
    on the header row alone."""
    with zipfile.ZipFile(write_xlsx(run, tmp_path / "kq.xlsx")) as z:
        workbook = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<definedName name="_xlnm._FilterDatabase" localSheetId="(\d+)" hidden="1">'
                           r"'[^<]*'!\$A\$1:\$([A-Z]+)\$(\d+)</definedName>", workbook)
        filters: dict[int, tuple[str, int]] = {}
        for n in range(1, len(re.findall(r"<sheet ", workbook)) + 1):
            ref = re.search(r'<autoFilter ref="A1:([A-Z]+)(\d+)"/>', z.read(f"xl/worksheets/sheet{n}.xml").decode())
            if ref:
                filters[n - 1] = (ref[1], int(ref[2]))
    assert filters and {int(i): (col, int(row)) for i, col, row in names} == filters
    assert max(row for _col, row in filters.values()) > 1  # rows were written: not only headers compared


def test_the_compression_level_asked_for_is_the_one_used(tmp_path: Path) -> None:
    # Every part is deflated at the workbook's level (a large run's is 1, for speed): a ZipInfo handed to the
    # zip writer keeps its own level, which had left every part at zlib's default whatever was asked.
    from scoring.reports.xlsx_stream import Sheet, Workbook

    rows = [[f"Xã Số {n}", Decimal(n % 97) / 4, "Tỷ lệ 2/2 = 100,00 % → 3 × 1 = 3 điểm"] for n in range(3000)]
    sizes = {}
    for level in (1, 6, 9):
        wb = Workbook()
        wb.add(Sheet("Dữ liệu", [20, 8, 40], ["Đơn vị", "Điểm", "Diễn giải"], iter(rows)))
        wb.save(tmp_path / f"{level}.xlsx", compresslevel=level)
        with zipfile.ZipFile(tmp_path / f"{level}.xlsx") as z:
            sheet = z.getinfo("xl/worksheets/sheet1.xml")
            sizes[level] = sheet.compress_size
            assert z.read(sheet.filename) == zipfile.ZipFile(tmp_path / "1.xlsx").read(sheet.filename)  # same XML
    assert sizes[1] > sizes[6] >= sizes[9]
