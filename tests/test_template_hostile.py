"""qd274 template with hostile input: codes and labels that look like formulas, codes that fold to one file
name, Windows device names, output paths that are folders, devices or FIFOs, names the reader would refuse."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scoring.criteria import DEFAULT_CRITERIA, Criteria, load_criteria, parse_criteria
from scoring.forms import layout as L
from scoring.forms.consolidated_template import write_consolidated_template
from scoring.forms.generate import write_form
from scoring.readers.limits import MAX_NAME_CHARS
from scoring.registry import RegisteredUnit
from scoring.safe_paths import safe_name
from tests.inputs_helpers import errors, read, write_registry

_FORMULA = re.compile(r'<c r="([A-Z]+)([0-9]+)"[^>]*>\s*<f>')
needs_fifo = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "mkfifo"), reason="no FIFOs on Windows")


def _formula_cells(path: Path) -> dict[str, list[str]]:
    """Sheet title → the cells whose raw XML holds a formula (<f>), read from the package itself."""
    titles = openpyxl.load_workbook(path).sheetnames
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as z:
        for n, title in enumerate(titles, start=1):
            xml = z.read(f"xl/worksheets/sheet{n}.xml").decode("utf-8")
            found[title] = [f"{col}{row}" for col, row in _FORMULA.findall(xml)]
    return found


def _only_score_formulas(path: Path) -> None:
    """The only formulas of a form: the «Chấm điểm» group sums and total (columns D and F, text-free)."""
    cells = _formula_cells(path)
    assert {t: c for t, c in cells.items() if t != L.SCORES and c} == {}
    assert all(ref[0] in "DF" for ref in cells[L.SCORES])


def _hostile_criteria() -> Criteria:
    """The shipped criteria with every free text a reviewer could type turned into a formula."""
    data = json.loads(DEFAULT_CRITERIA.read_text("utf-8"))
    data["version"], data["notice"], data["decision"]["issuer"] = "=1+1", "=2+2", "=3+3"
    for scheme in data["schemes"].values():
        scheme["name"], scheme["annex"] = "=4+4", "=5+5"
        scheme["criteria"][0]["title"] = "=6+6"
        scheme["criteria"][0]["children"][0]["title"] = "=7+7"
    for indicator in data["indicators"]:
        indicator["label"] = "=HYPERLINK(\"http://evil.example/\",\"bấm\")"
        if indicator["type"] == "choice":
            indicator["choices"] = [*indicator["choices"], 'A"),1,("B']
    return parse_criteria(json.dumps(data, ensure_ascii=False).encode("utf-8"), "hostile.json")


# ---- 1. text from the registry or the criteria file is never a formula -----------------------------------

def test_registry_code_and_name_are_text_in_every_sheet(tmp_path: Path) -> None:
    path = write_form(tmp_path / "f.xlsx", load_criteria(), "xa", 2023, RegisteredUnit("=1+1", "=A1", "xa"))
    wb = openpyxl.load_workbook(path)
    meta = {ws["A"][n].value: ws["B"][n] for ws in [wb[L.META]] for n in range(ws.max_row)}
    assert meta["unit_code"].value == "=1+1" and meta["unit_code"].data_type == "s"
    info = {r[0].value: r[2] for r in wb[L.INFO].iter_rows(min_row=L.FIRST_ROW)}
    assert [(info[k].value, info[k].data_type) for k in ("ma_don_vi", "ten_don_vi")] == [("=1+1", "s"), ("=A1", "s")]
    _only_score_formulas(path)


def test_a_form_whose_code_and_name_were_cleared_reads_the_code_from_the_hidden_sheet(tmp_path: Path) -> None:
    """The hidden sheet's code is what the reader falls back on: a formula there had no value to read."""
    unit = RegisteredUnit("=1+1", "Xã Một", "xa")
    write_registry(tmp_path, [unit])
    path = write_form(tmp_path / "f.xlsx", load_criteria(), "xa", 2023, unit)
    wb = openpyxl.load_workbook(path)
    for row in wb[L.INFO].iter_rows(min_row=L.FIRST_ROW):
        if row[0].value in ("ma_don_vi", "ten_don_vi"):  # without the name too: no matching by name instead
            row[2].value = None
    wb.save(path)
    result = read(tmp_path)
    assert errors(result.problems) == [] and [u.unit_id for u in result.units] == ["=1+1"]


