"""Subject types are data: a criteria file that adds one is read, checked and scored without code changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.criteria import DEFAULT_CRITERIA, load_criteria
from scoring.errors import one_of
from scoring.registry import load_registry

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture()
def four_subjects(tmp_path: Path) -> Path:
    """The default criteria plus a fourth subject type (public service units), scored like the offices."""
    doc = json.loads(DEFAULT_CRITERIA.read_text("utf-8"))
    scheme = copy.deepcopy(doc["schemes"]["co_quan"])
    scheme["name"] = "Đơn vị sự nghiệp công lập"
    doc["schemes"]["su_nghiep"] = scheme
    path = tmp_path / "tieu_chi.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.output


def test_one_of_lists_choices_the_vietnamese_way() -> None:
    assert one_of(["huyen", "xa", "co_quan"]) == "huyen, xa hoặc co_quan"
    assert one_of(["xa"]) == "xa"
    assert one_of(("a", "b")) == "a hoặc b"


def test_registry_takes_the_criteria_files_subjects(four_subjects: Path, tmp_path: Path) -> None:
    subjects = load_criteria(four_subjects).subjects
    reg = tmp_path / "don_vi.csv"
    reg.write_text("ma_don_vi,ten_don_vi,doi_tuong\nS01,Trung tâm Y tế huyện,su_nghiep\nT01,Tỉnh,tinh\n", "utf-8")
    registry, problems = load_registry(reg, tmp_path, subjects=subjects)
    assert [(u.code, u.subject) for u in registry.units] == [("S01", "su_nghiep")]
    assert [(p.code, p.location.cell) for p in problems] == [("BAD_REGISTRY_ROW", "C3")]  # the subject's cell
    assert "huyen, xa, co_quan hoặc su_nghiep" in problems[0].message
    # the default file has three: the same row is refused there, and the message lists those three
    registry, problems = load_registry(reg, tmp_path, subjects=load_criteria().subjects)
    assert registry.units == [] and len(problems) == 3  # and EMPTY_REGISTRY
    assert "(huyen, xa hoặc co_quan:" in problems[0].message


def test_a_new_subject_type_is_scored_end_to_end(four_subjects: Path, tmp_path: Path) -> None:
    reg = tmp_path / "don_vi.csv"
    reg.write_text("ma_don_vi,ten_don_vi,doi_tuong\nS01,Trung tâm Y tế huyện,su_nghiep\nX01,Xã Đồng Vương,xa\n",
                   "utf-8")
    forms = tmp_path / "bieu"
    code, out = invoke("template", "--don-vi", str(reg), "--tieu-chi", str(four_subjects), "--out", str(forms))
    assert code == 0, out
    assert (forms / "su_nghiep" / "S01.xlsx").is_file()
    (forms / "don_vi.csv").write_bytes(reg.read_bytes())
    code, out = invoke("score", str(forms), "--tieu-chi", str(four_subjects), "--doi-tuong", "su_nghiep",
                       "--nam", "2023", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert [(u["unit_id"], u["subject"]) for u in doc["units"]] == [("S01", "su_nghiep")]
    # the reports take the new type like the others: its own sheet, its own section, its rows in the history
    out = tmp_path / "ket_qua"
    code, text = invoke("report", str(forms), "--tieu-chi", str(four_subjects), "--nam", "2023", "--out", str(out),
                        "--db", str(tmp_path / "lich_su.sqlite3"))
    assert code == 0, text
    assert "Đơn vị sự nghiệp công lập" in load_workbook(out / "ket_qua_cham_diem.xlsx", read_only=True).sheetnames
    assert "Đơn vị sự nghiệp công lập (1 đơn vị)" in (out / "bao_cao.html").read_text("utf-8")
    # a subject the file does not define is a usage error that lists the four it does
    code, out = invoke("score", str(forms), "--tieu-chi", str(four_subjects), "--doi-tuong", "tinh")
    assert code == 2
    assert "huyen, xa, co_quan hoặc su_nghiep" in " ".join(out.replace("│", " ").split())
    # with the default file, su_nghiep is unknown
    assert invoke("score", str(forms), "--doi-tuong", "su_nghiep")[0] == 2
