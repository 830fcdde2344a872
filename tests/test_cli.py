"""The qd274 command through typer's CliRunner (fixed width): exit codes, key phrases, the JSON document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring import pipeline
from scoring.cli import app
from tests.report_fixtures import build_inputs

runner = CliRunner()
ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_inputs(tmp_path_factory.mktemp("in"))


def invoke(*args: str, width: int = 120) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=ENV | {"COLUMNS": str(width)})
    return result.exit_code, result.output



def test_score_clean_inputs_exits_0_with_ranking_and_notice(inputs: Path) -> None:
    code, out = invoke("score", str(inputs))
    assert code == 0, out
    assert "TÁI DỰNG" in out
    assert "Xếp hạng: UBND xã, phường, thị trấn" in out
    assert "Xã Đồng Vương" in out and "Số đơn vị theo xếp loại" in out


def test_bad_cell_exits_1_and_names_the_cell(inputs: Path, tmp_path: Path) -> None:
    import shutil

    import openpyxl

    folder = tmp_path / "in"
    shutil.copytree(inputs, folder)
    path = folder / "xa" / "X01.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "so_cuoc_kiem_tra")
    row[3].value = "khoảng 50"
    wb.save(path)
    code, out = invoke("score", str(folder), width=300)
    assert code == 1
    assert "NOT_AN_INTEGER" in out and "khoảng 50" in out and "xa/X01.xlsx › Số liệu › ô D9" in out
    assert "Traceback" not in out


def test_strict_turns_missing_data_into_exit_1(inputs: Path) -> None:
    assert invoke("score", str(inputs))[0] == 0
    assert invoke("score", str(inputs), "--strict")[0] == 1  # the fixture leaves ~5 % of the values empty


def test_broken_criteria_file_exits_1_without_traceback(inputs: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "qd274.criteria/1"}', "utf-8")
    code, out = invoke("score", str(inputs), "--tieu-chi", str(bad))
    assert code == 1
    assert "Tệp tiêu chí" in out and "Traceback" not in out


def test_usage_errors_exit_2(inputs: Path) -> None:
    assert invoke("score", str(inputs), "--khong-co")[0] == 2
    assert invoke("score", str(inputs), "--doi-tuong", "tinh")[0] == 2
    assert invoke()[0] in (0, 2)  # no arguments: help


def test_internal_error_exits_3_and_debug_shows_it(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(pipeline, "run", broken)
    code, out = invoke("score", str(inputs))
    assert code == 3 and "Lỗi nội bộ" in out and "--debug" in out
    result = runner.invoke(app, ["--debug", "score", str(inputs)], env=ENV)
    assert isinstance(result.exception, ZeroDivisionError)


def test_json_document_keys_and_values(inputs: Path) -> None:
    code, out = invoke("score", str(inputs), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["format"] == "qd274.result/1"
    m = doc["manifest"]
    assert m["criteria"]["status"] == "reconstructed" and len(m["criteria"]["sha256"]) == 64
    assert m["engine"]["name"] == "qd274" and m["year"] == 2023
    assert {f["file"] for f in m["inputs"]} >= {"xa/X01.xlsx", "huyen/H01.xlsx"}
    units = {u["unit_id"]: u for u in doc["units"]}
    assert set(units) == {"H01", "X01", "X02", "X03", "X04", "C01", "C02"}
    u = units["X01"]
    assert {"unit_id", "unit_name", "subject", "criteria", "base", "bonus", "deduction", "total", "grade",
            "rank"} <= set(u)
    assert u["unit_name"] == "Xã Đồng Vương" and u["subject"] == "xa"
    assert isinstance(u["total"], (int, float)) and u["grade"] in {"Tốt", "Khá", "Trung bình", "Yếu"}
    c = u["criteria"]["II.7"]
    assert set(c) >= {"self", "computed", "appraised", "final", "status"}
    leaf_sum = sum(v["final"] for k, v in u["criteria"].items() if k in {"I", "II", "III", "IV", "V"})
    assert round(leaf_sum, 2) == u["base"]


def test_explain_and_check_and_criteria(inputs: Path) -> None:
    code, out = invoke("explain", str(inputs), "--don-vi", "dong vuong")
    assert code == 1 and "Không tìm thấy" in out  # accent-less names are never matched silently
    code, out = invoke("explain", str(inputs), "--don-vi", "xã  ĐỒNG VƯƠNG")
    assert code == 0 and "Diễn giải điểm" in out and "Căn cứ: QĐ 274/QĐ-UBND" in out
    code, out = invoke("check", str(inputs))
    assert code == 0 and "Đã đọc" in out
    code, out = invoke("criteria", "--doi-tuong", "co_quan")
    assert code == 0 and "Phụ lục III" in out and "tái dựng" in out
    assert "có/không (yes_no)" in out  # the rule kind for people, its id beside it


def test_template_commands(tmp_path: Path) -> None:
    assert invoke("template", "--doi-tuong", "xa", "--out", str(tmp_path / "xa.xlsx"))[0] == 0
    assert (tmp_path / "xa.xlsx").exists()
    assert invoke("template", "--tong-hop", "--out", str(tmp_path / "th.csv"))[0] == 0
    header = (tmp_path / "th.csv").read_text("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["ma_don_vi", "ten_don_vi", "doi_tuong", "nam"] and "tu_cham:II.1" in header


def test_installed_command_and_module_answer_help() -> None:
    out = subprocess.run([sys.executable, "-m", "scoring", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "score" in out.stdout and "Chấm điểm" in out.stdout


def test_large_ranking_shows_its_edges_and_where_the_rest_is(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.reports import console

    monkeypatch.setattr(console, "CONSOLE_LIMIT", 3)
    monkeypatch.setattr(console, "CONSOLE_EDGE", 1)
    code, out = invoke("score", str(inputs), "--doi-tuong", "xa", width=200)
    assert code == 0
    assert "2 đơn vị nữa: xem đủ bằng qd274 report" in out
    ranking = out.split("Số đơn vị theo xếp loại")[0]
    assert sum(ranking.count(c) for c in ("X01", "X02", "X03", "X04")) == 2


def test_markup_like_text_from_inputs_is_printed_as_is(tmp_path: Path) -> None:
    """A unit name or a cell value such as "[/bold]" is text, never console markup (and never a crash)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tong_hop.csv").write_text("ma_don_vi,ten_don_vi,doi_tuong,nam,so_cuoc_kiem_tra\n"
                                         "X1,Xã [bold]Một[/bold],xa,2023,[/red]\n", "utf-8")
    code, out = invoke("score", str(folder), width=250)
    assert code == 1
    assert "Xã [bold]Một[/bold]" in out and '"[/red]"' in out
    code, out = invoke("explain", str(folder), "--don-vi", "X1", width=250)
    assert code == 0 and "Xã [bold]Một[/bold]" in out