def test_criteria_texts_are_text_in_the_form(tmp_path: Path) -> None:
    criteria = _hostile_criteria()
    path = write_form(tmp_path / "f.xlsx", criteria, "xa", 2023, RegisteredUnit("X1", "Xã Một", "xa"))
    _only_score_formulas(path)
    wb = openpyxl.load_workbook(path)
    labels = [r[1] for r in wb[L.DATA].iter_rows(min_row=L.FIRST_ROW) if r[0].value]
    titles = [r[1] for r in wb[L.SCORES].iter_rows(min_row=L.FIRST_ROW) if str(r[1].value).startswith("=")]
    version = next(r[1] for r in wb[L.META].iter_rows() if r[0].value == "criteria_version")
    assert labels and all(c.value.startswith("=HYPERLINK") and c.data_type == "s" for c in labels)
    assert [(c.value, c.data_type) for c in titles] == [("=6+6", "s"), ("=7+7", "s")]
    assert (version.value, version.data_type) == ("=1+1", "s")


def test_a_quote_in_a_choice_does_not_end_the_list_validation(tmp_path: Path) -> None:
    path = write_form(tmp_path / "f.xlsx", _hostile_criteria(), "xa", 2023)
    ws = openpyxl.load_workbook(path)[L.DATA]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    choice = next(f for f in lists if "Khá" in f)
    assert choice.endswith(',A""),1,(""B"') and choice.count('"') % 2 == 0  # one string literal, quotes doubled


@pytest.mark.parametrize("subject", [None, "xa"])
def test_criteria_texts_are_text_in_the_consolidated_template(tmp_path: Path, subject: str | None) -> None:
    path = write_consolidated_template(tmp_path / "th.xlsx", _hostile_criteria(), 2023, subject)
    assert _formula_cells(path) == {"Tổng hợp": [], "Chú thích": []}
    notes = openpyxl.load_workbook(path)["Chú thích"]
    meanings = [r[1] for r in notes.iter_rows(min_row=2) if r[1].value]
    assert any(c.value.startswith("=HYPERLINK") for c in meanings)
    assert all(c.data_type == "s" for c in meanings)


# ---- 2. codes that fold to one file name --------------------------------------------------------------------

def test_unique_paths_never_share_a_file(tmp_path: Path) -> None:
    from scoring.safe_paths import name_clashes, unique_paths

    items = [("xa", "X 01"), ("xa", "X_01"), ("xa", "X/01"), ("xa", "Đ01"), ("xa", "D01"), ("xa", "A1")]
    paths = unique_paths(tmp_path, items)
    names = [p.relative_to(tmp_path.resolve()).as_posix() for p in paths]
    assert names == ["xa/X_01.xlsx", "xa/X_01_2.xlsx", "xa/X_01_3.xlsx", "xa/D01.xlsx", "xa/D01_2.xlsx", "xa/A1.xlsx"]
    assert unique_paths(tmp_path, items) == paths  # deterministic
    notes = name_clashes(tmp_path, items, paths)
    assert len(notes) == 2
    assert all(f"«{code}»" in notes[0] for code in ("X 01", "X_01", "X/01"))
    assert all(name in notes[0] for name in ("xa/X_01.xlsx", "xa/X_01_2.xlsx", "xa/X_01_3.xlsx"))
    assert "«Đ01»" in notes[1] and "xa/D01_2.xlsx" in notes[1]
    assert name_clashes(tmp_path, items[-1:], paths[-1:]) == []


def test_unique_paths_ignore_case_as_windows_and_macos_do(tmp_path: Path) -> None:
    from scoring.safe_paths import unique_paths

    items = [("xa", "dup"), ("xa", "DUP"), ("xa", "Dup"), ("huyen", "DUP")]
    names = [p.name for p in unique_paths(tmp_path, items)]
    assert names == ["dup.xlsx", "DUP_2.xlsx", "Dup_3.xlsx", "DUP.xlsx"]  # another subject: another folder


