"""The command line's edges: implausible years, a year no form has, the machine refusing a read or a write, a
reader that goes away, and where `template` may write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from tests.inputs_helpers import YEAR
from tests.report_fixtures import build_inputs

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_inputs(tmp_path_factory.mktemp("in"))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, " ".join(result.output.split())


def run_cli(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scoring", *args], text=True, timeout=120,
                          env=os.environ | ENV, **kw)  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("year", ["0", "-1", "1999", "2101", "99999999999999999999"])
@pytest.mark.parametrize("command", ["score", "report", "template", "so-sanh"])
def test_an_implausible_year_is_a_usage_error(inputs: Path, tmp_path: Path, command: str, year: str) -> None:
    args = {"score": ["score", str(inputs), "--nam", year],
            "report": ["report", str(inputs), "--out", str(tmp_path / "o"), "--nam", year],
            "template": ["template", "--doi-tuong", "xa", "--out", str(tmp_path / "b.xlsx"), "--nam", year],
            "so-sanh": ["so-sanh", "--nam", "2023", "--nam", year, "--db", str(tmp_path / "h.sqlite3")]}[command]
    code, said = invoke(*args)
    assert code == 2, said
    assert f"{year} không phải năm đánh giá (từ 2000 đến 2100)" in said
    assert list(tmp_path.iterdir()) == []  # nothing written, no history created


def test_a_year_no_form_has_writes_no_report_and_no_history(inputs: Path, tmp_path: Path) -> None:
    out, db = tmp_path / "o", tmp_path / "h.sqlite3"
    code, said = invoke("report", str(inputs), "--out", str(out), "--nam", str(YEAR - 1), "--db", str(db))
    assert code == 1, said
    assert "không ghi tệp kết quả, không lưu lịch sử" in said and "NO_UNIT_SELECTED" in said
    assert not out.exists() and not db.exists()
    code, said = invoke("score", str(inputs), "--nam", str(YEAR - 1))
    assert code == 1 and "NO_UNIT_SELECTED" in said, said


@pytest.mark.skipif(sys.platform == "win32", reason="a 300-byte name component is refused differently there")
def test_a_name_too_long_for_the_system_is_exit_1_in_vietnamese(inputs: Path, tmp_path: Path) -> None:
    code, said = invoke("report", str(inputs), "--out", str(tmp_path / ("a" * 300)), "--khong-luu")
    assert code == 1, said
    assert "hệ điều hành từ chối đọc hoặc ghi" in said and "tên tệp hoặc thư mục quá dài" in said


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's always-full device")
def test_a_full_standard_output_is_exit_1_in_vietnamese(inputs: Path) -> None:
    with open("/dev/full", "w") as full:
        done = run_cli("score", str(inputs), "--json", stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1, done.stderr
    assert "ổ đĩa hết chỗ trống" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a closed pipe is SIGPIPE/EPIPE on POSIX")
def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    demo = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"  # ~150 KB of JSON: more than a pipe holds
    proc = subprocess.Popen([sys.executable, "-m", "scoring", "score", str(demo), "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=os.environ | ENV)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # as `| head -c 100` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    # 1 when a write met the closed pipe; 0 when all the text was already in the pipe's buffer: either way
    # no message, no traceback, and not an internal error (3)
    assert proc.wait(timeout=120) in (0, 1)
    assert err == "", err


def test_template_out_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, said = invoke("template", "--doi-tuong", "xa", "--out", str(tmp_path))
    assert code == 2 and "là một thư mục: --out cần tên một tệp" in said, said
    assert list(tmp_path.iterdir()) == []


def test_template_forms_whose_codes_share_a_file_name_are_all_written(tmp_path: Path) -> None:
    registry = tmp_path / "don_vi.csv"
    registry.write_text("ma_don_vi,ten_don_vi,doi_tuong\nX 01,Xã Một,xa\nX_01,Xã Hai,xa\nĐ01,Xã Bốn,xa\n"
                        "D01,Xã Năm,xa\n", encoding="utf-8")
    code, said = invoke("template", "--don-vi", str(registry), "--out", str(tmp_path / "f"))
    assert code == 0, said
    assert sorted(p.name for p in (tmp_path / "f" / "xa").iterdir()) == [
        "D01.xlsx", "D01_2.xlsx", "X_01.xlsx", "X_01_2.xlsx"]
    assert "Đã tạo 4 biểu" in said and "cho cùng một tên tệp" in said


def test_template_refuses_a_unit_whose_form_check_would_refuse(tmp_path: Path) -> None:
    registry = tmp_path / "don_vi.csv"
    registry.write_text(f"ma_don_vi,ten_don_vi,doi_tuong\nX01,{'Xã ' * 120},xa\n", encoding="utf-8")
    code, said = invoke("template", "--don-vi", str(registry), "--out", str(tmp_path / "f"))
    assert code == 1 and "quá 300" in said, said
    assert not (tmp_path / "f").exists()


@pytest.fixture(scope="module")
def history(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history holding one run of 2023 (run 1)."""
    db = tmp_path_factory.mktemp("h") / "h.sqlite3"
    code, said = invoke("report", str(inputs), "--out", str(db.parent / "o"), "--db", str(db))
    assert code in (0, 1) and "Đã lưu lần chạy số 1" in said, said
    return db


