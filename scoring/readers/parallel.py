"""Reading many input files on every core: each file is read by a worker process, results merged in order."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..criteria import Criteria

# Below these counts one process is faster: a forked worker costs ~10 ms to start, a spawned one (Windows,
# macOS) ~0.5 s, since it imports qd274 again (bench/bench_scale.py, forms-250 and forms-2500).
MIN_FILES_FORK, MIN_FILES_SPAWN = 40, 400
Reader = Callable[[Path], Any]

_reader: Reader | None = None  # a worker's reader, set once by the initializer


def workers() -> int:
    """How many reader processes: QD274_WORKERS if set (1: no worker processes), else the usable cores (≤ 8)."""
    wanted = os.environ.get("QD274_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Windows or macOS
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def start_method() -> str:
    return "fork" if sys.platform == "linux" else "spawn"  # fork is unsafe on macOS, absent on Windows


def read_all(files: Sequence[Path], read: Callable[[Criteria, Path], Any], criteria: Criteria,
             progress: Callable[[int, int], None] | None = None) -> Iterator[Any]:
    """read(criteria, f) for every file, in the files' order; on worker processes when it pays."""
    method = start_method()
    n = workers()
    if n > 1 and len(files) >= (MIN_FILES_FORK if method == "fork" else MIN_FILES_SPAWN):
        try:
            yield from _on_workers(files, read, criteria, progress, n, method)
            return
        except (BrokenProcessPool, OSError):  # no processes here (a sandbox, a limit): read them in this one
            pass
    for k, f in enumerate(files):
        yield read(criteria, f)
        if progress:
            progress(k + 1, len(files))


def _on_workers(files: Sequence[Path], read: Callable[[Criteria, Path], Any], criteria: Criteria,
                progress: Callable[[int, int], None] | None, n: int, method: str) -> Iterator[Any]:
    context = multiprocessing.get_context(method)
    chunk = max(1, len(files) // (n * 8))  # small enough to balance, large enough to keep the pipes quiet
    results = []
    with ProcessPoolExecutor(n, mp_context=context, initializer=_start, initargs=(read, criteria)) as pool:
        for k, out in enumerate(pool.map(_read_one, files, chunksize=chunk)):
            results.append(out)
            if progress:
                progress(k + 1, len(files))
    # Yielded only once every file is read: a failed pool falls back to reading all files here, never half.
    yield from results


def _start(read: Callable[[Criteria, Path], Any], criteria: Criteria) -> None:
    global _reader
    import gc

    gc.disable()  # a worker lives for one run and allocates only acyclic records (see scoring.batch)
    _reader = lambda f: read(criteria, f)  # noqa: E731


def _read_one(f: Path) -> Any:
    assert _reader is not None
    return _reader(f)
