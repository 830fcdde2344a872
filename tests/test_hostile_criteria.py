"""Hostile criteria files, as JSON and as an edited Excel sheet: each is a clear criteria error (exit 1), never an
internal one (exit 3), never a hang, and an import never touches the target JSON file."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from scoring.cli import app
from scoring.criteria import DEFAULT_CRITERIA, load_criteria, parse_criteria
from scoring.criteria.excel import export_excel, import_excel
from scoring.criteria.load import MAX_CRITERIA_BYTES, MAX_DEPTH
from scoring.criteria.models import CriteriaFile
from scoring.errors import CriteriaError

BASE = DEFAULT_CRITERIA.read_text("utf-8")
FIRST_MAX = "schemes.huyen.criteria[0].children[0].max"  # the first `"max": 3,` of the shipped file


def _refused(text: str) -> CriteriaError:
    with pytest.raises(CriteriaError) as info:
        parse_criteria(text.encode("utf-8"), "x.json")
    return info.value


def _once(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


# ---- the JSON file -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,  # beyond json's own recursion guard
    _once('"notice":', '"notice_x": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + ', "notice":'),
], ids=["arrays", "objects"])
def test_nesting_beyond_the_recursion_limit_is_a_criteria_error(text: str) -> None:
    error = _refused(text)
    assert error.codes() == {"TOO_DEEP"}
    assert "lồng nhau quá" in str(error)


def test_nesting_that_json_parses_but_no_criteria_file_has_is_refused_with_its_path() -> None:
    error = _refused(_once('"notice":', '"notice_x": ' + "[" * (MAX_DEPTH + 50) + "]" * (MAX_DEPTH + 50)
                           + ', "notice":'))
    assert error.codes() == {"TOO_DEEP"}
    assert error.problems[0].path.startswith("notice_x[0][0]")


@pytest.mark.parametrize(("old", "new", "path", "shown"), [
    ('"total": 100', '"total": ' + "1" * 5000, "schemes.huyen.total", "(5000 ký tự)"),  # int() refuses > 4300 digits
    ('"max": 3,', '"max": 1e999999999,', FIRST_MAX, "1E+999999999"),  # a sum of it overflows Decimal
    ('"max": 3,', '"max": 0e999999999,', FIRST_MAX, "0E+999999999"),  # int() of it builds a billion digits
    ('"max": 3,', '"max": 1.5e-999999999,', FIRST_MAX, "1.5E-999999999"),
    ('"min": 2,', '"min": 1e400,', "schemes.huyen.criteria[0].children[3].rule.tiers[0].min", "1E+400"),
], ids=["int_5000_digits", "exp_huge", "zero_exp_huge", "exp_tiny", "count_1e400"])
def test_an_absurd_number_is_named_with_its_path(old: str, new: str, path: str, shown: str) -> None:
    error = _refused(_once(old, new))
    assert error.codes() == {"NUMBER_OUT_OF_RANGE"}
    assert [p.path for p in error.problems] == [path]
    assert shown in str(error) and "10^15" in str(error)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_numbers(constant: str) -> None:
    error = _refused(_once('"max": 3,', f'"max": {constant},'))
    assert error.codes() == {"NOT_A_NUMBER"}
    assert error.problems[0].path == FIRST_MAX


def test_many_bad_numbers_are_listed_briefly() -> None:
    error = _refused(re.sub(r'"max": [0-9.]+', '"max": 1e999999999', BASE))
    assert error.codes() == {"NUMBER_OUT_OF_RANGE"}
    assert len(error.problems) == 21 and "chỗ khác" in error.problems[-1].message


def test_the_largest_sensible_numbers_still_load() -> None:
    # the bounds leave every real value alone: the shipped file, and a threshold count far beyond any real one
    assert load_criteria().file.schemes
    parse_criteria(_once('"min": 2,', '"min": 999999999999999,').encode("utf-8"))


def test_the_model_refuses_an_absurd_number_built_in_code() -> None:
    import json

    doc: Any = json.loads(BASE, parse_float=Decimal)
    doc["schemes"]["huyen"]["total"] = Decimal("1e999999999")
    with pytest.raises(ValidationError, match="ngoài khoảng"):
        CriteriaFile.model_validate(doc)


@pytest.mark.parametrize("command", ["score", "criteria"])
def test_cli_reports_a_hostile_criteria_file_with_exit_1(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "x.json"
    bad.write_text(_once('"max": 3,', '"max": 1e999999999,'), encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    inputs = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023"
    for path, code in ((bad, "NUMBER_OUT_OF_RANGE"), (deep, "TOO_DEEP")):
        args = [command, *([str(inputs)] if command == "score" else []), "--tieu-chi", str(path)]
        result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
        assert result.exit_code == 1, result.output
        assert code in result.output and "Lỗi nội bộ" not in result.output


# ---- the Excel round-trip ------------------------------------------------------------------------

@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "tieu_chi.json"
    shutil.copy(DEFAULT_CRITERIA, path)
    return path


@pytest.fixture
def export(target: Path, tmp_path: Path) -> Path:
    return export_excel(load_criteria(target), tmp_path / "tc.xlsx")


def _set(export: Path, sheet: str, ref: str, value: Any) -> Path:
    wb = openpyxl.load_workbook(export)
    wb[sheet][ref] = value
    out = export.with_name(f"edited_{ref}.xlsx")
    wb.save(out)
    return out


def _patched(export: Path, pattern: str, replacement: str) -> Path:
    """The export with its «Tiêu chí» sheet's XML patched as no spreadsheet program would write it."""
    out = export.with_name("patched.xlsx")
    with zipfile.ZipFile(export) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data, n = re.subn(pattern.encode(), replacement.encode(), data, count=1)
                assert n == 1
            dst.writestr(info.filename, data)
    return out


