"""Hostile and broken input files: each gives one clear Vietnamese problem for that file, the other files of
the folder are still scored, nothing is written into the folder, and nothing crashes.

Every big or malicious file is generated here, bounded (hostile_files.py): a zip bomb inflates to 300 MB
from a 0.7 MB file, a million-row sheet is streamed into its zip. The checks they meet are in
scoring/readers/package.py (sizes, DTDs, sheet extents) and sniff.py (what a non-workbook really is).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineError, CalamineWorkbook

from scoring import InputError, Location
from scoring import pipeline as pipeline_module
from scoring.forms import layout as L
from scoring.names import INVISIBLE, clean
from scoring.numbers import format_vi
from scoring.readers import limits
from scoring.readers import package as package_module
from scoring.readers.package import SMALL_COLS, SMALL_ROWS, Refused, inspect_package
from scoring.readers.sniff import ole_streams
from scoring.readers.workbook import _package_facts, _scan_formulas, open_book, read_part
from scoring.registry import Registry, load_registry
from tests.hostile_files import (
    LAUGHS,
    XXE,
    add_parts,
    corrupt_middle,
    encrypted_xlsx,
    ole_file,
    raw_workbook,
    rewrite_part,
    sheet_xml,
    stream_sheet,
    table,
    truncate,
    zip_bomb,
)
from tests.inputs_helpers import (
    UNIT_OF,
    YEAR,
    criteria,
    make_form,
    minimal_docx,
    only,
    read,
    snapshot,
    write_csv,
    write_registry,
    write_xlsx_table,
)

XA, HUYEN = UNIT_OF["xa"], UNIT_OF["huyen"]
MIB = 1024 * 1024


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two registered units; the commune sends a good form. Each test adds one hostile file beside it."""
    write_registry(tmp_path, [XA, HUYEN])
    make_form(tmp_path / "xa_dong_vuong.xlsx", "xa", values={"so_thon": 9, "so_cuoc_kiem_tra": 4})
    return tmp_path


def scored_despite(folder: Path, hostile: str, code: str, kind: str = "unreadable") -> InputError:
    """Run the whole pipeline; the hostile file gives one `code` problem, the good form is scored, the folder
    is byte for byte what it was (no file changed, none created), and the problem reads as Vietnamese."""
    before = snapshot(folder)
    run = pipeline_module.run(folder)
    assert snapshot(folder) == before
    problem = only([p for p in run.problems if p.location.file == hostile], code)
    assert problem.severity == "error"
    _reads_well(problem)
    [good] = run.find(XA.code)
    assert good.unit.has_data and good.unit.values["so_thon"].value == 9
    assert good.unit.source == "xa_dong_vuong.xlsx"
    assert [f.kind for f in run.read.files if f.name == hostile] == [kind]
    return problem


def _reads_well(problem: InputError) -> None:
    """A sentence for the person who filled the form: bounded, no traceback, no bare library exception."""
    assert 20 < len(problem.message) < 600, problem.message
    assert "Traceback" not in problem.message and "Exception" not in problem.message
    assert any(ch in problem.message for ch in "ảạấầẩẫậắằẳẵặẻẽếềểễệỉịỏọốồổỗộớờởỡợủụứừửữựỷỹỵđ"), problem.message


# ── 1. truncated and damaged workbooks ───────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.999])
def test_truncated_workbook(folder: Path, fraction: float) -> None:
    filled = make_form(folder / "src" / "huyen.xlsx", "huyen", values={"so_xa": 3})
    shutil.move(filled.path, folder / "huyen.xlsx")
    (folder / "src").rmdir()
    truncate(folder / "huyen.xlsx", fraction)
    problem = scored_despite(folder, "huyen.xlsx", "UNREADABLE_FILE")
    assert "cắt cụt" in problem.message and "Lấy lại bản đầy đủ" in problem.message


def test_damaged_part_inside_an_intact_zip(folder: Path) -> None:
    """The zip's directory is fine, but a sheet's compressed bytes are not: found before calamine reads it."""
    make_form(folder / "huyen.xlsx", "huyen", values={"so_xa": 3})
    corrupt_middle(folder / "huyen.xlsx", "xl/worksheets/sheet4.xml")
    problem = scored_despite(folder, "huyen.xlsx", "UNREADABLE_FILE")
    assert "sheet4.xml" in problem.message and "hỏng" in problem.message


def test_a_sheet_calamine_cannot_parse_is_reported_not_raised(folder: Path) -> None:
    """calamine raises on a malformed sheet only when the sheet is loaded: once a crash (exit 3), now a
    problem on that sheet, and the other sheets of the file are still read."""
    good = sheet_xml([["ma_don_vi", "nam", "so_cuoc_kiem_tra"], [XA.code, YEAR, 4]])
    broken = sheet_xml([["x"]]).replace("<sheetData>", '<sheetData><row r="1"><c r="A1"><v>1</v></row>')
    raw_workbook(folder / "tong_hop.xlsx", {"Xã": good, "Hỏng": broken})
    run = pipeline_module.run(folder)
    problem = only(run.problems, "UNREADABLE_FILE")
    assert problem.location == Location("tong_hop.xlsx", "Hỏng")
    [unit] = run.find(XA.code)
    assert unit.unit.values["so_cuoc_kiem_tra"].value == 4 and "tong_hop.xlsx" in unit.unit.source


# ── 2. files that are not workbooks at all ───────────────────────────────────────────────────────────────

