"""History of report runs in SQLite: append-only (triggers refuse UPDATE and DELETE), one transaction a run.

Points are stored as exact decimal text. Two runs for one year are both kept; comparisons use the latest
run of each year unless a run id is named. Opening the file (and recognising it first) is scoring.history_file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .errors import HistoryError
from .history_file import SCHEMA_VERSION, History, connect, default_db, open_history
from .plan import BASE_ID, TOTAL_ID
from .rules import MISSING

if TYPE_CHECKING:
    from .pipeline import Run

_INT64 = range(-(2**63), 2**63)  # what SQLite can bind: a run id or year beyond it cannot be in the file

__all__ = ["SCHEMA_VERSION", "Change", "History", "RunInfo", "compare", "connect", "default_db", "latest_run",
           "list_runs", "open_history", "record_run", "runs_for"]


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
                     "total, grade_id, grade, rank, criteria, has_data) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
               str(r.deduction), str(r.total), r.grade_id, r.grade_name, r.rank, f"[{','.join(parts)}]",
               1 if r.unit.has_data else 0)


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
    return [RunInfo(i, c, y, n, s, _input_count(m)) for i, c, y, s, m, n in rows]


def _input_count(manifest: str) -> int:
    """How many input files a run read, from its manifest; 0 when the manifest does not say (the listing of
    a history must not fail on one run's manifest)."""
    try:
        inputs = json.loads(manifest).get("inputs")
    except (ValueError, TypeError, AttributeError):
        return 0
    return len(inputs) if isinstance(inputs, list) else 0


def latest_run(conn: sqlite3.Connection, year: int) -> int | None:
    if year not in _INT64:  # SQLite cannot bind it (OverflowError): no run has that year
        return None
    row = conn.execute("SELECT MAX(id) FROM runs WHERE year = ?", (year,)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def runs_for(conn: sqlite3.Connection, years: Sequence[int], runs: Sequence[int] | None = None) -> list[int]:
    """The run to compare for each year (`so-sanh --nam … [--lan …]`): the latest run of that year, or the run
    named for it, the first --lan going with the first --nam.

    HistoryError with cause "no_run" (the file is fine; the user must choose again), every problem said in
    one message: a year without a run ("Chưa có lần chạy nào cho năm Y trong lịch sử"), a run id the history
    does not hold (an id beyond SQLite's 64-bit range included), a run of another year than its --nam.
    ValueError when `runs` does not give one run per year (a bug in the caller).
    """
    if runs is None:
        found = [latest_run(conn, year) for year in years]
        problems = [f"Chưa có lần chạy nào cho năm {year} trong lịch sử: chạy qd274 report với dữ liệu năm {year} "
                    "trước." for year, run_id in zip(years, found, strict=True) if run_id is None]
        chosen = [run_id for run_id in found if run_id is not None]
    else:
        if len(runs) != len(years):
            raise ValueError(f"runs_for: {len(runs)} runs for {len(years)} years; give one run per year")
        problems, actual = [], []
        for year, run_id in zip(years, runs, strict=True):
            row = conn.execute("SELECT year FROM runs WHERE id = ?", (run_id,)).fetchone() \
                if run_id in _INT64 else None  # beyond SQLite's range: cannot be in the file
            actual.append(None if row is None else row[0])
            if row is None:
                problems.append(f"Không có lần chạy số {run_id} trong lịch sử.")
            elif row[0] is None:
                problems.append(f"Lần chạy số {run_id} gồm đơn vị của nhiều năm, không phải của riêng năm {year}.")
            elif row[0] != year:
                problems.append(f"Lần chạy số {run_id} là của năm {row[0]}, không phải năm {year}.")
        if any(y is not None and y != year for y, year in zip(actual, years, strict=True)):
            problems.append("Mỗi --lan đi với --nam cùng thứ tự: --lan thứ nhất cho --nam thứ nhất, --lan thứ hai "
                            "cho --nam thứ hai" + (": đổi chỗ hai --lan." if actual == list(reversed(years)) else "."))
        chosen = list(runs)
    if problems:
        raise HistoryError(_file_of(conn), "", cause="no_run", what=" ".join(problems))
    return chosen


def _file_of(conn: sqlite3.Connection) -> str:
    """The history's file, as messages name it."""
    if isinstance(conn, History):
        return str(conn.path)
    return str(next((file for _, name, file in conn.execute("PRAGMA database_list") if name == "main"), ""))


@dataclass(frozen=True)
class Change:
    """One unit in two runs. `before`/`after` is None where the unit is not in that run; `*_has_data` is False
    where the unit sent no data that year: its recorded 0 points are not a score, so it has no `delta`."""

    subject: str
    unit_id: str
    unit_name: str
    before: tuple[Decimal, str, int | None] | None  # total, grade, rank
    after: tuple[Decimal, str, int | None] | None
    before_has_data: bool = True
    after_has_data: bool = True

    @property
    def no_data(self) -> bool:
        """In both runs, and without data in one of them (or both)."""
        return self.before is not None and self.after is not None and not (self.before_has_data
                                                                           and self.after_has_data)

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None or self.no_data:
            return None
        return self.after[0] - self.before[0]


def _points(conn: sqlite3.Connection, text: object, run_id: int, unit_id: str) -> Decimal:
    """A total as recorded (exact decimal text); HistoryError for anything else: the file was changed by hand."""
    try:
        value = Decimal(str(text))
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or text is None:
        raise HistoryError(_file_of(conn), f"unit_results.total = {text!r}", cause="not_history",
                           what=f"tệp lịch sử đã bị sửa hoặc hỏng: tổng điểm của đơn vị {unit_id} ở lần chạy số "
                                f"{run_id} là «{text}», không phải một số")
    return value


# What a criterion record of a unit without data holds (scoring.evaluate): no self-score, no appraisal, and a
# status saying nothing was read: "thiếu số liệu", or "chưa chấm" for a criterion judged, not computed. The two
# totals (co_ban, tong_diem) are "ok" for every unit.
_NOTHING_READ = frozenset({MISSING, "chua_cham"})


def _had_data(conn: sqlite3.Connection, run_id: int, subject: str, unit_id: str, total: Decimal,
              rank: object) -> bool:
    """Whether a unit recorded before schema 3 (has_data NULL) had data, as far as its row can tell.

    A unit without data is recorded with 0 points, unranked («Không xếp loại»), and criterion records that hold
    nothing (no self-score, no appraisal, a status in _NOTHING_READ). It is taken as without data only when its
    row shows all of that. A unit with data shows otherwise wherever the history can tell: a self-score or an
    appraisal is kept, a criterion that read its values has another status ("ok", "lỗi dữ liệu"), and a unit
    with data is ranked unless an override ungraded it. What the row cannot tell apart (ungraded by an override
    while every criterion lacked a value and nothing was self-scored, e.g. only «không nộp hồ sơ» sent) is
    taken as without data, which its 0 points and grade already say. A row without criterion records (written
    by hand) is taken as having data, as every row was read before schema 3.
    """
    if rank is not None or total != 0:
        return True
    records = conn.execute("SELECT criterion_id, self, appraised, status FROM criterion_results "
                           "WHERE run_id = ? AND subject = ? AND unit_id = ?", (run_id, subject, unit_id)).fetchall()
    return not records or any(s is not None or a is not None or (st not in _NOTHING_READ
                                                                 and cid not in (BASE_ID, TOTAL_ID))
                              for cid, s, a, st in records)


def compare(conn: sqlite3.Connection, run_a: int, run_b: int) -> list[Change]:
    # A history read without being migrated (lich-su, so-sanh) may be of schema 1 or 2: no has_data column
    columns = {row[1] for row in conn.execute("PRAGMA table_info(unit_results)")}
    has_data = "has_data" if "has_data" in columns else "NULL"

    def load(run_id: int) -> dict[tuple[str, str], tuple[str, tuple[Decimal, str, int | None], bool]]:
        if run_id not in _INT64:  # SQLite cannot bind it (OverflowError): no such run, nothing to load
            return {}
        rows = conn.execute(f"SELECT subject, unit_id, unit_name, total, grade, rank, {has_data} FROM unit_results "
                            "WHERE run_id = ?", (run_id,)).fetchall()
        out = {}
        for s, u, n, t, g, r, h in rows:
            points = _points(conn, t, run_id, u)
            had = bool(h) if h is not None else _had_data(conn, run_id, s, u, points, r)
            out[(s, u)] = (n, (points, g, r), had)
        return out

    a, b = load(run_a), load(run_b)
    out = []
    for key in sorted(set(a) | set(b)):
        name = (b.get(key) or a[key])[0]
        out.append(Change(key[0], key[1], name, a[key][1] if key in a else None, b[key][1] if key in b else None,
                          a[key][2] if key in a else True, b[key][2] if key in b else True))
    return out
