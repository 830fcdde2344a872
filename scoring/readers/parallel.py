"""Reading many input files on every core: worker processes and this one share the files, results kept in order."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
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
        # imported here: a district's few files never need them, and every command reads inputs
        from concurrent.futures.process import BrokenProcessPool

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
    """n - 1 worker processes take chunks from the end of the list while this process reads from the front;
    they meet in the middle. This process would otherwise wait idle, and what it reads needs no pickling."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context(method)
    size = max(1, len(files) // (n * 8))  # small enough to balance, large enough to keep the pipes quiet
    chunks = [files[k:k + size] for k in range(0, len(files), size)]
    results: list[list[Any] | None] = [None] * len(chunks)
    done = 0
    pool = concurrent.futures.ProcessPoolExecutor(n - 1, mp_context=context, initializer=_start,
                                                  initargs=(read, criteria))
    try:
        futures = {k: pool.submit(_read_chunk, chunks[k]) for k in reversed(range(len(chunks)))}
        for k, chunk in enumerate(chunks):
            if not futures[k].cancel():  # a worker has it already: the rest are theirs
                break
            results[k] = [read(criteria, f) for f in chunk]
            done += len(chunk)
            if progress:
                progress(done, len(files))
        for k in range(len(chunks)):
            if results[k] is None:
                results[k] = futures[k].result()
                done += len(chunks[k])
                if progress:
                    progress(done, len(files))
    finally:  # on Ctrl+C or an error, queued chunks are dropped rather than read to the end
        pool.shutdown(wait=True, cancel_futures=True)
    # Yielded only once every file is read: a failed pool falls back to reading all files here, never half.
    for out in results:
        yield from out or ()


def _start(read: Callable[[Criteria, Path], Any], criteria: Criteria) -> None:
    global _reader
    import gc

    gc.disable()  # a worker lives for one run and allocates only acyclic records (see scoring.batch)
    _reader = lambda f: read(criteria, f)  # noqa: E731


def _read_chunk(files: Sequence[Path]) -> list[Any]:
    assert _reader is not None
    return [_reader(f) for f in files]