def test_check_counts_every_problem_as_report_does_and_says_which_rows_are_merged(tmp_path: Path) -> None:
    """The title's count is the count of problems (as report, the workbook's «Kiểm tra» sheet and the exit code
    count them), not of table rows: missing figures are merged into one row per unit."""
    demo = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"
    run = pipeline.run(demo)
    warnings = sum(p.severity == "warning" for p in run.problems)
    missing = sum(p.code == "MISSING_VALUE" for p in run.problems)
    units = len({p.unit_id for p in run.problems if p.code == "MISSING_VALUE"})
    assert missing > units >= 1  # the demo has units missing several figures
    code, out = invoke("check", str(demo), width=250)
    assert code == 0 and f"cảnh báo {warnings}" in out, out  # warnings only: exit 0
    assert f"{missing} mục MISSING_VALUE được gộp thành {units} dòng, một dòng mỗi đơn vị." in out
    result = runner.invoke(app, ["report", str(demo), "--out", str(tmp_path / "out"), "--khong-luu"], env=ENV)
    assert f"Có {warnings} cảnh báo" in result.output


def test_a_command_shown_to_copy_quotes_a_path_with_spaces(tmp_path: Path) -> None:
    """The export's hint is a command to paste back: a folder such as «Nguyễn Văn A» must not split it."""
    from scoring.criteria import DEFAULT_CRITERIA

    folder = tmp_path / "Nguyễn Văn A"
    folder.mkdir()
    copy = folder / "tieu chi.json"
    copy.write_bytes(DEFAULT_CRITERIA.read_bytes())
    code, out = invoke("criteria", "--xuat", str(folder / "tieu chi.xlsx"), "--tieu-chi", str(copy), width=400)
    assert code == 0, out
    assert f"qd274 criteria --nhap '{folder / 'tieu chi.xlsx'}' --tieu-chi '{copy}'" in out  # POSIX shells
    code, out = invoke("criteria", "--xuat", str(tmp_path / "plain.xlsx"), width=400)
    assert code == 0 and f"qd274 criteria --nhap {tmp_path / 'plain.xlsx'}" in out, out


@pytest.mark.parametrize(("platform", "path", "shown"), [
    ("win32", r"C:\Users\Nguyễn Văn A\tieu chi.xlsx", r'"C:\Users\Nguyễn Văn A\tieu chi.xlsx"'),
    ("win32", r"D:\ket_qua\tc.xlsx", r"D:\ket_qua\tc.xlsx"),
    ("win32", "@bieu.xlsx", '"@bieu.xlsx"'),  # PowerShell's splatting
    ("linux", "/tmp/Bao cao $HOME/a.xlsx", "'/tmp/Bao cao $HOME/a.xlsx'"),  # no expansion once pasted
    ("linux", "/tmp/plain.xlsx", "/tmp/plain.xlsx"),
])
def test_shell_arg_quotes_as_the_platforms_shell_needs(monkeypatch: pytest.MonkeyPatch, platform: str, path: str,
                                                       shown: str) -> None:
    from scoring import cli_words

    monkeypatch.setattr(cli_words.sys, "platform", platform)
    assert cli_words.shell_arg(path) == shown


def test_the_problem_count_is_written_the_vietnamese_way() -> None:
    from rich.console import Console

    from scoring.errors import InputError, Location
    from scoring.reports import console

    con = Console(record=True, width=200, color_system=None)
    items = [InputError("SELF_ABOVE_COMPUTED", Location(file=f"x{n}.xlsx"), "tự chấm cao hơn", "warning", f"X{n}")
             for n in range(1234)]
    console.problems(con, items, limit=5)
    assert "Kiểm tra dữ liệu: cảnh báo 1.234" in con.export_text()  # as report says «1.234 cảnh báo»
