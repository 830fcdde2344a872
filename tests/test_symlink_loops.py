"""A loop of symbolic links (a → b → a) given as an input, the registry, --out or --db: a clear error, never a
crash. Path.resolve raises RuntimeError on one (Python 3.11), which reached users as an internal error (exit 3)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.reports.writer import db_problem
from scoring.safe_paths import inside, real_path

DEMO = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX links")


def _loop(folder: Path, name: str = "a") -> Path:
    (folder / name).symlink_to(folder / f"{name}_b")
    (folder / f"{name}_b").symlink_to(folder / name)
    return folder / name


def _demo(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    shutil.copytree(DEMO, src)
    return src


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, " ".join(result.output.split())


def test_real_path_follows_a_loop_without_raising(tmp_path: Path) -> None:
    loop = _loop(tmp_path)
    with pytest.raises((RuntimeError, OSError)):
        loop.resolve()  # what the code used to call
    assert real_path(loop).parent == real_path(tmp_path)
    assert inside(tmp_path, "x", "y.xlsx") == real_path(tmp_path) / "x" / "y.xlsx"


def test_a_registry_that_is_a_loop_is_an_error_not_a_crash(tmp_path: Path) -> None:
    src = _demo(tmp_path)
    (src / "don_vi.csv").unlink()
    _loop(src, "don_vi.csv")
    code, out = _invoke("check", str(src))
    assert code == 1, out
    assert "Lỗi nội bộ" not in out and "RuntimeError" not in out
    assert "don_vi.csv" in out


def test_a_registry_option_that_is_a_loop_is_an_error_not_a_crash(tmp_path: Path) -> None:
    src = _demo(tmp_path)
    loop = _loop(tmp_path)
    code, out = _invoke("check", str(src), "--danh-sach", str(loop))
    assert code == 1, out
    assert "Lỗi nội bộ" not in out and "RuntimeError" not in out


def test_report_out_that_is_a_loop_is_an_error_not_a_crash(tmp_path: Path) -> None:
    src = _demo(tmp_path)
    loop = _loop(tmp_path)
    code, out = _invoke("report", str(src), "--out", str(loop), "--khong-luu")
    assert code == 1, out
    assert "Lỗi nội bộ" not in out and "RuntimeError" not in out
    assert sorted(p.name for p in src.iterdir()) == sorted(p.name for p in DEMO.iterdir())  # nothing written there


def test_a_history_that_is_a_loop_is_refused_before_any_work(tmp_path: Path) -> None:
    src = _demo(tmp_path)
    loop = _loop(tmp_path)
    assert db_problem(loop, src) is not None
    out_dir = tmp_path / "out"
    code, out = _invoke("report", str(src), "--out", str(out_dir), "--db", str(loop))
    assert code == 2, out
    assert "vòng liên kết" in out
    assert not out_dir.exists()
