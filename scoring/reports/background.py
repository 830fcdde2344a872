"""A write stream whose writes happen on a second thread, so compression and disk I/O overlap Python work."""

from __future__ import annotations

import queue
import sys
import threading
from types import TracebackType
from typing import IO, Any

_DONE = object()
SWITCH_INTERVAL = 0.001  # seconds (CPython's default is 0.005)


class _Interval:
    """CPython's switch interval is process-wide: lowered by the first writer opened, restored by the last one
    closed, in whatever order and thread they close."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.writers = 0
        self.saved = 0.0

    def lower(self) -> None:
        with self.lock:
            if not self.writers:
                self.saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self.saved, SWITCH_INTERVAL))
            self.writers += 1

    def restore(self) -> None:
        with self.lock:
            self.writers -= 1
            if not self.writers:
                sys.setswitchinterval(self.saved)


_INTERVAL = _Interval()


class BackgroundWriter:
    """Hands each chunk to a thread that writes it to `out`.

    zlib and file writes release the GIL, so on a 2-core machine a workbook's compression runs beside the
    XML generation instead of after it (bench/bench_scale.py). The queue is bounded: memory stays a few
    chunks, and a slow disk slows the producer rather than filling memory. A failure in the thread is
    raised in the caller at the next write or at close: nothing is lost silently.
    """

    def __init__(self, out: IO[Any]) -> None:
        self._out = out
        # The thread needs the GIL back after each zlib call: at CPython's 5 ms switch interval it waits that
        # long each time while the producer holds it, the queue fills and the producer waits in turn. At 1 ms
        # the two overlap (a national workbook: 1.25 s → 1.09 s). Restored at close.
        _INTERVAL.lower()
        self._lowered = True
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=4)  # a few chunks of ~2,000 rows
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="qd274-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is _DONE:
                return
            if self._error is None:  # after a failure, drain the queue so the producer never blocks
                try:
                    self._out.write(chunk)
                except BaseException as exc:
                    self._error = exc

    def write(self, chunk: Any) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(chunk)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        if self._lowered:
            self._lowered = False
            _INTERVAL.restore()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
