"""History in SQLite: append-only, one transaction per run, deltas between two years."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scoring import history
from scoring.history import compare, connect, latest_run, list_runs, record_run
from tests.report_fixtures import small_run


def test_two_years_give_the_expected_deltas(tmp_path: Path) -> None:
    run22 = small_run(tmp_path / "y2022", seed=1, year=2022)
    run23 = small_run(tmp_path / "y2023", seed=2, year=2023)
    conn = connect(tmp_path / "h.sqlite3")
    a, b = record_run(conn, run22), record_run(conn, run23)
    again = record_run(conn, run23)  # a second run for the same year is kept; the latest is used
    assert [r.id for r in list_runs(conn)] == [a, b, again]
    assert latest_run(conn, 2023) == again and latest_run(conn, 2022) == a
    changes = {(c.subject, c.unit_id): c for c in compare(conn, a, latest_run(conn, 2023) or 0)}
    for r23 in run23.results:
        r22 = next(r for r in run22.results if r.unit.unit_id == r23.unit.unit_id)
        c = changes[(r23.unit.subject, r23.unit.unit_id)]
        assert c.delta == r23.total - r22.total
        assert c.before == (r22.total, r22.grade_name, r22.rank) and c.after == (r23.total, r23.grade_name, r23.rank)


def test_history_is_append_only(tmp_path: Path) -> None:
    conn = connect(tmp_path / "h.sqlite3")
    record_run(conn, small_run(tmp_path / "in"))
    with pytest.raises(sqlite3.DatabaseError, match="ghi thêm"):
        conn.execute("UPDATE unit_results SET total = '100'")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("DELETE FROM runs")


def test_interrupted_run_leaves_the_database_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = small_run(tmp_path / "in")
    path = tmp_path / "h.sqlite3"
    conn = connect(path)
    record_run(conn, run)
    before = conn.execute("SELECT COUNT(*) FROM criterion_results").fetchone()

    def boom(value: object) -> str:
        raise KeyboardInterrupt  # the user presses Ctrl+C while units are being written

    monkeypatch.setattr(history, "_text", boom)
    with pytest.raises(KeyboardInterrupt):
        record_run(conn, run)
    conn.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
    assert conn.execute("SELECT COUNT(*) FROM criterion_results").fetchone() == before
