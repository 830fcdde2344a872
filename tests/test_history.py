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


def test_criterion_results_read_back_as_rows_exactly(tmp_path: Path) -> None:
    run = small_run(tmp_path / "in")
    conn = connect(tmp_path / "h.sqlite3")
    run_id = record_run(conn, run)
    rows = {(u, c): (s, k, a, f, st) for u, c, s, k, a, f, st in conn.execute(
        "SELECT unit_id, criterion_id, self, computed, appraised, final, status FROM criterion_results "
        "WHERE run_id = ?", (run_id,))}
    expected = {(r.unit.unit_id, rec.criterion_id): (
        None if rec.self_score is None else str(rec.self_score), None if rec.computed is None else str(rec.computed),
        None if rec.appraised is None else str(rec.appraised), str(rec.points), rec.status)
        for r in run.results for rec in r.records}
    assert rows == expected


_SCHEMA_1 = """
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, year INTEGER,
  criteria_sha256 TEXT NOT NULL, criteria_status TEXT NOT NULL, engine_version TEXT NOT NULL, manifest TEXT NOT NULL);
CREATE TABLE unit_results (run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL,
  unit_name TEXT NOT NULL, subject TEXT NOT NULL, year INTEGER NOT NULL, base TEXT NOT NULL, bonus TEXT NOT NULL,
  deduction TEXT NOT NULL, total TEXT NOT NULL, grade_id TEXT NOT NULL, grade TEXT NOT NULL, rank INTEGER,
  PRIMARY KEY (run_id, subject, unit_id));
CREATE TABLE criterion_results (run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL,
  subject TEXT NOT NULL, criterion_id TEXT NOT NULL, self TEXT, computed TEXT, appraised TEXT, final TEXT NOT NULL,
  status TEXT NOT NULL, PRIMARY KEY (run_id, subject, unit_id, criterion_id));
CREATE TRIGGER no_delete_criterion_results BEFORE DELETE ON criterion_results
  BEGIN SELECT RAISE(ABORT, 'lịch sử chỉ được ghi thêm'); END;
INSERT INTO runs VALUES (1, '2024-01-05T08:00:00', 2022, 'abc', 'reconstructed', '0.1.0', '{"inputs": []}');
INSERT INTO unit_results VALUES (1, 'X01', 'Xã Cũ', 'xa', 2022, '80', '1', '0', '81', 'kha', 'Khá', 1);
INSERT INTO criterion_results VALUES (1, 'X01', 'xa', 'I.1', NULL, '3', NULL, '3', 'ok');
"""


def test_a_schema_1_history_is_migrated_without_losing_a_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(_SCHEMA_1)
    old.close()
    conn = connect(path)
    assert conn.execute("SELECT * FROM criterion_results").fetchall() == [
        (1, "X01", "xa", "I.1", None, "3", None, "3", "ok")]
    run = small_run(tmp_path / "in", year=2023)
    new = record_run(conn, run)
    assert [c.unit_id for c in compare(conn, 1, new) if c.before is not None] == ["X01"]
    assert conn.execute("SELECT COUNT(*) FROM criterion_results WHERE run_id = ?", (new,)).fetchone()[0] == sum(
        len(r.records) for r in run.results)
    with pytest.raises(sqlite3.DatabaseError, match="ghi thêm"):  # still append-only after the move
        conn.execute("DELETE FROM criterion_results_v1")
    conn.close()
    again = connect(path)  # a second connect changes nothing
    assert again.execute("SELECT COUNT(*) FROM criterion_results WHERE run_id = 1").fetchone()[0] == 1