NOT_WORKBOOKS: dict[str, tuple[Callable[[Path], Any], str, str]] = {
    "docx": (minimal_docx, "NOT_A_WORKBOOK", "tệp Word (.docx)"),
    "csv-comma": (lambda p: p.write_text("ma_don_vi,nam,so_thon\nX01,2023,9\n", "utf-8"), "NOT_A_WORKBOOK",
                  "tệp văn bản (CSV)"),
    "csv-semicolon-bom": (lambda p: p.write_bytes("\ufeffma_don_vi;nam\nH01;2023\n".encode()), "NOT_A_WORKBOOK",
                          "tệp văn bản (CSV)"),
    "html": (lambda p: p.write_text("<html><body><table><tr><td>ma_don_vi</td></tr></table></body></html>",
                                    "utf-8"), "NOT_A_WORKBOOK", "trang web (HTML/XML)"),
    "xml-2003": (lambda p: p.write_text('<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook '
                                        'xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "utf-8"),
                 "NOT_A_WORKBOOK", "XML Spreadsheet 2003"),
    "zip-of-nothing": (lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "x"), "NOT_A_WORKBOOK", "tệp nén (.zip)"),
}


@pytest.mark.parametrize("kind", list(NOT_WORKBOOKS))
def test_renamed_files(folder: Path, kind: str) -> None:
    make, code, says = NOT_WORKBOOKS[kind]
    make(folder / "huyen.xlsx")
    problem = scored_despite(folder, "huyen.xlsx", code)
    assert says in problem.message
    if "CSV" in says:
        assert "Đổi đuôi tệp thành .csv" in problem.message


