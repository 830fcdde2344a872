"""A unit that sent no data: the history records it (schema 3), and so-sanh shows it as «—», not as a fall to 0.

Histories recorded before schema 3 do not say it; what their rows show decides (scoring.history._had_data).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring import history_file
from scoring.cli import app
from scoring.errors import HistoryError
from scoring.evaluate import UnitResult
from scoring.history import compare, connect, open_history, record_run
from scoring.numbers import format_vi
from scoring.pipeline import Run, run
from tests.report_fixtures import build_inputs
from tests.test_history import _SCHEMA_1

ENV = {"COLUMNS": "250", "NO_COLOR": "1"}
EMPTY = "X02"  # the unit whose 2023 form is not sent: registered, so graded «Không xếp loại» without data


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    """2022: every unit sent its form; 2023: X02 sent none."""
    folder = tmp_path_factory.mktemp("runs")
    run22 = run(build_inputs(folder / "in22", seed=1, year=2022), year=2022)
    in23 = build_inputs(folder / "in23", seed=2, year=2023)
    (in23 / "xa" / f"{EMPTY}.xlsx").unlink()
    run23 = run(in23, year=2023)
    assert not _result(run23, EMPTY).unit.has_data and _result(run22, EMPTY).unit.has_data
    assert _result(run22, EMPTY).total > 0  # so that a recorded 0 would read as a fall
    return run22, run23


def _result(r: Run, unit_id: str) -> UnitResult:
    return next(x for x in r.results if x.unit.unit_id == unit_id)


def _so_sanh(db: Path, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db), *more], env=ENV)
    return result.exit_code, result.output


def _row(output: str, unit_id: str) -> list[str]:
    """The table row of one unit, its cells stripped: subject, code, name, points ×2, change, grade ×2, rank ×2."""
    line = next(line for line in output.splitlines() if f"│ {unit_id} " in line)
    return [cell.strip() for cell in line.strip().strip("│").split("│")]


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


# -- recorded from now on -----------------------------------------------------------------------------------------

def test_a_unit_without_data_is_recorded_as_such(runs: tuple[Run, Run], tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with open_history(db) as conn:
        run_id = record_run(conn, runs[1])
    stored = dict(_query(db, f"SELECT unit_id, has_data FROM unit_results WHERE run_id = {run_id}"))
    assert stored == {r.unit.unit_id: (0 if r.unit.unit_id == EMPTY else 1) for r in runs[1].results}
    assert _query(db, f"SELECT total, grade, rank FROM unit_results WHERE unit_id = '{EMPTY}'") == [
        ("0", "Không xếp loại", None)]  # its row as before: 0 points, the grade, no rank


def test_so_sanh_shows_a_unit_without_data_as_dashes_not_a_fall(runs: tuple[Run, Run], tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with open_history(db) as conn:
        a, b = record_run(conn, runs[0]), record_run(conn, runs[1])
        changes = {c.unit_id: c for c in compare(conn, a, b)}
    empty = changes[EMPTY]
    assert empty.before_has_data and not empty.after_has_data and empty.no_data and empty.delta is None
    assert all(c.delta is not None for u, c in changes.items() if u != EMPTY)
    code, output = _so_sanh(db)
    assert code == 0, output
    before = _result(runs[0], EMPTY)
    _, _, _, points22, points23, change, grade22, grade23, rank22, rank23 = _row(output, EMPTY)
    assert (points22, points23, change) == (format_vi(before.total), "—", "—")  # no «-78,5», no «0»
    assert (grade22, grade23, rank22, rank23) == (before.grade_name, "Không xếp loại", str(before.rank), "—")
    assert f"-{format_vi(before.total)}" not in output
    other = _row(output, "X01")  # a unit with data in both years keeps its signed change
    assert other[5] not in ("—", "") and other[4] != "—"


def test_a_unit_without_data_is_neither_a_rise_nor_a_fall_among_many(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    units = 400  # above the 300 so-sanh shows whole: the counts and the largest changes
    with open_history(db) as conn:
        for run_id, year in ((1, 2022), (2, 2023)):
            conn.execute("INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, "
                         "manifest) VALUES ('t', ?, 'x', 'reconstructed', '1', '{}')", (year,))
            for n in range(units):  # run 2: unit n rises by n / 100; units 0-49 sent nothing, recorded as 0
                empty = run_id == 2 and n < 50
                total = "0" if empty else str(80 + (n / 100 if run_id == 2 else 0))
                conn.execute("INSERT INTO unit_results (run_id, unit_id, unit_name, subject, year, base, bonus, "
                             "deduction, total, grade_id, grade, rank, has_data) VALUES (?, ?, ?, 'xa', ?, '0', '0', "
                             "'0', ?, ?, ?, ?, ?)",
                             (run_id, f"X{n:03d}", f"Xã {n}", year, total, "khong_xep_loai" if empty else "kha",
                              "Không xếp loại" if empty else "Khá", None if empty else 1, 0 if empty else 1))
        conn.commit()
    code, output = _so_sanh(db)
    said = " ".join(output.split())
    assert code == 0, output
    # every unit with data rises (X050 by 0,5 … X399 by 3,99); the 50 without data in 2023 are counted apart
    assert ("400 đơn vị: tăng điểm 350, giảm 0, không đổi 0, đổi xếp loại 0, không có số liệu ở một trong hai "
            "năm 50.") in said
    assert "X399" in said and "X049" not in said  # a «fall» of 80 points is no fall
    assert ("Không có số liệu năm 2023: Xã 0 (X000), Xã 1 (X001), Xã 2 (X002), Xã 3 (X003), Xã 4 (X004), Xã 5 (X005), "
            "Xã 6 (X006), Xã 7 (X007), Xã 8 (X008), Xã 9 (X009) và 40 đơn vị khác (xem đủ với --tat-ca).") in said
    assert "Không có số liệu năm 2022" not in said
    code, output = _so_sanh(db, "--tat-ca")
    assert code == 0 and _row(output, "X000")[3:6] == ["80", "—", "—"]


# -- histories recorded before schema 3 -----------------------------------------------------------------------------

# A history as qd274 wrote it at schema 2 (its _CREATE, user_version and application_id): run 1 of 2022 with
# X01 graded; X02 without data (0 points, unranked, nothing read, nothing self-scored); X03 and X04 ungraded
# with 0 points too, but X03 self-scored a criterion and X04 had a value read: both had data.
_NOTHING = ('["I.1",null,"0",null,"0","thieu_so_lieu"],["II.1",null,null,null,"0","chua_cham"],'
            '["co_ban",null,"0",null,"0","ok"],["tong_diem",null,"0",null,"0","ok"]')
_TRIGGERS = "\n".join(f"CREATE TRIGGER no_{op}_{t} BEFORE {op.upper()} ON {t} "
                      "BEGIN SELECT RAISE(ABORT, 'lịch sử chỉ được ghi thêm'); END;"
                      for t in ("runs", "unit_results", "criterion_results_v1") for op in ("update", "delete"))
_SCHEMA_2 = f"""
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, year INTEGER,
  criteria_sha256 TEXT NOT NULL, criteria_status TEXT NOT NULL, engine_version TEXT NOT NULL,
  manifest TEXT NOT NULL);
