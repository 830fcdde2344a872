"""A second process for the Word report's charts: it imports matplotlib while the inputs are read, and
draws while the workbook is written."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from ..criteria.models import CriteriaFile
from ..readers.parallel import start_method, workers
from .chart import Chart, draw_all, prepare

Charts = Callable[[], "list[bytes] | None"]


class ChartWorker:
    """Draws one batch of chart jobs on its process. `draw` gives a function that returns the PNGs, or None
    when the process is gone (the Word writer then draws them itself); an error while drawing is raised
    there, not hidden. The process ends once it has answered."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self._process = process
        self._conn = conn

    def draw(self, jobs: Sequence[Chart], cf: CriteriaFile) -> Charts:
        try:
            self._conn.send((list(jobs), cf))
        except (OSError, ValueError):  # gone already (killed, or asked once before)
            self.stop()
            return lambda: None

        def result() -> list[bytes] | None:
            try:
                ok, payload = self._conn.recv()
            except (EOFError, OSError):  # killed (out of memory, a limit): drawn in place instead
                return None
            finally:
                self.stop()
            if not ok:
                raise payload
            return payload  # type: ignore[no-any-return]

        return result

    def stop(self, kill: bool = False) -> None:
        """Wait for the process to end (it ends once it has answered); `kill`: end it now (an error here)."""
        if kill and self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=None if not kill else 5)
        self._conn.close()


def _serve(conn: Connection, other_end: Connection) -> None:
    """The worker: import matplotlib, wait for the jobs, answer once. Ctrl+C is for the main process, which
    ends this one (SIGTERM, plainly: not the command's handler, inherited by the fork, that raises
    KeyboardInterrupt); if the main process dies, its end of the pipe closes and `recv` ends this one too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    other_end.close()  # else this process would hold the pipe open itself and never see its parent go
    prepare()
    try:
        jobs, cf = conn.recv()
    except (EOFError, OSError):
        return
    answer: tuple[bool, Any]
    try:
        answer = (True, draw_all(jobs, cf))
    except Exception as exc:  # raised again in the main process, by the Word writer's call
        answer = (False, exc)
    try:
        conn.send(answer)
    except Exception as exc:  # an exception that cannot be pickled: its text is sent instead
        conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


@contextmanager
def chart_worker() -> Iterator[ChartWorker | None]:
    """A worker forked now, while this process is small: forked later, with a run's records in memory, it
    would share their pages and make both processes copy them (measured: the workbook and trace 0.5 s slower).

    matplotlib's import and the drawing take ~0.25 s of `qd274 report`, done here on the core that reading
    and evaluation leave idle (bench/bench_scale.py, cli-report). None where no worker pays: one core,
    QD274_WORKERS=1, or a spawned process (Windows, macOS), which would import qd274 and matplotlib again.
    On an error (or Ctrl+C) in this process the worker is ended at once, not waited for.
    """
    if workers() < 2 or start_method() != "fork":
        yield None
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe()
    try:
        process = context.Process(target=_serve, args=(theirs, mine), name="qd274-bieu-do", daemon=True)
        process.start()
    except OSError:  # no processes here (a sandbox, a limit)
        mine.close()
        theirs.close()
        yield None
        return
    theirs.close()  # the worker's end: closed here, so that `recv` sees the worker go
    worker = ChartWorker(process, mine)
    try:
        yield worker
    except BaseException:
        worker.stop(kill=True)
        raise
    worker.stop(kill=True)  # normally ended already; if its charts were never asked for, not waited for
