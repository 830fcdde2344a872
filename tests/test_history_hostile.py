"""A hostile --db: another program's database, a newer history, read-only files, locks, run ids that do not exist."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from typer.testing import CliRunner

from scoring import history, history_file
from scoring.cli import app
from scoring.errors import HistoryError
from scoring.history import compare, connect, latest_run, list_runs, open_history, record_run
from tests.report_fixtures import small_run
from tests.test_history import _SCHEMA_1

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
RUN_2023, RUN_2022 = 1, 2  # the shared history's runs: the 2023 run was recorded first


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history of two runs, 2023 then 2022; tests work on copies of it."""
    folder = tmp_path_factory.mktemp("recorded")
    path = folder / "h.sqlite3"
    conn = connect(path)
    assert record_run(conn, small_run(folder / "in23", seed=2, year=2023)) == RUN_2023
    assert record_run(conn, small_run(folder / "in22", seed=1, year=2022)) == RUN_2022
    conn.close()
    return path


@pytest.fixture
def db(recorded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite3"
    shutil.copy(recorded, path)
    return path


def _files(folder: Path) -> dict[str, bytes]:
    """Every file in the folder with its bytes: a journal left behind shows as well as a changed byte."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _open(path: Path, write: bool) -> sqlite3.Connection:
    return connect(path) if write else connect(path, write=False)


def _sql(path: Path, *statements: str) -> None:
    """Change a file behind qd274's back, as another program (or a newer qd274) would."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the file as any SQLite program would, behind qd274's back."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


# -- 1. Only a qd274 history is opened; anything else is refused before a byte is written -----------------------

def _unrelated(path: Path) -> None:
    _sql(path, "CREATE TABLE foo (a)", "INSERT INTO foo VALUES (1)")


def _own_runs_table(path: Path) -> None:
    _sql(path, "CREATE TABLE runs (x TEXT)", "INSERT INTO runs VALUES ('a')")


def _ours_and_another_table(path: Path) -> None:
    connect(path).close()
    _sql(path, "CREATE TABLE notes (text TEXT)")


def _runs_with_other_columns(path: Path) -> None:
    _sql(path, "CREATE TABLE runs (id INTEGER PRIMARY KEY, created_at TEXT, year INTEGER)")


def _another_application(path: Path) -> None:
    _sql(path, "PRAGMA application_id = 1234")  # no table yet: still not ours to write into


def _not_sqlite(path: Path) -> None:
    path.write_text("không phải cơ sở dữ liệu")


def _damaged(path: Path) -> None:
    connect(path).close()
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 200 + data[300:])  # the schema page overwritten


FOREIGN = {"unrelated table": _unrelated, "its own runs table": _own_runs_table,
           "ours plus another table": _ours_and_another_table, "runs with other columns": _runs_with_other_columns,
           "another application_id": _another_application, "not SQLite": _not_sqlite, "damaged": _damaged}


@pytest.mark.parametrize("write", [True, False], ids=["report", "read"])
@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_file_that_is_not_a_qd274_history_is_refused_and_left_as_it_was(
        tmp_path: Path, make: Callable[[Path], None], write: bool) -> None:
    path = tmp_path / "other.db"
    make(path)
    before = _files(tmp_path)
    with pytest.raises(HistoryError) as caught:
        _open(path, write)
    assert _files(tmp_path) == before  # no table, trigger or user_version added; no journal left
    said = str(caught.value)
    assert said.startswith(f"không mở hoặc ghi được lịch sử chấm điểm {path}: tệp này không phải")
    assert "tệp lịch sử của qd274" in said and "Chọn tệp khác bằng --db" in said
    assert "Kiểm tra quyền ghi" not in said  # not the machine's fault: the file is someone else's