def test_a_suffixed_name_never_takes_another_units_plain_name(tmp_path: Path) -> None:
    from scoring.safe_paths import unique_paths

    for items in ([("xa", "X 01"), ("xa", "X_01"), ("xa", "X_01_2")],
                  [("xa", "X_01_2"), ("xa", "X 01"), ("xa", "X_01")],
                  [("xa", "X 01"), ("xa", "x_01_2"), ("xa", "X_01"), ("xa", "X_01_3")]):
        paths = unique_paths(tmp_path, items)
        keys = [p.as_posix().casefold() for p in paths]
        assert len(set(keys)) == len(items), items
        for (_, code), path in zip(items, paths, strict=True):
            if code.startswith(("X_01_", "x_01_")):  # a unit literally coded X_01_2 keeps its own name
                assert path.name == f"{code}.xlsx"
            assert path.parent == (tmp_path / "xa").resolve()


# ---- 3. Windows device names, trailing dots ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("com1.txt", "don_vi_com1.txt"), ("NUL.tar.gz", "don_vi_NUL.tar.gz"), ("lpt9.x", "don_vi_lpt9.x"),
    ("Con.Xa", "don_vi_Con.Xa"), ("a" * 79 + ".b", "a" * 79)])
def test_safe_name_refuses_device_stems_and_trailing_dots(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_safe_name_never_ends_in_a_dot_or_space_nor_is_a_device() -> None:
    devices = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
    for text in ("com1.txt", "LPT3.doc.", "nul...", "a" * 79 + ". x", "prn .", "Aux.b.c", "..con..", "aux. ", "x. "):
        name = safe_name(text)
        assert name and name[-1] not in ". " and name.split(".")[0].casefold() not in devices, (text, name)
    # not devices: kept as they are (COM¹ is one, but safe_name keeps ASCII only)
    assert [safe_name(t) for t in ("con1.txt", "COM¹.txt", "comX")] == ["con1.txt", "COM_.txt", "comX"]


# ---- 4. where the template may be written --------------------------------------------------------------------

def test_out_problem_for_one_file(tmp_path: Path) -> None:
    from scoring.forms.generate import template_out_problem as problem

    (tmp_path / "thu_muc").mkdir()
    (tmp_path / "tep").write_text("x")
    assert "là một thư mục" in (problem(tmp_path / "thu_muc", False) or "")
    assert "là một tệp, không phải thư mục" in (problem(tmp_path / "tep" / "bieu.xlsx", False) or "")
    assert "là một tệp, không phải thư mục" in (problem(tmp_path / "tep" / "a" / "bieu.xlsx", False) or "")
    assert ".xlsx" in (problem(tmp_path / "bieu.csv", False) or "")
    assert "bieu.xlsx" in (problem(tmp_path / "bieu", False) or "")
    assert problem(Path("-"), False) is not None
    assert problem(tmp_path / "moi" / "bieu.xlsx", False) is None
    assert problem(tmp_path / "BIEU.XLSX", False) is None
    (tmp_path / "cu.xlsx").write_text("x")  # an earlier form is replaced, as before
    assert problem(tmp_path / "cu.xlsx", False) is None


def test_out_problem_for_the_consolidated_template(tmp_path: Path) -> None:
    from scoring.forms.generate import template_out_problem as problem

    assert problem(tmp_path / "th.csv", False, consolidated=True) is None  # written as CSV by its suffix
    assert problem(tmp_path / "th.xlsx", False, consolidated=True) is None
    assert ".csv" in (problem(tmp_path / "th.txt", False, consolidated=True) or "")
    (tmp_path / "thu_muc").mkdir()
    assert "là một thư mục" in (problem(tmp_path / "thu_muc", False, consolidated=True) or "")


def test_out_problem_for_the_forms_folder(tmp_path: Path) -> None:
    from scoring.forms.generate import template_out_problem as problem

    (tmp_path / "tep").write_text("x")
    assert "không phải thư mục" in (problem(tmp_path / "tep", True) or "")
    assert "là một tệp, không phải thư mục" in (problem(tmp_path / "tep" / "bieu", True) or "")
    assert problem(tmp_path, True) is None
    assert problem(tmp_path / "chua_co" / "bieu", True) is None


@needs_fifo
def test_out_problem_for_a_fifo_or_a_device(tmp_path: Path) -> None:
    from scoring.forms.generate import template_out_problem as problem

    os.mkfifo(tmp_path / "fifo.xlsx")
    assert "không phải tệp thường" in (problem(tmp_path / "fifo.xlsx", False) or "")
    assert "không phải tệp thường" in (problem(tmp_path / "fifo.xlsx", False, consolidated=True) or "")
    assert "không phải thư mục" in (problem(tmp_path / "fifo.xlsx", True) or "")
    if Path("/dev/null").exists():  # only looked at: nothing is written there
        assert "không phải tệp thường" in (problem(Path("/dev/null"), False) or "")


@needs_fifo
@pytest.mark.parametrize("name", ["bieu.xlsx", "th.xlsx", "th.csv"])
def test_a_fifo_is_never_replaced(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="không phải tệp thường"):
        if name == "bieu.xlsx":
            write_form(fifo, load_criteria(), "xa", 2023)
        else:
            write_consolidated_template(fifo, load_criteria(), 2023, None)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temp file left behind


def test_a_folder_is_refused_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "bieu.xlsx").mkdir()
    with pytest.raises(ValueError, match="là một thư mục"):
        write_form(tmp_path / "bieu.xlsx", load_criteria(), "xa", 2023)
    with pytest.raises(ValueError, match="là một thư mục"):
        write_consolidated_template(tmp_path / "bieu.xlsx", load_criteria(), 2023, None)


