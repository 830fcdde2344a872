"""`qd274 report --out`: a place the files cannot go is said at once, in Vietnamese, and nothing is written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.reports import writer
from tests.report_fixtures import build_inputs

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_inputs(tmp_path_factory.mktemp("in"))


def report(inputs: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(out), "--khong-luu"], env=ENV)
    return result.exit_code, " ".join(result.output.split())  # the error panel wraps: compare on one line


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_file_as_out_is_a_usage_error(inputs: Path, tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    for out in (tmp_path / "a_file", tmp_path / "a_file" / "below"):
        code, text = report(inputs, out)
        assert code == 2, text
        assert "--out" in text and "là một tệp, không phải thư mục" in text
    assert (tmp_path / "a_file").read_text() == "x"


@pytest.mark.parametrize("inside", [".", "ket_qua", "a/b"])
def test_the_input_folder_and_any_folder_inside_it_are_refused(inputs: Path, inside: str) -> None:
    before = listing(inputs)
    code, text = report(inputs, inputs / inside)
    assert code == 2, text
    assert "nằm trong thư mục đầu vào" in text and "không ghi gì vào thư mục đầu vào" in text
    assert listing(inputs) == before  # not even an empty folder


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_link_to_the_input_folder_is_the_input_folder(inputs: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    os.symlink(inputs, link)
    before = listing(inputs)
    code, text = report(inputs, link)
    assert code == 2 and "nằm trong thư mục đầu vào" in text, text
    assert listing(inputs) == before


def test_a_folder_where_a_file_should_go_is_named(inputs: Path, tmp_path: Path) -> None:
    (tmp_path / "out" / writer.XLSX).mkdir(parents=True)
    code, text = report(inputs, tmp_path / "out")
    assert code == 2, text
    assert writer.XLSX in text and "không phải tệp" in text
    assert listing(tmp_path / "out") == [writer.XLSX]


def test_a_folder_that_cannot_be_made_is_an_error_not_a_bug(inputs: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)  # as a read-only share or a full disk refuses it
    code, text = report(inputs, tmp_path / "new")
    assert code == 1, text
    assert "không ghi được tệp kết quả vào" in text and "Permission denied" in text
    assert "Lỗi nội bộ" not in text


def test_a_folder_beside_the_inputs_is_fine(inputs: Path, tmp_path: Path) -> None:
    code, text = report(inputs, tmp_path / "ket_qua")
    assert code in (0, 1), text
    assert sorted(p.name for p in (tmp_path / "ket_qua").iterdir()) == sorted(
        [writer.XLSX, writer.DOCX, writer.HTML, writer.TRACE])


def report_db(inputs: Path, out: Path, db: Path, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(out), "--db", str(db), *more], env=ENV)
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("inside", ["lich_su.sqlite3", "xa/lich_su.sqlite3"])
def test_a_history_file_inside_the_input_folder_is_refused_at_once(inputs: Path, tmp_path: Path, inside: str
                                                                   ) -> None:
    before = listing(inputs)
    code, text = report_db(inputs, tmp_path / "out", inputs / inside)
    assert code == 2, text
    assert "--db" in text and "nằm trong thư mục đầu vào" in text and "bỏ --db" in text
    assert listing(inputs) == before
    assert not (tmp_path / "out").exists()  # said before any input is read or any file written


def test_a_folder_as_history_file_is_refused_at_once(inputs: Path, tmp_path: Path) -> None:
    code, text = report_db(inputs, tmp_path / "out", tmp_path)
    assert code == 2, text
    assert "là một thư mục: --db cần tên một tệp" in text
    assert not (tmp_path / "out").exists()


def test_without_the_history_the_db_option_is_not_checked(inputs: Path, tmp_path: Path) -> None:
    before = listing(inputs)
    code, text = report_db(inputs, tmp_path / "out", inputs / "lich_su.sqlite3", "--khong-luu")
    assert code in (0, 1), text
    assert (tmp_path / "out" / writer.TRACE).is_file()
    assert listing(inputs) == before


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_as_history_file_is_refused_at_once(inputs: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "h.sqlite3"
    os.mkfifo(fifo)
    code, text = report_db(inputs, tmp_path / "out", fifo)
    assert code == 2 and "không phải tệp thường" in text, text
    assert fifo.is_fifo() and not (tmp_path / "out").exists()


def test_a_dash_as_out_is_not_a_folder_named_dash(inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    monkeypatch.chdir(tmp_path)
    code, text = report(inputs, Path("-"))
    assert code == 2 and "«-» (màn hình) không dùng được" in text, text
    assert not (tmp_path / "-").exists()