def _import_refused(source: Path, target: Path) -> CriteriaError:
    before = target.read_bytes()
    with pytest.raises(CriteriaError) as info:
        import_excel(source, target)
    assert target.read_bytes() == before
    return info.value


@pytest.mark.parametrize(("sheet", "ref", "value"), [
    ("Tiêu chí", "E3", "1e5000"),  # int() refuses its 5,001 digits
    ("Tiêu chí", "E3", "1e999999999"),  # int() of it ran for minutes
    ("Tiêu chí", "E3", "0e999999999"),
    ("Tiêu chí", "E3", 1e300),
    ("Tham số", "D3", "1e5000"),
    ("Xếp loại", "C2", "-1e999999999"),
], ids=["max_1e5000", "max_1e999999999", "max_0e999999999", "max_float_1e300", "param_1e5000", "grade_min_huge"])
def test_an_absurd_number_in_a_cell_is_named_with_its_cell(export: Path, target: Path, sheet: str, ref: str,
                                                            value: object) -> None:
    error = _import_refused(_set(export, sheet, ref, value), target)
    assert error.codes() == {"NUMBER_OUT_OF_RANGE"}
    assert error.problems[0].path == f"edited_{ref}.xlsx › {sheet} › ô {ref}"


@pytest.mark.parametrize("value", ["NaN", "inf", dt.datetime(2024, 1, 1)], ids=["nan", "inf", "date"])
def test_a_cell_that_is_no_number_is_reported(export: Path, target: Path, value: object) -> None:
    error = _import_refused(_set(export, "Tiêu chí", "E3", value), target)
    assert error.codes() == {"NOT_A_NUMBER"}


