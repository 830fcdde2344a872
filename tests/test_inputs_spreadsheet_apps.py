"""Files as spreadsheet programs give them back. LibreOffice reads "_xa_" inside a cell's text as an escaped
line break (it takes one to four hex digits; the standard four) and saves the line break: the indicator id
so_xa_dat_cqtt came back as «so\\ndat_cqtt», UNKNOWN_INDICATOR, and the district lost criterion V.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.forms import layout as L
from scoring.ooxml_text import decoded
from scoring.readers.ids import restored
from tests.inputs_helpers import codes, make_form, only, read, rows_by_id, write_csv, write_registry, write_xlsx_table

ID = "so_xa_dat_cqtt"
LO = "so\ndat_cqtt"  # what LibreOffice 7.4 saves after one open and save


def test_libreoffice_decoding_is_modelled() -> None:
    assert decoded(ID) == LO
    assert decoded("_x0041_ _x41_ _xg_ _x12345_") == "A A _xg_ _x12345_"  # five digits are no escape


@pytest.mark.parametrize(("text", "shown"), [(LO, ID), (f"ty_le:{LO}", f"ty_le:{ID}"), (ID, ID), ("so dat", "so dat")])
def test_a_decoded_id_is_restored(text: str, shown: str) -> None:
    assert restored(text, {ID, "so_thon"}) == shown


def test_a_form_saved_by_libreoffice_keeps_its_indicator(tmp_path: Path) -> None:
    write_registry(tmp_path)

    def as_libreoffice_saves(wb: object) -> None:
        data = wb[L.DATA]  # type: ignore[index]
        data.cell(rows_by_id(data)[ID], 1, LO)

    make_form(tmp_path / "h.xlsx", "huyen", values={ID: 5}, edit=as_libreoffice_saves)
    result = read(tmp_path)
    assert "UNKNOWN_INDICATOR" not in codes(result.problems)
    (unit,) = [u for u in result.units if u.unit_id == "H01"]
    assert unit.values[ID].value == 5


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_consolidated_header_saved_by_libreoffice_keeps_its_indicator(tmp_path: Path, kind: str) -> None:
    write_registry(tmp_path)
    rows: list[list[object]] = [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", LO], ["H01", "Huyện Yên Thế", "huyen",
                                                                                      2023, 5]]
    if kind == "xlsx":
        write_xlsx_table(tmp_path / "th.xlsx", rows)
    else:
        write_csv(tmp_path / "th.csv", rows)
    result = read(tmp_path)
    assert "UNKNOWN_COLUMN" not in codes(result.problems)
    assert [u.values[ID].value for u in result.units if u.unit_id == "H01"] == [5]


@pytest.mark.parametrize(("name", "encoding", "bom"), [
    ("tong_hop.txt", "utf-16-le", b"\xff\xfe"),  # Excel's «Unicode Text»
    ("tong_hop.txt", "utf-8", b""),  # «Text (Tab delimited)»
    ("tong_hop.tsv", "utf-8", b""),
])
def test_a_table_saved_as_text_is_named_not_skipped(tmp_path: Path, name: str, encoding: str, bom: bytes) -> None:
    write_registry(tmp_path)
    text = "ma_don_vi\tten_don_vi\tdoi_tuong\tnam\r\nH01\tHuyện Yên Thế\thuyen\t2023\r\n"
    (tmp_path / name).write_bytes(bom + text.encode(encoding))
    (tmp_path / "doc_truoc.txt").write_text("Ghi chú: gửi trước ngày 15/01.", encoding="utf-8")  # not a table
    said = [p for p in read(tmp_path).problems if p.code == "UNSUPPORTED_FILE"]
    assert [p.location.file for p in said] == [name]
    assert "CSV UTF-8" in said[0].message and said[0].severity == "warning"


def test_a_unit_without_a_form_is_pointed_at_the_files_not_read(tmp_path: Path) -> None:
    # a form saved as .xls or .ods: UNSUPPORTED_FILE, then «no form at all» for the unit, which did send one
    write_registry(tmp_path)
    (tmp_path / "huong-vi.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    (tmp_path / "dong-ky.ods").write_bytes(b"PK\x03\x04")
    no_form = [p for p in read(tmp_path).problems if p.code == "NO_FORM"]
    assert no_form and all("dong-ky.ods, huong-vi.xls" in p.message and "lưu lại dạng .xlsx" in p.message
                           for p in no_form)


def test_a_unit_without_a_form_and_no_file_unread_is_said_plainly(tmp_path: Path) -> None:
    write_registry(tmp_path)
    no_form = [p for p in read(tmp_path).problems if p.code == "NO_FORM"]
    assert no_form and all(p.message.endswith("nhưng không có biểu nào: không xếp loại.") for p in no_form)


def _dated_sheet(tmp_path: Path, dates: list[object]) -> Path:
    rows: list[list[object]] = [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "ngay_ban_hanh_ke_hoach"]]
    rows += [[f"X{n:02d}", f"Xã {n}", "xa", 2023, d] for n, d in enumerate(dates, start=1)]
    return write_xlsx_table(tmp_path / "th.xlsx", rows)


def test_dates_excel_in_us_english_swapped_are_pointed_out(tmp_path: Path) -> None:
    # a dd/mm CSV opened by Excel set to US English: 09/01/2022 became 1 September, 13/01/2022 stayed text
    import datetime as dt

    swapped = [dt.datetime(2022, m, d) for m, d in ((9, 1), (3, 5), (11, 2), (4, 10), (6, 12))]
    _dated_sheet(tmp_path, [*swapped, "13/01/2022", "28/02/2022"])
    said = [p for p in read(tmp_path).problems if p.code == "DATES_SWAPPED"]
    assert len(said) == 1 and said[0].severity == "warning"
    assert said[0].location.field == "ngay_ban_hanh_ke_hoach" and "«13/01/2022»" in said[0].message


EARLY = ["__early__"] * 5  # five real dates, each on a day up to 12


@pytest.mark.parametrize("dates", [
    ["14/01/2022", "09/01/2022"],  # all text: read as written
    [*EARLY, "2023-01-14"],  # ISO text: never day-first text that Excel left alone
    [*EARLY[:4], "13/01/2022"],  # four real dates on early days: chance, not a swap (two: 15 % of files)
    [*EARLY, "__late__", "13/01/2022"],  # a real date with a day over 12: not the swap
])
def test_dates_not_swapped_are_not_pointed_out(tmp_path: Path, dates: list[object]) -> None:
    import datetime as dt

    real = {"__early__": dt.datetime(2023, 2, 5), "__late__": dt.datetime(2023, 1, 14)}
    _dated_sheet(tmp_path, [real.get(d, d) if isinstance(d, str) else d for d in dates])
    assert "DATES_SWAPPED" not in codes(read(tmp_path).problems)


@pytest.mark.parametrize(("name", "text"), [
    ("ghi_chu.txt", "Ghi chú: cột ma_don_vi là mã đơn vị, cột ten_don_vi là tên.\n"),  # a sentence, no table
    ("don_vi.txt", "ma_don_vi\tten_don_vi\tdoi_tuong\nX01\tXã Đồng Vương\txa\n"),  # a copy of the registry
])
def test_text_that_is_no_table_of_figures_is_not_named(tmp_path: Path, name: str, text: str) -> None:
    write_registry(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    problems = read(tmp_path).problems
    assert "UNSUPPORTED_FILE" not in codes(problems)
    assert not [p for p in problems if p.code == "NO_FORM" and name in p.message]


@pytest.mark.parametrize(("number_format", "read_as"), [("0.00%", "92.75"), ("0%", "92.75"), ('0.00"%"', "0.9275"),
                                                         ("General", "0.9275")])
def test_a_stated_percentage_in_a_percent_cell_is_read_as_shown(tmp_path: Path, number_format: str,
                                                                read_as: str) -> None:
    # Excel and LibreOffice store 92,75 % typed into a cell as 0,9275 with a percent format
    from decimal import Decimal

    write_registry(tmp_path)
    ident = "so_ho_so_truc_tuyen"

    def typed_as_percent(wb: object) -> None:
        data = wb[L.DATA]  # type: ignore[index]
        column = 1 + [key for key, *_ in L.DATA_COLUMNS].index("stated_pct")
        data.cell(rows_by_id(data)[ident], column, 0.9275).number_format = number_format

    make_form(tmp_path / "x.xlsx", "xa", values={ident: 3710, "so_ho_so_tiep_nhan": 4000}, edit=typed_as_percent)
    result = read(tmp_path)
    (unit,) = [u for u in result.units if u.unit_id == "X01"]
    assert unit.stated_pct[ident].value == Decimal(read_as)


def test_a_stated_percentage_in_a_percent_cell_of_a_consolidated_sheet_is_read_as_shown(tmp_path: Path) -> None:
    from decimal import Decimal

    from openpyxl import Workbook

    write_registry(tmp_path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_ho_so_truc_tuyen", "so_ho_so_tiep_nhan",
               "ty_le:so_ho_so_truc_tuyen"])
    ws.append(["X01", "Xã Đồng Vương", "xa", 2023, 3710, 4000, 0.9275])
    ws.append(["X02", "Xã Đông Sơn", "xa", 2023, 3710, 4000, 0.9275])
    ws["G2"].number_format = "0.00%"  # as Excel stores 92,75 % typed; G3 stays General: a stated 0,9275 %
    wb.save(tmp_path / "th.xlsx")
    result = read(tmp_path)
    stated = {u.unit_id: u.stated_pct["so_ho_so_truc_tuyen"].value for u in result.units if u.stated_pct}
    assert stated == {"X01": Decimal("92.75"), "X02": Decimal("0.9275")}


def test_a_bad_cell_of_a_form_belongs_to_its_unit(tmp_path: Path) -> None:
    # "3 cuộc" in a count: the error had no unit, so `explain` showed the value as merely missing
    from typer.testing import CliRunner

    from scoring.cli import app

    write_registry(tmp_path)
    make_form(tmp_path / "x.xlsx", "xa", values={"so_cuoc_kiem_tra": "3 cuộc"})
    problem = only(read(tmp_path).problems, "NOT_AN_INTEGER")
    assert problem.unit_id == "X01"
    out = CliRunner().invoke(app, ["explain", str(tmp_path), "--don-vi", "X01"], env={"COLUMNS": "250"}).output
    assert "NOT_AN_INTEGER" in out and "3 cuộc" in out


def test_a_bad_cell_of_a_consolidated_row_belongs_to_its_unit(tmp_path: Path) -> None:
    write_registry(tmp_path)
    write_csv(tmp_path / "th.csv", [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_cuoc_kiem_tra"],
                                    ["X01", "Xã Đồng Vương", "xa", 2023, "3 cuộc"],
                                    ["X02", "Xã Đông Sơn", "xa", 2023, "hai"]])
    owners = sorted(p.unit_id or "" for p in read(tmp_path).problems if p.code == "NOT_AN_INTEGER")
    assert owners == ["X01", "X02"]
