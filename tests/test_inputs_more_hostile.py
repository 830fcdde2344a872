"""More hostile inputs: a subfolder that cannot be listed, a criteria file with a key written twice, a check that
would print a line per problem for 20,000 problems."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.criteria import DEFAULT_CRITERIA, load_criteria, parse_criteria
from scoring.criteria.load import decode
from scoring.errors import CriteriaError, InputError, Location
from scoring.readers.files import discover
from scoring.reports.console import CHECK_PER_CODE
from tests.inputs_helpers import REGISTRY, YEAR, make_form, read, write_csv, write_registry

runner = CliRunner()
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

# --- 1. a folder that cannot be listed ------------------------------------------------------------------------


@pytest.fixture
def unlistable(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[Path]]:
    """Folders whose listing fails as on a share the user may not read (the tests run as root, for whom a chmod
    changes nothing): os.scandir raises PermissionError for them, as the kernel would."""
    refused: set[Path] = set()
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(os.fsdecode(path)).resolve() in {p.resolve() for p in refused}:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    yield refused


def _tree(root: Path) -> None:
    for rel in ("xa/a.xlsx", "xa/b.csv", "co_quan/c.xlsx", "co_quan/sau/d.xlsx", "huyen/e.csv"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")


def test_a_folder_that_cannot_be_listed_is_one_error_naming_it(tmp_path: Path, unlistable: set[Path]) -> None:
    _tree(tmp_path)
    unlistable.add(tmp_path / "co_quan")
    said: list[InputError] = []
    files, _, _ = discover(tmp_path, None, said.append)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["huyen/e.csv", "xa/a.xlsx", "xa/b.csv"]
    assert [(p.code, p.location, p.severity) for p in said] == [
        ("UNREADABLE_FOLDER", Location(file="co_quan"), "error")]
    assert "không mở được thư mục này" in said[0].message and "PermissionError" in said[0].message
    assert "chạy lại" in said[0].message  # how to fix it


def test_nested_and_several_unlisted_folders_each_named_in_order(tmp_path: Path, unlistable: set[Path]) -> None:
    _tree(tmp_path)
    unlistable.update({tmp_path / "xa", tmp_path / "co_quan" / "sau"})
    said: list[InputError] = []
    files, _, _ = discover(tmp_path, None, said.append)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["co_quan/c.xlsx", "huyen/e.csv"]
    assert [p.location.file for p in said] == ["co_quan/sau", "xa"]


def test_the_input_folder_itself_unlisted_is_named_by_its_path(tmp_path: Path, unlistable: set[Path]) -> None:
    _tree(tmp_path)
    unlistable.add(tmp_path)
    said: list[InputError] = []
    assert discover(tmp_path, None, said.append) == ([], set(), [])
    assert [(p.code, p.location.file) for p in said] == [("UNREADABLE_FOLDER", str(tmp_path))]


def test_a_hidden_folder_is_never_entered_so_never_reported(tmp_path: Path, unlistable: set[Path]) -> None:
    _tree(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "f.csv").write_bytes(b"x")
    unlistable.add(tmp_path / ".git")
    said: list[InputError] = []
    files, _, _ = discover(tmp_path, None, said.append)
    assert said == [] and len(files) == 5


def test_without_a_listener_discover_answers_as_before(tmp_path: Path, unlistable: set[Path]) -> None:
    _tree(tmp_path)
    unlistable.add(tmp_path / "co_quan")
    files, locked, other = discover(tmp_path, None)
    assert len(files) == 3 and locked == set() and other == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symlinks as on Linux")
def test_the_walk_keeps_what_it_skipped_and_its_order(tmp_path: Path) -> None:
    """os.walk replaced rglob: the same files in the same order, the same things skipped."""
    for rel in ("b/z.csv", "a/y.xlsx", "a/~$y.xlsx", "B.xlsm", "a.csv", "don_vi.csv", "DON_VI.xlsx", "sub/don_vi.csv",
                ".hidden.csv", ".an/x.csv", "old.xls", "notes.txt", "a b/ü.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "link.csv").symlink_to(tmp_path / "a.csv")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # never followed: no loop, no duplicate
    said: list[InputError] = []
    files, locked, other = discover(tmp_path, tmp_path / "don_vi.csv", said.append)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "B.xlsm", "a b/ü.csv", "a.csv", "a/y.xlsx", "b/z.csv", "link.csv", "sub/don_vi.csv"]
    assert locked == {tmp_path / "a" / "y.xlsx"} and other == [tmp_path / "old.xls"]
    assert [(p.code, p.location.file) for p in said] == [("NOT_A_REGULAR_FILE", "pipe.csv")]  # skipped, and said


def test_read_inputs_reports_the_folder_it_could_not_list(tmp_path: Path, unlistable: set[Path]) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "co_quan" / "c01.xlsx", "co_quan")
    unlistable.add(tmp_path / "co_quan")
    result = read(tmp_path)
    assert [p.location.file for p in result.problems if p.code == "UNREADABLE_FOLDER"] == ["co_quan"]


# --- 2. a criteria file with a key written twice --------------------------------------------------------------

BASE = DEFAULT_CRITERIA.read_text("utf-8")


def _refused(text: str) -> CriteriaError:
    with pytest.raises(CriteriaError) as info:
        parse_criteria(text.encode("utf-8"), "dup.json")
    return info.value


def test_a_key_written_twice_is_refused_with_its_path() -> None:
    assert '"total": 100' in BASE
    error = _refused(BASE.replace('"total": 100', '"total": 100, "total": 90', 1))
    assert [(p.code, p.path) for p in error.problems] == [("DUPLICATE_KEY", "schemes.huyen.total")]
    assert "«total»" in error.problems[0].message


def test_duplicates_at_the_top_and_in_a_list_each_named() -> None:
    text = BASE.replace("{", '{"id": "x", ', 1)  # the file's own "id" comes later in the same object
    first = re.search(r'"max": 3,', text)
    assert first is not None and '"id"' in BASE[:200]
    text = text[:first.start()] + '"max": 3, "max": 4,' + text[first.end():]
    error = _refused(text)
    assert [(p.code, p.path) for p in error.problems] == [
        ("DUPLICATE_KEY", "id"), ("DUPLICATE_KEY", "schemes.huyen.criteria[0].children[0].max")]


def test_the_same_key_in_different_objects_is_fine() -> None:
    assert decode(b'{"a": [{"k": 1}, {"k": 2}], "b": {"k": 3}}', "x") == {"a": [{"k": 1}, {"k": 2}], "b": {"k": 3}}
    assert type(load_criteria().file).__name__ == "CriteriaFile"  # the shipped file still loads


def test_cli_refuses_a_criteria_file_with_a_duplicate_key_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "dup.json"
    bad.write_text(BASE.replace('"total": 100', '"total": 100, "total": 100', 1), encoding="utf-8")
    result = runner.invoke(app, ["criteria", "--tieu-chi", str(bad)], env=ENV)
    assert result.exit_code == 1, result.output
    assert "DUPLICATE_KEY" in result.output and "schemes.huyen.total" in result.output


# --- 3. check caps what it lists, per code ---------------------------------------------------------------------

UNKNOWN = CHECK_PER_CODE + 25


@pytest.fixture
def many_unknown(tmp_path: Path) -> Path:
    write_registry(tmp_path)
    rows: list[list[Any]] = [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_thon"]]
    rows += [[f"Z{i:03d}", f"Xã Lạ {i:03d}", "xa", YEAR, 3] for i in range(UNKNOWN)]
    write_csv(tmp_path / "tong_hop.csv", rows)
    return tmp_path


def _check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args], env=ENV)
    return result.exit_code, result.output


def test_check_lists_at_most_so_many_problems_of_a_code_and_says_how_to_see_all(many_unknown: Path) -> None:
    problems = read(many_unknown).problems
    assert sum(p.code == "UNKNOWN_UNIT" for p in problems) == UNKNOWN
    errors = sum(p.severity == "error" for p in problems)
    code, out = _check(str(many_unknown))
    assert code == 1, out  # the exit code counts every problem
    assert f"lỗi {errors}" in out  # and so does the title
    assert out.count("UNKNOWN_UNIT") == CHECK_PER_CODE + 1
    assert f"… và {UNKNOWN - CHECK_PER_CODE} mục UNKNOWN_UNIT khác (xem đủ với --tat-ca)." in out
    assert out.count("NO_FORM") == len(REGISTRY)  # a code below the cap: every one listed, no line about it


def test_check_tat_ca_lists_every_problem(many_unknown: Path) -> None:
    capped, _ = _check(str(many_unknown))
    code, out = _check(str(many_unknown), "--tat-ca")
    assert code == capped == 1
    assert out.count("UNKNOWN_UNIT") == UNKNOWN
    assert "xem đủ" not in out