CREATE TABLE unit_results (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,
  subject TEXT NOT NULL, year INTEGER NOT NULL, base TEXT NOT NULL, bonus TEXT NOT NULL, deduction TEXT NOT NULL,
  total TEXT NOT NULL, grade_id TEXT NOT NULL, grade TEXT NOT NULL, rank INTEGER,
  criteria TEXT,
  PRIMARY KEY (run_id, subject, unit_id));
CREATE TABLE criterion_results_v1 (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, subject TEXT NOT NULL,
  criterion_id TEXT NOT NULL, self TEXT, computed TEXT, appraised TEXT, final TEXT NOT NULL, status TEXT NOT NULL,
  PRIMARY KEY (run_id, subject, unit_id, criterion_id));
CREATE VIEW criterion_results (run_id, unit_id, subject, criterion_id, self, computed, appraised, final, status) AS
  SELECT u.run_id, u.unit_id, u.subject, json_extract(c.value, '$[0]'), json_extract(c.value, '$[1]'),
         json_extract(c.value, '$[2]'), json_extract(c.value, '$[3]'), json_extract(c.value, '$[4]'),
         json_extract(c.value, '$[5]')
  FROM unit_results u, json_each(u.criteria) c WHERE u.criteria IS NOT NULL
  UNION ALL
  SELECT run_id, unit_id, subject, criterion_id, self, computed, appraised, final, status FROM criterion_results_v1;
{_TRIGGERS}
PRAGMA application_id = {history_file.APPLICATION_ID};
PRAGMA user_version = 2;
INSERT INTO runs VALUES (1, '2024-01-05T08:00:00+00:00', 2022, 'abc', 'reconstructed', '0.9.0', '{{"inputs": []}}');
INSERT INTO unit_results VALUES (1, 'X01', 'Xã Đồng Vương', 'xa', 2022, '80', '1', '0', '81', 'kha', 'Khá', 1,
  '[["I.1",null,"3",null,"3","ok"],["co_ban",null,"80",null,"80","ok"],["tong_diem",null,"81",null,"81","ok"]]');
INSERT INTO unit_results VALUES (1, 'X02', 'Xã Đông Sơn', 'xa', 2022, '0', '0', '0', '0', 'khong_xep_loai',
  'Không xếp loại', NULL, '[{_NOTHING}]');
INSERT INTO unit_results VALUES (1, 'X03', 'Thị trấn Bố Hạ', 'xa', 2022, '0', '0', '0', '0', 'khong_xep_loai',
  'Không xếp loại', NULL, '[["I.1","2","0",null,"0","thieu_so_lieu"],{_NOTHING}]');
