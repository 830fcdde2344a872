"""Many files are read on worker processes: the result must be exactly what one process reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import load_criteria
from scoring.readers import parallel
from scoring.readers.folder import read_inputs
from tests.report_fixtures import build_inputs

CRITERIA = load_criteria()


def _folder(tmp_path: Path) -> Path:
    folder = build_inputs(tmp_path / "in")
    (folder / "xa" / "hong.xlsx").write_bytes(b"PK\x03\x04 not a real zip")  # a broken file among good ones
    (folder / "xa" / "ghi_chu.xlsx").write_text("a,b\n1,2\n", "utf-8")  # a CSV posing as a workbook
    return folder


def _view(result):  # type: ignore[no-untyped-def]
    return (result.units, result.problems, [(f.name, f.sha256, f.size, f.kind) for f in result.files])


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_read_what_one_process_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      method: str) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setenv("QD274_WORKERS", "1")
    alone = read_inputs(folder, CRITERIA, year=2023)
    monkeypatch.setenv("QD274_WORKERS", "2")
    monkeypatch.setattr(parallel, "MIN_FILES_FORK", 1)
    monkeypatch.setattr(parallel, "MIN_FILES_SPAWN", 1)
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    used = []
    real = parallel._on_workers
    monkeypatch.setattr(parallel, "_on_workers", lambda *a: used.append(a[-1]) or real(*a))
    seen: list[tuple[int, int]] = []
    together = read_inputs(folder, CRITERIA, year=2023, progress=lambda k, n: seen.append((k, n)))
    assert used == [method]
    assert _view(together) == _view(alone)
    assert len(alone.units) == 7 and {"hong.xlsx", "ghi_chu.xlsx"} <= {
        Path(p.location.file or "").name for p in alone.problems if p.severity == "error"}
    assert seen == [(k, len(seen)) for k in range(1, len(seen) + 1)] and len(seen) >= 9


def test_without_worker_processes_the_files_are_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setenv("QD274_WORKERS", "2")
    monkeypatch.setattr(parallel, "MIN_FILES_FORK", 1)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", refuse)
    monkeypatch.setenv("QD274_WORKERS", "1")
    alone = read_inputs(folder, CRITERIA, year=2023)
    monkeypatch.setenv("QD274_WORKERS", "2")
    assert _view(read_inputs(folder, CRITERIA, year=2023)) == _view(alone)
