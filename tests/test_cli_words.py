"""typer's own words in Vietnamese: usage errors (exit 2), the usage line and --help of every help screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.cli_words import message

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, " ".join(result.output.replace("│", " ").split())


@pytest.mark.parametrize(("args", "words", "usage"), [
    (["score", "/tmp", "--khong-co"], "Không có tùy chọn --khong-co.", True),
    (["report"], "Thiếu tham số «ĐƯỜNG_DẪN» (bắt buộc).", True),
    (["template", "--nam", "2023"], "Thiếu tùy chọn --out (bắt buộc).", True),
    (["template", "--out", "x.xlsx", "--nam", "hai nghìn"], "Giá trị không hợp lệ cho --nam: cần một số nguyên", True),
    (["score", "Thư", "mục"], "Thừa tham số: mục.", True),
    (["scor"], "Không có lệnh «scor».", True),  # typer ≥ 0.20 adds "Có phải «score»?"
    # found while the options are split, before a command is known: typer gives no usage line to show
    (["score", "/tmp", "--nam"], "Tùy chọn --nam cần một giá trị ngay sau nó.", False),
    (["score", "/tmp", "--json=1"], "Tùy chọn --json không nhận giá trị", False),
])
def test_usage_errors_are_vietnamese(args: list[str], words: str, usage: bool) -> None:
    code, out = invoke(*args)
    assert code == 2
    assert words in out
    assert ("Cách dùng: qd274" in out and "--help» để biết" in out) == usage
    for english in ("No such", "Missing", "Invalid value", "Try '", "requires an argument", "Got unexpected"):
        assert english not in out


def test_our_own_bad_parameter_keeps_its_words() -> None:
    code, out = invoke("score", "/tmp", "--doi-tuong", "tinh")
    assert code == 2
    assert "Giá trị không hợp lệ cho --doi-tuong: cần huyen, xa hoặc co_quan" in out


def test_an_unknown_error_keeps_typers_words() -> None:
    class Strange(Exception):
        message = "Something new"

        def format_message(self) -> str:
            return "Something new, said by typer"

    assert message(Strange()) == "Something new, said by typer"


def test_the_installed_command_speaks_vietnamese() -> None:
    done = subprocess.run([sys.executable, "-m", "scoring", "score", "--khong-co", "."], capture_output=True,
                          text=True, timeout=60, env={**ENV, "PATH": ""})
    assert done.returncode == 2
    assert "Cách dùng:" in done.stderr and "Không có tùy chọn --khong-co." in done.stderr


@pytest.mark.parametrize("args", [["--help"], ["score", "--help"], ["report", "--help"]])
def test_help_screens_speak_vietnamese(args: list[str]) -> None:
    code, out = invoke(*args)
    assert code == 0
    assert "Cách dùng: qd274" in out and "[TÙY_CHỌN]" in out
    assert "Hiện hướng dẫn này rồi thoát." in out
    for english in ("Usage:", "Show this message", "[OPTIONS]", "COMMAND [ARGS]"):
        assert english not in out


@pytest.mark.parametrize("args", [["report", "--help"], ["so-sanh", "--help"], ["template", "--help"]])
def test_help_screens_name_values_in_vietnamese(args: list[str]) -> None:
    # typer writes <path>, <int>, <str> and <bool> for a flag (≥ 0.29), or PATH, INTEGER, TEXT
    code, out = invoke(*args)
    assert code == 0
    for english in ("<path>", "<int>", "<str>", "<bool>", "<list", "INTEGER", "TEXT", "BOOLEAN", "None]", "{",
                    "PATH"):
        assert english not in out
    options = out[out.index("--"):]  # the options panel
    assert "ĐƯỜNG_DẪN" in options or "SỐ" in options


@pytest.mark.parametrize("command", ["score", "check", "report", "explain"])
def test_the_input_argument_is_named_in_vietnamese(command: str) -> None:
    code, out = invoke(command, "--help")
    assert code == 0
    assert f"Cách dùng: qd274 {command} [TÙY_CHỌN] ĐƯỜNG_DẪN" in out
    panel = out[out.index("Tham số"):out.index("Tùy chọn")]
    assert "ĐƯỜNG_DẪN" in panel and "path" not in panel


def test_typers_command_suggestion_is_kept() -> None:
    class UsageError(Exception):
        message = "No such command 'scor'. Did you mean 'score'?"

    assert message(UsageError()) == "Không có lệnh «scor». Có phải «score»?"


def test_a_usage_error_in_so_sanh_creates_no_history(tmp_path: Path) -> None:
    db = tmp_path / "lich_su.sqlite3"
    code, out = invoke("so-sanh", "--nam", "2022", "--nam", "2023", "--lan", "1", "--db", str(db))
    assert code == 2 and "cần hai --lan" in out
    assert not db.exists()


def test_command_descriptions_are_one_paragraph() -> None:
    # typer keeps a docstring's line breaks: a description wrapped in the source broke mid-phrase on screen
    from scoring.cli import app

    for registered in app.registered_commands:
        doc = registered.callback.__doc__ if registered.callback else None
        assert doc and "\n" not in doc.strip(), registered.name