INSERT INTO unit_results VALUES (1, 'X04', 'Xã Bốn', 'xa', 2022, '0', '0', '0', '0', 'khong_xep_loai',
  'Không xếp loại', NULL, '[["I.2",null,"0",null,"0","ok"],{_NOTHING}]');
"""


@pytest.fixture
def schema_2(tmp_path: Path) -> Path:
    path = tmp_path / "v2" / "h.sqlite3"
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as old:
        old.executescript(_SCHEMA_2)
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_schema_2_history_is_read_as_it_is_and_its_unit_without_data_told_apart(schema_2: Path) -> None:
    before = _files(schema_2.parent)
    with open_history(schema_2, write=False) as conn:  # so-sanh reads it without migrating: no has_data column
        seen = {c.unit_id: c.after_has_data for c in compare(conn, 0, 1)}
    assert seen == {"X01": True, "X02": False, "X03": True, "X04": True}  # X03, X04: their rows show data
    assert _files(schema_2.parent) == before


def test_a_schema_2_history_is_migrated_on_the_next_record_and_still_compares(
        runs: tuple[Run, Run], schema_2: Path) -> None:
    with open_history(schema_2) as conn:
        new = record_run(conn, runs[1])
        changes = {c.unit_id: c for c in compare(conn, 1, new)}
    assert _query(schema_2, "PRAGMA user_version") == [(3,)]
    assert _query(schema_2, "PRAGMA application_id") == [(history_file.APPLICATION_ID,)]
    assert _query(schema_2, "SELECT run_id, unit_id, has_data FROM unit_results WHERE run_id = 1") == [
        (1, u, None) for u in ("X01", "X02", "X03", "X04")]  # not rewritten: unknown, inferred when read
    assert _query(schema_2, "SELECT criterion_id FROM criterion_results WHERE run_id = 1 AND unit_id = 'X01'") == [
        ("I.1",), ("co_ban",), ("tong_diem",)]
    with pytest.raises(sqlite3.DatabaseError, match="ghi thêm"), closing(sqlite3.connect(schema_2)) as raw:
        raw.execute("UPDATE unit_results SET has_data = 1")  # still append-only
    after = {r.unit.unit_id: r for r in runs[1].results}
    assert changes["X01"].delta == after["X01"].total - 81  # an old row still compares
    assert changes["X03"].delta == after["X03"].total and changes["X04"].delta == after["X04"].total
    assert changes["X02"].delta is None and not changes["X02"].before_has_data
    assert not changes[EMPTY].after_has_data  # this run's own unit without data, recorded as such
    code, output = _so_sanh(schema_2)
    assert code == 0, output
    assert _row(output, "X01")[3] == "81" and _row(output, "X02")[3:6] == ["—", "—", "—"]
    untouched = _files(schema_2.parent)
    connect(schema_2).close()  # migrated once: the next report writes nothing before its run
    assert _files(schema_2.parent) == untouched


def test_a_schema_1_history_gets_the_column_through_schema_2(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as old:
        old.executescript(_SCHEMA_1)
    connect(path).close()
    columns = [row[1] for row in _query(path, "PRAGMA table_info(unit_results)")]
    assert columns[-2:] == ["criteria", "has_data"] and _query(path, "PRAGMA user_version") == [(3,)]
    with open_history(path, write=False) as conn:  # its one unit was ranked: it had data
        assert [(c.unit_id, c.after_has_data) for c in compare(conn, 0, 1)] == [("X01", True)]


def test_a_file_marked_3_without_the_column_is_completed_not_broken(runs: tuple[Run, Run], schema_2: Path) -> None:
    with closing(sqlite3.connect(schema_2)) as raw:
        raw.execute("PRAGMA user_version = 3")  # as if marked by hand: the column is what counts
    with open_history(schema_2) as conn:
        new = record_run(conn, runs[1])
    assert _query(schema_2, f"SELECT COUNT(*) FROM unit_results WHERE run_id = {new} AND has_data = 1") == [
        (len(runs[1].results) - 1,)]


@pytest.mark.parametrize("write", [True, False], ids=["report", "read"])
def test_a_history_of_a_newer_schema_than_3_is_refused(runs: tuple[Run, Run], tmp_path: Path, write: bool) -> None:
    db = tmp_path / "h.sqlite3"
    with open_history(db) as conn:
        record_run(conn, runs[1])
    shutil.copy(db, tmp_path / "current.sqlite3")
    with open_history(tmp_path / "current.sqlite3", write=write):  # schema 3 is this qd274's own
        pass
    with closing(sqlite3.connect(db)) as raw:
        raw.execute("PRAGMA user_version = 4")
    before = _files(tmp_path)
    with pytest.raises(HistoryError) as caught, open_history(db, write=write):
        pass
    assert caught.value.cause == "newer" and _files(tmp_path) == before
    assert "do phiên bản qd274 mới hơn tạo (lược đồ 4); phiên bản này chỉ dùng được đến lược đồ 3" in str(caught.value)
