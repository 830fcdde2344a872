"""The workbook's background writer: chunks arrive whole and in order, a failure in its thread is raised in
the caller, and CPython's switch interval is lowered only while it is open."""

from __future__ import annotations

import io
import sys

import pytest

from scoring.reports.background import SWITCH_INTERVAL, BackgroundWriter


class _Broken(io.BytesIO):
    def write(self, data: object) -> int:  # type: ignore[override]
        raise OSError(28, "No space left on device")


def test_chunks_arrive_in_order_and_the_interval_is_restored() -> None:
    before = sys.getswitchinterval()
    out = io.BytesIO()
    with BackgroundWriter(out) as writer:
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL)
        for n in range(500):
            writer.write(f"<row r=\"{n}\"/>".encode())
    assert out.getvalue() == b"".join(f"<row r=\"{n}\"/>".encode() for n in range(500))
    assert sys.getswitchinterval() == before


def test_a_failure_in_the_thread_is_raised_and_the_interval_restored() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(OSError, match="No space left"), BackgroundWriter(_Broken()) as writer:
        for _ in range(100):
            writer.write(b"x" * 1000)
    assert sys.getswitchinterval() == before


def test_writers_closed_out_of_order_restore_the_interval_once_all_are_closed() -> None:
    before = sys.getswitchinterval()
    first, second = BackgroundWriter(io.BytesIO()), BackgroundWriter(io.BytesIO())
    first.close()
    assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL)  # the second is still writing
    second.close()
    second.close()  # closing twice restores nothing twice
    assert sys.getswitchinterval() == before
