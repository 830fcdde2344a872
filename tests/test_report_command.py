"""`qd274 report`: the four files, reproducible to the byte, history recorded, nothing written on failure."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.reports import writer
from tests.report_fixtures import build_inputs

ENV = {"COLUMNS": "120", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_inputs(tmp_path_factory.mktemp("in"))


def _report(inputs: Path, out: Path, db: Path, **env: str) -> None:
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(out), "--db", str(db)], env=ENV | env)
    assert result.exit_code == 0, result.output


def test_same_inputs_same_bytes(inputs: Path, tmp_path: Path) -> None:
    fixed = {"SOURCE_DATE_EPOCH": "1700000000"}
    _report(inputs, tmp_path / "a", tmp_path / "h.sqlite3", **fixed)
    _report(inputs, tmp_path / "b", tmp_path / "h.sqlite3", **fixed)
    names = [writer.XLSX, writer.DOCX, writer.HTML, writer.TRACE]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_without_a_fixed_time_only_the_time_stamp_differs(inputs: Path, tmp_path: Path) -> None:
    _report(inputs, tmp_path / "a", tmp_path / "h.sqlite3", SOURCE_DATE_EPOCH="1700000000")
    _report(inputs, tmp_path / "b", tmp_path / "h.sqlite3", SOURCE_DATE_EPOCH="1800000000")
    a = json.loads((tmp_path / "a" / writer.TRACE).read_text("utf-8"))
    b = json.loads((tmp_path / "b" / writer.TRACE).read_text("utf-8"))
    assert a["manifest"].pop("generated_at") != b["manifest"].pop("generated_at")
    assert a == b
    assert (tmp_path / "a" / writer.DOCX).read_bytes() == (tmp_path / "b" / writer.DOCX).read_bytes()


def test_trace_document_is_versioned_and_complete(inputs: Path, tmp_path: Path) -> None:
    _report(inputs, tmp_path / "o", tmp_path / "h.sqlite3")
    doc = json.loads((tmp_path / "o" / writer.TRACE).read_text("utf-8"))
    assert doc["format"] == "qd274.trace/2" and doc["manifest"]["criteria"]["status"] == "reconstructed"
    unit = next(u for u in doc["units"] if u["unit_id"] == "X01")
    leaf = next(r for r in unit["records"] if r["criterion_id"] == "II.7")
    assert {"sentence", "points", "computed", "self", "appraised", "status"} <= set(leaf)
    shared = doc["criteria"]["xa"]["II.7"]  # what every unit shares is written once
    assert shared["kind"] == "ratio_tiers" and shared["params"]["tiers"][0]["min_pct"] == 95
    read = unit["inputs"][shared["reads"][0]]  # what every record of the unit shares, once per unit
    assert read["cell"].startswith("D") and read["sheet"] and "file" not in read  # the file is the unit's source
    assert shared["citation"].startswith("QĐ 274/QĐ-UBND") and shared["max"] == 3
    total = next(r for r in unit["records"] if r["criterion_id"] == "tong_diem")
    assert total["points"] == unit["total"]


def test_report_records_history_and_compares_years(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    older = build_inputs(tmp_path / "in2022", seed=11, year=2022)
    _report(older, tmp_path / "o22", db)
    _report(inputs, tmp_path / "o23", db)
    runner = CliRunner()
    listing = runner.invoke(app, ["lich-su", "--db", str(db)], env=ENV)
    assert listing.exit_code == 0 and "2022" in listing.output and "2023" in listing.output
    diff = runner.invoke(app, ["so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db)],
                         env=ENV | {"COLUMNS": "200"})
    assert diff.exit_code == 0, diff.output
    assert "Xã Đồng Vương" in diff.output and "Chênh lệch" in diff.output


def test_failure_midway_leaves_no_partial_file(inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scoring.reports.html_report as html_report

    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("killed while rendering")

    monkeypatch.setattr(html_report, "render_html", boom)
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(out), "--db", str(tmp_path / "h.sqlite3")],
                                env=ENV)
    assert result.exit_code == 3
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []
    assert not (out / writer.HTML).exists()


def test_killed_run_leaves_no_temp_file_and_old_temps_are_cleaned(inputs: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "o"
    out.mkdir()
    (out / f".{writer.DOCX}.abc123.tmp").write_bytes(b"left by a run killed with SIGKILL")
    _report(inputs, out, tmp_path / "h.sqlite3")
    assert not list(out.glob(".*.tmp"))
    # SIGTERM while writing: the temp files are removed on the way out
    proc = subprocess.Popen([sys.executable, "-m", "scoring", "report", str(inputs), "--out", str(tmp_path / "k"),
                             "--db", str(tmp_path / "h2.sqlite3")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(2.5)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    leftovers = [p.name for p in (tmp_path / "k").glob(".*.tmp")] if (tmp_path / "k").exists() else []
    assert leftovers == []
    for f in (tmp_path / "k").glob("*") if (tmp_path / "k").exists() else []:
        assert f.stat().st_size > 0  # whatever exists is whole


def test_trace_alone_re_derives_every_computed_leaf(inputs: Path, tmp_path: Path) -> None:
    """An auditor's check: the trace file alone (rule, parameters, values read) gives each leaf's points."""
    from pydantic import TypeAdapter

    from scoring import load_criteria, rules
    from scoring.criteria.models import Rule

    _report(inputs, tmp_path / "o", tmp_path / "h.sqlite3")
    doc = json.loads((tmp_path / "o" / writer.TRACE).read_text("utf-8"), parse_float=Decimal)  # exact, as auditors read
    types = {k: v.type for k, v in load_criteria().indicators.items()}
    checked = 0
    for unit in doc["units"]:
        for rec in unit["records"]:
            shared = doc["criteria"][unit["subject"]][rec["criterion_id"]] if rec["level"] == "leaf" else None
            if shared is None or rec["computed"] is None:
                continue
            values = {i: _typed(types[i], unit["inputs"][i]["value"]) for i in shared["reads"]
                      if unit["inputs"].get(i) is not None}
            rule = TypeAdapter(Rule).validate_python(shared["params"])
            group = doc["criteria"][unit["subject"]][_top(doc, unit["subject"], rec["criterion_id"])]["group"]
            ctx = rules.Context(Decimal(shared["max"]), unit["year"], group == "deduction")
            assert rules.apply(rule, values, ctx).points == Decimal(rec["computed"]), (unit["unit_id"], rec)
            checked += 1
    assert checked > 100


def _typed(kind: str, value: object) -> object:
    if kind == "date" and isinstance(value, str):
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    return value


def _top(doc: dict, subject: str, cid: str) -> str:
    nodes = doc["criteria"][subject]
    return next(g for g, n in nodes.items() if n["depth"] == 0 and (g == cid or cid in _below(nodes, g)))


def _below(nodes: dict, cid: str) -> set[str]:
    out = set()
    for c in nodes[cid]["children"]:
        out |= {c} | _below(nodes, c)
    return out


def test_trace_record_text_is_what_json_gives(tmp_path: Path) -> None:
    """The trace writes records as text directly; it must be the text json.dumps gives the same record."""
    from scoring.reports.trace_json import _Records, record_doc
    from tests.report_fixtures import small_run

    result = small_run(tmp_path / "in")
    records = [rec for r in result.results for rec in r.records]
    leaf = next(rec for rec in records if rec.level == "leaf")
    records += [leaf._replace(reason='Lý do "đặc biệt"\n<b>&', flags=("tu_cham_cao_hon", "tham_dinh_khac"),
                              appraised=Decimal("1.50"), self_score=Decimal("0.25"), points=Decimal("1.50"))]
    writer_ = _Records()
    assert len(records) > 200
    for rec in records:
        assert writer_.text(rec) == json.dumps(record_doc(rec), ensure_ascii=False), rec.criterion_id


def test_trace_inputs_text_is_json_with_every_origin_part(tmp_path: Path) -> None:
    from dataclasses import replace

    from scoring import Reading
    from scoring.errors import Location
    from scoring.reports.trace_json import inputs_text
    from tests.report_fixtures import small_run

    res = small_run(tmp_path / "in").results[0]
    odd = {"a": Reading(True, Location(res.unit.source, 'Số "liệu"', "D7", "a")),
           "b": Reading(dt.date(2023, 1, 31), Location("khac.xlsx", None, 'D"8', "b"), "Số 12/QĐ"),
           "c": Reading(Decimal("12.50"), None), "d": Reading("Tốt\n<", Location(None, None, None, "d"))}
    unit = replace(res, unit=replace(res.unit, values=odd))
    order = [(k, json.dumps(k)) for k in ("a", "b", "c", "d", "e")]
    assert json.loads(inputs_text(unit, order)) == {
        "a": {"value": True, "sheet": 'Số "liệu"', "cell": "D7"},
        "b": {"value": "31/01/2023", "file": "khac.xlsx", "cell": 'D"8', "evidence": "Số 12/QĐ"},
        "c": {"value": 12.5}, "d": {"value": "Tốt\n<"}, "e": None}


def test_a_failed_report_records_nothing_in_the_history(inputs: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The history is written beside the files but committed only once every file is written."""
    import sqlite3

    db = tmp_path / "h.sqlite3"
    _report(inputs, tmp_path / "ok", db)

    def broken(run: object, out: Path) -> list[Path]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "write_all", broken)
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(tmp_path / "full"), "--db", str(db)],
                                env=ENV)
    assert result.exit_code != 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)  # only the first, successful report
    assert conn.execute("SELECT COUNT(DISTINCT run_id) FROM criterion_results").fetchone() == (1,)


