"""History of report runs in SQLite: append-only (triggers refuse UPDATE and DELETE), one transaction a run.

Points are stored as exact decimal text. Two runs for one year are both kept; comparisons use the latest
run of each year unless a run id is named.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pipeline import Run

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, year INTEGER,
  criteria_sha256 TEXT NOT NULL, criteria_status TEXT NOT NULL, engine_version TEXT NOT NULL, manifest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS unit_results (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,
  subject TEXT NOT NULL, year INTEGER NOT NULL, base TEXT NOT NULL, bonus TEXT NOT NULL, deduction TEXT NOT NULL,
  total TEXT NOT NULL, grade_id TEXT NOT NULL, grade TEXT NOT NULL, rank INTEGER,
  PRIMARY KEY (run_id, subject, unit_id));
CREATE TABLE IF NOT EXISTS criterion_results (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, subject TEXT NOT NULL,
  criterion_id TEXT NOT NULL, self TEXT, computed TEXT, appraised TEXT, final TEXT NOT NULL, status TEXT NOT NULL,
  PRIMARY KEY (run_id, subject, unit_id, criterion_id));
"""
_TABLES = ("runs", "unit_results", "criterion_results")


def default_db() -> Path:
    """The user's data folder: %LOCALAPPDATA%\\qd274 on Windows, $XDG_DATA_HOME/qd274 (~/.local/share) elsewhere."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "qd274" / "lich_su.sqlite3"


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA)
    for table in _TABLES:  # append-only: history is evidence
        for op in ("UPDATE", "DELETE"):
            conn.execute(f"CREATE TRIGGER IF NOT EXISTS no_{op.lower()}_{table} BEFORE {op} ON {table} "
                         f"BEGIN SELECT RAISE(ABORT, 'lịch sử chỉ được ghi thêm'); END")
    conn.commit()
    return conn


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def record_run(conn: sqlite3.Connection, run: Run) -> int:
    """Store one run in one transaction: either all of it is recorded or nothing is."""
    manifest = run.manifest()
    with conn:
        cur = conn.execute(
            "INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, manifest) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (manifest["generated_at"], run.year, manifest["criteria"]["sha256"], manifest["criteria"]["status"],
             manifest["engine"]["version"], json.dumps(manifest, ensure_ascii=False)))
        run_id = int(cur.lastrowid or 0)
        for r in run.results:
            conn.execute("INSERT INTO unit_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (run_id, r.unit.unit_id, r.unit.unit_name, r.unit.subject, r.unit.year, str(r.base),
                          str(r.bonus), str(r.deduction), str(r.total), r.grade_id, r.grade_name, r.rank))
            conn.executemany("INSERT INTO criterion_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [(run_id, r.unit.unit_id, r.unit.subject, rec.criterion_id, _text(rec.self_score),
                               _text(rec.computed), _text(rec.appraised), str(rec.points), rec.status)
                              for rec in r.records])
    return run_id


@dataclass(frozen=True)
class RunInfo:
    id: int
    created_at: str
    year: int | None
    units: int
    criteria_status: str
    inputs: int


def list_runs(conn: sqlite3.Connection) -> list[RunInfo]:
    rows = conn.execute("SELECT r.id, r.created_at, r.year, r.criteria_status, r.manifest, "
                        "(SELECT COUNT(*) FROM unit_results u WHERE u.run_id = r.id) FROM runs r ORDER BY r.id")
    return [RunInfo(i, c, y, n, s, len(json.loads(m)["inputs"])) for i, c, y, s, m, n in rows]


def latest_run(conn: sqlite3.Connection, year: int) -> int | None:
    row = conn.execute("SELECT MAX(id) FROM runs WHERE year = ?", (year,)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


@dataclass(frozen=True)
class Change:
    subject: str
    unit_id: str
    unit_name: str
    before: tuple[Decimal, str, int | None] | None  # total, grade, rank
    after: tuple[Decimal, str, int | None] | None

    @property
    def delta(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after[0] - self.before[0]


def compare(conn: sqlite3.Connection, run_a: int, run_b: int) -> list[Change]:
    def load(run_id: int) -> dict[tuple[str, str], tuple[str, tuple[Decimal, str, int | None]]]:
        rows = conn.execute("SELECT subject, unit_id, unit_name, total, grade, rank FROM unit_results "
                            "WHERE run_id = ?", (run_id,))
        return {(s, u): (n, (Decimal(t), g, r)) for s, u, n, t, g, r in rows}

    a, b = load(run_a), load(run_b)
    out = []
    for key in sorted(set(a) | set(b)):
        name = (b.get(key) or a[key])[0]
        out.append(Change(key[0], key[1], name, a[key][1] if key in a else None, b[key][1] if key in b else None))
    return out