@pytest.mark.parametrize(("pattern", "replacement"), [
    (r'<c r="E3"([^>]*?) t="n"', r'<c r="E3"\1 t="zzz"'),  # a cell type calamine does not know
    (r'<c r="E3"[^>]*?>.*?</c>', '<c r="E3" t="s"><v>999999</v></c>'),  # a shared string that is not there
    (r"<sheetData>", '<sheetData><row r="0"><c r="A0"><v>1</v></c></row>'),  # a row numbered 0
], ids=["unknown_cell_type", "shared_string_out_of_range", "row_zero"])
def test_a_malformed_sheet_is_unreadable_not_a_crash(export: Path, target: Path, pattern: str,
                                                    replacement: str) -> None:
    error = _import_refused(_patched(export, pattern, replacement), target)
    assert error.codes() == {"UNREADABLE_FILE"}
    assert error.problems[0].path == "patched.xlsx › Tiêu chí"
    assert "không đọc được" in str(error)


def test_a_missing_sheet_file_is_not_found(target: Path, tmp_path: Path) -> None:
    error = _import_refused(tmp_path / "khong_co.xlsx", target)
    assert error.codes() == {"FILE_NOT_FOUND"}
    assert "không tìm thấy" in str(error) and "hỏng" not in str(error)
    assert _import_refused(tmp_path, target).codes() == {"FILE_UNREADABLE"}  # a folder


def test_cli_import_of_a_huge_exponent_ends_at_once_with_exit_1(export: Path, target: Path) -> None:
    source = _set(export, "Tiêu chí", "E3", "1e999999999")
    before = target.read_bytes()
    result = CliRunner().invoke(app, ["criteria", "--nhap", str(source), "--tieu-chi", str(target)],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    assert "NUMBER_OUT_OF_RANGE" in result.output and "ô E3" in result.output
    assert target.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_as_criteria_file_is_refused_at_once(tmp_path: Path) -> None:
    """Reading a FIFO blocks until something writes into it: `score --tieu-chi fifo` used to hang for ever."""
    fifo = tmp_path / "tieu_chi.json"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "scoring", "criteria", "--tieu-chi", str(fifo)],
                          capture_output=True, text=True, timeout=60, env=os.environ | {"COLUMNS": "200"})
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert "FILE_UNREADABLE" in said and "không phải tệp thường" in said


def test_a_criteria_file_far_too_large_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "tieu_chi.json"
    with huge.open("wb") as f:  # sparse: no disk used, and never read
        f.truncate(MAX_CRITERIA_BYTES + 1)
    with pytest.raises(CriteriaError) as caught:
        load_criteria(huge)
    assert caught.value.codes() == {"FILE_UNREADABLE"} and "quá 10 MB" in str(caught.value)


def test_walking_a_huge_array_costs_no_memory_per_value() -> None:
    # Each value once got a path string and a tuple before any was checked: 10 GB for a 95 MB array of numbers
    import tracemalloc

    from scoring.criteria.load import _hostile

    data = {"pad": [1] * 1_000_000, "deep": [[[Decimal("NaN")]]]}
    tracemalloc.start()
    try:
        problems = _hostile(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(p.code, p.path) for p in problems] == [("NOT_A_NUMBER", "deep[0][0][0]")]
    assert peak < 2 * 1024 * 1024, peak  # a few iterators, not a million paths (the old walk: > 100 MB)


@pytest.mark.parametrize("written", ["0", "20170526", '"2017-05-26T00:00:00"', '"26/05/2017"'])
def test_a_date_is_written_yyyy_mm_dd_in_quotes(written: str) -> None:
    # the number 0 was read as 01/01/1970, a date with a time of day as the date
    error = _refused(_once('"date": "2017-05-26"', f'"date": {written}'))
    assert [(p.code, p.path) for p in error.problems] == [("SCHEMA", "decision.date")]
    assert "YYYY-MM-DD trong dấu nháy" in str(error)


@pytest.mark.parametrize("blank", ["   ", "\\t", " \\n "])
def test_a_title_of_spaces_only_is_empty(blank: str) -> None:
    error = _refused(_once('"title": "Lãnh đạo, chỉ đạo, triển khai thực hiện"', f'"title": "{blank}"'))
    assert error.codes() == {"SCHEMA"} and "không được để trống" in str(error)