def test_a_history_that_cannot_be_written_is_reported_after_the_files(inputs: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from scoring import history

    def disk_full(conn: object, run: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(history, "record_run", disk_full)  # fails once the files are written
    db = tmp_path / "h.sqlite3"
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(tmp_path / "o"), "--db", str(db)], env=ENV)
    assert result.exit_code == 1, result.output  # the user's machine, not a bug (that would be 3)
    assert (tmp_path / "o" / writer.TRACE).exists()  # the files were written; only the history failed
    said = " ".join(result.output.split())
    assert "không mở hoặc ghi được lịch sử" in said and "đã được ghi xong" in said and "--khong-luu" in said


def test_a_history_file_that_is_not_one_is_refused_before_any_file(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    db.write_text("không phải cơ sở dữ liệu")
    result = CliRunner().invoke(app, ["report", str(inputs), "--out", str(tmp_path / "o"), "--db", str(db)], env=ENV)
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "không phải tệp lịch sử của qd274" in said and "đã được ghi xong" not in said
    assert not (tmp_path / "o").exists() and db.read_text() == "không phải cơ sở dữ liệu"


def test_a_history_locked_while_it_is_read_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from scoring import history

    def locked(conn: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(history, "list_runs", locked)
    result = CliRunner().invoke(app, ["lich-su", "--db", str(tmp_path / "h.sqlite3")], env=ENV)
    assert result.exit_code == 1, result.output  # another program holds the file: not a bug in qd274 (3)
    assert "không mở hoặc ghi được lịch sử" in " ".join(result.output.split())


@pytest.mark.parametrize("where", ["missing", "empty"])
def test_nothing_read_writes_no_file_and_no_history(tmp_path: Path, where: str) -> None:
    # A mistyped folder must not give an empty report to send on, nor an empty run kept for ever in the history.
    folder = tmp_path / where
    if where == "empty":
        folder.mkdir()
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out), "--db", str(db)], env=ENV)
    assert result.exit_code == 1, result.output
    assert "Không đọc được đơn vị nào" in result.output and "không lưu lịch sử" in result.output
    assert ("NOT_FOUND" in result.output) == (where == "missing")
    assert not out.exists() and not db.exists()


@pytest.mark.parametrize("option", [["--nam", "2022"], ["--doi-tuong", "huyen"]])
def test_units_left_out_by_an_option_are_named_as_the_cause(tmp_path: Path, option: list[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tong_hop.csv").write_text("ma_don_vi,ten_don_vi,doi_tuong,nam,so_thon\nX1,Xã A,xa,2023,3\n",
                                         encoding="utf-8")
    out, db = tmp_path / "out", tmp_path / "h.sqlite3"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out), "--db", str(db), *option], env=ENV)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "Đã đọc 1 tệp" in text and f"Không đơn vị nào khớp {' '.join(option)}" in text
    assert not out.exists() and not db.exists()