@pytest.mark.parametrize(("runs", "said"), [
    (["1", "99"], "Không có lần chạy số 99 trong lịch sử"),
    (["1", "99999999999999999999"], "Không có lần chạy số 99999999999999999999"),
    (["-1", "1"], "Không có lần chạy số -1"),
])
def test_compare_with_runs_that_do_not_exist_is_exit_1_and_reads_only(history: Path, runs: list[str],
                                                                       said: str) -> None:
    before = history.read_bytes()
    code, text = invoke("so-sanh", "--nam", "2022", "--nam", "2023", "--lan", runs[0], "--lan", runs[1],
                        "--db", str(history))
    assert code == 1, text
    assert said in text and "qd274 lich-su" in text
    assert history.read_bytes() == before


def test_compare_a_run_paired_with_another_year_is_named(history: Path) -> None:
    code, text = invoke("so-sanh", "--nam", "2023", "--nam", "2022", "--lan", "1", "--lan", "1", "--db", str(history))
    assert code == 1 and "Lần chạy số 1 là của năm 2023, không phải năm 2022" in text, text


def test_history_commands_on_a_missing_file_create_nothing(tmp_path: Path) -> None:
    db = tmp_path / "chua_co" / "h.sqlite3"
    code, text = invoke("lich-su", "--db", str(db))
    assert code == 0 and "Chưa có lần chạy nào" in text, text
    code, text = invoke("so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db))
    assert code == 1 and "Chưa có lần chạy nào cho năm 2022" in text, text
    assert list(tmp_path.iterdir()) == []


def test_template_never_overwrites_a_form_unless_asked(tmp_path: Path) -> None:
    form = tmp_path / "bieu.xlsx"
    form.write_bytes(b"a form filled in already")
    code, said = invoke("template", "--doi-tuong", "xa", "--out", str(form))
    assert code == 2 and "qd274 không ghi đè" in said and "--ghi-de" in said, said
    assert form.read_bytes() == b"a form filled in already"
    code, said = invoke("template", "--doi-tuong", "xa", "--out", str(form), "--ghi-de")
    assert code == 0, said
    assert form.read_bytes() != b"a form filled in already"


def test_template_for_a_registry_writes_nothing_when_one_form_exists(tmp_path: Path) -> None:
    registry = tmp_path / "don_vi.csv"
    registry.write_text("ma_don_vi,ten_don_vi,doi_tuong\nX01,Xã Một,xa\nX02,Xã Hai,xa\n", encoding="utf-8")
    (tmp_path / "f" / "xa").mkdir(parents=True)
    (tmp_path / "f" / "xa" / "X02.xlsx").write_bytes(b"filled")
    code, said = invoke("template", "--don-vi", str(registry), "--out", str(tmp_path / "f"))
    assert code == 2 and "X02.xlsx" in said and "qd274 không ghi đè" in said, said
    assert sorted(p.name for p in (tmp_path / "f" / "xa").iterdir()) == ["X02.xlsx"]
    assert (tmp_path / "f" / "xa" / "X02.xlsx").read_bytes() == b"filled"


def test_an_empty_argument_is_a_usage_error_not_the_current_folder(tmp_path: Path) -> None:
    done = run_cli("score", "", capture_output=True, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "đối số thứ 2 rỗng" in done.stderr


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is POSIX")
def test_a_closed_terminal_removes_the_temp_files(inputs: Path, tmp_path: Path) -> None:
    """SIGHUP (the terminal window closed) ends the run as Ctrl+C does: no temp file left behind."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "scoring", "report", str(inputs), "--out", str(out), "--khong-luu"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ | ENV, text=True)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if out.is_dir() and any(p.suffix == ".tmp" for p in out.iterdir()):
            proc.send_signal(signal.SIGHUP)
            break
        time.sleep(0.002)
    else:
        pytest.skip("the run ended before a temp file was seen")
    _, err = proc.communicate(timeout=60)
    assert [p.name for p in out.iterdir() if p.suffix == ".tmp"] == []
    if proc.returncode == 0:  # the temp file seen was the last, and the run ended before the signal came
        pytest.skip("the run ended before the signal")
    assert proc.returncode == 130 and "Đã dừng theo yêu cầu" in err, err  # said, in Vietnamese, no traceback


def test_compare_on_many_units_shows_the_counts_and_the_largest_changes(tmp_path: Path) -> None:
    from scoring.history import open_history

    db = tmp_path / "h.sqlite3"
    units = 400  # above the 300 the console shows whole
    with open_history(db) as conn:
        for run, year in ((1, 2022), (2, 2023)):
            conn.execute("INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, "
                         "manifest) VALUES ('t', ?, 'x', 'reconstructed', '1', '{}')", (year,))
            for n in range(units):  # run 2: unit n moves by n - 200 points (200 fall, 1 stays, 199 rise)
                total = 50 + ((n - 200) / 10 if run == 2 else 0)
                conn.execute("INSERT INTO unit_results (run_id, unit_id, unit_name, subject, year, base, bonus, "
                             "deduction, total, grade_id, grade, rank) VALUES (?, ?, ?, 'xa', ?, '0', '0', '0', ?, "
                             "'kha', 'Khá', 1)", (run, f"X{n:03d}", f"Xã {n}", year, str(total)))
        conn.commit()
    code, said = invoke("so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db))
    assert code == 0, said
    assert "400 đơn vị: tăng điểm 199, giảm 200, không đổi 1, đổi xếp loại 0." in said
    assert "60 đơn vị thay đổi điểm nhiều nhất" in said and "--tat-ca" in said
    assert "X399" in said and "X000" in said and "X200" not in said  # the largest rise and fall; not the unchanged
    code, said = invoke("so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db), "--tat-ca")
    assert code == 0 and "X200" in said and "thay đổi điểm nhiều nhất" not in said


@pytest.mark.parametrize(("typed", "offered"), [("dong vuong", "«Xã Đồng Vương» (X01)"),
                                                ("Đồng Vươg", "«Xã Đồng Vương» (X01)"),
                                                ("bo ha", "«Thị trấn Bố Hạ» (X03)")])
def test_explain_offers_the_unit_a_name_without_accents_or_a_typo_means(inputs: Path, typed: str,
                                                                        offered: str) -> None:
    code, said = invoke("explain", str(inputs), "--don-vi", typed)
    assert code == 1, said
    assert f"Không tìm thấy đơn vị «{typed}». Có phải {offered}?" in said  # offered, never applied


def test_explain_takes_a_code_in_any_case(inputs: Path) -> None:
    code, said = invoke("explain", str(inputs), "--don-vi", "x01")
    assert code in (0, 1) and "Không tìm thấy" not in said and "Xã Đồng Vương" in said, said


def test_template_on_a_disk_filling_up_says_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from scoring.forms import generate

    registry = tmp_path / "don_vi.csv"
    registry.write_text("ma_don_vi,ten_don_vi,doi_tuong\nX01,Xã Một,xa\nX02,Xã Hai,xa\nX03,Xã Ba,xa\n",
                        encoding="utf-8")
    real, calls = generate.write_form, []

    def fills_up(path: Path, *args: object, **kw: object) -> Path:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(generate, "write_form", fills_up)
    code, said = invoke("template", "--don-vi", str(registry), "--out", str(tmp_path / "f"))
    assert code == 1, said
    assert "Đã tạo 2/3 biểu" in said and "--ghi-de" in said and "ổ đĩa hết chỗ trống" in said


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history of the demo's 2022 run (1) and 2023 run (2)."""
    demo = Path(__file__).resolve().parents[1] / "inputs"
    db = tmp_path_factory.mktemp("h2") / "h.sqlite3"
    for year in ("2022", "2023"):
        code, said = invoke("report", str(demo / f"yen_the_{year}"), "--nam", year, "--out",
                            str(db.parent / year), "--db", str(db))
        assert code in (0, 1), said
    return db


def test_compare_puts_the_older_year_first_whatever_the_order_given(two_years: Path) -> None:
    # --nam 2023 --nam 2022 showed a rise as a fall (the second minus the first)
    code, in_order = invoke("so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(two_years))
    assert code == 0, in_order
    code, reversed_order = invoke("so-sanh", "--nam", "2023", "--nam", "2022", "--db", str(two_years))
    assert code == 0 and reversed_order == in_order
    assert "So sánh năm 2022 (lần 1) và năm 2023 (lần 2)" in in_order


def test_compare_a_run_with_itself_is_a_usage_error(two_years: Path) -> None:
    code, said = invoke("so-sanh", "--nam", "2023", "--nam", "2023", "--db", str(two_years))
    assert code == 2 and "hai lần so sánh là một" in said, said
    code, said = invoke("so-sanh", "--nam", "2023", "--nam", "2023", "--lan", "2", "--lan", "2", "--db",
                        str(two_years))
    assert code == 2 and "hai lần so sánh là một" in said, said


def test_report_says_how_many_warnings_there_are(tmp_path: Path) -> None:
    # it printed a line for errors only: the huyện missing 29 figures went unsaid until the workbook was opened
    demo = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"
    code, said = invoke("report", str(demo), "--out", str(tmp_path / "o"), "--khong-luu")
    assert code == 0, said
    assert "cảnh báo: xem sheet «Kiểm tra» hoặc chạy qd274 check." in said and "lỗi dữ liệu" not in said


def test_explain_finds_a_unit_by_its_other_name(tmp_path: Path) -> None:
    # «Đông Vương» is Xã Đồng Vương's other name in the registry (ten_khac): forms are matched by it, explain was not
    demo = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"
    registry = (demo / "don_vi.csv").read_text("utf-8")
    line = next(x for x in registry.splitlines() if "Đồng Vương" in x)
    alias = line.rsplit(",", 1)[1].split(";")[0].strip()
    assert alias and alias != "Xã Đồng Vương", line  # the demo's registry holds one
    code, said = invoke("explain", str(demo), "--don-vi", alias)
    assert code == 0 and "Diễn giải điểm" in said and "Xã Đồng Vương" in said, said


def test_history_and_workbook_say_the_criteria_status_in_vietnamese(two_years: Path) -> None:
    code, said = invoke("lich-su", "--db", str(two_years))
    assert code == 0 and "tái dựng" in said and "reconstructed" not in said
    from python_calamine import CalamineWorkbook

    info = CalamineWorkbook.from_path(str(two_years.parent / "2023" / "ket_qua_cham_diem.xlsx"))
    cells = [str(v) for row in info.get_sheet_by_name("Thông tin").to_python() for v in row]
    assert any("tình trạng tái dựng" in c for c in cells) and not any("reconstructed" in c for c in cells)


def test_history_times_are_shown_as_people_read_them(two_years: Path) -> None:
    import re

    from scoring.cli import _local_time

    code, said = invoke("lich-su", "--db", str(two_years))
    assert code == 0 and not re.search(r"\d{4}-\d{2}-\d{2}T", said), said  # not ISO 8601
    assert len(re.findall(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", said)) == 2
    assert _local_time("2026-11-26T14:14:41") == "26/11/2026 14:14"  # no zone: as written
    assert _local_time("hôm qua") == "hôm qua"  # a stamp edited by hand: shown as it is
