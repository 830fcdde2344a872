"""History of report runs in SQLite: append-only (triggers refuse UPDATE and DELETE), one transaction a run.

Points are stored as exact decimal text. Two runs for one year are both kept; comparisons use the latest
run of each year unless a run id is named.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import HistoryError

if TYPE_CHECKING:
    from .pipeline import Run

# Schema 2: a unit's per-criterion results are one JSON array in its unit_results row (466,000 rows of a
# national run took 1.4 s to insert; 10,600 arrays take a tenth of that), and the view criterion_results
# gives them back as rows. Schema 1 kept them in a table of that name: a schema-1 file is migrated in place
# (the table is renamed and read through the same view), nothing is rewritten or dropped.
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, year INTEGER,
  criteria_sha256 TEXT NOT NULL, criteria_status TEXT NOT NULL, engine_version TEXT NOT NULL, manifest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS unit_results (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,
  subject TEXT NOT NULL, year INTEGER NOT NULL, base TEXT NOT NULL, bonus TEXT NOT NULL, deduction TEXT NOT NULL,
  total TEXT NOT NULL, grade_id TEXT NOT NULL, grade TEXT NOT NULL, rank INTEGER,
  criteria TEXT,  -- [[criterion_id, self, computed, appraised, final, status], …], exact decimal text
  PRIMARY KEY (run_id, subject, unit_id));
"""
_V1_CRITERIA = """
CREATE TABLE IF NOT EXISTS criterion_results_v1 (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, subject TEXT NOT NULL,
  criterion_id TEXT NOT NULL, self TEXT, computed TEXT, appraised TEXT, final TEXT NOT NULL, status TEXT NOT NULL,
  PRIMARY KEY (run_id, subject, unit_id, criterion_id));
"""
_VIEW = """
CREATE VIEW IF NOT EXISTS criterion_results (run_id, unit_id, subject, criterion_id, self, computed, appraised,
                                              final, status) AS
  SELECT u.run_id, u.unit_id, u.subject, json_extract(c.value, '$[0]'), json_extract(c.value, '$[1]'),
         json_extract(c.value, '$[2]'), json_extract(c.value, '$[3]'), json_extract(c.value, '$[4]'),
         json_extract(c.value, '$[5]')
  FROM unit_results u, json_each(u.criteria) c WHERE u.criteria IS NOT NULL
  UNION ALL
  SELECT run_id, unit_id, subject, criterion_id, self, computed, appraised, final, status FROM criterion_results_v1;
"""
_TABLES = ("runs", "unit_results", "criterion_results_v1")


def default_db() -> Path:
    """The user's data folder: %LOCALAPPDATA%\\qd274 on Windows, $XDG_DATA_HOME/qd274 (~/.local/share) elsewhere."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "qd274" / "lich_su.sqlite3"


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating or migrating) the history; HistoryError when the machine does not let us."""
    try:
        return _connect(path)
    except (sqlite3.Error, OSError) as exc:
        raise HistoryError(str(path), f"{type(exc).__name__}: {exc}") from exc


@contextmanager
def open_history(path: Path) -> Iterator[sqlite3.Connection]:
    """The history for one command, closed afterwards; any database failure is a HistoryError naming the file
    (a locked or damaged file, a full disk: the user's machine, not a bug in qd274)."""
    conn = connect(path)
    try:
        yield conn
    except sqlite3.Error as exc:
        raise HistoryError(str(path), f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            _migrate(conn)
        conn.executescript(_SCHEMA + _V1_CRITERIA + _VIEW)
        for table in _TABLES:  # append-only: history is evidence
            for op in ("UPDATE", "DELETE"):
                conn.execute(f"CREATE TRIGGER IF NOT EXISTS no_{op.lower()}_{table} BEFORE {op} ON {table} "
                             f"BEGIN SELECT RAISE(ABORT, 'lịch sử chỉ được ghi thêm'); END")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Schema 1 → 2, in the caller's transaction: the per-criterion table is renamed and read through the view."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "criterion_results" in tables:
        for op in ("update", "delete"):  # the triggers follow the table; they are made again under new names
            conn.execute(f"DROP TRIGGER IF EXISTS no_{op}_criterion_results")
        conn.execute("ALTER TABLE criterion_results RENAME TO criterion_results_v1")
    if "unit_results" in tables:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(unit_results)")}
        if "criteria" not in columns:
            conn.execute("ALTER TABLE unit_results ADD COLUMN criteria TEXT")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


_quote = json.encoder.encode_basestring_ascii  # the C function: escapes and quotes


def _json_text(value: Decimal | None) -> str:
    return "null" if value is None else f'"{_text(value)}"'  # a Decimal's text is plain ASCII, never escaped


def record_run(conn: sqlite3.Connection, run: Run) -> int:
    """Store one run in one transaction: either all of it is recorded or nothing is."""
    with conn:
        return _insert(conn, run)


def _insert(conn: sqlite3.Connection, run: Run) -> int:
    manifest = run.manifest()
    cur = conn.execute(
        "INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, manifest) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (manifest["generated_at"], run.year, manifest["criteria"]["sha256"], manifest["criteria"]["status"],
         manifest["engine"]["version"], json.dumps(manifest, ensure_ascii=False)))
    run_id = int(cur.lastrowid or 0)
    conn.executemany("INSERT INTO unit_results (run_id, unit_id, unit_name, subject, year, base, bonus, deduction, "
                     "total, grade_id, grade, rank, criteria) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     _unit_rows(run, run_id))
    return run_id


def _unit_rows(run: Run, run_id: int) -> Iterator[tuple[object, ...]]:
    # Units that read the same values share record objects (scoring.evaluate): each record's JSON is made
    # once. The results hold the records for the whole insert, so an id is not reused meanwhile.
    made: dict[int, str] = {}
    for r in run.results:
        parts = []
        for rec in r.records:
            text = made.get(id(rec))
            if text is None:  # the JSON of [id, self, computed, appraised, final, status]; decimals as text
                text = made[id(rec)] = (f"[{_quote(rec.criterion_id)},{_json_text(rec.self_score)},"
                                        f"{_json_text(rec.computed)},{_json_text(rec.appraised)},"
                                        f"{_json_text(rec.points)},{_quote(rec.status)}]")
            parts.append(text)
        yield (run_id, r.unit.unit_id, r.unit.unit_name, r.unit.subject, r.unit.year, str(r.base), str(r.bonus),
               str(r.deduction), str(r.total), r.grade_id, r.grade_name, r.rank, f"[{','.join(parts)}]")


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