def test_another_programs_runs_table_can_still_be_updated(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    _own_runs_table(path)
    with pytest.raises(HistoryError, match="bảng «runs» của tệp có các cột x, khác bảng cùng tên của qd274"):
        connect(path)
    _sql(path, "UPDATE runs SET x = 'b'")  # no append-only trigger was put on it
    assert _query(path, "SELECT x FROM runs") == [("b",)]


def test_lich_su_on_another_programs_database_fails_without_changing_it(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    _unrelated(path)
    before = _files(tmp_path)
    result = CliRunner().invoke(app, ["lich-su", "--db", str(path)], env=ENV)
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "không phải tệp lịch sử của qd274" in said and "bảng «foo»" in said and "--db" in said
    assert _files(tmp_path) == before


@pytest.mark.parametrize("write", [True, False], ids=["report", "read"])
def test_a_folder_as_the_history_is_refused(tmp_path: Path, write: bool) -> None:
    with pytest.raises(HistoryError, match="là một thư mục") as caught:
        _open(tmp_path, write)
    assert "Chọn tệp khác bằng --db" in str(caught.value)


@pytest.mark.parametrize("write", [True, False], ids=["report", "read"])
def test_a_history_from_a_newer_qd274_is_refused_and_left_as_it_was(db: Path, write: bool) -> None:
    _sql(db, "PRAGMA user_version = 7")
    before = _files(db.parent)
    with pytest.raises(HistoryError) as caught:
        _open(db, write)
    assert _files(db.parent) == before
    assert _query(db, "PRAGMA user_version") == [(7,)]  # not set back to this qd274's schema
    said = str(caught.value)
    assert "do phiên bản qd274 mới hơn tạo (lược đồ 7)" in said and "Cập nhật qd274" in said
    assert said.endswith(f"(user_version 7 > {history.SCHEMA_VERSION})")


def test_lich_su_on_a_newer_history_with_another_manifest_is_a_clear_error(db: Path) -> None:
    newer = history.SCHEMA_VERSION + 1
    _sql(db, "DROP TRIGGER no_update_runs", "UPDATE runs SET manifest = '{\"format\": 3}'",
         f"PRAGMA user_version = {newer}")
    before = _files(db.parent)
    result = CliRunner().invoke(app, ["lich-su", "--db", str(db)], env=ENV)
    assert result.exit_code == 1, result.output  # not a KeyError (exit 3)
    assert f"do phiên bản qd274 mới hơn tạo (lược đồ {newer})" in " ".join(result.output.split())
    assert _files(db.parent) == before


def test_a_manifest_without_inputs_is_listed_not_a_crash(db: Path) -> None:
    _sql(db, "INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, manifest) "
             "VALUES ('2024-01-01T00:00:00', 2024, 'x', 'official', '9.9', '{\"format\": 3}')")
    with open_history(db) as conn:
        assert [(r.year, r.inputs) for r in list_runs(conn)][-1] == (2024, 0)


# -- 1. … while a new file, an old qd274 history and a schema-1 history are still opened --------------------------

def test_a_new_history_is_marked_as_qd274s(tmp_path: Path) -> None:
    path = tmp_path / "new" / "h.sqlite3"
    connect(path).close()
    assert _query(path, "PRAGMA application_id") == [(history_file.APPLICATION_ID,)]
    assert _query(path, "PRAGMA user_version") == [(history.SCHEMA_VERSION,)]


def test_an_older_history_without_the_mark_is_still_recognised(db: Path) -> None:
    _sql(db, "PRAGMA application_id = 0")  # as every history made before the mark was
    before = _files(db.parent)
    with open_history(db, write=False) as conn:
        assert [r.id for r in list_runs(conn)] == [RUN_2023, RUN_2022]
    assert _files(db.parent) == before
    with open_history(db) as conn:  # a report marks it, and keeps every run
        assert [r.id for r in list_runs(conn)] == [RUN_2023, RUN_2022]
    assert _query(db, "PRAGMA application_id") == [(history_file.APPLICATION_ID,)]


def test_a_schema_1_history_is_read_without_being_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as old:
        old.executescript(_SCHEMA_1)
    before = _files(tmp_path)
    with open_history(path, write=False) as conn:
        assert [(r.id, r.year, r.units) for r in list_runs(conn)] == [(1, 2022, 1)]
        assert history.runs_for(conn, [2022, 2022]) == [1, 1]
        assert [c.unit_id for c in compare(conn, 1, 1)] == ["X01"]
        assert conn.execute("SELECT criterion_id, final FROM criterion_results").fetchall() == [("I.1", "3")]
    assert _files(tmp_path) == before


def test_opening_a_complete_history_writes_nothing(db: Path) -> None:
    before = _files(db.parent)
    connect(db).close()  # as `report` opens it, before it records its run
    result = CliRunner().invoke(app, ["lich-su", "--db", str(db)], env=ENV)
    assert result.exit_code == 0, result.output
    assert _files(db.parent) == before  # the header's change counter (byte 28) included


# -- 2. Reading needs no write access, creates nothing and waits for no writer ------------------------------------

def test_reading_leaves_the_file_byte_for_byte(db: Path) -> None:
    _sql(db, "PRAGMA application_id = 0")  # a history a report would still have to mark: reading does not
    before = _files(db.parent)
    with open_history(db, write=False) as conn:
        assert [r.year for r in list_runs(conn)] == [2023, 2022]
        assert len(compare(conn, RUN_2022, RUN_2023)) == 7
    assert _files(db.parent) == before


def test_a_read_only_connection_refuses_to_write(db: Path) -> None:
    before = _files(db.parent)
    with pytest.raises(HistoryError, match="readonly"), open_history(db, write=False) as conn:
        conn.execute("INSERT INTO runs (created_at, criteria_sha256, criteria_status, engine_version, manifest) "
                     "VALUES ('t', 'x', 'y', 'z', '{}')")
    assert _files(db.parent) == before


def test_reading_a_missing_history_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "sub" / "h.sqlite3"
    with open_history(path, write=False) as conn:
        assert isinstance(conn, history.History) and not conn.exists
        assert list_runs(conn) == []  # the caller says "Chưa có lần chạy nào"
        with pytest.raises(HistoryError) as caught:
            history.runs_for(conn, [2022, 2023])
    assert not (tmp_path / "missing").exists()
    said = str(caught.value)
    assert "Chưa có lần chạy nào cho năm 2022 trong lịch sử" in said and "năm 2023" in said and str(path) in said


def test_reading_an_empty_file_gives_an_empty_history(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.touch()
    with open_history(path, write=False) as conn:
        assert conn.exists and list_runs(conn) == []
    assert path.read_bytes() == b""


def test_a_report_writing_meanwhile_does_not_block_reading(db: Path) -> None:
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # RESERVED, as a report inserting its run holds it
    writer.execute("INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, manifest) "
                   "VALUES ('t', 2024, 'x', 'y', 'z', '{\"inputs\": []}')")
    try:
        with open_history(db, write=False) as conn:
            assert [r.id for r in list_runs(conn)] == [RUN_2023, RUN_2022]  # the uncommitted run is not seen
            assert history.runs_for(conn, [2022, 2023]) == [RUN_2022, RUN_2023]
        with open_history(db) as conn:  # nor does opening a complete history for writing wait for it
            assert len(list_runs(conn)) == 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.fixture
def read_only(db: Path) -> Iterator[Path]:
    """The history in a folder where neither it nor a journal can be written."""
    db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    db.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(db, os.W_OK) or os.access(db.parent, os.W_OK):
            pytest.skip("this user writes read-only files anyway (root); mode=ro is tested without chmod above")
        yield db
    finally:
        db.parent.chmod(stat.S_IRWXU)
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_read_only_file_in_a_read_only_folder_can_be_read(read_only: Path) -> None:
    before = _files(read_only.parent)
    with open_history(read_only, write=False) as conn:
        assert [r.id for r in list_runs(conn)] == [RUN_2023, RUN_2022]
    assert _files(read_only.parent) == before


@pytest.mark.parametrize("name", ["lịch sử #1 50%.sqlite3", "a b/c.sqlite3"])
def test_a_path_with_spaces_and_accents_is_read_read_only(db: Path, name: str) -> None:
    path = db.parent / "thư mục" / name
    path.parent.mkdir(parents=True)
    shutil.copy(db, path)
    with open_history(path, write=False) as conn:
        assert len(list_runs(conn)) == 2
    assert path.read_bytes() == db.read_bytes()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no file under a mis-decoded name


@pytest.mark.parametrize(("path", "uri"), [
    (PurePosixPath("/tmp/lịch sử #1?.db"), "file:///tmp/l%E1%BB%8Bch%20s%E1%BB%AD%20%231%3F.db?mode=ro"),
    (PureWindowsPath("C:/Dữ liệu/h.db"), "file:///C:/D%E1%BB%AF%20li%E1%BB%87u/h.db?mode=ro"),
    (PureWindowsPath(r"\\may-chu\chung\h.db"), "file:////may-chu/chung/h.db?mode=ro"),  # SQLite refuses file://host/
])
def test_the_read_only_uri_is_built_safely(path: PurePosixPath | PureWindowsPath, uri: str) -> None:
    assert history_file._read_only_uri(path) == uri


# -- 3. Each message says what is wrong and how to get past it, in Vietnamese; SQLite's own words come last -------

def test_a_locked_history_says_to_close_the_other_program(db: Path) -> None:
    with pytest.raises(HistoryError) as caught, open_history(db), \
            closing(sqlite3.connect(db, isolation_level=None)) as holder, \
            closing(sqlite3.connect(db, timeout=0)) as waiting:
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the file while the command reads it
        waiting.execute("SELECT COUNT(*) FROM runs")  # SQLite's own "database is locked", without the 5 s wait
    said = str(caught.value)
    assert said.startswith("không mở hoặc ghi được lịch sử chấm điểm") and "chương trình khác đang giữ tệp" in said
    assert "Đóng chương trình" in said and "chạy lại" in said and "Kiểm tra quyền ghi" not in said
    assert said.endswith("(OperationalError: database is locked)")


def test_a_file_that_is_not_sqlite_says_to_choose_another_file(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    _not_sqlite(path)
    with pytest.raises(HistoryError) as caught:
        connect(path)
    said = str(caught.value)
    assert said.startswith(f"không mở hoặc ghi được lịch sử chấm điểm {path}: tệp này không phải cơ sở dữ liệu")
    assert "Chọn tệp khác bằng --db" in said and "Kiểm tra quyền ghi" not in said
    assert said.endswith("(DatabaseError: file is not a database)")  # for support staff, after the Vietnamese
    during_report = str(HistoryError(caught.value.path, caught.value.reason, True, caught.value.cause,
                                     caught.value.what))
    assert "đã được ghi xong" in during_report and "--khong-luu" in during_report
    assert during_report.endswith("(DatabaseError: file is not a database)")


def test_a_folder_that_cannot_be_made_keeps_the_permission_and_disk_hint(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(HistoryError) as caught:
        connect(tmp_path / "a_file" / "h.sqlite3")
    said = str(caught.value)
    assert f"không tạo được thư mục {tmp_path / 'a_file'}" in said
    assert "Kiểm tra quyền ghi và chỗ trống trên ổ đĩa, hoặc chọn tệp khác bằng --db." in said


def test_a_full_disk_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "mkdir", full)
    with pytest.raises(HistoryError) as caught:
        connect(tmp_path / "new" / "h.sqlite3")
    said = str(caught.value)
    assert f"không tạo được thư mục {tmp_path / 'new'} (ổ đĩa đã đầy)" in said and "chỗ trống trên ổ đĩa" in said


# -- 4. so-sanh: the runs compared exist and are of the years they are shown under -------------------------------

def test_the_latest_run_of_each_year_is_compared(db: Path) -> None:
    with open_history(db, write=False) as conn:
        assert history.runs_for(conn, [2022, 2023]) == [RUN_2022, RUN_2023]
        assert history.runs_for(conn, [2022, 2023], [RUN_2022, RUN_2023]) == [RUN_2022, RUN_2023]


def test_a_year_without_a_run_is_named(db: Path) -> None:
    with pytest.raises(HistoryError) as caught, open_history(db, write=False) as conn:
        history.runs_for(conn, [2022, 2030])
    said = str(caught.value)
    assert "Chưa có lần chạy nào cho năm 2030 trong lịch sử" in said and "2022" not in said
    assert "qd274 lich-su" in said and str(db) in said


@pytest.mark.parametrize("run_id", [99, -1, 0, 2**63, 99999999999999999999, -(2**63) - 1])
def test_a_run_that_does_not_exist_is_named(db: Path, run_id: int) -> None:
    with pytest.raises(HistoryError) as caught, open_history(db, write=False) as conn:
        history.runs_for(conn, [2022, 2023], [run_id, RUN_2023])
    said = str(caught.value)
    assert said.startswith(f"Không có lần chạy số {run_id} trong lịch sử.") and "qd274 lich-su" in said


def test_runs_given_in_the_wrong_order_are_not_mislabelled(db: Path) -> None:
    with pytest.raises(HistoryError) as caught, open_history(db, write=False) as conn:
        history.runs_for(conn, [2022, 2023], [RUN_2023, RUN_2022])
    said = str(caught.value)
    assert f"Lần chạy số {RUN_2023} là của năm 2023, không phải năm 2022" in said
    assert f"Lần chạy số {RUN_2022} là của năm 2022, không phải năm 2023" in said and "đổi chỗ hai --lan" in said


def test_ids_beyond_sqlite_range_are_not_a_crash(db: Path) -> None:
    with open_history(db, write=False) as conn:
        assert latest_run(conn, 10**20) is None
        assert compare(conn, 99999999999999999999, RUN_2023)[0].before is None  # not an OverflowError


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("command", [["lich-su"], ["so-sanh", "--nam", "2022", "--nam", "2023"]])
def test_a_fifo_as_history_is_refused_not_waited_on(tmp_path: Path, command: list[str]) -> None:
    """SQLite opening a FIFO waits for a writer for ever, and not even Ctrl+C ends it."""
    fifo = tmp_path / "h.sqlite3"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "scoring", *command, "--db", str(fifo)], capture_output=True,
                          text=True, timeout=60, env=os.environ | {"COLUMNS": "200"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "không phải tệp thường" in done.stdout + done.stderr


def test_a_history_left_with_a_hot_journal_is_rolled_back_and_read(tmp_path: Path) -> None:
    """A report killed while recording its run leaves a rollback journal: reading puts the last consistent state
    back first (as the next report would), instead of failing with a false "no permission"."""
    db = tmp_path / "h.sqlite3"
    with open_history(db) as conn:
        conn.execute("INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, manifest)"
                     " VALUES ('t', 2023, 'x', 'reconstructed', '1', '{}')")
        conn.commit()
    script = f"""
import os, signal, sqlite3
conn = sqlite3.connect({str(db)!r}, isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # changed pages spill into the file before the commit
conn.execute("BEGIN")
conn.execute("INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, manifest) "
             "VALUES ('x', 2024, 'x', 'x', 'x', ?)", ("x" * 3_000_000,))
os.kill(os.getpid(), signal.SIGKILL)
"""
    subprocess.run([sys.executable, "-c", script], timeout=60)
    assert (tmp_path / "h.sqlite3-journal").exists()  # the killed writer's journal, still to be rolled back
    with open_history(db, write=False) as conn:
        assert [(r.id, r.year) for r in list_runs(conn)] == [(1, 2023)]


def test_a_total_changed_by_hand_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with open_history(db) as conn:
        for year in (2022, 2023):
            conn.execute("INSERT INTO runs (created_at, year, criteria_sha256, criteria_status, engine_version, "
                         "manifest) VALUES ('t', ?, 'x', 'reconstructed', '1', '{}')", (year,))
            conn.execute("INSERT INTO unit_results (run_id, unit_id, unit_name, subject, year, base, bonus, deduction,"
                         " total, grade_id, grade, rank) VALUES (?, 'X01', 'Xã A', 'xa', ?, '1', '0', '0', ?, 'tot', "
                         "'Tốt', 1)", (year - 2021, year, "abc" if year == 2023 else "90"))
        conn.commit()
    result = CliRunner().invoke(app, ["so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "tổng điểm của đơn vị X01 ở lần chạy số 2 là «abc», không phải một số" in said