def test_spreadsheets_in_other_formats_are_named_not_skipped_in_silence(folder: Path) -> None:
    for name in ("huyen.xls", "bang.ods", "wps.et"):
        (folder / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (folder / "ghi_chu.txt").write_text("không phải bảng tính")
    result = read(folder)
    assert sorted((p.location.file, p.severity) for p in result.problems if p.code == "UNSUPPORTED_FILE") == [
        ("bang.ods", "warning"), ("huyen.xls", "warning"), ("wps.et", "warning")]
    assert "ghi_chu.txt" not in {p.location.file for p in result.problems}


# ── 3. zip bombs ─────────────────────────────────────────────────────────────────────────────────────────

def _no_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if any part of the bomb is inflated (the good form beside it still is)."""
    inflate = package_module._inflate

    def refuse(fh: Any, *args: Any) -> Any:
        if "bom" in Path(fh.name).name:
            raise AssertionError("a part was inflated before the declared sizes were judged")
        return inflate(fh, *args)

    monkeypatch.setattr(package_module, "_inflate", refuse)


def _no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    import scoring.readers.workbook as workbook_module

    class Refusing:
        @staticmethod
        def from_path(path: str) -> Any:
            if "bom" in Path(path).name:
                raise AssertionError(f"calamine opened {path}")
            return CalamineWorkbook.from_path(path)

    monkeypatch.setattr(workbook_module, "CalamineWorkbook", Refusing)


def test_zip_bomb_declaring_gigabytes_is_refused_before_inflating(folder: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    zip_bomb(folder / "bom.xlsx", 4 * MIB, declared=3 * 1024 * MIB)  # 13 KB on disk, "3 GB" declared
    assert (folder / "bom.xlsx").stat().st_size < 64 * 1024
    _no_inflating(monkeypatch)
    problem = scored_despite(folder, "bom.xlsx", "ZIP_TOO_LARGE")
    assert "giải nén ra 3.073 MB" in problem.message and "200 MB" in problem.message and "bom nén" in problem.message


def test_real_zip_bomb_inflating_to_300_mb(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zip_bomb(folder / "bom.xlsx", 300 * MIB)  # honest headers: 300 MB of XML in ~0.7 MB
    assert (folder / "bom.xlsx").stat().st_size < 2 * MIB
    _no_inflating(monkeypatch)
    _no_calamine(monkeypatch)
    assert "301 MB" in scored_despite(folder, "bom.xlsx", "ZIP_TOO_LARGE").message


def test_zip_bomb_below_the_size_limit_but_compressed_like_a_bomb(folder: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    zip_bomb(folder / "bom.xlsx", 8 * MIB)  # 8 MB would be allowed; a 400x ratio is not
    _no_inflating(monkeypatch)
    problem = scored_despite(folder, "bom.xlsx", "ZIP_TOO_LARGE")
    assert f"tỷ lệ {limits.MAX_RATIO} lần" in problem.message


def test_zip_bomb_with_lying_headers_is_stopped_while_inflating(folder: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared sizes can lie: the sheet says 1 KB and inflates to 300 MB. Inflating stops at the first chunk
    past what was declared, and calamine never sees the file."""
    zip_bomb(folder / "bom.xlsx", 300 * MIB, declared=1000)
    assert zipfile.ZipFile(folder / "bom.xlsx").getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    _no_calamine(monkeypatch)
    problem = scored_despite(folder, "bom.xlsx", "ZIP_TOO_LARGE")
    assert "nhiều hơn kích thước khai báo (1.000 byte)" in problem.message


def test_our_own_part_reads_are_capped_whatever_the_headers_say(tmp_path: Path) -> None:
    table(tmp_path / "t.xlsx", [["ma_don_vi"], *[[f"X{n:05d}"] for n in range(2000)]])
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        assert read_part(z, "xl/workbook.xml").startswith(b"<?xml")
        with pytest.raises(Refused) as refused:
            read_part(z, "xl/worksheets/sheet1.xml", cap=10_000)
    assert refused.value.code == "ZIP_TOO_LARGE"


def test_limits_hang_together() -> None:
    assert limits.MAX_UNPACKED_BYTES >= 10 * limits.RATIO_FLOOR_BYTES
    assert SMALL_ROWS <= min(limits.FORM_MAX_ROWS, limits.TABLE_MAX_ROWS)  # the shortcut in package.py
    assert SMALL_ROWS * SMALL_COLS <= limits.MAX_SHEET_CELLS
    assert limits.QUOTE_CHARS < limits.MAX_NAME_CHARS < limits.MAX_TEXT_CHARS


# ── 4. XML entities: XXE and billion laughs ──────────────────────────────────────────────────────────────

def _with_dtd(path: Path, part: str, dtd: str, use: str) -> Path:
    """A consolidated sheet whose `part` declares `dtd` and whose first unit's name is the entity `use`."""
    table(path, [["ma_don_vi", "ten_don_vi", "nam"], ["X01", "@@", YEAR]])
    return rewrite_part(path, part, lambda b: b.replace(b"?>", b"?>" + dtd.encode(), 1).replace(b"@@", use.encode()))


@pytest.mark.parametrize(("dtd", "use"), [(LAUGHS, "&lol9;"), (XXE, "&xxe;")], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_entities_are_refused_before_any_parser(folder: Path, dtd: str, use: str, part: str) -> None:
    _with_dtd(folder / "huyen.xlsx", part, dtd, use)
    problem = scored_despite(folder, "huyen.xlsx", "UNSAFE_XML")
    assert part in problem.message and "DOCTYPE" in problem.message


@pytest.mark.parametrize(("dtd", "use"), [(LAUGHS, "&lol9;"), (XXE, "&xxe;")], ids=["billion-laughs", "xxe"])
def test_calamine_never_expands_an_entity(tmp_path: Path, dtd: str, use: str) -> None:
    """What calamine does with them, should a file ever reach it: refuses the entity (quick-xml knows only
    the five predefined ones). Neither /etc/passwd nor a billion 'lol' can come back."""
    path = _with_dtd(tmp_path / "t.xlsx", "xl/worksheets/sheet1.xml", dtd, use)
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except CalamineError as exc:
        assert "entity" in str(exc)
    else:  # pragma: no cover - a future calamine that reads past it must still not expand it
        assert all(len(str(v)) < 100 and "root:" not in str(v) for row in rows for v in row)


def test_our_own_xml_reads_expand_no_entity(tmp_path: Path) -> None:
    """workbook.xml is parsed with defusedxml; the formula scan is a regular expression (expands nothing)."""
    path = _with_dtd(tmp_path / "t.xlsx", "xl/workbook.xml", LAUGHS, "&lol9;")
    rewrite_part(path, "xl/workbook.xml", lambda b: b.replace(b'name="', b'name="&lol9;', 1))
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda b: b.replace(
        b"</sheetData>", b'<row r="9"><c r="A9"><f>"&lol9;"</f></c></row></sheetData>'))
    with zipfile.ZipFile(path) as z:
        with pytest.raises(ValueError, match="Entit"):  # defusedxml's EntitiesForbidden
            _package_facts(z)
        assert _scan_formulas(z, "xl/worksheets/sheet1.xml") == {"A9"}


def test_openpyxl_parses_with_defusedxml() -> None:
    """openpyxl only writes here, but should anyone load a workbook with it, it must be through defusedxml."""
    assert openpyxl.xml.DEFUSEDXML is True


def test_openpyxl_load_workbook_does_not_expand_billion_laughs(tmp_path: Path) -> None:
    path = write_xlsx_table(tmp_path / "t.xlsx", [["ma_don_vi", "nam"], ["X01", YEAR]])
    def poison(xml: bytes) -> bytes:  # openpyxl writes no XML declaration: the DTD goes first
        xml = xml.replace(b"</sheetData>", b'<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                                           b"</sheetData>")
        return LAUGHS.encode() + xml if not xml.startswith(b"<?xml") else xml.replace(b"?>", b"?>" + LAUGHS.encode(), 1)

    rewrite_part(path, "xl/worksheets/sheet1.xml", poison)
    try:
        wb = openpyxl.load_workbook(path)
    except Exception as exc:  # defusedxml refuses the entity declarations (openpyxl wraps it in a ValueError)
        chain = [exc]
        while chain[-1].__cause__ or chain[-1].__context__:
            chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
        assert "EntitiesForbidden" in [type(e).__name__ for e in chain], repr(chain)
    else:  # pragma: no cover - parsed without expanding
        assert all(len(str(c.value or "")) < 100 for row in wb.worksheets[0].iter_rows() for c in row)


# ── 5. password-protected workbooks (OLE containers) ─────────────────────────────────────────────────────

def test_password_protected_workbook(folder: Path) -> None:
    encrypted_xlsx(folder / "huyen.xlsx")
    assert ole_streams((folder / "huyen.xlsx").read_bytes()) >= {"EncryptionInfo", "EncryptedPackage"}
    problem = scored_despite(folder, "huyen.xlsx", "PASSWORD_PROTECTED")
    assert problem.message.startswith("tệp Excel được bảo vệ bằng mật khẩu") and "xóa mật khẩu" in problem.message


@pytest.mark.parametrize(("streams", "says"), [
    ({"Workbook": b"\x09\x08" * 2000}, "tệp Excel cũ (.xls) bị đặt đuôi mới"),
    ({"WordDocument": b"\xec\xa5" * 2000}, "tệp Word cũ (.doc)"),
    (None, "tệp Excel cũ (.xls), hoặc tệp được bảo vệ bằng mật khẩu"),  # the signature alone
])
def test_other_ole_files_named_xlsx(folder: Path, streams: dict[str, bytes] | None, says: str) -> None:
    if streams is None:
        (folder / "huyen.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    else:
        ole_file(folder / "huyen.xlsx", streams)
    assert scored_despite(folder, "huyen.xlsx", "NOT_A_WORKBOOK").message.startswith(says)


@pytest.mark.skipif(shutil.which("file") is None, reason="file(1) is not installed")
def test_the_ole_builder_writes_what_libmagic_recognises(tmp_path: Path) -> None:
    """An independent reader of the CFB directory agrees with ours on what the built files are."""
    encrypted_xlsx(tmp_path / "enc.xlsx")
    ole_file(tmp_path / "old.xls", {"Workbook": b"\x09\x08" * 2000})
    out = subprocess.run(["file", "-b", str(tmp_path / "enc.xlsx"), str(tmp_path / "old.xls")],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert "Encrypted" in out[0] and "Excel" in out[1]


# ── 6. macros ────────────────────────────────────────────────────────────────────────────────────────────

VBA = b"\xd0\xcf\x11\xe0Attribute VB_Name = \"Module1\"\nSub Auto_Open()\nShell \"cmd /c calc\"\nEnd Sub\n"


@pytest.mark.parametrize("suffix", [".xlsm", ".xlsx"])
def test_macros_are_never_run(folder: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """A form with a vbaProject.bin (an Auto_Open that would start a program): values read, an info note,
    no process started, the file untouched."""
    filled = make_form(folder / "src" / "huyen.xlsx", "huyen", values={"so_xa": 23})
    add_parts(filled.path, {"xl/vbaProject.bin": VBA}, out=folder / f"huyen{suffix}")
    shutil.rmtree(folder / "src")

    def no_process(*args: Any, **kw: Any) -> Any:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    before = snapshot(folder)
    run = pipeline_module.run(folder)
    assert snapshot(folder) == before
    note = only(run.problems, "MACROS_IGNORED")
    assert (note.severity, note.location) == ("info", Location(f"huyen{suffix}"))
    assert "không chạy macro" in note.message
    [huyen] = run.find(HUYEN.code)
    assert huyen.unit.values["so_xa"].value == 23
    assert run.find(XA.code)[0].unit.has_data


# ── 7. sheets too big to load ────────────────────────────────────────────────────────────────────────────

def test_a_million_row_sheet_is_refused_not_read(folder: Path) -> None:
    """1,000,000 rows streamed into the zip (~7 MB on disk, ~35 MB of XML): measured, not loaded."""
    stream_sheet(folder / "tong_hop.xlsx", ["ma_don_vi"], lambda r: [r], 1_000_000)
    problem = scored_despite(folder, "tong_hop.xlsx", "TOO_MANY_ROWS")
    assert problem.location == Location("tong_hop.xlsx", "Tổng hợp")
    assert f"hơn {format_vi(limits.TABLE_MAX_ROWS)} dòng" in problem.message


def test_a_form_reaching_row_50000_is_refused(folder: Path) -> None:
    filled = make_form(folder / "huyen.xlsx", "huyen", values={"so_xa": 3})
    with zipfile.ZipFile(filled.path) as z:  # which part is «Số liệu»
        part = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"so_xa" in z.read(n))
    rewrite_part(filled.path, part, lambda b: b.replace(
        b"</sheetData>", b'<row r="50000"><c r="B50000" t="inlineStr"><is><t>cu\xe1\xbb\x91i</t></is></c></row>'
                         b"</sheetData>"))
    problem = scored_despite(folder, "huyen.xlsx", "TOO_MANY_ROWS")
    assert problem.location == Location("huyen.xlsx", L.DATA)
    assert "50.000 dòng" in problem.message and format_vi(limits.FORM_MAX_ROWS) in problem.message


def _in_a_child(folder: Path) -> list[str]:
    """Run the pipeline in a child process: should calamine abort (SIGABRT), this test fails, not the session."""
    script = ("import sys, pathlib; from scoring.pipeline import run; r = run(pathlib.Path(sys.argv[1])); "
              "print(sorted((p.code, p.location.file) for p in r.errors())); "
              "print([x.unit.unit_id for x in r.results if x.unit.has_data])")
    child = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    return child.stdout.splitlines()


FAR_CORNER = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'


def test_one_cell_at_xfd1048576_no_longer_aborts_the_process(tmp_path: Path) -> None:
    """python-calamine lays a sheet out from A1 to its last cell: this 1 KB file made it request 512 GB and
    abort the interpreter (SIGABRT, no exception, no report)."""
    write_registry(tmp_path, [XA])
    make_form(tmp_path / "xa.xlsx", "xa", values={"so_thon": 9})
    raw_workbook(tmp_path / "xa_goc.xlsx", {"T": sheet_xml([["ma_don_vi"], [XA.code]]).replace(
        "</sheetData>", FAR_CORNER)})
    assert (tmp_path / "xa_goc.xlsx").stat().st_size < 2048
    assert _in_a_child(tmp_path) == ["[('TOO_MANY_ROWS', 'xa_goc.xlsx')]", "['X01']"]


def test_the_registry_workbook_is_checked_like_any_input(tmp_path: Path) -> None:
    """don_vi.xlsx is read by calamine too: the same far-corner cell in it is refused before calamine."""
    raw_workbook(tmp_path / "don_vi.xlsx", {"DS": sheet_xml([["ma_don_vi", "ten_don_vi", "doi_tuong"],
                                                             [XA.code, XA.name, "xa"]]).replace("</sheetData>",
                                                                                                  FAR_CORNER)})
    make_form(tmp_path / "xa.xlsx", "xa", values={"so_thon": 9})
    assert _in_a_child(tmp_path) == ["[('TOO_MANY_ROWS', 'don_vi.xlsx')]", "['X01']"]


@pytest.mark.parametrize("make", [lambda p: zip_bomb(p, 300 * MIB), lambda p: p.write_text("ma_don_vi;ten\n")],
                         ids=["bomb", "text"])
def test_a_hostile_registry_workbook(tmp_path: Path, make: Callable[[Path], Any]) -> None:
    make(tmp_path / "don_vi.xlsx")
    make_form(tmp_path / "xa.xlsx", "xa", values={"so_thon": 9})
    run = pipeline_module.run(tmp_path)
    [problem] = [p for p in run.errors() if p.location.file == "don_vi.xlsx"]
    assert problem.code in ("ZIP_TOO_LARGE", "NOT_A_WORKBOOK")
    assert run.read.registry is None and run.find(XA.code)[0].unit.values["so_thon"].value == 9


REGISTRY_HEADER = ["ma_don_vi", "ten_don_vi", "doi_tuong"]


def _far_row(path: Path, row: int) -> Path:
    """A registry of one unit whose sheet also holds one cell at A`row` (a few bytes; calamine lays out every row)."""
    return raw_workbook(path, {"DS": sheet_xml([REGISTRY_HEADER, [XA.code, XA.name, "xa"]]).replace(
        "</sheetData>", f'<row r="{row}"><c r="A{row}"><v>1</v></c></row></sheetData>')})


@pytest.mark.parametrize("hostile", ["bomb", "rows"])
def test_load_registry_checks_the_package_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 hostile: str) -> None:
    """`qd274 template --don-vi FILE` reads its registry with load_registry alone, no folder read first: the
    package check is inside load_registry, and neither zlib nor calamine ever sees a refused file."""
    path = tmp_path / "don_vi_bom.xlsx"
    if hostile == "bomb":
        zip_bomb(path, 8 * MIB)  # within the size limit, compressed like a bomb
        _no_inflating(monkeypatch)
    else:
        _far_row(path, limits.TABLE_MAX_ROWS + 1)
    _no_calamine(monkeypatch)
    registry, problems = load_registry(path, tmp_path, subjects=criteria().subjects)
    [problem] = problems
    assert problem.code == {"bomb": "ZIP_TOO_LARGE", "rows": "TOO_MANY_ROWS"}[hostile]
    assert problem.location == Location("don_vi_bom.xlsx") and "danh sách đơn vị" in problem.message
    _reads_well(problem)
    assert registry.units == [] and registry.source == "don_vi_bom.xlsx"


def test_template_with_a_hostile_registry_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from scoring.cli import app

    zip_bomb(tmp_path / "bom.xlsx", 8 * MIB)
    _no_inflating(monkeypatch)
    _no_calamine(monkeypatch)
    result = CliRunner().invoke(app, ["template", "--don-vi", str(tmp_path / "bom.xlsx"), "--out",
                                      str(tmp_path / "bieu")], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    assert "ZIP_TOO_LARGE" in result.output and not (tmp_path / "bieu").exists()


@pytest.mark.parametrize("suffix", [".xlsm", ".XLSM", ".xls", ".ods", ".xlsb"])
def test_a_registry_in_another_workbook_format_is_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             suffix: str) -> None:
    """The package check once applied to registries named .xlsx only: one named .xlsm (or .xls, .ods…) went to
    calamine unchecked. An .xlsm is checked like an .xlsx; the formats the check does not model, whose
    reader calamine picks by the file's extension, are refused before any read."""
    reg = _far_row(tmp_path / f"don_vi_bom{suffix}", limits.TABLE_MAX_ROWS + 1)
    make_form(tmp_path / "xa.xlsx", "xa", values={"so_thon": 9})
    _no_calamine(monkeypatch)
    result = read(tmp_path, registry_path=reg)
    [problem] = [p for p in result.problems if p.severity == "error"]
    code = "TOO_MANY_ROWS" if suffix.lower() == ".xlsm" else "UNSUPPORTED_FILE"
    assert (problem.code, problem.location) == (code, Location(f"don_vi_bom{suffix}"))
    assert "danh sách đơn vị" in problem.message
    _reads_well(problem)
    assert result.registry is None and result.units[0].values["so_thon"].value == 9


@pytest.mark.parametrize(("make", "code", "says"), [
    (minimal_docx, "NOT_A_WORKBOOK", "tệp Word (.docx)"),
    (encrypted_xlsx, "PASSWORD_PROTECTED", "mật khẩu"),
    (lambda p: p.write_bytes(b"ma_don_vi,ten_don_vi\n\x00\x00"), "NOT_A_WORKBOOK", "không phải tệp Excel"),
], ids=["docx", "password", "binary"])
def test_a_registry_that_is_not_a_workbook_is_named_for_what_it_is(tmp_path: Path, make: Callable[[Path], Any],
                                                                    code: str, says: str) -> None:
    make(tmp_path / "don_vi.xlsx")
    registry, problems = load_registry(tmp_path / "don_vi.xlsx", tmp_path, subjects=criteria().subjects)
    [problem] = problems
    assert (problem.code, problem.location) == (code, Location("don_vi.xlsx")) and says in problem.message
    _reads_well(problem)
    assert registry.units == []


def test_a_file_that_cannot_be_opened(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No permission, or gone since the folder was listed: reported, the other files read."""
    make_form(folder / "huyen.xlsx", "huyen", values={"so_xa": 3})
    read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "huyen.xlsx":
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)

    before = snapshot(folder)
    monkeypatch.setattr(Path, "read_bytes", denied)
    run = pipeline_module.run(folder)
    monkeypatch.undo()
    assert snapshot(folder) == before
    problem = only(run.problems, "UNREADABLE_FILE")
    assert problem.location == Location("huyen.xlsx")
    assert "không mở được tệp" in problem.message and "quyền truy cập" in problem.message
    _reads_well(problem)
    assert run.find(XA.code)[0].unit.values["so_thon"].value == 9


def test_a_sheet_too_wide_is_refused(folder: Path) -> None:
    raw_workbook(folder / "rong.xlsx", {"Rộng": sheet_xml([["ma_don_vi"]]).replace(
        "</sheetData>", '<row r="1000"><c r="XFD1000"><v>1</v></c></row></sheetData>')})
    problem = scored_despite(folder, "rong.xlsx", "TOO_MANY_CELLS")
    assert problem.location == Location("rong.xlsx", "Rộng") and "16.384" in problem.message


def test_csv_beyond_the_row_limit(folder: Path) -> None:
    lines = "ma_don_vi,nam\n" + f"{XA.code},{YEAR}\n" * limits.TABLE_MAX_ROWS
    (folder / "tong_hop.csv").write_text(lines, "utf-8")
    problem = scored_despite(folder, "tong_hop.csv", "TOO_MANY_ROWS")
    assert problem.location == Location("tong_hop.csv")


def test_a_table_of_garbage_lists_a_bounded_number_of_problems(folder: Path) -> None:
    """3,000 rows with two bad cells each: the first MAX_PROBLEMS_PER_FILE are listed, the rest counted."""
    rows = [["ma_don_vi", "nam", "so_thon", "so_cuoc_kiem_tra"]] + [[XA.code, YEAR, "chín", "bốn"]] * 3000
    write_csv(folder / "tong_hop.csv", rows)
    result = read(folder)
    mine = [p for p in result.problems if p.location.file == "tong_hop.csv"]
    cap = limits.MAX_PROBLEMS_PER_FILE
    assert len([p for p in mine if p.code == "NOT_AN_INTEGER"]) == cap
    summary = only(mine, "TOO_MANY_PROBLEMS")
    assert summary.location == Location("tong_hop.csv") and f"còn {format_vi(6000 - cap)} lỗi khác" in summary.message


def test_a_file_above_the_size_limit_is_hashed_not_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scoring.readers.folder as folder_module

    monkeypatch.setattr(folder_module, "MAX_FILE_BYTES", 100 * 1024)
    write_csv(folder / "tong_hop.csv", [["ma_don_vi", "nam", "ghi_chu"]] + [[XA.code, YEAR, "x" * 100]] * 2000)
    problem = scored_despite(folder, "tong_hop.csv", "FILE_TOO_LARGE")
    assert "quá giới hạn" in problem.message
    run = pipeline_module.run(folder)
    assert [f.sha256 for f in run.read.files if f.name == "tong_hop.csv"] == [snapshot(folder)["tong_hop.csv"]]


# Rows and cells as calamine positions them; the measured extent must never be smaller than its layout.
# A cell: (reference or None, quote, space before r, value or None for self-closing, a second r or None).
_REF = st.tuples(st.sampled_from(["A", "B", "C", "Z", "AB", "c"]), st.integers(1, 40))
_CELL = st.tuples(st.one_of(st.none(), _REF), st.sampled_from(['"', "'"]), st.sampled_from(["", " ", "\t"]),
                  st.sampled_from(["1", None]), st.one_of(st.none(), _REF))
# A row: (r or None, cells, prefixed tags, self-closing).
_ROW = st.tuples(st.one_of(st.none(), st.integers(1, 60)), st.lists(_CELL, max_size=5), st.booleans(), st.booleans())


def _tag_sheet(rows: list[tuple[Any, ...]]) -> str:
    out = []
    for r, cells, prefixed, empty in rows:
        p = "x:" if prefixed else ""
        row_attr = f' r="{r}"' if r is not None else ""
        if empty:
            out.append(f"<{p}row{row_attr}/>")
            continue
        body = []
        for ref, quote, pad, value, again in cells:
            attr = f" {pad}r={quote}{ref[0]}{ref[1]}{quote}" if ref else ""
            attr += f' s="0" r="{again[0]}{again[1]}"' if again and ref else ""
            body.append(f"<{p}c{attr}><{p}v>{value}</{p}v></{p}c>" if value else f"<{p}c{attr}/>")
        out.append(f"<{p}row{row_attr}>{''.join(body)}</{p}row>")
    return ("<?xml version='1.0'?><x:worksheet xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
            f"<x:sheetData>{''.join(out)}</x:sheetData></x:worksheet>")


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=8))
def test_measured_extent_bounds_what_calamine_lays_out(rows: list[tuple[Any, ...]]) -> None:
    """Against python-calamine itself: rows and cells with and without r, r quoted either way, r twice,
    prefixed tags, self-closing rows and cells. (The canonical fast path and the tag walk both.)"""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        xml = _tag_sheet(rows)
        path = raw_workbook(Path(tmp) / "t.xlsx", {"T": xml})
        extent = inspect_package(path).extents["xl/worksheets/sheet1.xml"]
        streamed = package_module._Extents()  # as a part bigger than a chunk is measured, in small pieces
        streamed.streaming = True
        for at in range(0, len(xml), 97):
            streamed.feed(xml.encode()[at:at + 97])
        measured = streamed.finish()
        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            laid = sheet.to_python(skip_empty_area=False)
        except CalamineError:
            return  # calamine refuses the sheet: nothing to bound
        height, width = len(laid), max((len(r) for r in laid), default=0)
        if height and width and any(v != "" for row in laid for v in row):
            assert extent.rows >= height and extent.cols >= width, (extent, height, width)
            assert measured.rows >= height and measured.cols >= width, (measured, height, width)


# ── 8. cells of 100,000 characters ───────────────────────────────────────────────────────────────────────

HUGE = ("Đồng Vương " * 9_091).strip()  # 100,000 characters


def test_a_100k_character_name_is_refused_with_a_short_message(folder: Path) -> None:
    table(folder / "tong_hop.xlsx", [["ten_don_vi", "nam", "so_xa"], [HUGE, YEAR, 3]])  # raw XML: no 32,767 cap
    problem = scored_despite(folder, "tong_hop.xlsx", "NAME_TOO_LONG", "consolidated")
    assert problem.location == Location("tong_hop.xlsx", "Tổng hợp", "A2", "ten_don_vi")
    assert f"quá {limits.MAX_NAME_CHARS}" in problem.message and "100.000 ký tự" in problem.message
    assert "«Đồng Vương Đồng Vương" in problem.message and "…»" in problem.message


def test_a_name_as_long_as_excel_allows_in_a_form(folder: Path) -> None:
    make_form(folder / "huyen.xlsx", "huyen", code="", name=HUGE, values={"so_xa": 3})  # openpyxl cuts to 32,767
    problem = scored_despite(folder, "huyen.xlsx", "NAME_TOO_LONG", "form")
    assert problem.location.cell and "32.767 ký tự" in problem.message


def test_a_100k_character_code_in_a_consolidated_row(folder: Path) -> None:
    write_csv(folder / "tong_hop.csv", [["ma_don_vi", "nam", "so_xa"], ["H" * 100_000, YEAR, 3]])
    problem = scored_despite(folder, "tong_hop.csv", "NAME_TOO_LONG", "consolidated")
    assert problem.location == Location("tong_hop.csv", None, "A2")


def test_100k_character_values_and_texts(folder: Path) -> None:
    """Every message stays short (the value quoted cut to 60 characters); a giant number is out of range
    rather than computed; evidence longer than an Excel cell is kept cut, with a warning."""
    header = ["ma_don_vi", "nam", "so_xa", "so_cuoc_kiem_tra", "co_hoi_nghi_quan_triet", "so_ho_so_tiep_nhan",
              "so_bao_cao_dung_han", "tu_cham:I.1", "tu_cham:II.1", "minh_chung:II.1", HUGE]
    row = [HUYEN.code, YEAR, "9" * 100_000, HUGE, HUGE, "1e999999999", 3, HUGE, 2, HUGE, 1]
    table(folder / "tong_hop.xlsx", [header, row])
    before = snapshot(folder)
    run = pipeline_module.run(folder)
    assert snapshot(folder) == before
    mine = {(p.code, p.location.cell) for p in run.problems if p.location.file == "tong_hop.xlsx" and p.location.cell}
    # F2 "1e999999999": an exponent is not how a count is written (refused as text, never computed)
    assert mine == {("OUT_OF_RANGE", "C2"), ("NOT_AN_INTEGER", "D2"), ("NOT_A_BOOLEAN", "E2"),
                    ("NOT_AN_INTEGER", "F2"), ("NOT_A_NUMBER", "H2"), ("TEXT_TOO_LONG", "J2"), ("UNKNOWN_COLUMN", "K1")}
    assert all(len(p.message) < 600 for p in run.problems)
    quoted = next(p for p in run.problems if p.location.cell == "D2").message
    assert f'"{HUGE[:60]}…"' in quoted
    [huyen] = run.find(HUYEN.code)
    assert len(huyen.unit.self_scores["II.1"].note or "") == limits.MAX_TEXT_CHARS
    assert huyen.unit.values["so_bao_cao_dung_han"].value == 3
    assert run.find(XA.code)[0].unit.has_data


# ── 9. invisible characters in names ─────────────────────────────────────────────────────────────────────

def test_invisible_characters_match_the_unicode_categories() -> None:
    """INVISIBLE is the Cc and Cf categories (but tab and line breaks), written out for speed: kept honest."""
    expected = {cp for cp in range(sys.maxunicode + 1)
                if unicodedata.category(chr(cp)) in ("Cc", "Cf") and chr(cp) not in "\t\n\r"}
    assert {cp for cp in range(sys.maxunicode + 1) if INVISIBLE.match(chr(cp))} == expected


@pytest.mark.parametrize("spelling", [
    "Xã\u200f Đồng Vương",  # right-to-left mark
    "\u202eXã Đồng Vương\u202c",  # right-to-left override (the "gnuoV" trick) and its pop
    "Xã Đồng\u200b Vương",  # zero-width space
    "\ufeffXã Đồng Vương",  # byte-order mark pasted in
    "Xã\x07 Đồng\x01 Vương\x1b",  # control characters
    "Xã\u00a0Đồng\u2009Vương\u2028",  # no-break, thin space, line separator
    "Xa\u0303 \u0110o\u0302\u0300ng Vu\u031bo\u031bng",  # NFD
])
def test_invisible_and_control_characters_in_names(folder: Path, spelling: str) -> None:
    assert Registry([XA]).match(spelling) == [XA]
    assert clean(spelling) == XA.name
    write_csv(folder / "tong_hop.csv", [["\ufeffma_don_vi\u200b", "ten_don_vi", "nam", "so_cuoc_kiem_tra"],
                                        ["", spelling, YEAR, 4]])
    run = pipeline_module.run(folder)
    assert [p for p in run.errors() if p.location.file == "tong_hop.csv"] == []
    [unit] = run.find(XA.code)
    assert unit.unit.unit_name == XA.name and unit.unit.values["so_cuoc_kiem_tra"].value == 4
    assert unit.unit.source == "tong_hop.csv; xa_dong_vuong.xlsx"


def test_control_characters_excel_escapes_in_a_workbook(folder: Path) -> None:
    """XML cannot hold control characters: Excel writes them as _x0007_, which calamine decodes."""
    raw_workbook(folder / "tong_hop.xlsx", {"T": sheet_xml([["ten_don_vi", "nam", "so_cuoc_kiem_tra"],
                                                             ["_x0007_Xã_x001B_ Đồng\u200f Vương_x0001_", YEAR, 4]])})
    run = pipeline_module.run(folder)
    assert run.errors() == []
    assert run.find(XA.code)[0].unit.values["so_cuoc_kiem_tra"].value == 4


def test_invisible_characters_in_a_code_and_in_numbers(folder: Path) -> None:
    write_csv(folder / "tong_hop.csv", [["ma_don_vi", "nam", "so_cuoc_kiem_tra", "so_xa"],
                                        [f"\u200f{HUYEN.code}\u200e", f"{YEAR}\u200b", "4\u00ad", "1\u200b2"]])
    run = pipeline_module.run(folder)
    assert run.errors() == []
    [huyen] = run.find(HUYEN.code)
    assert {k: r.value for k, r in huyen.unit.values.items()}.items() >= {"so_cuoc_kiem_tra": 4, "so_xa": 12}.items()


# ── 10. NFD everywhere ───────────────────────────────────────────────────────────────────────────────────

def _nfd(text: Any) -> Any:
    return unicodedata.normalize("NFD", text) if isinstance(text, str) else text


def test_a_form_written_entirely_in_nfd(folder: Path) -> None:
    """Sheet names, headers, labels, unit name, booleans «Có», choices «Tốt», dates as text: all decomposed,
    as some Mac tools write them. Read exactly as the NFC form."""
    def decompose(wb: Any) -> None:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and not c.value.startswith("="):
                        c.value = _nfd(c.value)
            ws.title = _nfd(ws.title)

    values = {"co_hoi_nghi_quan_triet": "Có", "xep_loai_cchc": "Tốt", "so_thon": "1.234",
              "ngay_ban_hanh_ke_hoach": "14/01/2023", "so_cuoc_kiem_tra": 4}
    make_form(folder / "huyen_nfd.xlsx", "huyen", name="Huyện Yên Thế", edit=decompose,
              values={k: _nfd(v) for k, v in values.items() if k != "so_thon"} | {"so_xa": 7})
    book = open_book(folder / "huyen_nfd.xlsx")
    assert L.DATA in book.sheet_names and unicodedata.is_normalized("NFD", book._real[L.DATA])
    run = pipeline_module.run(folder)
    assert [p for p in run.errors() if p.location.file == "huyen_nfd.xlsx"] == []
    [huyen] = run.find(HUYEN.code)
    got = {k: r.value for k, r in huyen.unit.values.items()}
    assert got.items() >= {"co_hoi_nghi_quan_triet": True, "xep_loai_cchc": "Tốt", "so_xa": 7,
                           "ngay_ban_hanh_ke_hoach": dt.date(2023, 1, 14), "so_cuoc_kiem_tra": 4}.items()
    assert unicodedata.is_normalized("NFC", huyen.unit.unit_name)
    assert all(unicodedata.is_normalized("NFC", p.location.sheet or "") for p in run.problems)


# ── 11. the 1904 date system ─────────────────────────────────────────────────────────────────────────────

def test_1904_dates_in_a_raw_consolidated_workbook(folder: Path) -> None:
    """workbookPr date1904="1": a date-formatted serial and a bare serial both read in the 1904 system
    (the same serial is 4 years and a day later than in the 1900 system)."""
    day = dt.date(2023, 1, 14)
    serial = (day - dt.date(1904, 1, 1)).days
    rows = [["ma_don_vi", "nam", "ngay_ban_hanh_ke_hoach"], [HUYEN.code, YEAR, serial], ["X01", YEAR, serial]]
    raw_workbook(folder / "mac.xlsx", {"Tổng hợp": sheet_xml(rows, styles={"C2": 1})}, date1904=True)
    raw_workbook(folder / "win.xlsx", {"Tổng hợp": sheet_xml(rows[:2], styles={"C2": 1})}, date1904=False)
    run = pipeline_module.run(folder)
    dates = {p.location.file: p for p in run.problems if p.code == "CONFLICTING_VALUES"}
    [huyen] = run.find(HUYEN.code)
    assert set(dates) == {"win.xlsx"}  # the 1900 reading of the same serial (2027) disagrees, and is dropped
    assert "ngay_ban_hanh_ke_hoach" not in huyen.unit.values
    (folder / "win.xlsx").unlink()
    run = pipeline_module.run(folder)
    [huyen], [xa] = run.find(HUYEN.code), run.find(XA.code)
    assert huyen.unit.values["ngay_ban_hanh_ke_hoach"].value == day  # date-formatted serial
    assert xa.unit.values["ngay_ban_hanh_ke_hoach"].value == day  # bare serial (General)
    assert open_book(folder / "mac.xlsx").date1904


# ── 12. one unit, two files, two figures ─────────────────────────────────────────────────────────────────

def test_a_form_and_a_consolidated_row_disagree(folder: Path) -> None:
    write_csv(folder / "tong_hop.csv", [["ma_don_vi", "nam", "so_thon", "so_cuoc_kiem_tra"],
                                        [XA.code, YEAR, 10, 4], [HUYEN.code, YEAR, "", ""]])
    before = snapshot(folder)
    run = pipeline_module.run(folder)
    assert snapshot(folder) == before
    conflict = only(run.problems, "CONFLICTING_VALUES")  # files are read in name order: the form comes second
    assert (conflict.location.file, conflict.location.sheet, conflict.location.field) == (
        "xa_dong_vuong.xlsx", L.DATA, "so_thon")
    assert conflict.unit_id == XA.code and "10 ở tong_hop.csv › ô C2" in conflict.message and "9 ở" in conflict.message
    [xa] = run.find(XA.code)
    assert "so_thon" not in xa.unit.values and xa.unit.values["so_cuoc_kiem_tra"].value == 4
    assert run.find(HUYEN.code)[0].unit.source == "tong_hop.csv"


# ── 13. a file open in Excel ─────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lock", ["~$xa_dong_vuong.xlsx", "~$_dong_vuong.xlsx"])  # long names: first 2 chars dropped
def test_a_file_open_in_excel_is_read_with_a_note(folder: Path, lock: str) -> None:
    (folder / lock).write_bytes(b"\x0bNguyen Van A" + b"\x00" * 150)
    before = snapshot(folder)
    run = pipeline_module.run(folder)
    assert snapshot(folder) == before
    note = only(run.problems, "FILE_OPEN_IN_EXCEL")
    assert (note.severity, note.location) == ("info", Location("xa_dong_vuong.xlsx"))
    assert run.find(XA.code)[0].unit.values["so_thon"].value == 9
    assert lock not in {f.name for f in run.read.files}


def test_every_hostile_code_has_a_test_here() -> None:
    """The codes the package check and the sniffer raise, as the meta-test in test_inputs_errors.py does for
    the others (it scans test_inputs_*.py only)."""
    root = Path(__file__).resolve().parents[1] / "scoring" / "readers"
    text = "".join(p.read_text("utf-8") for p in sorted(root.glob("*.py")))
    import re

    raised = set(re.findall(r'(?:InputError|Refused)\(\s*"([A-Z_0-9]+)"', text))
    here = Path(__file__).read_text("utf-8")
    assert {"ZIP_TOO_LARGE", "UNSAFE_XML", "TOO_MANY_ROWS"} <= raised
    new = {"ZIP_TOO_LARGE", "UNSAFE_XML", "TOO_MANY_ROWS", "TOO_MANY_CELLS", "PASSWORD_PROTECTED", "NAME_TOO_LONG",
           "TEXT_TOO_LONG", "FILE_TOO_LARGE", "UNSUPPORTED_FILE", "TOO_MANY_PROBLEMS"}
    assert new <= raised
    assert sorted(c for c in new if f'"{c}"' not in here) == []
