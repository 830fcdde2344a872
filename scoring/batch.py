"""Pausing the cyclic garbage collector around batch work that allocates many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """A run allocates hundreds of thousands of acyclic trace records; the collector's repeated scans of
    them cost about a third of the run (bench/bench_evaluate.py) and free nothing.

    On the way out the survivors are frozen (moved out of the collector's reach; reference counting
    still frees them): otherwise the first collection after re-enabling scans them all at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
