"""The Word report's charts drawn on a second process: the same bytes as drawn in place; a worker that dies is
replaced by drawing in place; an error while drawing is raised, not hidden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scoring.pipeline import Run
from scoring.readers.parallel import start_method
from scoring.reports import aside, writer
from scoring.reports.aside import chart_worker
from scoring.reports.chart import Chart
from scoring.reports.docx_report import chart_jobs
from tests.report_fixtures import small_run

pytestmark = pytest.mark.skipif(start_method() != "fork", reason="the chart worker is forked (Linux only)")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return small_run(tmp_path_factory.mktemp("in"))


@pytest.fixture(scope="module")
def in_place(run: Run, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("in_place")
    writer.write_all(run, out)  # no worker: the Word writer draws
    return (out / writer.DOCX).read_bytes()


def _die(jobs: list[Chart], cf: object) -> list[bytes]:
    os._exit(3)  # the worker process ends as if killed


def _fail(jobs: list[Chart], cf: object) -> list[bytes]:
    raise RuntimeError("biểu đồ hỏng")


def test_charts_drawn_on_the_worker_are_the_bytes_drawn_in_place(run: Run, in_place: bytes, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QD274_WORKERS", "2")
    assert len(chart_jobs(run)) >= 3  # one chart per subject type at least
    with chart_worker() as worker:
        assert worker is not None
        pngs = worker.draw(chart_jobs(run), run.criteria.file)()
    assert pngs is not None and all(p.startswith(b"\x89PNG") for p in pngs)  # drawn there, not in place
    with chart_worker() as worker:
        writer.write_all(run, tmp_path, worker)
        assert worker is not None and worker.draw(chart_jobs(run), run.criteria.file)() is None  # it has ended
    assert (tmp_path / writer.DOCX).read_bytes() == in_place


def test_a_worker_that_dies_is_replaced_by_drawing_in_place(run: Run, in_place: bytes, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QD274_WORKERS", "2")
    monkeypatch.setattr(aside, "draw_all", _die)
    with chart_worker() as worker:
        assert worker is not None
        assert worker.draw(chart_jobs(run), run.criteria.file)() is None
        writer.write_all(run, tmp_path, worker)
    assert (tmp_path / writer.DOCX).read_bytes() == in_place


def test_an_error_while_drawing_is_raised_and_leaves_no_word_file(run: Run, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QD274_WORKERS", "2")
    monkeypatch.setattr(aside, "draw_all", _fail)
    with chart_worker() as worker, pytest.raises(RuntimeError, match="biểu đồ hỏng"):
        writer.write_all(run, tmp_path, worker)
    assert not (tmp_path / writer.DOCX).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_no_worker_with_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QD274_WORKERS", "1")
    with chart_worker() as worker:
        assert worker is None
