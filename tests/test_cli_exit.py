"""How the console entry point ends: the command's status, its output flushed, the run left for the process's end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import cli
from scoring.pipeline import Run
from tests.report_fixtures import UNITS, build_inputs


class Ended(Exception):
    """Stands in for os._exit, which would end the test process."""


@pytest.fixture
def entry(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """main() with os._exit recorded and the process's SIGTERM handler left alone."""
    ended: list[int] = []

    def fake_exit(code: int) -> None:
        ended.append(code)
        raise Ended

    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    monkeypatch.setattr("signal.signal", lambda *a: None)
    monkeypatch.setattr(cli, "_kept", None)  # restored after the test: main() arms it
    monkeypatch.setenv("COLUMNS", "120")
    return ended


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["qd274", *args])
    with pytest.raises(Ended):
        cli.main()


def test_a_command_ends_with_its_status_and_its_run_kept(entry: list[int], monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = build_inputs(tmp_path / "in")
    run_main(monkeypatch, "score", str(inputs))
    assert entry == [0]
    assert "Xếp hạng" in capsys.readouterr().out
    # the run was not freed as the command's frame unwound: the process's end drops it
    assert cli._kept is not None and len(cli._kept) == 1 and isinstance(cli._kept[0], Run)


def test_usage_errors_keep_status_2(entry: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    run_main(monkeypatch, "score")  # the folder is missing
    assert entry == [2]


def test_a_crash_is_not_swallowed(entry: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    def crash() -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(cli, "app", crash)
    with pytest.raises(RuntimeError, match="bug"):
        cli.main()
    assert entry == []  # unwound normally, with its traceback


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (130, 130)])
def test_exit_status_as_the_interpreter_gives_it(code: object, status: int) -> None:
    assert cli._exit_status(code) == status


def test_a_text_exit_code_is_printed_and_gives_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli._exit_status("không đọc được") == 1
    assert "không đọc được" in capsys.readouterr().err


def test_all_output_reaches_a_pipe_before_the_process_ends(tmp_path: Path) -> None:
    """Through a pipe stdout is block-buffered: the fast end must flush it, or the document's tail is lost
    (the JSON document is written to sys.stdout directly, without rich's flush after each print)."""
    inputs = build_inputs(tmp_path / "in")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-m", "scoring", "score", str(inputs), "--json"], capture_output=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    doc = json.loads(done.stdout)
    assert len(doc["units"]) == len(UNITS)
    assert done.stderr == b""
