"""The history's SQLite file: schema, opening to write or to read, and recognising a file before touching it.

A file is recognised before anything is written to it: qd274 never changes another program's database, nor a
history made by a newer qd274, and reading never writes.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from .errors import HistoryError

# Schema 2: a unit's per-criterion results are one JSON array in its unit_results row (466,000 rows of a
# national run took 1.4 s to insert; 10,600 arrays take a tenth of that), and the view criterion_results
# gives them back as rows. Schema 1 kept them in a table of that name: a schema-1 file is migrated in place
# (the table is renamed and read through the same view), nothing is rewritten or dropped. Schema 1 wrote no
# user_version (0) and no application_id; schema 2 writes both.
# Schema 3: unit_results.has_data, 1 or 0, whether the unit sent anything (values, self-scores, an appraisal):
# a unit without data is recorded with 0 points that are not a score. A schema-1 or -2 file gets the column
# (ALTER TABLE … ADD COLUMN, as schema 2 added `criteria`); its old rows hold NULL, unknown, which
# scoring.history infers from what they recorded.
SCHEMA_VERSION = 3
APPLICATION_ID = 0x51323734  # "Q274" in ASCII, in the file's header: file(1) and we know the file by it
_APPEND_ONLY = 'BEGIN SELECT RAISE(ABORT, \'lịch sử chỉ được ghi thêm\'); END'
_CREATE = (
    """CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, year INTEGER,
  criteria_sha256 TEXT NOT NULL, criteria_status TEXT NOT NULL, engine_version TEXT NOT NULL,
  manifest TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS unit_results (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,
  subject TEXT NOT NULL, year INTEGER NOT NULL, base TEXT NOT NULL, bonus TEXT NOT NULL, deduction TEXT NOT NULL,
  total TEXT NOT NULL, grade_id TEXT NOT NULL, grade TEXT NOT NULL, rank INTEGER,
  criteria TEXT,  -- [[criterion_id, self, computed, appraised, final, status], …], exact decimal text
  has_data INTEGER,  -- 1 or 0; NULL in rows recorded before schema 3
  PRIMARY KEY (run_id, subject, unit_id))""",
    """CREATE TABLE IF NOT EXISTS criterion_results_v1 (
  run_id INTEGER NOT NULL REFERENCES runs(id), unit_id TEXT NOT NULL, subject TEXT NOT NULL,
  criterion_id TEXT NOT NULL, self TEXT, computed TEXT, appraised TEXT, final TEXT NOT NULL, status TEXT NOT NULL,
  PRIMARY KEY (run_id, subject, unit_id, criterion_id))""",
    """CREATE VIEW IF NOT EXISTS criterion_results (run_id, unit_id, subject, criterion_id, self, computed, appraised,
                                              final, status) AS
  SELECT u.run_id, u.unit_id, u.subject, json_extract(c.value, '$[0]'), json_extract(c.value, '$[1]'),
         json_extract(c.value, '$[2]'), json_extract(c.value, '$[3]'), json_extract(c.value, '$[4]'),
         json_extract(c.value, '$[5]')
  FROM unit_results u, json_each(u.criteria) c WHERE u.criteria IS NOT NULL
  UNION ALL
  SELECT run_id, unit_id, subject, criterion_id, self, computed, appraised, final, status FROM criterion_results_v1""",
    # append-only: history is evidence
    *(f"CREATE TRIGGER IF NOT EXISTS no_{op}_{table} BEFORE {op.upper()} ON {table} {_APPEND_ONLY}"
      for table in ("runs", "unit_results", "criterion_results_v1") for op in ("update", "delete")),
)

# What a qd274 history may hold, schema 1 to 3, by name: any other table, view, trigger or index (SQLite's own
# sqlite_… aside) means the file belongs to someone else, and so does one of our tables with other columns.
_RUN_COLUMNS = ("id", "created_at", "year", "criteria_sha256", "criteria_status", "engine_version", "manifest")
_UNIT_COLUMNS_V1 = ("run_id", "unit_id", "unit_name", "subject", "year", "base", "bonus", "deduction", "total",
                    "grade_id", "grade", "rank")
_CRITERION_COLUMNS = ("run_id", "unit_id", "subject", "criterion_id", "self", "computed", "appraised", "final",
                      "status")
_COLUMNS = {"runs": (_RUN_COLUMNS,),  # each table's columns, the current schema's first
            "unit_results": ((*_UNIT_COLUMNS_V1, "criteria", "has_data"), (*_UNIT_COLUMNS_V1, "criteria"),
                             _UNIT_COLUMNS_V1),
            "criterion_results_v1": (_CRITERION_COLUMNS,),
            "criterion_results": (_CRITERION_COLUMNS,)}  # schema 1's table; a view since schema 2
_TRIGGERS = {f"no_{op}_{table}" for table in _COLUMNS for op in ("update", "delete")}
_COMPLETE = {"runs": "table", "unit_results": "table", "criterion_results_v1": "table", "criterion_results": "view",
             **{f"no_{op}_{t}": "trigger" for t in ("runs", "unit_results", "criterion_results_v1")
                for op in ("update", "delete")}}  # what _CREATE makes: a file holding all of it needs no writing
_KIND_VI = {"table": "bảng", "view": "khung nhìn (view)", "trigger": "trigger", "index": "chỉ mục (index)"}


class History(sqlite3.Connection):
    """A connection to the history: `path` is its file (named in messages), `exists` whether that file exists
    (False for the empty history a read gives when there is no file yet)."""

    path: Path
    exists: bool


def default_db() -> Path:
    """The user's data folder: %LOCALAPPDATA%\\qd274 on Windows, $XDG_DATA_HOME/qd274 (~/.local/share) elsewhere."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "qd274" / "lich_su.sqlite3"


