"""Hostile paths and registries: file names that are not UTF-8, a registry that is a FIFO or a device, a registry
with a title line above its header, and several registry files in one folder."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scoring.pipeline import run as run_all
from scoring.readers.files import default_registry, discover, display_name
from scoring.registry import COLUMNS
from scoring.reports import json_doc, writer
from tests.inputs_helpers import REGISTRY, codes, errors, only, read, write_csv, write_registry, write_xlsx_table

INPUTS = Path(__file__).resolve().parent.parent / "inputs" / "yen_the_2023"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names, FIFOs and /dev as Linux has them")


def _raw(folder: Path, tail: bytes) -> Path:
    """A path under `folder` whose name holds the bytes `tail`, as a zip made on Windows extracts on Linux."""
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + tail))


def _utf8_everywhere(value: Any) -> None:
    """Every string in a document can be written as UTF-8 (a lone surrogate cannot)."""
    json.dumps(value, ensure_ascii=False).encode("utf-8")


# --- 1. names that are not UTF-8 ----------------------------------------------------------------------------


def _one_row_table(path: Path, code: str) -> Path:
    """The consolidated table of the demo inputs, cut to the row of one unit, for the year of the demo forms."""
    lines = (INPUTS.parent / "yen_the_2022" / "tong_hop_2022.csv").read_bytes().splitlines(keepends=True)
    [row] = [line for line in lines[1:] if line.startswith(code.encode() + b",")]
    head = lines[0].decode("utf-8-sig").split(",")
    cells = row.split(b",")
    cells[head.index("nam")] = b"2023"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(lines[0] + b",".join(cells))
    return path


@linux
def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_the_file_read(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(INPUTS / "don_vi.csv", src / "don_vi.csv")
    _one_row_table(_raw(src, b"sub\xff/t\xe9st\xff.csv"), "YT-X01")
    write_csv(_raw(src, b"sub\xff/r\xe1c.csv"), [["cot_la"], ["1"]])  # not a table: a problem naming it
    _raw(src, b"c\xfc.xls").write_bytes(b"x")  # a format not read: a warning naming it
    form = _raw(src, b"xa\xff/\xe9.xlsx")  # a form: its name is in the report's sheets too
    form.parent.mkdir()
    shutil.copy(INPUTS / "xa" / "dong-ky.xlsx", form)

    run = run_all(src)
    json_doc.dumps(run).encode("utf-8")  # `score --json` prints valid UTF-8
    _utf8_everywhere(run.manifest())
    writer.write_all(run, tmp_path / "out")  # `report` writes the workbook, the page, the document, the trace
    assert (tmp_path / "out" / writer.XLSX).stat().st_size > 0
    [x01] = [r for r in run.results if r.unit.unit_id == "YT-X01"]  # the table is read and the unit scored
    assert x01.grade_name != "Không xếp loại"
    assert x01.unit.source == "sub\\xff/t\\xe9st\\xff.csv"  # each byte that is not UTF-8 shown as \xNN
    names = {f.name for f in run.read.files}
    assert names >= {"sub\\xff/t\\xe9st\\xff.csv", "sub\\xff/r\\xe1c.csv", "xa\\xff/\\xe9.xlsx"}
    assert {"sub\\xff/r\\xe1c.csv", "c\\xfc.xls"} <= {p.location.file for p in run.problems}


@linux
def test_a_workbook_whose_name_is_not_utf8_is_read(tmp_path: Path) -> None:
    shutil.copy(INPUTS / "don_vi.csv", tmp_path / "don_vi.csv")
    form = _raw(tmp_path, b"t\xe9st\xff.xlsx")
    shutil.copy(INPUTS / "xa" / "dong-ky.xlsx", form)
    run = run_all(tmp_path)
    [x05] = [r for r in run.results if r.unit.unit_id == "YT-X05"]
    assert x05.grade_name != "Không xếp loại" and x05.unit.source == "t\\xe9st\\xff.xlsx"


@linux
def test_two_names_differing_only_in_bytes_that_are_not_utf8_stay_two_names(tmp_path: Path) -> None:
    a, b = _raw(tmp_path, b"a\xfe.csv"), _raw(tmp_path, b"a\xff.csv")
    assert (display_name(a, tmp_path), display_name(b, tmp_path)) == ("a\\xfe.csv", "a\\xff.csv")
    assert display_name(tmp_path / "Xã Đồng Kỳ.xlsx", tmp_path) == "Xã Đồng Kỳ.xlsx"  # UTF-8 names untouched


@linux
def test_a_registry_whose_name_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    reg = _raw(tmp_path, b"ds\xff.csv")
    shutil.copy(INPUTS / "don_vi.csv", reg)
    shutil.copy(INPUTS / "xa" / "dong-ky.xlsx", tmp_path / "in" / "dong-ky.xlsx")
    run = run_all(tmp_path / "in", registry=reg)
    json_doc.dumps(run).encode("utf-8")
    _utf8_everywhere(run.manifest())
    assert run.read.registry is not None and run.read.registry.source == "ds\\xff.csv"
    assert [r.unit.unit_id for r in run.results if r.graded] == ["YT-X05"]  # identified through it


# --- 2. a registry that is not a regular file ---------------------------------------------------------------


@pytest.fixture
def never_opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[Path]]:
    """Paths that must never be opened: opening one fails the test at once instead of blocking on a FIFO or
    reading /dev/zero until memory runs out."""
    guarded: set[Path] = set()
    real_open, real_read = Path.open, Path.read_bytes

    def check(path: Path) -> None:
        if path in guarded or path.resolve() in guarded:
            raise AssertionError(f"{path} was opened")

    def spy_open(self: Path, *args: Any, **kw: Any) -> Any:
        check(self)
        return real_open(self, *args, **kw)

    def spy_read(self: Path) -> bytes:
        check(self)
        return real_read(self)

    monkeypatch.setattr(Path, "open", spy_open)
    monkeypatch.setattr(Path, "read_bytes", spy_read)
    yield guarded


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _dir(path: Path) -> Path:
    path.mkdir()
    return path


def _to_dev_zero(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


@linux
@pytest.mark.parametrize("name", ["pipe.csv", "pipe.xlsx", "zero.csv", "zero.xlsx", "dir.csv"])
def test_a_registry_that_is_not_a_regular_file_is_refused_before_it_is_opened(
        tmp_path: Path, never_opened: set[Path], name: str) -> None:
    (tmp_path / "in").mkdir()
    make = {"pipe": _fifo, "zero": _to_dev_zero, "dir": _dir}[name.split(".")[0]]
    reg = make(tmp_path / name)
    never_opened.update({reg, reg.resolve()})
    result = read(tmp_path / "in", registry_path=reg)
    problem = only(result.problems, "UNREADABLE_FILE")
    assert problem.location.file == name and f"«{tmp_path / name}»" in problem.message  # the path as given
    assert ("FIFO" if "pipe" in name else "thiết bị" if "zero" in name else "thư mục") in problem.message
    assert result.registry is None


@linux
def test_fifos_and_device_links_in_the_input_folder_are_not_opened(tmp_path: Path, never_opened: set[Path]) -> None:
    write_registry(tmp_path)
    never_opened.update({_fifo(tmp_path / "pipe.csv"), _to_dev_zero(tmp_path / "zero.xlsx"), Path("/dev/zero")})
    files, _, _ = discover(tmp_path, tmp_path / "don_vi.csv")
    assert files == []
    result = read(tmp_path)
    assert errors(result.problems) == []
    named = sorted((p.location.file, p.severity) for p in result.problems if p.code == "NOT_A_REGULAR_FILE")
    assert named == [("pipe.csv", "warning"), ("zero.xlsx", "warning")]  # said, not skipped without a word


@linux
def test_a_fifo_given_as_the_input_is_named_for_what_it_is(tmp_path: Path, never_opened: set[Path]) -> None:
    fifo = _fifo(tmp_path / "tong_hop.csv")
    never_opened.add(fifo)
    result = read(fifo)
    problem = only(result.problems, "NOT_A_REGULAR_FILE")
    assert problem.severity == "error" and "không phải tệp thường" in problem.message
    assert "NO_INPUT_FILES" not in codes(result.problems)


@linux
def test_a_registry_name_in_the_folder_that_is_a_fifo_is_refused_not_missed(tmp_path: Path,
                                                                         never_opened: set[Path]) -> None:
    never_opened.add(_fifo(tmp_path / "don_vi.csv"))
    result = read(tmp_path)
    assert only(result.problems, "UNREADABLE_FILE").location.file == "don_vi.csv"
    assert "NOT_A_REGULAR_FILE" not in codes(result.problems)  # said once, by the registry's reader


@linux
def test_a_dangling_registry_link_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "don_vi.csv").symlink_to(tmp_path / "gone.csv")
    result = read(tmp_path)
    assert only(result.problems, "UNREADABLE_FILE").location.file == "don_vi.csv"
    assert "NOT_A_REGULAR_FILE" not in codes(result.problems)


# --- 3. a registry's header below a blank or title line; subject types in capitals --------------------------


def _registry_text(delimiter: str = ",") -> str:
    rows = [list(COLUMNS)] + [[u.code, u.name, u.subject, ";".join(u.aliases)] for u in REGISTRY]
    return "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"


ABOVE = {
    "blank line": "\r\n",
    "title line": "DANH SÁCH ĐƠN VỊ\r\n",
    "title and blank lines": "DANH SÁCH ĐƠN VỊ NĂM 2023\r\n\r\n",
    "title with a comma": "DANH SÁCH ĐƠN VỊ, NĂM 2023\r\n",
    "BOM then blank line": "\ufeff\r\n",
}


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("above", list(ABOVE.values()), ids=list(ABOVE))
def test_a_registry_csv_header_below_blank_or_title_lines(tmp_path: Path, above: str, delimiter: str) -> None:
    (tmp_path / "don_vi.csv").write_bytes((above + _registry_text(delimiter)).encode())
    result = read(tmp_path)
    assert result.registry is not None
    assert [u.code for u in result.registry.units] == [u.code for u in REGISTRY]
    x04 = result.registry.by_code("X04")
    assert x04 is not None and x04.aliases == ("TT Cầu Gồ",)
    assert errors(result.problems) == []


def test_a_bad_row_below_a_title_line_is_named_by_its_line(tmp_path: Path) -> None:
    text = "DANH SÁCH ĐƠN VỊ\r\n" + _registry_text() + "X09,,xa,\r\n"
    (tmp_path / "don_vi.csv").write_bytes(text.encode())
    bad = only(read(tmp_path).problems, "BAD_REGISTRY_ROW")
    assert bad.location.cell == f"B{len(REGISTRY) + 3}"  # the line it is on in the file, the empty name's column


def test_a_registry_workbook_header_below_a_title_row(tmp_path: Path) -> None:
    write_xlsx_table(tmp_path / "don_vi.xlsx", [["DANH SÁCH ĐƠN VỊ"], [], list(COLUMNS)]
                     + [[u.code, u.name, u.subject, ";".join(u.aliases)] for u in REGISTRY])
    result = read(tmp_path)
    assert result.registry is not None and len(result.registry.units) == len(REGISTRY)
    assert errors(result.problems) == []


def test_a_registry_without_its_header_in_the_first_rows_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "don_vi.csv").write_bytes(("tiêu đề\r\n" * 12 + _registry_text()).encode())
    result = read(tmp_path)
    assert codes(errors(result.problems)) == ["MISSING_COLUMN"]


def test_subject_types_typed_in_capitals(tmp_path: Path) -> None:
    rows = [list(COLUMNS)] + [[u.code, u.name, u.subject.upper(), ""] for u in REGISTRY]
    write_csv(tmp_path / "don_vi.csv", rows)
    result = read(tmp_path)
    assert result.registry is not None
    assert [(u.code, u.subject) for u in result.registry.units] == [(u.code, u.subject) for u in REGISTRY]
    assert "BAD_REGISTRY_ROW" not in codes(result.problems)


# --- 4. every registry name in the folder is a registry ------------------------------------------------------


def _registry_xlsx(path: Path) -> Path:
    return write_xlsx_table(path, [list(COLUMNS)] + [[u.code, u.name, u.subject, ""] for u in REGISTRY])


def test_don_vi_xlsm_is_the_registry(tmp_path: Path) -> None:
    _registry_xlsx(tmp_path / "don_vi.xlsm")
    assert default_registry(tmp_path) == tmp_path / "don_vi.xlsm"
    result = read(tmp_path)
    assert result.registry is not None and result.registry.source == "don_vi.xlsm"
    assert len(result.registry.units) == len(REGISTRY)
    assert result.files == [] and errors(result.problems) == []


@pytest.mark.parametrize("other", ["don_vi.xlsx", "don_vi.xlsm", "DON_VI.XLSX"])
def test_the_csv_registry_is_read_and_another_is_named_not_read_as_data(tmp_path: Path, other: str) -> None:
    write_registry(tmp_path)
    _registry_xlsx(tmp_path / other)
    result = read(tmp_path)
    assert result.registry is not None and result.registry.source == "don_vi.csv"  # the CSV first, as before
    assert result.files == [] and errors(result.problems) == []  # never read as a table
    note = only(result.problems, "REGISTRY_NOT_READ")
    assert (note.severity, note.location.file) == ("warning", other)
    assert "«don_vi.csv»" in note.message


def test_xlsx_before_xlsm(tmp_path: Path) -> None:
    _registry_xlsx(tmp_path / "don_vi.xlsx")
    _registry_xlsx(tmp_path / "don_vi.xlsm")
    result = read(tmp_path)
    assert result.registry is not None and result.registry.source == "don_vi.xlsx"
    assert only(result.problems, "REGISTRY_NOT_READ").location.file == "don_vi.xlsm"
    assert result.files == []


def test_a_registry_given_elsewhere_leaves_the_folders_registry_unread_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_registry(tmp_path / "in")
    reg = write_registry(tmp_path, name="ds.csv")
    result = read(tmp_path / "in", registry_path=reg)
    assert result.registry is not None and result.registry.source == "ds.csv"
    assert result.files == [] and errors(result.problems) == []
    assert only(result.problems, "REGISTRY_NOT_READ").location.file == "don_vi.csv"


def test_a_registry_name_below_the_top_is_data(tmp_path: Path) -> None:
    """Only the folder's own registry is one: a sub-folder's don_vi.csv is read (and named) as any table is."""
    write_registry(tmp_path)
    (tmp_path / "sub").mkdir()
    write_registry(tmp_path / "sub")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path, None)[0]] == ["sub/don_vi.csv"]
