"""File and sheet names from inputs holding terminal escapes, direction overrides or line breaks are shown with
those characters escaped (\\x1b, \\u202e) in every output: never raw on the terminal or in the HTML page."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.readers.files import printable
from scoring.readers.workbook import _sheet_keys

DEMO = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"
HOSTILE = "\x1b]0;PWNED\x07\x1b[31mred\u202e"
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.mark.parametrize(("raw", "shown"), [
    ("Tổng hợp", "Tổng hợp"),
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("x\u202ey", "x\\u202ey"),
    ("tab\tline\nend\r", "tab\\x09line\\x0aend\\x0d"),
    ("n\udcffz", "n\\xffz"),  # a byte that is not UTF-8, as before
    ("tag\U000e0041", "tag\\U000e0041"),
    ("\u00a0nbsp", "\u00a0nbsp"),  # a no-break space is shown as it is
])
def test_printable_escapes_what_cannot_be_shown(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_sheet_keys_escape_control_characters_and_stay_distinct() -> None:
    assert _sheet_keys(["Số liệu", "\x1b[2JX"]) == {"Số liệu": "Số liệu", "\\x1b[2JX": "\x1b[2JX"}
    # a sheet already named as the other's escaped name keeps it; the other keeps its own: both stay readable
    keys = _sheet_keys(["\x1b[2JX", "\\x1b[2JX"])
    assert keys == {"\x1b[2JX": "\x1b[2JX", "\\x1b[2JX": "\\x1b[2JX"}


def _consolidated_with_sheet(path: Path, sheet_bytes: bytes) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "SHEETX"
    ws.append(["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_cuoc_kiem_tra"])
    ws.append(["YT-X01", "Xã Hương Vĩ", "xa", 2023, "xyz"])  # one bad cell: a problem that names the sheet
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"SHEETX", sheet_bytes)
            zout.writestr(info, data)
    tmp.unlink()


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    shutil.copytree(DEMO, src)
    (src / f"{HOSTILE}.csv").write_text("x,y\n1,2\n", encoding="utf-8")  # not an input: an error naming it
    _consolidated_with_sheet(src / "tong_hop.xlsx", b"&#27;[2J&#27;[31mSHEET\xe2\x80\xae")
    return src


def test_console_never_prints_escapes_from_file_or_sheet_names(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    for command in ("score", "check"):
        out = CliRunner().invoke(app, [command, str(src)], env=ENV).output
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out, command
        assert "\\x1b]0;PWNED" in out, command  # the file, recognisably
        assert "\\x1b[2J\\x1b[31mSHEET\\u202e" in out, command  # the sheet, recognisably


def test_html_report_never_holds_escapes_from_file_or_sheet_names(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", str(src), "--out", str(out), "--khong-luu"], env=ENV)
    assert result.exit_code in (0, 1), result.output
    page = (out / "bao_cao.html").read_text(encoding="utf-8")
    assert "\x1b" not in page and "\u202e" not in page and "\x07" not in page
    assert "\\x1b]0;PWNED" in page