# ---- 5. names the reader would refuse ------------------------------------------------------------------------

def test_unit_problems_name_each_unit_that_cannot_make_a_form() -> None:
    from scoring.forms.generate import unit_problems

    fine = RegisteredUnit("X1", "Xã " + "Đ" * (MAX_NAME_CHARS - 3), "xa")
    long_name = RegisteredUnit("X2", "Xã " + "Đ" * (MAX_NAME_CHARS - 2), "xa")
    long_code = RegisteredUnit("X" * (MAX_NAME_CHARS + 1), "Xã Ba", "xa")
    blank = RegisteredUnit("X4", " \u200b", "xa")
    assert unit_problems([fine]) == []
    lines = unit_problems([fine, long_name, long_code, blank])
    assert len(lines) == 3
    assert "«X2»" in lines[0] and "tên đơn vị dài 301 ký tự" in lines[0] and str(MAX_NAME_CHARS) in lines[0]
    assert "mã đơn vị dài 301 ký tự" in lines[1] and "X" * 200 not in lines[1]  # a long code is never quoted whole
    assert "«X4»" in lines[2] and "tên đơn vị trống" in lines[2]


def test_write_form_refuses_a_name_check_would_refuse(tmp_path: Path) -> None:
    unit = RegisteredUnit("X2", "Xã " + "Đ" * (MAX_NAME_CHARS - 2), "xa")
    with pytest.raises(ValueError, match=f"quá {MAX_NAME_CHARS}"):
        write_form(tmp_path / "f.xlsx", load_criteria(), "xa", 2023, unit)
    assert list(tmp_path.iterdir()) == []


def test_a_name_at_the_limit_makes_a_form_check_reads(tmp_path: Path) -> None:
    from scoring.forms.generate import unit_problems

    unit = RegisteredUnit("X1", "Xã " + "Đ" * (MAX_NAME_CHARS - 3), "xa")
    assert unit_problems([unit]) == []
    write_registry(tmp_path, [unit])
    write_form(tmp_path / "f.xlsx", load_criteria(), "xa", 2023, unit)
    result = read(tmp_path)
    assert errors(result.problems) == [] and [u.unit_id for u in result.units] == ["X1"]