def connect(path: Path, write: bool = True) -> History:
    """Open the history (see open_history for what `write` allows); HistoryError when it cannot be used."""
    try:
        return _open_to_write(path) if write else _open_to_read(path)
    except (sqlite3.Error, OSError) as exc:
        raise _failure(path, exc) from exc


@contextmanager
def open_history(path: Path, write: bool = True) -> Iterator[History]:
    """The history for one command, closed afterwards.

    write=True (`report`): a missing file is made, with its folders; an empty file or a history of an earlier
    schema (1 or 2) is set up or migrated in one transaction; a complete history is opened without writing
    anything.
    write=False (`lich-su`, `so-sanh`): read-only (SQLite's mode=ro). Nothing is ever created, migrated or
    written, so the file's bytes stay as they were, a read-only file or folder is enough, and a `report`
    writing at the same time does not block it. A missing file, or one without any run table yet, reads as an
    empty history: list_runs gives [] (the caller says "Chưa có lần chạy nào"), runs_for raises "Chưa có lần
    chạy nào cho năm Y"; History.exists is False when there is no file. A file of an earlier schema is read as
    it is (scoring.history reads what each schema holds).

    Either way a file that is not a qd274 history (not SQLite, damaged, another program's database, one of our
    table names with other columns) or that a newer qd274 made is refused before anything is written to it.
    Every failure is a HistoryError naming the file, its `cause` saying who can act: "disk" (no permission, a
    full disk), "locked" (another program holds the file), "not_history", "newer" (update qd274).
    """
    conn = connect(path, write)
    try:
        yield conn
    except sqlite3.Error as exc:
        raise _failure(path, exc) from exc
    finally:
        conn.close()


