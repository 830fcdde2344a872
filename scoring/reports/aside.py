"""A second process for the Word report's charts: it imports matplotlib while the inputs are read, and
draws while the workbook is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from ..criteria.models import CriteriaFile
from ..readers.parallel import start_method, workers
from .chart import Chart, draw_all, prepare

Charts = Callable[[], "list[bytes] | None"]


class ChartWorker:
    """Draws one batch of chart jobs on its process; `draw` gives a function that returns the PNGs, or None
    when the process is gone (the Word writer then draws them itself). The process ends once it has delivered
    them. An error while drawing is raised, not hidden."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self._pool = pool

    def draw(self, jobs: Sequence[Chart], cf: CriteriaFile) -> Charts:
        from concurrent.futures.process import BrokenProcessPool

        try:
            future: Future[list[bytes]] = self._pool.submit(draw_all, list(jobs), cf)
        except (BrokenProcessPool, RuntimeError):
            return lambda: None

        def result() -> list[bytes] | None:
            try:
                return future.result()
            except BrokenProcessPool:  # killed (out of memory, a limit): drawn in place instead
                return None
            finally:  # its work is done: its memory is given back before the largest file is written
                self._pool.shutdown(wait=True)

        return result


@contextmanager
def chart_worker() -> Iterator[ChartWorker | None]:
    """A worker forked now, while this process is small: forked later, with a run's records in memory, it
    would share their pages and make both processes copy them (measured: the workbook and trace 0.5 s slower).

    matplotlib's import and the drawing take ~0.25 s of `qd274 report`, done here on the core that reading
    and evaluation leave idle (bench/bench_scale.py, cli-report). None where no worker pays: one core,
    QD274_WORKERS=1, or a spawned process (Windows, macOS), which would import qd274 and matplotlib again.
    """
    if workers() < 2 or start_method() != "fork":
        yield None
        return
    import multiprocessing

    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        pool.submit(prepare)
    except OSError:  # no processes here (a sandbox, a limit)
        yield None
        return
    try:
        yield ChartWorker(pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