def _open_to_write(path: Path) -> History:
    _check_kind(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, no permission, a full disk
        failure = _failure(path, exc)
        raise replace(failure, what=f"không tạo được thư mục {path.parent}"
                                    + (f" ({failure.what})" if failure.what else "")) from exc
    conn = _opened(sqlite3.connect(path, factory=History), path)
    try:
        if not _recognise(conn, path).complete:
            conn.execute("BEGIN IMMEDIATE")  # held while we look again and set up: another report may do the same
            if not _recognise(conn, path).complete:
                _migrate(conn)
                for statement in _CREATE:
                    conn.execute(statement)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()
    except BaseException:
        conn.close()  # an open transaction is rolled back: a refused or failed setup leaves the file as it was
        raise
    return conn


def _open_to_read(path: Path) -> History:
    if not path.exists():
        return _empty(path, exists=False)
    _check_kind(path)
    try:
        conn, found = _read_only(path)
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_READONLY_ROLLBACK:
            raise
        # A report killed while recording left its journal: the last consistent state must be put back first,
        # which only a connection that may write can do (as SQLite itself would on the next report)
        _roll_back_journal(path)
        conn, found = _read_only(path)
    if "runs" in found.objects and "unit_results" in found.objects:
        return conn
    conn.close()  # an empty file, or one a first report left before making its tables: nothing recorded yet
    return _empty(path, exists=True)


def _read_only(path: Path) -> tuple[History, _Found]:
    conn = _opened(sqlite3.connect(_read_only_uri(path.absolute()), uri=True, factory=History), path)
    try:
        return conn, _recognise(conn, path)
    except BaseException:
        conn.close()
        raise


def _roll_back_journal(path: Path) -> None:
    """Put back the state before a report was killed part way (its rollback journal): what SQLite does on the next
    connection that may write. HistoryError when this user cannot write the file."""
    try:
        conn = sqlite3.connect(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # the first read rolls the journal back
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise replace(_failure(path, exc), what="một lần chạy qd274 report bị ngắt khi đang lưu và cần được hoàn tác "
                      "trước khi đọc, nhưng không có quyền ghi vào tệp: chạy lệnh với quyền ghi vào tệp này") from exc


def _check_kind(path: Path) -> None:
    """HistoryError when `path` exists and is not a regular file: a folder cannot hold a history, and SQLite
    opening a FIFO waits for a writer for ever (not even Ctrl+C ends it)."""
    try:
        mode = path.stat().st_mode
    except OSError:  # missing (made, or read as empty, by the caller) or unreachable (the open will say)
        return
    if stat.S_ISDIR(mode):
        raise _a_folder(path)
    if not stat.S_ISREG(mode):
        raise HistoryError(str(path), "not a regular file", cause="not_history",
                           what="đây không phải tệp thường (là FIFO, thiết bị hoặc socket); --db cần tên một tệp")


def _read_only_uri(path: PurePath) -> str:
    """The SQLite URI that opens `path` (absolute) read-only and never creates it.

    as_uri() percent-encodes spaces, "?", "#", "%" and non-ASCII (as UTF-8), all of which SQLite decodes, and
    gives file:///C:/… for a Windows drive. A Windows share (\\\\server\\share\\…) comes out as file://server/…,
    an authority SQLite refuses: its path is put after an empty authority instead (file:////server/…).
    """
    uri = path.as_uri()
    if not uri.startswith("file:///"):
        uri = "file:////" + uri.removeprefix("file://")
    return f"{uri}?mode=ro"


def _opened(conn: History, path: Path) -> History:
    conn.path, conn.exists = path, True
    return conn


def _empty(path: Path, exists: bool) -> History:
    """An empty history in memory, read-only like the file it stands for: nothing is created on the disk."""
    conn = sqlite3.connect(":memory:", factory=History)
    conn.path, conn.exists = path, exists
    for statement in _CREATE:
        conn.execute(statement)
    conn.execute("PRAGMA query_only = ON")
    return conn


@dataclass(frozen=True)
class _Found:
    """A file recognised as a qd274 history (or as empty): its schema version and objects, by name, and
    whether one of its tables has an earlier schema's columns (user_version alone is not trusted for that)."""

    version: int
    application_id: int
    objects: dict[str, str]
    old_columns: bool = False

    @property
    def complete(self) -> bool:
        return (self.version == SCHEMA_VERSION and self.application_id == APPLICATION_ID
                and self.objects == _COMPLETE and not self.old_columns)


def _recognise(conn: sqlite3.Connection, path: Path) -> _Found:
    """What the file holds, read without writing; HistoryError when it is not a qd274 history this qd274 can
    use (then nothing has been written to it)."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    app = int(conn.execute("PRAGMA application_id").fetchone()[0])
    objects = {str(name): str(kind) for kind, name in conn.execute("SELECT type, name FROM sqlite_master")
               if not str(name).startswith("sqlite_")}  # SQLite's own (sqlite_sequence, autoindexes, stats)

    def not_ours(why: str, facts: str) -> HistoryError:
        return HistoryError(str(path), facts, cause="not_history",
                            what=f"tệp này không phải tệp lịch sử của qd274 ({why})")

    if app not in (0, APPLICATION_ID):
        raise not_ours("đây là cơ sở dữ liệu của một chương trình khác", f"application_id {app}")
    if version > SCHEMA_VERSION and (app == APPLICATION_ID or "runs" in objects):
        raise HistoryError(str(path), f"user_version {version} > {SCHEMA_VERSION}", cause="newer",
                           what=f"tệp do phiên bản qd274 mới hơn tạo (lược đồ {version}); phiên bản này chỉ dùng "
                                f"được đến lược đồ {SCHEMA_VERSION}")
    if not objects:
        if version == 0 or app == APPLICATION_ID:
            return _Found(version, app, objects)  # a new or empty file: ours to set up
        raise not_ours(f"cơ sở dữ liệu trống nhưng đã được đánh số phiên bản {version}",
                       f"user_version {version}, no table")
    if version > SCHEMA_VERSION:
        raise not_ours(f"cơ sở dữ liệu có phiên bản {version} của chương trình khác",
                       f"user_version {version}, no table runs")
    old_columns = False
    for name, kind in sorted(objects.items()):
        if kind == "table" and name in _COLUMNS:
            columns = tuple(str(row[1]) for row in conn.execute(f"PRAGMA table_info({name})"))  # a name of ours
            if columns not in _COLUMNS[name]:
                raise not_ours(f"bảng «{name}» của tệp có các cột {', '.join(columns)}, khác bảng cùng tên của qd274",
                               f"table {name}({', '.join(columns)})")
            old_columns = old_columns or columns != _COLUMNS[name][0]
        elif not ((kind, name) == ("view", "criterion_results") or (kind == "trigger" and name in _TRIGGERS)):
            raise not_ours(f"tệp có {_KIND_VI.get(kind, kind)} «{name}», lịch sử của qd274 không có", f"{kind} {name}")
    if objects.get("criterion_results") == "table" and "criterion_results_v1" in objects:
        raise not_ours("có cả bảng criterion_results lẫn criterion_results_v1",
                       "tables criterion_results and criterion_results_v1")
    return _Found(version, app, objects, old_columns)


def _a_folder(path: Path) -> HistoryError:
    return HistoryError(str(path), "is a directory", cause="not_history",
                        what="đây là một thư mục, không phải tệp lịch sử; --db cần tên một tệp")


def _failure(path: Path, exc: sqlite3.Error | OSError) -> HistoryError:
    """The HistoryError for a failure of SQLite or of the system, its cause read from SQLite's error code (or,
    for an error without one, its text)."""
    reason = f"{type(exc).__name__}: {exc}"
    code = getattr(exc, "sqlite_errorcode", None)
    base = code & 0xFF if isinstance(code, int) else None  # extended codes keep the primary code in the low byte
    text = str(exc).lower()
    if base in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (base is None and "locked" in text):
        return HistoryError(str(path), reason, cause="locked", what="một chương trình khác đang giữ tệp này")
    if base in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or (
            base is None and ("not a database" in text or "malformed" in text)):
        return HistoryError(str(path), reason, cause="not_history",
                            what="tệp này không phải cơ sở dữ liệu SQLite hoặc đã hỏng, nên không phải tệp lịch sử "
                                 "của qd274")
    number = getattr(exc, "errno", None)
    if base == sqlite3.SQLITE_FULL or number == errno.ENOSPC:
        what = "ổ đĩa đã đầy"
    elif base == sqlite3.SQLITE_READONLY or number == errno.EROFS:
        what = "không có quyền ghi vào tệp hoặc thư mục chứa nó"
    elif base == sqlite3.SQLITE_PERM or isinstance(exc, PermissionError):
        what = "không có quyền dùng tệp hoặc thư mục chứa nó"
    elif base == sqlite3.SQLITE_CANTOPEN:
        what = "không mở được tệp"
    else:
        what = ""
    return HistoryError(str(path), reason, what=what)


def _migrate(conn: sqlite3.Connection) -> None:
    """Schema 1 → 2 → 3, in the caller's transaction: the per-criterion table is renamed and read through the
    view; unit_results gets `criteria`, then `has_data` (NULL in the rows already there: not known)."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "criterion_results" in tables:
        for op in ("update", "delete"):  # the triggers follow the table; they are made again under new names
            conn.execute(f"DROP TRIGGER IF EXISTS no_{op}_criterion_results")
        conn.execute("ALTER TABLE criterion_results RENAME TO criterion_results_v1")
    if "unit_results" in tables:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(unit_results)")}
        if "criteria" not in columns:
            conn.execute("ALTER TABLE unit_results ADD COLUMN criteria TEXT")
        if "has_data" not in columns:  # after `criteria`: the columns come in the order _CREATE gives them
            conn.execute("ALTER TABLE unit_results ADD COLUMN has_data INTEGER")
